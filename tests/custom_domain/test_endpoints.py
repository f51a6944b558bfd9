"""Custom domains of applications and containers through HTTP."""

import functools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import transaction
from envplane.custom_domain.repository import custom_domain_repository
from envplane.models import CustomDomain, Service
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.fixtures.api import Api
from tests.fixtures.factories import Json

MISSING_ID = "00000000-0000-4000-8000-000000000000"
# Every property of the official CustomDomain schema.
FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "domain",
    "generate_certificate",
    "use_cdn",
    "validation_domain",
    "status",
}
# The official operationIds: the application's edit and delete have no kind in
# their names.
OPERATIONS = {
    "APPLICATION": (
        "listApplicationCustomDomain",
        "createApplicationCustomDomain",
        "editCustomDomain",
        "deleteCustomDomain",
    ),
    "CONTAINER": (
        "listContainerCustomDomain",
        "createContainerCustomDomain",
        "editContainerCustomDomain",
        "deleteContainerCustomDomain",
    ),
}


def insert_service(api: Api, environment: Json, kind: str, name: str) -> Json:
    """A service row as the service package stores one."""
    with transaction(api.app.state.sessions) as session:
        service = Service(
            environment_id=uuid.UUID(environment["id"]),
            kind=kind,
            name=name,
            configuration={},
        )
        session.add(service)
        session.flush()
        return {"id": str(service.id), "kind": kind, "name": name}


def domains_path(service: Json) -> str:
    return f"/{service['kind'].lower()}/{service['id']}/customDomain"


def add(
    api: Api,
    token: str,
    service: Json,
    domain: str,
    expect: int = 201,
    **more: Any,
) -> Json:
    body = {"domain": domain, "generate_certificate": True, **more}
    return api.post(domains_path(service), token=token, json=body, expect=expect)  # type: ignore[no-any-return]


def edit(
    api: Api, token: str, service: Json, entry: Json, expect: int = 200, **body: Any
) -> Json:
    body = {"generate_certificate": True, **body}
    path = f"{domains_path(service)}/{entry['id']}"
    return api.put(path, token=token, json=body, expect=expect)  # type: ignore[no-any-return]


def listed(api: Api, token: str, service: Json) -> list[str]:
    answer = api.get(domains_path(service), token=token)
    return [entry["domain"] for entry in answer["results"]]


def domain_error(error: Json) -> bool:
    return error["status"] == 400 and ["body", "domain"] in [
        item["loc"] for item in error["errors"]
    ]


@pytest.fixture(params=["APPLICATION", "CONTAINER"])
def service(request: pytest.FixtureRequest, api: Api, environment: Json) -> Json:
    return insert_service(api, environment, request.param, "web")


@pytest.fixture
def other_kinds(api: Api, environment: Json) -> list[Json]:
    """Services of the kinds without custom domains."""
    return [
        insert_service(api, environment, kind, kind.lower())
        for kind in ("DATABASE", "JOB", "HELM")
    ]


@pytest.fixture
def foreign_service(api: Api, outsider_token: str) -> Json:
    """An application of another organization."""
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
    return insert_service(api, environment, "APPLICATION", "theirs")


@functools.cache
def _contract() -> Contract:
    return Contract.load(DOCUMENT_PATH)


@pytest.fixture
def conforms() -> Callable[[str, Any], None]:
    if not DOCUMENT_PATH.is_file():
        pytest.skip(f"the official OpenAPI document is not at {DOCUMENT_PATH}")
    contract = _contract()

    def check(operation_id: str, body: Any) -> None:
        errors = contract.response_errors(contract.operations[operation_id], body)
        assert not errors, (operation_id, errors)

    return check


