import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, Row, Select, and_, case, or_, select, update
from sqlalchemy.orm import Session, aliased

from envplane.models import Environment, Membership, Project, Service, Variable
from envplane.variable.scopes import (
    LinkedService,
    Owner,
    Resolved,
    VariableScope,
    VariableType,
)


class Entry(NamedTuple):
    """A variable or secret with the entry it aliases or overrides, if any, and
    the service it is tied to, if any."""

    variable: Variable
    parent: Variable | None
    service: LinkedService | None


class VariableRepository:
    # Each owner is read with the role of the caller's membership in its
    # organization (None for an outsider): the read that finds the owner is
    # also the one that authorizes the request.

    def get_project_owner(
        self, session: Session, project_id: uuid.UUID, *, user_id: uuid.UUID
    ) -> Resolved | None:
        statement = (
            select(Project.organization_id, Membership.role)
            .outerjoin(Membership, _membership_of(user_id))
            .where(Project.id == project_id)
        )
        row = session.execute(statement).one_or_none()
        if row is None:
            return None
        organization_id, role = row
        owner = Owner(
            id=project_id,
            scope=VariableScope.PROJECT,
            organization_id=organization_id,
            project_id=project_id,
            environment_id=None,
            visible_owner_ids=(project_id,),
        )
        return Resolved(owner, role)

    def get_environment_owner(
        self, session: Session, environment_id: uuid.UUID, *, user_id: uuid.UUID
    ) -> Resolved | None:
        statement = (
            select(Environment.project_id, Project.organization_id, Membership.role)
            .join(Project, Project.id == Environment.project_id)
            .outerjoin(Membership, _membership_of(user_id))
            .where(Environment.id == environment_id)
        )
        row = session.execute(statement).one_or_none()
        if row is None:
            return None
        project_id, organization_id, role = row
        owner = Owner(
            id=environment_id,
            scope=VariableScope.ENVIRONMENT,
            organization_id=organization_id,
            project_id=project_id,
            environment_id=environment_id,
            visible_owner_ids=(project_id, environment_id),
        )
        return Resolved(owner, role)

    def get_service_owner(
        self,
        session: Session,
        service_id: uuid.UUID,
        *,
        user_id: uuid.UUID,
        scope: VariableScope,
    ) -> Resolved | None:
        """The service of that id if it is of the kind ``scope`` names: a job's
        id under /application/... names nothing."""
        statement = (
            select(
                Service,
                Environment.project_id,
                Project.organization_id,
                Membership.role,
            )
            .join(Environment, Environment.id == Service.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .outerjoin(Membership, _membership_of(user_id))
            .where(Service.id == service_id, Service.kind == scope.value)
        )
        row = session.execute(statement).one_or_none()
        if row is None:
            return None
        service, project_id, organization_id, role = row
        owner = Owner(
            id=service.id,
            scope=scope,
            organization_id=organization_id,
            project_id=project_id,
            environment_id=service.environment_id,
            visible_owner_ids=(project_id, service.environment_id, service.id),
            service=LinkedService(service.id, service.name, service.kind),
        )
        return Resolved(owner, role)

    def get_entry(self, session: Session, variable_id: uuid.UUID) -> Entry | None:
        statement = _entries().where(Variable.id == variable_id)
        row = session.execute(statement).one_or_none()
        return _entry(row) if row is not None else None

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

    def list_builtins_of(
        self, session: Session, service_id: uuid.UUID
    ) -> Sequence[Variable]:
        statement = select(Variable).where(
            Variable.service_id == service_id,
            Variable.scope == VariableScope.BUILT_IN,
        )
        return session.scalars(statement).all()

    def builtin_key_holders(
        self,
        session: Session,
        environment_id: uuid.UUID,
        keys: Sequence[str],
        *,
        other_than: uuid.UUID,
    ) -> list[tuple[str, LinkedService | None]]:
        """Which of ``keys`` the environment's built-ins already use, other
        than those of service ``other_than``, each with its service (none for
        the environment's own)."""
        if not keys:
            return []
        statement = (
            select(Variable.key, Service.id, Service.name, Service.kind)
            .outerjoin(Service, Service.id == Variable.service_id)
            .where(
                Variable.owner_id == environment_id,
                Variable.scope == VariableScope.BUILT_IN,
                Variable.key.in_(keys),
                or_(Variable.service_id.is_(None), Variable.service_id != other_than),
            )
            .order_by(Variable.key)
        )
        return [
            (key, LinkedService(id, name, kind) if id is not None else None)
            for key, id, name, kind in session.execute(statement)
        ]

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
        scope_rank = case(
            {scope.value: scope.rank for scope in VariableScope},
            value=Variable.scope,
            else_=len(VariableScope),
        )
        statement = (
            _entries()
            .where(Variable.owner_id.in_(owner_ids), Variable.is_secret == secret)
            .order_by(scope_rank, Variable.key, Variable.id)
        )
        return [_entry(row) for row in session.execute(statement)]


def _entries() -> Select[Variable, Variable, uuid.UUID, str, str]:
    """Entries with their parent and the name and kind of their service: the
    few columns answers show, rather than each service's configuration."""
    parent = aliased(Variable)
    return (
        select(Variable, parent, Service.id, Service.name, Service.kind)
        .outerjoin(parent, parent.id == Variable.parent_id)
        .outerjoin(Service, Service.id == Variable.service_id)
    )


def _entry(row: Row[Variable, Variable, uuid.UUID, str, str]) -> Entry:
    # Outer joins: the parent and the service columns may all be NULL.
    variable, parent, service_id, service_name, service_kind = row
    service = None
    if service_id is not None:
        service = LinkedService(service_id, service_name, service_kind)
    return Entry(variable, parent, service)


variable_repository = VariableRepository()


def _membership_of(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Join condition: the membership of ``user_id`` in the project's
    organization."""
    return and_(
        Membership.organization_id == Project.organization_id,
        Membership.user_id == user_id,
    )
