"""Variables and secrets through HTTP, at project and environment scope."""

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import recorded_statements
from envplane.models import Variable
from envplane.variable.repository import variable_repository
from tests.fixtures.api import Api
from tests.fixtures.bulk import add_entries
from tests.fixtures.factories import Json

VARIABLE = "environmentVariable"
SECRET = "secret"
# Every property of the official EnvironmentVariable and Secret schemas.
VARIABLE_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "key",
    "value",
    "mount_path",
    "description",
    "enable_interpolation_in_file",
    "overridden_variable",
    "aliased_variable",
    "scope",
    "variable_type",
    "service_id",
    "service_name",
    "service_type",
    "owned_by",
}
SECRET_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "key",
    "overridden_secret",
    "aliased_secret",
    "scope",
    "variable_type",
    "service_id",
    "service_name",
    "service_type",
    "owned_by",
    "description",
    "enable_interpolation_in_file",
}
MISSING_ID = "00000000-0000-4000-8000-000000000000"


def project_path(project: Json) -> str:
    return f"/project/{project['id']}"


def environment_path(environment: Json) -> str:
    return f"/environment/{environment['id']}"


def add(
    api: Api,
    token: str,
    owner: str,
    kind: str,
    key: str,
    value: str = "v",
    expect: int = 201,
    **more: Any,
) -> Json:
    body = {"key": key, "value": value, **more}
    return api.post(f"{owner}/{kind}", token=token, json=body, expect=expect)  # type: ignore[no-any-return]


def listed(api: Api, token: str, owner: str, kind: str) -> list[Json]:
    return api.get(f"{owner}/{kind}", token=token)["results"]  # type: ignore[no-any-return]


def alias(
    api: Api,
    token: str,
    owner: str,
    kind: str,
    target: Json,
    key: str,
    expect: int = 201,
) -> Json:
    path = f"{owner}/{kind}/{target['id']}/alias"
    return api.post(path, token=token, json={"key": key}, expect=expect)  # type: ignore[no-any-return]


def override(
    api: Api,
    token: str,
    owner: str,
    kind: str,
    target: Json,
    value: str,
    expect: int = 201,
) -> Json:
    path = f"{owner}/{kind}/{target['id']}/override"
    return api.post(path, token=token, json={"value": value}, expect=expect)  # type: ignore[no-any-return]


def stored(sessions: sessionmaker[Session], entry_id: str) -> Variable:
    with sessions() as session:
        variable = session.get(Variable, uuid.UUID(entry_id))
        assert variable is not None
        return variable


def field_error(error: Json, field: str) -> bool:
    return error["status"] == 400 and ["body", field] in [
        item["loc"] for item in error["errors"]
    ]


def scoped(entries: list[Json]) -> list[tuple[str, str]]:
    return [(e["key"], e["scope"]) for e in entries]


def scope_of(owner: str) -> str:
    return "PROJECT" if owner.startswith("/project/") else "ENVIRONMENT"


def built_ins(owner: str, kind: str) -> list[tuple[str, str]]:
    """The built-ins a list at ``owner`` starts with, as (key, scope): the
    owner's own and, at an environment, its project's. Secrets have none. Their
    variable type is BUILT_IN too, so the pairs also read as (key, type)."""
    if kind == SECRET:
        return []
    if owner.startswith("/project/"):
        return [("QOVERY_PROJECT_ID", "BUILT_IN")]
    return [("QOVERY_ENVIRONMENT_ID", "BUILT_IN"), ("QOVERY_PROJECT_ID", "BUILT_IN")]


def listing_statements(
    api: Api,
    token: str,
    organization: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
    kind: str,
    *,
    count: int,
) -> list[list[str]]:
    """The statements listing the entries of a new project, then of its
    environment, take when each holds ``count`` entries of its own; a tenth of
    the environment's alias one of the project's."""
    project = api.post(
        f"/organization/{organization['id']}/project",
        token=token,
        json={"name": f"size-{count}"},
        expect=200,
    )
    environment = api.post(
        f"/project/{project['id']}/environment",
        token=token,
        json={"name": "bulk", "cluster": cluster["id"]},
    )
    project_id, environment_id = uuid.UUID(project["id"]), uuid.UUID(environment["id"])
    secret = kind == SECRET
    inherited = add_entries(
        sessions,
        owner_id=project_id,
        scope="PROJECT",
        project_id=project_id,
        count=count,
        secret=secret,
    )
    add_entries(
        sessions,
        owner_id=environment_id,
        scope="ENVIRONMENT",
        project_id=project_id,
        environment_id=environment_id,
        count=count,
        secret=secret,
        alias_of=inherited[0],
    )

    seen = []
    for owner, own in (
        (project_path(project), count),
        (environment_path(environment), 2 * count),
    ):
        with recorded_statements(api.app.state.engine) as statements:
            entries = listed(api, token, owner, kind)
        assert len(entries) == len(built_ins(owner, kind)) + own
        seen.append(statements)
    return seen


@pytest.fixture(params=[VARIABLE, SECRET])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=["project", "environment"])
def owner(request: pytest.FixtureRequest, project: Json, environment: Json) -> str:
    """The path of the owner the test works at, one scope after the other."""
    if request.param == "project":
        return project_path(project)
    return environment_path(environment)


@pytest.fixture
def inherited(api: Api, owner_token: str, project: Json, kind: str) -> Json:
    """A project entry, seen from the project's environments."""
    return add(api, owner_token, project_path(project), kind, "DATABASE_URL", "pg://db")


def built_in_of(api: Api, token: str, project: Json, owner: str, kind: str) -> Json:
    """A built-in entry of ``owner``: for variables, the one the owner was
    created with. Projects and environments have no built-in secret, so for
    secrets one is inserted, the way the built-in variables are stored, to
    check that the secret routes treat built-ins alike."""
    if kind == SECRET:
        return insert_built_in_secret(api, project, owner)
    key = f"QOVERY_{scope_of(owner)}_ID"
    (built_in,) = [e for e in listed(api, token, owner, VARIABLE) if e["key"] == key]
    return built_in


def insert_built_in_secret(api: Api, project: Json, owner: str) -> Json:
    owner_id = uuid.UUID(owner.rsplit("/", 1)[1])
    with api.app.state.sessions() as session:
        built_in = Variable(
            owner_id=owner_id,
            scope="BUILT_IN",
            project_id=uuid.UUID(project["id"]),
            environment_id=owner_id if owner.startswith("/environment/") else None,
            is_secret=True,
            key="QOVERY_OWNER_ID",
            value=api.app.state.cipher.encrypt(str(owner_id)),
            variable_type="BUILT_IN",
        )
        session.add(built_in)
        session.commit()
        return {"id": str(built_in.id), "key": built_in.key}


