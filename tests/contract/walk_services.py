"""A walk through every services operation: services of each kind with their
variables, secrets, custom domains and clones, the deployment stages that order
them and the registries they pull from, in an environment the foundation walk's
own steps build."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

from tests.contract.walk import Json, Scenario
from tests.fixtures.bodies import (
    application_body,
    container_body,
    database_body,
    helm_body,
    image_job_body,
)

Step = Callable[[], None]


@dataclass(frozen=True)
class Kind:
    """A kind of service, as the official paths and operationIds name it."""

    name: str
    noun: str
    list_operation: str

    @property
    def id_param(self) -> str:
        return f"{self.name}Id"

    def operation(self, template: str) -> str:
        """The operationId ``template`` gives this kind, its noun in ``{}``."""
        return template.format(self.noun)


APPLICATION = Kind("application", "Application", "listApplication")
CONTAINER = Kind("container", "Container", "listContainer")
DATABASE = Kind("database", "Database", "listDatabase")
JOB = Kind("job", "Job", "listJobs")
HELM = Kind("helm", "Helm", "listHelms")
KINDS = (APPLICATION, CONTAINER, DATABASE, JOB, HELM)
# The kinds with variables and secrets of their own.
WITH_VARIABLES = (APPLICATION, CONTAINER, JOB)


@dataclass(frozen=True)
class Domains:
    """The custom domain operations of a kind: the application's edit and
    delete carry no noun in their operationIds."""

    kind: Kind
    list: str
    create: str
    edit: str
    delete: str
    domain: str
    edited_domain: str

    @property
    def name(self) -> str:
        return self.kind.name


DOMAINS = (
    Domains(
        APPLICATION,
        list="listApplicationCustomDomain",
        create="createApplicationCustomDomain",
        edit="editCustomDomain",
        delete="deleteCustomDomain",
        domain="shop.example.com",
        edited_domain="www.shop.example.com",
    ),
    Domains(
        CONTAINER,
        list="listContainerCustomDomain",
        create="createContainerCustomDomain",
        edit="editContainerCustomDomain",
        delete="deleteContainerCustomDomain",
        domain="worker.example.com",
        edited_domain="jobs.example.com",
    ),
)


class Named(Protocol):
    @property
    def name(self) -> str: ...


Subject = TypeVar("Subject", bound=Named)


def each(
    subjects: Iterable[Subject], *actions: Callable[[Subject], None]
) -> list[Step]:
    """One step per subject and action, named after both: application_variable."""
    return [
        named(f"{subject.name}_{action.__name__}", partial(action, subject))
        for subject in subjects
        for action in actions
    ]


def named(name: str, action: Step) -> Step:
    """``action`` as a step the walk reports under ``name``."""

    def step() -> None:
        action()

    step.__name__ = name
    return step


def walk_helm_body(**changes: Any) -> Json:
    """The shared helm body, fitted to the document's validator.

    The document gives a helm source, and a helm port, a oneOf of two schemas
    that require nothing, so a body fitting one fits both and is refused: a
    chart of a helm repository, a complete git repository, any port. Leaving out
    owner and name, which envplane reads from the url, makes the git schema
    refuse the source, so that exactly one fits.
    """
    git = {
        "url": "https://github.com/acme/charts.git",
        "branch": "main",
        "root_path": "/redis",
        "provider": "GITHUB",
    }
    body = helm_body(source={"git_repository": git}, **changes)
    del body["ports"]
    return body


def container_registry_body(**changes: Any) -> Json:
    return {
        "name": "hub",
        "kind": "DOCKER_HUB",
        "url": "https://docker.io",
        "config": {"username": "acme", "password": "hub-password"},
        **changes,
    }


def helm_repository_body(**changes: Any) -> Json:
    return {
        "name": "bitnami",
        "kind": "HTTPS",
        "url": "https://charts.bitnami.com/bitnami",
        "skip_tls_verification": False,
        "config": {},
        **changes,
    }


class ServicesScenario(Scenario):
    """What the services walk builds, one step per method or per kind and
    action, in the order the steps run; deletions come last."""

    @property
    def steps(self) -> list[Step]:
        return [
            self.organization,
            self.cluster,
            self.project,
            self.environment,
            self.project_variable,
            self.project_secret,
            self.container_registry,
            self.helm_repository,
            self.application,
            self.container,
            self.database,
            self.job,
            self.helm,
            self.services_listed,
            *each(KINDS, self.status, self.copy),
            *each(
                WITH_VARIABLES,
                self.variable,
                self.variable_alias,
                self.variable_override,
                self.variables_listed,
                self.secret,
                self.secret_alias,
                self.secret_override,
                self.secrets_listed,
            ),
            *each(DOMAINS, self.domain),
            self.stage,
            self.later_stage,
            self.stage_edited,
            self.stages_reordered,
            self.service_staged,
            self.container_registry_edited,
            self.helm_repository_edited,
            self.application_edited,
            self.container_edited,
            self.database_edited,
            self.job_edited,
            self.helm_edited,
            *each(DOMAINS, self.domain_edited),
            *each(WITH_VARIABLES, self.variable_edited, self.secret_edited),
            *each(WITH_VARIABLES, self.variable_deleted, self.secret_deleted),
            *each(DOMAINS, self.domain_deleted),
            *each(KINDS, self.copy_deleted, self.deleted),
            self.stage_deleted,
            self.later_stage_deleted,
            self.container_registry_deleted,
            self.helm_repository_deleted,
            self.environment_deleted,
            self.project_deleted,
            self.cluster_deleted,
            self.organization_deleted,
        ]

    def of(self, kind: Kind) -> dict[str, str]:
        """The path parameter naming the service of ``kind`` the walk made."""
        return {kind.id_param: self.need(kind.name)}

    def container_registry(self) -> None:
        organization_id = self.need("organization")
        registry = self.call(
            "createContainerRegistry",
            organizationId=organization_id,
            json=container_registry_body(),
        )
        self.ids["container_registry"] = registry["id"]
        self.call(
            "getContainerRegistry",
            organizationId=organization_id,
            containerRegistryId=registry["id"],
        )
        self.call("listContainerRegistry", organizationId=organization_id)

    def helm_repository(self) -> None:
        organization_id = self.need("organization")
        repository = self.call(
            "createHelmRepository",
            organizationId=organization_id,
            json=helm_repository_body(),
        )
        self.ids["helm_repository"] = repository["id"]
        self.call(
            "getHelmRepository",
            organizationId=organization_id,
            helmRepositoryId=repository["id"],
        )
        self.call("listHelmRepository", organizationId=organization_id)

    def created(self, kind: Kind, body: Json) -> None:
        environment_id = self.need("environment")
        service = self.call(
            kind.operation("create{}"), environmentId=environment_id, json=body
        )
        self.ids[kind.name] = service["id"]
        self.call(kind.operation("get{}"), **self.of(kind))
        self.call(kind.list_operation, environmentId=environment_id)

    def application(self) -> None:
        self.created(APPLICATION, application_body())

    def container(self) -> None:
        self.created(CONTAINER, container_body(self.need("container_registry")))

    def database(self) -> None:
        self.created(DATABASE, database_body())

    def job(self) -> None:
        self.created(JOB, image_job_body(self.need("container_registry")))

    def helm(self) -> None:
        self.created(HELM, walk_helm_body())

    def services_listed(self) -> None:
        self.call("listServicesByEnvironmentId", environmentId=self.need("environment"))

    def status(self, kind: Kind) -> None:
        self.call(kind.operation("get{}Status"), **self.of(kind))
        self.call(
            kind.operation("getEnvironment{}Status"),
            environmentId=self.need("environment"),
        )

    def copy(self, kind: Kind) -> None:
        body = {"name": f"{kind.name}-copy", "environment_id": self.need("environment")}
        clone = self.call(kind.operation("clone{}"), json=body, **self.of(kind))
        self.ids[f"{kind.name}_copy"] = clone["id"]

    def variable(self, kind: Kind) -> None:
        variable = self.call(
            kind.operation("create{}EnvironmentVariable"),
            json={"key": "WORKERS", "value": "4", "description": "Worker processes"},
            **self.of(kind),
        )
        self.ids[f"{kind.name}_variable"] = variable["id"]

    def variable_alias(self, kind: Kind) -> None:
        self.call(
            kind.operation("create{}EnvironmentVariableAlias"),
            environmentVariableId=self.need("project_variable"),
            json={"key": "SHOP_DATABASE_HOST"},
            **self.of(kind),
        )

    def variable_override(self, kind: Kind) -> None:
        self.call(
            kind.operation("create{}EnvironmentVariableOverride"),
            environmentVariableId=self.need("project_variable"),
            json={"value": f"db-for-{kind.name}.internal"},
            **self.of(kind),
        )

    def variables_listed(self, kind: Kind) -> None:
        self.call(kind.operation("list{}EnvironmentVariable"), **self.of(kind))

    def secret(self, kind: Kind) -> None:
        secret = self.call(
            kind.operation("create{}Secret"),
            json={"key": "SIGNING_KEY", "value": "sk-signing-0000"},
            **self.of(kind),
        )
        self.ids[f"{kind.name}_secret"] = secret["id"]

    def secret_alias(self, kind: Kind) -> None:
        self.call(
            kind.operation("create{}SecretAlias"),
            secretId=self.need("project_secret"),
            json={"key": "SHOP_DATABASE_PASSWORD"},
            **self.of(kind),
        )

    def secret_override(self, kind: Kind) -> None:
        self.call(
            kind.operation("create{}SecretOverride"),
            secretId=self.need("project_secret"),
            json={"value": f"{kind.name}-only-password"},
            **self.of(kind),
        )

    def secrets_listed(self, kind: Kind) -> None:
        self.call(kind.operation("list{}Secrets"), **self.of(kind))

    def domain(self, domains: Domains) -> None:
        body = {"domain": domains.domain, "generate_certificate": True}
        domain = self.call(domains.create, json=body, **self.of(domains.kind))
        self.ids[f"{domains.name}_domain"] = domain["id"]
        self.call(domains.list, **self.of(domains.kind))

    def stage(self) -> None:
        environment_id = self.need("environment")
        body = {"name": "migrations", "description": "Runs before the services"}
        stage = self.call(
            "CreateEnvironmentDeploymentStage", environmentId=environment_id, json=body
        )
        self.ids["stage"] = stage["id"]
        self.call("getDeploymentStage", deploymentStageId=stage["id"])
        self.call("ListEnvironmentDeploymentStage", environmentId=environment_id)

    def later_stage(self) -> None:
        stage = self.call(
            "CreateEnvironmentDeploymentStage",
            environmentId=self.need("environment"),
            json={"name": "web"},
        )
        self.ids["later_stage"] = stage["id"]

    def stage_edited(self) -> None:
        body = {"name": "migrations", "description": "Schema changes, run first"}
        self.call(
            "EditDeploymentStage", deploymentStageId=self.need("stage"), json=body
        )

    def stages_reordered(self) -> None:
        stages = {
            "deploymentStageId": self.need("later_stage"),
            "stageId": self.need("stage"),
        }
        self.call("MoveBeforeDeploymentStage", **stages)
        self.call("MoveAfterDeploymentStage", **stages)

    def service_staged(self) -> None:
        job_id = self.need(JOB.name)
        self.call(
            "AttachServiceToDeploymentStage",
            deploymentStageId=self.need("stage"),
            serviceId=job_id,
            json={"is_skipped": False},
        )
        self.call("getServiceDeploymentStage", serviceId=job_id)

    def container_registry_edited(self) -> None:
        body = container_registry_body(description="Images of the shop")
        self.call(
            "editContainerRegistry",
            organizationId=self.need("organization"),
            containerRegistryId=self.need("container_registry"),
            json=body,
        )

    def helm_repository_edited(self) -> None:
        body = helm_repository_body(description="Public charts")
        self.call(
            "editHelmRepository",
            organizationId=self.need("organization"),
            helmRepositoryId=self.need("helm_repository"),
            json=body,
        )

    def application_edited(self) -> None:
        body = {
            "description": "The shop's API, bigger",
            "cpu": 2000,
            "healthchecks": {},
        }
        self.call("editApplication", json=body, **self.of(APPLICATION))

    def container_edited(self) -> None:
        body = container_body(self.need("container_registry"), tag="1.5.0")
        self.call("editContainer", json=body, **self.of(CONTAINER))

    def database_edited(self) -> None:
        body = {"description": "Orders and invoices", "storage": 40}
        self.call("editDatabase", json=body, **self.of(DATABASE))

    def job_edited(self) -> None:
        body = image_job_body(self.need("container_registry"), max_nb_restart=3)
        self.call("editJob", json=body, **self.of(JOB))

    def helm_edited(self) -> None:
        body = walk_helm_body(timeout_sec=600)
        self.call("editHelm", json=body, **self.of(HELM))

    def domain_edited(self, domains: Domains) -> None:
        body = {
            "domain": domains.edited_domain,
            "generate_certificate": False,
            "use_cdn": True,
        }
        self.call(
            domains.edit,
            customDomainId=self.need(f"{domains.name}_domain"),
            json=body,
            **self.of(domains.kind),
        )

    def variable_edited(self, kind: Kind) -> None:
        self.call(
            kind.operation("edit{}EnvironmentVariable"),
            environmentVariableId=self.need(f"{kind.name}_variable"),
            json={"key": "WORKERS", "value": "8"},
            **self.of(kind),
        )

    def secret_edited(self, kind: Kind) -> None:
        self.call(
            kind.operation("edit{}Secret"),
            secretId=self.need(f"{kind.name}_secret"),
            json={"key": "SIGNING_KEY", "value": "sk-signing-0001"},
            **self.of(kind),
        )

    def variable_deleted(self, kind: Kind) -> None:
        self.call(
            kind.operation("delete{}EnvironmentVariable"),
            environmentVariableId=self.need(f"{kind.name}_variable"),
            **self.of(kind),
        )

    def secret_deleted(self, kind: Kind) -> None:
        self.call(
            kind.operation("delete{}Secret"),
            secretId=self.need(f"{kind.name}_secret"),
            **self.of(kind),
        )

    def domain_deleted(self, domains: Domains) -> None:
        self.call(
            domains.delete,
            customDomainId=self.need(f"{domains.name}_domain"),
            **self.of(domains.kind),
        )

    def copy_deleted(self, kind: Kind) -> None:
        self.call(
            kind.operation("delete{}"),
            **{kind.id_param: self.need(f"{kind.name}_copy")},
        )

    def deleted(self, kind: Kind) -> None:
        self.call(kind.operation("delete{}"), **self.of(kind))

    def stage_deleted(self) -> None:
        self.call("DeleteDeploymentStage", deploymentStageId=self.need("stage"))

    def later_stage_deleted(self) -> None:
        self.call("DeleteDeploymentStage", deploymentStageId=self.need("later_stage"))

    def container_registry_deleted(self) -> None:
        self.call(
            "deleteContainerRegistry",
            organizationId=self.need("organization"),
            containerRegistryId=self.need("container_registry"),
        )

    def helm_repository_deleted(self) -> None:
        self.call(
            "deleteHelmRepository",
            organizationId=self.need("organization"),
            helmRepositoryId=self.need("helm_repository"),
        )
