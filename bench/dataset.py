"""Source environments of three sizes, built through the API in this process.

Every service is created through the API with a realistic configuration of
about 2 KB (databases have less to say), so built-ins, stages and stored
configurations are exactly what a client would get. So is every kind of
variable and secret: values, files, aliases and overrides of project,
environment and built-in entries. The plain values and secrets that only add
volume are then replicated, in one bulk insert, from a row of the same
service made through the API, changing only id, key and value; at about 6 ms
a request that saves a minute per large environment and copies the same rows.
"""

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bench.bodies import service_body
from envplane.app import create_app
from envplane.core.config import Settings
from envplane.core.database import transaction
from envplane.models import DeploymentStage, Environment, Service, Variable

Json = dict[str, Any]


@dataclass(frozen=True)
class Size:
    name: str
    services: int
    # Entries of the services, per service on average. Databases and helm
    # charts have no variables of their own in the API, so the applications,
    # containers and jobs carry them all.
    entries_per_service: int
    environment_variables: int = 0
    environment_secrets: int = 0

    @property
    def service_entries(self) -> int:
        return self.services * self.entries_per_service

    def describe(self) -> str:
        text = f"{self.services} services x {self.entries_per_service} entries"
        if self.environment_variables or self.environment_secrets:
            text += (
                f" + {self.environment_variables} environment variables"
                f" + {self.environment_secrets} environment secrets"
            )
        return text


SIZES = {
    "S": Size("S", services=5, entries_per_service=20),
    "M": Size("M", services=50, entries_per_service=40),
    "L": Size(
        "L",
        services=200,
        entries_per_service=50,
        environment_variables=100,
        environment_secrets=20,
    ),
}

# Ten services of a typical product environment; larger environments repeat
# the pattern, and S is its first five, one of each kind.
KIND_PATTERN = (
    "application",
    "container",
    "database",
    "job",
    "helm",
    "application",
    "container",
    "application",
    "container",
    "job",
)
WITH_ENTRIES = ("application", "container", "job")
# Share of the replicated service entries that are secrets.
SECRET_SHARE = 0.25

PROJECT_VARIABLES = {
    "LOG_LEVEL": "info",
    "LOG_FORMAT": "json",
    "REGION": "eu-west-3",
    "SENTRY_DSN": "https://4f1c2a9b0d7e@o123456.ingest.sentry.io/4504",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.monitoring:4317",
    "FEATURE_FLAGS_URL": "https://flags.acme.example/api/v2/client",
}
PROJECT_SECRETS = {
    "NPM_TOKEN": "npm_" + "a1b2c3d4" * 4,
    "SENTRY_AUTH_TOKEN": "sntrys_" + "0f" * 24,
}


@dataclass(frozen=True)
class Workspace:
    """An organization with a cluster, a project and its entries, a container
    registry and a helm repository: what environments are built in."""

    organization_id: str
    cluster_id: str
    project_id: str
    registry_id: str
    helm_repository_id: str
    project_variables: dict[str, str]
    project_secrets: dict[str, str]


