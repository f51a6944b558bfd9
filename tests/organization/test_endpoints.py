from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.models import (
    ApiToken,
    Cluster,
    Environment,
    Organization,
    Project,
    Variable,
)
from tests.fixtures.api import Api
from tests.fixtures.factories import Json


class TestCreate:
    def test_valid(self, api: Api, owner_token: str) -> None:
        body = {"name": "acme", "plan": "FREE", "description": "the shop"}
        organization = api.post("/organization", token=owner_token, json=body)

        assert organization["name"] == "acme"
        assert organization["organization_plan"] == {"plan": "FREE"}
        members = api.get(
            f"/organization/{organization['id']}/member", token=owner_token
        )
        assert [m["role"] for m in members["results"]] == ["OWNER"]
        assert organization["owner"] == members["results"][0]["id"]

    def test_anonymous(self, api: Api) -> None:
        body = {"name": "acme", "plan": "FREE"}
        error = api.post("/organization", token=None, json=body, expect=401)
        assert error["message"]

    def test_name_taken_regardless_of_case(
        self, api: Api, owner_token: str, organization: Json
    ) -> None:
        body = {"name": organization["name"].upper(), "plan": "FREE"}
        error = api.post("/organization", token=owner_token, json=body, expect=409)
        assert "already taken" in error["message"]

    def test_invalid(self, api: Api, owner_token: str) -> None:
        for body in (
            {"plan": "FREE"},
            {"name": "", "plan": "FREE"},
            {"name": "x" * 256, "plan": "FREE"},
            {"name": "acme", "plan": "GOLD"},
            {"name": "acme", "plan": "FREE", "admin_emails": ["not-an-email"]},
        ):
            error = api.post("/organization", token=owner_token, json=body, expect=400)
            assert error["status"] == 400 and error["errors"], body
        assert api.get("/organization", token=owner_token)["results"] == []


