"""Copying rows in bulk, for environment and service clone.

A clone pairs each row it copies with the id of its copy in an id map, then
writes every copy of a table with one INSERT ... SELECT that rewrites
references through those pairs. This module holds the pieces both clones use:
the id map, and the copy of variables and secrets.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    CursorResult,
    Dialect,
    Insert,
    MetaData,
    Result,
    Table,
    Uuid,
    insert,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.schema import CreateTable, DropTable
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

VARIABLES = cast(Table, Variable.__table__)

# Every column of a copied entry, in the order the copying SELECTs list them.
ENTRY_COLUMNS = [
    VARIABLES.c[name]
    for name in (
        "id",
        "owner_id",
        "scope",
        "project_id",
        "environment_id",
        "service_id",
        "is_secret",
        "key",
        "value",
        "variable_type",
        "mount_path",
        "description",
        "enable_interpolation_in_file",
        "parent_id",
        "created_at",
        "updated_at",
    )
]


@contextmanager
def id_map(session: Session) -> Iterator[None]:
    """An empty ``ID_MAP`` for the block, dropped when it ends. If the block
    raises, the rollback that follows undoes the table with the rest."""
    connection = session.connection()
    create, drop = _id_map_ddl(connection.dialect)
    connection.exec_driver_sql(create)
    yield
    connection.exec_driver_sql(drop)


@functools.cache
def _id_map_ddl(dialect: Dialect) -> tuple[str, str]:
    """The id map's CREATE and DROP, compiled once per dialect: DDL is not in
    SQLAlchemy's statement cache, and every clone runs both."""
    return (
        str(CreateTable(ID_MAP).compile(dialect=dialect)),
        str(DropTable(ID_MAP).compile(dialect=dialect)),
    )


def pairing(pairs: Selectable) -> Insert:
    """The statement recording the (old id, new id) rows ``pairs`` selects."""
    return insert(ID_MAP).from_select([ID_MAP.c.old_id, ID_MAP.c.new_id], pairs)


def paired(
    mapping: FromClause, old_id: ColumnElement[Any] | InstrumentedAttribute[Any]
) -> ColumnElement[bool]:
    """Join condition: ``mapping``, an alias of ``ID_MAP``, holds the new id
    for ``old_id``."""
    return mapping.c.old_id == old_id


def entries_insert(rows: Selectable) -> Insert:
    """The statement inserting the entries ``rows`` selects, one per row in
    ``ENTRY_COLUMNS`` order; its result counts them."""
    statement = insert(VARIABLES).from_select(ENTRY_COLUMNS, rows)
    return statement.execution_options(preserve_rowcount=True)


def inserted(result: Result[Any]) -> int:
    """How many rows the statement of an ``entries_insert`` wrote."""
    return cast(CursorResult[Any], result).rowcount
