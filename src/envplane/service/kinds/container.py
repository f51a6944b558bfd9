"""Containers: an image pulled from one of the organization's registries, run."""

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session, object_session

from envplane.core.crypto import SecretCipher
from envplane.core.schemas import Name
from envplane.models import ContainerRegistry, Service
from envplane.service.kinds import workload
from envplane.service.kinds.base import (
    BuiltIn,
    Kind,
    Named,
    ServiceType,
    builtin_name,
    require_owned,
)
from envplane.service.schemas import MAXIMUM_GPU, ServiceRequest, Text
from envplane.variable.builtins import internal_host


class ContainerConfiguration(ServiceRequest):
    """Everything a container stores; its requests add the name."""

    registry_id: uuid.UUID
    image_name: Text
    tag: Text


class ContainerRequest(ContainerConfiguration):
    """Both for creation and for edits, which send the whole container."""

    name: Name


class ContainerKind(Kind):
    service_type = ServiceType.CONTAINER
    resource = "container"
    id_parameter = "containerId"
    create_request = ContainerRequest
    edit_request = ContainerRequest

    def configuration(
        self, request: BaseModel, *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return workload.stored(request, exclude={"name"})

    def edited(self, current: dict[str, Any], request: BaseModel) -> dict[str, Any]:
        # The edit request is a whole container: what it leaves out is reset to
        # its default, as on creation, but ports and volumes keep their ids.
        return workload.stored(request, exclude={"name"})

    def copied(
        self, configuration: dict[str, Any], *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return workload.with_fresh_ids(configuration)

    def check(
        self,
        session: Session,
        *,
        organization_id: uuid.UUID,
        configuration: dict[str, Any],
    ) -> None:
        require_owned(
            session,
            ContainerRegistry,
            configuration["registry_id"],
            organization_id=organization_id,
            resource="container registry",
        )

    def answer(self, service: Service) -> dict[str, Any]:
        configuration = service.configuration
        registry_id = configuration["registry_id"]
        return workload.answer(
            service,
            self.service_type,
            maximum_gpu=MAXIMUM_GPU,
            image_name=configuration["image_name"],
            tag=configuration["tag"],
            registry_id=registry_id,
            registry=_registry(service, uuid.UUID(registry_id)),
            icon_uri=configuration.get("icon_uri", "app://qovery-console/container"),
        )

    def named(self, service: Service) -> list[Named]:
        return [(ContainerRegistry, uuid.UUID(service.configuration["registry_id"]))]

    def builtins(self, service: Service, *, cipher: SecretCipher) -> list[BuiltIn]:
        name = builtin_name(service.name)
        return [
            BuiltIn(f"QOVERY_CONTAINER_{name}_HOST_INTERNAL", internal_host(service))
        ]


def _registry(service: Service, registry_id: uuid.UUID) -> dict[str, Any]:
    """``ContainerRegistryProviderDetailsResponse``, read through the session the
    service was loaded with; the identity map reads each registry once."""
    session = object_session(service)
    registry = session.get(ContainerRegistry, registry_id) if session else None
    if registry is None:
        # TODO(registry): the registry API refuses to delete a registry in use,
        # but not one a container names in a transaction still running (see
        # RegistryService.delete); such a container names a registry that is
        # gone, and its answer shows the id alone.
        return {"id": registry_id, "name": "", "url": "", "kind": "GENERIC_CR"}
    return {
        "id": registry.id,
        "name": registry.name,
        "url": registry.url or "",
        "kind": registry.kind,
    }
