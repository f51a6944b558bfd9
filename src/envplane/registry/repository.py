import uuid
from collections.abc import Collection, Sequence
from typing import TypeVar

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from envplane.models import (
    ContainerRegistry,
    Environment,
    HelmRepository,
    Organization,
    Project,
    Service,
)

RecordT = TypeVar("RecordT", ContainerRegistry, HelmRepository)

# Where a service's configuration names the registry it uses: the kind of
# service, and the path to the id inside its JSON.
Reference = tuple[str, tuple[str, ...]]


class RegistryRepository:
    def list_by_organization(
        self, session: Session, model: type[RecordT], organization_id: uuid.UUID
    ) -> Sequence[RecordT]:
        statement = (
            select(model)
            .where(model.organization_id == organization_id)
            .order_by(model.created_at, model.id)
        )
        return session.scalars(statement).all()

    def get_by_id(
        self,
        session: Session,
        model: type[RecordT],
        organization_id: uuid.UUID,
        record_id: uuid.UUID,
    ) -> RecordT | None:
        record = session.get(model, record_id)
        if record is None or record.organization_id != organization_id:
            return None
        return record

    def lock_names(self, session: Session, organization_id: uuid.UUID) -> None:
        """Serialize writers of the organization's registry names until commit,
        which a check-then-write needs. ``FOR NO KEY UPDATE`` leaves alone the
        key-share locks other tables' foreign keys take on the organization;
        SQLite needs nothing, its writers already queue."""
        session.execute(
            select(Organization.id)
            .where(Organization.id == organization_id)
            .with_for_update(key_share=True)
        )

    def name_taken(
        self,
        session: Session,
        model: type[RecordT],
        organization_id: uuid.UUID,
        name: str,
        *,
        excluding: uuid.UUID | None = None,
    ) -> bool:
        condition = exists().where(
            model.organization_id == organization_id,
            func.lower(model.name) == func.lower(name),
        )
        if excluding is not None:
            condition = condition.where(model.id != excluding)
        return bool(session.scalar(select(condition)))

    def count_services(
        self,
        session: Session,
        organization_id: uuid.UUID,
        references: Sequence[Reference],
        record_ids: Collection[uuid.UUID],
    ) -> dict[uuid.UUID, int]:
        """How many services of the organization use each of ``record_ids``."""
        if not record_ids:
            return {}
        target = case(
            *(
                (Service.kind == kind, Service.configuration[path].as_string())
                for kind, path in references
            )
        )
        # Grouped through a subquery: PostgreSQL would not match the select
        # and GROUP BY copies of an expression carrying bound parameters.
        used = (
            select(func.lower(target).label("target"))
            .join(Environment, Environment.id == Service.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .where(
                Project.organization_id == organization_id,
                Service.kind.in_([kind for kind, _ in references]),
            )
            .subquery()
        )
        statement = (
            select(used.c.target, func.count())
            .where(used.c.target.in_([str(record_id) for record_id in record_ids]))
            .group_by(used.c.target)
        )
        return {
            uuid.UUID(target): count for target, count in session.execute(statement)
        }


registry_repository = RegistryRepository()
