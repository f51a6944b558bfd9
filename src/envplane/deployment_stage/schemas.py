import uuid

from envplane.core.schemas import BaseRecord, Name, ReferenceObject, Schema


class DeploymentStageRequest(Schema):
    name: Name
    description: str | None = None


class AttachServiceToDeploymentStageRequest(Schema):
    """The body of AttachServiceToDeploymentStage, which the document leaves
    unnamed."""

    is_skipped: bool | None = None


class DeploymentStageServiceResponse(BaseRecord):
    service_id: uuid.UUID
    service_type: str
    is_skipped: bool


class DeploymentStageResponse(BaseRecord):
    environment: ReferenceObject
    name: str
    description: str | None = None
    deployment_order: int
    services: list[DeploymentStageServiceResponse]


class DeploymentStageResponseList(Schema):
    results: list[DeploymentStageResponse]