@pytest.fixture
def built_in(api: Api, owner_token: str, project: Json, owner: str, kind: str) -> Json:
    return built_in_of(api, owner_token, project, owner, kind)


class TestList:
    def test_valid(
        self, api: Api, owner_token: str, project: Json, environment: Json, kind: str
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        add(api, owner_token, upper, kind, "ZETA")
        add(api, owner_token, upper, kind, "ALPHA")
        add(api, owner_token, here, kind, "BETA")

        assert scoped(listed(api, owner_token, here, kind)) == [
            *built_ins(here, kind),
            ("ALPHA", "PROJECT"),
            ("ZETA", "PROJECT"),
            ("BETA", "ENVIRONMENT"),
        ]
        assert scoped(listed(api, owner_token, upper, kind)) == [
            *built_ins(upper, kind),
            ("ALPHA", "PROJECT"),
            ("ZETA", "PROJECT"),
        ]

    def test_built_ins(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        # Before QOVERY_ by key, yet listed after: broadest scope first.
        add(api, owner_token, upper, VARIABLE, "AFTER_THEM")

        of_project, own = listed(api, owner_token, upper, VARIABLE)
        of_environment, inherited, _ = listed(api, owner_token, here, VARIABLE)

        assert (own["key"], own["scope"]) == ("AFTER_THEM", "PROJECT")
        assert inherited == of_project
        for entry, key, value in (
            (of_project, "QOVERY_PROJECT_ID", project["id"]),
            (of_environment, "QOVERY_ENVIRONMENT_ID", environment["id"]),
        ):
            assert entry == {
                "id": entry["id"],
                "created_at": entry["created_at"],
                "key": key,
                "value": value,
                "scope": "BUILT_IN",
                "variable_type": "BUILT_IN",
                "owned_by": "QOVERY",
            }
        rows = [stored(sessions, e["id"]) for e in (of_project, of_environment)]
        project_id, environment_id = (
            uuid.UUID(project["id"]),
            uuid.UUID(environment["id"]),
        )
        assert [
            (r.owner_id, r.project_id, r.environment_id, r.is_secret) for r in rows
        ] == [
            (project_id, project_id, None, False),
            (environment_id, project_id, environment_id, False),
        ]

    def test_no_built_in_secrets(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        for owner in (project_path(project), environment_path(environment)):
            assert listed(api, owner_token, owner, SECRET) == []

    def test_kinds_apart(self, api: Api, owner_token: str, owner: str) -> None:
        add(api, owner_token, owner, VARIABLE, "PLAIN")
        add(api, owner_token, owner, SECRET, "HIDDEN")

        assert scoped(listed(api, owner_token, owner, VARIABLE)) == [
            *built_ins(owner, VARIABLE),
            ("PLAIN", scope_of(owner)),
        ]
        assert scoped(listed(api, owner_token, owner, SECRET)) == [
            ("HIDDEN", scope_of(owner))
        ]

    def test_not_from_sibling(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        sibling_environment: Json,
        kind: str,
    ) -> None:
        here = environment_path(environment)
        add(api, owner_token, environment_path(sibling_environment), kind, "STAGING")

        seen = listed(api, owner_token, here, kind)
        assert scoped(seen) == built_ins(here, kind)
        if kind == VARIABLE:
            # Its own QOVERY_ENVIRONMENT_ID, not the sibling's.
            assert seen[0]["value"] == environment["id"]

    def test_one_query(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        inherited: Json,
        kind: str,
        statements: list[str],
    ) -> None:
        here = environment_path(environment)
        add(api, owner_token, here, kind, "OWN")
        alias(api, owner_token, here, kind, inherited, "DB")
        override(api, owner_token, here, kind, inherited, "pg://other")
        statements.clear()

        assert scoped(listed(api, owner_token, here, kind)) == [
            *built_ins(here, kind),
            ("DATABASE_URL", "PROJECT"),
            ("DATABASE_URL", "ENVIRONMENT"),
            ("DB", "ENVIRONMENT"),
            ("OWN", "ENVIRONMENT"),
        ]
        reads = [s for s in statements if "FROM variables" in s]
        assert len(reads) == 1, reads
        # Finding the environment also reads the caller's role: two in all.
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 2, selects

    def test_five_thousand(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        kind: str,
    ) -> None:
        args = (api, owner_token, organization, cluster, sessions, kind)
        small = listing_statements(*args, count=10)
        full = listing_statements(*args, count=5000)

        assert [len(s) for s in small] == [len(s) for s in full], full

    def test_viewer(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        add(api, owner_token, owner, kind, "SEEN")
        seen = listed(api, member_token(Role.VIEWER), owner, kind)
        assert scoped(seen) == [*built_ins(owner, kind), ("SEEN", scope_of(owner))]

    def test_anonymous(self, api: Api, owner: str, kind: str) -> None:
        api.get(f"{owner}/{kind}", token=None, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, owner: str, kind: str
    ) -> None:
        api.get(f"{owner}/{kind}", token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        for scope in ("project", "environment"):
            path = f"/{scope}/{MISSING_ID}/{kind}"
            error = api.get(path, token=owner_token, expect=404)
            assert scope in error["message"]

    def test_malformed_id(self, api: Api, owner_token: str, kind: str) -> None:
        for scope, parameter in (
            ("project", "projectId"),
            ("environment", "environmentId"),
        ):
            error = api.get(
                f"/{scope}/not-a-uuid/{kind}", token=owner_token, expect=400
            )
            assert error["errors"][0]["loc"] == ["path", parameter]


class TestCreate:
    def test_valid_variable(self, api: Api, owner_token: str, owner: str) -> None:
        body = {
            "key": "API_URL",
            "value": "https://api.example.com",
            "description": "where the API is",
            "enable_interpolation_in_file": False,
        }
        created = api.post(f"{owner}/{VARIABLE}", token=owner_token, json=body)

        assert set(created) <= VARIABLE_FIELDS
        assert {k: created[k] for k in body} == body
        assert created["variable_type"] == "VALUE"
        assert created["scope"] == (
            "PROJECT" if "/project/" in owner else "ENVIRONMENT"
        )
        assert created["owned_by"] == "QOVERY"
        assert "mount_path" not in created and "aliased_variable" not in created

    def test_valid_secret(self, api: Api, owner_token: str, owner: str) -> None:
        body = {"key": "API_TOKEN", "value": "t0ken", "description": "for the API"}
        created = api.post(f"{owner}/{SECRET}", token=owner_token, json=body)

        assert set(created) <= SECRET_FIELDS
        assert created["key"] == "API_TOKEN"
        assert created["description"] == "for the API"
        assert created["variable_type"] == "VALUE"
        assert created["owned_by"] == "QOVERY"
        assert "t0ken" not in json.dumps(created)

    def test_file(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        created = add(
            api, owner_token, owner, kind, "CONFIG", "a=1", mount_path="/etc/app.conf"
        )

        assert created["variable_type"] == "FILE"
        assert stored(sessions, created["id"]).mount_path == "/etc/app.conf"
        if kind == VARIABLE:
            assert created["mount_path"] == "/etc/app.conf"

    def test_empty_mount_path_is_none(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        created = add(api, owner_token, owner, kind, "PLAIN", mount_path="")
        assert created["variable_type"] == "VALUE"

    def test_value_defaults_to_empty(
        self, api: Api, owner_token: str, project: Json, sessions: sessionmaker[Session]
    ) -> None:
        here = project_path(project)
        variable = api.post(f"{here}/{VARIABLE}", token=owner_token, json={"key": "A"})
        secret = api.post(f"{here}/{SECRET}", token=owner_token, json={"key": "B"})

        assert variable["value"] == ""
        ciphertext = stored(sessions, secret["id"]).value
        assert ciphertext and api.app.state.cipher.decrypt(ciphertext) == ""

    def test_replaces_same_key(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        first = add(api, owner_token, owner, kind, "TIMEOUT", "10", description="old")
        second = add(
            api, owner_token, owner, kind, "TIMEOUT", "20", mount_path="/etc/timeout"
        )

        assert second["id"] == first["id"]
        assert second["variable_type"] == "FILE"
        assert "description" not in second
        seen = listed(api, owner_token, owner, kind)
        assert scoped(seen) == [*built_ins(owner, kind), ("TIMEOUT", scope_of(owner))]
        assert seen[-1]["id"] == first["id"]
        row = stored(sessions, first["id"])
        value = api.app.state.cipher.decrypt(row.value) if kind == SECRET else row.value
        assert value == "20"

    def test_key_of_other_kind(self, api: Api, owner_token: str, owner: str) -> None:
        add(api, owner_token, owner, VARIABLE, "SHARED")
        add(api, owner_token, owner, SECRET, "HIDDEN")

        error = add(api, owner_token, owner, SECRET, "SHARED", expect=400)
        assert field_error(error, "key") and "environment variable" in error["message"]
        error = add(api, owner_token, owner, VARIABLE, "HIDDEN", expect=400)
        assert field_error(error, "key") and "secret" in error["message"]

    def test_key_of_alias_or_override(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        alias(api, owner_token, here, kind, inherited, "DB")
        override(api, owner_token, here, kind, inherited, "pg://other")

        for key, word in (("DB", "alias"), ("DATABASE_URL", "override")):
            error = add(api, owner_token, here, kind, key, expect=400)
            assert field_error(error, "key") and word in error["message"]

    def test_value_naming_a_key_stays_a_value(
        self, api: Api, owner_token: str, project: Json
    ) -> None:
        here = project_path(project)
        add(api, owner_token, here, VARIABLE, "HOST", "db.internal")
        for value in ("HOST", "{{HOST}}"):
            created = add(api, owner_token, here, VARIABLE, "URL", value)
            assert created["variable_type"] == "VALUE" and created["value"] == value

    def test_invalid_key(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        for key, hint in (
            ("", "letter"),
            ("1ABC", "letter"),
            ("MY-KEY", "letter"),
            ("MY KEY", "letter"),
            ("CAFÉ", "letter"),
            ("QOVERY_HOST", "reserved"),
            ("qovery_host", "reserved"),
            ("Qovery_Host", "reserved"),
            ("__HOST", "reserved"),
            ("A" * 256, "255"),
        ):
            error = add(api, owner_token, owner, kind, key, expect=400)
            assert field_error(error, "key") and hint in error["message"], key
        assert scoped(listed(api, owner_token, owner, kind)) == built_ins(owner, kind)
        assert add(api, owner_token, owner, kind, "A" * 255)["key"] == "A" * 255

    def test_invalid_body(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        path = f"{owner}/{kind}"
        for body, field in (
            ({"value": "v"}, "key"),
            ({"key": 12}, "key"),
            ({"key": "K", "value": ["v"]}, "value"),
            ({"key": "K", "description": "d" * 256}, "description"),
            ({"key": "K", "mount_path": "etc/app.conf"}, "mount_path"),
            (
                {"key": "K", "enable_interpolation_in_file": "perhaps"},
                "enable_interpolation_in_file",
            ),
        ):
            error = api.post(path, token=owner_token, json=body, expect=400)
            assert field_error(error, field), body
        api.post(path, token=owner_token, json=["K"], expect=400)
        assert scoped(listed(api, owner_token, owner, kind)) == built_ins(owner, kind)

    def test_roles(
        self,
        api: Api,
        owner: str,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        add(api, member_token(Role.VIEWER), owner, kind, "K", expect=403)
        add(api, member_token(Role.DEVELOPER), owner, kind, "K")

    def test_anonymous(self, api: Api, owner: str, kind: str) -> None:
        api.post(f"{owner}/{kind}", token=None, json={"key": "K"}, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, owner: str, kind: str
    ) -> None:
        add(api, outsider_token, owner, kind, "K", expect=404)

    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        for scope in ("project", "environment"):
            add(api, owner_token, f"/{scope}/{MISSING_ID}", kind, "K", expect=404)

    def test_malformed_id(self, api: Api, owner_token: str, kind: str) -> None:
        for scope in ("project", "environment"):
            add(api, owner_token, f"/{scope}/42", kind, "K", expect=400)

    def test_key_taken_concurrently(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        add(api, owner_token, owner, kind, "RACED")
        # As if another request had added the key after this one looked.
        monkeypatch.setattr(variable_repository, "get_by_key", lambda *_: None)

        error = add(api, owner_token, owner, kind, "RACED", expect=400)
        assert field_error(error, "key") and "already used" in error["message"]


class TestSecretValues:
    def test_stored_encrypted(
        self, api: Api, owner_token: str, owner: str, sessions: sessionmaker[Session]
    ) -> None:
        created = add(api, owner_token, owner, SECRET, "PASSWORD", "hunter2")

        ciphertext = stored(sessions, created["id"]).value
        assert ciphertext is not None and "hunter2" not in ciphertext
        assert api.app.state.cipher.decrypt(ciphertext) == "hunter2"

    def test_never_answered(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        answers = []
        parent = add(api, owner_token, upper, SECRET, "PASSWORD", "clear-one")
        own = add(api, owner_token, here, SECRET, "TOKEN", "clear-two")
        answers += [parent, own]
        answers.append(
            api.put(
                f"{here}/{SECRET}/{own['id']}",
                token=owner_token,
                json={"key": "TOKEN", "value": "clear-three"},
            )
        )
        answers.append(alias(api, owner_token, here, SECRET, parent, "DB_PASSWORD"))
        answers.append(override(api, owner_token, here, SECRET, parent, "clear-four"))
        answers += [
            api.get(f"{path}/{SECRET}", token=owner_token) for path in (upper, here)
        ]

        with sessions() as session:
            ciphertexts = session.scalars(
                select(Variable.value).where(
                    Variable.is_secret, Variable.value.is_not(None)
                )
            ).all()
        assert len(ciphertexts) == 3
        text = json.dumps(answers)
        for secret in (
            "clear-one",
            "clear-two",
            "clear-three",
            "clear-four",
            *ciphertexts,
        ):
            assert secret not in text
        assert '"value"' not in text

    def test_not_logged(
        self, capsys: pytest.CaptureFixture[str], api: Api, owner_token: str, owner: str
    ) -> None:
        add(api, owner_token, owner, SECRET, "PASSWORD", "hunter2")

        logged = capsys.readouterr().err
        assert "variable.created" in logged and "PASSWORD" in logged
        assert "hunter2" not in logged


def edit(
    api: Api,
    token: str,
    owner: str,
    kind: str,
    entry: Json,
    expect: int = 200,
    **body: Any,
) -> Json:
    path = f"{owner}/{kind}/{entry['id']}"
    return api.put(path, token=token, json=body, expect=expect)  # type: ignore[no-any-return]


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        created = add(api, owner_token, owner, kind, "TIMEOUT", "10", description="d")
        edited = edit(
            api,
            owner_token,
            owner,
            kind,
            created,
            key="TIMEOUT_SECONDS",
            value="20",
            enable_interpolation_in_file=True,
        )

        assert edited["id"] == created["id"]
        assert edited["key"] == "TIMEOUT_SECONDS"
        assert edited["enable_interpolation_in_file"] is True
        assert "description" not in edited
        assert edited["updated_at"] > edited["created_at"]
        row = stored(sessions, created["id"])
        value = api.app.state.cipher.decrypt(row.value) if kind == SECRET else row.value
        assert value == "20"
        if kind == VARIABLE:
            assert edited["value"] == "20"

    def test_keeps_value_when_none_sent(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        created = add(api, owner_token, owner, kind, "TOKEN", "kept")
        before = stored(sessions, created["id"]).value

        edit(api, owner_token, owner, kind, created, key="TOKEN", description="new")

        assert stored(sessions, created["id"]).value == before

    def test_mount_path(self, api: Api, owner_token: str, owner: str) -> None:
        file = add(api, owner_token, owner, VARIABLE, "CONF", mount_path="/etc/a")
        plain = add(api, owner_token, owner, VARIABLE, "PLAIN")

        kept = edit(api, owner_token, owner, VARIABLE, file, key="CONF", value="b")
        assert (kept["variable_type"], kept["mount_path"]) == ("FILE", "/etc/a")
        moved = edit(
            api, owner_token, owner, VARIABLE, file, key="CONF", mount_path="/b"
        )
        assert moved["mount_path"] == "/b"
        now_file = edit(
            api, owner_token, owner, VARIABLE, plain, key="PLAIN", mount_path="/etc/p"
        )
        assert (now_file["variable_type"], now_file["mount_path"]) == ("FILE", "/etc/p")
        error = edit(
            api,
            owner_token,
            owner,
            VARIABLE,
            plain,
            key="PLAIN",
            mount_path="p",
            expect=400,
        )
        assert field_error(error, "mount_path")

    def test_secret_file_keeps_mount_path(
        self, api: Api, owner_token: str, owner: str, sessions: sessionmaker[Session]
    ) -> None:
        created = add(api, owner_token, owner, SECRET, "KEY_PEM", mount_path="/k.pem")

        edited = edit(
            api, owner_token, owner, SECRET, created, key="KEY_PEM", value="x"
        )

        assert edited["variable_type"] == "FILE"
        assert stored(sessions, created["id"]).mount_path == "/k.pem"

    def test_override(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        created = override(api, owner_token, here, kind, inherited, "pg://other")

        error = edit(api, owner_token, here, kind, created, key="OTHER", expect=400)
        assert field_error(error, "key") and "DATABASE_URL" in error["message"]
        edited = edit(
            api, owner_token, here, kind, created, key="DATABASE_URL", value="x"
        )
        assert edited["variable_type"] == "OVERRIDE"
        if kind == VARIABLE:
            assert edited["value"] == "x"
            assert edited["overridden_variable"]["value"] == "pg://db"

    def test_override_of_own_built_in(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        built_in: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        key = built_in["key"]
        created = override(api, owner_token, owner, kind, built_in, "mine")

        for other in ("OTHER", key.lower()):
            error = edit(api, owner_token, owner, kind, created, key=other, expect=400)
            assert field_error(error, "key") and key in error["message"], other
        # The QOVERY_ prefix is reserved, but an override keeps its parent's key.
        edited = edit(api, owner_token, owner, kind, created, key=key, value="new")

        assert (edited["id"], edited["key"]) == (created["id"], key)
        assert edited["variable_type"] == "OVERRIDE"
        row = stored(sessions, created["id"])
        value = api.app.state.cipher.decrypt(row.value) if kind == SECRET else row.value
        assert (row.key, value) == (key, "new")
        if kind == VARIABLE:
            assert edited["overridden_variable"]["value"] == built_in["value"]

    def test_alias(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        created = alias(api, owner_token, here, kind, inherited, "DB")

        error = edit(
            api, owner_token, here, kind, created, key="DB", value="x", expect=400
        )
        assert field_error(error, "value")
        edited = edit(api, owner_token, here, kind, created, key="DB_URL")
        assert (edited["key"], edited["variable_type"]) == ("DB_URL", "ALIAS")
        if kind == VARIABLE:
            assert edited["value"] == "pg://db"
            assert edited["aliased_variable"]["key"] == "DATABASE_URL"

    def test_derived_mount_path(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        parent = add(api, owner_token, upper, VARIABLE, "DATABASE_URL", "pg://db")
        created = override(api, owner_token, here, VARIABLE, parent, "pg://other")

        error = edit(
            api,
            owner_token,
            here,
            VARIABLE,
            created,
            key="DATABASE_URL",
            mount_path="/etc/db",
            expect=400,
        )
        assert field_error(error, "mount_path")

    def test_built_in(
        self, api: Api, owner_token: str, owner: str, kind: str, built_in: Json
    ) -> None:
        before = listed(api, owner_token, owner, kind)
        key = built_in["key"]

        for body in ({"key": key}, {"key": key, "value": "x"}, {"key": "RENAMED"}):
            error = edit(api, owner_token, owner, kind, built_in, expect=400, **body)
            assert "built in" in error["message"], body

        assert built_in["id"] in [e["id"] for e in before]
        assert listed(api, owner_token, owner, kind) == before

    def test_inherited_built_in(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        built_in = built_in_of(api, owner_token, project, upper, VARIABLE)

        error = edit(
            api,
            owner_token,
            here,
            VARIABLE,
            built_in,
            key="QOVERY_PROJECT_ID",
            expect=404,
        )
        assert "scope that defines it" in error["message"]

    def test_renames_overrides(
        self, api: Api, owner_token: str, project: Json, environment: Json, kind: str
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        parent = add(api, owner_token, upper, kind, "DATABASE_URL", "pg://db")
        override(api, owner_token, here, kind, parent, "pg://other")
        alias(api, owner_token, here, kind, parent, "DB")

        edit(api, owner_token, upper, kind, parent, key="DB_URL")

        seen = listed(api, owner_token, here, kind)
        assert [(e["key"], e["variable_type"]) for e in seen] == [
            *built_ins(here, kind),
            ("DB_URL", "VALUE"),
            ("DB", "ALIAS"),
            ("DB_URL", "OVERRIDE"),
        ]

    def test_rename_clashing_below(
        self, api: Api, owner_token: str, project: Json, environment: Json, kind: str
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        parent = add(api, owner_token, upper, kind, "DATABASE_URL", "pg://db")
        override(api, owner_token, here, kind, parent, "pg://other")
        add(api, owner_token, here, kind, "DB_URL")

        error = edit(api, owner_token, upper, kind, parent, key="DB_URL", expect=400)
        assert field_error(error, "key") and "overridden" in error["message"]
        assert scoped(listed(api, owner_token, upper, kind)) == [
            *built_ins(upper, kind),
            ("DATABASE_URL", "PROJECT"),
        ]

    def test_key_taken(self, api: Api, owner_token: str, owner: str, kind: str) -> None:
        add(api, owner_token, owner, SECRET if kind == VARIABLE else VARIABLE, "TAKEN")
        created = add(api, owner_token, owner, kind, "FREE")

        error = edit(api, owner_token, owner, kind, created, key="TAKEN", expect=400)
        assert field_error(error, "key") and "already used" in error["message"]

    def test_invalid(self, api: Api, owner_token: str, owner: str, kind: str) -> None:
        created = add(api, owner_token, owner, kind, "GOOD")

        for key in ("QOVERY_GOOD", "1GOOD", "__GOOD", "GO-OD", "G" * 256):
            error = edit(api, owner_token, owner, kind, created, key=key, expect=400)
            assert field_error(error, "key"), key
        error = edit(api, owner_token, owner, kind, created, value="v", expect=400)
        assert field_error(error, "key")
        error = edit(
            api,
            owner_token,
            owner,
            kind,
            created,
            key="GOOD",
            description="d" * 256,
            expect=400,
        )
        assert field_error(error, "description")

    def test_inherited(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        error = edit(api, owner_token, here, kind, inherited, key="X", expect=404)
        assert "scope that defines it" in error["message"]

    def test_other_kind(self, api: Api, owner_token: str, owner: str) -> None:
        variable = add(api, owner_token, owner, VARIABLE, "PLAIN")
        secret = add(api, owner_token, owner, SECRET, "HIDDEN")

        edit(api, owner_token, owner, SECRET, variable, key="PLAIN", expect=404)
        edit(api, owner_token, owner, VARIABLE, secret, key="HIDDEN", expect=404)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        created = add(api, owner_token, owner, kind, "K")
        edit(api, member_token(Role.VIEWER), owner, kind, created, key="K", expect=403)
        edit(api, member_token(Role.DEVELOPER), owner, kind, created, key="K2")

    def test_anonymous(self, api: Api, owner_token: str, owner: str, kind: str) -> None:
        created = add(api, owner_token, owner, kind, "K")
        path = f"{owner}/{kind}/{created['id']}"
        api.put(path, token=None, json={"key": "K"}, expect=401)

    def test_outsider(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        owner: str,
        kind: str,
        foreign_environment: Json,
    ) -> None:
        created = add(api, owner_token, owner, kind, "K")
        edit(api, outsider_token, owner, kind, created, key="K", expect=404)
        # Nor through an owner of the outsider's own organization.
        theirs = environment_path(foreign_environment)
        edit(api, outsider_token, theirs, kind, created, key="K", expect=404)

    def test_not_existing(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        edit(api, owner_token, owner, kind, {"id": MISSING_ID}, key="K", expect=404)
        created = add(api, owner_token, owner, kind, "K")
        for path in (f"/project/{MISSING_ID}", f"/environment/{MISSING_ID}"):
            edit(api, owner_token, path, kind, created, key="K", expect=404)

    def test_malformed_id(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        error = edit(api, owner_token, owner, kind, {"id": "nope"}, key="K", expect=400)
        parameter = "secretId" if kind == SECRET else "environmentVariableId"
        assert error["errors"][0]["loc"] == ["path", parameter]


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, owner: str, kind: str) -> None:
        created = add(api, owner_token, owner, kind, "GONE")
        kept = add(api, owner_token, owner, kind, "KEPT")

        api.delete(f"{owner}/{kind}/{created['id']}", token=owner_token)

        seen = listed(api, owner_token, owner, kind)
        assert scoped(seen) == [*built_ins(owner, kind), ("KEPT", scope_of(owner))]
        assert seen[-1]["id"] == kept["id"]

    def test_takes_aliases_and_overrides(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        sibling_environment: Json,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        upper = project_path(project)
        parent = add(api, owner_token, upper, kind, "DATABASE_URL", "pg://db")
        kept = add(api, owner_token, upper, kind, "KEPT")
        for below in (environment, sibling_environment):
            here = environment_path(below)
            alias(api, owner_token, here, kind, parent, "DB")
            override(api, owner_token, here, kind, parent, "pg://other")
            alias(api, owner_token, here, kind, kept, "ALSO_KEPT")

        api.delete(f"{upper}/{kind}/{parent['id']}", token=owner_token)

        with sessions() as session:
            keys = session.scalars(select(Variable.key).order_by(Variable.key)).all()
        assert keys == [
            "ALSO_KEPT",
            "ALSO_KEPT",
            "KEPT",
            # The built-ins of both environments and of the project.
            "QOVERY_ENVIRONMENT_ID",
            "QOVERY_ENVIRONMENT_ID",
            "QOVERY_PROJECT_ID",
        ]

    def test_built_in(
        self, api: Api, owner_token: str, owner: str, kind: str, built_in: Json
    ) -> None:
        before = listed(api, owner_token, owner, kind)
        path = f"{owner}/{kind}/{built_in['id']}"

        error = api.delete(path, token=owner_token, expect=400)

        assert "built in" in error["message"]
        assert built_in["id"] in [e["id"] for e in before]
        assert listed(api, owner_token, owner, kind) == before

    def test_inherited(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        path = f"{environment_path(environment)}/{kind}/{inherited['id']}"
        api.delete(path, token=owner_token, expect=404)

    def test_inherited_built_in(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        built_in = built_in_of(api, owner_token, project, upper, VARIABLE)

        api.delete(f"{here}/{VARIABLE}/{built_in['id']}", token=owner_token, expect=404)

        assert listed(api, owner_token, upper, VARIABLE) == [built_in]

    def test_other_kind(self, api: Api, owner_token: str, owner: str) -> None:
        variable = add(api, owner_token, owner, VARIABLE, "PLAIN")
        secret = add(api, owner_token, owner, SECRET, "HIDDEN")

        api.delete(f"{owner}/{SECRET}/{variable['id']}", token=owner_token, expect=404)
        api.delete(f"{owner}/{VARIABLE}/{secret['id']}", token=owner_token, expect=404)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        member_token: Callable[[Role], str],
    ) -> None:
        path = f"{owner}/{kind}/{add(api, owner_token, owner, kind, 'K')['id']}"
        api.delete(path, token=member_token(Role.VIEWER), expect=403)
        api.delete(path, token=member_token(Role.DEVELOPER))

    def test_anonymous(self, api: Api, owner_token: str, owner: str, kind: str) -> None:
        path = f"{owner}/{kind}/{add(api, owner_token, owner, kind, 'K')['id']}"
        api.delete(path, token=None, expect=401)

    def test_outsider(
        self, api: Api, owner_token: str, outsider_token: str, owner: str, kind: str
    ) -> None:
        path = f"{owner}/{kind}/{add(api, owner_token, owner, kind, 'K')['id']}"
        api.delete(path, token=outsider_token, expect=404)
        assert scoped(listed(api, owner_token, owner, kind)) == [
            *built_ins(owner, kind),
            ("K", scope_of(owner)),
        ]

    def test_not_existing(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        api.delete(f"{owner}/{kind}/{MISSING_ID}", token=owner_token, expect=404)

    def test_malformed_id(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        api.delete(f"{owner}/{kind}/nope", token=owner_token, expect=400)
        api.delete(f"/project/nope/{kind}/{MISSING_ID}", token=owner_token, expect=400)


class TestAlias:
    def test_valid(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        body = {
            "key": "DB",
            "description": "short name",
            "enable_interpolation_in_file": False,
        }
        created = api.post(
            f"{here}/{kind}/{inherited['id']}/alias", token=owner_token, json=body
        )

        assert set(created) <= (SECRET_FIELDS if kind == SECRET else VARIABLE_FIELDS)
        assert {k: created[k] for k in body} == body
        assert (created["scope"], created["variable_type"]) == ("ENVIRONMENT", "ALIAS")
        parent = {
            "id": inherited["id"],
            "key": "DATABASE_URL",
            "mount_path": "",
            "scope": "PROJECT",
            "variable_type": "VALUE",
        }
        if kind == VARIABLE:
            assert created["aliased_variable"] == {**parent, "value": "pg://db"}
            assert created["value"] == "pg://db"
        else:
            assert created["aliased_secret"] == parent
        assert scoped(listed(api, owner_token, here, kind)) == [
            *built_ins(here, kind),
            ("DATABASE_URL", "PROJECT"),
            ("DB", "ENVIRONMENT"),
        ]

    def test_follows_parent(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        parent = add(api, owner_token, upper, VARIABLE, "HOST", "a.example.com")
        alias(api, owner_token, here, VARIABLE, parent, "SERVER")

        edit(
            api, owner_token, upper, VARIABLE, parent, key="HOST", value="b.example.com"
        )

        seen = {e["key"]: e for e in listed(api, owner_token, here, VARIABLE)}
        assert seen["SERVER"]["value"] == "b.example.com"
        assert seen["SERVER"]["aliased_variable"]["value"] == "b.example.com"

    def test_of_built_in(
        self, api: Api, owner_token: str, owner: str, kind: str, built_in: Json
    ) -> None:
        before = scoped(listed(api, owner_token, owner, kind))

        created = alias(api, owner_token, owner, kind, built_in, "OWNER_ID")

        parent = created["aliased_secret" if kind == SECRET else "aliased_variable"]
        assert (parent["id"], parent["key"]) == (built_in["id"], built_in["key"])
        assert (parent["scope"], parent["variable_type"]) == ("BUILT_IN", "BUILT_IN")
        if kind == VARIABLE:
            assert created["value"] == built_in["value"]
        assert (built_in["key"], "BUILT_IN") in before
        assert scoped(listed(api, owner_token, owner, kind)) == [
            *before,
            ("OWNER_ID", scope_of(owner)),
        ]

    def test_of_inherited_built_in(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        built_in = built_in_of(api, owner_token, project, upper, VARIABLE)

        created = alias(api, owner_token, here, VARIABLE, built_in, "PROJECT_ID")

        assert (created["scope"], created["value"]) == ("ENVIRONMENT", project["id"])
        assert created["aliased_variable"]["key"] == "QOVERY_PROJECT_ID"

    def test_same_scope(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        scope = scope_of(owner)
        target = add(api, owner_token, owner, kind, "OWN", "first")

        created = alias(api, owner_token, owner, kind, target, "MINE")

        assert (created["key"], created["scope"]) == ("MINE", scope)
        assert created["variable_type"] == "ALIAS"
        parent = {
            "id": target["id"],
            "key": "OWN",
            "mount_path": "",
            "scope": scope,
            "variable_type": "VALUE",
        }
        if kind == VARIABLE:
            assert created["aliased_variable"] == {**parent, "value": "first"}
            assert created["value"] == "first"
        else:
            assert created["aliased_secret"] == parent
        row = stored(sessions, created["id"])
        assert (row.value, str(row.parent_id)) == (None, target["id"])

    def test_same_scope_follows_parent(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        scope = scope_of(owner)
        target = add(api, owner_token, owner, kind, "OWN", "first")
        alias(api, owner_token, owner, kind, target, "MINE")

        edit(api, owner_token, owner, kind, target, key="RENAMED", value="second")

        seen = listed(api, owner_token, owner, kind)
        assert scoped(seen) == [
            *built_ins(owner, kind),
            ("MINE", scope),
            ("RENAMED", scope),
        ]
        mine = seen[-2]
        parent = mine["aliased_secret" if kind == SECRET else "aliased_variable"]
        assert (parent["id"], parent["key"]) == (target["id"], "RENAMED")
        if kind == VARIABLE:
            assert (mine["value"], parent["value"]) == ("second", "second")

    def test_same_scope_key_of_parent(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        target = add(api, owner_token, owner, kind, "OWN")

        error = alias(api, owner_token, owner, kind, target, "OWN", expect=400)

        assert field_error(error, "key") and "already used" in error["message"]
        assert scoped(listed(api, owner_token, owner, kind)) == [
            *built_ins(owner, kind),
            ("OWN", scope_of(owner)),
        ]

    def test_of_derived(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        derived = [
            alias(api, owner_token, here, kind, inherited, "DB"),
            override(api, owner_token, here, kind, inherited, "pg://other"),
        ]
        for target, word in zip(derived, ("alias", "override"), strict=True):
            error = alias(api, owner_token, here, kind, target, "AGAIN", expect=400)
            assert f"itself an {word}" in error["message"]

    def test_of_own_alias(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        target = add(api, owner_token, owner, kind, "OWN")
        mine = alias(api, owner_token, owner, kind, target, "MINE")

        error = alias(api, owner_token, owner, kind, mine, "AGAIN", expect=400)

        assert "itself an alias" in error["message"]

    def test_not_visible(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        environment: Json,
        sibling_environment: Json,
        foreign_environment: Json,
        kind: str,
    ) -> None:
        here = environment_path(environment)
        sibling = add(
            api, owner_token, environment_path(sibling_environment), kind, "S"
        )
        foreign = add(
            api, outsider_token, project_path(foreign_environment["project"]), kind, "F"
        )

        for target in (sibling, foreign, {"id": MISSING_ID}):
            alias(api, owner_token, here, kind, target, "NEW", expect=404)

    def test_other_kind(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        variable = add(api, owner_token, upper, VARIABLE, "PLAIN")
        secret = add(api, owner_token, upper, SECRET, "HIDDEN")

        alias(api, owner_token, here, SECRET, variable, "P", expect=404)
        alias(api, owner_token, here, VARIABLE, secret, "H", expect=404)

    def test_key_taken(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        add(api, owner_token, here, SECRET if kind == VARIABLE else VARIABLE, "DB")

        error = alias(api, owner_token, here, kind, inherited, "DB", expect=400)
        assert field_error(error, "key") and "already used" in error["message"]

    def test_invalid(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        for key in ("QOVERY_DB", "__DB", "1DB", "D B", "D" * 256):
            error = alias(api, owner_token, here, kind, inherited, key, expect=400)
            assert field_error(error, "key"), key
        path = f"{here}/{kind}/{inherited['id']}/alias"
        for body, field in (
            ({}, "key"),
            ({"key": "DB", "description": "d" * 256}, "description"),
        ):
            error = api.post(path, token=owner_token, json=body, expect=400)
            assert field_error(error, field)
        api.post(
            f"{here}/{kind}/nope/alias",
            token=owner_token,
            json={"key": "DB"},
            expect=400,
        )

    def test_roles(
        self,
        api: Api,
        owner: str,
        kind: str,
        built_in: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        alias(api, member_token(Role.VIEWER), owner, kind, built_in, "ID", expect=403)
        alias(api, member_token(Role.DEVELOPER), owner, kind, built_in, "ID")

    def test_anonymous(self, api: Api, owner: str, kind: str, built_in: Json) -> None:
        path = f"{owner}/{kind}/{built_in['id']}/alias"
        api.post(path, token=None, json={"key": "ID"}, expect=401)

    def test_outsider(
        self,
        api: Api,
        outsider_token: str,
        owner: str,
        kind: str,
        built_in: Json,
        foreign_environment: Json,
    ) -> None:
        alias(api, outsider_token, owner, kind, built_in, "ID", expect=404)
        theirs = environment_path(foreign_environment)
        alias(api, outsider_token, theirs, kind, built_in, "ID", expect=404)

    def test_not_existing(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        alias(api, owner_token, owner, kind, {"id": MISSING_ID}, "ID", expect=404)


class TestOverride:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        parent = add(
            api, owner_token, upper, kind, "CONFIG", "a=1", mount_path="/etc/c"
        )
        body = {
            "value": "a=2",
            "description": "staging",
            "enable_interpolation_in_file": True,
        }
        created = api.post(
            f"{here}/{kind}/{parent['id']}/override", token=owner_token, json=body
        )

        assert set(created) <= (SECRET_FIELDS if kind == SECRET else VARIABLE_FIELDS)
        assert created["key"] == "CONFIG"
        assert (created["scope"], created["variable_type"]) == (
            "ENVIRONMENT",
            "OVERRIDE",
        )
        assert created["description"] == "staging"
        assert created["enable_interpolation_in_file"] is True
        details = {
            "id": parent["id"],
            "key": "CONFIG",
            "mount_path": "/etc/c",
            "scope": "PROJECT",
            "variable_type": "FILE",
        }
        row = stored(sessions, created["id"])
        if kind == VARIABLE:
            assert created["overridden_variable"] == {**details, "value": "a=1"}
            assert created["value"] == "a=2" and row.value == "a=2"
        else:
            assert created["overridden_secret"] == details
            assert row.value and api.app.state.cipher.decrypt(row.value) == "a=2"
        assert scoped(listed(api, owner_token, here, kind)) == [
            *built_ins(here, kind),
            ("CONFIG", "PROJECT"),
            ("CONFIG", "ENVIRONMENT"),
        ]

    def test_value_defaults_to_empty(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        parent = add(api, owner_token, project_path(project), VARIABLE, "HOST", "h")
        path = f"{environment_path(environment)}/{VARIABLE}/{parent['id']}/override"
        created = api.post(path, token=owner_token, json={})
        assert created["value"] == ""

    def test_key_taken(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        add(api, owner_token, here, kind, "DATABASE_URL", "pg://mine")

        error = override(api, owner_token, here, kind, inherited, "pg://x", expect=400)
        assert "already exists" in error["message"]

    def test_key_taken_concurrently(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        inherited: Json,
        kind: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        here = environment_path(environment)
        add(api, owner_token, here, kind, "DATABASE_URL", "pg://mine")
        monkeypatch.setattr(variable_repository, "get_by_key", lambda *_: None)

        error = override(api, owner_token, here, kind, inherited, "pg://x", expect=400)
        assert "already exists" in error["message"]

    def test_same_scope(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        target = add(api, owner_token, owner, kind, "OWN")
        error = override(api, owner_token, owner, kind, target, "x", expect=400)
        assert "lower scope" in error["message"]

    def test_no_target_for_project_secret(
        self, api: Api, owner_token: str, project: Json
    ) -> None:
        upper = project_path(project)
        own = add(api, owner_token, upper, SECRET, "HIDDEN")
        built_in = built_in_of(api, owner_token, project, upper, VARIABLE)

        # Nothing is broader than a project but its built-ins, and those are
        # variables: a project secret has nothing to override.
        error = override(api, owner_token, upper, SECRET, own, "x", expect=400)
        assert "lower scope" in error["message"]
        override(api, owner_token, upper, SECRET, built_in, "x", expect=404)
        assert scoped(listed(api, owner_token, upper, SECRET)) == [
            ("HIDDEN", "PROJECT")
        ]

    def test_of_derived(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        derived = [
            alias(api, owner_token, here, kind, inherited, "DB"),
            override(api, owner_token, here, kind, inherited, "pg://other"),
        ]
        for target, word in zip(derived, ("alias", "override"), strict=True):
            error = override(api, owner_token, here, kind, target, "x", expect=400)
            assert f"itself an {word}" in error["message"]

    def test_not_visible(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        environment: Json,
        sibling_environment: Json,
        foreign_environment: Json,
        kind: str,
    ) -> None:
        here = environment_path(environment)
        sibling = add(
            api, owner_token, environment_path(sibling_environment), kind, "S"
        )
        foreign = add(
            api, outsider_token, project_path(foreign_environment["project"]), kind, "F"
        )

        for target in (sibling, foreign, {"id": MISSING_ID}):
            override(api, owner_token, here, kind, target, "x", expect=404)

    def test_other_kind(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        variable = add(api, owner_token, upper, VARIABLE, "PLAIN")
        secret = add(api, owner_token, upper, SECRET, "HIDDEN")

        override(api, owner_token, here, SECRET, variable, "x", expect=404)
        override(api, owner_token, here, VARIABLE, secret, "x", expect=404)

    def test_invalid(
        self, api: Api, owner_token: str, environment: Json, inherited: Json, kind: str
    ) -> None:
        here = environment_path(environment)
        path = f"{here}/{kind}/{inherited['id']}/override"
        for body, field in (
            ({"value": 42}, "value"),
            ({"value": "x", "description": "d" * 256}, "description"),
            (
                {"value": "x", "enable_interpolation_in_file": "perhaps"},
                "enable_interpolation_in_file",
            ),
        ):
            error = api.post(path, token=owner_token, json=body, expect=400)
            assert field_error(error, field), body
        api.post(f"{here}/{kind}/nope/override", token=owner_token, json={}, expect=400)

    def test_of_built_in(
        self, api: Api, owner_token: str, project: Json, environment: Json, kind: str
    ) -> None:
        upper, here = project_path(project), environment_path(environment)
        built_in = built_in_of(api, owner_token, project, upper, kind)
        before = scoped(listed(api, owner_token, here, kind))

        created = override(api, owner_token, here, kind, built_in, "mine")

        assert (created["key"], created["scope"]) == (built_in["key"], "ENVIRONMENT")
        parent = created[
            "overridden_secret" if kind == SECRET else "overridden_variable"
        ]
        assert parent["id"] == built_in["id"]
        assert (parent["scope"], parent["variable_type"]) == ("BUILT_IN", "BUILT_IN")
        if kind == VARIABLE:
            assert (created["value"], parent["value"]) == ("mine", project["id"])
        assert scoped(listed(api, owner_token, here, kind)) == [
            *before,
            (built_in["key"], "ENVIRONMENT"),
        ]

    def test_own_built_in(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        built_in: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        key, scope = built_in["key"], scope_of(owner)
        before = scoped(listed(api, owner_token, owner, kind))

        created = override(api, owner_token, owner, kind, built_in, "mine")

        assert (created["key"], created["scope"]) == (key, scope)
        assert created["variable_type"] == "OVERRIDE"
        parent = created[
            "overridden_secret" if kind == SECRET else "overridden_variable"
        ]
        assert (parent["id"], parent["key"]) == (built_in["id"], key)
        assert (parent["scope"], parent["variable_type"]) == ("BUILT_IN", "BUILT_IN")
        row = stored(sessions, created["id"])
        value = api.app.state.cipher.decrypt(row.value) if kind == SECRET else row.value
        assert value == "mine"
        if kind == VARIABLE:
            assert (created["value"], parent["value"]) == ("mine", built_in["value"])
        assert (key, "BUILT_IN") in before
        assert scoped(listed(api, owner_token, owner, kind)) == [*before, (key, scope)]

    def test_own_built_in_twice(
        self,
        api: Api,
        owner_token: str,
        owner: str,
        kind: str,
        built_in: Json,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        override(api, owner_token, owner, kind, built_in, "mine")

        error = override(api, owner_token, owner, kind, built_in, "x", expect=400)
        assert "already exists" in error["message"]
        # As if another request had overridden it after this one looked.
        monkeypatch.setattr(variable_repository, "get_by_key", lambda *_: None)
        error = override(api, owner_token, owner, kind, built_in, "x", expect=400)
        assert "already exists" in error["message"]

    def test_roles(
        self,
        api: Api,
        owner: str,
        kind: str,
        built_in: Json,
        environment: Json,
        inherited: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        override(api, member_token(Role.VIEWER), owner, kind, built_in, "x", expect=403)
        here = environment_path(environment)
        override(api, member_token(Role.DEVELOPER), here, kind, inherited, "x")

    def test_anonymous(self, api: Api, owner: str, kind: str, built_in: Json) -> None:
        path = f"{owner}/{kind}/{built_in['id']}/override"
        api.post(path, token=None, json={"value": "x"}, expect=401)

    def test_outsider(
        self,
        api: Api,
        outsider_token: str,
        owner: str,
        kind: str,
        built_in: Json,
        foreign_environment: Json,
    ) -> None:
        override(api, outsider_token, owner, kind, built_in, "x", expect=404)
        theirs = environment_path(foreign_environment)
        override(api, outsider_token, theirs, kind, built_in, "x", expect=404)

    def test_not_existing(
        self, api: Api, owner_token: str, owner: str, kind: str
    ) -> None:
        override(api, owner_token, owner, kind, {"id": MISSING_ID}, "x", expect=404)
