"""Engine, sessions and the translation of constraint violations."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Index, create_engine, event, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.config import Settings
from envplane.models import Base


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    # Statement parameters carry variable values; keep them out of error messages
    # and logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def create_server_engine(settings: Settings) -> Engine:
    """The engine of a serving process. On PostgreSQL its pool is sized by the
    settings; an SQLite connection is only an open file, cheap enough that the
    default pool does."""
    url = settings.database_url
    if url.startswith("sqlite"):
        return create_db_engine(url)
    return create_db_engine(
        url,
        pool_size=settings.DATABASE_POOL_SIZE,
        max_overflow=settings.DATABASE_MAX_OVERFLOW,
    )


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends to the database inside the block, in
    order, as SQL text without parameters: what tests and benchmarks count to
    hold a request to a fixed number of statements."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that BEGIN
    # IMMEDIATE below takes the write lock up front: two writers then queue on
    # the busy timeout instead of one failing with "database is locked".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Temporary tables (a clone's id map) live in memory, not in a file.
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.close()


def _begin_sqlite_immediate(connection: Any) -> None:
    if connection.get_execution_options().get("read_only"):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def create_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that only read: on SQLite they take no write lock."""
    return sessionmaker(
        engine.execution_options(read_only=True), expire_on_commit=False
    )


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block ends, roll back if it raises."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def violates(error: IntegrityError, constraint_name: str) -> bool:
    """Whether ``error`` is a violation of the named constraint or unique index.

    PostgreSQL names the constraint; SQLite names an expression index, or else
    lists the columns of a plain one, which are looked up in the metadata.
    """
    diag = getattr(error.orig, "diag", None)
    if diag is not None:
        return bool(diag.constraint_name == constraint_name)
    message = str(error.orig)
    if f"index '{constraint_name}'" in message:
        return True
    columns = _sqlite_columns_of(constraint_name)
    return columns is not None and message.endswith(f"failed: {columns}")


def _sqlite_columns_of(constraint_name: str) -> str | None:
    for table in Base.metadata.tables.values():
        candidates: list[Any] = [*table.constraints, *table.indexes]
        for candidate in candidates:
            if candidate.name != constraint_name:
                continue
            if isinstance(candidate, Index) and candidate.expressions != list(
                candidate.columns
            ):
                return None
            return ", ".join(
                f"{table.name}.{column.name}" for column in candidate.columns
            )
    return None
