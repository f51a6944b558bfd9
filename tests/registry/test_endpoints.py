import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.models import ContainerRegistry, HelmRepository
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.fixtures.api import Api
from tests.fixtures.factories import Json
from tests.registry.conftest import AddService

SECRET = "s3cr3t-value"
AWS_KEYS = {"access_key_id": "AKIA1", "secret_access_key": SECRET}
LOGIN = {"username": "acme", "password": SECRET}
SCALEWAY = {
    "region": "fr-par",
    "scaleway_access_key": "SCW1",
    "scaleway_secret_key": SECRET,
    "scaleway_project_id": "project-1",
}
WORKLOAD_IDENTITY = {
    "region": "europe-west1",
    "gcp_credentials_type": "workload_identity_federation",
    "project_id": "acme",
    "service_account_email": "pull@acme.iam.gserviceaccount.com",
    "workload_identity_provider_resource": "projects/1/locations/global/x",
    "token_lifetime_seconds": 3600,
}
ECR_URL = "https://1.dkr.ecr.eu-west-3.amazonaws.com"
ROLE = {"role_arn": "arn:aws:iam::1:role/pull"}


@dataclass(frozen=True)
class Resource:
    segment: str
    # How the official operationIds name it: listContainerRegistry, ...
    operation: str
    model: type[ContainerRegistry] | type[HelmRepository]
    body: Json
    # The kinds of services that use a record, and their configuration.
    users: Callable[[str], list[tuple[str, Json]]]


CONTAINER_REGISTRY = Resource(
    segment="containerRegistry",
    operation="ContainerRegistry",
    model=ContainerRegistry,
    body={"name": "hub", "kind": "DOCKER_HUB", "config": LOGIN},
    users=lambda record_id: [
        ("CONTAINER", {"registry_id": record_id, "image_name": "nginx"}),
        ("JOB", {"source": {"image": {"registry_id": record_id}}}),
    ],
)
HELM_REPOSITORY = Resource(
    segment="helmRepository",
    operation="HelmRepository",
    model=HelmRepository,
    body={
        "name": "charts",
        "kind": "HTTPS",
        "url": "https://charts.example.com",
        "skip_tls_verification": False,
        "config": LOGIN,
    },
    users=lambda record_id: [
        (
            "HELM",
            {
                "source": {
                    "helm_repository": {"repository": record_id, "chart_name": "redis"}
                }
            },
        )
    ],
)


@pytest.fixture(scope="module")
def contract() -> Contract:
    if not DOCUMENT_PATH.is_file():
        pytest.skip(f"the official OpenAPI document is not at {DOCUMENT_PATH}")
    return Contract.load(DOCUMENT_PATH)


def _conforms(contract: Contract, operation_id: str, sent: Json, answer: Json) -> None:
    """``sent`` is a request and ``answer`` a response the official document
    accepts for ``operation_id``."""
    operation = contract.operations[operation_id]
    assert contract.request_errors(operation, sent) == []
    assert contract.response_errors(operation, answer) == []


@pytest.fixture(params=[CONTAINER_REGISTRY, HELM_REPOSITORY], ids=lambda r: r.segment)
def resource(request: pytest.FixtureRequest) -> Resource:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def record(api: Api, owner_token: str, organization: Json, resource: Resource) -> Json:
    return api.post(
        _path(organization, resource), token=owner_token, json=resource.body
    )  # type: ignore[no-any-return]


def _path(organization: Json, resource: Resource, record: Json | None = None) -> str:
    path = f"/organization/{organization['id']}/{resource.segment}"
    return f"{path}/{record['id']}" if record else path


def _stored(
    sessions: sessionmaker[Session], resource: Resource, record_id: str
) -> ContainerRegistry | HelmRepository:
    with sessions() as session:
        stored = session.get(resource.model, uuid.UUID(record_id))
        assert stored is not None
        return stored


def _decrypted(app: FastAPI, config: dict[str, Any]) -> dict[str, str]:
    encrypted = config.get("encrypted", {})
    return {key: app.state.cipher.decrypt(value) for key, value in encrypted.items()}


