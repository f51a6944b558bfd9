"""The custom domain routes, built once for each kind of service that answers
on domains: applications and containers."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import SessionDep
from envplane.core.routing import APIRouter
from envplane.custom_domain.schemas import (
    CustomDomain,
    CustomDomainRequest,
    CustomDomainResponseList,
    CustomDomainStatus,
)
from envplane.custom_domain.service import custom_domain_service as service
from envplane.models import CustomDomain as CustomDomainModel
from envplane.service.kinds.base import ServiceType

CustomDomainId = Annotated[uuid.UUID, Path(alias="customDomainId")]


@dataclass(frozen=True)
class DomainScope:
    """One kind of service as the custom domain routes expose it. The official
    operationIds do not follow one pattern (editCustomDomain for applications,
    editContainerCustomDomain for containers), so each is spelt out."""

    kind: ServiceType
    list_operation: str
    create_operation: str
    edit_operation: str
    delete_operation: str

    @property
    def resource(self) -> str:
        return self.kind.lower()


APPLICATION = DomainScope(
    kind=ServiceType.APPLICATION,
    list_operation="listApplicationCustomDomain",
    create_operation="createApplicationCustomDomain",
    edit_operation="editCustomDomain",
    delete_operation="deleteCustomDomain",
)

CONTAINER = DomainScope(
    kind=ServiceType.CONTAINER,
    list_operation="listContainerCustomDomain",
    create_operation="createContainerCustomDomain",
    edit_operation="editContainerCustomDomain",
    delete_operation="deleteContainerCustomDomain",
)


def add_custom_domain_routes(router: APIRouter, scope: DomainScope) -> None:
    """Register the four custom domain operations of one kind on ``router``."""
    kind, resource = scope.kind, scope.resource
    ServiceId = Annotated[uuid.UUID, Path(alias=f"{resource}Id")]

    def list_domains(
        service_id: ServiceId, session: SessionDep, principal: PrincipalDep
    ) -> CustomDomainResponseList:
        """List the custom domains of this service."""
        domains = service.list(
            session, principal=principal, kind=kind, service_id=service_id
        )
        return CustomDomainResponseList(results=[_custom_domain(d) for d in domains])

    def create_domain(
        service_id: ServiceId,
        request: CustomDomainRequest,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> CustomDomain:
        """Add a custom domain the service answers on."""
        domain = service.create(
            session,
            principal=principal,
            kind=kind,
            service_id=service_id,
            request=request,
        )
        return _custom_domain(domain)

    def edit_domain(
        service_id: ServiceId,
        custom_domain_id: CustomDomainId,
        request: CustomDomainRequest,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> CustomDomain:
        """Edit a custom domain of this service."""
        domain = service.update(
            session,
            principal=principal,
            kind=kind,
            service_id=service_id,
            custom_domain_id=custom_domain_id,
            request=request,
        )
        return _custom_domain(domain)

    def delete_domain(
        service_id: ServiceId,
        custom_domain_id: CustomDomainId,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> None:
        """Delete a custom domain of this service."""
        service.delete(
            session,
            principal=principal,
            kind=kind,
            service_id=service_id,
            custom_domain_id=custom_domain_id,
        )

    collection = f"/{resource}/{{{resource}Id}}/customDomain"
    item = f"{collection}/{{customDomainId}}"
    operations: list[tuple[str, str, str, Callable[..., Any], int]] = [
        ("GET", collection, scope.list_operation, list_domains, 200),
        ("POST", collection, scope.create_operation, create_domain, 201),
        ("PUT", item, scope.edit_operation, edit_domain, 200),
        ("DELETE", item, scope.delete_operation, delete_domain, 204),
    ]
    for method, path, operation_id, handler, status_code in operations:
        router.add_api_route(
            path,
            handler,
            methods=[method],
            operation_id=operation_id,
            name=_snake_case(operation_id),
            status_code=status_code,
            tags=[f"{resource.capitalize()} Custom Domain"],
        )


def _snake_case(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _custom_domain(custom_domain: CustomDomainModel) -> CustomDomain:
    # TODO(domains): validation_domain, the host a CNAME must point at, is left
    # out until deployments give services a public host; clients then show no
    # target to point the domain at. Fill it from the deployed ingress's host.
    return CustomDomain(
        id=custom_domain.id,
        created_at=custom_domain.created_at,
        updated_at=custom_domain.updated_at,
        domain=custom_domain.domain,
        generate_certificate=custom_domain.generate_certificate,
        use_cdn=custom_domain.use_cdn,
        status=CustomDomainStatus.VALIDATION_PENDING,
    )


router = APIRouter()
for domain_scope in (APPLICATION, CONTAINER):
    add_custom_domain_routes(router, domain_scope)
