import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.crypto import SecretCipher, generate_key
from envplane.models import Service
from envplane.service.kinds.helm import HelmKind, HelmRequest
from tests.contract.openapi import Contract
from tests.fixtures.api import Api
from tests.fixtures.bodies import chart_body, helm_body
from tests.fixtures.factories import Json
from tests.service_kinds.conftest import Conforms, add_helm_repository

CIPHER = SecretCipher([generate_key()])

KIND = HelmKind()


def _collection(environment: Json) -> str:
    return f"/environment/{environment['id']}/helm"


def _service(body: Json) -> Service:
    request = HelmRequest.model_validate(body)
    return Service(
        id=uuid.uuid4(),
        environment_id=uuid.uuid4(),
        kind="HELM",
        name=request.name,
        configuration=KIND.configuration(request, cipher=CIPHER),
        created_at=datetime.now(UTC),
    )


@pytest.fixture
def helm(api: Api, owner_token: str, environment: Json) -> Json:
    return api.post(_collection(environment), token=owner_token, json=helm_body())  # type: ignore[no-any-return]


class TestSource:
    def test_git(self) -> None:
        request = HelmRequest.model_validate(helm_body())

        assert request.source.git_repository is not None
        assert request.source.helm_repository is None

    def test_repository(self) -> None:
        repository_id = str(uuid.uuid4())

        request = HelmRequest.model_validate(chart_body(repository_id))

        assert request.source.helm_repository is not None
        assert str(request.source.helm_repository.repository) == repository_id

    @pytest.mark.parametrize(
        "source",
        [
            pytest.param({}, id="neither"),
            pytest.param(
                {
                    "git_repository": {
                        "url": "https://github.com/a/b",
                        "provider": "GITHUB",
                    },
                    "helm_repository": {
                        "repository": str(uuid.uuid4()),
                        "chart_name": "redis",
                        "chart_version": "1.0.0",
                    },
                },
                id="both",
            ),
        ],
    )
    def test_ambiguous(self, source: Json) -> None:
        with pytest.raises(ValidationError) as error:
            HelmRequest.model_validate(helm_body(source=source))

        assert error.value.errors()[0]["loc"] == ("source",)


class TestAnswer:
    def test_git(self, conforms: Conforms) -> None:
        answer = KIND.answer(_service(helm_body()))

        conforms("getHelm", answer)
        assert answer["source"]["git"]["git_repository"]["root_path"] == "/redis"
        [port] = answer["ports"]
        assert port["port_type"] == "SERVICE_NAME"
        uuid.UUID(port["id"])

    def test_selectors(self, conforms: Conforms) -> None:
        selectors = [{"key": "app", "value": "redis"}]
        ports = [{"internal_port": 6379, "service_selectors": selectors}]

        answer = KIND.answer(_service(helm_body(ports=ports)))

        conforms("getHelm", answer)
        assert answer["ports"][0]["port_type"] == "SERVICE_SELECTORS"
        assert answer["ports"][0]["protocol"] == "HTTP"

    def test_values_file_from_git(self, conforms: Conforms) -> None:
        git = {
            "git_repository": {
                "url": "https://gitlab.com/acme/values",
                "provider": "GITLAB",
            },
            "paths": ["/prod/values.yaml"],
        }
        body = helm_body(values_override={"file": {"git": git}})

        answer = KIND.answer(_service(body))

        conforms("getHelm", answer)
        repository = answer["values_override"]["file"]["git"]["git_repository"]
        assert (repository["owner"], repository["name"]) == ("acme", "values")

    def test_copy_gets_own_port_ids(self) -> None:
        service = _service(helm_body())

        copy = KIND.copied(service.configuration, cipher=CIPHER)

        assert copy["ports"][0]["id"] != service.configuration["ports"][0]["id"]
        assert copy["ports"][0]["internal_port"] == 6379

    def test_checked(self, contract: Contract) -> None:
        """The contract check does refuse a port without its type."""
        answer = KIND.answer(_service(helm_body()))
        del answer["ports"][0]["port_type"]

        errors = contract.response_errors(contract.operations["getHelm"], answer)

        assert errors


