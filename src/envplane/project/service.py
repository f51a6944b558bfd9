from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission
from envplane.auth.service import auth_service
from envplane.core.database import violates
from envplane.core.errors import Conflict, NotFound
from envplane.core.logging import get_logger
from envplane.models import Project
from envplane.project.repository import project_repository as repository
from envplane.project.schemas import ProjectRequest
from envplane.variable.builtins import project_builtins

log = get_logger(__name__)


@dataclass(frozen=True)
class ProjectView:
    project: Project
    environment_count: int


class ProjectService:
    def list(
        self, session: Session, principal: Principal, organization_id: uuid.UUID
    ) -> builtins.list[ProjectView]:
        auth_service.authorize(
            session,
            principal,
            organization_id,
            Permission.READ,
            resource=("organization", organization_id),
        )
        rows = repository.list_by_organization(session, organization_id)
        return [ProjectView(project, count) for project, count in rows]

    def get(
        self,
        session: Session,
        principal: Principal,
        project_id: uuid.UUID,
        *,
        permission: Permission = Permission.READ,
    ) -> ProjectView:
        row = repository.get_by_id(session, project_id)
        if row is None:
            raise NotFound.resource("project", project_id)
        project, count = row
        auth_service.authorize(
            session,
            principal,
            project.organization_id,
            permission,
            resource=("project", project_id),
        )
        return ProjectView(project, count)

    def create(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        request: ProjectRequest,
    ) -> ProjectView:
        auth_service.authorize(
            session,
            principal,
            organization_id,
            Permission.MANAGE,
            resource=("organization", organization_id),
        )

        project = Project(
            organization_id=organization_id,
            name=request.name,
            description=request.description,
        )
        session.add(project)
        self._flush_name(session, request.name)
        session.add_all(project_builtins(project))
        session.flush()
        log.info(
            "project.created",
            organization_id=str(organization_id),
            project_id=str(project.id),
        )
        return ProjectView(project, environment_count=0)

    def update(
        self,
        session: Session,
        principal: Principal,
        project_id: uuid.UUID,
        *,
        request: ProjectRequest,
    ) -> ProjectView:
        view = self.get(session, principal, project_id, permission=Permission.MANAGE)

        view.project.name = request.name
        view.project.description = request.description
        self._flush_name(session, request.name)
        log.info("project.updated", project_id=str(project_id))
        return view

    def delete(
        self, session: Session, principal: Principal, project_id: uuid.UUID
    ) -> None:
        """Delete a project; its environments and variables go with it by
        foreign-key cascade."""
        view = self.get(session, principal, project_id, permission=Permission.MANAGE)

        session.delete(view.project)
        session.flush()
        log.info(
            "project.deleted",
            project_id=str(project_id),
            environments_deleted=view.environment_count,
        )

    def _flush_name(self, session: Session, name: str) -> None:
        try:
            session.flush()
        except IntegrityError as error:
            if violates(error, "uq_projects_organization_id_name"):
                raise Conflict(
                    f"project name {name!r} is already taken in this organization"
                ) from error
            raise


project_service = ProjectService()
