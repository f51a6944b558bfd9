import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session

from envplane.auth.service import CALLER_MEMBERSHIP
from envplane.models import Cluster, Environment, Membership, Project


class EnvironmentRecord(NamedTuple):
    """What answers show of an environment, read as plain columns with the
    fields of its project and cluster they mention."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime | None
    name: str
    mode: str
    last_updated_by: uuid.UUID | None
    project_id: uuid.UUID
    organization_id: uuid.UUID
    cluster_id: uuid.UUID
    cluster_name: str
    cloud_provider: str
    region: str


class EnvironmentRepository:
    """Environments are read together with their project and cluster, which
    every answer about them needs."""

    def get_by_id(
        self, session: Session, environment_id: uuid.UUID, *, user_id: uuid.UUID
    ) -> Row[Environment, Project, Cluster, str | None] | None:
        """The environment, its project and cluster, and the role of
        ``user_id``'s membership in the organization (``None`` if not a
        member): reading the environment is also what authorizes it."""
        parameters = {"environment_id": environment_id, "user_id": user_id}
        return session.execute(_WITH_ROLE, parameters).one_or_none()

    def read_by_id(
        self, session: Session, environment_id: uuid.UUID, *, user_id: uuid.UUID
    ) -> tuple[EnvironmentRecord, str | None] | None:
        """``get_by_id`` for a read that only answers: the record, and the
        role of ``user_id``'s membership (``None`` if not a member)."""
        parameters = {"environment_id": environment_id, "user_id": user_id}
        row = session.execute(_RECORD_WITH_ROLE, parameters).one_or_none()
        if row is None:
            return None
        *fields, role = row
        return EnvironmentRecord(*fields), role

    def list_by_project(
        self, session: Session, project_id: uuid.UUID
    ) -> list[EnvironmentRecord]:
        rows = session.execute(_PROJECT_RECORDS, {"project_id": project_id})
        return [EnvironmentRecord(*row) for row in rows]

    def get_project(self, session: Session, project_id: uuid.UUID) -> Project | None:
        return session.get(Project, project_id)

    def get_cluster(self, session: Session, cluster_id: uuid.UUID) -> Cluster | None:
        return session.get(Cluster, cluster_id)

    def get_default_cluster(
        self, session: Session, organization_id: uuid.UUID
    ) -> Cluster | None:
        """The organization's first cluster, where environments land by default."""
        statement = (
            select(Cluster)
            .where(Cluster.organization_id == organization_id)
            .order_by(Cluster.created_at, Cluster.id)
            .limit(1)
        )
        return session.scalar(statement)


# Built once, as every request about an environment reads it.
_WITH_ROLE = (
    select(Environment, Project, Cluster, Membership.role)
    .join(Project, Project.id == Environment.project_id)
    .join(Cluster, Cluster.id == Environment.cluster_id)
    .outerjoin(Membership, CALLER_MEMBERSHIP)
    .where(Environment.id == bindparam("environment_id"))
)


def _records() -> Select[*tuple[Any, ...]]:
    """The columns of ``EnvironmentRecord``, in its order."""
    return (
        select(
            Environment.id,
            Environment.created_at,
            Environment.updated_at,
            Environment.name,
            Environment.mode,
            Environment.last_updated_by,
            Environment.project_id,
            Project.organization_id,
            Environment.cluster_id,
            Cluster.name,
            Cluster.cloud_provider,
            Cluster.region,
        )
        .join_from(Environment, Project, Project.id == Environment.project_id)
        .join(Cluster, Cluster.id == Environment.cluster_id)
    )


_RECORD_WITH_ROLE = (
    _records()
    .add_columns(Membership.role)
    .outerjoin(Membership, CALLER_MEMBERSHIP)
    .where(Environment.id == bindparam("environment_id"))
)
_PROJECT_RECORDS = (
    _records()
    .where(Environment.project_id == bindparam("project_id"))
    .order_by(Environment.created_at, Environment.id)
)

environment_repository = EnvironmentRepository()
