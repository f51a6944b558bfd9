import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import recorded_statements
from envplane.models import Environment, Project, Variable
from tests.fixtures.api import Api
from tests.fixtures.factories import Json


def _path(organization: Json) -> str:
    return f"/organization/{organization['id']}/project"


def _add_environments(
    sessions: sessionmaker[Session], project: Json, cluster: Json, count: int
) -> None:
    """Environments of ``project``, each with a variable, made in the database."""
    project_id = uuid.UUID(project["id"])
    with sessions.begin() as session:
        for index in range(count):
            environment = Environment(
                project_id=project_id,
                cluster_id=uuid.UUID(cluster["id"]),
                name=f"env-{index}",
                mode="DEVELOPMENT",
            )
            session.add(environment)
            session.flush()
            session.add(
                Variable(
                    owner_id=environment.id,
                    scope="ENVIRONMENT",
                    project_id=project_id,
                    environment_id=environment.id,
                    is_secret=False,
                    key="KEY",
                    value="value",
                    variable_type="VALUE",
                )
            )
        session.add(
            Variable(
                owner_id=project_id,
                scope="PROJECT",
                project_id=project_id,
                is_secret=False,
                key="SHARED",
                value="value",
                variable_type="VALUE",
            )
        )


class TestCreate:
    def test_valid(self, api: Api, owner_token: str, organization: Json) -> None:
        body = {"name": "  shop  ", "description": "the web shop"}
        project = api.post(
            _path(organization), token=owner_token, json=body, expect=200
        )

        assert project["name"] == "shop"
        assert project["description"] == "the web shop"
        assert project["associated_environments_count"] == 0
        assert project["organization"] == {"id": organization["id"]}
        assert uuid.UUID(project["id"]) and project["created_at"]
        assert api.get(f"/project/{project['id']}", token=owner_token) == project

    def test_name_taken_regardless_of_case(
        self, api: Api, owner_token: str, organization: Json, project: Json
    ) -> None:
        body = {"name": project["name"].upper()}
        error = api.post(_path(organization), token=owner_token, json=body, expect=409)

        assert "already taken" in error["message"]
        listed = api.get(_path(organization), token=owner_token)["results"]
        assert listed == [project]

    def test_same_name_in_another_organization(
        self, api: Api, outsider_token: str, project: Json
    ) -> None:
        other = api.post(
            "/organization",
            token=outsider_token,
            json={"name": "other", "plan": "FREE"},
        )
        body = {"name": project["name"]}
        api.post(_path(other), token=outsider_token, json=body, expect=200)

    @pytest.mark.parametrize(
        "body",
        [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 256}, {"name": 5}],
    )
    def test_invalid(
        self, api: Api, owner_token: str, organization: Json, body: Json
    ) -> None:
        error = api.post(_path(organization), token=owner_token, json=body, expect=400)

        assert error["status"] == 400 and error["errors"]
        assert api.get(_path(organization), token=owner_token)["results"] == []

    def test_anonymous(self, api: Api, organization: Json) -> None:
        api.post(_path(organization), token=None, json={"name": "x"}, expect=401)

    def test_outsider(self, api: Api, outsider_token: str, organization: Json) -> None:
        path = _path(organization)
        api.post(path, token=outsider_token, json={"name": "x"}, expect=404)

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
    def test_forbidden(
        self,
        api: Api,
        organization: Json,
        member_token: Callable[[Role], str],
        role: Role,
    ) -> None:
        path = _path(organization)
        api.post(path, token=member_token(role), json={"name": "x"}, expect=403)

    def test_admin(
        self, api: Api, organization: Json, member_token: Callable[[Role], str]
    ) -> None:
        path = _path(organization)
        api.post(path, token=member_token(Role.ADMIN), json={"name": "x"}, expect=200)


