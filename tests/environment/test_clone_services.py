"""Environment clone at full depth: services of every kind, deployment stages,
service variables and secrets, built-ins and custom domains."""

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from envplane.core.database import recorded_statements, transaction
from envplane.models import CustomDomain, Service, Variable
from tests.fixtures.api import Api
from tests.fixtures.bodies import (
    application_body,
    chart_body,
    container_body,
    database_body,
    image_job_body,
)
from tests.fixtures.factories import Json
from tests.service.conftest import add_registry
from tests.service_kinds.conftest import add_helm_repository

# Fields that differ between a service and its copy by design.
OWN_FIELDS = {"id", "created_at", "updated_at", "environment"}


def _services(api: Api, token: str, environment: Json) -> dict[str, Json]:
    """Every service of the environment read back one by one, by name."""
    listed = api.get(f"/environment/{environment['id']}/services", token=token)
    services = {}
    for entry in listed["results"]:
        path = f"/{entry['service_type'].lower()}/{entry['id']}"
        services[entry["name"]] = api.get(path, token=token)
    return services


def _without_own_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_own_fields(v) for k, v in value.items() if k not in OWN_FIELDS
        }
    if isinstance(value, list):
        return [_without_own_fields(item) for item in value]
    return value


def _entries(api: Api, token: str, service: Json) -> list[Json]:
    base = f"/{service['service_type'].lower()}/{service['id']}"
    variables = api.get(f"{base}/environmentVariable", token=token)["results"]
    secrets = api.get(f"{base}/secret", token=token)["results"]
    return [*variables, *secrets]


@pytest.fixture
def shop(
    api: Api,
    owner_token: str,
    organization: Json,
    environment: Json,
    sessions: sessionmaker[Session],
) -> Json:
    """A realistic environment: a web application, an API container, a database,
    a migration job and a helm chart, in two stages, with variables."""
    token, env_path = owner_token, f"/environment/{environment['id']}"
    registry = add_registry(sessions, organization["id"])
    repository = add_helm_repository(sessions, organization["id"])
    database = api.post(f"{env_path}/database", token=token, json=database_body())
    web = api.post(f"{env_path}/application", token=token, json=application_body())
    worker = api.post(
        f"{env_path}/container", token=token, json=container_body(registry["id"])
    )
    api.post(f"{env_path}/job", token=token, json=image_job_body(str(registry["id"])))
    api.post(f"{env_path}/helm", token=token, json=chart_body(repository))

    stages = [
        api.post(
            f"{env_path}/deploymentStage", token=token, json={"name": name}, expect=200
        )
        for name in ("data", "apps")
    ]
    for stage, service in (
        (stages[0], database),
        (stages[1], web),
        (stages[1], worker),
    ):
        api.put(f"/deploymentStage/{stage['id']}/service/{service['id']}", token=token)

    log_level = api.post(
        f"{env_path}/environmentVariable",
        token=token,
        json={"key": "LOG_LEVEL", "value": "info"},
    )
    web_path = f"/application/{web['id']}"
    api.post(
        f"{web_path}/environmentVariable",
        token=token,
        json={"key": "PORT", "value": "8080"},
    )
    api.post(
        f"{web_path}/secret",
        token=token,
        json={"key": "SESSION_KEY", "value": "s3cr3t"},
    )
    api.post(
        f"{web_path}/environmentVariable/{log_level['id']}/override",
        token=token,
        json={"value": "debug"},
    )
    entries = {e["key"]: e for e in _entries(api, token, web)}
    api.post(
        f"{web_path}/environmentVariable/{entries['PORT']['id']}/alias",
        token=token,
        json={"key": "HTTP_PORT"},
    )
    api.post(
        f"{web_path}/secret/{entries['QOVERY_DATABASE_ORDERS_DB_PASSWORD']['id']}/alias",
        token=token,
        json={"key": "DATABASE_PASSWORD"},
    )
    api.post(
        f"{web_path}/customDomain",
        token=token,
        json={"domain": "shop.example.com", "generate_certificate": True},
    )
    return environment


