"""Test plumbing: one database per run, built by the migrations, emptied after
each test. SQLite by default; PostgreSQL when ENVPLANE_TEST_DATABASE_URL is set."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from envplane.app import create_app
from envplane.core.config import Settings
from envplane.core.database import create_db_engine, create_session_factory
from envplane.core.migrate import upgrade
from envplane.models import Base
from tests.fixtures.api import Api

pytest_plugins = ["tests.fixtures.factories"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("ENVPLANE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'envplane.db'}"
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(DATA_DIR=tmp_path / "data", DATABASE_URL=database_url)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[FastAPI]:
    yield create_app(settings, engine=engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def sessions(app: FastAPI) -> sessionmaker[Session]:
    return create_session_factory(app.state.engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def api(client: TestClient, app: FastAPI) -> Api:
    return Api(client, app)
