"""The built-in variables of services: generated, kept, renamed and removed with
their service, and seen by every service of the environment."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import transaction
from envplane.core.errors import InvalidInput
from envplane.models import Service, Variable
from envplane.service.kinds import KINDS
from envplane.service.kinds.base import BuiltIn, ServiceType
from envplane.variable.builtins import _renames, internal_host
from envplane.variable.repository import variable_repository
from tests.fixtures.api import Api
from tests.fixtures.factories import Json
from tests.variable.conftest import insert_service
from tests.variable.test_endpoints import (
    SECRET,
    VARIABLE,
    add,
    alias,
    environment_path,
    listed,
    override,
    stored,
)
from tests.variable.test_service_endpoints import (
    find,
    linked,
    links,
    service_path,
    sync,
)

HOST = "QOVERY_DATABASE_MAIN_DB_HOST"
PASSWORD = "QOVERY_DATABASE_MAIN_DB_PASSWORD"


@pytest.fixture
def database(api: Api, environment: Json) -> Json:
    return insert_service(api, environment, "DATABASE", "main-db")


def rename(api: Api, service: Json, name: str, *builtins: BuiltIn) -> Json:
    """Rename the service as the service package does, then sync its built-ins."""
    with transaction(api.app.state.sessions) as session:
        row = session.get(Service, uuid.UUID(service["id"]))
        assert row is not None
        row.name = name
    renamed = {**service, "name": name}
    sync(api, renamed, *builtins)
    return renamed


def built_ins_of(sessions: sessionmaker[Session], service: Json) -> list[Variable]:
    with sessions() as session:
        statement = (
            select(Variable)
            .where(Variable.service_id == uuid.UUID(service["id"]))
            .where(Variable.scope == "BUILT_IN")
            .order_by(Variable.key)
        )
        return list(session.scalars(statement))


def exists(sessions: sessionmaker[Session], entry: Json) -> bool:
    with sessions() as session:
        return session.get(Variable, uuid.UUID(entry["id"])) is not None


class TestSync:
    def test_created(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        database: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        # "!" is not in the ciphertext's alphabet: the value cannot show by chance.
        sync(api, database, BuiltIn(HOST, "h1"), BuiltIn(PASSWORD, "pw!", secret=True))

        host, password = built_ins_of(sessions, database)
        environment_id = uuid.UUID(environment["id"])
        for row, secret in ((host, False), (password, True)):
            assert (row.owner_id, row.environment_id, row.project_id) == (
                environment_id,
                environment_id,
                uuid.UUID(project["id"]),
            )
            assert (row.variable_type, row.is_secret) == ("BUILT_IN", secret)
        assert host.value == "h1"
        assert password.value and "pw!" not in password.value
        assert api.app.state.cipher.decrypt(password.value) == "pw!"
        for kind, key in ((VARIABLE, HOST), (SECRET, PASSWORD)):
            here = environment_path(environment)
            entry = find(listed(api, owner_token, here, kind), key, "BUILT_IN")
            assert links(entry) == linked(database)

    def test_kept(
        self, api: Api, database: Json, sessions: sessionmaker[Session]
    ) -> None:
        sync(api, database, BuiltIn(HOST, "h1"), BuiltIn(PASSWORD, "pw", secret=True))
        before = built_ins_of(sessions, database)

        sync(api, database, BuiltIn(HOST, "h1"), BuiltIn(PASSWORD, "pw", secret=True))
        same = built_ins_of(sessions, database)
        sync(api, database, BuiltIn(HOST, "h2"), BuiltIn(PASSWORD, "pw2", secret=True))
        changed = built_ins_of(sessions, database)

        assert [r.id for r in same] == [r.id for r in changed] == [r.id for r in before]
        # Unchanged values are not rewritten: the ciphertext stays as it was.
        assert [r.value for r in same] == [r.value for r in before]
        assert changed[0].value == "h2"
        assert changed[1].value
        assert api.app.state.cipher.decrypt(changed[1].value) == "pw2"

    def test_renamed(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        database: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        """Aliases keep pointing at the renamed built-in; overrides take its new
        key, at the environment and at every service."""
        sync(api, database, BuiltIn(HOST, "h"), BuiltIn(PASSWORD, "pw", secret=True))
        application = insert_service(api, environment, "APPLICATION", "front")
        here, there = environment_path(environment), service_path(application)
        host = find(listed(api, owner_token, here, VARIABLE), HOST, "BUILT_IN")
        password = find(listed(api, owner_token, here, SECRET), PASSWORD, "BUILT_IN")
        link = alias(api, owner_token, there, VARIABLE, host, "DB_HOST")
        hidden = alias(api, owner_token, there, SECRET, password, "DB_PASSWORD")
        overrides = [
            override(api, owner_token, here, VARIABLE, host, "h-env"),
            override(api, owner_token, there, VARIABLE, host, "h-app"),
            override(api, owner_token, there, SECRET, password, "pw-app"),
        ]

        renamed = rename(
            api,
            database,
            "postgres",
            BuiltIn("QOVERY_DATABASE_POSTGRES_HOST", "h"),
            BuiltIn("QOVERY_DATABASE_POSTGRES_PASSWORD", "pw", secret=True),
        )

        rows = built_ins_of(sessions, renamed)
        assert [(str(r.id), r.key) for r in rows] == [
            (host["id"], "QOVERY_DATABASE_POSTGRES_HOST"),
            (password["id"], "QOVERY_DATABASE_POSTGRES_PASSWORD"),
        ]
        assert stored(sessions, link["id"]).parent_id == uuid.UUID(host["id"])
        assert stored(sessions, hidden["id"]).parent_id == uuid.UUID(password["id"])
        assert [stored(sessions, o["id"]).key for o in overrides] == [
            "QOVERY_DATABASE_POSTGRES_HOST",
            "QOVERY_DATABASE_POSTGRES_HOST",
            "QOVERY_DATABASE_POSTGRES_PASSWORD",
        ]
        seen = listed(api, owner_token, there, VARIABLE)
        moved = find(seen, "DB_HOST", "APPLICATION")
        assert moved["aliased_variable"]["key"] == "QOVERY_DATABASE_POSTGRES_HOST"
        assert (
            find(seen, "QOVERY_DATABASE_POSTGRES_HOST", "BUILT_IN")["service_name"]
            == "postgres"
        )

    def test_renamed_with_real_kind(
        self, api: Api, environment: Json, sessions: sessionmaker[Session]
    ) -> None:
        application = insert_service(api, environment, "APPLICATION", "front-end")
        kind = KINDS[ServiceType.APPLICATION]

        def generate(service: Json) -> list[BuiltIn]:
            with sessions() as session:
                row = session.get(Service, uuid.UUID(service["id"]))
                assert row is not None
                return kind.builtins(row, cipher=api.app.state.cipher)

        sync(api, application, *generate(application))
        (before,) = built_ins_of(sessions, application)
        with transaction(sessions) as session:
            row = session.get(Service, uuid.UUID(application["id"]))
            assert row is not None
            row.name = "Web-App"
        sync(api, application, *generate(application))
        (after,) = built_ins_of(sessions, application)

        assert before.key == "QOVERY_APPLICATION_FRONT_END_HOST_INTERNAL"
        assert (after.id, after.key) == (
            before.id,
            "QOVERY_APPLICATION_WEB_APP_HOST_INTERNAL",
        )
        assert after.value == before.value

    def test_dropped(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        database: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        """A key the service no longer has goes, with what derives from it."""
        sync(api, database, BuiltIn(HOST, "h"), BuiltIn(f"{HOST}_READER", "r"))
        here = environment_path(environment)
        reader = find(
            listed(api, owner_token, here, VARIABLE), f"{HOST}_READER", "BUILT_IN"
        )
        derived = [
            alias(api, owner_token, here, VARIABLE, reader, "READER"),
            override(api, owner_token, here, VARIABLE, reader, "x"),
        ]

        sync(api, database, BuiltIn(HOST, "h"))

        assert [r.key for r in built_ins_of(sessions, database)] == [HOST]
        assert not any(exists(sessions, entry) for entry in (reader, *derived))

    def test_name_clash(
        self, api: Api, environment: Json, sessions: sessionmaker[Session]
    ) -> None:
        """Names differing only in punctuation give the same keys: refused on
        the name, and nothing is written."""
        first = insert_service(api, environment, "APPLICATION", "my-app")
        second = insert_service(api, environment, "APPLICATION", "my_app")
        key = "QOVERY_APPLICATION_MY_APP_HOST_INTERNAL"
        sync(api, first, BuiltIn(key, "a"))

        with pytest.raises(InvalidInput) as raised:
            sync(api, second, BuiltIn(key, "b"))

        assert raised.value.errors[0]["loc"] == ["body", "name"]
        assert "my-app" in raised.value.message
        assert built_ins_of(sessions, second) == []

    def test_name_clash_concurrently(
        self,
        api: Api,
        environment: Json,
        sessions: sessionmaker[Session],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        first = insert_service(api, environment, "APPLICATION", "my-app")
        second = insert_service(api, environment, "APPLICATION", "my_app")
        key = "QOVERY_APPLICATION_MY_APP_HOST_INTERNAL"
        sync(api, first, BuiltIn(key, "a"))
        # As if the first service had taken the key after this sync looked.
        monkeypatch.setattr(
            variable_repository, "builtin_key_holders", lambda *_, **__: []
        )

        with pytest.raises(InvalidInput) as raised:
            sync(api, second, BuiltIn(key, "b"))

        assert raised.value.errors[0]["loc"] == ["body", "name"]


class TestServiceDeleted:
    def test_takes_its_entries(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        database: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        """Deleting a service deletes its built-ins, its own entries, and the
        aliases and overrides of its built-ins elsewhere."""
        sync(api, database, BuiltIn(HOST, "h"))
        application = insert_service(api, environment, "APPLICATION", "front")
        here, there = environment_path(environment), service_path(application)
        host = find(listed(api, owner_token, here, VARIABLE), HOST, "BUILT_IN")
        derived = [
            alias(api, owner_token, there, VARIABLE, host, "DB_HOST"),
            override(api, owner_token, here, VARIABLE, host, "h2"),
        ]
        kept = add(api, owner_token, there, VARIABLE, "KEPT")
        gone = add(api, owner_token, there, SECRET, "GONE")

        with transaction(sessions) as session:
            session.delete(session.get(Service, uuid.UUID(database["id"])))
            session.delete(session.get(Service, uuid.UUID(application["id"])))
            session.flush()

        assert not any(exists(sessions, e) for e in (host, *derived, kept, gone))
        keys = [e["key"] for e in listed(api, owner_token, here, VARIABLE)]
        assert keys == ["QOVERY_ENVIRONMENT_ID", "QOVERY_PROJECT_ID"]


class TestRenames:
    """How changed keys are paired, without a database."""

    def test_one_name_in_every_key(self) -> None:
        old = ["QOVERY_DATABASE_DB1_HOST", "QOVERY_DATABASE_DB1_PORT"]
        new = ["QOVERY_DATABASE_DB2_HOST", "QOVERY_DATABASE_DB2_PORT"]
        assert _renames(old, new) == dict(zip(old, new, strict=True))

    def test_name_inside_another(self) -> None:
        old = ["QOVERY_DATABASE_X_HOST", "QOVERY_DATABASE_X_HOST_PORT"]
        new = ["QOVERY_DATABASE_HOST_HOST", "QOVERY_DATABASE_HOST_HOST_PORT"]
        assert _renames(old, new) == dict(zip(old, new, strict=True))

    def test_not_a_rename(self) -> None:
        """A key replaced by another while the others stay is no rename."""
        old = [
            "QOVERY_APPLICATION_A_HOST_INTERNAL",
            "QOVERY_APPLICATION_A_HOST_EXTERNAL",
        ]
        new = ["QOVERY_APPLICATION_A_HOST_INTERNAL", "QOVERY_APPLICATION_A_PORT_8080"]
        assert _renames(old, new) == {}

    def test_nothing_to_pair(self) -> None:
        assert _renames(["A_1"], ["A_1"]) == {}
        assert _renames([], ["A_1"]) == {}
        assert _renames(["A_1"], []) == {}


class TestInternalHost:
    def test_from_id(self) -> None:
        service = Service(
            id=uuid.UUID("6f1c2a9b-0000-4000-8000-000000000000"),
            kind="CONTAINER",
            name="worker",
        )
        assert internal_host(service) == "container-z6f1c2a9b"
        service.name = "renamed"
        assert internal_host(service) == "container-z6f1c2a9b"


class TestThroughServiceRoutes:
    """The lifecycle as clients drive it: the service routes keep the built-ins
    in step with the service."""

    def test_lifecycle(self, api: Api, owner_token: str, environment: Json) -> None:
        here = environment_path(environment)
        body = {
            "name": "front-end",
            "git_repository": {
                "url": "https://github.com/acme/front-end.git",
                "branch": "main",
                "provider": "GITHUB",
            },
            "healthchecks": {},
        }
        application = api.post(f"{here}/application", token=owner_token, json=body)
        service = {"id": application["id"], "name": "front-end", "kind": "APPLICATION"}
        key = "QOVERY_APPLICATION_FRONT_END_HOST_INTERNAL"
        host = find(listed(api, owner_token, here, VARIABLE), key, "BUILT_IN")
        assert host["value"] == f"application-z{uuid.UUID(application['id']).hex[:8]}"
        assert links(host) == linked(service)
        link = alias(api, owner_token, service_path(service), VARIABLE, host, "HOST")

        api.put(
            f"/application/{application['id']}",
            token=owner_token,
            json={"name": "web-app", "healthchecks": {}},
        )

        renamed = "QOVERY_APPLICATION_WEB_APP_HOST_INTERNAL"
        moved = find(listed(api, owner_token, here, VARIABLE), renamed, "BUILT_IN")
        assert (moved["id"], moved["value"]) == (host["id"], host["value"])
        assert moved["service_name"] == "web-app"
        seen = listed(api, owner_token, service_path(service), VARIABLE)
        assert find(seen, "HOST", "APPLICATION")["id"] == link["id"]

        api.delete(f"/application/{application['id']}", token=owner_token)

        keys = [e["key"] for e in listed(api, owner_token, here, VARIABLE)]
        assert keys == ["QOVERY_ENVIRONMENT_ID", "QOVERY_PROJECT_ID"]
