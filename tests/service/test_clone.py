import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import transaction
from envplane.models import CustomDomain, DeploymentStage, Service, Variable
from tests.fixtures.api import Api
from tests.fixtures.factories import Json
from tests.service.conftest import add_entry, builtin_id
from tests.service.test_endpoints import _foreign_environment

Conforms = Callable[[str, Any], None]


@pytest.fixture
def staging(api: Api, owner_token: str, project: Json, cluster: Json) -> Json:
    body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
    path = f"/project/{project['id']}/environment"
    return api.post(path, token=owner_token, json=body)  # type: ignore[no-any-return]


def _clone(
    resource: str, service: Json, environment: Json, name: str
) -> tuple[str, Json]:
    body = {"name": name, "environment_id": environment["id"]}
    return f"/{resource}/{service['id']}/clone", body


def _entries(session: Session, service_id: str) -> dict[str, Variable]:
    statement = select(Variable).where(
        Variable.owner_id == uuid.UUID(service_id), Variable.scope != "BUILT_IN"
    )
    return {row.key: row for row in session.scalars(statement)}


class TestClone:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        environment: Json,
        staging: Json,
        application: Json,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        """Configuration, variables and secrets are copied; aliases follow to
        the copy's built-ins and to the target environment's entries; project
        entries stay."""
        with transaction(sessions) as session:
            add_entry(session, owner=project, scope="PROJECT", key="REGION", value="eu")
            add_entry(
                session, owner=environment, scope="ENVIRONMENT", key="DB", value="a"
            )
            target_db = add_entry(
                session, owner=staging, scope="ENVIRONMENT", key="DB", value="b"
            )
            host = builtin_id(
                session, application, "QOVERY_APPLICATION_API_HOST_INTERNAL"
            )
            region = session.scalar(select(Variable.id).where(Variable.key == "REGION"))
            source_db = session.scalar(
                select(Variable.id).where(
                    Variable.key == "DB",
                    Variable.owner_id == uuid.UUID(environment["id"]),
                )
            )
            add_entry(
                session,
                owner=application,
                scope="APPLICATION",
                key="PORT",
                value="8080",
            )
            add_entry(
                session,
                owner=application,
                scope="APPLICATION",
                key="TOKEN",
                value="ciphertext",
                secret=True,
            )
            add_entry(
                session,
                owner=application,
                scope="APPLICATION",
                key="SELF",
                variable_type="ALIAS",
                parent_id=host,
            )
            add_entry(
                session,
                owner=application,
                scope="APPLICATION",
                key="DB",
                value="c",
                variable_type="OVERRIDE",
                parent_id=source_db,
            )
            add_entry(
                session,
                owner=application,
                scope="APPLICATION",
                key="AREA",
                variable_type="ALIAS",
                parent_id=region,
            )
            session.add(
                CustomDomain(
                    service_id=uuid.UUID(application["id"]),
                    domain="shop.example.com",
                    generate_certificate=True,
                )
            )

        path, body = _clone("application", application, staging, "api-copy")
        copy = api.post(path, token=owner_token, json=body, expect=202)

        conforms("cloneApplication", copy)
        assert copy["id"] != application["id"]
        assert copy["name"] == "api-copy"
        assert copy["environment"] == {"id": staging["id"]}
        assert copy["git_repository"] == application["git_repository"]
        assert copy["cpu"] == application["cpu"]
        assert copy["healthchecks"] == application["healthchecks"]
        assert [p["internal_port"] for p in copy["ports"]] == [8080]
        assert copy["ports"][0]["id"] != application["ports"][0]["id"]
        assert api.get(f"/application/{copy['id']}", token=owner_token) == copy

        with sessions() as session:
            entries = _entries(session, copy["id"])
            copy_host = builtin_id(
                session, copy, "QOVERY_APPLICATION_API_COPY_HOST_INTERNAL"
            )
            domains = session.scalars(select(CustomDomain.service_id)).all()
        assert sorted(entries) == ["AREA", "DB", "PORT", "SELF", "TOKEN"]
        assert all(e.service_id == uuid.UUID(copy["id"]) for e in entries.values())
        assert all(
            e.environment_id == uuid.UUID(staging["id"]) for e in entries.values()
        )
        assert entries["PORT"].value == "8080"
        assert (entries["TOKEN"].value, entries["TOKEN"].is_secret) == (
            "ciphertext",
            True,
        )
        assert entries["SELF"].parent_id == copy_host
        assert entries["DB"].parent_id == target_db
        assert entries["DB"].value == "c"
        assert entries["AREA"].parent_id == region
        assert domains == [uuid.UUID(application["id"])]

        with sessions() as session:
            source = _entries(session, application["id"])
        assert sorted(source) == ["AREA", "DB", "PORT", "SELF", "TOKEN"]
        assert source["SELF"].parent_id == host

    def test_container(
        self,
        api: Api,
        owner_token: str,
        staging: Json,
        container: Json,
        conforms: Conforms,
    ) -> None:
        path, body = _clone("container", container, staging, "worker")
        copy = api.post(path, token=owner_token, json=body, expect=202)

        conforms("cloneContainer", copy)
        assert copy["environment"] == {"id": staging["id"]}
        assert copy["registry"] == container["registry"]
        assert copy["image_name"] == container["image_name"]

    def test_same_environment(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        application: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        """Beside its source, the copy joins the source's deployment stage."""
        with transaction(sessions) as session:
            stage = DeploymentStage(
                environment_id=uuid.UUID(environment["id"]), name="apps", position=0
            )
            session.add(stage)
            session.flush()
            source = session.get(Service, uuid.UUID(application["id"]))
            assert source is not None
            source.deployment_stage_id = stage_id = stage.id

        path, body = _clone("application", application, environment, "api-2")
        copy = api.post(path, token=owner_token, json=body, expect=202)

        with sessions() as session:
            row = session.get(Service, uuid.UUID(copy["id"]))
        assert row is not None and row.deployment_stage_id == stage_id

    def test_missing_parent(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        staging: Json,
        application: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        with transaction(sessions) as session:
            parent = add_entry(
                session,
                owner=environment,
                scope="ENVIRONMENT",
                key="CACHE_URL",
                value="x",
            )
            add_entry(
                session,
                owner=application,
                scope="APPLICATION",
                key="CACHE",
                variable_type="ALIAS",
                parent_id=parent,
            )

        path, body = _clone("application", application, staging, "api")
        answer = api.post(path, token=owner_token, json=body, expect=400)

        assert answer["errors"][0]["loc"] == ["body", "environment_id"]
        assert "CACHE_URL" in answer["message"]
        environment_services = api.get(
            f"/environment/{staging['id']}/services", token=owner_token
        )
        assert environment_services == {"results": []}

    def test_name_taken(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        application: Json,
        container: Json,
    ) -> None:
        path, body = _clone("application", application, environment, "WORKER")
        api.post(path, token=owner_token, json=body, expect=409)

    @pytest.mark.parametrize(
        "body",
        [
            {"name": ""},
            {"name": "a" * 256},
            {"environment_id": "nope"},
            {"environment_id": None},
        ],
    )
    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        staging: Json,
        application: Json,
        body: Json,
    ) -> None:
        request = {"name": "copy", "environment_id": staging["id"], **body}
        field = next(iter(body))
        path = f"/application/{application['id']}/clone"
        answer = api.post(path, token=owner_token, json=request, expect=400)
        assert answer["errors"][0]["loc"] == ["body", field]

    def test_foreign_environment(
        self, api: Api, owner_token: str, outsider_token: str, application: Json
    ) -> None:
        foreign = _foreign_environment(api, outsider_token)
        path, body = _clone("application", application, foreign, "copy")
        api.post(path, token=owner_token, json=body, expect=404)

    def test_not_existing_environment(
        self, api: Api, owner_token: str, application: Json
    ) -> None:
        path, body = _clone("application", application, {"id": str(uuid.uuid4())}, "c")
        api.post(path, token=owner_token, json=body, expect=404)

    def test_not_existing(self, api: Api, owner_token: str, staging: Json) -> None:
        path, body = _clone("container", {"id": str(uuid.uuid4())}, staging, "c")
        api.post(path, token=owner_token, json=body, expect=404)

    def test_anonymous(self, api: Api, staging: Json, application: Json) -> None:
        path, body = _clone("application", application, staging, "copy")
        api.post(path, token=None, json=body, expect=401)

    def test_viewer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        staging: Json,
        application: Json,
    ) -> None:
        path, body = _clone("application", application, staging, "copy")
        api.post(path, token=member_token(Role.VIEWER), json=body, expect=403)

    def test_developer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        staging: Json,
        container: Json,
        registry: Json,
    ) -> None:
        path, body = _clone("container", container, staging, "copy")
        api.post(path, token=member_token(Role.DEVELOPER), json=body, expect=202)

    def test_outsider(
        self, api: Api, outsider_token: str, staging: Json, application: Json
    ) -> None:
        path, body = _clone("application", application, staging, "copy")
        api.post(path, token=outsider_token, json=body, expect=404)
