import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import httpx2
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import recorded_statements
from envplane.models import Environment, Variable
from tests.fixtures.api import Api
from tests.fixtures.factories import Json
from tests.fixtures.server import live_server


def _clone(environment: Json) -> str:
    return f"/environment/{environment['id']}/clone"


def _entries(api: Api, token: str, environment: Json) -> list[Json]:
    """Everything listed at environment scope, variables then secrets."""
    base = f"/environment/{environment['id']}"
    variables = api.get(f"{base}/environmentVariable", token=token)["results"]
    secrets = api.get(f"{base}/secret", token=token)["results"]
    return [*variables, *secrets]


def _project_entries(api: Api, token: str, project: Json) -> list[Json]:
    base = f"/project/{project['id']}"
    variables = api.get(f"{base}/environmentVariable", token=token)["results"]
    secrets = api.get(f"{base}/secret", token=token)["results"]
    return [*variables, *secrets]


def _parent(entry: Json) -> Json | None:
    """What an alias or override derives from, whichever kind it is."""
    fields = ("aliased_variable", "overridden_variable", "aliased_secret")
    for field in (*fields, "overridden_secret"):
        if field in entry:
            return entry[field]  # type: ignore[no-any-return]
    return None


def _comparable(entry: Json, environment: Json) -> tuple[Any, ...]:
    """An entry as its copy must repeat it, where the copy's environment id
    stands for the source's (QOVERY_ENVIRONMENT_ID and its aliases)."""
    parent = _parent(entry)
    value = entry.get("value")
    if value == environment["id"]:
        value = "<environment id>"
    return (
        entry["scope"],
        entry["key"],
        value,
        entry["variable_type"],
        entry.get("mount_path"),
        entry.get("description"),
        parent and (parent["key"], parent["scope"]),
    )


@pytest.fixture
def populated(api: Api, owner_token: str, project: Json, environment: Json) -> Json:
    """The environment with values, a file, a secret, and aliases and overrides
    of its project's variables and secrets."""
    project_path = f"/project/{project['id']}"
    env_path = f"/environment/{environment['id']}"
    db_host = api.post(
        f"{project_path}/environmentVariable",
        token=owner_token,
        json={"key": "DB_HOST", "value": "db.internal"},
    )
    db_password = api.post(
        f"{project_path}/secret",
        token=owner_token,
        json={"key": "DB_PASSWORD", "value": "project-pass"},
    )
    for body in (
        {"key": "LOG_LEVEL", "value": "info", "description": "verbosity"},
        {"key": "APP_CONFIG", "value": "a=1", "mount_path": "/etc/app.conf"},
    ):
        api.post(f"{env_path}/environmentVariable", token=owner_token, json=body)
    api.post(
        f"{env_path}/secret", token=owner_token, json={"key": "API_KEY", "value": "k3y"}
    )
    api.post(
        f"{env_path}/environmentVariable/{db_host['id']}/alias",
        token=owner_token,
        json={"key": "DATABASE_HOST"},
    )
    api.post(
        f"{env_path}/environmentVariable/{db_host['id']}/override",
        token=owner_token,
        json={"value": "db.production"},
    )
    api.post(
        f"{env_path}/secret/{db_password['id']}/override",
        token=owner_token,
        json={"value": "production-pass"},
    )
    api.post(
        f"{env_path}/secret/{db_password['id']}/alias",
        token=owner_token,
        json={"key": "PGPASSWORD"},
    )
    own = {e["key"]: e for e in _entries(api, owner_token, environment)}
    api.post(
        f"{env_path}/environmentVariable/{own['LOG_LEVEL']['id']}/alias",
        token=owner_token,
        json={"key": "VERBOSITY"},
    )
    api.post(
        f"{env_path}/environmentVariable/{own['QOVERY_ENVIRONMENT_ID']['id']}/alias",
        token=owner_token,
        json={"key": "ENVIRONMENT_ID"},
    )
    return environment


