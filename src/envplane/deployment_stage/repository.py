import uuid
from collections.abc import Sequence

from sqlalchemy import Row, case, exists, func, select, update
from sqlalchemy.orm import Session

from envplane.models import DeploymentStage, Environment, Project, Service


class DeploymentStageRepository:
    """Stages, environments and services are read with the id of the
    organization that owns them, which every permission check needs."""

    def get_by_id(
        self, session: Session, stage_id: uuid.UUID
    ) -> Row[DeploymentStage, uuid.UUID] | None:
        statement = (
            select(DeploymentStage, Project.organization_id)
            .join(Environment, Environment.id == DeploymentStage.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .where(DeploymentStage.id == stage_id)
        )
        return session.execute(statement).one_or_none()

    def get_environment(
        self, session: Session, environment_id: uuid.UUID
    ) -> Row[Environment, uuid.UUID] | None:
        statement = (
            select(Environment, Project.organization_id)
            .join(Project, Project.id == Environment.project_id)
            .where(Environment.id == environment_id)
        )
        return session.execute(statement).one_or_none()

    def get_service(
        self, session: Session, service_id: uuid.UUID
    ) -> Row[Service, uuid.UUID] | None:
        statement = (
            select(Service, Project.organization_id)
            .join(Environment, Environment.id == Service.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .where(Service.id == service_id)
        )
        return session.execute(statement).one_or_none()

    def lock_environment(self, session: Session, environment_id: uuid.UUID) -> None:
        """Hold the environment's row until the transaction ends, so that two
        requests reordering its stages (or filling them) take turns.

        SQLite ignores FOR UPDATE; its writers already take turns (BEGIN
        IMMEDIATE).
        """
        session.execute(
            select(Environment.id)
            .where(Environment.id == environment_id)
            .with_for_update()
        )

    def reload(
        self, session: Session, stage_ids: Sequence[uuid.UUID]
    ) -> Sequence[DeploymentStage]:
        """The stages as they are now, for positions another transaction may
        have changed before the environment's lock was taken."""
        statement = (
            select(DeploymentStage)
            .where(DeploymentStage.id.in_(stage_ids))
            .execution_options(populate_existing=True)
        )
        return session.scalars(statement).all()

    def list_by_environment(
        self, session: Session, environment_id: uuid.UUID
    ) -> Sequence[DeploymentStage]:
        statement = (
            select(DeploymentStage)
            .where(DeploymentStage.environment_id == environment_id)
            .order_by(DeploymentStage.position, DeploymentStage.id)
        )
        return session.scalars(statement).all()

    def list_services(
        self, session: Session, stage_ids: Sequence[uuid.UUID]
    ) -> Sequence[Service]:
        statement = (
            select(Service)
            .where(Service.deployment_stage_id.in_(stage_ids))
            .order_by(Service.created_at, Service.id)
        )
        return session.scalars(statement).all()

    def count(self, session: Session, environment_id: uuid.UUID) -> int:
        statement = select(func.count()).where(
            DeploymentStage.environment_id == environment_id
        )
        return session.scalar(statement) or 0

    def has_services(self, session: Session, stage_id: uuid.UUID) -> bool:
        statement = select(exists().where(Service.deployment_stage_id == stage_id))
        return bool(session.scalar(statement))

    def move(self, session: Session, stage: DeploymentStage, *, to: int) -> None:
        """Put ``stage`` at position ``to`` in one statement: the stages between
        its old and new place shift by one towards the gap it leaves."""
        start = stage.position
        if to == start:
            return
        step = 1 if to < start else -1
        session.execute(
            update(DeploymentStage)
            .where(
                DeploymentStage.environment_id == stage.environment_id,
                DeploymentStage.position.between(min(start, to), max(start, to)),
            )
            .values(
                position=case(
                    (DeploymentStage.id == stage.id, to),
                    else_=DeploymentStage.position + step,
                )
            )
            .execution_options(synchronize_session="fetch")
        )

    def close_gap(
        self, session: Session, environment_id: uuid.UUID, *, position: int
    ) -> None:
        """Pull the stages after ``position`` back by one, once it is empty."""
        session.execute(
            update(DeploymentStage)
            .where(
                DeploymentStage.environment_id == environment_id,
                DeploymentStage.position > position,
            )
            .values(position=DeploymentStage.position - 1)
            .execution_options(synchronize_session="fetch")
        )


deployment_stage_repository = DeploymentStageRepository()
