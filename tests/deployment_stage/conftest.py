"""The deployment stage routes on the test app, environments to hold stages, and
services inserted as rows (their own routes are built apart)."""

import uuid
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import transaction
from envplane.deployment_stage.endpoints import router
from envplane.models import Service
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


@pytest.fixture
def sibling_environment(
    api: Api, owner_token: str, project: Json, cluster: Json
) -> Json:
    body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
    path = f"/project/{project['id']}/environment"
    return api.post(path, token=owner_token, json=body)  # type: ignore[no-any-return]


@pytest.fixture
def foreign_environment(api: Api, outsider_token: str) -> Json:
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
    return api.post(  # type: ignore[no-any-return]
        f"/project/{project['id']}/environment",
        token=outsider_token,
        json={"name": "theirs", "mode": "DEVELOPMENT", "cluster": cluster["id"]},
    )


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