def _use(add_service: AddService, resource: Resource, record: Json) -> None:
    for kind, configuration in resource.users(record["id"]):
        add_service(kind, configuration)


def _loc(error: Json) -> list[Any]:
    assert error["status"] == 400 and error["errors"]
    return error["errors"][0]["loc"]  # type: ignore[no-any-return]


class TestCreate:
    @pytest.mark.parametrize(
        ("body", "url", "config"),
        [
            (
                {"kind": "ECR", "url": ECR_URL, "config": {"region": "r", **AWS_KEYS}},
                ECR_URL,
                {"region": "r", "access_key_id": "AKIA1"},
            ),
            (
                {"kind": "ECR", "url": ECR_URL, "config": {"region": "r", **ROLE}},
                ECR_URL,
                {"region": "r", **ROLE},
            ),
            (
                {
                    "kind": "SCALEWAY_CR",
                    "url": "https://rg.scw.cloud",
                    "config": SCALEWAY,
                },
                "https://rg.scw.cloud",
                {
                    "region": "fr-par",
                    "scaleway_access_key": "SCW1",
                    "scaleway_project_id": "project-1",
                },
            ),
            ({"kind": "DOCKER_HUB", "config": {}}, "https://docker.io", {}),
            (
                {"kind": "DOCKER_HUB", "url": "https://docker.io/", "config": LOGIN},
                "https://docker.io",
                {"username": "acme"},
            ),
            (
                {"kind": "GITHUB_CR", "config": LOGIN},
                "https://ghcr.io",
                {"username": "acme"},
            ),
            (
                {
                    "kind": "GITHUB_ENTERPRISE_CR",
                    "url": "https://ghcr.acme.com",
                    "config": LOGIN,
                },
                "https://ghcr.acme.com",
                {"username": "acme"},
            ),
            ({"kind": "GITLAB_CR", "config": {}}, "https://registry.gitlab.com", {}),
            (
                {"kind": "PUBLIC_ECR", "url": "https://public.ecr.aws", "config": {}},
                "https://public.ecr.aws",
                {},
            ),
            (
                {
                    "kind": "GENERIC_CR",
                    "url": "https://registry.acme.com:5000/v2",
                    "config": LOGIN,
                },
                "https://registry.acme.com:5000/v2",
                {"username": "acme"},
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": {"region": "europe-west1", "json_credentials": SECRET},
                },
                "https://europe-west1-docker.pkg.dev",
                {"region": "europe-west1"},
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": WORKLOAD_IDENTITY,
                },
                "https://europe-west1-docker.pkg.dev",
                WORKLOAD_IDENTITY,
            ),
            (
                {
                    "kind": "AZURE_CR",
                    "url": "https://acme.azurecr.io",
                    "config": {"azure_tenant_id": "t", "azure_subscription_id": "s"},
                },
                "https://acme.azurecr.io",
                {"azure_tenant_id": "t", "azure_subscription_id": "s"},
            ),
        ],
    )
    def test_container_registry(
        self,
        api: Api,
        app: FastAPI,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
        contract: Contract,
        body: Json,
        url: str,
        config: Json,
    ) -> None:
        path = _path(organization, CONTAINER_REGISTRY)
        sent = {"name": "images", "description": "where images live", **body}
        created = api.post(path, token=owner_token, json=sent)

        assert created == {
            "id": created["id"],
            "created_at": created["created_at"],
            "name": "images",
            "kind": body["kind"],
            "description": "where images live",
            "url": url,
            "associated_services_count": 0,
            "config": config,
        }
        stored = _stored(sessions, CONTAINER_REGISTRY, created["id"])
        secrets = {k: v for k, v in body["config"].items() if v == SECRET}
        assert _decrypted(app, stored.config) == secrets
        assert SECRET not in str(stored.config)
        assert api.get(f"{path}/{created['id']}", token=owner_token) == created
        _conforms(contract, "createContainerRegistry", sent, created)

    @pytest.mark.parametrize(
        ("body", "config"),
        [
            ({"kind": "HTTPS", "url": "https://charts.example.com", "config": {}}, {}),
            (
                {"kind": "HTTPS", "url": "https://charts.example.com", "config": LOGIN},
                {"username": "acme"},
            ),
            (
                {
                    "kind": "OCI_ECR",
                    "url": "oci://1.dkr.ecr.eu-west-3.amazonaws.com",
                    "config": {"region": "r", **AWS_KEYS},
                },
                {"region": "r", "access_key_id": "AKIA1"},
            ),
            (
                {
                    "kind": "OCI_ECR",
                    "url": "oci://1.dkr.ecr.eu-west-3.amazonaws.com",
                    "config": {"region": "r", **ROLE},
                },
                {"region": "r", **ROLE},
            ),
            (
                {
                    "kind": "OCI_SCALEWAY_CR",
                    "url": "oci://rg.scw.cloud",
                    "config": SCALEWAY,
                },
                {
                    "region": "fr-par",
                    "scaleway_access_key": "SCW1",
                    "scaleway_project_id": "project-1",
                },
            ),
            (
                {
                    "kind": "OCI_DOCKER_HUB",
                    "url": "oci://registry-1.docker.io",
                    "config": {},
                },
                {},
            ),
            (
                {
                    "kind": "OCI_PUBLIC_ECR",
                    "url": "oci://public.ecr.aws",
                    "config": AWS_KEYS,
                },
                {"access_key_id": "AKIA1"},
            ),
            (
                {
                    "kind": "OCI_GENERIC_CR",
                    "url": "oci://charts.acme.com",
                    "config": LOGIN,
                },
                {"username": "acme"},
            ),
            (
                {"kind": "OCI_GITHUB_CR", "url": "oci://ghcr.io/acme", "config": LOGIN},
                {"username": "acme"},
            ),
            (
                {
                    "kind": "OCI_GITLAB_CR",
                    "url": "oci://registry.gitlab.com",
                    "config": {},
                },
                {},
            ),
        ],
    )
    def test_helm_repository(
        self,
        api: Api,
        app: FastAPI,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
        contract: Contract,
        body: Json,
        config: Json,
    ) -> None:
        path = _path(organization, HELM_REPOSITORY)
        sent = {"name": "charts", "skip_tls_verification": True, **body}
        created = api.post(path, token=owner_token, json=sent)

        assert created == {
            "id": created["id"],
            "created_at": created["created_at"],
            "name": "charts",
            "kind": body["kind"],
            "url": body["url"],
            "skip_tls_verification": True,
            "associated_services_count": 0,
            "config": config,
        }
        stored = _stored(sessions, HELM_REPOSITORY, created["id"])
        secrets = {k: v for k, v in body["config"].items() if v == SECRET}
        assert _decrypted(app, stored.config) == secrets
        assert SECRET not in str(stored.config)
        _conforms(contract, "createHelmRepository", sent, created)

    @pytest.mark.parametrize(
        ("change", "loc"),
        [
            ({"name": None}, ["body", "name"]),
            ({"name": ""}, ["body", "name"]),
            ({"name": "   "}, ["body", "name"]),
            ({"name": "x" * 256}, ["body", "name"]),
            ({"description": "x" * 256}, ["body", "description"]),
            ({"kind": "QUAY"}, ["body", "kind"]),
            ({"kind": None}, ["body", "kind"]),
            (
                {"kind": "DOCR", "url": "https://registry.digitalocean.com"},
                ["body", "kind"],
            ),
            ({"config": None}, ["body", "config"]),
            ({"config": "username"}, ["body", "config"]),
            ({"config": {"token": "t"}}, ["body", "config", "token"]),
            ({"config": {"region": "r"}}, ["body", "config", "region"]),
            ({"config": {"password": "p"}}, ["body", "config", "username"]),
            ({"config": {"username": "u"}}, ["body", "config", "password"]),
            ({"config": {"username": ""}}, ["body", "config", "username"]),
            (
                {"config": {"username": 1, "password": "p"}},
                ["body", "config", "username"],
            ),
            ({"url": "https://index.docker.io"}, ["body", "url"]),
            ({"kind": "GENERIC_CR"}, ["body", "url"]),
            (
                {"kind": "GENERIC_CR", "url": "http://registry.acme.com"},
                ["body", "url"],
            ),
            ({"kind": "GENERIC_CR", "url": "https://"}, ["body", "url"]),
            ({"kind": "GENERIC_CR", "url": "registry.acme.com"}, ["body", "url"]),
            (
                {"kind": "ECR", "url": ECR_URL, "config": AWS_KEYS},
                ["body", "config", "region"],
            ),
            (
                {"kind": "ECR", "url": ECR_URL, "config": {"region": "r"}},
                ["body", "config", "access_key_id"],
            ),
            (
                {
                    "kind": "ECR",
                    "url": ECR_URL,
                    "config": {"region": "r", "access_key_id": "a"},
                },
                ["body", "config", "secret_access_key"],
            ),
            (
                {
                    "kind": "ECR",
                    "url": ECR_URL,
                    "config": {"region": "r", **AWS_KEYS, **ROLE},
                },
                ["body", "config", "role_arn"],
            ),
            (
                {"kind": "ECR", "config": {"region": "r", **ROLE}},
                ["body", "url"],
            ),
            (
                {
                    "kind": "SCALEWAY_CR",
                    "url": "https://rg.scw.cloud",
                    "config": {**SCALEWAY, "scaleway_project_id": None},
                },
                ["body", "config", "scaleway_project_id"],
            ),
            (
                {
                    "kind": "SCALEWAY_CR",
                    "url": "https://rg.scw.cloud",
                    "config": {**SCALEWAY, "scaleway_secret_key": None},
                },
                ["body", "config", "scaleway_secret_key"],
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": {"region": "europe-west1"},
                },
                ["body", "config", "json_credentials"],
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": {**WORKLOAD_IDENTITY, "project_id": None},
                },
                ["body", "config", "project_id"],
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": {**WORKLOAD_IDENTITY, "gcp_credentials_type": "oidc"},
                },
                ["body", "config", "gcp_credentials_type"],
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": {**WORKLOAD_IDENTITY, "token_lifetime_seconds": "60"},
                },
                ["body", "config", "token_lifetime_seconds"],
            ),
            (
                {
                    "kind": "GCP_ARTIFACT_REGISTRY",
                    "url": "https://europe-west1-docker.pkg.dev",
                    "config": {**WORKLOAD_IDENTITY, "token_lifetime_seconds": 0},
                },
                ["body", "config", "token_lifetime_seconds"],
            ),
            (
                {
                    "kind": "AZURE_CR",
                    "url": "https://acme.azurecr.io",
                    "config": {"azure_tenant_id": "t"},
                },
                ["body", "config", "azure_subscription_id"],
            ),
        ],
    )
    def test_invalid_container_registry(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        change: Json,
        loc: list[Any],
    ) -> None:
        body = _changed(CONTAINER_REGISTRY.body, change)
        path = _path(organization, CONTAINER_REGISTRY)
        error = api.post(path, token=owner_token, json=body, expect=400)

        assert _loc(error)[: len(loc)] == loc
        assert api.get(path, token=owner_token)["results"] == []

    @pytest.mark.parametrize(
        ("change", "loc"),
        [
            ({"skip_tls_verification": None}, ["body", "skip_tls_verification"]),
            ({"skip_tls_verification": "yes"}, ["body", "skip_tls_verification"]),
            ({"kind": "OCI_AZURE_CR"}, ["body", "kind"]),
            ({"url": None}, ["body", "url"]),
            ({"url": "oci://charts.example.com"}, ["body", "url"]),
            ({"kind": "OCI_DOCKER_HUB"}, ["body", "url"]),
            (
                {"config": {"json_credentials": "{}"}},
                ["body", "config", "json_credentials"],
            ),
            (
                {"config": {"azure_tenant_id": "t"}},
                ["body", "config", "azure_tenant_id"],
            ),
            ({"config": {"password": "p"}}, ["body", "config", "username"]),
            (
                {"kind": "OCI_ECR", "url": "oci://ecr.aws", "config": AWS_KEYS},
                ["body", "config", "region"],
            ),
            (
                {"kind": "OCI_PUBLIC_ECR", "url": "oci://public.ecr.aws", "config": {}},
                ["body", "config", "access_key_id"],
            ),
            (
                {
                    "kind": "OCI_SCALEWAY_CR",
                    "url": "oci://rg.scw.cloud",
                    "config": {"region": "fr-par"},
                },
                ["body", "config", "scaleway_project_id"],
            ),
        ],
    )
    def test_invalid_helm_repository(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        change: Json,
        loc: list[Any],
    ) -> None:
        body = _changed(HELM_REPOSITORY.body, change)
        path = _path(organization, HELM_REPOSITORY)
        error = api.post(path, token=owner_token, json=body, expect=400)

        assert _loc(error)[: len(loc)] == loc
        assert api.get(path, token=owner_token)["results"] == []

    def test_name_taken(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
        foreign_organization: Json,
        resource: Resource,
        record: Json,
    ) -> None:
        body = {**resource.body, "name": f"  {resource.body['name'].upper()} "}
        error = api.post(
            _path(organization, resource), token=owner_token, json=body, expect=400
        )
        assert _loc(error) == ["body", "name"]

        api.post(_path(foreign_organization, resource), token=outsider_token, json=body)
        other = (
            HELM_REPOSITORY if resource is CONTAINER_REGISTRY else CONTAINER_REGISTRY
        )
        api.post(
            _path(organization, other),
            token=owner_token,
            json={**other.body, "name": resource.body["name"]},
        )

    def test_anonymous(self, api: Api, organization: Json, resource: Resource) -> None:
        api.post(
            _path(organization, resource), token=None, json=resource.body, expect=401
        )

    def test_outsider(
        self, api: Api, outsider_token: str, organization: Json, resource: Resource
    ) -> None:
        path = _path(organization, resource)
        api.post(path, token=outsider_token, json=resource.body, expect=404)

    def test_unknown_organization(
        self, api: Api, owner_token: str, resource: Resource
    ) -> None:
        path = _path({"id": uuid.uuid4()}, resource)
        api.post(path, token=owner_token, json=resource.body, expect=404)

    def test_malformed_organization_id(
        self, api: Api, owner_token: str, resource: Resource
    ) -> None:
        path = _path({"id": "not-a-uuid"}, resource)
        error = api.post(path, token=owner_token, json=resource.body, expect=400)
        assert _loc(error) == ["path", "organizationId"]

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
    def test_forbidden(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        member_token: Callable[[Role], str],
        resource: Resource,
        role: Role,
    ) -> None:
        path = _path(organization, resource)
        api.post(path, token=member_token(role), json=resource.body, expect=403)
        assert api.get(path, token=owner_token)["results"] == []

    def test_admin(
        self,
        api: Api,
        organization: Json,
        member_token: Callable[[Role], str],
        resource: Resource,
    ) -> None:
        path = _path(organization, resource)
        api.post(path, token=member_token(Role.ADMIN), json=resource.body)


