import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.crypto import SecretCipher, generate_key
from envplane.models import Service, Variable
from envplane.service.kinds.database import DatabaseKind, DatabaseRequest
from tests.fixtures.api import Api
from tests.fixtures.bodies import database_body
from tests.fixtures.factories import Json
from tests.service_kinds.conftest import Conforms

CIPHER = SecretCipher([generate_key()])

KIND = DatabaseKind()


def _service(**changes: Any) -> Service:
    request = DatabaseRequest.model_validate(database_body(**changes))
    return Service(
        id=uuid.uuid4(),
        environment_id=uuid.uuid4(),
        kind="DATABASE",
        name=request.name,
        configuration=KIND.configuration(request, cipher=CIPHER),
        created_at=datetime.now(UTC),
    )


def _collection(environment: Json) -> str:
    return f"/environment/{environment['id']}/database"


@pytest.fixture
def database(api: Api, owner_token: str, environment: Json) -> Json:
    path = _collection(environment)
    return api.post(path, token=owner_token, json=database_body())  # type: ignore[no-any-return]


class TestConfiguration:
    @pytest.mark.parametrize(
        ("database_type", "mode", "memory"),
        [
            ("POSTGRESQL", "CONTAINER", 100),
            ("REDIS", "CONTAINER", 100),
            ("MYSQL", "CONTAINER", 512),
            ("MONGODB", "CONTAINER", 256),
            ("MYSQL", "MANAGED", 100),
        ],
    )
    def test_memory_default(self, database_type: str, mode: str, memory: int) -> None:
        extra = {"instance_type": "db.t3.medium"} if mode == "MANAGED" else {}
        service = _service(type=database_type, mode=mode, **extra)

        assert service.configuration["memory"] == memory
        assert service.configuration["cpu"] == 250

    def test_password_per_database(self) -> None:
        first, second = _service(), _service()

        clear = [CIPHER.decrypt(s.configuration["password"]) for s in (first, second)]
        assert len(clear[0]) >= 32 and clear[0] != clear[1]
        # Kept encrypted: the stored form is not the password.
        assert clear[0] not in first.configuration["password"]

    def test_copy_gets_own_password(self) -> None:
        service = _service()

        copy = KIND.copied(service.configuration, cipher=CIPHER)

        assert CIPHER.decrypt(copy["password"]) != CIPHER.decrypt(
            service.configuration["password"]
        )
        assert {**copy, "password": None} == {**service.configuration, "password": None}

    def test_answer_hides_password(self, conforms: Conforms) -> None:
        service = _service()

        answer = KIND.answer(service)

        assert CIPHER.decrypt(service.configuration["password"]) not in str(answer)
        assert answer["host"] == f"database-z{service.id.hex[:8]}"
        conforms("getDatabase", answer)


class TestBuiltins:
    @pytest.mark.parametrize(
        ("database_type", "port", "uri"),
        [
            ("POSTGRESQL", 5432, "postgresql://qovery:{password}@{host}:5432/qovery"),
            ("MYSQL", 3306, "mysql://qovery:{password}@{host}:3306/qovery"),
            ("MONGODB", 27017, "mongodb://qovery:{password}@{host}:27017/qovery"),
            ("REDIS", 6379, "redis://default:{password}@{host}:6379/0"),
        ],
    )
    def test_valid(self, database_type: str, port: int, uri: str) -> None:
        service = _service(name="orders-db", type=database_type)
        password = CIPHER.decrypt(service.configuration["password"])
        host = f"database-z{service.id.hex[:8]}"

        builtins = {item.key: item for item in KIND.builtins(service, cipher=CIPHER)}

        prefix = "QOVERY_DATABASE_ORDERS_DB"
        assert builtins[f"{prefix}_HOST"].value == host
        assert builtins[f"{prefix}_PORT"].value == str(port)
        assert builtins[f"{prefix}_PASSWORD"].value == password
        assert builtins[f"{prefix}_CONNECTION_URI"].value == uri.format(
            password=password, host=host
        )
        secrets = {key for key, item in builtins.items() if item.secret}
        assert secrets == {f"{prefix}_PASSWORD", f"{prefix}_CONNECTION_URI"}
        assert {f"{prefix}_USERNAME", f"{prefix}_DATABASE"} < builtins.keys()


