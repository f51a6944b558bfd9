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


def database_body(**changes: Any) -> Json:
    return {
        "name": "orders-db",
        "description": "Orders of the shop",
        "type": "POSTGRESQL",
        "version": "16",
        "mode": "CONTAINER",
        "accessibility": "PRIVATE",
        "storage": 20,
        **changes,
    }


def job_body(**changes: Any) -> Json:
    """A nightly backup, built from the shop's repository."""
    return {
        "name": "nightly-backup",
        "description": "Dumps the orders database to object storage",
        "cpu": 250,
        "memory": 256,
        "max_nb_restart": 2,
        "max_duration_seconds": 1800,
        "source": {
            "docker": {
                "git_repository": {
                    "url": "https://github.com/acme/shop-jobs.git",
                    "owner": "acme",
                    "name": "shop-jobs",
                    "branch": "main",
                    "provider": "GITHUB",
                },
                "dockerfile_path": "backup/Dockerfile",
            }
        },
        "healthchecks": {},
        "schedule": {
            "cronjob": {
                "scheduled_at": "30 2 * * *",
                "timezone": "Europe/Paris",
                "arguments": ["--bucket", "backups"],
            }
        },
        **changes,
    }


def image_job_body(registry_id: str, **changes: Any) -> Json:
    """A migration run on every deployment, from an image."""
    image = {"image_name": "acme/migrate", "tag": "2.3.0", "registry_id": registry_id}
    return job_body(
        **{
            "name": "migrate",
            "source": {"image": image},
            "schedule": {"on_start": {"entrypoint": "/migrate", "arguments": ["up"]}},
            **changes,
        }
    )


def helm_body(**changes: Any) -> Json:
    """Redis from a git repository, with a values file and one port."""
    return {
        "name": "cache",
        "description": "Session cache",
        "auto_deploy": True,
        "timeout_sec": 300,
        "source": {
            "git_repository": {
                "url": "https://github.com/acme/charts.git",
                "owner": "acme",
                "name": "charts",
                "branch": "main",
                "root_path": "/redis",
                "provider": "GITHUB",
            }
        },
        "arguments": ["--wait"],
        "values_override": {
            "set": [["replica.replicaCount", "2"]],
            "set_json": [["resources", '{"limits": {"memory": "256Mi"}}']],
            "file": {"raw": {"values": [{"name": "prod.yaml", "content": "x: 1"}]}},
        },
        "ports": [
            {
                "name": "redis",
                "internal_port": 6379,
                "protocol": "HTTP",
                "is_default": True,
                "service_name": "cache-redis-master",
            }
        ],
        **changes,
    }


def chart_body(repository_id: str, **changes: Any) -> Json:
    """A chart of one of the organization's helm repositories."""
    chart = {
        "repository": repository_id,
        "chart_name": "postgresql",
        "chart_version": "15.5.0",
    }
    return helm_body(
        **{"name": "postgres-chart", "source": {"helm_repository": chart}, **changes}
    )
