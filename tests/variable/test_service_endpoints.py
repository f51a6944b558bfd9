"""Variables and secrets through HTTP at the scope of a service (application,
container, job), with the built-ins of the environment's services."""

import functools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import recorded_statements, transaction
from envplane.models import Service
from envplane.service.kinds.base import BuiltIn
from envplane.variable.builtins import sync_service_builtins
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.fixtures.api import Api
from tests.fixtures.bulk import add_entries
from tests.fixtures.factories import Json
from tests.variable.conftest import insert_service
from tests.variable.test_endpoints import (
    MISSING_ID,
    SECRET,
    SECRET_FIELDS,
    VARIABLE,
    VARIABLE_FIELDS,
    add,
    alias,
    edit,
    environment_path,
    field_error,
    listed,
    override,
    project_path,
    scoped,
    stored,
)

SERVICE_KINDS = ("APPLICATION", "CONTAINER", "JOB")
# Environment built-ins every list at a service of ``environment`` starts with.
ENVIRONMENT_BUILT_INS = [
    ("QOVERY_ENVIRONMENT_ID", "BUILT_IN"),
    ("QOVERY_PROJECT_ID", "BUILT_IN"),
]


def service_path(service: Json) -> str:
    return f"/{service['kind'].lower()}/{service['id']}"


def sync(api: Api, service: Json, *builtins: BuiltIn) -> None:
    """Store ``builtins`` as the service's built-ins, as the service package
    does when a service is created or edited."""
    with transaction(api.app.state.sessions) as session:
        row = session.get(Service, uuid.UUID(service["id"]))
        assert row is not None
        sync_service_builtins(session, row, builtins, cipher=api.app.state.cipher)


def linked(service: Json) -> dict[str, str]:
    return {
        "service_id": service["id"],
        "service_name": service["name"],
        "service_type": service["kind"],
    }


def links(entry: Json) -> dict[str, str]:
    return {
        k: entry[k]
        for k in ("service_id", "service_name", "service_type")
        if k in entry
    }


@functools.cache
def _contract() -> Contract:
    return Contract.load(DOCUMENT_PATH)


@pytest.fixture
def conforms() -> Callable[[str, Any], None]:
    """Assert that an answer is what the official document says the operation
    answers; skipped when the document is not beside the repository."""
    if not DOCUMENT_PATH.is_file():
        pytest.skip(f"the official OpenAPI document is not at {DOCUMENT_PATH}")
    contract = _contract()

    def check(operation_id: str, body: Any) -> None:
        errors = contract.response_errors(contract.operations[operation_id], body)
        assert not errors, (operation_id, errors)

    return check


@pytest.fixture(params=SERVICE_KINDS)
def service(request: pytest.FixtureRequest, api: Api, environment: Json) -> Json:
    """A service of each kind the variable routes serve, one after the other."""
    kind: str = request.param
    return insert_service(api, environment, kind, f"my-{kind.lower()}")


@pytest.fixture
def other_service(api: Api, environment: Json) -> Json:
    """Another service of the same environment: a database, whose built-ins
    every service of the environment sees."""
    database = insert_service(api, environment, "DATABASE", "main-db")
    sync(
        api,
        database,
        BuiltIn("QOVERY_DATABASE_MAIN_DB_HOST", "database-z1234abcd"),
        BuiltIn("QOVERY_DATABASE_MAIN_DB_PASSWORD", "s3cret", secret=True),
    )
    return database


both_kinds = pytest.mark.parametrize("kind", [VARIABLE, SECRET])


@pytest.fixture
def kind(service: Json) -> str:
    """Variables or secrets: one of them per kind of service, where a test does
    not run with both (the code paths differ by scope, not by the two)."""
    return SECRET if service["kind"] == "CONTAINER" else VARIABLE


def own_built_in(api: Api, service: Json, kind: str) -> Json:
    """A built-in of ``service``, a secret one for secrets."""
    key = f"QOVERY_{service['kind']}_{service['name'].upper().replace('-', '_')}"
    if kind == SECRET:
        sync(api, service, BuiltIn(f"{key}_TOKEN", "t0ken", secret=True))
        return {"key": f"{key}_TOKEN"}
    sync(api, service, BuiltIn(f"{key}_HOST_INTERNAL", "host-of-it"))
    return {"key": f"{key}_HOST_INTERNAL"}


