"""Applications: built from a git repository with a Dockerfile, then run."""

import uuid
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlparse

from pydantic import BaseModel, Field, model_validator

from envplane.core.crypto import SecretCipher
from envplane.core.schemas import Name, Schema
from envplane.models import Service
from envplane.service.kinds import workload
from envplane.service.kinds.base import BuiltIn, Kind, ServiceType, builtin_name
from envplane.service.schemas import MAXIMUM_GPU, ServiceRequest, Text
from envplane.variable.builtins import internal_host


class GitProviderEnum(StrEnum):
    BITBUCKET = "BITBUCKET"
    GITHUB = "GITHUB"
    GITLAB = "GITLAB"


class BuildModeEnum(StrEnum):
    DOCKER = "DOCKER"


class ApplicationGitRepositoryRequest(Schema):
    url: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+/.+")
    branch: str | None = None
    root_path: str = "/"
    git_token_id: uuid.UUID | None = None
    provider: GitProviderEnum
    # Required by the official schema without being described there; when left
    # out they are read from the url (https://host/<owner>/<name>).
    owner: Text | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _owner_and_name(self) -> "ApplicationGitRepositoryRequest":
        path = urlparse(self.url).path.strip("/").removesuffix(".git")
        owner, _, name = path.rpartition("/")
        if not owner or not name:
            raise ValueError(
                "url must name the repository as https://<host>/<owner>/<name>"
            )
        self.owner = self.owner or owner
        self.name = self.name or name
        return self


class ApplicationConfiguration(ServiceRequest):
    """Everything an application stores; its requests add the name."""

    git_repository: ApplicationGitRepositoryRequest
    build_mode: BuildModeEnum = BuildModeEnum.DOCKER
    dockerfile_path: str | None = None
    docker_target_build_stage: str | None = None


class ApplicationRequest(ApplicationConfiguration):
    name: Name


class ApplicationEditRequest(ApplicationConfiguration):
    partial: ClassVar[bool] = True

    name: Name | None = None
    git_repository: ApplicationGitRepositoryRequest | None = None  # type: ignore[assignment]


class ApplicationKind(Kind):
    service_type = ServiceType.APPLICATION
    resource = "application"
    id_parameter = "applicationId"
    create_request = ApplicationRequest
    edit_request = ApplicationEditRequest

    def configuration(
        self, request: BaseModel, *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return workload.stored(request, exclude={"name"})

    def edited(self, current: dict[str, Any], request: BaseModel) -> dict[str, Any]:
        return workload.edited(ApplicationConfiguration, current, request)

    def copied(
        self, configuration: dict[str, Any], *, cipher: SecretCipher
    ) -> dict[str, Any]:
        return workload.with_fresh_ids(configuration)

    def answer(self, service: Service) -> dict[str, Any]:
        configuration = service.configuration
        return workload.answer(
            service,
            self.service_type,
            git_repository=configuration["git_repository"],
            maximun_gpu=MAXIMUM_GPU,
            build_mode=configuration.get("build_mode"),
            dockerfile_path=configuration.get("dockerfile_path"),
            docker_target_build_stage=configuration.get("docker_target_build_stage"),
            icon_uri=configuration.get("icon_uri", "app://qovery-console/application"),
        )

    def builtins(self, service: Service, *, cipher: SecretCipher) -> list[BuiltIn]:
        name = builtin_name(service.name)
        return [
            BuiltIn(f"QOVERY_APPLICATION_{name}_HOST_INTERNAL", internal_host(service))
        ]
