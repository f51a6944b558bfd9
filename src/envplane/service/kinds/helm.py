"""The HELM kind: a chart from a helm repository or a git repository, installed
in the environment's namespace with the values and arguments it is given."""

import json
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session, object_session

from envplane.core.crypto import SecretCipher
from envplane.core.schemas import Description, Name, Schema
from envplane.models import HelmRepository, Service
from envplane.service.kinds.application import ApplicationGitRepositoryRequest
from envplane.service.kinds.base import (
    BuiltIn,
    Kind,
    Named,
    ServiceType,
    require_owned,
)
from envplane.service.kinds.job import (
    IconUri,
    drop_none,
    git_repository_answer,
)
from envplane.service.schemas import NonNegative, PortNumber, Text

DEFAULT_ICON = "app://qovery-console/helm"


class KubernetesSelector(Schema):
    key: Text
    value: str


class HelmPortProtocolEnum(StrEnum):
    HTTP = "HTTP"
    GRPC = "GRPC"


class HelmPortRequest(Schema):
    """One item of the official ``HelmPortRequest.ports``. Its ``oneOf`` between
    a service name and service selectors accepts any object as written, so the
    key present decides: exactly one of the two must be set."""

    name: Text | None = None
    internal_port: PortNumber
    external_port: PortNumber | None = None
    namespace: Text | None = None
    protocol: HelmPortProtocolEnum = HelmPortProtocolEnum.HTTP
    is_default: bool = False
    service_name: Text | None = None
    service_selectors: list[KubernetesSelector] | None = Field(
        default=None, min_length=1
    )

    @model_validator(mode="after")
    def _one_target(self) -> "HelmPortRequest":
        if (self.service_name is None) == (self.service_selectors is None):
            raise ValueError(
                "set exactly one of service_name and service_selectors to say "
                "which of the chart's Kubernetes services the port leads to"
            )
        return self


class HelmRepositorySource(Schema):
    # Nullable in the document, yet a chart cannot be fetched from nowhere.
    repository: uuid.UUID
    chart_name: Text
    chart_version: Text


class HelmSource(Schema):
    """The official ``HelmRequest.source``. Both branches of its ``oneOf`` accept
    any object as written, so the key present decides the branch: exactly one of
    ``git_repository`` and ``helm_repository`` must be set."""

    git_repository: ApplicationGitRepositoryRequest | None = None
    helm_repository: HelmRepositorySource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "HelmSource":
        if (self.git_repository is None) == (self.helm_repository is None):
            raise ValueError(
                "set exactly one of git_repository (a chart in a git repository) "
                "and helm_repository (a chart of one of the organization's helm "
                "repositories)"
            )
        return self


def _pair(pair: list[str]) -> list[str]:
    if len(pair) != 2:
        raise ValueError("each entry is a [key, value] pair")
    return pair


def _json_pair(pair: list[str]) -> list[str]:
    _pair(pair)
    try:
        json.loads(pair[1])
    except ValueError as error:
        raise ValueError(f"the value of {pair[0]} is not valid JSON") from error
    return pair


KeyValue = Annotated[list[str], AfterValidator(_pair)]
JsonKeyValue = Annotated[list[str], AfterValidator(_json_pair)]


