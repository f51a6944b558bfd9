import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import transaction
from envplane.models import CustomDomain, DeploymentStage, Service, Variable
from envplane.variable.builtins import internal_host
from tests.fixtures.api import Api
from tests.fixtures.bodies import application_body, container_body
from tests.fixtures.factories import Json
from tests.service.conftest import add_entry, add_registry, builtin_id

Conforms = Callable[[str, Any], None]


def _collection(environment: Json, resource: str) -> str:
    return f"/environment/{environment['id']}/{resource}"


def _foreign_environment(api: Api, outsider_token: str) -> Json:
    organization = api.post(
        "/organization", token=outsider_token, json={"name": "rival", "plan": "TEAM"}
    )
    org_path = f"/organization/{organization['id']}"
    cluster = api.post(
        f"{org_path}/cluster",
        token=outsider_token,
        json={"name": "c", "region": "eu-west-3", "cloud_provider": "AWS"},
    )
    project = api.post(
        f"{org_path}/project", token=outsider_token, json={"name": "p"}, expect=200
    )
    return api.post(  # type: ignore[no-any-return]
        f"/project/{project['id']}/environment",
        token=outsider_token,
        json={"name": "prod", "cluster": cluster["id"]},
    )


@pytest.fixture
def foreign_environment(api: Api, outsider_token: str) -> Json:
    return _foreign_environment(api, outsider_token)


@pytest.fixture
def staging(api: Api, owner_token: str, project: Json, cluster: Json) -> Json:
    body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
    path = f"/project/{project['id']}/environment"
    return api.post(path, token=owner_token, json=body)  # type: ignore[no-any-return]