class TestCreate:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        answer = api.post(_collection(environment), token=owner_token, json=helm_body())

        conforms("createHelm", answer)
        assert answer["name"] == "cache"
        assert answer["service_type"] == "HELM"
        assert answer["timeout_sec"] == 300
        assert answer["arguments"] == ["--wait"]
        assert answer["allow_cluster_wide_resources"] is False
        assert answer["values_override"]["set"] == [["replica.replicaCount", "2"]]
        with sessions() as session:
            stored = session.get(Service, uuid.UUID(answer["id"]))
            assert stored is not None
            assert stored.configuration["ports"][0]["id"] == answer["ports"][0]["id"]

    def test_defaults(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        body = helm_body(values_override={})
        for field in ("timeout_sec", "ports", "description"):
            del body[field]

        answer = api.post(_collection(environment), token=owner_token, json=body)

        conforms("createHelm", answer)
        assert answer["timeout_sec"] == 600
        assert answer["auto_preview"] is False
        assert answer["ports"] == []

    def test_repository(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        helm_repository_id: str,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        body = chart_body(helm_repository_id, allow_cluster_wide_resources=True)

        answer = api.post(_collection(environment), token=owner_token, json=body)

        conforms("createHelm", answer)
        assert answer["allow_cluster_wide_resources"] is True
        assert answer["source"] == {
            "repository": {
                "chart_name": "postgresql",
                "chart_version": "15.5.0",
                "repository": {
                    "id": helm_repository_id,
                    "name": "bitnami",
                    "url": "https://charts.bitnami.com/bitnami",
                },
            }
        }
        with sessions() as session:
            stored = session.get(Service, uuid.UUID(answer["id"]))
            assert stored is not None
            chart = stored.configuration["source"]["helm_repository"]
            assert chart["repository"] == helm_repository_id

    def test_unknown_repository(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        body = chart_body(str(uuid.uuid4()))

        answer = api.post(
            _collection(environment), token=owner_token, json=body, expect=404
        )

        assert "helm repository" in answer["message"]

    def test_foreign_repository(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        rival: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        foreign = add_helm_repository(sessions, rival["organization"]["id"])

        api.post(
            _collection(environment),
            token=owner_token,
            json=chart_body(foreign),
            expect=404,
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            pytest.param({"auto_deploy": None}, "auto_deploy", id="no-auto-deploy"),
            pytest.param({"arguments": None}, "arguments", id="no-arguments"),
            pytest.param({"source": None}, "source", id="no-source"),
            pytest.param({"values_override": None}, "values_override", id="no-values"),
            pytest.param({"source": {}}, "source", id="empty-source"),
            pytest.param(
                {
                    "source": {
                        "helm_repository": {
                            "repository": "bitnami",
                            "chart_name": "redis",
                            "chart_version": "1",
                        }
                    }
                },
                "repository",
                id="malformed-repository",
            ),
            pytest.param(
                {"source": {"helm_repository": {"repository": str(uuid.uuid4())}}},
                "chart_name",
                id="no-chart",
            ),
            pytest.param({"timeout_sec": -1}, "timeout_sec", id="negative-timeout"),
            pytest.param(
                {"values_override": {"set": [["only-a-key"]]}}, "set", id="bad-pair"
            ),
            pytest.param(
                {"values_override": {"set_json": [["a", "{not json"]]}},
                "set_json",
                id="bad-json",
            ),
            pytest.param(
                {"values_override": {"file": {"raw": {"values": [{"name": "a"}]}}}},
                "content",
                id="raw-without-content",
            ),
            pytest.param(
                {
                    "values_override": {
                        "file": {
                            "git": {
                                "git_repository": {
                                    "url": "https://github.com/a/b",
                                    "provider": "GITHUB",
                                },
                                "paths": ["values.yaml"],
                            }
                        }
                    }
                },
                "paths",
                id="relative-path",
            ),
            pytest.param(
                {"ports": [{"internal_port": 80}]}, "ports", id="port-without-target"
            ),
            pytest.param(
                {
                    "ports": [
                        {
                            "internal_port": 80,
                            "service_name": "web",
                            "service_selectors": [{"key": "a", "value": "b"}],
                        }
                    ]
                },
                "ports",
                id="port-with-two-targets",
            ),
            pytest.param(
                {"ports": [{"internal_port": 0, "service_name": "web"}]},
                "internal_port",
                id="port-zero",
            ),
            pytest.param(
                {
                    "ports": [
                        {"internal_port": 80, "service_name": "web", "protocol": "UDP"}
                    ]
                },
                "protocol",
                id="unknown-protocol",
            ),
            pytest.param(
                {
                    "ports": [
                        {"internal_port": 80, "service_name": "a", "is_default": True},
                        {"internal_port": 81, "service_name": "b", "is_default": True},
                    ]
                },
                "is_default",
                id="two-defaults",
            ),
            pytest.param({"blueprint_id": "v1"}, "blueprint_id", id="bad-blueprint"),
            pytest.param({"name": ""}, "name", id="empty-name"),
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
        body = {k: v for k, v in helm_body(**changes).items() if v is not None}

        answer = api.post(
            _collection(environment), token=owner_token, json=body, expect=400
        )

        assert field in answer["message"]

    def test_name_taken(
        self, api: Api, owner_token: str, environment: Json, helm: Json
    ) -> None:
        api.post(
            _collection(environment),
            token=owner_token,
            json=helm_body(name="CACHE"),
            expect=409,
        )

    def test_anonymous(self, api: Api, environment: Json) -> None:
        api.post(_collection(environment), token=None, json=helm_body(), expect=401)

    def test_forbidden(
        self, api: Api, environment: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.post(_collection(environment), token=token, json=helm_body(), expect=403)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        path = f"/environment/{uuid.uuid4()}/helm"

        api.post(path, token=owner_token, json=helm_body(), expect=404)

    def test_outsider(self, api: Api, outsider_token: str, environment: Json) -> None:
        api.post(
            _collection(environment),
            token=outsider_token,
            json=helm_body(),
            expect=404,
        )


class TestGet:
    def test_valid(
        self, api: Api, owner_token: str, helm: Json, conforms: Conforms
    ) -> None:
        answer = api.get(f"/helm/{helm['id']}", token=owner_token)

        conforms("getHelm", answer)
        assert answer == helm

    def test_anonymous(self, api: Api, helm: Json) -> None:
        api.get(f"/helm/{helm['id']}", token=None, expect=401)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(f"/helm/{uuid.uuid4()}", token=owner_token, expect=404)

    def test_outsider(self, api: Api, outsider_token: str, helm: Json) -> None:
        api.get(f"/helm/{helm['id']}", token=outsider_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/helm/cache", token=owner_token, expect=400)


class TestList:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        helm: Json,
        helm_repository_id: str,
        conforms: Conforms,
    ) -> None:
        body = chart_body(helm_repository_id)
        chart = api.post(_collection(environment), token=owner_token, json=body)

        answer = api.get(_collection(environment), token=owner_token)

        conforms("listHelms", answer)
        assert {item["id"] for item in answer["results"]} == {helm["id"], chart["id"]}

    def test_outsider(
        self, api: Api, outsider_token: str, environment: Json, helm: Json
    ) -> None:
        api.get(_collection(environment), token=outsider_token, expect=404)


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        helm: Json,
        helm_repository_id: str,
        conforms: Conforms,
    ) -> None:
        body = chart_body(helm_repository_id, name="cache", arguments=[])
        del body["timeout_sec"]

        answer = api.put(f"/helm/{helm['id']}", token=owner_token, json=body)

        conforms("editHelm", answer)
        assert "repository" in answer["source"]
        assert answer["arguments"] == []
        assert answer["timeout_sec"] == 600, "a whole request resets what it leaves out"
        assert api.get(f"/helm/{helm['id']}", token=owner_token) == answer

    def test_invalid(self, api: Api, owner_token: str, helm: Json) -> None:
        body = helm_body(timeout_sec=-10)

        answer = api.put(
            f"/helm/{helm['id']}", token=owner_token, json=body, expect=400
        )

        assert "timeout_sec" in answer["message"]

    def test_unknown_repository(self, api: Api, owner_token: str, helm: Json) -> None:
        body = chart_body(str(uuid.uuid4()))

        api.put(f"/helm/{helm['id']}", token=owner_token, json=body, expect=404)

    def test_forbidden(
        self, api: Api, helm: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.put(f"/helm/{helm['id']}", token=token, json=helm_body(), expect=403)

    def test_outsider(self, api: Api, outsider_token: str, helm: Json) -> None:
        path = f"/helm/{helm['id']}"

        api.put(path, token=outsider_token, json=helm_body(), expect=404)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, helm: Json) -> None:
        api.delete(f"/helm/{helm['id']}", token=owner_token)

        api.get(f"/helm/{helm['id']}", token=owner_token, expect=404)

    def test_forbidden(
        self, api: Api, helm: Json, member_token: Callable[[Role], str]
    ) -> None:
        api.delete(f"/helm/{helm['id']}", token=member_token(Role.VIEWER), expect=403)

    def test_outsider(self, api: Api, outsider_token: str, helm: Json) -> None:
        api.delete(f"/helm/{helm['id']}", token=outsider_token, expect=404)


class TestClone:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        helm: Json,
        conforms: Conforms,
    ) -> None:
        body = {"name": "cache-copy", "environment_id": environment["id"]}

        answer = api.post(
            f"/helm/{helm['id']}/clone", token=owner_token, json=body, expect=202
        )

        conforms("cloneHelm", answer)
        assert answer["name"] == "cache-copy"
        assert answer["values_override"] == helm["values_override"]
        assert answer["ports"][0]["id"] != helm["ports"][0]["id"]
