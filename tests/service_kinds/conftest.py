"""Realistic bodies of the database, job and helm kinds, the registries and
repositories they reference, and the official contract to check answers with."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import transaction
from envplane.models import ContainerRegistry, HelmRepository
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.fixtures.api import Api
from tests.fixtures.factories import Json

Conforms = Callable[[str, Any], None]
_CONTRACT: list[Contract] = []


@pytest.fixture
def contract() -> Contract:
    if not DOCUMENT_PATH.is_file():
        pytest.skip(f"the official OpenAPI document is not at {DOCUMENT_PATH}")
    if not _CONTRACT:
        _CONTRACT.append(Contract.load(DOCUMENT_PATH))
    return _CONTRACT[0]


@pytest.fixture
def conforms(contract: Contract) -> Conforms:
    """Assert that a body is what the named operation documents it answers."""

    def check(operation_id: str, body: Any) -> None:
        operation = contract.operations[operation_id]
        assert contract.response_errors(operation, body) == []

    return check


def add_registry(sessions: sessionmaker[Session], organization_id: str) -> str:
    with transaction(sessions) as session:
        registry = ContainerRegistry(
            organization_id=uuid.UUID(organization_id),
            name="hub",
            kind="DOCKER_HUB",
            url="https://docker.io",
        )
        session.add(registry)
        session.flush()
        return str(registry.id)


def add_helm_repository(sessions: sessionmaker[Session], organization_id: str) -> str:
    with transaction(sessions) as session:
        repository = HelmRepository(
            organization_id=uuid.UUID(organization_id),
            name="bitnami",
            kind="HTTPS",
            url="https://charts.bitnami.com/bitnami",
        )
        session.add(repository)
        session.flush()
        return str(repository.id)


@pytest.fixture
def registry_id(sessions: sessionmaker[Session], organization: Json) -> str:
    return add_registry(sessions, organization["id"])


@pytest.fixture
def helm_repository_id(sessions: sessionmaker[Session], organization: Json) -> str:
    return add_helm_repository(sessions, organization["id"])


@pytest.fixture
def rival(api: Api, outsider_token: str) -> Json:
    """Another organization, with an environment, owned by the outsider."""
    body = {"name": "rival", "plan": "TEAM"}
    organization = api.post("/organization", token=outsider_token, json=body)
    path = f"/organization/{organization['id']}"
    cluster = api.post(
        f"{path}/cluster",
        token=outsider_token,
        json={"name": "c", "region": "eu-west-3", "cloud_provider": "AWS"},
    )
    project = api.post(
        f"{path}/project", token=outsider_token, json={"name": "p"}, expect=200
    )
    environment = api.post(
        f"/project/{project['id']}/environment",
        token=outsider_token,
        json={"name": "prod", "cluster": cluster["id"]},
    )
    return {"organization": organization, "environment": environment}