@pytest.fixture(params=["application", "container"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def body_of(registry: Json) -> Callable[[str], Json]:
    """A valid creation body for a kind."""

    def make(resource: str, **changes: Any) -> Json:
        if resource == "application":
            return application_body(**changes)
        return container_body(registry["id"], **changes)

    return make


@pytest.fixture
def created(
    api: Api, owner_token: str, environment: Json, kind: str, body_of: Any
) -> Json:
    """A service of the parametrized kind."""
    path = _collection(environment, kind)
    return api.post(path, token=owner_token, json=body_of(kind))  # type: ignore[no-any-return]


OPERATION = {"application": "Application", "container": "Container"}


class TestCreateApplication:
    def test_valid(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=application_body())

        conforms("createApplication", answer)
        assert answer["name"] == "api"
        assert answer["environment"] == {"id": environment["id"]}
        assert answer["service_type"] == "APPLICATION"
        assert answer["git_repository"]["owner"] == "acme"
        assert answer["cpu"] == 1000
        assert answer["min_running_instances"] == 2
        assert answer["ports"][0]["internal_port"] == 8080
        uuid.UUID(answer["ports"][0]["id"])
        uuid.UUID(answer["storage"][0]["id"])
        probe = answer["healthchecks"]["readiness_probe"]
        assert probe["type"]["http"]["path"] == "/healthz"
        assert probe["failure_threshold"] == 9

    def test_defaults(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        body = {
            "name": "tiny",
            "git_repository": {
                "url": "https://gitlab.com/acme/tiny",
                "owner": "acme",
                "name": "tiny",
                "provider": "GITLAB",
            },
            "healthchecks": {},
        }
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=body)

        conforms("createApplication", answer)
        assert answer["cpu"] == 500
        assert answer["memory"] == 512
        assert answer["min_running_instances"] == 1
        assert answer["max_running_instances"] == 1
        assert answer["build_mode"] == "DOCKER"
        assert answer["auto_preview"] is True
        assert answer["ports"] == []
        assert answer["git_repository"]["root_path"] == "/"

    def test_owner_and_name_from_url(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        repository = {"url": "https://github.com/acme/shop.git", "provider": "GITHUB"}
        body = application_body(git_repository=repository)
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=body)
        assert answer["git_repository"]["owner"] == "acme"
        assert answer["git_repository"]["name"] == "shop"

    def test_autoscaling(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        autoscaling = {
            "mode": "KEDA",
            "scalers": [
                {
                    "scaler_type": "rabbitmq",
                    "role": "PRIMARY",
                    "config_json": {"queueName": "orders"},
                    "trigger_authentication": {"name": "rabbitmq-credentials"},
                }
            ],
        }
        body = application_body(autoscaling=autoscaling)
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=body)

        conforms("createApplication", answer)
        assert answer["autoscaling"]["scalers"][0]["scaler_type"] == "rabbitmq"
        assert answer["autoscaling"]["polling_interval_seconds"] == 30
        trigger = answer["autoscaling"]["scalers"][0]["trigger_authentication"]
        assert trigger["organization_id"] == environment["organization"]["id"]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"name": None}, "name"),
            ({"name": ""}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "a" * 256}, "name"),
            ({"git_repository": None}, "git_repository"),
            ({"healthchecks": None}, "healthchecks"),
            ({"build_mode": "BUILDPACKS"}, "build_mode"),
            ({"cpu_architecture": "RISCV"}, "cpu_architecture"),
            ({"cpu": 1}, "cpu"),
            ({"cpu": 1_000_000}, "cpu"),
            ({"memory": 0}, "memory"),
            ({"gpu": -1}, "gpu"),
            ({"min_running_instances": -1}, "min_running_instances"),
            ({"max_running_instances": -2}, "max_running_instances"),
            ({"ephemeral_storage_in_gib": -1}, "ephemeral_storage_in_gib"),
            ({"storage": [{"type": "HDD", "size": 1, "mount_point": "/x"}]}, "storage"),
            (
                {"storage": [{"type": "FAST_SSD", "size": 0, "mount_point": "/x"}]},
                "storage",
            ),
            (
                {"storage": [{"type": "FAST_SSD", "size": 1, "mount_point": "x"}]},
                "storage",
            ),
            ({"annotations_groups": [{"id": str(uuid.uuid4())}]}, "annotations_groups"),
            ({"autoscaling": {"mode": "KEDA", "scalers": []}}, "autoscaling"),
            ({"autoscaling": {"mode": "HPA", "scalers": []}}, "autoscaling"),
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
        path = _collection(environment, "application")
        body = api.post(
            path, token=owner_token, json=application_body(**changes), expect=400
        )
        assert field in [error["loc"][1] for error in body["errors"]]

    @pytest.mark.parametrize(
        ("port", "reason"),
        [
            ({"internal_port": 0}, "greater than or equal to 1"),
            ({"internal_port": 65536}, "less than or equal to 65535"),
            ({"external_port": 70000}, "less than or equal to 65535"),
            ({"protocol": "SCTP"}, "HTTP"),
            ({"publicly_accessible": None}, "boolean"),
        ],
    )
    def test_invalid_port(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        port: Json,
        reason: str,
    ) -> None:
        ports = [{"internal_port": 80, "publicly_accessible": True, **port}]
        path = _collection(environment, "application")
        body = api.post(
            path, token=owner_token, json=application_body(ports=ports), expect=400
        )
        assert body["errors"][0]["loc"][:3] == ["body", "ports", 0]
        assert reason in body["message"]

    def test_duplicate_ports(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        ports = [
            {"internal_port": 80, "publicly_accessible": True},
            {"internal_port": 80, "publicly_accessible": False, "protocol": "TCP"},
        ]
        path = _collection(environment, "application")
        body = api.post(
            path, token=owner_token, json=application_body(ports=ports), expect=400
        )
        assert body["errors"][0]["loc"] == ["body", "ports"]
        assert "internal_port 80 is declared twice" in body["message"]

    def test_instances_out_of_order(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        changes = {"min_running_instances": 3, "max_running_instances": 2}
        path = _collection(environment, "application")
        body = api.post(
            path, token=owner_token, json=application_body(**changes), expect=400
        )
        assert "max_running_instances must be at least" in body["message"]

    def test_unlimited_instances(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        changes = {"min_running_instances": 3, "max_running_instances": -1}
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=application_body(**changes))
        assert answer["max_running_instances"] == -1

    @pytest.mark.parametrize(
        "probe_type",
        [
            {},
            {"tcp": {"port": 80}, "http": {"port": 80}},
            {"http": {"port": 0}},
            {"exec": {"command": []}},
        ],
    )
    def test_invalid_probe(
        self, api: Api, owner_token: str, environment: Json, probe_type: Json
    ) -> None:
        healthchecks = {"liveness_probe": {"type": probe_type}}
        body = application_body(healthchecks=healthchecks)
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=body, expect=400)
        assert answer["errors"][0]["loc"][:3] == [
            "body",
            "healthchecks",
            "liveness_probe",
        ]

    @pytest.mark.parametrize(
        "repository",
        [
            {"url": "https://github.com/acme/shop", "provider": "SVN"},
            {"url": "github.com/acme/shop", "provider": "GITHUB"},
            {"url": "https://github.com/", "provider": "GITHUB"},
            {"provider": "GITHUB"},
            {
                "url": "https://github.com/a/b",
                "provider": "GITHUB",
                "git_token_id": "x",
            },
        ],
    )
    def test_invalid_repository(
        self, api: Api, owner_token: str, environment: Json, repository: Json
    ) -> None:
        body = application_body(git_repository=repository)
        path = _collection(environment, "application")
        answer = api.post(path, token=owner_token, json=body, expect=400)
        assert answer["errors"][0]["loc"][:2] == ["body", "git_repository"]

    def test_name_without_letters(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        path = _collection(environment, "application")
        body = api.post(
            path, token=owner_token, json=application_body(name="!!!"), expect=400
        )
        assert body["errors"][0]["loc"] == ["body", "name"]

    def test_malformed_environment_id(self, api: Api, owner_token: str) -> None:
        body = api.post(
            "/environment/nope/application",
            token=owner_token,
            json=application_body(),
            expect=400,
        )
        assert body["errors"][0]["loc"] == ["path", "environmentId"]

    def test_malformed_json(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        response = api.client.post(
            _collection(environment, "application"),
            content=b"{",
            headers={
                "Authorization": f"Bearer {owner_token}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 400


class TestCreateContainer:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        registry: Json,
        conforms: Conforms,
    ) -> None:
        path = _collection(environment, "container")
        answer = api.post(path, token=owner_token, json=container_body(registry["id"]))

        conforms("createContainer", answer)
        assert answer["service_type"] == "CONTAINER"
        assert answer["image_name"] == "acme/worker"
        assert answer["tag"] == "1.4.2"
        assert answer["registry_id"] == registry["id"]
        assert answer["registry"] == {
            "id": registry["id"],
            "name": "hub",
            "url": "https://docker.io",
            "kind": "DOCKER_HUB",
        }
        assert answer["ports"][0]["protocol"] == "HTTP"

    def test_foreign_registry(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        foreign_environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        foreign_organization = foreign_environment["organization"]["id"]
        foreign = add_registry(sessions, foreign_organization, "theirs")
        path = _collection(environment, "container")
        body = api.post(
            path, token=owner_token, json=container_body(foreign["id"]), expect=404
        )
        assert "container registry" in body["message"]

    def test_unknown_registry(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        path = _collection(environment, "container")
        body = container_body(str(uuid.uuid4()))
        api.post(path, token=owner_token, json=body, expect=404)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"registry_id": "docker-hub"}, "registry_id"),
            ({"registry_id": None}, "registry_id"),
            ({"image_name": ""}, "image_name"),
            ({"tag": None}, "tag"),
            ({"name": ""}, "name"),
            ({"healthchecks": None}, "healthchecks"),
            ({"memory": 1}, "memory"),
        ],
    )
    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        registry: Json,
        changes: Json,
        field: str,
    ) -> None:
        path = _collection(environment, "container")
        body = container_body(registry["id"], **changes)
        answer = api.post(path, token=owner_token, json=body, expect=400)
        assert answer["errors"][0]["loc"][:2] == ["body", field]


class TestCreate:
    """Rules every kind follows."""

    def test_anonymous(
        self, api: Api, environment: Json, kind: str, body_of: Any
    ) -> None:
        path = _collection(environment, kind)
        api.post(path, token=None, json=body_of(kind), expect=401)

    def test_viewer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        environment: Json,
        kind: str,
        body_of: Any,
    ) -> None:
        path = _collection(environment, kind)
        token = member_token(Role.VIEWER)
        api.post(path, token=token, json=body_of(kind), expect=403)

    def test_developer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        environment: Json,
        kind: str,
        body_of: Any,
    ) -> None:
        path = _collection(environment, kind)
        token = member_token(Role.DEVELOPER)
        api.post(path, token=token, json=body_of(kind), expect=201)

    def test_outsider(
        self, api: Api, outsider_token: str, environment: Json, kind: str, body_of: Any
    ) -> None:
        path = _collection(environment, kind)
        api.post(path, token=outsider_token, json=body_of(kind), expect=404)

    def test_not_existing(
        self, api: Api, owner_token: str, kind: str, body_of: Any
    ) -> None:
        path = f"/environment/{uuid.uuid4()}/{kind}"
        api.post(path, token=owner_token, json=body_of(kind), expect=404)

    @pytest.mark.parametrize("other", ["application", "container"])
    def test_name_taken(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        kind: str,
        other: str,
        body_of: Any,
    ) -> None:
        api.post(
            _collection(environment, other),
            token=owner_token,
            json=body_of(other, name="Front-End"),
        )
        body = api.post(
            _collection(environment, kind),
            token=owner_token,
            json=body_of(kind, name="front-end"),
            expect=409,
        )
        assert "'front-end' already exists" in body["message"]

    def test_same_name_in_another_environment(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        staging: Json,
        kind: str,
        body_of: Any,
    ) -> None:
        api.post(_collection(environment, kind), token=owner_token, json=body_of(kind))
        api.post(_collection(staging, kind), token=owner_token, json=body_of(kind))


