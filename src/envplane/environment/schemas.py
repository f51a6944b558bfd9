import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from envplane.core.schemas import BaseRecord, Name, ReferenceObject, Schema


class CreateEnvironmentModeEnum(StrEnum):
    DEVELOPMENT = "DEVELOPMENT"
    PRODUCTION = "PRODUCTION"
    STAGING = "STAGING"


class EnvironmentModeEnum(StrEnum):
    DEVELOPMENT = "DEVELOPMENT"
    PREVIEW = "PREVIEW"
    PRODUCTION = "PRODUCTION"
    STAGING = "STAGING"


class CreateEnvironmentRequest(Schema):
    name: Name
    cluster: uuid.UUID | None = None
    mode: CreateEnvironmentModeEnum = CreateEnvironmentModeEnum.DEVELOPMENT


class EnvironmentEditRequest(Schema):
    name: Name | None = None
    mode: CreateEnvironmentModeEnum | None = None


class CloneEnvironmentRequest(Schema):
    name: Name
    cluster_id: uuid.UUID | None = None
    mode: EnvironmentModeEnum | None = None
    apply_deployment_rule: bool = False
    project_id: uuid.UUID | None = None


class EnvironmentCloudProvider(Schema):
    provider: str
    cluster: str


class Environment(BaseRecord):
    name: str
    organization: ReferenceObject
    project: ReferenceObject
    last_updated_by: uuid.UUID | None = None
    cloud_provider: EnvironmentCloudProvider
    mode: EnvironmentModeEnum
    cluster_id: uuid.UUID
    cluster_name: str
    expires_at: datetime | None = None


class EnvironmentResponseList(Schema):
    results: list[Environment]


class StateEnum(StrEnum):
    READY = "READY"


class EnvironmentDeploymentStatusEnum(StrEnum):
    NEVER_DEPLOYED = "NEVER_DEPLOYED"
    UP_TO_DATE = "UP_TO_DATE"
    OUT_OF_DATE = "OUT_OF_DATE"


class EnvironmentStatus(Schema):
    id: uuid.UUID
    state: StateEnum
    last_deployment_date: datetime | None = None
    last_deployment_state: StateEnum
    last_deployment_id: str | None = None
    total_deployment_duration_in_seconds: int | None = None
    deployment_status: EnvironmentDeploymentStatusEnum
    deployment_request_id: uuid.UUID | None = None
    metrics: list[dict[str, object]] | None = Field(default=None)


class EnvironmentStatusList(Schema):
    results: list[EnvironmentStatus]
