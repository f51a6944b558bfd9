"""Listing an environment's services costs the same few statements however
many services it has, and however many registries and helm repositories they
name."""

import copy
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import recorded_statements
from envplane.models import ContainerRegistry, HelmRepository, Service
from tests.fixtures.api import Api
from tests.fixtures.bodies import (
    application_body,
    chart_body,
    container_body,
    database_body,
    image_job_body,
)
from tests.fixtures.bulk import add_registries, add_services
from tests.fixtures.factories import Json

RESOURCES = ("application", "container", "database", "job", "helm")


def _filled(
    api: Api,
    token: str,
    organization: Json,
    project: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
    *,
    count: int,
) -> Json:
    """A new environment with ``count`` services of each kind: one created
    through the API, the others copies of it. Every container and job names a
    registry of its own, every chart a helm repository of its own."""
    environment: Json = api.post(
        f"/project/{project['id']}/environment",
        token=token,
        json={"name": f"size-{count}", "cluster": cluster["id"]},
    )
    registries = add_registries(sessions, ContainerRegistry, organization, count)
    charts = add_registries(sessions, HelmRepository, organization, count)
    bodies = {
        "application": application_body(),
        "container": container_body(str(registries[0])),
        "database": database_body(),
        "job": image_job_body(str(registries[0])),
        "helm": chart_body(str(charts[0])),
    }
    path = f"/environment/{environment['id']}"
    for resource, body in bodies.items():
        api.post(f"{path}/{resource}", token=token, json=body)

    environment_id = uuid.UUID(environment["id"])
    with sessions() as session:
        templates = session.scalars(
            select(Service).where(Service.environment_id == environment_id)
        ).all()
    for template in templates:
        copies = [
            _naming(template.kind, template.configuration, registry, chart)
            for registry, chart in zip(registries[1:], charts[1:], strict=True)
        ]
        add_services(sessions, environment_id, template.kind, copies)
    return environment


def _naming(
    kind: str, configuration: dict[str, Any], registry: uuid.UUID, chart: uuid.UUID
) -> dict[str, Any]:
    """``configuration`` naming ``registry`` or ``chart`` where its kind names one."""
    changed: dict[str, Any] = copy.deepcopy(configuration)
    if kind == "CONTAINER":
        changed["registry_id"] = str(registry)
    elif kind == "JOB":
        changed["source"]["image"]["registry_id"] = str(registry)
    elif kind == "HELM":
        changed["source"]["helm_repository"]["repository"] = str(chart)
    return changed


def _listing_statements(
    api: Api, token: str, environment: Json, path: str, *, count: int
) -> list[str]:
    with recorded_statements(api.app.state.engine) as statements:
        answer = api.get(f"/environment/{environment['id']}/{path}", token=token)
    assert len(answer["results"]) == count
    return statements


@pytest.fixture
def sizes(
    api: Api,
    owner_token: str,
    organization: Json,
    project: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
) -> tuple[Json, Json]:
    """An environment with 2 services of each kind, and one with 200."""
    args = (api, owner_token, organization, project, cluster, sessions)
    return _filled(*args, count=2), _filled(*args, count=200)


class TestList:
    @pytest.mark.parametrize("resource", RESOURCES)
    def test_statement_count_does_not_grow(
        self, api: Api, owner_token: str, sizes: tuple[Json, Json], resource: str
    ) -> None:
        small, large = sizes
        few = _listing_statements(api, owner_token, small, resource, count=2)
        many = _listing_statements(api, owner_token, large, resource, count=200)

        assert len(few) == len(many), many


class TestListStatuses:
    @pytest.mark.parametrize("resource", RESOURCES)
    def test_statement_count_does_not_grow(
        self, api: Api, owner_token: str, sizes: tuple[Json, Json], resource: str
    ) -> None:
        small, large = sizes
        path = f"{resource}/status"
        few = _listing_statements(api, owner_token, small, path, count=2)
        many = _listing_statements(api, owner_token, large, path, count=200)

        assert len(few) == len(many), many


class TestListServicesByEnvironmentId:
    def test_statement_count_does_not_grow(
        self, api: Api, owner_token: str, sizes: tuple[Json, Json]
    ) -> None:
        small, large = sizes
        few = _listing_statements(api, owner_token, small, "services", count=10)
        many = _listing_statements(api, owner_token, large, "services", count=1000)

        assert len(few) == len(many), many
