from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.core.crypto import SecretCipher
from envplane.core.database import violates
from envplane.core.errors import Conflict, InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.deployment_stage.defaults import initial_stages
from envplane.environment import clone
from envplane.environment.repository import EnvironmentRecord
from envplane.environment.repository import environment_repository as repository
from envplane.environment.schemas import (
    CloneEnvironmentRequest,
    CreateEnvironmentRequest,
    EnvironmentEditRequest,
)
from envplane.models import Cluster, Environment, Project
from envplane.variable.builtins import environment_builtins

log = get_logger(__name__)

NAME_INDEX = "uq_environments_project_id_name"


@dataclass(frozen=True)
class EnvironmentView:
    """An environment with the project and cluster its answers mention."""

    environment: Environment
    project: Project
    cluster: Cluster

    @property
    def record(self) -> EnvironmentRecord:
        """What its answer shows, as ``EnvironmentService.read`` reads it."""
        environment, cluster = self.environment, self.cluster
        return EnvironmentRecord(
            id=environment.id,
            created_at=environment.created_at,
            updated_at=environment.updated_at,
            name=environment.name,
            mode=environment.mode,
            last_updated_by=environment.last_updated_by,
            project_id=self.project.id,
            organization_id=self.project.organization_id,
            cluster_id=cluster.id,
            cluster_name=cluster.name,
            cloud_provider=cluster.cloud_provider,
            region=cluster.region,
        )


class EnvironmentService:
    def list(
        self, session: Session, principal: Principal, project_id: uuid.UUID
    ) -> builtins.list[EnvironmentRecord]:
        project = self._project(session, principal, project_id, Permission.READ)
        return repository.list_by_project(session, project.id)

    def read(
        self, session: Session, principal: Principal, environment_id: uuid.UUID
    ) -> EnvironmentRecord:
        """The environment as its answer shows it, for a caller who may read it."""
        found = repository.read_by_id(
            session, environment_id, user_id=principal.user_id
        )
        if found is None:
            raise NotFound.resource("environment", environment_id)
        record, membership_role = found
        auth_service.authorize_member(
            principal,
            record.organization_id,
            Permission.READ,
            membership_role=membership_role,
            resource=("environment", environment_id),
        )
        return record

    def get(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        *,
        permission: Permission = Permission.READ,
    ) -> EnvironmentView:
        row = repository.get_by_id(session, environment_id, user_id=principal.user_id)
        if row is None:
            raise NotFound.resource("environment", environment_id)
        environment, project, cluster, membership_role = row
        auth_service.authorize_member(
            principal,
            project.organization_id,
            permission,
            membership_role=membership_role,
            resource=("environment", environment_id),
        )
        return EnvironmentView(environment, project, cluster)

    def create(
        self,
        session: Session,
        principal: Principal,
        project_id: uuid.UUID,
        *,
        request: CreateEnvironmentRequest,
    ) -> EnvironmentView:
        project = self._project(session, principal, project_id, Permission.WRITE)
        cluster = self._cluster(session, project.organization_id, request.cluster)

        environment = Environment(
            project_id=project.id,
            cluster_id=cluster.id,
            name=request.name,
            mode=request.mode,
            last_updated_by=principal.user_id,
        )
        session.add(environment)
        _flush_name(session, request.name)
        session.add_all(environment_builtins(environment))
        session.add_all(initial_stages(environment))
        session.flush()
        log.info(
            "environment.created",
            environment_id=str(environment.id),
            project_id=str(project.id),
        )
        return EnvironmentView(environment, project, cluster)

    def update(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        *,
        request: EnvironmentEditRequest,
    ) -> EnvironmentView:
        view = self.get(
            session, principal, environment_id, permission=Permission.MANAGE
        )
        environment = view.environment
        if request.name is not None:
            environment.name = request.name
        if request.mode is not None:
            environment.mode = request.mode
        environment.last_updated_by = principal.user_id
        _flush_name(session, environment.name)
        log.info("environment.updated", environment_id=str(environment_id))
        return view

    def delete(
        self, session: Session, principal: Principal, environment_id: uuid.UUID
    ) -> None:
        view = self.get(
            session, principal, environment_id, permission=Permission.MANAGE
        )
        session.delete(view.environment)
        session.flush()
        log.info("environment.deleted", environment_id=str(environment_id))

    def clone(
        self,
        session: Session,
        principal: Principal,
        environment_id: uuid.UUID,
        *,
        request: CloneEnvironmentRequest,
        cipher: SecretCipher,
    ) -> EnvironmentView:
        source = self.get(
            session, principal, environment_id, permission=Permission.WRITE
        )
        organization_id = source.project.organization_id
        target_project = source.project
        if request.project_id is not None and request.project_id != source.project.id:
            target_project = self._project(
                session, principal, request.project_id, Permission.WRITE
            )
            if target_project.organization_id != organization_id:
                raise NotFound.resource("project", request.project_id)
        cluster = source.cluster
        if request.cluster_id is not None:
            cluster = self._cluster(session, organization_id, request.cluster_id)

        try:
            copy = clone.clone_environment(
                session,
                source=source.environment,
                source_project_id=source.project.id,
                target_project_id=target_project.id,
                cluster_id=cluster.id,
                name=request.name,
                mode=request.mode or source.environment.mode,
                user_id=principal.user_id,
                cipher=cipher,
            )
        except IntegrityError as error:
            if violates(error, NAME_INDEX):
                raise _name_taken(request.name) from error
            raise
        return EnvironmentView(copy, target_project, cluster)

    def _project(
        self,
        session: Session,
        principal: Principal,
        project_id: uuid.UUID,
        permission: Permission,
    ) -> Project:
        project = repository.get_project(session, project_id)
        if project is None:
            raise NotFound.resource("project", project_id)
        auth_service.authorize(
            session,
            principal,
            project.organization_id,
            permission,
            resource=("project", project_id),
        )
        return project

    def _cluster(
        self, session: Session, organization_id: uuid.UUID, cluster_id: uuid.UUID | None
    ) -> Cluster:
        if cluster_id is None:
            cluster = repository.get_default_cluster(session, organization_id)
            if cluster is None:
                raise InvalidInput.field(
                    ("body", "cluster"),
                    "the organization has no cluster yet; create one first",
                )
            return cluster
        cluster = repository.get_cluster(session, cluster_id)
        if cluster is None or cluster.organization_id != organization_id:
            raise NotFound.resource("cluster", cluster_id)
        return cluster


def _flush_name(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        if violates(error, NAME_INDEX):
            raise _name_taken(name) from error
        raise


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"an environment named {name!r} already exists in this project "
        "(names are compared without regard to case); choose another name"
    )


environment_service = EnvironmentService()