class TestList:
    def test_valid(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        environment: Json,
        application: Json,
        container: Json,
        kind: str,
        conforms: Conforms,
    ) -> None:
        path = _collection(environment, kind)
        answer = api.get(path, token=member_token(Role.VIEWER))

        conforms(f"list{OPERATION[kind]}", answer)
        expected = application if kind == "application" else container
        assert [item["id"] for item in answer["results"]] == [expected["id"]]

    def test_empty(
        self, api: Api, owner_token: str, environment: Json, kind: str
    ) -> None:
        answer = api.get(_collection(environment, kind), token=owner_token)
        assert answer == {"results": []}

    def test_anonymous(self, api: Api, environment: Json, kind: str) -> None:
        api.get(_collection(environment, kind), token=None, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, environment: Json, kind: str
    ) -> None:
        api.get(_collection(environment, kind), token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        api.get(f"/environment/{uuid.uuid4()}/{kind}", token=owner_token, expect=404)


class TestListServicesByEnvironmentId:
    def test_valid(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        environment: Json,
        application: Json,
        container: Json,
        conforms: Conforms,
    ) -> None:
        path = f"/environment/{environment['id']}/services"
        answer = api.get(path, token=member_token(Role.VIEWER))

        conforms("listServicesByEnvironmentId", answer)
        assert [(item["id"], item["service_type"]) for item in answer["results"]] == [
            (application["id"], "APPLICATION"),
            (container["id"], "CONTAINER"),
        ]

    def test_anonymous(self, api: Api, environment: Json) -> None:
        api.get(f"/environment/{environment['id']}/services", token=None, expect=401)

    def test_outsider(self, api: Api, outsider_token: str, environment: Json) -> None:
        path = f"/environment/{environment['id']}/services"
        api.get(path, token=outsider_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/environment/nope/services", token=owner_token, expect=400)


class TestGet:
    def test_valid(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        created: Json,
        kind: str,
        conforms: Conforms,
    ) -> None:
        answer = api.get(f"/{kind}/{created['id']}", token=member_token(Role.VIEWER))
        conforms(f"get{OPERATION[kind]}", answer)
        assert answer == created

    def test_other_kind(
        self, api: Api, owner_token: str, application: Json, container: Json
    ) -> None:
        api.get(f"/container/{application['id']}", token=owner_token, expect=404)
        api.get(f"/application/{container['id']}", token=owner_token, expect=404)

    def test_anonymous(self, api: Api, created: Json, kind: str) -> None:
        api.get(f"/{kind}/{created['id']}", token=None, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, created: Json, kind: str
    ) -> None:
        api.get(f"/{kind}/{created['id']}", token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        body = api.get(f"/{kind}/{uuid.uuid4()}", token=owner_token, expect=404)
        assert kind in body["message"]

    def test_malformed_id(self, api: Api, owner_token: str, kind: str) -> None:
        api.get(f"/{kind}/nope", token=owner_token, expect=400)


class TestEditApplication:
    def test_valid(
        self, api: Api, owner_token: str, application: Json, conforms: Conforms
    ) -> None:
        changes = {"name": "api-v2", "cpu": 2000, "healthchecks": {}}
        path = f"/application/{application['id']}"
        answer = api.put(path, token=owner_token, json=changes)

        conforms("editApplication", answer)
        assert answer["name"] == "api-v2"
        assert answer["cpu"] == 2000
        assert "readiness_probe" not in answer["healthchecks"]
        # What the edit does not carry keeps its value, port ids included.
        assert answer["memory"] == 1024
        assert answer["ports"] == application["ports"]
        assert answer["git_repository"] == application["git_repository"]
        assert api.get(path, token=owner_token) == answer

    def test_ports_keep_ids(
        self, api: Api, owner_token: str, application: Json
    ) -> None:
        kept = application["ports"][0]
        ports = [kept, {"internal_port": 9090, "publicly_accessible": False}]
        path = f"/application/{application['id']}"
        answer = api.put(
            path, token=owner_token, json={"healthchecks": {}, "ports": ports}
        )
        assert answer["ports"][0] == kept
        assert answer["ports"][1]["id"] != kept["id"]

    def test_instances_checked_with_stored(
        self, api: Api, owner_token: str, application: Json
    ) -> None:
        path = f"/application/{application['id']}"
        changes = {"healthchecks": {}, "max_running_instances": 1}
        body = api.put(path, token=owner_token, json=changes, expect=400)
        assert "max_running_instances must be at least" in body["message"]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({}, "healthchecks"),
            ({"healthchecks": {}, "name": ""}, "name"),
            ({"healthchecks": {}, "cpu": 0}, "cpu"),
            ({"healthchecks": {}, "build_mode": "NIXPACKS"}, "build_mode"),
        ],
    )
    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        application: Json,
        changes: Json,
        field: str,
    ) -> None:
        path = f"/application/{application['id']}"
        body = api.put(path, token=owner_token, json=changes, expect=400)
        assert body["errors"][0]["loc"][:2] == ["body", field]


