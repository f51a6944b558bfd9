"""More owners for the variable tests: a sibling of ``environment`` in the same
project, one of another organization, and services."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from envplane.core.database import recorded_statements
from envplane.models import Service
from tests.fixtures.api import Api
from tests.fixtures.factories import Json


@pytest.fixture
def sibling_environment(
    api: Api, owner_token: str, project: Json, cluster: Json
) -> Json:
    body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
    path = f"/project/{project['id']}/environment"
    return api.post(path, token=owner_token, json=body)  # type: ignore[no-any-return]


@pytest.fixture
def foreign_environment(api: Api, outsider_token: str) -> Json:
    """An environment of another organization, with its ``project``."""
    organization = api.post(
        "/organization", token=outsider_token, json={"name": "other", "plan": "FREE"}
    )
    base = f"/organization/{organization['id']}"
    cluster = api.post(
        f"{base}/cluster",
        token=outsider_token,
        json={"name": "theirs", "region": "eu-west-3", "cloud_provider": "AWS"},
    )
    project = api.post(
        f"{base}/project", token=outsider_token, json={"name": "theirs"}, expect=200
    )
    environment = api.post(
        f"/project/{project['id']}/environment",
        token=outsider_token,
        json={"name": "theirs", "mode": "DEVELOPMENT", "cluster": cluster["id"]},
    )
    return {**environment, "project": project}


def insert_service(api: Api, environment: Json, kind: str, name: str) -> Json:
    """A service stored as the service package stores one, with no
    configuration: the variable routes need only its row."""
    with api.app.state.sessions() as session:
        service = Service(
            environment_id=uuid.UUID(environment["id"]),
            kind=kind,
            name=name,
            configuration={},
        )
        session.add(service)
        session.commit()
        return {"id": str(service.id), "name": name, "kind": kind}


@pytest.fixture
def application(api: Api, environment: Json) -> Json:
    return insert_service(api, environment, "APPLICATION", "front-end")


@pytest.fixture
def container(api: Api, environment: Json) -> Json:
    return insert_service(api, environment, "CONTAINER", "worker")


@pytest.fixture
def job(api: Api, environment: Json) -> Json:
    return insert_service(api, environment, "JOB", "migrate")


@pytest.fixture
def foreign_service(api: Api, foreign_environment: Json) -> dict[str, Json]:
    """One service of each kind in another organization's environment."""
    return {
        kind: insert_service(api, foreign_environment, kind, kind.lower())
        for kind in ("APPLICATION", "CONTAINER", "JOB")
    }


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run while the test lasts."""
    with recorded_statements(engine) as seen:
        yield seen
