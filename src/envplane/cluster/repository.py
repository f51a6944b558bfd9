import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from envplane.models import Cluster, Environment


class ClusterRepository:
    def list_by_organization(
        self, session: Session, organization_id: uuid.UUID
    ) -> Sequence[Cluster]:
        """Oldest first: the first one is the organization's default cluster."""
        statement = (
            select(Cluster)
            .where(Cluster.organization_id == organization_id)
            .order_by(Cluster.created_at, Cluster.id)
        )
        return session.scalars(statement).all()

    def get_by_id(
        self, session: Session, organization_id: uuid.UUID, cluster_id: uuid.UUID
    ) -> Cluster | None:
        cluster = session.get(Cluster, cluster_id)
        if cluster is None or cluster.organization_id != organization_id:
            return None
        return cluster

    def get_default_id(
        self, session: Session, organization_id: uuid.UUID
    ) -> uuid.UUID | None:
        """The organization's oldest cluster, where environments land by default."""
        return session.scalar(
            select(Cluster.id)
            .where(Cluster.organization_id == organization_id)
            .order_by(Cluster.created_at, Cluster.id)
            .limit(1)
        )

    def count_environments(self, session: Session, cluster_id: uuid.UUID) -> int:
        statement = select(func.count()).where(Environment.cluster_id == cluster_id)
        return session.scalar(statement) or 0

    def delete_environments(self, session: Session, cluster_id: uuid.UUID) -> None:
        """Everything below the environments goes with them by foreign-key cascade."""
        session.execute(
            delete(Environment).where(Environment.cluster_id == cluster_id),
            execution_options={"synchronize_session": False},
        )


cluster_repository = ClusterRepository()