class TestCreate:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        created = add(api, owner_token, service, "shop.example.com", use_cdn=True)

        assert set(created) <= FIELDS
        assert created["domain"] == "shop.example.com"
        assert (created["generate_certificate"], created["use_cdn"]) == (True, True)
        # Never deployed: nothing to point a CNAME at yet.
        assert created["status"] == "VALIDATION_PENDING"
        assert "validation_domain" not in created
        with sessions() as session:
            row = session.get(CustomDomain, uuid.UUID(created["id"]))
            assert row is not None and str(row.service_id) == service["id"]

    def test_without_cdn(self, api: Api, owner_token: str, service: Json) -> None:
        created = add(api, owner_token, service, "a.example.com")
        assert "use_cdn" not in created

    def test_wildcard_and_case(self, api: Api, owner_token: str, service: Json) -> None:
        for domain in ("*.preview.example.com", "Shop.Example.COM", "xn--bcher-kva.de"):
            assert add(api, owner_token, service, domain)["domain"] == domain

    def test_invalid_domain(self, api: Api, owner_token: str, service: Json) -> None:
        for domain, hint in (
            ("", "host name"),
            ("localhost", "two labels"),
            ("https://shop.example.com", "without scheme"),
            ("shop.example.com/path", "without scheme"),
            ("shop.example.com:8443", "without scheme"),
            ("shop example.com", "without scheme"),
            ("shop.example.com.", "trailing dot"),
            ("bücher.de", "ASCII"),
            ("-shop.example.com", "hyphen"),
            ("shop-.example.com", "hyphen"),
            ("sh_op.example.com", "letters, digits or hyphens"),
            ("shop..example.com", "valid label"),
            (f"{'a' * 64}.example.com", "63"),
            (".".join(["a" * 60] * 5), "253"),
            ("10.0.0.1", "IP address"),
            ("shop.*.example.com", "wildcard"),
            ("*shop.example.com", "wildcard"),
        ):
            error = add(api, owner_token, service, domain, expect=400)
            assert domain_error(error) and hint in error["message"], domain
        assert listed(api, owner_token, service) == []

    def test_invalid_body(self, api: Api, owner_token: str, service: Json) -> None:
        for body, field in (
            ({"generate_certificate": True}, "domain"),
            ({"domain": 42, "generate_certificate": True}, "domain"),
            ({"domain": "a.example.com"}, "generate_certificate"),
            (
                {"domain": "a.example.com", "generate_certificate": "yes please"},
                "generate_certificate",
            ),
            (
                {
                    "domain": "a.example.com",
                    "generate_certificate": True,
                    "use_cdn": "x",
                },
                "use_cdn",
            ),
        ):
            error = api.post(
                domains_path(service), token=owner_token, json=body, expect=400
            )
            assert ["body", field] in [e["loc"] for e in error["errors"]], body

    def test_taken_by_this_service(
        self, api: Api, owner_token: str, service: Json
    ) -> None:
        add(api, owner_token, service, "shop.example.com")
        error = add(api, owner_token, service, "SHOP.example.com", expect=400)
        assert domain_error(error) and "already" in error["message"]

    def test_taken_concurrently(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        add(api, owner_token, service, "shop.example.com")
        # As if another request had added it after this one looked.
        monkeypatch.setattr(
            custom_domain_repository, "get_holder", lambda *_, **__: None
        )

        error = add(api, owner_token, service, "Shop.Example.com", expect=400)
        assert domain_error(error) and "already" in error["message"]

    def test_taken_in_organization(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        sibling_environment: Json,
    ) -> None:
        """Two services cannot answer on one domain, even in two environments."""
        elsewhere = insert_service(api, sibling_environment, "CONTAINER", "site")
        add(api, owner_token, elsewhere, "shop.example.com")

        error = add(api, owner_token, service, "shop.EXAMPLE.com", expect=400)

        assert domain_error(error)
        assert "container site" in error["message"] and "staging" in error["message"]

    def test_other_organization_may_have_it(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        service: Json,
        foreign_service: Json,
    ) -> None:
        """Refusing it would tell this organization's members what another
        organization serves."""
        add(api, outsider_token, foreign_service, "shop.example.com")
        add(api, owner_token, service, "shop.example.com")

    def test_roles(
        self, api: Api, service: Json, member_token: Callable[[Role], str]
    ) -> None:
        add(api, member_token(Role.VIEWER), service, "a.example.com", expect=403)
        add(api, member_token(Role.DEVELOPER), service, "a.example.com")

    def test_anonymous(self, api: Api, service: Json) -> None:
        body = {"domain": "a.example.com", "generate_certificate": True}
        api.post(domains_path(service), token=None, json=body, expect=401)

    def test_outsider(self, api: Api, outsider_token: str, service: Json) -> None:
        add(api, outsider_token, service, "a.example.com", expect=404)

    def test_other_organization(
        self, api: Api, owner_token: str, foreign_service: Json
    ) -> None:
        add(api, owner_token, foreign_service, "a.example.com", expect=404)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        for kind in OPERATIONS:
            missing = {"id": MISSING_ID, "kind": kind}
            error = add(api, owner_token, missing, "a.example.com", expect=404)
            assert kind.lower() in error["message"]

    def test_wrong_kind(
        self, api: Api, owner_token: str, service: Json, other_kinds: list[Json]
    ) -> None:
        for kind in OPERATIONS:
            for other in (service, *other_kinds):
                if other["kind"] != kind:
                    wrong = {**other, "kind": kind}
                    add(api, owner_token, wrong, "a.example.com", expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        for kind in OPERATIONS:
            error = add(api, owner_token, {"id": "42", "kind": kind}, "a.b", expect=400)
            assert error["errors"][0]["loc"] == ["path", f"{kind.lower()}Id"]


class TestList:
    def test_valid(
        self, api: Api, owner_token: str, service: Json, environment: Json
    ) -> None:
        neighbour = insert_service(api, environment, "APPLICATION", "neighbour")
        add(api, owner_token, service, "b.example.com")
        add(api, owner_token, service, "a.example.com")
        add(api, owner_token, neighbour, "c.example.com")

        assert listed(api, owner_token, service) == ["b.example.com", "a.example.com"]

    def test_viewer(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        add(api, owner_token, service, "a.example.com")
        assert listed(api, member_token(Role.VIEWER), service) == ["a.example.com"]

    def test_anonymous(self, api: Api, service: Json) -> None:
        api.get(domains_path(service), token=None, expect=401)

    def test_outsider(
        self,
        api: Api,
        outsider_token: str,
        owner_token: str,
        service: Json,
        foreign_service: Json,
    ) -> None:
        api.get(domains_path(service), token=outsider_token, expect=404)
        api.get(domains_path(foreign_service), token=owner_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        for kind in OPERATIONS:
            path = domains_path({"id": MISSING_ID, "kind": kind})
            api.get(path, token=owner_token, expect=404)

    def test_wrong_kind(
        self, api: Api, owner_token: str, service: Json, other_kinds: list[Json]
    ) -> None:
        for kind in OPERATIONS:
            for other in (service, *other_kinds):
                if other["kind"] != kind:
                    path = domains_path({**other, "kind": kind})
                    api.get(path, token=owner_token, expect=404)


class TestEdit:
    def test_valid(
        self, api: Api, owner_token: str, service: Json, sessions: sessionmaker[Session]
    ) -> None:
        created = add(api, owner_token, service, "a.example.com", use_cdn=True)

        edited = edit(
            api,
            owner_token,
            service,
            created,
            domain="b.example.com",
            generate_certificate=False,
        )

        assert edited["id"] == created["id"]
        assert (edited["domain"], edited["generate_certificate"]) == (
            "b.example.com",
            False,
        )
        # Replaced as a whole: use_cdn was left out, so it is unset.
        assert "use_cdn" not in edited
        assert edited["status"] == "VALIDATION_PENDING"
        assert edited["updated_at"] > edited["created_at"]
        assert listed(api, owner_token, service) == ["b.example.com"]

    def test_own_domain_in_other_case(
        self, api: Api, owner_token: str, service: Json
    ) -> None:
        created = add(api, owner_token, service, "a.example.com")
        edited = edit(api, owner_token, service, created, domain="A.Example.com")
        assert edited["domain"] == "A.Example.com"

    def test_taken(
        self, api: Api, owner_token: str, service: Json, environment: Json
    ) -> None:
        neighbour = insert_service(api, environment, "CONTAINER", "neighbour")
        created = add(api, owner_token, service, "a.example.com")
        add(api, owner_token, service, "b.example.com")
        add(api, owner_token, neighbour, "c.example.com")

        for domain in ("B.example.com", "c.example.com"):
            error = edit(api, owner_token, service, created, domain=domain, expect=400)
            assert domain_error(error), domain

    def test_invalid(self, api: Api, owner_token: str, service: Json) -> None:
        created = add(api, owner_token, service, "a.example.com")
        error = edit(api, owner_token, service, created, domain="a..b", expect=400)
        assert domain_error(error)
        path = f"{domains_path(service)}/{created['id']}"
        api.put(path, token=owner_token, json={"domain": "a.example.com"}, expect=400)
        api.put(f"{domains_path(service)}/42", token=owner_token, json={}, expect=400)

    def test_of_other_service(
        self, api: Api, owner_token: str, service: Json, environment: Json
    ) -> None:
        neighbour = insert_service(api, environment, service["kind"], "neighbour")
        theirs = add(api, owner_token, neighbour, "a.example.com")
        edit(api, owner_token, service, theirs, domain="b.example.com", expect=404)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        created = add(api, owner_token, service, "a.example.com")
        viewer, developer = member_token(Role.VIEWER), member_token(Role.DEVELOPER)
        edit(api, viewer, service, created, domain="b.example.com", expect=403)
        edit(api, developer, service, created, domain="b.example.com")

    def test_anonymous_outsider_not_existing(
        self, api: Api, owner_token: str, outsider_token: str, service: Json
    ) -> None:
        created = add(api, owner_token, service, "a.example.com")
        edit(api, "", service, created, domain="b.example.com", expect=401)
        edit(api, outsider_token, service, created, domain="b.example.com", expect=404)
        edit(api, owner_token, service, {"id": MISSING_ID}, domain="b.c", expect=404)
        gone = {**service, "id": MISSING_ID}
        edit(api, owner_token, gone, created, domain="b.example.com", expect=404)

    def test_wrong_kind(
        self, api: Api, owner_token: str, service: Json, other_kinds: list[Json]
    ) -> None:
        created = add(api, owner_token, service, "a.example.com")
        for kind in OPERATIONS:
            if kind != service["kind"]:
                wrong = {**service, "kind": kind}
                edit(api, owner_token, wrong, created, domain="b.c", expect=404)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, service: Json) -> None:
        created = add(api, owner_token, service, "a.example.com")
        add(api, owner_token, service, "b.example.com")

        api.delete(f"{domains_path(service)}/{created['id']}", token=owner_token)

        assert listed(api, owner_token, service) == ["b.example.com"]
        # Freed for another service of the organization.
        add(api, owner_token, service, "a.example.com")

    def test_of_other_service(
        self, api: Api, owner_token: str, service: Json, environment: Json
    ) -> None:
        neighbour = insert_service(api, environment, service["kind"], "neighbour")
        theirs = add(api, owner_token, neighbour, "a.example.com")
        path = f"{domains_path(service)}/{theirs['id']}"
        api.delete(path, token=owner_token, expect=404)
        assert listed(api, owner_token, neighbour) == ["a.example.com"]

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        created = add(api, owner_token, service, "a.example.com")
        path = f"{domains_path(service)}/{created['id']}"
        api.delete(path, token=member_token(Role.VIEWER), expect=403)
        api.delete(path, token=member_token(Role.DEVELOPER))

    def test_anonymous_outsider_not_existing(
        self, api: Api, owner_token: str, outsider_token: str, service: Json
    ) -> None:
        created = add(api, owner_token, service, "a.example.com")
        path = f"{domains_path(service)}/{created['id']}"
        api.delete(path, token=None, expect=401)
        api.delete(path, token=outsider_token, expect=404)
        api.delete(
            f"{domains_path(service)}/{MISSING_ID}", token=owner_token, expect=404
        )
        gone = domains_path({**service, "id": MISSING_ID})
        api.delete(f"{gone}/{created['id']}", token=owner_token, expect=404)
        api.delete(f"{domains_path(service)}/42", token=owner_token, expect=400)

    def test_wrong_kind(self, api: Api, owner_token: str, service: Json) -> None:
        created = add(api, owner_token, service, "a.example.com")
        for kind in OPERATIONS:
            if kind != service["kind"]:
                path = domains_path({**service, "kind": kind})
                api.delete(f"{path}/{created['id']}", token=owner_token, expect=404)

    def test_with_service(
        self, api: Api, owner_token: str, service: Json, sessions: sessionmaker[Session]
    ) -> None:
        """A deleted service takes its custom domains with it."""
        created = add(api, owner_token, service, "a.example.com")
        with transaction(sessions) as session:
            session.delete(session.get(Service, uuid.UUID(service["id"])))

        with sessions() as session:
            assert session.get(CustomDomain, uuid.UUID(created["id"])) is None


class TestDocumentedAnswer:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        conforms: Callable[[str, Any], None],
    ) -> None:
        list_id, create_id, edit_id, _ = OPERATIONS[service["kind"]]
        created = add(api, owner_token, service, "a.example.com", use_cdn=False)
        conforms(create_id, created)
        conforms(edit_id, edit(api, owner_token, service, created, domain="b.c.d"))
        conforms(list_id, api.get(domains_path(service), token=owner_token))

    def test_operations_published(self, api: Api) -> None:
        """Each route carries the official operationId."""
        published = api.client.get("/openapi.json").json()["paths"]
        ours = {
            operation["operationId"]
            for path, operations in published.items()
            if "customDomain" in path
            for operation in operations.values()
        }
        assert ours == {op for ops in OPERATIONS.values() for op in ops}
