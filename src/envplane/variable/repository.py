import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session, aliased

from envplane.models import Environment, Project, Variable
from envplane.variable.scopes import Owner, VariableScope, VariableType


class Entry(NamedTuple):
    """A variable or secret with the entry it aliases or overrides, if any."""

    variable: Variable
    parent: Variable | None


class VariableRepository:
    def get_project_owner(
        self, session: Session, project_id: uuid.UUID
    ) -> Owner | None:
        project = session.get(Project, project_id)
        if project is None:
            return None
        return Owner(
            id=project.id,
            scope=VariableScope.PROJECT,
            organization_id=project.organization_id,
            project_id=project.id,
            environment_id=None,
            visible_owner_ids=(project.id,),
        )

    def get_environment_owner(
        self, session: Session, environment_id: uuid.UUID
    ) -> Owner | None:
        statement = (
            select(Environment.project_id, Project.organization_id)
            .join(Project, Project.id == Environment.project_id)
            .where(Environment.id == environment_id)
        )
        row = session.execute(statement).one_or_none()
        if row is None:
            return None
        project_id, organization_id = row
        return Owner(
            id=environment_id,
            scope=VariableScope.ENVIRONMENT,
            organization_id=organization_id,
            project_id=project_id,
            environment_id=environment_id,
            visible_owner_ids=(project_id, environment_id),
        )

    def get_entry(self, session: Session, variable_id: uuid.UUID) -> Entry | None:
        parent = aliased(Variable)
        statement = (
            select(Variable, parent)
            .outerjoin(parent, parent.id == Variable.parent_id)
            .where(Variable.id == variable_id)
        )
        row = session.execute(statement).one_or_none()
        return Entry(*row) if row is not None else None

    def get_by_id(self, session: Session, variable_id: uuid.UUID) -> Variable | None:
        return session.get(Variable, variable_id)

    def get_by_key(
        self, session: Session, owner_id: uuid.UUID, key: str
    ) -> Variable | None:
        """The entry of ``key`` the owner defines itself (built-ins aside)."""
        statement = select(Variable).where(
            Variable.owner_id == owner_id,
            Variable.scope != VariableScope.BUILT_IN,
            Variable.key == key,
        )
        return session.scalars(statement).one_or_none()

    def rename_overrides(
        self, session: Session, parent_id: uuid.UUID, key: str
    ) -> None:
        statement = (
            update(Variable)
            .where(
                Variable.parent_id == parent_id,
                Variable.variable_type == VariableType.OVERRIDE,
            )
            .values(key=key)
        )
        session.execute(statement)

    def list_visible(
        self, session: Session, owner_ids: Sequence[uuid.UUID], *, secret: bool
    ) -> list[Entry]:
        """Entries of these owners, broadest scope first, then by key."""
        parent = aliased(Variable)
        scope_rank = case(
            {scope.value: scope.rank for scope in VariableScope},
            value=Variable.scope,
            else_=len(VariableScope),
        )
        statement = (
            select(Variable, parent)
            .outerjoin(parent, parent.id == Variable.parent_id)
            .where(Variable.owner_id.in_(owner_ids), Variable.is_secret == secret)
            .order_by(scope_rank, Variable.key, Variable.id)
        )
        return [Entry(*row) for row in session.execute(statement)]


variable_repository = VariableRepository()
