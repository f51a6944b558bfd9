from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.core.crypto import SecretCipher
from envplane.core.database import violates
from envplane.core.errors import Conflict, InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.deployment_stage.defaults import default_stage
from envplane.models import Environment, Project, Service
from envplane.service import clone
from envplane.service.kinds import KINDS
from envplane.service.kinds.base import Kind, ServiceType, builtin_name
from envplane.service.repository import service_repository as repository
from envplane.service.schemas import CloneServiceRequest
from envplane.variable.builtins import sync_service_builtins

log = get_logger(__name__)

NAME_INDEX = "uq_services_environment_id_name"


@dataclass(frozen=True)
class ServiceView:
    """A service with the environment and project it belongs to."""

    service: Service
    environment: Environment
    project: Project


class ServiceService:
    """The rules every kind of service follows; what differs between kinds is
    asked of their ``Kind``."""

    def list(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        *,
        kinds: builtins.list[Kind],
    ) -> builtins.list[Service]:
        environment, _ = self._environment(
            session, principal, environment_id, Permission.READ
        )
        types = [kind.service_type.value for kind in kinds]
        return list(
            repository.list_by_environment(session, environment.id, kinds=types)
        )

    @contextmanager
    def answering(
        self, session: Session, services: Sequence[Service]
    ) -> Iterator[None]:
        """Hold in the session, while answers about ``services`` are shaped,
        the registries and helm repositories they show, read for all of them
        at once rather than one lookup per service. The session keeps a loaded
        object only while something references it, hence this block."""
        named = [
            item
            for service in services
            for item in KINDS[ServiceType(service.kind)].named(service)
        ]
        records = repository.list_named(session, named)
        try:
            yield
        finally:
            del records

    def get(
        self,
        session: Session,
        principal: Principal,
        service_id: uuid.UUID,
        *,
        kind: Kind,
        permission: Permission = Permission.READ,
    ) -> ServiceView:
        row = repository.get_by_id(session, service_id, kind=kind.service_type)
        if row is None:
            raise NotFound.resource(kind.resource, service_id)
        service, environment, project = row
        auth_service.authorize(
            session,
            principal,
            project.organization_id,
            permission,
            resource=(kind.resource, service_id),
        )
        return ServiceView(service, environment, project)

    def create(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        *,
        kind: Kind,
        request: BaseModel,
        cipher: SecretCipher,
    ) -> Service:
        environment, project = self._environment(
            session, principal, environment_id, Permission.WRITE
        )
        name = _checked_name(getattr(request, "name", ""))
        configuration = kind.configuration(request, cipher=cipher)
        kind.check(
            session,
            organization_id=project.organization_id,
            configuration=configuration,
        )

        service = Service(
            environment_id=environment.id,
            kind=kind.service_type.value,
            name=name,
            configuration=configuration,
            deployment_stage_id=default_stage(
                session, environment.id, kind.service_type
            ).id,
        )
        session.add(service)
        with _unique_name(kind, name):
            session.flush()
        sync_service_builtins(
            session, service, kind.builtins(service, cipher=cipher), cipher=cipher
        )
        log.info(
            "service.created",
            service_id=str(service.id),
            kind=service.kind,
            environment_id=str(environment.id),
        )
        return service

    def update(
        self,
        session: Session,
        principal: Principal,
        service_id: uuid.UUID,
        *,
        kind: Kind,
        request: BaseModel,
        cipher: SecretCipher,
    ) -> Service:
        view = self.get(
            session, principal, service_id, kind=kind, permission=Permission.WRITE
        )
        service = view.service
        configuration = kind.edited(service.configuration, request)
        kind.check(
            session,
            organization_id=view.project.organization_id,
            configuration=configuration,
        )

        name = getattr(request, "name", None)
        if name is not None:
            service.name = _checked_name(name)
        service.configuration = configuration
        with _unique_name(kind, service.name):
            session.flush()
        sync_service_builtins(
            session, service, kind.builtins(service, cipher=cipher), cipher=cipher
        )
        log.info("service.updated", service_id=str(service.id), kind=service.kind)
        return service

    def delete(
        self,
        session: Session,
        principal: Principal,
        service_id: uuid.UUID,
        *,
        kind: Kind,
    ) -> None:
        """Delete a service; the database removes its variables and secrets,
        built-ins included, every alias and override derived from them, and its
        custom domains."""
        view = self.get(
            session, principal, service_id, kind=kind, permission=Permission.WRITE
        )
        session.delete(view.service)
        session.flush()
        log.info("service.deleted", service_id=str(service_id), kind=kind.resource)

    def clone(
        self,
        session: Session,
        principal: Principal,
        service_id: uuid.UUID,
        *,
        kind: Kind,
        request: CloneServiceRequest,
        cipher: SecretCipher,
    ) -> Service:
        source = self.get(
            session, principal, service_id, kind=kind, permission=Permission.WRITE
        )
        target, target_project = self._environment(
            session, principal, request.environment_id, Permission.WRITE
        )
        if target_project.organization_id != source.project.organization_id:
            raise NotFound.resource("environment", request.environment_id)

        name = _checked_name(request.name)
        with _unique_name(kind, name):
            return clone.clone_service(
                session,
                kind=kind,
                source=source.service,
                target=target,
                name=name,
                cipher=cipher,
            )

    def _environment(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        permission: Permission,
    ) -> tuple[Environment, Project]:
        row = repository.get_environment(session, environment_id)
        if row is None:
            raise NotFound.resource("environment", environment_id)
        environment, project = row
        auth_service.authorize(
            session,
            principal,
            project.organization_id,
            permission,
            resource=("environment", environment_id),
        )
        return environment, project


def _checked_name(name: str) -> str:
    # Built-in variable keys are derived from the name.
    if not builtin_name(name):
        raise InvalidInput.field(
            ("body", "name"),
            "a service name needs at least one letter or digit, since its "
            "built-in variables are named after it",
        )
    return name


@contextmanager
def _unique_name(kind: Kind, name: str) -> Iterator[None]:
    try:
        yield
    except IntegrityError as error:
        if violates(error, NAME_INDEX):
            raise Conflict(
                f"a service named {name!r} already exists in this environment "
                "(names are compared without regard to case, across applications, "
                f"containers, databases, jobs and helm charts); choose another name "
                f"for this {kind.resource}"
            ) from error
        raise


service_service = ServiceService()