class TestCreate:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        answer = api.post(
            _collection(environment), token=owner_token, json=database_body()
        )

        conforms("createDatabase", answer)
        assert answer["name"] == "orders-db"
        assert answer["environment"] == {"id": environment["id"]}
        assert (answer["type"], answer["version"], answer["mode"]) == (
            "POSTGRESQL",
            "16",
            "CONTAINER",
        )
        assert (answer["cpu"], answer["memory"], answer["storage"]) == (250, 100, 20)
        assert answer["port"] == 5432
        assert "instance_type" not in answer
        with sessions() as session:
            stored = session.get(Service, uuid.UUID(answer["id"]))
            assert stored is not None
            assert stored.kind == "DATABASE"
            assert "name" not in stored.configuration
            password = api.app.state.cipher.decrypt(stored.configuration["password"])
            assert password not in str(answer)

    def test_managed(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        body = database_body(
            type="MYSQL", version="8.0", mode="MANAGED", instance_type="db.t3.medium"
        )

        answer = api.post(_collection(environment), token=owner_token, json=body)

        conforms("createDatabase", answer)
        assert answer["instance_type"] == "db.t3.medium"
        assert answer["memory"] == 100

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            pytest.param({"type": "ORACLE"}, "type", id="unknown-type"),
            pytest.param({"mode": "SERVERLESS"}, "mode", id="unknown-mode"),
            pytest.param(
                {"accessibility": "OPEN"}, "accessibility", id="unknown-access"
            ),
            pytest.param({"version": None}, "version", id="missing-version"),
            pytest.param({"version": " "}, "version", id="empty-version"),
            pytest.param({"version": 16}, "version", id="number-version"),
            pytest.param({"name": None}, "name", id="missing-name"),
            pytest.param({"name": ""}, "name", id="empty-name"),
            pytest.param({"name": "d" * 256}, "name", id="long-name"),
            pytest.param({"cpu": 0}, "cpu", id="no-cpu"),
            pytest.param({"cpu": 10**6}, "cpu", id="too-much-cpu"),
            pytest.param({"memory": 10**7}, "memory", id="too-much-memory"),
            pytest.param({"storage": 0}, "storage", id="no-storage"),
            pytest.param({"mode": "MANAGED"}, "instance_type", id="managed-no-type"),
            pytest.param(
                {"instance_type": "db.t3.small"}, "instance_type", id="container-type"
            ),
            pytest.param(
                {"annotations_groups": [{"id": str(uuid.uuid4())}]},
                "annotations_groups",
                id="group",
            ),
            pytest.param(
                {"labels_groups": [{"id": "nope"}]}, "labels_groups", id="bad-group"
            ),
            pytest.param({"icon_uri": "database.svg"}, "icon_uri", id="relative-icon"),
        ],
    )
    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        changes: Json,
        field: str,
    ) -> None:
        body = {k: v for k, v in database_body(**changes).items() if v is not None}

        answer = api.post(
            _collection(environment), token=owner_token, json=body, expect=400
        )

        assert field in answer["message"]
        assert any(field in error["loc"] for error in answer["errors"])

    def test_name_taken(
        self, api: Api, owner_token: str, environment: Json, database: Json
    ) -> None:
        body = database_body(name="ORDERS-DB", type="REDIS", version="7")

        answer = api.post(
            _collection(environment), token=owner_token, json=body, expect=409
        )

        assert "ORDERS-DB" in answer["message"]

    def test_anonymous(self, api: Api, environment: Json) -> None:
        api.post(_collection(environment), token=None, json=database_body(), expect=401)

    def test_forbidden(
        self, api: Api, environment: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.post(
            _collection(environment), token=token, json=database_body(), expect=403
        )

    def test_developer(
        self, api: Api, environment: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.DEVELOPER)

        api.post(_collection(environment), token=token, json=database_body())

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        path = f"/environment/{uuid.uuid4()}/database"

        api.post(path, token=owner_token, json=database_body(), expect=404)

    def test_outsider(self, api: Api, outsider_token: str, environment: Json) -> None:
        api.post(
            _collection(environment),
            token=outsider_token,
            json=database_body(),
            expect=404,
        )

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        path = "/environment/not-a-uuid/database"

        api.post(path, token=owner_token, json=database_body(), expect=400)


class TestGet:
    def test_valid(
        self, api: Api, owner_token: str, database: Json, conforms: Conforms
    ) -> None:
        answer = api.get(f"/database/{database['id']}", token=owner_token)

        conforms("getDatabase", answer)
        assert answer == database

    def test_viewer(
        self, api: Api, database: Json, member_token: Callable[[Role], str]
    ) -> None:
        api.get(f"/database/{database['id']}", token=member_token(Role.VIEWER))

    def test_anonymous(self, api: Api, database: Json) -> None:
        api.get(f"/database/{database['id']}", token=None, expect=401)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(f"/database/{uuid.uuid4()}", token=owner_token, expect=404)

    def test_other_kind(
        self, api: Api, owner_token: str, environment: Json, database: Json
    ) -> None:
        api.get(f"/job/{database['id']}", token=owner_token, expect=404)

    def test_outsider(self, api: Api, outsider_token: str, database: Json) -> None:
        api.get(f"/database/{database['id']}", token=outsider_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/database/42", token=owner_token, expect=400)


class TestList:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        database: Json,
        conforms: Conforms,
    ) -> None:
        answer = api.get(_collection(environment), token=owner_token)

        conforms("listDatabase", answer)
        assert [item["id"] for item in answer["results"]] == [database["id"]]

    def test_outsider(
        self, api: Api, outsider_token: str, environment: Json, database: Json
    ) -> None:
        api.get(_collection(environment), token=outsider_token, expect=404)


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        database: Json,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        with sessions() as session:
            before = session.get(Service, uuid.UUID(database["id"]))
            assert before is not None
            password = before.configuration["password"]
        body = {"name": "orders", "version": "17", "cpu": 500, "storage": 30}

        answer = api.put(f"/database/{database['id']}", token=owner_token, json=body)

        conforms("editDatabase", answer)
        assert (answer["name"], answer["version"]) == ("orders", "17")
        assert (answer["cpu"], answer["storage"]) == (500, 30)
        assert answer["memory"] == database["memory"]
        assert answer["type"] == "POSTGRESQL"
        with sessions() as session:
            after = session.get(Service, uuid.UUID(database["id"]))
            assert after is not None
            assert after.configuration["password"] == password

    def test_managed(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        body = database_body(mode="MANAGED", instance_type="db.t3.medium")
        database = api.post(_collection(environment), token=owner_token, json=body)
        changes = {"instance_type": "db.t3.large", "disk_type": "gp3"}

        answer = api.put(f"/database/{database['id']}", token=owner_token, json=changes)

        conforms("editDatabase", answer)
        assert (answer["instance_type"], answer["disk_type"]) == ("db.t3.large", "gp3")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            pytest.param({"storage": 5}, "storage", id="shrink"),
            pytest.param({"disk_type": "gp3"}, "disk_type", id="container-disk"),
            pytest.param({"disk_type": "io2"}, "disk_type", id="unknown-disk"),
            pytest.param({"accessibility": "OPEN"}, "accessibility", id="unknown"),
            pytest.param({"name": ""}, "name", id="empty-name"),
            pytest.param({"memory": 0}, "memory", id="no-memory"),
        ],
    )
    def test_invalid(
        self, api: Api, owner_token: str, database: Json, body: Json, field: str
    ) -> None:
        path = f"/database/{database['id']}"

        answer = api.put(path, token=owner_token, json=body, expect=400)

        assert field in answer["message"]

    def test_forbidden(
        self, api: Api, database: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.put(f"/database/{database['id']}", token=token, json={}, expect=403)

    def test_outsider(self, api: Api, outsider_token: str, database: Json) -> None:
        path = f"/database/{database['id']}"

        api.put(path, token=outsider_token, json={"cpu": 500}, expect=404)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, database: Json) -> None:
        api.delete(f"/database/{database['id']}", token=owner_token)

        api.get(f"/database/{database['id']}", token=owner_token, expect=404)

    def test_forbidden(
        self, api: Api, database: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.delete(f"/database/{database['id']}", token=token, expect=403)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.delete(f"/database/{uuid.uuid4()}", token=owner_token, expect=404)


def _builtins(sessions: sessionmaker[Session], service_id: str) -> dict[str, Variable]:
    with sessions() as session:
        rows = session.scalars(
            select(Variable).where(Variable.service_id == uuid.UUID(service_id))
        )
        return {row.key: row for row in rows}


def _password(sessions: sessionmaker[Session], service_id: str, api: Api) -> str:
    """The database's password in clear."""
    with sessions() as session:
        service = session.get(Service, uuid.UUID(service_id))
        assert service is not None
        return str(api.app.state.cipher.decrypt(service.configuration["password"]))


class TestBuiltinVariables:
    def test_created(
        self,
        api: Api,
        database: Json,
        environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        password = _password(sessions, database["id"], api)

        rows = _builtins(sessions, database["id"])

        prefix = "QOVERY_DATABASE_ORDERS_DB"
        suffixes = (
            "HOST",
            "PORT",
            "USERNAME",
            "PASSWORD",
            "DATABASE",
            "CONNECTION_URI",
        )
        assert set(rows) == {f"{prefix}_{suffix}" for suffix in suffixes}
        assert {row.owner_id for row in rows.values()} == {uuid.UUID(environment["id"])}
        assert {row.scope for row in rows.values()} == {"BUILT_IN"}
        assert rows[f"{prefix}_PORT"].value == "5432"
        assert rows[f"{prefix}_HOST"].value == database["host"]
        for key in (f"{prefix}_PASSWORD", f"{prefix}_CONNECTION_URI"):
            assert rows[key].is_secret
            assert password not in (rows[key].value or "")

    def test_renamed(
        self,
        api: Api,
        owner_token: str,
        database: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        path = f"/database/{database['id']}"

        api.put(path, token=owner_token, json={"name": "billing"})

        keys = set(_builtins(sessions, database["id"]))
        assert "QOVERY_DATABASE_BILLING_HOST" in keys
        assert not any("ORDERS_DB" in key for key in keys)


class TestClone:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        database: Json,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        body = {"name": "orders-copy", "environment_id": environment["id"]}

        answer = api.post(
            f"/database/{database['id']}/clone",
            token=owner_token,
            json=body,
            expect=202,
        )

        conforms("cloneDatabase", answer)
        assert answer["name"] == "orders-copy"
        assert answer["host"] != database["host"]
        assert (answer["type"], answer["storage"]) == ("POSTGRESQL", 20)
        copied = _password(sessions, answer["id"], api)
        assert copied != _password(sessions, database["id"], api)
        assert "QOVERY_DATABASE_ORDERS_COPY_HOST" in _builtins(sessions, answer["id"])
