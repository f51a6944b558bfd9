from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import recorded_statements
from tests.fixtures.api import Api
from tests.fixtures.bulk import add_environments
from tests.fixtures.factories import Json


def _path(project: Json) -> str:
    return f"/project/{project['id']}/environment"


def _listing_statements(
    api: Api,
    token: str,
    organization: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
    *,
    count: int,
    suffix: str = "",
) -> list[str]:
    """The statements listing a new project's ``count`` environments takes."""
    project = api.post(
        f"/organization/{organization['id']}/project",
        token=token,
        json={"name": f"size-{count}"},
        expect=200,
    )
    add_environments(sessions, project, cluster, count)

    with recorded_statements(api.app.state.engine) as statements:
        listed = api.get(_path(project) + suffix, token=token)["results"]
    assert len(listed) == count
    return statements


class TestCreate:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        cluster: Json,
    ) -> None:
        body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
        environment = api.post(_path(project), token=owner_token, json=body)

        assert environment["name"] == "staging"
        assert environment["mode"] == "STAGING"
        assert environment["organization"] == {"id": organization["id"]}
        assert environment["project"] == {"id": project["id"]}
        assert environment["cluster_id"] == cluster["id"]
        assert environment["cluster_name"] == cluster["name"]
        assert environment["cloud_provider"] == {
            "provider": "aws",
            "cluster": "eu-west-3",
        }
        assert environment["last_updated_by"] == organization["owner"]

    def test_default_cluster_and_mode(
        self, api: Api, owner_token: str, project: Json, cluster: Json
    ) -> None:
        environment = api.post(_path(project), token=owner_token, json={"name": "dev"})

        assert environment["cluster_id"] == cluster["id"]
        assert environment["mode"] == "DEVELOPMENT"

    def test_no_cluster_yet(self, api: Api, owner_token: str, project: Json) -> None:
        error = api.post(
            _path(project), token=owner_token, json={"name": "dev"}, expect=400
        )
        assert "create one first" in error["message"]

    def test_name_taken_regardless_of_case(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        body = {"name": environment["name"].upper()}
        error = api.post(_path(project), token=owner_token, json=body, expect=409)
        assert "already exists" in error["message"]

    def test_invalid(
        self, api: Api, owner_token: str, project: Json, cluster: Json
    ) -> None:
        for body in (
            {},
            {"name": ""},
            {"name": "   "},
            {"name": "x" * 256},
            {"name": "preview", "mode": "PREVIEW"},
            {"name": "dev", "mode": "TESTING"},
            {"name": "dev", "cluster": "not-a-uuid"},
        ):
            error = api.post(_path(project), token=owner_token, json=body, expect=400)
            assert error["errors"], body
        assert api.get(_path(project), token=owner_token)["results"] == []

    def test_cluster_of_another_organization(
        self, api: Api, owner_token: str, outsider_token: str, project: Json
    ) -> None:
        other = api.post(
            "/organization",
            token=outsider_token,
            json={"name": "other", "plan": "FREE"},
        )
        foreign = api.post(
            f"/organization/{other['id']}/cluster",
            token=outsider_token,
            json={"name": "theirs", "region": "us-east-1", "cloud_provider": "AWS"},
        )
        body = {"name": "dev", "cluster": foreign["id"]}
        api.post(_path(project), token=owner_token, json=body, expect=404)

    def test_roles(
        self,
        api: Api,
        project: Json,
        cluster: Json,
        outsider_token: str,
        member_token: Callable[[Role], str],
    ) -> None:
        api.post(
            _path(project),
            token=member_token(Role.VIEWER),
            json={"name": "a"},
            expect=403,
        )
        api.post(_path(project), token=outsider_token, json={"name": "a"}, expect=404)
        api.post(_path(project), token=None, json={"name": "a"}, expect=401)
        api.post(_path(project), token=member_token(Role.DEVELOPER), json={"name": "a"})


class TestList:
    def test_valid(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        api.post(_path(project), token=owner_token, json={"name": "staging"})

        names = [
            e["name"] for e in api.get(_path(project), token=owner_token)["results"]
        ]
        assert names == ["production", "staging"]

    def test_viewer_and_outsider(
        self,
        api: Api,
        project: Json,
        environment: Json,
        outsider_token: str,
        member_token: Callable[[Role], str],
    ) -> None:
        assert api.get(_path(project), token=member_token(Role.VIEWER))["results"]
        api.get(_path(project), token=outsider_token, expect=404)

    def test_ten_thousand(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        args = (api, owner_token, organization, cluster, sessions)
        small = _listing_statements(*args, count=10)
        full = _listing_statements(*args, count=10_000)

        assert len(small) == len(full), full


class TestGet:
    def test_valid(self, api: Api, owner_token: str, environment: Json) -> None:
        found = api.get(f"/environment/{environment['id']}", token=owner_token)
        assert found == environment

    def test_one_read(self, api: Api, owner_token: str, environment: Json) -> None:
        # The environment, its project and cluster, and the caller's role are
        # one statement; the caller, known from earlier requests, costs none.
        with recorded_statements(api.app.state.engine) as statements:
            api.get(f"/environment/{environment['id']}", token=owner_token)

        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) == 1, reads
        assert "memberships" in reads[0]

    def test_not_existing(self, api: Api, owner_token: str, organization: Json) -> None:
        missing = "00000000-0000-4000-8000-000000000000"
        error = api.get(f"/environment/{missing}", token=owner_token, expect=404)
        assert missing in error["message"]

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/environment/42", token=owner_token, expect=400)

    def test_outsider(self, api: Api, outsider_token: str, environment: Json) -> None:
        api.get(f"/environment/{environment['id']}", token=outsider_token, expect=404)


class TestEdit:
    def test_valid(self, api: Api, owner_token: str, environment: Json) -> None:
        path = f"/environment/{environment['id']}"
        edited = api.put(
            path, token=owner_token, json={"name": "prod", "mode": "STAGING"}
        )

        assert (edited["name"], edited["mode"]) == ("prod", "STAGING")
        assert edited["updated_at"]

    def test_name_taken(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        other = api.post(_path(project), token=owner_token, json={"name": "staging"})
        body = {"name": "PRODUCTION"}
        api.put(f"/environment/{other['id']}", token=owner_token, json=body, expect=409)

    def test_invalid(self, api: Api, owner_token: str, environment: Json) -> None:
        path = f"/environment/{environment['id']}"
        for body in ({"name": ""}, {"mode": "PREVIEW"}, {"mode": 3}):
            api.put(path, token=owner_token, json=body, expect=400)

    def test_developer_forbidden(
        self, api: Api, environment: Json, member_token: Callable[[Role], str]
    ) -> None:
        path = f"/environment/{environment['id']}"
        token = member_token(Role.DEVELOPER)
        api.put(path, token=token, json={"name": "x"}, expect=403)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, environment: Json) -> None:
        path = f"/environment/{environment['id']}"
        api.delete(path, token=owner_token)
        api.get(path, token=owner_token, expect=404)

    def test_skip_reconcile_must_be_boolean(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        path = f"/environment/{environment['id']}"
        api.delete(
            path, token=owner_token, params={"skipReconcile": "maybe"}, expect=400
        )
        api.delete(path, token=owner_token, params={"skipReconcile": "true"})

    def test_viewer_forbidden(
        self, api: Api, environment: Json, member_token: Callable[[Role], str]
    ) -> None:
        path = f"/environment/{environment['id']}"
        api.delete(path, token=member_token(Role.VIEWER), expect=403)


class TestStatus:
    def test_never_deployed(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        status = api.get(f"/environment/{environment['id']}/status", token=owner_token)
        assert status == {
            "id": environment["id"],
            "state": "READY",
            "last_deployment_state": "READY",
            "deployment_status": "NEVER_DEPLOYED",
        }

    def test_project_statuses(
        self, api: Api, owner_token: str, project: Json, environment: Json
    ) -> None:
        statuses = api.get(
            f"/project/{project['id']}/environment/status", token=owner_token
        )
        assert [s["id"] for s in statuses["results"]] == [environment["id"]]

    def test_project_statement_count_does_not_grow(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        args = (api, owner_token, organization, cluster, sessions)
        small = _listing_statements(*args, count=10, suffix="/status")
        large = _listing_statements(*args, count=1000, suffix="/status")

        assert len(small) == len(large), large