class TestEditContainer:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        container: Json,
        registry: Json,
        conforms: Conforms,
    ) -> None:
        body = container_body(registry["id"], tag="1.5.0", ports=container["ports"])
        del body["entrypoint"]
        path = f"/container/{container['id']}"
        answer = api.put(path, token=owner_token, json=body)

        conforms("editContainer", answer)
        assert answer["tag"] == "1.5.0"
        # The edit request is the whole container.
        assert "entrypoint" not in answer
        assert answer["ports"] == container["ports"]

    def test_foreign_registry(
        self,
        api: Api,
        owner_token: str,
        container: Json,
        foreign_environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        foreign = add_registry(
            sessions, foreign_environment["organization"]["id"], "theirs"
        )
        path = f"/container/{container['id']}"
        api.put(path, token=owner_token, json=container_body(foreign["id"]), expect=404)

    def test_missing_image(
        self, api: Api, owner_token: str, container: Json, registry: Json
    ) -> None:
        body = container_body(registry["id"])
        del body["image_name"]
        path = f"/container/{container['id']}"
        answer = api.put(path, token=owner_token, json=body, expect=400)
        assert answer["errors"][0]["loc"] == ["body", "image_name"]


class TestEdit:
    def _body(self, kind: str, body_of: Any, **changes: Any) -> Json:
        if kind == "application":
            return {"healthchecks": {}, **changes}
        return body_of(kind, **changes)  # type: ignore[no-any-return]

    def test_name_taken(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        created: Json,
        kind: str,
        body_of: Any,
    ) -> None:
        other = "container" if kind == "application" else "application"
        api.post(
            _collection(environment, other),
            token=owner_token,
            json=body_of(other, name="Taken"),
        )
        body = self._body(kind, body_of, name="TAKEN")
        api.put(f"/{kind}/{created['id']}", token=owner_token, json=body, expect=409)

    def test_same_name_other_case(
        self, api: Api, owner_token: str, created: Json, kind: str, body_of: Any
    ) -> None:
        body = self._body(kind, body_of, name=created["name"].upper())
        answer = api.put(f"/{kind}/{created['id']}", token=owner_token, json=body)
        assert answer["name"] == created["name"].upper()

    def test_anonymous(self, api: Api, created: Json, kind: str, body_of: Any) -> None:
        body = self._body(kind, body_of)
        api.put(f"/{kind}/{created['id']}", token=None, json=body, expect=401)

    def test_viewer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        created: Json,
        kind: str,
        body_of: Any,
    ) -> None:
        body = self._body(kind, body_of)
        token = member_token(Role.VIEWER)
        api.put(f"/{kind}/{created['id']}", token=token, json=body, expect=403)

    def test_developer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        created: Json,
        kind: str,
        body_of: Any,
    ) -> None:
        body = self._body(kind, body_of, cpu=750)
        token = member_token(Role.DEVELOPER)
        answer = api.put(f"/{kind}/{created['id']}", token=token, json=body)
        assert answer["cpu"] == 750

    def test_outsider(
        self, api: Api, outsider_token: str, created: Json, kind: str, body_of: Any
    ) -> None:
        body = self._body(kind, body_of)
        api.put(f"/{kind}/{created['id']}", token=outsider_token, json=body, expect=404)

    def test_not_existing(
        self, api: Api, owner_token: str, kind: str, body_of: Any
    ) -> None:
        body = self._body(kind, body_of)
        api.put(f"/{kind}/{uuid.uuid4()}", token=owner_token, json=body, expect=404)