def _absolute_path(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError("a values file path starts with /, from the repository root")
    return path


ValuesPath = Annotated[str, AfterValidator(_absolute_path)]


class HelmValuesGitFile(Schema):
    git_repository: ApplicationGitRepositoryRequest
    paths: list[ValuesPath]


class HelmValuesRawFile(Schema):
    name: Text
    content: str


class HelmValuesRaw(Schema):
    values: list[HelmValuesRawFile]


class HelmValuesFile(Schema):
    git: HelmValuesGitFile | None = None
    raw: HelmValuesRaw | None = None


class HelmValuesOverride(Schema):
    set: list[KeyValue] | None = None
    set_string: list[KeyValue] | None = None
    set_json: list[JsonKeyValue] | None = None
    file: HelmValuesFile | None = None


class HelmRequest(Schema):
    name: Name
    description: Description | None = None
    timeout_sec: NonNegative = 600
    auto_preview: bool | None = None
    auto_deploy: bool
    source: HelmSource
    arguments: list[str]
    allow_cluster_wide_resources: bool = False
    values_override: HelmValuesOverride
    icon_uri: IconUri | None = None
    blueprint_id: uuid.UUID | None = None
    ports: list[HelmPortRequest] | None = None

    @model_validator(mode="after")
    def _one_default_port(self) -> "HelmRequest":
        if sum(port.is_default for port in self.ports or []) > 1:
            raise ValueError("at most one of ports is_default")
        return self


class HelmKind(Kind):
    service_type = ServiceType.HELM
    resource = "helm"
    id_parameter = "helmId"
    create_request = HelmRequest
    # editHelm takes the whole HelmRequest again.
    edit_request = HelmRequest
    list_operation_id = "listHelms"

    def configuration(
        self, request: BaseModel, *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return _stored(request)

    def edited(self, current: dict[str, Any], request: BaseModel) -> dict[str, Any]:
        # The edit request is a whole chart, as for containers: what it leaves
        # out is reset to its default.
        return _stored(request)

    def copied(
        self, configuration: dict[str, Any], *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return _with_port_ids(dict(configuration))

    def answer(self, service: Service) -> dict[str, Any]:
        stored = service.configuration
        body = {
            "id": service.id,
            "created_at": service.created_at,
            "updated_at": service.updated_at,
            "environment": {"id": service.environment_id},
            "name": service.name,
            "description": stored.get("description"),
            "timeout_sec": stored["timeout_sec"],
            "auto_preview": bool(stored.get("auto_preview")),
            "auto_deploy": stored["auto_deploy"],
            "ports": [_port_answer(port) for port in stored.get("ports") or []],
            "source": _source_answer(service),
            "arguments": stored["arguments"],
            "allow_cluster_wide_resources": stored["allow_cluster_wide_resources"],
            "values_override": _values_answer(stored["values_override"]),
            "icon_uri": stored.get("icon_uri") or DEFAULT_ICON,
            "service_type": ServiceType.HELM,
            "blueprint_id": stored.get("blueprint_id"),
        }
        return drop_none(to_jsonable_python(body))  # type: ignore[no-any-return]

    def named(self, service: Service) -> list[Named]:
        chart = service.configuration["source"].get("helm_repository")
        if chart is None:
            return []
        return [(HelmRepository, uuid.UUID(chart["repository"]))]

    def builtins(self, service: Service, *, cipher: SecretCipher) -> list[BuiltIn]:
        # What a chart runs is up to the chart; envplane cannot tell which host
        # or port to publish.
        return []

    def check(
        self,
        session: Session,
        *,
        organization_id: uuid.UUID,
        configuration: dict[str, Any],
    ) -> None:
        chart = configuration["source"].get("helm_repository")
        if chart is None:
            return
        require_owned(
            session,
            HelmRepository,
            chart["repository"],
            organization_id=organization_id,
            resource="helm repository",
        )


def _with_port_ids(configuration: dict[str, Any]) -> dict[str, Any]:
    """Ports are answered with an id of their own, given when they are set."""
    ports = configuration.get("ports")
    if ports is not None:
        configuration["ports"] = [{**port, "id": str(uuid.uuid4())} for port in ports]
    return configuration


def _port_answer(port: dict[str, Any]) -> dict[str, Any]:
    by_name = port.get("service_name") is not None
    return {
        **port,
        "port_type": "SERVICE_NAME" if by_name else "SERVICE_SELECTORS",
    }


def _source_answer(service: Service) -> dict[str, Any]:
    source = service.configuration["source"]
    if source.get("git_repository") is not None:
        git = git_repository_answer(source["git_repository"])
        return {"git": {"git_repository": git}}
    chart = source["helm_repository"]
    return {
        "repository": {
            "chart_name": chart["chart_name"],
            "chart_version": chart["chart_version"],
            "repository": _repository(service, chart["repository"]),
        }
    }


def _repository(service: Service, repository_id: str) -> dict[str, Any]:
    session = object_session(service)
    repository = (
        session.get(HelmRepository, uuid.UUID(repository_id)) if session else None
    )
    if repository is None:
        # Deleting a repository a chart uses is refused; this only covers a
        # service read outside a session.
        return {"id": repository_id, "name": "", "url": ""}
    return {"id": repository.id, "name": repository.name, "url": repository.url or ""}


def _values_answer(values: dict[str, Any]) -> dict[str, Any]:
    file = values.get("file") or {}
    git = file.get("git")
    if git is not None:
        git = {**git, "git_repository": git_repository_answer(git["git_repository"])}
    return {**values, "file": {**file, "git": git} if file else None}


def _stored(request: BaseModel) -> dict[str, Any]:
    assert isinstance(request, HelmRequest)
    return _with_port_ids(request.model_dump(mode="json", exclude={"name"}))
