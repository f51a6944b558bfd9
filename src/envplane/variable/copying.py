"""Copying rows in bulk, for environment and service clone.

A clone pairs each row it copies with the id of its copy in an id map, then
writes every copy of a table with one INSERT ... SELECT that rewrites
references through those pairs. This module holds the pieces both clones use:
the id map, and the copy of variables and secrets.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, ColumnElement, MetaData, Table, Uuid, insert
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import FromClause, Selectable

from envplane.models import Variable
from envplane.variable.scopes import VariableType

# Types an alias or override may point at when its parent is not copied with
# it and it is re-pointed at an entry of the target.
PARENT_TYPES = (VariableType.VALUE, VariableType.FILE, VariableType.BUILT_IN)

# A temporary table: private to the clone's connection, so concurrent clones
# never meet in it, and never written to the database's log. It stays out of
# the models' metadata, which migrations follow.
ID_MAP = Table(
    "clone_id_map",
    MetaData(),
    Column("old_id", Uuid, primary_key=True),
    Column("new_id", Uuid, nullable=False),
    prefixes=["TEMPORARY"],
)

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


@contextmanager
def id_map(session: Session) -> Iterator[None]:
    """An empty ``ID_MAP`` for the block, dropped when it ends. If the block
    raises, the rollback that follows undoes the table with the rest."""
    connection = session.connection()
    ID_MAP.create(connection)
    yield
    ID_MAP.drop(connection)


def pair_ids(session: Session, pairs: Selectable) -> None:
    """Record the (old id, new id) rows that ``pairs`` selects."""
    columns = [ID_MAP.c.old_id, ID_MAP.c.new_id]
    session.execute(insert(ID_MAP).from_select(columns, pairs))


def paired(
    mapping: FromClause, old_id: InstrumentedAttribute[Any]
) -> ColumnElement[bool]:
    """Join condition: ``mapping``, an alias of ``ID_MAP``, holds the new id
    for ``old_id``."""
    return mapping.c.old_id == old_id


def insert_entries(session: Session, rows: Selectable) -> int:
    """Insert the entries ``rows`` selects, one per row in ``ENTRY_COLUMNS``
    order, and return how many there were."""
    statement = insert(Variable).from_select(ENTRY_COLUMNS, rows)
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return result.rowcount  # type: ignore[attr-defined, no-any-return]