class TestCloneServices:
    def test_copies_every_service(self, api: Api, owner_token: str, shop: Json) -> None:
        source = _services(api, owner_token, shop)

        body = {"name": "preview-7", "mode": "PREVIEW"}
        clone = api.post(
            f"/environment/{shop['id']}/clone", token=owner_token, json=body, expect=202
        )

        copied = _services(api, owner_token, clone)
        assert copied.keys() == source.keys()
        kinds = {service["service_type"] for service in copied.values()}
        assert kinds == {"APPLICATION", "CONTAINER", "DATABASE", "JOB", "HELM"}
        for name, service in copied.items():
            assert service["id"] != source[name]["id"]
            assert uuid.UUID(service["id"]).version == 4
            assert service["environment"] == {"id": clone["id"]}
            if service["service_type"] == "DATABASE":
                # The host derives from the new service id.
                assert service["host"] != source[name]["host"]
                service, original = dict(service), dict(source[name])
                service.pop("host"), original.pop("host")
                assert _without_own_fields(service) == _without_own_fields(original)
            else:
                assert _without_own_fields(service) == _without_own_fields(source[name])

    def test_shares_no_ids_or_credentials(
        self, api: Api, owner_token: str, shop: Json, sessions: sessionmaker[Session]
    ) -> None:
        source = _services(api, owner_token, shop)

        body = {"name": "preview-8", "mode": "PREVIEW"}
        clone = api.post(
            f"/environment/{shop['id']}/clone", token=owner_token, json=body, expect=202
        )

        copied = _services(api, owner_token, clone)
        for name in ("api", "worker"):
            ports = {port["id"] for port in copied[name]["ports"]}
            assert ports
            assert ports.isdisjoint(port["id"] for port in source[name]["ports"])
        volumes = {volume["id"] for volume in copied["api"]["storage"]}
        assert volumes.isdisjoint(v["id"] for v in source["api"]["storage"])
        cipher = api.app.state.cipher
        with transaction(sessions) as session:
            stored = [
                session.get_one(Service, uuid.UUID(s["id"])).configuration["password"]
                for s in (source["orders-db"], copied["orders-db"])
            ]
        assert cipher.decrypt(stored[0]) != cipher.decrypt(stored[1])

    def test_stages_follow(self, api: Api, owner_token: str, shop: Json) -> None:
        clone = api.post(
            f"/environment/{shop['id']}/clone",
            token=owner_token,
            json={"name": "copy"},
            expect=202,
        )

        layout = _stage_layout(api, owner_token, clone)
        assert layout == _stage_layout(api, owner_token, shop)
        assert ("data", 5, ["orders-db"]) in layout
        assert ("apps", 6, ["api", "worker"]) in layout

    def test_variables_follow(
        self, api: Api, owner_token: str, shop: Json, sessions: sessionmaker[Session]
    ) -> None:
        clone = api.post(
            f"/environment/{shop['id']}/clone",
            token=owner_token,
            json={"name": "copy"},
            expect=202,
        )

        web = next(
            s
            for s in _services(api, owner_token, clone).values()
            if s["service_type"] == "APPLICATION"
        )
        entries = {(e["scope"], e["key"]): e for e in _entries(api, owner_token, web)}
        own_ids = {e["id"] for e in entries.values()}
        port = entries[("APPLICATION", "PORT")]
        assert port["value"] == "8080" and port["service_id"] == web["id"]
        alias = entries[("APPLICATION", "HTTP_PORT")]
        assert alias["aliased_variable"]["id"] == port["id"]
        override = entries[("APPLICATION", "LOG_LEVEL")]
        assert (
            override["overridden_variable"]["id"]
            == entries[("ENVIRONMENT", "LOG_LEVEL")]["id"]
        )
        password = entries[("APPLICATION", "DATABASE_PASSWORD")]
        builtin = entries[("BUILT_IN", "QOVERY_DATABASE_ORDERS_DB_PASSWORD")]
        assert password["aliased_secret"]["id"] == builtin["id"]
        assert {
            e["aliased_variable"]["id"]
            for e in entries.values()
            if "aliased_variable" in e
        } <= own_ids
        host = entries[("BUILT_IN", "QOVERY_DATABASE_ORDERS_DB_HOST")]
        database = next(
            s
            for s in _services(api, owner_token, clone).values()
            if s["service_type"] == "DATABASE"
        )
        assert host["value"] == database["host"]
        with sessions() as session:
            secret = session.scalars(
                select(Variable).where(
                    Variable.service_id == uuid.UUID(web["id"]),
                    Variable.key == "SESSION_KEY",
                )
            ).one()
            assert api.app.state.cipher.decrypt(secret.value) == "s3cr3t"

    def test_custom_domains_stay(
        self, api: Api, owner_token: str, shop: Json, sessions: sessionmaker[Session]
    ) -> None:
        clone = api.post(
            f"/environment/{shop['id']}/clone",
            token=owner_token,
            json={"name": "copy"},
            expect=202,
        )

        with sessions() as session:
            domains = (
                session.execute(
                    select(Service.environment_id).join(
                        CustomDomain, CustomDomain.service_id == Service.id
                    )
                )
                .scalars()
                .all()
            )
        assert [str(environment_id) for environment_id in domains] == [shop["id"]]
        assert clone["id"] not in {str(d) for d in domains}


class TestCloneServicesCost:
    def _clone_statements(
        self,
        api: Api,
        token: str,
        project: Json,
        sessions: sessionmaker[Session],
        count: int,
    ) -> int:
        environment = api.post(
            f"/project/{project['id']}/environment",
            token=token,
            json={"name": f"size-{count}"},
        )
        path = f"/environment/{environment['id']}/application"
        template = api.post(path, token=token, json=application_body(name="app-0"))
        with transaction(sessions) as session:
            source = session.get(Service, uuid.UUID(template["id"]))
            assert source is not None
            for index in range(1, count):
                session.add(
                    Service(
                        environment_id=source.environment_id,
                        kind=source.kind,
                        name=f"app-{index}",
                        configuration=source.configuration,
                    )
                )

        with recorded_statements(api.app.state.engine) as seen:
            api.post(
                f"/environment/{environment['id']}/clone",
                token=token,
                json={"name": f"copy-{count}"},
                expect=202,
            )
        return len(seen)

    def test_statement_count_does_not_grow(
        self,
        api: Api,
        owner_token: str,
        project: Json,
        cluster: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        one = self._clone_statements(api, owner_token, project, sessions, 1)
        hundred = self._clone_statements(api, owner_token, project, sessions, 100)

        assert one == hundred


def _stage_layout(
    api: Api, token: str, environment: Json
) -> list[tuple[str, int, list[str]]]:
    """Each stage of the environment in order, with its services' names."""
    stages = api.get(f"/environment/{environment['id']}/deploymentStage", token=token)
    names = {s["id"]: name for name, s in _services(api, token, environment).items()}
    return [
        (
            stage["name"],
            stage["deployment_order"],
            sorted(names[member["service_id"]] for member in stage["services"]),
        )
        for stage in stages["results"]
    ]
