"""envplane against the official OpenAPI document: every services operation
answers with its documented status and a body its documented schema accepts."""

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.contract.openapi import Operation
from tests.contract.test_openapi import CONTRACT, SAMPLE_BODIES, assert_error
from tests.contract.walk import Json, Walk
from tests.contract.walk_services import ServicesScenario
from tests.fixtures.api import Api

SERVICES = sorted(op.operation_id for op in CONTRACT.tier("services"))

# A valid body for each request schema the services tier adds to the
# foundation's, keyed by operationId where the schema is written inline; each is
# checked against its schema before it is sent.
SERVICES_SAMPLE_BODIES: dict[str, Json] = {
    "ApplicationRequest": {
        "name": "api",
        "git_repository": {
            "url": "https://github.com/acme/api.git",
            "owner": "acme",
            "name": "api",
            "provider": "GITHUB",
        },
        "healthchecks": {},
    },
    "ApplicationEditRequest": {"healthchecks": {}},
    "ContainerRequest": {
        "name": "worker",
        "registry_id": str(uuid.uuid4()),
        "image_name": "acme/worker",
        "tag": "1.0.0",
        "healthchecks": {},
    },
    "DatabaseRequest": {
        "name": "db",
        "type": "POSTGRESQL",
        "version": "16",
        "mode": "CONTAINER",
    },
    "DatabaseEditRequest": {"storage": 20},
    "JobRequest": {
        "name": "migrate",
        "healthchecks": {},
        "source": {"image": {"image_name": "acme/migrate", "tag": "1.0.0"}},
        "schedule": {"on_start": {}},
    },
    # Without owner and name, as the walk's helm body explains.
    "HelmRequest": {
        "name": "cache",
        "source": {
            "git_repository": {
                "url": "https://github.com/acme/charts.git",
                "provider": "GITHUB",
            }
        },
        "arguments": [],
        "allow_cluster_wide_resources": False,
        "auto_deploy": True,
        "values_override": {"set": [], "set_string": [], "set_json": []},
    },
    "CloneServiceRequest": {"name": "copy", "environment_id": str(uuid.uuid4())},
    "CustomDomainRequest": {"domain": "shop.example.com", "generate_certificate": True},
    "DeploymentStageRequest": {"name": "migrations"},
    "ContainerRegistryRequest": {"name": "hub", "kind": "DOCKER_HUB", "config": {}},
    "HelmRepositoryRequest": {
        "name": "charts",
        "kind": "HTTPS",
        "url": "https://charts.example.com",
        "skip_tls_verification": False,
        "config": {},
    },
    "AttachServiceToDeploymentStage": {"is_skipped": False},
}


def sample_body(operation: Operation) -> Json | None:
    """A body the document accepts for ``operation``; None when it takes none."""
    if operation.request_schema is None:
        return None
    key = operation.request_schema_name or operation.operation_id
    return {**SAMPLE_BODIES, **SERVICES_SAMPLE_BODIES}[key]


@pytest.fixture(scope="module")
def walk(module_client: TestClient, module_api: Api) -> Walk:
    walk = Walk(module_client, CONTRACT)
    owner_token = module_api.user_token("contract-owner@example.com")
    walk.run(ServicesScenario(walk, owner_token=owner_token).steps)
    return walk


class TestDocumentedAnswer:
    @pytest.mark.parametrize("operation_id", SERVICES)
    def test_valid(self, walk: Walk, operation_id: str) -> None:
        walk.assert_documented(operation_id)


class TestCoverage:
    def test_every_services_operation(self, walk: Walk) -> None:
        missing = sorted(set(SERVICES) - walk.verified())

        assert not missing, f"{len(missing)} operations not verified: {missing}"


class TestAnonymous:
    @pytest.mark.parametrize("operation_id", SERVICES)
    def test_unauthorized(self, client: TestClient, operation_id: str) -> None:
        operation = CONTRACT.operations[operation_id]
        params = {name: str(uuid.uuid4()) for name in operation.path_params}
        body = sample_body(operation)
        assert not CONTRACT.request_errors(operation, body)

        response = client.request(operation.method, operation.url(**params), json=body)

        assert_error(response, 401)
