"""The JOB kind: a container that runs to completion, on a cron schedule or on
the environment's lifecycle events (start, stop, delete), from an image or
built from a git repository.

The few request and answer helpers the database and helm kinds share with jobs
(icon, annotation and label groups, git repositories) live here too.
"""

import uuid
import zoneinfo
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    StringConstraints,
    model_validator,
)
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session, object_session

from envplane.core.crypto import SecretCipher
from envplane.core.schemas import Description, Name, Schema
from envplane.models import ContainerRegistry, Service
from envplane.service.kinds.application import ApplicationGitRepositoryRequest
from envplane.service.kinds.base import (
    BuiltIn,
    Kind,
    Named,
    ServiceType,
    require_owned,
)
from envplane.service.schemas import (
    MAXIMUM_CPU,
    MAXIMUM_GPU,
    MAXIMUM_MEMORY,
    Cpu,
    CpuArchitectureEnum,
    Gpu,
    GroupReference,
    Healthcheck,
    Memory,
    NonNegative,
    PortNumber,
    Text,
)

DEFAULT_ICON = "app://qovery-console/job"
DEFAULT_TIMEZONE = "Etc/UTC"
# The document gives no default; a runaway job is stopped after five minutes.
DEFAULT_MAX_DURATION_SECONDS = 300


def _absolute_uri(value: str) -> str:
    parts = urlsplit(value)
    if not parts.scheme or not (parts.netloc or parts.path):
        raise ValueError(
            "must be an absolute URI, such as https://example.com/icon.svg"
        )
    return value


IconUri = Annotated[
    str, StringConstraints(max_length=2048), AfterValidator(_absolute_uri)
]


def _no_groups(groups: list[GroupReference]) -> list[GroupReference]:
    # TODO(compat): annotation and label groups are organization resources
    # envplane does not serve yet, so a service cannot reference one; ids sent
    # are refused rather than silently dropped. Accept them with that API.
    if groups:
        raise ValueError(
            "envplane does not serve annotation and label groups yet; leave the "
            "field out or send an empty list"
        )
    return groups


NoGroups = Annotated[list[GroupReference], AfterValidator(_no_groups)]


def git_repository_answer(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored ``ApplicationGitRepositoryRequest``, shaped as the official
    ``ApplicationGitRepository``."""
    fields = ("provider", "owner", "name", "url", "branch", "root_path")
    answer = {field: stored[field] for field in fields if stored.get(field)}
    if stored.get("git_token_id"):
        answer["git_token_id"] = stored["git_token_id"]
    return answer


def drop_none(value: Any) -> Any:
    """``value`` without the nulls the official schemas mostly refuse."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(item) for item in value]
    return value


MONTHS = (
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
)
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# Allowed values of the five cron fields, and the names two of them accept.
CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, WEEKDAYS),
)
CRON_MACROS = frozenset(
    ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
)


def _cron(expression: str) -> str:
    """A schedule as Kubernetes CronJobs take it: five fields, or a macro."""
    if expression in CRON_MACROS:
        return expression
    fields = expression.split()
    if len(fields) != len(CRON_FIELDS):
        raise ValueError(
            "needs five fields (minute hour day-of-month month day-of-week), "
            "such as '0 3 * * *'"
        )
    for text, (label, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for item in text.split(","):
            if not _cron_item(item, low, high, names):
                raise ValueError(
                    f"the {label} field '{text}' is not valid: use *, numbers "
                    f"from {low} to {high}, ranges (a-b), lists (a,b) and steps (/n)"
                )
    return expression


def _cron_item(item: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    span, slash, step = item.partition("/")
    if slash and not (step.isdigit() and int(step) > 0):
        return False
    if span == "*":
        return True
    bounds = span.split("-")
    if len(bounds) > 2:
        return False
    values = [_cron_value(bound.upper(), low, names) for bound in bounds]
    numbers = [value for value in values if value is not None]
    if len(numbers) != len(values) or not all(low <= n <= high for n in numbers):
        return False
    return numbers == sorted(numbers)


def _cron_value(text: str, low: int, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.index(text) + low if text in names else None


TIMEZONES = frozenset(zoneinfo.available_timezones())


def _timezone(name: str) -> str:
    if name not in TIMEZONES:
        raise ValueError("must be a tz database name, such as Europe/Paris or Etc/UTC")
    return name


CronExpression = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_cron)
]
Timezone = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_timezone)
]


class JobTypeEnum(StrEnum):
    LIFECYCLE = "LIFECYCLE"
    CRON = "CRON"


class JobLifecycleTypeEnum(StrEnum):
    GENERIC = "GENERIC"
    TERRAFORM = "TERRAFORM"
    CLOUDFORMATION = "CLOUDFORMATION"


class JobEvent(Schema):
    arguments: list[str] | None = None
    entrypoint: str | None = None


class CronJob(JobEvent):
    timezone: Timezone = DEFAULT_TIMEZONE
    scheduled_at: CronExpression


class JobSchedule(Schema):
    on_start: JobEvent | None = None
    on_stop: JobEvent | None = None
    on_delete: JobEvent | None = None
    cronjob: CronJob | None = None
    lifecycle_type: JobLifecycleTypeEnum | None = None

    @model_validator(mode="after")
    def _cron_or_lifecycle(self) -> "JobSchedule":
        events = [self.on_start, self.on_stop, self.on_delete]
        lifecycle = any(event is not None for event in events)
        if self.cronjob is not None and (lifecycle or self.lifecycle_type):
            raise ValueError(
                "a cron job sets only cronjob; a lifecycle job sets on_start, "
                "on_stop or on_delete, never both"
            )
        if self.cronjob is None and not lifecycle:
            raise ValueError(
                "set cronjob for a cron job, or at least one of on_start, on_stop "
                "and on_delete for a lifecycle job"
            )
        return self


