"""Service clone: one service copied, with its configuration and its own
variables and secrets, into an environment of the same organization.

The service row is written through the ORM (its configuration gets fresh ids
for ports and volumes); its variables are copied with one INSERT ... SELECT
through an id map, as environment clone does, so the number of
statements does not grow with the number of variables.
"""

from sqlalchemy import (
    ColumnElement,
    Uuid,
    and_,
    case,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, aliased

from envplane.core.crypto import SecretCipher
from envplane.core.errors import InvalidInput
from envplane.core.logging import get_logger
from envplane.core.sql import random_uuid
from envplane.deployment_stage.defaults import default_stage
from envplane.models import Environment, Service, Variable
from envplane.models.base import UTCDateTime, utcnow
from envplane.service.kinds.base import Kind, builtin_name
from envplane.variable.builtins import sync_service_builtins
from envplane.variable.copying import (
    ID_MAP,
    PARENT_TYPES,
    entries_insert,
    id_map,
    inserted,
    paired,
    pairing,
)
from envplane.variable.scopes import VariableScope

log = get_logger(__name__)


def clone_service(
    session: Session,
    *,
    kind: Kind,
    source: Service,
    target: Environment,
    name: str,
    cipher: SecretCipher,
) -> Service:
    """Copy ``source`` into ``target`` under ``name`` and return the copy."""
    same_environment = target.id == source.environment_id
    copy = Service(
        environment_id=target.id,
        kind=source.kind,
        name=name,
        configuration=kind.copied(source.configuration, cipher=cipher),
    )
    # A stage belongs to one environment: the copy joins the source's stage
    # when it lands beside it, and its kind's default stage elsewhere.
    if same_environment:
        copy.deployment_stage_id = source.deployment_stage_id
    else:
        copy.deployment_stage_id = default_stage(
            session, target.id, kind.service_type
        ).id
    session.add(copy)
    session.flush()
    # Before the variables: aliases of the source's own built-ins follow to
    # the copy's.
    sync_service_builtins(
        session, copy, kind.builtins(copy, cipher=cipher), cipher=cipher
    )

    _check_parents_exist(session, source=source, copy=copy, target=target)
    with id_map(session):
        pairs = select(Variable.id, random_uuid()).where(Variable.owner_id == source.id)
        session.execute(pairing(pairs))
        copied = _copy_variables(session, source=source, copy=copy, target=target)

    log.info(
        "service.clone.completed",
        source_service_id=str(source.id),
        service_id=str(copy.id),
        environment_id=str(target.id),
        variables=copied,
    )
    return copy


def _target_parent(
    target_entry: type[Variable],
    parent: type[Variable],
    *,
    source: Service,
    copy: Service,
    target: Environment,
) -> ColumnElement[bool]:
    """Join condition: ``target_entry`` is what an alias or override of ``parent``
    (an entry outside the service) points at in the copy. That is the entry of
    the same scope and key in the target environment or its project; a built-in
    of the source service itself becomes the copy's built-in."""
    own_builtin = parent.service_id == source.id
    key = case(
        (
            own_builtin,
            func.replace(
                parent.key,
                f"_{builtin_name(source.name)}_",
                f"_{builtin_name(copy.name)}_",
            ),
        ),
        else_=parent.key,
    )
    owner = case(
        (parent.scope == VariableScope.PROJECT, literal(target.project_id, Uuid())),
        else_=literal(target.id, Uuid()),
    )
    return and_(
        target_entry.owner_id == owner,
        target_entry.scope == parent.scope,
        target_entry.key == key,
        target_entry.is_secret == parent.is_secret,
        target_entry.variable_type.in_(PARENT_TYPES),
    )


def _check_parents_exist(
    session: Session, *, source: Service, copy: Service, target: Environment
) -> None:
    parent = aliased(Variable)
    target_entry = aliased(Variable)
    statement = (
        select(parent.key)
        .distinct()
        .join(Variable, Variable.parent_id == parent.id)
        .outerjoin(
            target_entry,
            _target_parent(
                target_entry, parent, source=source, copy=copy, target=target
            ),
        )
        .where(
            Variable.owner_id == source.id,
            parent.owner_id != source.id,
            target_entry.id.is_(None),
        )
        .order_by(parent.key)
    )
    missing = session.scalars(statement).all()
    if missing:
        raise InvalidInput.field(
            ("body", "environment_id"),
            "the target environment lacks variables or secrets that this "
            f"service's aliases and overrides point at: {', '.join(missing)}; "
            "create them there first",
        )


def _copy_variables(
    session: Session,
    *,
    source: Service,
    copy: Service,
    target: Environment,
) -> int:
    """Copy the service's own variables and secrets, values included (secret
    ciphertexts stay valid). A parent inside the service becomes its copy; any
    other parent becomes its counterpart in the target (see ``_target_parent``)."""
    row_map, parent_map = ID_MAP.alias(), ID_MAP.alias()
    parent = aliased(Variable)
    target_entry = aliased(Variable)
    rows = (
        select(
            row_map.c.new_id,
            literal(copy.id, Uuid()),
            Variable.scope,
            literal(target.project_id, Uuid()),
            literal(target.id, Uuid()),
            literal(copy.id, Uuid()),
            Variable.is_secret,
            Variable.key,
            Variable.value,
            Variable.variable_type,
            Variable.mount_path,
            Variable.description,
            Variable.enable_interpolation_in_file,
            func.coalesce(parent_map.c.new_id, target_entry.id),
            literal(utcnow(), UTCDateTime()),
            null(),
        )
        .select_from(Variable)
        .join(row_map, paired(row_map, Variable.id))
        .outerjoin(parent_map, paired(parent_map, Variable.parent_id))
        .outerjoin(parent, parent.id == Variable.parent_id)
        .outerjoin(
            target_entry,
            and_(
                parent_map.c.new_id.is_(None),
                _target_parent(
                    target_entry, parent, source=source, copy=copy, target=target
                ),
            ),
        )
        .where(Variable.owner_id == source.id)
    )
    return inserted(session.execute(entries_insert(rows)))
