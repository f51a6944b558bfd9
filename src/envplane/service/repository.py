import uuid
from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from envplane.models import Environment, Project, Service


class ServiceRepository:
    """Services are read with their environment and project, which authorization
    (the organization) and clone (the project) need."""

    def get_by_id(
        self, session: Session, service_id: uuid.UUID, *, kind: str
    ) -> Row[Service, Environment, Project] | None:
        statement = (
            select(Service, Environment, Project)
            .join(Environment, Environment.id == Service.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .where(Service.id == service_id, Service.kind == kind)
        )
        return session.execute(statement).one_or_none()

    def get_environment(
        self, session: Session, environment_id: uuid.UUID
    ) -> Row[Environment, Project] | None:
        statement = (
            select(Environment, Project)
            .join(Project, Project.id == Environment.project_id)
            .where(Environment.id == environment_id)
        )
        return session.execute(statement).one_or_none()

    def list_by_environment(
        self, session: Session, environment_id: uuid.UUID, *, kinds: Sequence[str]
    ) -> Sequence[Service]:
        statement = (
            select(Service)
            .where(Service.environment_id == environment_id, Service.kind.in_(kinds))
            .order_by(Service.created_at, Service.id)
        )
        return session.scalars(statement).all()


service_repository = ServiceRepository()
