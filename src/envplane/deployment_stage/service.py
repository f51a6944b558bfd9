from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.core.database import violates
from envplane.core.errors import InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.deployment_stage.repository import (
    deployment_stage_repository as repository,
)
from envplane.deployment_stage.schemas import (
    AttachServiceToDeploymentStageRequest,
    DeploymentStageRequest,
)
from envplane.models import DeploymentStage, Environment, Service

log = get_logger(__name__)

NAME_INDEX = "uq_deployment_stages_environment_id_name"


@dataclass(frozen=True)
class StageView:
    """A stage with the services it holds, which every answer about it lists."""

    stage: DeploymentStage
    services: Sequence[Service]


class DeploymentStageService:
    """Stages order an environment's deployment. Their positions run from 0
    without gaps; every change to the order holds the environment's lock."""

    def list(
        self, session: Session, principal: Principal, environment_id: uuid.UUID
    ) -> builtins.list[StageView]:
        environment = self._environment(
            session, principal, environment_id, Permission.READ
        )
        return self._views(session, environment.id)

    def get(
        self, session: Session, principal: Principal, stage_id: uuid.UUID
    ) -> StageView:
        stage, _ = self._stage(session, principal, stage_id, Permission.READ)
        return self._view(session, stage)

    def get_for_service(
        self, session: Session, principal: Principal, service_id: uuid.UUID
    ) -> StageView:
        row = repository.get_service(session, service_id)
        if row is None:
            raise NotFound.resource("service", service_id)
        service, organization_id = row
        auth_service.authorize(
            session,
            principal,
            organization_id,
            Permission.READ,
            resource=("service", service_id),
        )

        stage_row = None
        if service.deployment_stage_id is not None:
            stage_row = repository.get_by_id(session, service.deployment_stage_id)
        if stage_row is None:
            raise NotFound(
                f"service {service_id} is in no deployment stage; attach it with "
                f"PUT /deploymentStage/{{deploymentStageId}}/service/{service_id}"
            )
        return self._view(session, stage_row[0])

    def create(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        *,
        request: DeploymentStageRequest,
    ) -> StageView:
        environment = self._environment(
            session, principal, environment_id, Permission.WRITE
        )

        repository.lock_environment(session, environment.id)
        stage = DeploymentStage(
            environment_id=environment.id,
            name=request.name,
            description=request.description,
            position=repository.count(session, environment.id),
        )
        session.add(stage)
        _flush_name(session, request.name)
        log.info(
            "deployment_stage.created",
            deployment_stage_id=str(stage.id),
            environment_id=str(environment.id),
        )
        return StageView(stage, [])

    def update(
        self,
        session: Session,
        principal: Principal,
        stage_id: uuid.UUID,
        *,
        request: DeploymentStageRequest,
    ) -> StageView:
        stage, _ = self._stage(session, principal, stage_id, Permission.WRITE)

        stage.name = request.name
        stage.description = request.description
        _flush_name(session, request.name)
        log.info("deployment_stage.updated", deployment_stage_id=str(stage_id))
        return self._view(session, stage)

    def delete(
        self, session: Session, principal: Principal, stage_id: uuid.UUID
    ) -> None:
        """Delete an empty stage and close the gap it leaves in the order.

        A stage that still holds services is refused, as the official API does:
        deleting it would silently take them out of the deployment order.
        """
        stage, _ = self._stage(session, principal, stage_id, Permission.WRITE)

        self._lock(session, stage)
        if repository.has_services(session, stage.id):
            raise InvalidInput(
                f"deployment stage {stage_id} still holds services; attach them to "
                "another stage of the environment first, then delete it"
            )
        environment_id, position = stage.environment_id, stage.position
        session.delete(stage)
        session.flush()
        repository.close_gap(session, environment_id, position=position)
        log.info("deployment_stage.deleted", deployment_stage_id=str(stage_id))

    def attach_service(
        self,
        session: Session,
        principal: Principal,
        stage_id: uuid.UUID,
        service_id: uuid.UUID,
        *,
        request: AttachServiceToDeploymentStageRequest,
    ) -> builtins.list[StageView]:
        """Move a service into a stage; it leaves the stage it was in."""
        stage, organization_id = self._stage(
            session, principal, stage_id, Permission.WRITE
        )
        row = repository.get_service(session, service_id)
        if row is None or row[1] != organization_id:
            raise NotFound.resource("service", service_id)
        service = row[0]
        if service.environment_id != stage.environment_id:
            raise InvalidInput.field(
                ("path", "serviceId"),
                "the service belongs to another environment; attach it to a stage "
                "of its own environment",
            )
        self._lock(session, stage)
        service.deployment_stage_id = stage.id
        service.is_skipped = bool(request.is_skipped)
        session.flush()
        log.info(
            "deployment_stage.service_attached",
            deployment_stage_id=str(stage_id),
            service_id=str(service_id),
        )
        return self._views(session, stage.environment_id)

    def move(
        self,
        session: Session,
        principal: Principal,
        stage_id: uuid.UUID,
        target_id: uuid.UUID,
        *,
        after: bool,
    ) -> builtins.list[StageView]:
        """Move a stage right before (or after) another stage of its environment.
        Moving a stage next to itself changes nothing."""
        stage, organization_id = self._stage(
            session, principal, stage_id, Permission.WRITE
        )
        row = repository.get_by_id(session, target_id)
        if row is None or row[1] != organization_id:
            raise NotFound.resource("deployment stage", target_id)
        target = row[0]
        if target.environment_id != stage.environment_id:
            raise InvalidInput.field(
                ("path", "stageId"),
                "that stage belongs to another environment; stages only move among "
                "the stages of their own environment",
            )

        self._lock(session, stage, target)
        if target.id != stage.id:
            # Taking the stage out first shifts every later stage back by one.
            to = target.position + int(after) - int(stage.position < target.position)
            repository.move(session, stage, to=to)
        log.info(
            "deployment_stage.moved",
            deployment_stage_id=str(stage_id),
            position=stage.position,
        )
        return self._views(session, stage.environment_id)

    def _environment(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        permission: Permission,
    ) -> Environment:
        row = repository.get_environment(session, environment_id)
        if row is None:
            raise NotFound.resource("environment", environment_id)
        environment, organization_id = row
        auth_service.authorize(
            session,
            principal,
            organization_id,
            permission,
            resource=("environment", environment_id),
        )
        return environment

    def _stage(
        self,
        session: Session,
        principal: Principal,
        stage_id: uuid.UUID,
        permission: Permission,
    ) -> tuple[DeploymentStage, uuid.UUID]:
        """The stage and the id of its organization, if the caller may act."""
        row = repository.get_by_id(session, stage_id)
        if row is None:
            raise NotFound.resource("deployment stage", stage_id)
        stage, organization_id = row
        auth_service.authorize(
            session,
            principal,
            organization_id,
            permission,
            resource=("deployment stage", stage_id),
        )
        return stage, organization_id

    def _lock(self, session: Session, *stages: DeploymentStage) -> None:
        """Take the environment's lock, then re-read the stages' positions,
        which a request holding it before may have changed."""
        repository.lock_environment(session, stages[0].environment_id)
        found = repository.reload(session, [stage.id for stage in stages])
        for stage in stages:
            if stage not in found:
                raise NotFound.resource("deployment stage", stage.id)

    def _view(self, session: Session, stage: DeploymentStage) -> StageView:
        return StageView(stage, repository.list_services(session, [stage.id]))

    def _views(
        self, session: Session, environment_id: uuid.UUID
    ) -> builtins.list[StageView]:
        """Every stage of the environment in order, with two queries in all."""
        stages = repository.list_by_environment(session, environment_id)
        services: dict[uuid.UUID | None, builtins.list[Service]] = {}
        for service in repository.list_services(session, [s.id for s in stages]):
            services.setdefault(service.deployment_stage_id, []).append(service)
        return [StageView(stage, services.get(stage.id, [])) for stage in stages]


def _flush_name(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        if violates(error, NAME_INDEX):
            raise InvalidInput.field(
                ("body", "name"),
                f"a deployment stage named {name!r} already exists in this "
                "environment (names are compared without regard to case); "
                "choose another name",
            ) from error
        raise


deployment_stage_service = DeploymentStageService()