class TestClone:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        populated: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        before = _entries(api, owner_token, populated)

        body = {"name": "preview-42", "mode": "PREVIEW"}
        clone = api.post(_clone(populated), token=owner_token, json=body, expect=202)

        assert clone["name"] == "preview-42"
        assert clone["mode"] == "PREVIEW"
        assert clone["project"] == {"id": project["id"]}
        assert clone["organization"] == {"id": organization["id"]}
        assert clone["cluster_id"] == populated["cluster_id"]
        assert clone["cluster_name"] == populated["cluster_name"]
        assert clone["cloud_provider"] == populated["cloud_provider"]
        assert clone["id"] != populated["id"]
        assert api.get(f"/environment/{clone['id']}", token=owner_token) == clone

        copied = _entries(api, owner_token, clone)
        assert sorted(_comparable(e, clone) for e in copied) == sorted(
            _comparable(e, populated) for e in before
        )
        project_ids = {e["id"] for e in _project_entries(api, owner_token, project)}
        copy_ids = {e["id"] for e in copied} - project_ids
        assert not copy_ids & {e["id"] for e in before}
        # A parent inside the environment became its copy; the project's stayed.
        for entry in copied:
            parent = _parent(entry)
            if parent is not None:
                assert parent["id"] in project_ids | copy_ids, entry
        by_key = {e["key"]: e for e in copied if e["scope"] != "PROJECT"}
        assert (
            by_key["VERBOSITY"]["aliased_variable"]["id"] == by_key["LOG_LEVEL"]["id"]
        )
        assert by_key["ENVIRONMENT_ID"]["value"] == clone["id"]
        assert _entries(api, owner_token, populated) == before
        self._assert_secrets_copied(api, sessions, populated, clone)

    def _assert_secrets_copied(
        self, api: Api, sessions: sessionmaker[Session], source: Json, clone: Json
    ) -> None:
        cipher = api.app.state.cipher

        def secrets(environment_id: str) -> dict[str, str]:
            with sessions() as session:
                rows = session.execute(
                    select(Variable.key, Variable.value).where(
                        Variable.owner_id == uuid.UUID(environment_id),
                        Variable.is_secret,
                        Variable.value.is_not(None),
                    )
                )
                return {key: cipher.decrypt(value) for key, value in rows}

        assert secrets(clone["id"]) == secrets(source["id"])
        assert secrets(clone["id"]) == {
            "API_KEY": "k3y",
            "DB_PASSWORD": "production-pass",
        }

    def test_other_cluster(
        self, api: Api, owner_token: str, organization: Json, environment: Json
    ) -> None:
        other = api.post(
            f"/organization/{organization['id']}/cluster",
            token=owner_token,
            json={"name": "gcp", "region": "europe-west1", "cloud_provider": "GCP"},
        )
        body = {
            "name": "copy",
            "cluster_id": other["id"],
            "apply_deployment_rule": True,
        }
        clone = api.post(_clone(environment), token=owner_token, json=body, expect=202)

        assert clone["cluster_id"] == other["id"]
        assert clone["cloud_provider"] == {"provider": "gcp", "cluster": "europe-west1"}
        assert clone["mode"] == environment["mode"]

    def test_into_other_project(
        self, api: Api, owner_token: str, organization: Json, populated: Json
    ) -> None:
        target = api.post(
            f"/organization/{organization['id']}/project",
            token=owner_token,
            json={"name": "staging"},
            expect=200,
        )
        target_path = f"/project/{target['id']}"
        db_host = api.post(
            f"{target_path}/environmentVariable",
            token=owner_token,
            json={"key": "DB_HOST", "value": "db.staging"},
        )
        db_password = api.post(
            f"{target_path}/secret",
            token=owner_token,
            json={"key": "DB_PASSWORD", "value": "staging-pass"},
        )

        body = {"name": "staging", "project_id": target["id"]}
        clone = api.post(_clone(populated), token=owner_token, json=body, expect=202)

        assert clone["project"] == {"id": target["id"]}
        own = [
            e for e in _entries(api, owner_token, clone) if e["scope"] == "ENVIRONMENT"
        ]
        alias = next(e for e in own if e["key"] == "DATABASE_HOST")
        assert alias["aliased_variable"]["id"] == db_host["id"]
        assert alias["value"] == "db.staging"
        override = next(e for e in own if e["key"] == "DB_PASSWORD")
        assert override["overridden_secret"]["id"] == db_password["id"]

    def test_into_other_project_missing_keys(
        self, api: Api, owner_token: str, organization: Json, populated: Json
    ) -> None:
        target = api.post(
            f"/organization/{organization['id']}/project",
            token=owner_token,
            json={"name": "empty"},
            expect=200,
        )

        body = {"name": "staging", "project_id": target["id"]}
        error = api.post(_clone(populated), token=owner_token, json=body, expect=400)

        assert "DB_HOST" in error["message"] and "DB_PASSWORD" in error["message"]
        listed = api.get(f"/project/{target['id']}/environment", token=owner_token)
        assert listed["results"] == []

    def test_name_taken(self, api: Api, owner_token: str, environment: Json) -> None:
        body = {"name": environment["name"].upper()}
        error = api.post(_clone(environment), token=owner_token, json=body, expect=409)
        assert "already exists" in error["message"]

    def test_invalid(self, api: Api, owner_token: str, environment: Json) -> None:
        for body in (
            {},
            {"name": ""},
            {"name": "x" * 256},
            {"name": "copy", "mode": "SANDBOX"},
            {"name": "copy", "cluster_id": "nope"},
            {"name": "copy", "project_id": 12},
            {"name": "copy", "apply_deployment_rule": "sometimes"},
        ):
            api.post(_clone(environment), token=owner_token, json=body, expect=400)
        api.post(
            "/environment/nope/clone", token=owner_token, json={"name": "x"}, expect=400
        )

    def test_not_existing(self, api: Api, owner_token: str, organization: Json) -> None:
        path = f"/environment/{uuid.uuid4()}/clone"
        api.post(path, token=owner_token, json={"name": "copy"}, expect=404)

    def test_targets_of_another_organization(
        self, api: Api, owner_token: str, outsider_token: str, environment: Json
    ) -> None:
        other = api.post(
            "/organization",
            token=outsider_token,
            json={"name": "other", "plan": "FREE"},
        )
        foreign_cluster = api.post(
            f"/organization/{other['id']}/cluster",
            token=outsider_token,
            json={"name": "theirs", "region": "us-east-1", "cloud_provider": "AWS"},
        )
        foreign_project = api.post(
            f"/organization/{other['id']}/project",
            token=outsider_token,
            json={"name": "theirs"},
            expect=200,
        )

        for body in (
            {"name": "copy", "cluster_id": foreign_cluster["id"]},
            {"name": "copy", "project_id": foreign_project["id"]},
        ):
            api.post(_clone(environment), token=owner_token, json=body, expect=404)

    @pytest.mark.parametrize(
        ("role", "expect"),
        [
            (Role.OWNER, 202),
            (Role.ADMIN, 202),
            (Role.DEVELOPER, 202),
            (Role.VIEWER, 403),
            ("outsider", 404),
            ("anonymous", 401),
        ],
    )
    def test_authorization(
        self,
        api: Api,
        environment: Json,
        member_token: Callable[[Role], str],
        role: Role | str,
        expect: int,
    ) -> None:
        if role == "anonymous":
            token = None
        elif role == "outsider":
            token = api.user_token("stranger@example.com")
        else:
            assert isinstance(role, Role)
            token = member_token(role)

        body = {"name": f"copy-{role}"}
        answer = api.post(_clone(environment), token=token, json=body, expect=expect)
        if expect != 202:
            assert answer["message"]