class JobImageSource(Schema):
    image_name: Text
    tag: Text
    registry_id: uuid.UUID


class JobDockerSource(Schema):
    git_repository: ApplicationGitRepositoryRequest
    dockerfile_path: str | None = None
    dockerfile_raw: str | None = None
    docker_target_build_stage: str | None = None


class JobSource(Schema):
    image: JobImageSource | None = None
    docker: JobDockerSource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "JobSource":
        if (self.image is None) == (self.docker is None):
            raise ValueError(
                "set exactly one of image (a container registry's image) and "
                "docker (built from a git repository)"
            )
        return self


class JobRequest(Schema):
    name: Name
    description: Description | None = None
    cpu: Cpu = 500
    memory: Memory = 512
    gpu: Gpu = 0
    ephemeral_storage_in_gib: NonNegative | None = None
    max_nb_restart: NonNegative = 0
    max_duration_seconds: NonNegative = DEFAULT_MAX_DURATION_SECONDS
    auto_preview: bool = False
    port: PortNumber | None = None
    source: JobSource
    cpu_architecture: CpuArchitectureEnum | None = None
    healthchecks: Healthcheck
    # Optional in the document, yet a job without one could never run, and the
    # answer cannot say whether it is a cron or a lifecycle job.
    schedule: JobSchedule
    auto_deploy: bool | None = None
    annotations_groups: NoGroups | None = None
    labels_groups: NoGroups | None = None
    icon_uri: IconUri | None = None


class JobKind(Kind):
    service_type = ServiceType.JOB
    resource = "job"
    id_parameter = "jobId"
    create_request = JobRequest
    # editJob takes the whole JobRequest again.
    edit_request = JobRequest
    list_operation_id = "listJobs"

    def configuration(
        self, request: BaseModel, *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return _stored(request)

    def edited(self, current: dict[str, Any], request: BaseModel) -> dict[str, Any]:
        # The edit request is a whole job, as for containers: what it leaves out
        # is reset to its default.
        return _stored(request)

    def answer(self, service: Service) -> dict[str, Any]:
        stored = service.configuration
        schedule = stored["schedule"]
        cron = schedule.get("cronjob") is not None
        body = {
            "id": service.id,
            "created_at": service.created_at,
            "updated_at": service.updated_at,
            "environment": {"id": service.environment_id},
            "maximum_cpu": MAXIMUM_CPU,
            "maximum_memory": MAXIMUM_MEMORY,
            "maximum_gpu": MAXIMUM_GPU,
            "name": service.name,
            **{
                field: stored.get(field)
                for field in (
                    "description",
                    "cpu",
                    "memory",
                    "gpu",
                    "ephemeral_storage_in_gib",
                    "cpu_architecture",
                    "max_nb_restart",
                    "max_duration_seconds",
                    "auto_preview",
                    "port",
                    "healthchecks",
                    "auto_deploy",
                )
            },
            "source": _source_answer(service),
            "icon_uri": stored.get("icon_uri") or DEFAULT_ICON,
            "service_type": ServiceType.JOB,
            "job_type": JobTypeEnum.CRON if cron else JobTypeEnum.LIFECYCLE,
            "schedule": {"cronjob": schedule["cronjob"]} if cron else schedule,
        }
        return drop_none(to_jsonable_python(body))  # type: ignore[no-any-return]

    def named(self, service: Service) -> list[Named]:
        image = service.configuration["source"].get("image")
        if image is None:
            return []
        return [(ContainerRegistry, uuid.UUID(image["registry_id"]))]

    def builtins(self, service: Service, *, cipher: SecretCipher) -> list[BuiltIn]:
        # A job exposes nothing other services could reach, so it publishes no
        # host or port of its own.
        return []

    def check(
        self,
        session: Session,
        *,
        organization_id: uuid.UUID,
        configuration: dict[str, Any],
    ) -> None:
        image = configuration["source"].get("image")
        if image is None:
            return
        require_owned(
            session,
            ContainerRegistry,
            image["registry_id"],
            organization_id=organization_id,
            resource="container registry",
        )


def _source_answer(service: Service) -> dict[str, Any]:
    source = service.configuration["source"]
    if source.get("docker") is not None:
        docker = source["docker"]
        git = git_repository_answer(docker["git_repository"])
        return {"docker": {**docker, "git_repository": git}}
    image = source["image"]
    return {"image": {**image, "registry": _registry(service, image["registry_id"])}}


def _registry(service: Service, registry_id: str) -> dict[str, Any]:
    """The official ``ContainerRegistryProviderDetailsResponse`` of a job's
    registry."""
    session = object_session(service)
    registry = (
        session.get(ContainerRegistry, uuid.UUID(registry_id)) if session else None
    )
    if registry is None:
        # Deleting a registry a job uses is refused; this only covers a service
        # read outside a session.
        return {"id": registry_id, "name": "", "url": "", "kind": "GENERIC_CR"}
    return {
        "id": registry.id,
        "name": registry.name,
        "url": registry.url or "",
        "kind": registry.kind,
    }


def _stored(request: BaseModel) -> dict[str, Any]:
    assert isinstance(request, JobRequest)
    return request.model_dump(mode="json", exclude={"name"})
