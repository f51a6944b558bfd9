"""Copying rows in bulk, for environment and service clone.

A clone pairs each row it copies with the id of its copy in ``clone_id_map``,
then writes every copy of a table with one INSERT ... SELECT that rewrites
references through those pairs. This module holds the pieces both clones use:
the pairing, and the copy of variables and secrets.
"""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Selectable

from envplane.models import CloneIdMap, Variable
from envplane.variable.scopes import VariableType

# Types an alias or override may point at when its parent is not copied with
# it and it is re-pointed at an entry of the target.
PARENT_TYPES = (VariableType.VALUE, VariableType.FILE, VariableType.BUILT_IN)

_MAP_COLUMNS = [CloneIdMap.clone_id, CloneIdMap.old_id, CloneIdMap.new_id]

# Every column of a copied entry, in the order the copying SELECTs list them.
ENTRY_COLUMNS = [
    Variable.id,
    Variable.owner_id,
    Variable.scope,
    Variable.project_id,
    Variable.environment_id,
    Variable.service_id,
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


def pair_ids(session: Session, pairs: Selectable) -> None:
    """Record the (clone id, old id, new id) rows that ``pairs`` selects."""
    session.execute(insert(CloneIdMap).from_select(_MAP_COLUMNS, pairs))


def paired(
    mapping: type[CloneIdMap], clone_id: uuid.UUID, old_id: InstrumentedAttribute[Any]
) -> ColumnElement[bool]:
    """Join condition: ``mapping`` holds this clone's new id for ``old_id``."""
    return and_(mapping.clone_id == clone_id, mapping.old_id == old_id)


def forget_ids(session: Session, clone_id: uuid.UUID) -> None:
    """Drop the pairs of a finished clone."""
    session.execute(delete(CloneIdMap).where(CloneIdMap.clone_id == clone_id))


def insert_entries(session: Session, rows: Selectable) -> int:
    """Insert the entries ``rows`` selects, one per row in ``ENTRY_COLUMNS``
    order, and return how many there were."""
    statement = insert(Variable).from_select(ENTRY_COLUMNS, rows)
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return result.rowcount  # type: ignore[attr-defined, no-any-return]