def find(entries: list[Json], key: str, scope: str) -> Json:
    (entry,) = [e for e in entries if (e["key"], e["scope"]) == (key, scope)]
    return entry


def listing_statements(
    api: Api,
    token: str,
    project: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
    service_kind: str,
    kind: str,
    *,
    count: int,
) -> list[str]:
    """The statements listing the entries of a service of a new environment
    take when the service and the environment hold ``count`` entries each; a
    tenth of the service's alias one of the environment's."""
    environment = api.post(
        f"/project/{project['id']}/environment",
        token=token,
        json={"name": f"size-{count}", "cluster": cluster["id"]},
    )
    service = insert_service(api, environment, service_kind, "bulk")
    project_id, environment_id = uuid.UUID(project["id"]), uuid.UUID(environment["id"])
    secret = kind == SECRET
    inherited = add_entries(
        sessions,
        owner_id=environment_id,
        scope="ENVIRONMENT",
        project_id=project_id,
        environment_id=environment_id,
        count=count,
        secret=secret,
    )
    add_entries(
        sessions,
        owner_id=uuid.UUID(service["id"]),
        scope=service_kind,
        project_id=project_id,
        environment_id=environment_id,
        service_id=uuid.UUID(service["id"]),
        count=count,
        secret=secret,
        alias_of=inherited[0],
    )

    with recorded_statements(api.app.state.engine) as statements:
        entries = listed(api, token, service_path(service), kind)
    assert len(entries) >= 2 * count
    return statements