class TestList:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        member_token: Callable[[Role], str],
        add_service: AddService,
        contract: Contract,
        resource: Resource,
        record: Json,
    ) -> None:
        path = _path(organization, resource)
        second = api.post(
            path, token=owner_token, json={**resource.body, "name": "second"}
        )
        _use(add_service, resource, second)

        results = api.get(path, token=member_token(Role.VIEWER))["results"]

        used = len(resource.users(second["id"]))
        assert results == [record, {**second, "associated_services_count": used}]
        assert SECRET not in str(results)
        operation = contract.operations[f"list{resource.operation}"]
        assert contract.response_errors(operation, {"results": results}) == []

    def test_only_own_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
        foreign_organization: Json,
        resource: Resource,
        record: Json,
    ) -> None:
        api.post(
            _path(foreign_organization, resource),
            token=outsider_token,
            json=resource.body,
        )

        assert api.get(_path(organization, resource), token=owner_token)["results"] == [
            record
        ]

    def test_anonymous(self, api: Api, organization: Json, resource: Resource) -> None:
        api.get(_path(organization, resource), token=None, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, organization: Json, resource: Resource
    ) -> None:
        api.get(_path(organization, resource), token=outsider_token, expect=404)


class TestGet:
    def test_valid(
        self,
        api: Api,
        organization: Json,
        member_token: Callable[[Role], str],
        resource: Resource,
        record: Json,
    ) -> None:
        token = member_token(Role.VIEWER)
        assert api.get(_path(organization, resource, record), token=token) == record

    def test_counts_services_of_the_organization(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        foreign_organization: Json,
        add_service: AddService,
        resource: Resource,
        record: Json,
    ) -> None:
        _use(add_service, resource, record)
        for kind, configuration in resource.users(record["id"]):
            environment_id = foreign_organization["environment"]["id"]
            add_service(kind, configuration, environment_id=environment_id)
        add_service("APPLICATION", {"registry_id": record["id"]})
        add_service("CONTAINER", {"registry_id": str(uuid.uuid4())})

        got = api.get(_path(organization, resource, record), token=owner_token)
        assert got["associated_services_count"] == len(resource.users(record["id"]))

    def test_not_existing(
        self, api: Api, owner_token: str, organization: Json, resource: Resource
    ) -> None:
        path = _path(organization, resource, {"id": uuid.uuid4()})
        api.get(path, token=owner_token, expect=404)

    def test_malformed_id(
        self, api: Api, owner_token: str, organization: Json, resource: Resource
    ) -> None:
        path = _path(organization, resource, {"id": "42"})
        error = api.get(path, token=owner_token, expect=400)
        assert _loc(error)[0] == "path"

    def test_of_another_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
        foreign_organization: Json,
        resource: Resource,
    ) -> None:
        theirs = api.post(
            _path(foreign_organization, resource),
            token=outsider_token,
            json=resource.body,
        )

        api.get(_path(organization, resource, theirs), token=owner_token, expect=404)
        path = _path(foreign_organization, resource, theirs)
        api.get(path, token=owner_token, expect=404)

    def test_anonymous(
        self, api: Api, organization: Json, resource: Resource, record: Json
    ) -> None:
        api.get(_path(organization, resource, record), token=None, expect=401)

    def test_outsider(
        self,
        api: Api,
        outsider_token: str,
        organization: Json,
        resource: Resource,
        record: Json,
    ) -> None:
        path = _path(organization, resource, record)
        api.get(path, token=outsider_token, expect=404)


