"""envplane against the official OpenAPI document: every foundation operation
answers with its documented status and a body its documented schema accepts."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from envplane.auth.roles import Role
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.contract.walk import Json, Scenario, Walk
from tests.fixtures.api import Api

if not DOCUMENT_PATH.is_file():
    pytest.skip(
        f"the official OpenAPI document is not at {DOCUMENT_PATH}; "
        "place the shared qovery-api folder beside the repository to run these",
        allow_module_level=True,
    )

CONTRACT = Contract.load(DOCUMENT_PATH)
FOUNDATION = sorted(op.operation_id for op in CONTRACT.tier("foundation"))

# A valid body for each documented request schema, for calls whose data does not
# matter; each is checked against its schema before it is sent.
SAMPLE_BODIES: dict[str, Json] = {
    "OrganizationRequest": {"name": "acme", "plan": "FREE"},
    "OrganizationEditRequest": {"name": "acme", "plan": "FREE"},
    "OrganizationApiTokenCreateRequest": {"name": "ci", "role_id": str(Role.ADMIN.id)},
    "ClusterRequest": {"name": "main", "region": "eu-west-3", "cloud_provider": "AWS"},
    "ProjectRequest": {"name": "shop"},
    "CreateEnvironmentRequest": {"name": "staging", "mode": "STAGING"},
    "EnvironmentEditRequest": {"name": "staging"},
    "CloneEnvironmentRequest": {"name": "preview", "mode": "PREVIEW"},
    "EnvironmentVariableRequest": {"key": "LOG_LEVEL", "value": "debug"},
    "EnvironmentVariableEditRequest": {"key": "LOG_LEVEL", "value": "info"},
    "SecretRequest": {"key": "API_KEY", "value": "sk-test"},
    "SecretEditRequest": {"key": "API_KEY", "value": "sk-test-2"},
    "Value": {"value": "override"},
    "Key": {"key": "ALIAS"},
}

# A getOrganization answer the document accepts, to spoil one field at a time.
ORGANIZATION_ANSWER: Json = {
    "id": "5a1d3c1e-0c8e-4f5e-9a43-2b7d6f0c9e11",
    "created_at": "2026-12-03T17:57:51.845372Z",
    "name": "acme",
    "plan": "TEAM",
    "owner": "0b7f1a52-6f0e-4a0b-8d8e-7c2d1e4f5a6b",
    "organization_plan": {"plan": "TEAM"},
}

# Where a path parameter's id comes from when a case does not set it.
PARENT_FIXTURES = {
    "organizationId": "organization",
    "clusterId": "cluster",
    "projectId": "project",
    "environmentId": "environment",
}


@dataclass(frozen=True)
class BadInput:
    operation_id: str
    body: Json | None = None
    path: dict[str, str] = field(default_factory=dict)


def bad(name: str, operation_id: str, **kwargs: Any) -> Any:
    return pytest.param(BadInput(operation_id, **kwargs), id=f"{operation_id}-{name}")


BAD_INPUTS = [
    bad("unknown-plan", "createOrganization", body={"name": "a", "plan": "GOLD"}),
    bad(
        "unknown-cloud-provider",
        "createCluster",
        body={"name": "main", "region": "eu-west-3", "cloud_provider": "MARS"},
    ),
    bad("preview-mode", "createEnvironment", body={"name": "pr", "mode": "PREVIEW"}),
    bad("unknown-mode", "editEnvironment", body={"name": "prod", "mode": "LIVE"}),
    bad("unknown-mode", "cloneEnvironment", body={"name": "copy", "mode": "LIVE"}),
    bad(
        "unknown-scope",
        "createOrganizationApiToken",
        body={"name": "ci", "role_id": None, "scope": "ROOT"},
    ),
    bad("missing-name", "createOrganization", body={"plan": "FREE"}),
    bad("missing-name", "createProject", body={"description": "no name"}),
    bad("missing-name", "editProject", body={"description": "no name"}),
    bad(
        "missing-name",
        "createCluster",
        body={"region": "eu-west-3", "cloud_provider": "AWS"},
    ),
    bad("missing-name", "createEnvironment", body={"mode": "DEVELOPMENT"}),
    bad("missing-name", "cloneEnvironment", body={"mode": "PREVIEW"}),
    bad(
        "missing-name",
        "createOrganizationApiToken",
        body={"role_id": str(Role.ADMIN.id)},
    ),
    bad("missing-key", "createProjectEnvironmentVariable", body={"value": "x"}),
    bad("missing-key", "createEnvironmentSecret", body={"value": "x"}),
    bad(
        "malformed-cluster",
        "createEnvironment",
        body={"name": "staging", "cluster": "main"},
    ),
    bad(
        "malformed-project",
        "cloneEnvironment",
        body={"name": "copy", "project_id": "shop"},
    ),
    bad(
        "malformed-role",
        "createOrganizationApiToken",
        body={"name": "ci", "role_id": "ADMIN"},
    ),
    bad("malformed-id", "getOrganization", path={"organizationId": "acme"}),
    bad("malformed-id", "getProject", path={"projectId": "not-a-uuid"}),
    bad("malformed-id", "deleteProject", path={"projectId": "42"}),
    bad("malformed-id", "listEnvironment", path={"projectId": "not-a-uuid"}),
    bad("malformed-id", "listProjectSecrets", path={"projectId": "not-a-uuid"}),
    bad("malformed-id", "getEnvironment", path={"environmentId": "not-a-uuid"}),
    bad("malformed-id", "getEnvironmentStatus", path={"environmentId": "0"}),
    bad("malformed-id", "deleteCluster", path={"clusterId": "not-a-uuid"}),
    bad(
        "malformed-id",
        "deleteOrganizationApiToken",
        path={"apiTokenId": "not-a-uuid"},
    ),
    bad("malformed-id", "deleteProjectSecret", path={"secretId": "not-a-uuid"}),
    bad(
        "malformed-id",
        "deleteEnvironmentEnvironmentVariable",
        path={"environmentVariableId": "not-a-uuid"},
    ),
]


@pytest.fixture(scope="module")
def walk(module_client: TestClient, module_api: Api) -> Walk:
    walk = Walk(module_client, CONTRACT)
    owner_token = module_api.user_token("contract-owner@example.com")
    walk.run(Scenario(walk, owner_token=owner_token).steps)
    return walk


def assert_error(response: httpx2.Response, status: int) -> None:
    request = response.request
    assert response.status_code == status, (
        f"{request.method} {request.url.path} answered {response.status_code}, "
        f"expected {status}: {response.text}"
    )
    assert response.headers.get("content-type", "").startswith("application/json")
    message = response.json().get("message")
    assert isinstance(message, str) and message.strip(), response.text


class TestDocumentedAnswer:
    @pytest.mark.parametrize("operation_id", FOUNDATION)
    def test_valid(self, walk: Walk, operation_id: str) -> None:
        walk.assert_documented(operation_id)


class TestCoverage:
    def test_every_foundation_operation(self, walk: Walk) -> None:
        verified = walk.verified()

        missing = sorted(set(FOUNDATION) - verified)
        assert not missing, f"{len(missing)} operations not verified: {missing}"
        assert verified == set(FOUNDATION)


class TestPublishedDocument:
    """envplane's own OpenAPI document serves every operation of the tiers it
    implements under the official path and operationId, so generated clients and
    docs line up, and documents no 422."""

    def test_operations_match(self, module_client: TestClient) -> None:
        published = module_client.get("/openapi.json").json()["paths"]
        ours = {
            (method.upper(), path): operation["operationId"]
            for path, operations in published.items()
            for method, operation in operations.items()
        }

        served = [*CONTRACT.tier("foundation"), *CONTRACT.tier("services")]
        for operation in served:
            key = (operation.method, operation.path)
            assert ours.get(key) == operation.operation_id, key
        assert not any(
            "422" in operation.get("responses", {})
            for operations in published.values()
            for operation in operations.values()
        )


class TestChecks:
    """The checks the walk relies on do fail on answers the document refuses."""

    @pytest.mark.parametrize(
        ("change", "complaint"),
        [
            pytest.param({"id": "42"}, "is not a 'uuid'", id="malformed-uuid"),
            pytest.param(
                {"created_at": "yesterday"}, "is not a 'date-time'", id="bad-date"
            ),
            pytest.param({"id": None}, "'id' is a required", id="missing-id"),
            pytest.param({"plan": "GOLD"}, "is not one of", id="unknown-enum"),
            pytest.param({"name": None}, "'name' is a required", id="missing-name"),
        ],
    )
    def test_answer_refused(self, change: Json, complaint: str) -> None:
        operation = CONTRACT.operations["getOrganization"]
        assert not CONTRACT.response_errors(operation, ORGANIZATION_ANSWER)
        body = {**ORGANIZATION_ANSWER, **change}
        body = {name: value for name, value in body.items() if value is not None}

        errors = CONTRACT.response_errors(operation, body)

        assert any(complaint in error for error in errors), errors

    def test_body_where_none_is_documented(self) -> None:
        operation = CONTRACT.operations["deleteOrganization"]
        assert CONTRACT.response_errors(operation, {"deleted": True})


class TestInvalidInput:
    @pytest.mark.parametrize("case", BAD_INPUTS)
    def test_bad_request(
        self,
        request: pytest.FixtureRequest,
        client: TestClient,
        owner_token: str,
        case: BadInput,
    ) -> None:
        operation = CONTRACT.operations[case.operation_id]
        if case.body is not None:
            assert CONTRACT.request_errors(operation, case.body), (
                "the document accepts this body; the case proves nothing"
            )
        params = {
            name: case.path[name] if name in case.path else _existing(request, name)
            for name in operation.path_params
        }

        response = client.request(
            operation.method,
            operation.url(**params),
            json=case.body,
            headers={"Authorization": f"Bearer {owner_token}"},
        )

        assert_error(response, 400)


def _existing(request: pytest.FixtureRequest, parameter: str) -> str:
    """The id of a real parent for ``parameter``, or a fresh one for the others."""
    if parameter not in PARENT_FIXTURES:
        return str(uuid.uuid4())
    parent: Json = request.getfixturevalue(PARENT_FIXTURES[parameter])
    return str(parent["id"])


class TestAnonymous:
    @pytest.mark.parametrize("operation_id", FOUNDATION)
    def test_unauthorized(self, client: TestClient, operation_id: str) -> None:
        operation = CONTRACT.operations[operation_id]
        params = {name: str(uuid.uuid4()) for name in operation.path_params}
        schema = operation.request_schema_name
        body = SAMPLE_BODIES[schema] if schema else None
        assert not CONTRACT.request_errors(operation, body)

        response = client.request(operation.method, operation.url(**params), json=body)

        assert_error(response, 401)