class TestGet:
    def test_valid(self, api: Api, owner_token: str, organization: Json) -> None:
        found = api.get(f"/organization/{organization['id']}", token=owner_token)
        assert found == organization

    def test_outsider(self, api: Api, outsider_token: str, organization: Json) -> None:
        api.get(f"/organization/{organization['id']}", token=outsider_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/organization/not-a-uuid", token=owner_token, expect=400)


class TestList:
    def test_only_own(
        self, api: Api, owner_token: str, outsider_token: str, organization: Json
    ) -> None:
        api.post(
            "/organization",
            token=outsider_token,
            json={"name": "other", "plan": "FREE"},
        )

        names = [
            o["name"] for o in api.get("/organization", token=owner_token)["results"]
        ]
        assert names == ["acme"]


class TestEdit:
    def test_valid(self, api: Api, owner_token: str, organization: Json) -> None:
        path = f"/organization/{organization['id']}"
        body = {
            "name": "acme-corp",
            "description": "renamed",
            "website_url": "https://a.b",
        }
        edited = api.put(path, token=owner_token, json=body)

        assert edited["name"] == "acme-corp"
        assert edited["plan"] == organization["plan"]
        assert edited["updated_at"]

    def test_viewer_forbidden(
        self, api: Api, organization: Json, member_token: Callable[[Role], str]
    ) -> None:
        path = f"/organization/{organization['id']}"
        api.put(path, token=member_token(Role.VIEWER), json={"name": "x"}, expect=403)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, organization: Json) -> None:
        api.delete(f"/organization/{organization['id']}", token=owner_token)
        api.get(f"/organization/{organization['id']}", token=owner_token, expect=404)

    def test_with_everything_in_it(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        path = f"/environment/{environment['id']}/environmentVariable"
        api.post(path, token=owner_token, json={"key": "A", "value": "1"})

        api.delete(f"/organization/{organization['id']}", token=owner_token)

        with sessions() as session:
            for model in (Organization, Cluster, Project, Environment, Variable):
                assert session.scalars(select(model)).all() == [], model

    def test_developer_forbidden(
        self, api: Api, organization: Json, member_token: Callable[[Role], str]
    ) -> None:
        path = f"/organization/{organization['id']}"
        api.delete(path, token=member_token(Role.DEVELOPER), expect=403)


class TestAvailableRoles:
    def test_valid(self, api: Api, owner_token: str, organization: Json) -> None:
        roles = api.get(
            f"/organization/{organization['id']}/availableRole", token=owner_token
        )
        assert {r["name"] for r in roles["results"]} == {
            "OWNER",
            "ADMIN",
            "DEVELOPER",
            "VIEWER",
        }


class TestApiTokens:
    def _role_id(self, api: Api, token: str, organization: Json, name: str) -> str:
        path = f"/organization/{organization['id']}/availableRole"
        roles = api.get(path, token=token)["results"]
        return next(r["id"] for r in roles if r["name"] == name)

    def test_create_use_and_revoke(
        self,
        api: Api,
        owner_token: str,
        organization: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        path = f"/organization/{organization['id']}/apiToken"
        role_id = self._role_id(api, owner_token, organization, "VIEWER")
        created = api.post(
            path, token=owner_token, json={"name": "ci", "role_id": role_id}
        )
        clear = created["token"]

        assert created["role_name"] == "VIEWER"
        seen = api.get("/organization", token=clear, scheme="Token")["results"]
        assert [o["id"] for o in seen] == [organization["id"]]
        listed = api.get(path, token=owner_token)["results"]
        assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
        with sessions() as session:
            stored = session.scalars(select(ApiToken)).one()
            assert stored.token_digest != clear and clear not in stored.token_digest

        api.delete(f"{path}/{created['id']}", token=owner_token)
        api.get("/organization", token=clear, scheme="Token", expect=401)

    def test_viewer_token_cannot_write(
        self, api: Api, owner_token: str, organization: Json
    ) -> None:
        path = f"/organization/{organization['id']}/apiToken"
        role_id = self._role_id(api, owner_token, organization, "VIEWER")
        clear = api.post(
            path, token=owner_token, json={"name": "ro", "role_id": role_id}
        )["token"]

        body = {"name": "x"}
        api.call(
            "PUT",
            f"/organization/{organization['id']}",
            token=clear,
            scheme="Token",
            json=body,
            expect=403,
        )

    def test_invalid_role(self, api: Api, owner_token: str, organization: Json) -> None:
        path = f"/organization/{organization['id']}/apiToken"
        owner_role = self._role_id(api, owner_token, organization, "OWNER")
        for body in (
            {"name": "x", "role_id": owner_role},
            {"name": "x", "role_id": "00000000-0000-0000-0000-000000000000"},
            {"name": "x"},
            {"name": "", "role_id": owner_role},
        ):
            api.post(path, token=owner_token, json=body, expect=400)

    def test_name_taken(self, api: Api, owner_token: str, organization: Json) -> None:
        path = f"/organization/{organization['id']}/apiToken"
        role_id = self._role_id(api, owner_token, organization, "ADMIN")
        api.post(path, token=owner_token, json={"name": "ci", "role_id": role_id})
        api.post(
            path, token=owner_token, json={"name": "CI", "role_id": role_id}, expect=409
        )

    def test_filters(self, api: Api, owner_token: str, organization: Json) -> None:
        path = f"/organization/{organization['id']}/apiToken"
        role_id = self._role_id(api, owner_token, organization, "ADMIN")
        for name in ("deploy-bot", "ci"):
            api.post(path, token=owner_token, json={"name": name, "role_id": role_id})

        found = api.get(path, token=owner_token, params={"name": "deploy"})["results"]
        assert [t["name"] for t in found] == ["deploy-bot"]
        mine = api.get(path, token=owner_token, params={"creatorName": "owner@"})[
            "results"
        ]
        assert len(mine) == 2