def _fill(
    sessions: sessionmaker[Session], project: Json, environment: Json, count: int
) -> None:
    """``count`` environment entries, a tenth of them aliases of a project
    variable, inserted directly: this is about the clone, not about creating."""
    project_id = uuid.UUID(project["id"])
    environment_id = uuid.UUID(environment["id"])
    with sessions.begin() as session:
        parent = Variable(
            owner_id=project_id,
            scope="PROJECT",
            project_id=project_id,
            is_secret=False,
            key="SHARED",
            value="shared",
            variable_type="VALUE",
        )
        session.add(parent)
        session.flush()
        for index in range(count):
            alias = index % 10 == 0
            session.add(
                Variable(
                    owner_id=environment_id,
                    scope="ENVIRONMENT",
                    project_id=project_id,
                    environment_id=environment_id,
                    is_secret=False,
                    key=f"KEY_{index}",
                    value=None if alias else f"value-{index}",
                    variable_type="ALIAS" if alias else "VALUE",
                    parent_id=parent.id if alias else None,
                )
            )


class TestCloneCost:
    def _clone_statements(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        count: int,
    ) -> int:
        project = api.post(
            f"/organization/{organization['id']}/project",
            token=owner_token,
            json={"name": f"p{count}"},
            expect=200,
        )
        environment = api.post(
            f"/project/{project['id']}/environment",
            token=owner_token,
            json={"name": "source", "cluster": cluster["id"]},
        )
        _fill(sessions, project, environment, count)

        with recorded_statements(api.app.state.engine) as statements:
            clone = api.post(
                _clone(environment),
                token=owner_token,
                json={"name": "copy"},
                expect=202,
            )
        with sessions() as session:
            copied = session.scalars(
                select(Variable.scope).where(
                    Variable.owner_id == uuid.UUID(clone["id"])
                )
            ).all()
        assert sorted(copied) == ["BUILT_IN"] + ["ENVIRONMENT"] * count
        return len(statements)

    def test_statement_count_does_not_grow(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        small = self._clone_statements(
            api, owner_token, organization, cluster, sessions, 10
        )
        large = self._clone_statements(
            api, owner_token, organization, cluster, sessions, 1000
        )
        assert small == large
        assert small < 20


class TestCloneAtomicity:
    def test_failure_mid_copy_leaves_nothing(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        populated: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        engine = api.app.state.engine
        with sessions() as session:
            variables_before = session.scalar(select(func.count(Variable.id)))

        def fail_on_variable_copy(
            _conn: Any, _cursor: Any, statement: str, *_args: Any
        ) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO VARIABLES"):
                raise RuntimeError("injected failure while copying variables")

        event.listen(engine, "before_cursor_execute", fail_on_variable_copy)
        try:
            with pytest.raises(RuntimeError, match="injected failure"):
                api.post(_clone(populated), token=owner_token, json={"name": "doomed"})
        finally:
            event.remove(engine, "before_cursor_execute", fail_on_variable_copy)

        with sessions() as session:
            assert session.scalar(select(func.count(Variable.id))) == variables_before
            names = session.scalars(select(Environment.name)).all()
            assert names == [populated["name"]]
        # The rolled back clone's id map went with it: the next clone on the
        # same connection makes its own.
        api.post(
            _clone(populated), token=owner_token, json={"name": "doomed"}, expect=202
        )


class TestCloneConcurrency:
    def test_one_winner_per_name(
        self, api: Api, owner_token: str, environment: Json, is_postgresql: bool
    ) -> None:
        if not is_postgresql:
            pytest.skip("real write concurrency needs PostgreSQL")
        racers = 5
        barrier = Barrier(racers)

        with live_server(api.app) as base_url:

            def race(_: int) -> int:
                with httpx2.Client(base_url=base_url, timeout=30) as client:
                    barrier.wait()
                    response = client.post(
                        _clone(environment),
                        json={"name": "preview-race"},
                        headers={"Authorization": f"Bearer {owner_token}"},
                    )
                    return response.status_code

            with ThreadPoolExecutor(racers) as pool:
                statuses = sorted(pool.map(race, range(racers)))

        assert statuses == [202] + [409] * (racers - 1)
        project_envs = api.get(
            f"/project/{environment['project']['id']}/environment", token=owner_token
        )["results"]
        assert sorted(e["name"] for e in project_envs) == ["preview-race", "production"]