class TestEdit:
    def test_valid(
        self,
        api: Api,
        app: FastAPI,
        organization: Json,
        member_token: Callable[[Role], str],
        sessions: sessionmaker[Session],
        contract: Contract,
        resource: Resource,
        record: Json,
    ) -> None:
        body = _changed(
            resource.body,
            {
                "name": "renamed",
                "description": "now described",
                "config": {"username": "someone", "password": "n3w-s3cr3t"},
            },
        )
        path = _path(organization, resource, record)
        edited = api.put(path, token=member_token(Role.ADMIN), json=body)

        assert edited["updated_at"]
        assert edited == {
            **record,
            "name": "renamed",
            "description": "now described",
            "config": {"username": "someone"},
            "updated_at": edited["updated_at"],
        }
        stored = _stored(sessions, resource, record["id"])
        assert _decrypted(app, stored.config) == {"password": "n3w-s3cr3t"}
        _conforms(contract, f"edit{resource.operation}", body, edited)

    def test_keeps_left_out_credentials(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
        resource: Resource,
        record: Json,
    ) -> None:
        before = _stored(sessions, resource, record["id"]).config
        body = _changed(resource.body, {"config": {"username": "renamed"}})
        path = _path(organization, resource, record)
        edited = api.put(path, token=owner_token, json=body)

        assert edited["config"] == {"username": "renamed"}
        after = _stored(sessions, resource, record["id"]).config
        assert after["encrypted"] == before["encrypted"]

    def test_drops_credentials_with_the_login(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
        contract: Contract,
        resource: Resource,
        record: Json,
    ) -> None:
        body = _changed(resource.body, {"config": {}})
        path = _path(organization, resource, record)
        assert api.put(path, token=owner_token, json=body)["config"] == {}

        assert _stored(sessions, resource, record["id"]).config == {}

    def test_switching_sign_in_drops_the_secret(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        path = _path(organization, CONTAINER_REGISTRY)
        body = {
            "name": "ecr",
            "kind": "ECR",
            "url": ECR_URL,
            "config": {"region": "r", **AWS_KEYS},
        }
        created = api.post(path, token=owner_token, json=body)
        path = f"{path}/{created['id']}"

        kept = {**body, "config": {"region": "eu", "access_key_id": "AKIA1"}}
        api.put(path, token=owner_token, json=kept)
        stored = _stored(sessions, CONTAINER_REGISTRY, created["id"]).config
        assert set(stored["encrypted"]) == {"secret_access_key"}

        role = {**body, "config": {"region": "eu", **ROLE}}
        assert api.put(path, token=owner_token, json=role)["config"] == role["config"]
        stored = _stored(sessions, CONTAINER_REGISTRY, created["id"]).config
        assert stored == role["config"]

        error = api.put(path, token=owner_token, json=kept, expect=400)
        assert _loc(error) == ["body", "config", "secret_access_key"]

    def test_gcp_json_credentials(
        self,
        api: Api,
        app: FastAPI,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        path = _path(organization, CONTAINER_REGISTRY)
        body = {
            "name": "gcp",
            "kind": "GCP_ARTIFACT_REGISTRY",
            "url": "https://europe-west1-docker.pkg.dev",
            "config": {"region": "europe-west1", "json_credentials": SECRET},
        }
        created = api.post(path, token=owner_token, json=body)
        path = f"{path}/{created['id']}"

        api.put(path, token=owner_token, json={**body, "config": {"region": "eu"}})
        stored = _stored(sessions, CONTAINER_REGISTRY, created["id"]).config
        assert _decrypted(app, stored) == {"json_credentials": SECRET}

        federated = {**body, "config": WORKLOAD_IDENTITY}
        api.put(path, token=owner_token, json=federated)
        stored = _stored(sessions, CONTAINER_REGISTRY, created["id"]).config
        assert stored == WORKLOAD_IDENTITY

    def test_kind_change_drops_credentials(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        resource: Resource,
        record: Json,
    ) -> None:
        other = "GENERIC_CR" if resource is CONTAINER_REGISTRY else "OCI_GENERIC_CR"
        scheme = "https" if resource is CONTAINER_REGISTRY else "oci"
        body = _changed(
            resource.body,
            {
                "kind": other,
                "url": f"{scheme}://registry.acme.com",
                "config": {"username": "acme"},
            },
        )
        path = _path(organization, resource, record)
        error = api.put(path, token=owner_token, json=body, expect=400)

        assert _loc(error) == ["body", "config", "password"]

    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        resource: Resource,
        record: Json,
    ) -> None:
        body = _changed(resource.body, {"config": {"region": "r"}})
        path = _path(organization, resource, record)
        error = api.put(path, token=owner_token, json=body, expect=400)

        assert _loc(error) == ["body", "config", "region"]
        assert api.get(path, token=owner_token) == record

    def test_name_taken(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        resource: Resource,
        record: Json,
    ) -> None:
        path = _path(organization, resource)
        second = api.post(
            path, token=owner_token, json={**resource.body, "name": "second"}
        )
        renamed = {**resource.body, "name": record["name"].upper()}

        error = api.put(
            f"{path}/{second['id']}", token=owner_token, json=renamed, expect=400
        )
        assert _loc(error) == ["body", "name"]
        edited = api.put(f"{path}/{record['id']}", token=owner_token, json=renamed)
        assert edited["name"] == record["name"].upper()

    def test_not_existing(
        self, api: Api, owner_token: str, organization: Json, resource: Resource
    ) -> None:
        path = _path(organization, resource, {"id": uuid.uuid4()})
        api.put(path, token=owner_token, json=resource.body, expect=404)

    def test_of_another_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
        foreign_organization: Json,
        resource: Resource,
    ) -> None:
        theirs = api.post(
            _path(foreign_organization, resource),
            token=outsider_token,
            json=resource.body,
        )
        body = {**resource.body, "name": "mine now"}

        for owner in (organization, foreign_organization):
            path = _path(owner, resource, theirs)
            api.put(path, token=owner_token, json=body, expect=404)
        path = _path(foreign_organization, resource, theirs)
        assert api.get(path, token=outsider_token) == theirs

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
    def test_forbidden(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        member_token: Callable[[Role], str],
        resource: Resource,
        record: Json,
        role: Role,
    ) -> None:
        path = _path(organization, resource, record)
        body = {**resource.body, "name": "renamed"}
        api.put(path, token=member_token(role), json=body, expect=403)
        assert api.get(path, token=owner_token) == record

    def test_anonymous(
        self, api: Api, organization: Json, resource: Resource, record: Json
    ) -> None:
        path = _path(organization, resource, record)
        api.put(path, token=None, json=resource.body, expect=401)