class TestList:
    def test_counts_environments_in_one_query(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        engine: Engine,
    ) -> None:
        path = _path(organization)
        with recorded_statements(engine) as one_project:
            api.get(path, token=owner_token)
        for name, count in (("api", 3), ("docs", 0), ("ops", 1)):
            created = api.post(path, token=owner_token, json={"name": name}, expect=200)
            _add_environments(sessions, created, cluster, count)
        _add_environments(sessions, project, cluster, 2)

        with recorded_statements(engine) as four_projects:
            listed = api.get(path, token=owner_token)["results"]

        counts = {p["name"]: p["associated_environments_count"] for p in listed}
        assert counts == {"shop": 2, "api": 3, "docs": 0, "ops": 1}
        assert [p["name"] for p in listed] == ["shop", "api", "docs", "ops"]
        assert len(four_projects) == len(one_project)
        assert sum("environments" in sql for sql in four_projects) == 1

    def test_viewer(
        self,
        api: Api,
        organization: Json,
        project: Json,
        member_token: Callable[[Role], str],
    ) -> None:
        listed = api.get(_path(organization), token=member_token(Role.VIEWER))
        assert listed == {"results": [project]}

    def test_outsider(self, api: Api, outsider_token: str, organization: Json) -> None:
        api.get(_path(organization), token=outsider_token, expect=404)


class TestGet:
    def test_valid(
        self,
        api: Api,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
        member_token: Callable[[Role], str],
    ) -> None:
        _add_environments(sessions, project, cluster, 2)

        found = api.get(f"/project/{project['id']}", token=member_token(Role.VIEWER))
        assert found == {**project, "associated_environments_count": 2}

    def test_outsider(self, api: Api, outsider_token: str, project: Json) -> None:
        api.get(f"/project/{project['id']}", token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(f"/project/{uuid.uuid4()}", token=owner_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/project/not-a-uuid", token=owner_token, expect=400)


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        _add_environments(sessions, project, cluster, 1)

        path = f"/project/{project['id']}"
        body = {"name": "Shop ", "description": "renamed"}
        edited = api.put(path, token=owner_token, json=body)

        assert edited["name"] == "Shop" and edited["description"] == "renamed"
        assert edited["associated_environments_count"] == 1
        assert edited["created_at"] == project["created_at"] and edited["updated_at"]
        assert api.get(path, token=owner_token) == edited

        edited = api.put(path, token=owner_token, json={"name": "shop"})
        assert "description" not in edited

    def test_name_taken(
        self, api: Api, owner_token: str, organization: Json, project: Json
    ) -> None:
        other = api.post(
            _path(organization), token=owner_token, json={"name": "api"}, expect=200
        )

        path = f"/project/{other['id']}"
        error = api.put(path, token=owner_token, json={"name": "SHOP"}, expect=409)
        assert "already taken" in error["message"]
        assert api.get(path, token=owner_token)["name"] == "api"

    def test_invalid(self, api: Api, owner_token: str, project: Json) -> None:
        path = f"/project/{project['id']}"
        api.put(path, token=owner_token, json={"name": " "}, expect=400)

    def test_developer_forbidden(
        self, api: Api, project: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.DEVELOPER)
        path = f"/project/{project['id']}"
        api.put(path, token=token, json={"name": "x"}, expect=403)

    def test_outsider(self, api: Api, outsider_token: str, project: Json) -> None:
        path = f"/project/{project['id']}"
        api.put(path, token=outsider_token, json={"name": "x"}, expect=404)


class TestDelete:
    def test_deletes_environments_and_variables(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        other = api.post(
            _path(organization), token=owner_token, json={"name": "api"}, expect=200
        )
        _add_environments(sessions, project, cluster, 2)
        _add_environments(sessions, other, cluster, 1)

        api.delete(f"/project/{project['id']}", token=owner_token)

        api.get(f"/project/{project['id']}", token=owner_token, expect=404)
        with sessions() as session:
            assert session.scalars(select(Project.name)).all() == ["api"]
            remaining = {uuid.UUID(other["id"])}
            environments = session.scalars(select(Environment.project_id)).all()
            assert set(environments) == remaining and len(environments) == 1
            variables = session.scalars(select(Variable.project_id)).all()
            # The other project's built-in and its environment's two entries.
            assert set(variables) == remaining and len(variables) == 3
        listed = api.get(
            f"/organization/{organization['id']}/cluster", token=owner_token
        )
        assert [c["id"] for c in listed["results"]] == [cluster["id"]]

    def test_developer_forbidden(
        self, api: Api, project: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.DEVELOPER)
        api.delete(f"/project/{project['id']}", token=token, expect=403)

    def test_outsider(self, api: Api, outsider_token: str, project: Json) -> None:
        api.delete(f"/project/{project['id']}", token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.delete(f"/project/{uuid.uuid4()}", token=owner_token, expect=404)
