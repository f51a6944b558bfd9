import uuid
from collections.abc import Sequence

from sqlalchemy import Row, and_, bindparam, select
from sqlalchemy.orm import Session

from envplane.models import Cluster, Environment, Membership, Project


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

    def list_by_project(
        self, session: Session, project_id: uuid.UUID
    ) -> Sequence[Row[Environment, Cluster]]:
        statement = (
            select(Environment, Cluster)
            .join(Cluster, Cluster.id == Environment.cluster_id)
            .where(Environment.project_id == project_id)
            .order_by(Environment.created_at, Environment.id)
        )
        return session.execute(statement).all()

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


# Built once: every request about an environment reads it so.
_WITH_ROLE = (
    select(Environment, Project, Cluster, Membership.role)
    .join(Project, Project.id == Environment.project_id)
    .join(Cluster, Cluster.id == Environment.cluster_id)
    .outerjoin(
        Membership,
        and_(
            Membership.organization_id == Project.organization_id,
            Membership.user_id == bindparam("user_id"),
        ),
    )
    .where(Environment.id == bindparam("environment_id"))
)

environment_repository = EnvironmentRepository()