class TestDelete:
    def test_valid(
        self,
        api: Api,
        organization: Json,
        member_token: Callable[[Role], str],
        resource: Resource,
        record: Json,
    ) -> None:
        token = member_token(Role.ADMIN)
        path = _path(organization, resource, record)
        api.delete(path, token=token)

        api.get(path, token=token, expect=404)
        api.delete(path, token=token, expect=404)

    def test_in_use(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        add_service: AddService,
        resource: Resource,
        record: Json,
    ) -> None:
        _use(add_service, resource, record)
        path = _path(organization, resource, record)
        error = api.delete(path, token=owner_token, expect=409)

        used = len(resource.users(record["id"]))
        assert f"used by {used} service" in error["message"]
        assert api.get(path, token=owner_token)["associated_services_count"] == used

    def test_used_only_by_another_organization(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        foreign_organization: Json,
        add_service: AddService,
        resource: Resource,
        record: Json,
    ) -> None:
        environment_id = foreign_organization["environment"]["id"]
        for kind, configuration in resource.users(record["id"]):
            add_service(kind, configuration, environment_id=environment_id)

        api.delete(_path(organization, resource, record), token=owner_token)

    def test_not_existing(
        self, api: Api, owner_token: str, organization: Json, resource: Resource
    ) -> None:
        path = _path(organization, resource, {"id": uuid.uuid4()})
        api.delete(path, token=owner_token, expect=404)

    def test_of_another_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        organization: Json,
        foreign_organization: Json,
        resource: Resource,
    ) -> None:
        theirs = api.post(
            _path(foreign_organization, resource),
            token=outsider_token,
            json=resource.body,
        )

        api.delete(_path(organization, resource, theirs), token=owner_token, expect=404)
        path = _path(foreign_organization, resource, theirs)
        api.delete(path, token=owner_token, expect=404)
        assert api.get(path, token=outsider_token) == theirs

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
    def test_forbidden(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        member_token: Callable[[Role], str],
        resource: Resource,
        record: Json,
        role: Role,
    ) -> None:
        path = _path(organization, resource, record)
        api.delete(path, token=member_token(role), expect=403)
        assert api.get(path, token=owner_token) == record

    def test_anonymous(
        self, api: Api, organization: Json, resource: Resource, record: Json
    ) -> None:
        api.delete(_path(organization, resource, record), token=None, expect=401)


def _changed(body: Json, change: Json) -> Json:
    """``body`` with ``change`` applied; a None value removes the field, at the
    top level and inside ``config``."""
    changed = {**body, **change}
    if isinstance(changed.get("config"), dict):
        config = changed["config"]
        changed["config"] = {k: v for k, v in config.items() if v is not None}
    return {key: value for key, value in changed.items() if value is not None}
