import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from envplane.models import (
    ContainerRegistry,
    Environment,
    HelmRepository,
    Project,
    Service,
)
from envplane.service.kinds.base import Named


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

    def list_named(
        self, session: Session, named: Iterable[Named]
    ) -> list[ContainerRegistry | HelmRepository]:
        """The registries and helm repositories ``named`` lists, with one
        statement per table however many services name them."""
        ids: dict[type[ContainerRegistry] | type[HelmRepository], set[uuid.UUID]] = {}
        for model, record_id in named:
            ids.setdefault(model, set()).add(record_id)
        records: list[ContainerRegistry | HelmRepository] = []
        for model, record_ids in ids.items():
            statement = select(model).where(model.id.in_(record_ids))
            records.extend(session.scalars(statement))
        return records


service_repository = ServiceRepository()