class TestList:
    @both_kinds
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        service: Json,
        kind: str,
    ) -> None:
        here = service_path(service)
        add(api, owner_token, project_path(project), kind, "FROM_PROJECT")
        add(api, owner_token, environment_path(environment), kind, "FROM_ENVIRONMENT")
        add(api, owner_token, here, kind, "OWN")
        built_in = own_built_in(api, service, kind)

        seen = listed(api, owner_token, here, kind)

        own_built_ins = [(built_in["key"], "BUILT_IN")]
        if kind == VARIABLE:
            own_built_ins = sorted([*ENVIRONMENT_BUILT_INS, *own_built_ins])
        assert scoped(seen) == [
            *own_built_ins,
            ("FROM_PROJECT", "PROJECT"),
            ("FROM_ENVIRONMENT", "ENVIRONMENT"),
            ("OWN", service["kind"]),
        ]
        fields = VARIABLE_FIELDS if kind == VARIABLE else SECRET_FIELDS
        assert all(set(entry) <= fields for entry in seen)
        for entry in seen:
            tied = entry["key"] in ("OWN", built_in["key"])
            assert links(entry) == (linked(service) if tied else {}), entry

    @both_kinds
    def test_built_ins_of_the_environment(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        other_service: Json,
        kind: str,
    ) -> None:
        key = "QOVERY_DATABASE_MAIN_DB_" + ("HOST" if kind == VARIABLE else "PASSWORD")

        for owner in (service_path(service), environment_path(environment)):
            entry = find(listed(api, owner_token, owner, kind), key, "BUILT_IN")
            assert entry["variable_type"] == "BUILT_IN"
            assert links(entry) == linked(other_service)
            if kind == VARIABLE:
                assert entry["value"] == "database-z1234abcd"
            else:
                assert "value" not in entry

    def test_not_at_project(
        self, api: Api, owner_token: str, project: Json, other_service: Json
    ) -> None:
        for kind in (VARIABLE, SECRET):
            keys = [
                e["key"] for e in listed(api, owner_token, project_path(project), kind)
            ]
            assert not any("MAIN_DB" in key for key in keys)

    def test_not_from_other_services(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        sibling_environment: Json,
        kind: str,
    ) -> None:
        neighbour = insert_service(api, environment, "APPLICATION", "neighbour")
        add(api, owner_token, service_path(neighbour), kind, "NEIGHBOURS")
        elsewhere = insert_service(api, sibling_environment, "DATABASE", "db")
        sync(
            api,
            elsewhere,
            BuiltIn("QOVERY_DATABASE_DB_HOST", "h", secret=kind == SECRET),
        )

        keys = [e["key"] for e in listed(api, owner_token, service_path(service), kind)]

        assert "NEIGHBOURS" not in keys and "QOVERY_DATABASE_DB_HOST" not in keys

    def test_one_query(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        other_service: Json,
        kind: str,
        statements: list[str],
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        add(api, owner_token, here, kind, "OWN")
        alias(api, owner_token, here, kind, parent, "LINK")
        override(api, owner_token, here, kind, parent, "other")
        statements.clear()

        seen = listed(api, owner_token, here, kind)

        assert len(seen) >= 5
        reads = [s for s in statements if "FROM variables" in s]
        assert len(reads) == 1, reads
        # The service itself is looked up once, not once per entry.
        assert len([s for s in statements if "FROM services" in s]) == 1

    @both_kinds
    @pytest.mark.parametrize("service_kind", SERVICE_KINDS)
    def test_statement_count_does_not_grow(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        service_kind: str,
        kind: str,
    ) -> None:
        args = (api, owner_token, project, cluster, sessions, service_kind, kind)
        small = listing_statements(*args, count=10)
        large = listing_statements(*args, count=1000)

        assert len(small) == len(large), large

    def test_viewer(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        add(api, owner_token, service_path(service), kind, "SEEN")
        seen = listed(api, member_token(Role.VIEWER), service_path(service), kind)
        assert ("SEEN", service["kind"]) in scoped(seen)

    def test_anonymous(self, api: Api, service: Json, kind: str) -> None:
        api.get(f"{service_path(service)}/{kind}", token=None, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, service: Json, kind: str
    ) -> None:
        api.get(f"{service_path(service)}/{kind}", token=outsider_token, expect=404)

    @both_kinds
    def test_other_organization(
        self, api: Api, owner_token: str, foreign_service: dict[str, Json], kind: str
    ) -> None:
        for foreign in foreign_service.values():
            api.get(f"{service_path(foreign)}/{kind}", token=owner_token, expect=404)

    @both_kinds
    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        for resource in ("application", "container", "job"):
            path = f"/{resource}/{MISSING_ID}/{kind}"
            error = api.get(path, token=owner_token, expect=404)
            assert resource in error["message"]

    def test_wrong_kind(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        database = insert_service(api, environment, "DATABASE", "db")
        for resource in ("application", "container", "job"):
            for other in (service, database):
                if other["kind"] == resource.upper():
                    continue
                path = f"/{resource}/{other['id']}/{kind}"
                api.get(path, token=owner_token, expect=404)

    @both_kinds
    def test_malformed_id(self, api: Api, owner_token: str, kind: str) -> None:
        for resource in ("application", "container", "job"):
            error = api.get(f"/{resource}/nope/{kind}", token=owner_token, expect=400)
            assert error["errors"][0]["loc"] == ["path", f"{resource}Id"]


class TestCreate:
    @both_kinds
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        created = add(
            api,
            owner_token,
            service_path(service),
            kind,
            "PORT",
            "8080",
            description="d",
        )

        assert (created["key"], created["scope"]) == ("PORT", service["kind"])
        assert created["variable_type"] == "VALUE"
        assert links(created) == linked(service)
        assert set(created) <= (VARIABLE_FIELDS if kind == VARIABLE else SECRET_FIELDS)
        row = stored(sessions, created["id"])
        service_id = uuid.UUID(service["id"])
        assert (row.owner_id, row.service_id, row.is_secret) == (
            service_id,
            service_id,
            kind == SECRET,
        )
        assert row.environment_id == uuid.UUID(environment["id"])
        if kind == SECRET:
            assert row.value and api.app.state.cipher.decrypt(row.value) == "8080"
            assert "value" not in created

    def test_same_key_as_environment(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        add(api, owner_token, environment_path(environment), kind, "PORT", "80")
        created = add(api, owner_token, service_path(service), kind, "PORT", "8080")

        assert created["scope"] == service["kind"]
        seen = scoped(listed(api, owner_token, service_path(service), kind))
        assert ("PORT", "ENVIRONMENT") in seen and ("PORT", service["kind"]) in seen

    def test_invalid(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        for key in ("", "1A", "MY-KEY", "QOVERY_PORT", "__PORT", "A" * 256):
            error = add(api, owner_token, here, kind, key, expect=400)
            assert field_error(error, "key"), key
        for body, field in (
            ({"value": "v"}, "key"),
            ({"key": "K", "description": "d" * 256}, "description"),
            ({"key": "K", "mount_path": "relative"}, "mount_path"),
        ):
            error = api.post(f"{here}/{kind}", token=owner_token, json=body, expect=400)
            assert field_error(error, field), body

    def test_roles(
        self,
        api: Api,
        service: Json,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        here = service_path(service)
        add(api, member_token(Role.VIEWER), here, kind, "K", expect=403)
        add(api, member_token(Role.DEVELOPER), here, kind, "K")

    def test_anonymous(self, api: Api, service: Json, kind: str) -> None:
        path = f"{service_path(service)}/{kind}"
        api.post(path, token=None, json={"key": "K"}, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, service: Json, kind: str
    ) -> None:
        add(api, outsider_token, service_path(service), kind, "K", expect=404)

    @both_kinds
    def test_other_organization(
        self, api: Api, owner_token: str, foreign_service: dict[str, Json], kind: str
    ) -> None:
        for foreign in foreign_service.values():
            add(api, owner_token, service_path(foreign), kind, "K", expect=404)

    @both_kinds
    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        for resource in ("application", "container", "job"):
            add(api, owner_token, f"/{resource}/{MISSING_ID}", kind, "K", expect=404)

    def test_wrong_kind(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        for resource in ("application", "container", "job"):
            if resource.upper() != service["kind"]:
                path = f"/{resource}/{service['id']}"
                add(api, owner_token, path, kind, "K", expect=404)

    @both_kinds
    def test_malformed_id(self, api: Api, owner_token: str, kind: str) -> None:
        for resource in ("application", "container", "job"):
            add(api, owner_token, f"/{resource}/42", kind, "K", expect=400)


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        here = service_path(service)
        created = add(api, owner_token, here, kind, "PORT", "80")

        edited = edit(
            api, owner_token, here, kind, created, key="HTTP_PORT", value="81"
        )

        assert (edited["id"], edited["key"]) == (created["id"], "HTTP_PORT")
        assert links(edited) == linked(service)
        row = stored(sessions, created["id"])
        value = api.app.state.cipher.decrypt(row.value) if kind == SECRET else row.value
        assert value == "81"

    def test_invalid(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        created = add(api, owner_token, here, kind, "PORT", "80")
        error = edit(api, owner_token, here, kind, created, key="QOVERY_X", expect=400)
        assert field_error(error, "key")

    def test_inherited(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        error = edit(
            api, owner_token, service_path(service), kind, parent, key="URL", expect=404
        )
        assert service["kind"].lower() in error["message"]

    def test_of_other_service(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        """The same kind, the same environment: still not this service's entry."""
        neighbour = insert_service(api, environment, service["kind"], "neighbour")
        theirs = add(api, owner_token, service_path(neighbour), kind, "THEIRS")
        edit(api, owner_token, service_path(service), kind, theirs, key="X", expect=404)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        here = service_path(service)
        created = add(api, owner_token, here, kind, "PORT")
        edit(api, member_token(Role.VIEWER), here, kind, created, key="P", expect=403)
        edit(api, member_token(Role.DEVELOPER), here, kind, created, key="P")

    def test_anonymous(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        created = add(api, owner_token, here, kind, "PORT")
        path = f"{here}/{kind}/{created['id']}"
        api.put(path, token=None, json={"key": "P"}, expect=401)

    def test_outsider(
        self, api: Api, owner_token: str, outsider_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        created = add(api, owner_token, here, kind, "PORT")
        edit(api, outsider_token, here, kind, created, key="P", expect=404)

    @both_kinds
    def test_not_existing(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        edit(api, owner_token, here, kind, {"id": MISSING_ID}, key="P", expect=404)
        created = add(api, owner_token, here, kind, "PORT")
        path = f"/{service['kind'].lower()}/{MISSING_ID}"
        edit(api, owner_token, path, kind, created, key="P", expect=404)

    def test_wrong_kind(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        created = add(api, owner_token, service_path(service), kind, "PORT")
        for resource in ("application", "container", "job"):
            if resource.upper() != service["kind"]:
                path = f"/{resource}/{service['id']}"
                edit(api, owner_token, path, kind, created, key="P", expect=404)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, service: Json, kind: str) -> None:
        here = service_path(service)
        created = add(api, owner_token, here, kind, "PORT")

        api.delete(f"{here}/{kind}/{created['id']}", token=owner_token)

        assert "PORT" not in [e["key"] for e in listed(api, owner_token, here, kind)]

    def test_built_in(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        """A service's built-ins belong to its environment, where they are
        refused as built in; the service does not define them."""
        key = own_built_in(api, service, kind)["key"]
        entry = find(
            listed(api, owner_token, service_path(service), kind), key, "BUILT_IN"
        )

        api.delete(
            f"{service_path(service)}/{kind}/{entry['id']}",
            token=owner_token,
            expect=404,
        )
        error = api.delete(
            f"{environment_path(environment)}/{kind}/{entry['id']}",
            token=owner_token,
            expect=400,
        )
        assert "built in" in error["message"]

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        here = service_path(service)
        path = f"{here}/{kind}/{add(api, owner_token, here, kind, 'PORT')['id']}"
        api.delete(path, token=member_token(Role.VIEWER), expect=403)
        api.delete(path, token=member_token(Role.DEVELOPER))

    def test_anonymous(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        path = f"{here}/{kind}/{add(api, owner_token, here, kind, 'PORT')['id']}"
        api.delete(path, token=None, expect=401)

    def test_outsider(
        self, api: Api, owner_token: str, outsider_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        path = f"{here}/{kind}/{add(api, owner_token, here, kind, 'PORT')['id']}"
        api.delete(path, token=outsider_token, expect=404)

    @both_kinds
    def test_not_existing(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        api.delete(
            f"{service_path(service)}/{kind}/{MISSING_ID}",
            token=owner_token,
            expect=404,
        )

    def test_wrong_kind(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        created = add(api, owner_token, service_path(service), kind, "PORT")
        for resource in ("application", "container", "job"):
            if resource.upper() != service["kind"]:
                path = f"/{resource}/{service['id']}/{kind}/{created['id']}"
                api.delete(path, token=owner_token, expect=404)


class TestOverride:
    def test_of_environment_entry(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL", "a")

        created = override(api, owner_token, here, kind, parent, "b")

        assert (created["key"], created["scope"]) == ("URL", service["kind"])
        assert created["variable_type"] == "OVERRIDE"
        assert links(created) == linked(service)
        nested = created[
            "overridden_variable" if kind == VARIABLE else "overridden_secret"
        ]
        assert (nested["id"], nested["scope"]) == (parent["id"], "ENVIRONMENT")

    @both_kinds
    def test_of_own_built_in(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        here = service_path(service)
        key = own_built_in(api, service, kind)["key"]
        built_in = find(listed(api, owner_token, here, kind), key, "BUILT_IN")

        created = override(api, owner_token, here, kind, built_in, "mine")

        assert (created["key"], created["scope"]) == (key, service["kind"])
        assert stored(sessions, created["id"]).parent_id == uuid.UUID(built_in["id"])
        seen = scoped(listed(api, owner_token, here, kind))
        assert (key, "BUILT_IN") in seen and (key, service["kind"]) in seen

    def test_of_other_service_built_in(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        other_service: Json,
        kind: str,
    ) -> None:
        key = "QOVERY_DATABASE_MAIN_DB_" + ("HOST" if kind == VARIABLE else "PASSWORD")
        for owner in (service_path(service), environment_path(environment)):
            built_in = find(listed(api, owner_token, owner, kind), key, "BUILT_IN")
            created = override(api, owner_token, owner, kind, built_in, "elsewhere")
            assert created["key"] == key

    def test_same_scope(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        own = add(api, owner_token, here, kind, "OWN")
        error = override(api, owner_token, here, kind, own, "x", expect=400)
        assert "lower scope" in error["message"]

    def test_of_other_service_entry(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        neighbour = insert_service(api, environment, service["kind"], "neighbour")
        theirs = add(api, owner_token, service_path(neighbour), kind, "THEIRS")
        override(api, owner_token, service_path(service), kind, theirs, "x", expect=404)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        override(api, member_token(Role.VIEWER), here, kind, parent, "x", expect=403)
        override(api, member_token(Role.DEVELOPER), here, kind, parent, "x")

    def test_anonymous_outsider_not_existing(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        environment: Json,
        service: Json,
        kind: str,
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        override(api, "", here, kind, parent, "x", expect=401)
        override(api, outsider_token, here, kind, parent, "x", expect=404)
        override(api, owner_token, here, kind, {"id": MISSING_ID}, "x", expect=404)
        gone = f"/{service['kind'].lower()}/{MISSING_ID}"
        override(api, owner_token, gone, kind, parent, "x", expect=404)

    def test_wrong_kind(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        for resource in ("application", "container", "job"):
            if resource.upper() != service["kind"]:
                path = f"/{resource}/{service['id']}"
                override(api, owner_token, path, kind, parent, "x", expect=404)


class TestAlias:
    @both_kinds
    def test_of_other_service_built_in(
        self,
        api: Api,
        owner_token: str,
        service: Json,
        other_service: Json,
        kind: str,
    ) -> None:
        here = service_path(service)
        key = "QOVERY_DATABASE_MAIN_DB_" + ("HOST" if kind == VARIABLE else "PASSWORD")
        built_in = find(listed(api, owner_token, here, kind), key, "BUILT_IN")

        created = alias(api, owner_token, here, kind, built_in, "DATABASE_HOST")

        assert (created["key"], created["scope"]) == ("DATABASE_HOST", service["kind"])
        assert created["variable_type"] == "ALIAS"
        assert links(created) == linked(service)
        nested = created["aliased_variable" if kind == VARIABLE else "aliased_secret"]
        assert (nested["id"], nested["key"]) == (built_in["id"], key)
        if kind == VARIABLE:
            assert created["value"] == "database-z1234abcd"

    def test_same_scope(
        self, api: Api, owner_token: str, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        own = add(api, owner_token, here, kind, "OWN", "v")
        created = alias(api, owner_token, here, kind, own, "ALSO_OWN")
        assert created["scope"] == service["kind"]

    def test_invalid(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        for key in ("QOVERY_URL", "1URL", ""):
            error = alias(api, owner_token, here, kind, parent, key, expect=400)
            assert field_error(error, "key"), key

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        alias(api, member_token(Role.VIEWER), here, kind, parent, "A", expect=403)
        alias(api, member_token(Role.DEVELOPER), here, kind, parent, "A")

    def test_anonymous_outsider_not_existing(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        environment: Json,
        service: Json,
        kind: str,
    ) -> None:
        here = service_path(service)
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        alias(api, "", here, kind, parent, "A", expect=401)
        alias(api, outsider_token, here, kind, parent, "A", expect=404)
        alias(api, owner_token, here, kind, {"id": MISSING_ID}, "A", expect=404)
        gone = f"/{service['kind'].lower()}/{MISSING_ID}"
        alias(api, owner_token, gone, kind, parent, "A", expect=404)

    def test_wrong_kind(
        self, api: Api, owner_token: str, environment: Json, service: Json, kind: str
    ) -> None:
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        for resource in ("application", "container", "job"):
            if resource.upper() != service["kind"]:
                path = f"/{resource}/{service['id']}"
                alias(api, owner_token, path, kind, parent, "A", expect=404)


class TestDocumentedAnswer:
    """Every answer of the 36 service-scope operations, checked against the
    official schemas."""

    @both_kinds
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        service: Json,
        other_service: Json,
        kind: str,
        conforms: Callable[[str, Any], None],
    ) -> None:
        here = service_path(service)
        stem = service["kind"].capitalize()
        noun = "EnvironmentVariable" if kind == VARIABLE else "Secret"
        parent = add(api, owner_token, environment_path(environment), kind, "URL")
        built_in = find(
            listed(api, owner_token, here, kind),
            "QOVERY_DATABASE_MAIN_DB_" + ("HOST" if kind == VARIABLE else "PASSWORD"),
            "BUILT_IN",
        )

        created = add(api, owner_token, here, kind, "PORT", "80", description="d")
        conforms(f"create{stem}{noun}", created)
        conforms(
            f"edit{stem}{noun}", edit(api, owner_token, here, kind, created, key="P")
        )
        conforms(
            f"create{stem}{noun}Override",
            override(api, owner_token, here, kind, parent, "x"),
        )
        conforms(
            f"create{stem}{noun}Alias",
            alias(api, owner_token, here, kind, built_in, "DB_HOST"),
        )
        listing = api.get(f"{here}/{kind}", token=owner_token)
        plural = "EnvironmentVariable" if kind == VARIABLE else "Secrets"
        conforms(f"list{stem}{plural}", listing)
        assert len(listing["results"]) >= 5
        api.delete(f"{here}/{kind}/{created['id']}", token=owner_token)