@dataclass
class Source:
    """A source environment and what it holds, counted in the database."""

    size: Size
    environment_id: str
    name: str
    services: int = 0
    stages: int = 0
    entries: int = 0
    builtins: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    entry_types: dict[str, int] = field(default_factory=dict)
    configuration_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows a clone writes: the environment, its stages, services, entries
        and built-ins."""
        return 1 + self.stages + self.services + self.entries + self.builtins

    def summary(self) -> Json:
        return {
            "size": self.size.name,
            "environment_id": self.environment_id,
            "services": self.services,
            "stages": self.stages,
            "entries": self.entries,
            "builtins": self.builtins,
            "rows": self.rows,
            "kinds": self.kinds,
            "entry_types": self.entry_types,
            "configuration_bytes_average": self.configuration_bytes,
        }


class Builder:
    """Makes workspaces and environments through the API, with a TestClient
    on an app over the server's database and keys."""

    def __init__(self, settings: Settings, token: str):
        self.app = create_app(settings)
        self.client = TestClient(self.app, raise_server_exceptions=True)
        self.headers = {"Authorization": f"Bearer {token}"}

    def __enter__(self) -> Self:
        self.client.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.__exit__(*exc_info)
        self.app.state.engine.dispose()

    def call(self, method: str, path: str, *, expect: int, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body, headers=self.headers)
        if response.status_code != expect:
            raise RuntimeError(
                f"{method} {path} answered {response.status_code}, expected "
                f"{expect}: {response.text[:2000]}"
            )
        return response.json() if response.content else None

    def workspace(self, name: str = "acme") -> Workspace:
        organization = self.call(
            "POST", "/organization", expect=201, body={"name": name, "plan": "TEAM"}
        )
        path = f"/organization/{organization['id']}"
        cluster = self.call(
            "POST",
            f"{path}/cluster",
            expect=201,
            body={"name": "production", "region": "eu-west-3", "cloud_provider": "AWS"},
        )
        project = self.call(
            "POST", f"{path}/project", expect=200, body={"name": "shop"}
        )
        registry = self.call(
            "POST",
            f"{path}/containerRegistry",
            expect=201,
            body={"name": "docker-hub", "kind": "DOCKER_HUB", "config": {}},
        )
        repository = self.call(
            "POST",
            f"{path}/helmRepository",
            expect=201,
            body={
                "name": "bitnami",
                "kind": "HTTPS",
                "url": "https://charts.bitnami.com/bitnami",
                "skip_tls_verification": False,
                "config": {},
            },
        )
        project_path = f"/project/{project['id']}"
        variables = {
            key: self._entry(f"{project_path}/environmentVariable", key, value)
            for key, value in PROJECT_VARIABLES.items()
        }
        secrets = {
            key: self._entry(f"{project_path}/secret", key, value)
            for key, value in PROJECT_SECRETS.items()
        }
        return Workspace(
            organization_id=organization["id"],
            cluster_id=cluster["id"],
            project_id=project["id"],
            registry_id=registry["id"],
            helm_repository_id=repository["id"],
            project_variables=variables,
            project_secrets=secrets,
        )

    def _entry(self, collection: str, key: str, value: str, **extra: Any) -> str:
        body = {"key": key, "value": value, **extra}
        return str(self.call("POST", collection, expect=201, body=body)["id"])

    def _alias(self, collection: str, parent_id: str, key: str) -> str:
        path = f"{collection}/{parent_id}/alias"
        return str(self.call("POST", path, expect=201, body={"key": key})["id"])

    def _override(self, collection: str, parent_id: str, value: str) -> str:
        path = f"{collection}/{parent_id}/override"
        return str(self.call("POST", path, expect=201, body={"value": value})["id"])

    def environment(self, workspace: Workspace, size: Size, name: str) -> Source:
        """A new environment of ``size`` in the workspace's project."""
        environment = self.call(
            "POST",
            f"/project/{workspace.project_id}/environment",
            expect=201,
            body={"name": name, "mode": "PRODUCTION", "cluster": workspace.cluster_id},
        )
        environment_id = environment["id"]
        services = self._services(workspace, environment_id, size)
        self._stage(environment_id, services)
        builtins = self._builtins(environment_id)
        shared = self._environment_entries(workspace, environment_id, size, builtins)
        self._service_entries(workspace, size, services, builtins, shared)
        return self.count(Source(size=size, environment_id=environment_id, name=name))

    def _services(
        self, workspace: Workspace, environment_id: str, size: Size
    ) -> list[tuple[str, str]]:
        """The services as (kind, id), created through the API."""
        made = []
        for index in range(size.services):
            kind = KIND_PATTERN[index % len(KIND_PATTERN)]
            body = service_body(
                kind,
                index,
                registry_id=workspace.registry_id,
                helm_repository_id=workspace.helm_repository_id,
            )
            path = f"/environment/{environment_id}/{kind}"
            made.append(
                (kind, str(self.call("POST", path, expect=201, body=body)["id"]))
            )
        return made

    def _stage(self, environment_id: str, services: Sequence[tuple[str, str]]) -> None:
        """A stage of its own for the charts, deployed after everything else."""
        stage = self.call(
            "POST",
            f"/environment/{environment_id}/deploymentStage",
            expect=200,
            body={"name": "charts", "description": "Charts, once the apps are up"},
        )
        for kind, service_id in services:
            if kind == "helm":
                path = f"/deploymentStage/{stage['id']}/service/{service_id}"
                self.call("PUT", path, expect=200)

    def _builtins(self, environment_id: str) -> dict[tuple[str, str], str]:
        """Ids of the databases' host and connection URI built-ins, by the
        database's id and ``HOST`` or ``URI``."""
        found = {}
        for collection in ("environmentVariable", "secret"):
            path = f"/environment/{environment_id}/{collection}"
            for entry in self.call("GET", path, expect=200)["results"]:
                key, service_id = entry["key"], entry.get("service_id")
                if entry["scope"] != "BUILT_IN" or service_id is None:
                    continue
                if key.startswith("QOVERY_DATABASE_") and key.endswith("_HOST"):
                    found[(service_id, "HOST")] = entry["id"]
                if key.endswith("_CONNECTION_URI"):
                    found[(service_id, "URI")] = entry["id"]
        return found

    def _environment_entries(
        self,
        workspace: Workspace,
        environment_id: str,
        size: Size,
        builtins: dict[tuple[str, str], str],
    ) -> list[str]:
        """The environment's own variables and secrets, among them overrides
        and aliases of project entries and built-ins; answers the ids of plain
        variables services can alias or override."""
        variables = f"/environment/{environment_id}/environmentVariable"
        secrets = f"/environment/{environment_id}/secret"
        hosts = [id_ for (_, part), id_ in builtins.items() if part == "HOST"]
        uris = [id_ for (_, part), id_ in builtins.items() if part == "URI"]
        project = list(workspace.project_variables.values())
        plain: list[str] = []
        for index in range(size.environment_variables):
            if index < 4:
                self._override(variables, project[index], f"env-{index}")
            elif index < 6:
                self._alias(variables, project[index], f"SHARED_{index}")
            elif index < 8 and hosts:
                self._alias(variables, hosts[index % len(hosts)], f"PRIMARY_DB_{index}")
            elif index < 10:
                path = f"/etc/acme/environment-{index}.yaml"
                self._entry(
                    variables, f"ENV_FILE_{index}", _yaml(index), mount_path=path
                )
            else:
                key = _key("ENV", index)
                plain.append(self._entry(variables, key, _value(index)))
        project_secrets = list(workspace.project_secrets.values())
        for index in range(size.environment_secrets):
            if index == 0:
                self._override(secrets, project_secrets[0], "npm_environment_token")
            elif index == 1:
                self._alias(secrets, project_secrets[1], "ERROR_TRACKER_TOKEN")
            elif index == 2 and uris:
                self._alias(secrets, uris[0], "PRIMARY_DATABASE_URL")
            else:
                self._entry(secrets, _key("ENV_SECRET", index), _secret(index))
        return plain

    def _service_entries(
        self,
        workspace: Workspace,
        size: Size,
        services: Sequence[tuple[str, str]],
        builtins: dict[tuple[str, str], str],
        shared: Sequence[str],
    ) -> None:
        """Every kind of entry through the API for each service that can hold
        entries, then the remainder of its share replicated in bulk."""
        holders = [(kind, id_) for kind, id_ in services if kind in WITH_ENTRIES]
        databases = [id_ for kind, id_ in services if kind == "database"]
        base, extra = divmod(size.service_entries, len(holders))
        templates: list[tuple[str, str, int, int]] = []
        for number, (kind, service_id) in enumerate(holders):
            share = base + (number < extra)
            database = databases[number % len(databases)]
            variables = f"/{kind}/{service_id}/environmentVariable"
            secrets = f"/{kind}/{service_id}/secret"
            made = [
                self._alias(variables, builtins[(database, "HOST")], "DATABASE_HOST"),
                self._alias(secrets, builtins[(database, "URI")], "DATABASE_URL"),
                self._override(
                    variables, workspace.project_variables["LOG_LEVEL"], "debug"
                ),
                self._entry(
                    variables,
                    "APP_CONFIG",
                    _yaml(number),
                    mount_path="/etc/acme/config.yaml",
                ),
            ]
            if shared:
                made.append(self._alias(variables, shared[0], "SHARED_SETTING"))
                made.append(self._override(variables, shared[1], f"svc-{number}"))
            variable = self._entry(variables, _key("SETTING", 0), _value(number))
            secret = self._entry(secrets, _key("TOKEN", 0), _secret(number))
            rest = share - len(made) - 2
            secret_count = round(rest * SECRET_SHARE)
            templates.append((variable, secret, rest - secret_count, secret_count))
        self._replicate(templates)

    def _replicate(self, templates: Sequence[tuple[str, str, int, int]]) -> None:
        """For each (variable id, secret id, variables, secrets): that many
        more rows like the two, with their own ids, keys and values."""
        cipher = self.app.state.cipher
        ids = [uuid.UUID(id_) for pair in templates for id_ in pair[:2]]
        rows: list[Json] = []
        with transaction(self.app.state.sessions) as session:
            found = session.scalars(select(Variable).where(Variable.id.in_(ids)))
            originals = {str(row.id): row for row in found}
            for variable_id, secret_id, variables, secrets in templates:
                for number in range(1, variables + 1):
                    value = _value(number)
                    rows.append(_like(originals[variable_id], "SETTING", number, value))
                for number in range(1, secrets + 1):
                    value = cipher.encrypt(_secret(number))
                    rows.append(_like(originals[secret_id], "TOKEN", number, value))
            if rows:
                session.execute(insert(Variable), rows)

    def count(self, source: Source) -> Source:
        """Fill in what the source holds, read from the database."""
        environment_id = uuid.UUID(source.environment_id)
        with self.app.state.sessions() as session:
            services = session.scalars(
                select(Service).where(Service.environment_id == environment_id)
            ).all()
            source.services = len(services)
            source.kinds = dict(Counter(service.kind for service in services))
            sizes: dict[str, list[int]] = {}
            for service in services:
                encoded = json.dumps(service.configuration, separators=(",", ":"))
                sizes.setdefault(service.kind, []).append(len(encoded))
            source.configuration_bytes = {
                kind: sum(values) // len(values) for kind, values in sizes.items()
            }
            source.stages = int(
                session.scalar(
                    select(func.count())
                    .select_from(DeploymentStage)
                    .where(DeploymentStage.environment_id == environment_id)
                )
                or 0
            )
            rows = session.execute(
                select(Variable.variable_type, func.count())
                .where(Variable.environment_id == environment_id)
                .group_by(Variable.variable_type)
            ).all()
        source.entry_types = {str(kind): int(number) for kind, number in rows}
        source.builtins = source.entry_types.get("BUILT_IN", 0)
        source.entries = sum(source.entry_types.values()) - source.builtins
        return source


