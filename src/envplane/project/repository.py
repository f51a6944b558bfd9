import uuid
from collections.abc import Sequence

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from envplane.models import Environment, Project


class ProjectRepository:
    def list_by_organization(
        self, session: Session, organization_id: uuid.UUID
    ) -> Sequence[Row[Project, int]]:
        statement = (
            _with_environment_count()
            .where(Project.organization_id == organization_id)
            .order_by(Project.created_at, Project.id)
        )
        return session.execute(statement).all()

    def get_by_id(
        self, session: Session, project_id: uuid.UUID
    ) -> Row[Project, int] | None:
        statement = _with_environment_count().where(Project.id == project_id)
        return session.execute(statement).one_or_none()


def _with_environment_count() -> Select[Project, int]:
    """Projects with the number of their environments, counted in the same
    grouped query however many projects it returns."""
    return (
        select(Project, func.count(Environment.id))
        .outerjoin(Environment, Environment.project_id == Project.id)
        .group_by(Project.id)
    )


project_repository = ProjectRepository()
