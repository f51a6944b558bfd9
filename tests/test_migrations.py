import warnings
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, exc, inspect

from envplane.core.database import create_db_engine
from envplane.core.migrate import alembic_config, upgrade
from envplane.models import Base


def test_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the expression indexes; they are checked below.
        warnings.simplefilter("ignore", exc.SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping", UserWarning)
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_case_insensitive_name_indexes_exist(engine: Engine) -> None:
    expected = {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if index.unique and index.name and index.name.startswith("uq_")
    }
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
            )
            present = {name for (name,) in rows}
        else:
            present = {
                index["name"]
                for table in inspect(connection).get_table_names()
                for index in inspect(connection).get_indexes(table)
            }

    assert expected and expected <= present


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)

    engine = create_db_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