def _like(original: Variable, stem: str, number: int, value: str) -> Json:
    columns = Variable.__table__.columns.keys()
    return {column: getattr(original, column) for column in columns} | {
        "id": uuid.uuid4(),
        "key": _key(stem, number),
        "value": value,
    }


def environment_rows(session: Session, environment_id: uuid.UUID) -> int:
    """Rows of an environment: itself, its stages, services, entries and
    built-ins."""
    counts = [
        select(func.count()).select_from(table).where(column == environment_id)
        for table, column in (
            (Environment, Environment.id),
            (DeploymentStage, DeploymentStage.environment_id),
            (Service, Service.environment_id),
            (Variable, Variable.environment_id),
        )
    ]
    return sum(int(session.scalar(statement) or 0) for statement in counts)


_STEMS = ("CACHE", "QUEUE", "HTTP", "RETRY", "LIMIT", "FEATURE", "TIMEOUT", "PATH")


def _key(stem: str, number: int) -> str:
    return f"{stem}_{_STEMS[number % len(_STEMS)]}_{number:03d}"


def _value(number: int) -> str:
    """Values of the lengths variables tend to have: flags, numbers, URLs and
    small JSON documents."""
    choices = (
        "true",
        str(number * 37 % 1000),
        f"https://svc-{number}.internal.acme.example:8443/v1/resources?page=1",
        json.dumps({"enabled": True, "ratio": 0.25, "segment": f"beta-{number}"}),
        f"redis://cache-{number % 7}.internal:6379/{number % 16}",
    )
    return choices[number % len(choices)]


def _secret(number: int) -> str:
    return "sk_live_" + hashlib.sha256(str(number).encode()).hexdigest()


def _yaml(number: int) -> str:
    return "\n".join(
        [
            "server:",
            "  port: 8080",
            f"  name: service-{number}",
            "  read_timeout: 15s",
            "  write_timeout: 30s",
            "logging:",
            "  level: info",
            "  format: json",
            "features:",
            *(f"  flag_{flag}: {str(flag % 2 == 0).lower()}" for flag in range(12)),
        ]
    )