class TestStatus:
    def test_valid(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        created: Json,
        kind: str,
        conforms: Conforms,
    ) -> None:
        path = f"/{kind}/{created['id']}/status"
        answer = api.get(path, token=member_token(Role.VIEWER))

        conforms(f"get{OPERATION[kind]}Status", answer)
        assert answer["id"] == created["id"]
        assert answer["state"] == "READY"
        assert answer["service_deployment_status"] == "NEVER_DEPLOYED"
        assert answer["deployment_request_id"] is None

    def test_environment(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        created: Json,
        kind: str,
        conforms: Conforms,
    ) -> None:
        path = f"{_collection(environment, kind)}/status"
        answer = api.get(path, token=owner_token)

        conforms(f"getEnvironment{OPERATION[kind]}Status", answer)
        assert [item["id"] for item in answer["results"]] == [created["id"]]

    def test_anonymous(self, api: Api, created: Json, kind: str) -> None:
        api.get(f"/{kind}/{created['id']}/status", token=None, expect=401)

    def test_outsider(
        self, api: Api, outsider_token: str, environment: Json, created: Json, kind: str
    ) -> None:
        api.get(f"/{kind}/{created['id']}/status", token=outsider_token, expect=404)
        path = f"{_collection(environment, kind)}/status"
        api.get(path, token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        api.get(f"/{kind}/{uuid.uuid4()}/status", token=owner_token, expect=404)
        path = f"/environment/{uuid.uuid4()}/{kind}/status"
        api.get(path, token=owner_token, expect=404)


class TestDelete:
    def test_valid(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        created: Json,
        kind: str,
        sessions: sessionmaker[Session],
    ) -> None:
        path = f"/{kind}/{created['id']}"
        api.delete(path, token=member_token(Role.DEVELOPER))

        api.get(path, token=member_token(Role.VIEWER), expect=404)
        with sessions() as session:
            assert session.get(Service, uuid.UUID(created["id"])) is None

    def test_anonymous(self, api: Api, created: Json, kind: str) -> None:
        api.delete(f"/{kind}/{created['id']}", token=None, expect=401)

    def test_viewer(
        self,
        api: Api,
        member_token: Callable[[Role], str],
        created: Json,
        kind: str,
    ) -> None:
        path = f"/{kind}/{created['id']}"
        api.delete(path, token=member_token(Role.VIEWER), expect=403)

    def test_outsider(
        self, api: Api, outsider_token: str, created: Json, kind: str
    ) -> None:
        api.delete(f"/{kind}/{created['id']}", token=outsider_token, expect=404)

    def test_not_existing(self, api: Api, owner_token: str, kind: str) -> None:
        api.delete(f"/{kind}/{uuid.uuid4()}", token=owner_token, expect=404)

    def test_other_kind(
        self,
        api: Api,
        owner_token: str,
        application: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        api.delete(f"/container/{application['id']}", token=owner_token, expect=404)
        with sessions() as session:
            ids = session.scalars(select(Service.id)).all()
        assert ids == [uuid.UUID(application["id"])]

    def test_cascades(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        application: Json,
        container: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        """Its variables, secrets and built-ins go, with the aliases and overrides
        other services made of them, and its custom domains; its stage stays."""
        app_id = uuid.UUID(application["id"])
        with transaction(sessions) as session:
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
                value="x",
                secret=True,
            )
            host = builtin_id(
                session, application, "QOVERY_APPLICATION_API_HOST_INTERNAL"
            )
            alias = add_entry(
                session,
                owner=container,
                scope="CONTAINER",
                key="API_HOST",
                variable_type="ALIAS",
                parent_id=host,
            )
            kept = add_entry(
                session, owner=container, scope="CONTAINER", key="QUEUE", value="orders"
            )
            session.add(
                CustomDomain(
                    service_id=app_id,
                    domain="shop.example.com",
                    generate_certificate=True,
                )
            )
            stage = DeploymentStage(
                environment_id=uuid.UUID(environment["id"]), name="apps", position=0
            )
            session.add(stage)
            session.flush()
            service = session.get(Service, app_id)
            assert service is not None
            service.deployment_stage_id = stage.id
            stage_id = stage.id

        api.delete(f"/application/{application['id']}", token=owner_token)

        with sessions() as session:
            assert (
                session.scalars(
                    select(Variable.key).where(Variable.service_id == app_id)
                ).all()
                == []
            )
            assert session.get(Variable, alias) is None
            assert session.get(Variable, kept) is not None
            assert session.scalars(select(CustomDomain)).all() == []
            assert session.get(DeploymentStage, stage_id) is not None
        api.get(f"/container/{container['id']}", token=owner_token)


class TestBuiltins:
    def test_created(
        self, application: Json, environment: Json, sessions: sessionmaker[Session]
    ) -> None:
        with sessions() as session:
            key = "QOVERY_APPLICATION_API_HOST_INTERNAL"
            row = session.get(Variable, builtin_id(session, application, key))
            service = session.get(Service, uuid.UUID(application["id"]))
            assert row is not None and service is not None
            assert row.value == internal_host(service)
        assert row.owner_id == uuid.UUID(environment["id"])
        assert row.variable_type == "BUILT_IN"

    def test_renamed(
        self,
        api: Api,
        owner_token: str,
        container: Json,
        registry: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        path = f"/container/{container['id']}"
        body = container_body(registry["id"], name="queue-worker")
        api.put(path, token=owner_token, json=body)

        with sessions() as session:
            keys = session.scalars(
                select(Variable.key).where(
                    Variable.service_id == uuid.UUID(container["id"])
                )
            ).all()
        assert keys == ["QOVERY_CONTAINER_QUEUE_WORKER_HOST_INTERNAL"]

    def test_clashing_name(
        self, api: Api, owner_token: str, environment: Json, application: Json
    ) -> None:
        body = application_body(name="a-p-i")
        api.post(_collection(environment, "application"), token=owner_token, json=body)
        body = application_body(name="a_p_i")
        answer = api.post(
            _collection(environment, "application"),
            token=owner_token,
            json=body,
            expect=400,
        )
        assert answer["errors"][0]["loc"] == ["body", "name"]
