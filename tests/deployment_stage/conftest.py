"""The deployment stage routes on the test app, environments to hold stages
(emptied of the stages every environment starts with, so that each test lays
out its own), and services inserted as rows in no stage."""

import uuid
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import transaction
from envplane.deployment_stage.endpoints import router
from envplane.models import DeploymentStage, Service
from tests.fixtures.api import Api
from tests.fixtures.factories import Json


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    # Until app.py includes the router itself.
    if "/deploymentStage/{deploymentStageId}" not in {
        getattr(route, "path", None) for route in app.routes
    }:
        app.include_router(router)
    return app


def _emptied(sessions: sessionmaker[Session], environment: Json) -> Json:
    with transaction(sessions) as session:
        session.execute(
            delete(DeploymentStage).where(
                DeploymentStage.environment_id == uuid.UUID(environment["id"])
            )
        )
    return environment


@pytest.fixture
def environment(environment: Json, sessions: sessionmaker[Session]) -> Json:
    return _emptied(sessions, environment)


@pytest.fixture
def sibling_environment(
    api: Api,
    owner_token: str,
    project: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
) -> Json:
    body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
    path = f"/project/{project['id']}/environment"
    return _emptied(sessions, api.post(path, token=owner_token, json=body))


@pytest.fixture
def foreign_environment(
    api: Api, outsider_token: str, sessions: sessionmaker[Session]
) -> Json:
    """An environment of another organization, owned by the outsider."""
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
    return _emptied(sessions, environment)


@pytest.fixture
def make_stage(api: Api, owner_token: str) -> Callable[..., Json]:
    """A new stage of ``environment``, created through the API by its owner."""

    def make(environment: Json, name: str, token: str = owner_token) -> Json:
        path = f"/environment/{environment['id']}/deploymentStage"
        return api.post(path, token=token, json={"name": name}, expect=200)  # type: ignore[no-any-return]

    return make


@pytest.fixture
def make_service(sessions: sessionmaker[Session]) -> Callable[[Json], Json]:
    """A new application of ``environment``, in no stage yet."""

    def make(environment: Json) -> Json:
        with transaction(sessions) as session:
            service = Service(
                environment_id=uuid.UUID(environment["id"]),
                kind="APPLICATION",
                name=f"app-{uuid.uuid4().hex[:8]}",
                configuration={},
            )
            session.add(service)
            session.flush()
            return {"id": str(service.id), "name": service.name}

    return make
