"""Module-scoped variants of the app fixtures, for the walk through every operation,
which builds its data once and checks each answer in a test of its own."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from envplane.app import create_app
from envplane.core.config import Settings
from envplane.models import Base
from tests.fixtures.api import Api


@pytest.fixture(scope="module")
def module_settings(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Settings:
    data_dir = tmp_path_factory.mktemp("contract") / "data"
    return Settings(DATA_DIR=data_dir, DATABASE_URL=database_url)


@pytest.fixture(scope="module")
def module_app(module_settings: Settings, engine: Engine) -> Iterator[FastAPI]:
    yield create_app(module_settings, engine=engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="module")
def module_client(module_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(module_app, raise_server_exceptions=True) as client:
        yield client


@pytest.fixture(scope="module")
def module_api(module_client: TestClient, module_app: FastAPI) -> Api:
    return Api(module_client, module_app)
