"""A walk through every foundation operation: real calls, in an order where each
finds what it needs, every answer kept for the checks in ``test_openapi.py``."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.contract.openapi import Contract, Operation

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    operation: Operation
    url: str
    request: Any
    request_errors: list[str]
    status: int
    body: Any
    expected: int

    def describe(self) -> str:
        return f"{self.operation.method} {self.url} answered {self.status}: {self.body}"


class Stopped(Exception):
    """A step cannot go on: one of its calls failed, or it needs something an
    earlier step did not create."""


class Walk:
    def __init__(self, client: TestClient, contract: Contract):
        self.client = client
        self.contract = contract
        self.calls: list[Call] = []
        self.stopped: dict[str, str] = {}

    def call(
        self,
        operation_id: str,
        *,
        token: str,
        scheme: str = "Bearer",
        json: Json | None = None,
        expect: int | None = None,
        **path: str,
    ) -> Any:
        """Call an operation; its answer's body, if it is the one expected: the
        documented success unless ``expect`` names another documented status."""
        operation = self.contract.operations[operation_id]
        expected = expect or operation.success
        url = operation.url(**path)
        request_errors = self.contract.request_errors(operation, json)
        headers = {"Authorization": f"{scheme} {token}"}
        try:
            response = self.client.request(
                operation.method, url, json=json, headers=headers
            )
        except Exception as error:
            # The test client re-raises what the server raised. Keep it as a 500
            # and go on with the steps that do not depend on this call.
            status, body = 500, repr(error)
        else:
            status, body = response.status_code, _body(response)

        call = Call(operation, url, json, request_errors, status, body, expected)
        self.calls.append(call)
        if status != expected:
            raise Stopped(f"{operation_id} answered {status}")
        return body

    def run(self, steps: Iterable[Callable[[], None]]) -> None:
        for step in steps:
            try:
                step()
            except Stopped as reason:
                self.stopped[step.__name__] = str(reason)

    def calls_of(self, operation_id: str) -> list[Call]:
        return [c for c in self.calls if c.operation.operation_id == operation_id]

    def problems(self, call: Call) -> list[str]:
        """Where ``call`` departs from the document, from request to answer."""
        problems = [f"request body: {error}" for error in call.request_errors]
        if call.expected not in call.operation.documented:
            problems.append(f"{call.expected} is not documented for this operation")
        if call.status != call.expected:
            return [*problems, f"{call.describe()}; expected {call.expected}"]
        if call.status >= 400:
            if not (isinstance(call.body, dict) and call.body.get("message")):
                problems.append(f"error answer without a message: {call.body}")
            return problems
        errors = self.contract.response_errors(call.operation, call.body)
        return problems + [f"answer body: {error}" for error in errors]

    def assert_documented(self, operation_id: str) -> None:
        """Fail unless the walk called ``operation_id`` and every call of it
        went as the document says."""
        calls = self.calls_of(operation_id)
        assert calls, (
            f"the walk never called {operation_id}; steps that stopped early: "
            f"{self.stopped}"
        )
        for call in calls:
            problems = self.problems(call)
            assert not problems, "\n".join(problems)

    def verified(self) -> set[str]:
        """Operations called at least once, every call as the document says."""
        called = {call.operation.operation_id for call in self.calls}
        failed = {c.operation.operation_id for c in self.calls if self.problems(c)}
        return called - failed


def _body(response: Any) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


class Scenario:
    """What the walk builds, one step per method, in the order the steps run.

    A step stops at its first failed call; the steps after it still run, and
    those needing what it would have created stop too, saying so.
    """

    def __init__(self, walk: Walk, *, owner_token: str):
        self.walk = walk
        self.owner_token = owner_token
        self.ids: dict[str, str] = {}
        self.api_token: str | None = None

    @property
    def steps(self) -> list[Callable[[], None]]:
        return [
            self.organization,
            self.roles,
            self.api_token_created,
            self.members,
            self.cluster,
            self.project,
            self.environment,
            self.project_variable,
            self.project_variable_alias,
            self.project_variable_override,
            self.project_variables_listed,
            self.project_secret,
            self.project_secret_alias,
            self.project_secret_override,
            self.project_secrets_listed,
            self.environment_variable,
            self.environment_variable_alias,
            self.environment_variable_override,
            self.environment_variables_listed,
            self.environment_secret,
            self.environment_secret_alias,
            self.environment_secret_override,
            self.environment_secrets_listed,
            self.statuses,
            self.clone,
            self.organization_edited,
            self.cluster_edited,
            self.project_edited,
            self.environment_edited,
            self.project_variable_edited,
            self.environment_variable_edited,
            self.project_secret_edited,
            self.environment_secret_edited,
            self.environment_variable_deleted,
            self.project_variable_deleted,
            self.environment_secret_deleted,
            self.project_secret_deleted,
            self.clone_deleted,
            self.environment_deleted,
            self.project_deleted,
            self.cluster_deleted,
            self.api_token_deleted,
            self.organization_deleted,
        ]

    def call(self, operation_id: str, **kwargs: Any) -> Any:
        kwargs.setdefault("token", self.owner_token)
        return self.walk.call(operation_id, **kwargs)

    def need(self, name: str) -> str:
        if name not in self.ids:
            raise Stopped(f"needs the {name} that an earlier step did not create")
        return self.ids[name]

    def as_api_token(self) -> Json:
        """Credentials of the organization's API token, as the official CLI sends
        them, or the owner's when the token could not be created."""
        if self.api_token is None:
            return {"token": self.owner_token}
        return {"token": self.api_token, "scheme": "Token"}

    def organization(self) -> None:
        body = {
            "name": "contract-walk",
            "plan": "TEAM",
            "description": "Made by the contract test",
            "website_url": "https://example.com",
            "admin_emails": ["ops@example.com"],
        }
        organization = self.call("createOrganization", json=body)
        self.ids["organization"] = organization["id"]
        self.call("getOrganization", organizationId=organization["id"])
        self.call("listOrganization")

    def roles(self) -> None:
        organization_id = self.need("organization")
        roles = self.call(
            "listOrganizationAvailableRoles", organizationId=organization_id
        )
        admin = [role["id"] for role in roles["results"] if role["name"] == "ADMIN"]
        if not admin:
            raise Stopped("listOrganizationAvailableRoles offered no ADMIN role")
        self.ids["admin_role"] = admin[0]

    def api_token_created(self) -> None:
        organization_id = self.need("organization")
        body = {
            "name": "ci",
            "description": "Pipelines",
            "role_id": self.need("admin_role"),
        }
        token = self.call(
            "createOrganizationApiToken", organizationId=organization_id, json=body
        )
        self.ids["api_token"] = token["id"]
        self.api_token = token["token"]
        self.call("listOrganizationApiTokens", organizationId=organization_id)

    def members(self) -> None:
        self.call("getOrganizationMembers", organizationId=self.need("organization"))

    def cluster(self) -> None:
        organization_id = self.need("organization")
        body = {
            "name": "main",
            "region": "eu-west-3",
            "cloud_provider": "AWS",
            "description": "The production cluster",
            "min_running_nodes": 1,
            "max_running_nodes": 3,
        }
        cluster = self.call("createCluster", organizationId=organization_id, json=body)
        self.ids["cluster"] = cluster["id"]
        self.call(
            "listOrganizationCluster",
            organizationId=organization_id,
            **self.as_api_token(),
        )

    def project(self) -> None:
        organization_id = self.need("organization")
        body = {"name": "shop", "description": "The web shop"}
        project = self.call("createProject", organizationId=organization_id, json=body)
        self.ids["project"] = project["id"]
        self.call("getProject", projectId=project["id"])
        self.call("listProject", organizationId=organization_id, **self.as_api_token())

    def environment(self) -> None:
        project_id = self.need("project")
        body = {
            "name": "production",
            "mode": "PRODUCTION",
            "cluster": self.need("cluster"),
        }
        environment = self.call("createEnvironment", projectId=project_id, json=body)
        self.ids["environment"] = environment["id"]
        self.call("getEnvironment", environmentId=environment["id"])
        self.call("listEnvironment", projectId=project_id)

    def project_variable(self) -> None:
        body = {
            "key": "DATABASE_HOST",
            "value": "db.internal",
            "description": "Where the shop's database listens",
        }
        variable = self.call(
            "createProjectEnvironmentVariable",
            projectId=self.need("project"),
            json=body,
        )
        self.ids["project_variable"] = variable["id"]

    def project_variable_alias(self) -> None:
        self.call(
            "createProjectEnvironmentVariableAlias",
            projectId=self.need("project"),
            environmentVariableId=self.need("project_variable"),
            json={"key": "PRIMARY_DATABASE_HOST"},
        )

    def project_variable_override(self) -> None:
        # Only built-ins are broader than a project: override the project's own.
        built_in = next(
            entry["id"]
            for entry in self.project_variables_listed()
            if entry["key"] == "QOVERY_PROJECT_ID"
        )
        self.call(
            "createProjectEnvironmentVariableOverride",
            projectId=self.need("project"),
            environmentVariableId=built_in,
            json={"value": "shop"},
        )

    def project_variables_listed(self) -> list[Json]:
        listed = self.call(
            "listProjectEnvironmentVariable", projectId=self.need("project")
        )
        return listed["results"]  # type: ignore[no-any-return]

    def project_secret(self) -> None:
        body = {"key": "DATABASE_PASSWORD", "value": "correct-horse-battery"}
        secret = self.call(
            "createProjectSecret", projectId=self.need("project"), json=body
        )
        self.ids["project_secret"] = secret["id"]

    def project_secret_alias(self) -> None:
        self.call(
            "createProjectSecretAlias",
            projectId=self.need("project"),
            secretId=self.need("project_secret"),
            json={"key": "PRIMARY_DATABASE_PASSWORD"},
        )

    def project_secret_override(self) -> None:
        # No built-in secret lives above a project, so the only secret a project
        # override could target is at its own scope: the documented 400.
        self.call(
            "createProjectSecretOverride",
            projectId=self.need("project"),
            secretId=self.need("project_secret"),
            json={"value": "staple-horse-battery"},
            expect=400,
        )

    def project_secrets_listed(self) -> None:
        self.call("listProjectSecrets", projectId=self.need("project"))

    def environment_variable(self) -> None:
        body = {"key": "LOG_LEVEL", "value": "debug"}
        variable = self.call(
            "createEnvironmentEnvironmentVariable",
            environmentId=self.need("environment"),
            json=body,
        )
        self.ids["environment_variable"] = variable["id"]

    def environment_variable_alias(self) -> None:
        self.call(
            "createEnvironmentEnvironmentVariableAlias",
            environmentId=self.need("environment"),
            environmentVariableId=self.need("project_variable"),
            json={"key": "DB_HOST", "description": "Shorter, for the old worker"},
        )

    def environment_variable_override(self) -> None:
        self.call(
            "createEnvironmentEnvironmentVariableOverride",
            environmentId=self.need("environment"),
            environmentVariableId=self.need("project_variable"),
            json={"value": "db.production.internal"},
        )

    def environment_variables_listed(self) -> None:
        self.call(
            "listEnvironmentEnvironmentVariable", environmentId=self.need("environment")
        )

    def environment_secret(self) -> None:
        secret = self.call(
            "createEnvironmentSecret",
            environmentId=self.need("environment"),
            json={"key": "PAYMENT_API_KEY", "value": "sk-live-0000"},
        )
        self.ids["environment_secret"] = secret["id"]

    def environment_secret_alias(self) -> None:
        self.call(
            "createEnvironmentSecretAlias",
            environmentId=self.need("environment"),
            secretId=self.need("project_secret"),
            json={"key": "DB_PASSWORD"},
        )

    def environment_secret_override(self) -> None:
        self.call(
            "createEnvironmentSecretOverride",
            environmentId=self.need("environment"),
            secretId=self.need("project_secret"),
            json={"value": "production-only-password"},
        )

    def environment_secrets_listed(self) -> None:
        self.call("listEnvironmentSecrets", environmentId=self.need("environment"))

    def statuses(self) -> None:
        self.call("getEnvironmentStatus", environmentId=self.need("environment"))
        self.call("getProjectEnvironmentsStatus", projectId=self.need("project"))

    def clone(self) -> None:
        body = {"name": "preview-42", "mode": "PREVIEW", "apply_deployment_rule": False}
        clone = self.call(
            "cloneEnvironment", environmentId=self.need("environment"), json=body
        )
        self.ids["clone"] = clone["id"]

    def organization_edited(self) -> None:
        body = {
            "name": "contract-walk",
            "plan": "TEAM",
            "description": "Edited by the contract test",
            "website_url": "https://example.org",
        }
        self.call(
            "editOrganization", organizationId=self.need("organization"), json=body
        )

    def cluster_edited(self) -> None:
        body = {
            "name": "main",
            "region": "eu-west-3",
            "cloud_provider": "AWS",
            "description": "The production cluster, grown",
            "max_running_nodes": 5,
        }
        self.call(
            "editCluster",
            organizationId=self.need("organization"),
            clusterId=self.need("cluster"),
            json=body,
        )

    def project_edited(self) -> None:
        body = {"name": "shop", "description": "The web shop and its back office"}
        self.call("editProject", projectId=self.need("project"), json=body)

    def environment_edited(self) -> None:
        body = {"name": "production-eu", "mode": "PRODUCTION"}
        self.call("editEnvironment", environmentId=self.need("environment"), json=body)

    def project_variable_edited(self) -> None:
        self.call(
            "editProjectEnvironmentVariable",
            projectId=self.need("project"),
            environmentVariableId=self.need("project_variable"),
            json={"key": "DATABASE_HOST", "value": "db2.internal"},
        )

    def environment_variable_edited(self) -> None:
        self.call(
            "editEnvironmentEnvironmentVariable",
            environmentId=self.need("environment"),
            environmentVariableId=self.need("environment_variable"),
            json={"key": "LOG_LEVEL", "value": "info", "description": "Quieter"},
        )

    def project_secret_edited(self) -> None:
        self.call(
            "editProjectSecret",
            projectId=self.need("project"),
            secretId=self.need("project_secret"),
            json={"key": "DATABASE_PASSWORD", "value": "rotated-horse-battery"},
        )

    def environment_secret_edited(self) -> None:
        self.call(
            "editEnvironmentSecret",
            environmentId=self.need("environment"),
            secretId=self.need("environment_secret"),
            json={"key": "PAYMENT_API_KEY", "value": "sk-live-0001"},
        )

    def environment_variable_deleted(self) -> None:
        self.call(
            "deleteEnvironmentEnvironmentVariable",
            environmentId=self.need("environment"),
            environmentVariableId=self.need("environment_variable"),
        )

    def project_variable_deleted(self) -> None:
        self.call(
            "deleteProjectEnvironmentVariable",
            projectId=self.need("project"),
            environmentVariableId=self.need("project_variable"),
        )

    def environment_secret_deleted(self) -> None:
        self.call(
            "deleteEnvironmentSecret",
            environmentId=self.need("environment"),
            secretId=self.need("environment_secret"),
        )

    def project_secret_deleted(self) -> None:
        self.call(
            "deleteProjectSecret",
            projectId=self.need("project"),
            secretId=self.need("project_secret"),
        )

    def clone_deleted(self) -> None:
        self.call("deleteEnvironment", environmentId=self.need("clone"))

    def environment_deleted(self) -> None:
        self.call("deleteEnvironment", environmentId=self.need("environment"))

    def project_deleted(self) -> None:
        self.call("deleteProject", projectId=self.need("project"))

    def cluster_deleted(self) -> None:
        self.call(
            "deleteCluster",
            organizationId=self.need("organization"),
            clusterId=self.need("cluster"),
        )

    def api_token_deleted(self) -> None:
        self.call(
            "deleteOrganizationApiToken",
            organizationId=self.need("organization"),
            apiTokenId=self.need("api_token"),
        )

    def organization_deleted(self) -> None:
        self.call("deleteOrganization", organizationId=self.need("organization"))
