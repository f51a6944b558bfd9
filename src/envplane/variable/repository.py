import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Row,
    Select,
    bindparam,
    case,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from envplane.auth.service import CALLER_MEMBERSHIP
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


class Fields(NamedTuple):
    """What answers show of a variable or secret, read as plain columns."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime | None
    key: str
    value: str | None
    variable_type: str
    scope: str
    mount_path: str | None
    description: str | None
    enable_interpolation_in_file: bool | None


class Listed(NamedTuple):
    """An ``Entry`` as a listing reads it: the fields its answer shows, not
    ORM objects, which would cost more to build than the answer itself."""

    variable: Fields
    parent: Fields | None
    service: LinkedService | None


class VariableRepository:
    # Each owner is read with the role of the caller's membership in its
    # organization (None for an outsider): the read that finds the owner is
    # also the one that authorizes the request.

    def get_project_owner(
        self, session: Session, project_id: uuid.UUID, *, user_id: uuid.UUID
    ) -> Resolved | None:
        parameters = {"project_id": project_id, "user_id": user_id}
        row = session.execute(_PROJECT_OWNER, parameters).one_or_none()
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
        parameters = {"environment_id": environment_id, "user_id": user_id}
        row = session.execute(_ENVIRONMENT_OWNER, parameters).one_or_none()
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
        parameters = {"service_id": service_id, "kind": scope.value, "user_id": user_id}
        row = session.execute(_SERVICE_OWNER, parameters).one_or_none()
        if row is None:
            return None
        name, kind, environment_id, project_id, organization_id, role = row
        owner = Owner(
            id=service_id,
            scope=scope,
            organization_id=organization_id,
            project_id=project_id,
            environment_id=environment_id,
            visible_owner_ids=(project_id, environment_id, service_id),
            service=LinkedService(service_id, name, kind),
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
    ) -> list[Listed]:
        """Entries of these owners, broadest scope first, then by key."""
        rows = session.execute(
            _VISIBLE_LISTING, {"owner_ids": list(owner_ids), "secret": secret}
        )
        return [_listed(row) for row in rows]


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


def _visible_listing() -> Select[Any]:
    """Entries of the owners in ``owner_ids`` that are secrets or not as
    ``secret`` says, as the columns of ``Fields`` for the entry and for its
    parent, then its service's id, name and kind."""
    variables, services = Variable.__table__, Service.__table__
    parent = variables.alias("parent")
    scope_rank = case(
        {scope.value: scope.rank for scope in VariableScope},
        value=variables.c.scope,
        else_=len(VariableScope),
    )
    return (
        select(
            *(variables.c[name] for name in Fields._fields),
            *(parent.c[name] for name in Fields._fields),
            services.c.id,
            services.c.name,
            services.c.kind,
        )
        .outerjoin(parent, parent.c.id == variables.c.parent_id)
        .outerjoin(services, services.c.id == variables.c.service_id)
        .where(
            variables.c.owner_id.in_(bindparam("owner_ids", expanding=True)),
            variables.c.is_secret == bindparam("secret"),
        )
        .order_by(scope_rank, variables.c.key, variables.c.id)
    )


# Built once, as listings are the hottest reads there are.
_VISIBLE_LISTING = _visible_listing()
_WIDTH = len(Fields._fields)


def _listed(row: Row[Any]) -> Listed:
    # Outer joins: the parent's columns and the service's may all be NULL.
    parent_id = row[_WIDTH]
    service_id, service_name, service_kind = row[2 * _WIDTH :]
    service = None
    if service_id is not None:
        service = LinkedService(service_id, service_name, service_kind)
    return Listed(
        Fields(*row[:_WIDTH]),
        Fields(*row[_WIDTH : 2 * _WIDTH]) if parent_id is not None else None,
        service,
    )


# Owner lookups are built once: every variable or secret request makes one.
_PROJECT_OWNER = (
    select(Project.organization_id, Membership.role)
    .outerjoin(Membership, CALLER_MEMBERSHIP)
    .where(Project.id == bindparam("project_id"))
)
_ENVIRONMENT_OWNER = (
    select(Environment.project_id, Project.organization_id, Membership.role)
    .join(Project, Project.id == Environment.project_id)
    .outerjoin(Membership, CALLER_MEMBERSHIP)
    .where(Environment.id == bindparam("environment_id"))
)
_SERVICE_OWNER = (
    select(
        Service.name,
        Service.kind,
        Service.environment_id,
        Environment.project_id,
        Project.organization_id,
        Membership.role,
    )
    .join(Environment, Environment.id == Service.environment_id)
    .join(Project, Project.id == Environment.project_id)
    .outerjoin(Membership, CALLER_MEMBERSHIP)
    .where(Service.id == bindparam("service_id"), Service.kind == bindparam("kind"))
)

variable_repository = VariableRepository()
