"""The registry routes on the test app (until the application factory serves
them), another organization, and services that use a registry or a helm
repository."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from envplane.models import Service
from envplane.registry.endpoints import router
from tests.fixtures.api import Api
from tests.fixtures.factories import Json

AddService = Callable[..., uuid.UUID]


@pytest.fixture
def app(app: FastAPI) -> Iterator[FastAPI]:
    served = {route.name for route in app.routes if isinstance(route, APIRoute)}
    if "list_container_registry" not in served:
        app.include_router(router)
    yield app


@pytest.fixture
def foreign_organization(api: Api, outsider_token: str) -> Json:
    """Another organization, owned by the outsider, with one environment."""
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
    return {**organization, "environment": environment}


@pytest.fixture
def add_service(sessions: sessionmaker[Session], environment: Json) -> AddService:
    """Store a service of ``kind`` with ``configuration`` straight into the
    table, as the service endpoints would, without depending on them."""

    def add(
        kind: str, configuration: dict[str, Any], *, environment_id: str | None = None
    ) -> uuid.UUID:
        with sessions.begin() as session:
            service = Service(
                environment_id=uuid.UUID(environment_id or environment["id"]),
                kind=kind,
                name=f"{kind.lower()}-{uuid.uuid4().hex[:8]}",
                configuration=configuration,
            )
            session.add(service)
            session.flush()
            return service.id

    return add
