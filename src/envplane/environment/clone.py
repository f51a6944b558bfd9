"""Environment clone: the whole configuration of an environment copied into a new
one inside the caller's transaction.

Each step copies one kind of row with a single INSERT ... SELECT. New ids come
from the database, and ``clone_id_map`` pairs every copied row with its copy so
that references between copied rows (an alias's parent, for one) are rewritten
in SQL. The number of statements is therefore the same for an environment with
ten variables or ten thousand, and either all rows appear or none do.
"""

import uuid

from sqlalchemy import (
    ColumnElement,
    Uuid,
    and_,
    delete,
    func,
    insert,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, aliased

from envplane.core.errors import InvalidInput
from envplane.core.logging import get_logger
from envplane.core.sql import random_uuid
from envplane.models import CloneIdMap, Environment, Variable
from envplane.models.base import UTCDateTime, utcnow
from envplane.variable.builtins import environment_builtins
from envplane.variable.scopes import VariableScope, VariableType

log = get_logger(__name__)

_MAP_COLUMNS = [CloneIdMap.clone_id, CloneIdMap.old_id, CloneIdMap.new_id]

# Types an alias or override may point at when re-targeted to another project.
_PARENT_TYPES = (VariableType.VALUE, VariableType.FILE, VariableType.BUILT_IN)
_BUILT_IN = VariableScope.BUILT_IN


def clone_environment(
    session: Session,
    *,
    source: Environment,
    source_project_id: uuid.UUID,
    target_project_id: uuid.UUID,
    cluster_id: uuid.UUID,
    name: str,
    mode: str,
    user_id: uuid.UUID,
) -> Environment:
    """Copy ``source`` into a new environment and return it."""
    if target_project_id != source_project_id:
        _check_project_parents_exist(
            session,
            source_id=source.id,
            source_project_id=source_project_id,
            target_project_id=target_project_id,
        )

    copy = Environment(
        project_id=target_project_id,
        cluster_id=cluster_id,
        name=name,
        mode=mode,
        last_updated_by=user_id,
    )
    session.add(copy)
    session.flush()
    session.add_all(environment_builtins(copy))
    session.flush()

    clone_id = uuid.uuid4()
    _map_ids(session, clone_id=clone_id, source_id=source.id)
    _map_builtins(session, clone_id=clone_id, source_id=source.id, copy_id=copy.id)
    copied = _copy_variables(
        session,
        clone_id=clone_id,
        source=source,
        copy=copy,
        source_project_id=source_project_id,
    )
    session.execute(delete(CloneIdMap).where(CloneIdMap.clone_id == clone_id))

    log.info(
        "environment.clone.completed",
        source_environment_id=str(source.id),
        environment_id=str(copy.id),
        project_id=str(target_project_id),
        variables=copied,
    )
    return copy


def _check_project_parents_exist(
    session: Session,
    *,
    source_id: uuid.UUID,
    source_project_id: uuid.UUID,
    target_project_id: uuid.UUID,
) -> None:
    """Aliases and overrides of project entries must find an entry with the same
    key in the target project; refuse the clone, naming the keys, if any is missing."""
    parent = aliased(Variable)
    target = aliased(Variable)
    statement = (
        select(parent.key)
        .distinct()
        .join(Variable, Variable.parent_id == parent.id)
        .outerjoin(target, _same_entry_in(target, parent, target_project_id))
        .where(
            Variable.owner_id == source_id,
            parent.owner_id == source_project_id,
            target.id.is_(None),
        )
        .order_by(parent.key)
    )
    missing = session.scalars(statement).all()
    if missing:
        raise InvalidInput.field(
            ("body", "project_id"),
            "the target project lacks project variables or secrets that this "
            f"environment's aliases and overrides point at: {', '.join(missing)}; "
            "create them in the target project first",
        )


def _same_entry_in(
    target: type[Variable], parent: type[Variable], project_id: uuid.UUID
) -> ColumnElement[bool]:
    """Join condition: ``target`` is the entry of ``project_id`` matching ``parent``."""
    return and_(
        target.owner_id == project_id,
        target.scope == parent.scope,
        target.key == parent.key,
        target.is_secret == parent.is_secret,
        target.variable_type.in_(_PARENT_TYPES),
    )


def _map_ids(session: Session, *, clone_id: uuid.UUID, source_id: uuid.UUID) -> None:
    """A new id for each entry the environment defines itself."""
    rows = select(literal(clone_id, Uuid()), Variable.id, random_uuid()).where(
        Variable.owner_id == source_id, Variable.scope != _BUILT_IN
    )
    session.execute(insert(CloneIdMap).from_select(_MAP_COLUMNS, rows))


def _map_builtins(
    session: Session, *, clone_id: uuid.UUID, source_id: uuid.UUID, copy_id: uuid.UUID
) -> None:
    """Pair each built-in of the source with the copy's built-in of the same key,
    so that aliases and overrides of built-ins follow to the copy's."""
    copied = aliased(Variable)
    rows = (
        select(literal(clone_id, Uuid()), Variable.id, copied.id)
        .join(
            copied,
            and_(
                copied.owner_id == copy_id,
                copied.scope == _BUILT_IN,
                copied.key == Variable.key,
            ),
        )
        .where(Variable.owner_id == source_id, Variable.scope == _BUILT_IN)
    )
    session.execute(insert(CloneIdMap).from_select(_MAP_COLUMNS, rows))


def _copy_variables(
    session: Session,
    *,
    clone_id: uuid.UUID,
    source: Environment,
    copy: Environment,
    source_project_id: uuid.UUID,
) -> int:
    """Copy the environment's own variables and secrets, values included (secret
    ciphertexts are valid as they are). A parent that was copied or regenerated
    becomes its copy; a project entry stays the project's own, or becomes the
    target project's entry with the same key."""
    row_map = aliased(CloneIdMap)
    parent_map = aliased(CloneIdMap)
    parent = aliased(Variable)
    target = aliased(Variable)
    across_projects = copy.project_id != source_project_id

    outside_parent = target.id if across_projects else Variable.parent_id
    rows = (
        select(
            row_map.new_id,
            literal(copy.id, Uuid()),
            Variable.scope,
            literal(copy.project_id, Uuid()),
            literal(copy.id, Uuid()),
            Variable.is_secret,
            Variable.key,
            Variable.value,
            Variable.variable_type,
            Variable.mount_path,
            Variable.description,
            Variable.enable_interpolation_in_file,
            func.coalesce(parent_map.new_id, outside_parent),
            literal(utcnow(), UTCDateTime()),
            null(),
        )
        .select_from(Variable)
        .join(
            row_map, and_(row_map.clone_id == clone_id, row_map.old_id == Variable.id)
        )
        .outerjoin(
            parent_map,
            and_(
                parent_map.clone_id == clone_id, parent_map.old_id == Variable.parent_id
            ),
        )
        .where(Variable.owner_id == source.id, Variable.scope != _BUILT_IN)
    )
    if across_projects:
        rows = rows.outerjoin(parent, parent.id == Variable.parent_id).outerjoin(
            target, _same_entry_in(target, parent, copy.project_id)
        )
    columns = [
        Variable.id,
        Variable.owner_id,
        Variable.scope,
        Variable.project_id,
        Variable.environment_id,
        Variable.is_secret,
        Variable.key,
        Variable.value,
        Variable.variable_type,
        Variable.mount_path,
        Variable.description,
        Variable.enable_interpolation_in_file,
        Variable.parent_id,
        Variable.created_at,
        Variable.updated_at,
    ]
    statement = insert(Variable).from_select(columns, rows)
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return result.rowcount  # type: ignore[attr-defined, no-any-return]
