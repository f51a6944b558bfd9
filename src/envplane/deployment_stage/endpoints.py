import uuid

from fastapi import status

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import SessionDep
from envplane.core.routing import APIRouter
from envplane.deployment_stage.schemas import (
    AttachServiceToDeploymentStageRequest,
    DeploymentStageRequest,
    DeploymentStageResponse,
    DeploymentStageResponseList,
)
from envplane.deployment_stage.service import StageView
from envplane.deployment_stage.service import deployment_stage_service as service

router = APIRouter(tags=["Deployment Stage Main Calls"])


@router.get(
    "/environment/{environmentId}/deploymentStage",
    response_model=DeploymentStageResponseList,
    operation_id="ListEnvironmentDeploymentStage",
)
def list_environment_deployment_stage(
    environmentId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DeploymentStageResponseList:
    """List environment deployment stage."""
    return _stages(service.list(session, principal, environmentId))


@router.post(
    "/environment/{environmentId}/deploymentStage",
    response_model=DeploymentStageResponse,
    operation_id="CreateEnvironmentDeploymentStage",
)
def create_environment_deployment_stage(
    environmentId: uuid.UUID,
    request: DeploymentStageRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> DeploymentStageResponse:
    """Create a deployment stage, last in the environment's order."""
    view = service.create(session, principal, environmentId, request=request)
    return _stage(view)


@router.get(
    "/deploymentStage/{deploymentStageId}",
    response_model=DeploymentStageResponse,
    operation_id="getDeploymentStage",
)
def get_deployment_stage(
    deploymentStageId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DeploymentStageResponse:
    """Get deployment stage."""
    return _stage(service.get(session, principal, deploymentStageId))


@router.put(
    "/deploymentStage/{deploymentStageId}",
    response_model=DeploymentStageResponse,
    operation_id="EditDeploymentStage",
)
def edit_deployment_stage(
    deploymentStageId: uuid.UUID,
    request: DeploymentStageRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> DeploymentStageResponse:
    """Edit deployment stage."""
    view = service.update(session, principal, deploymentStageId, request=request)
    return _stage(view)


@router.delete(
    "/deploymentStage/{deploymentStageId}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="DeleteDeploymentStage",
)
def delete_deployment_stage(
    deploymentStageId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> None:
    """Delete an empty deployment stage."""
    service.delete(session, principal, deploymentStageId)


@router.put(
    "/deploymentStage/{deploymentStageId}/service/{serviceId}",
    response_model=DeploymentStageResponseList,
    operation_id="AttachServiceToDeploymentStage",
)
def attach_service_to_deployment_stage(
    deploymentStageId: uuid.UUID,
    serviceId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    request: AttachServiceToDeploymentStageRequest | None = None,
) -> DeploymentStageResponseList:
    """Move a service to a deployment stage; answer the environment's stages."""
    views = service.attach_service(
        session,
        principal,
        deploymentStageId,
        serviceId,
        request=request or AttachServiceToDeploymentStageRequest(),
    )
    return _stages(views)


@router.put(
    "/deploymentStage/{deploymentStageId}/moveBefore/{stageId}",
    response_model=DeploymentStageResponseList,
    operation_id="MoveBeforeDeploymentStage",
)
def move_before_deployment_stage(
    deploymentStageId: uuid.UUID,
    stageId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> DeploymentStageResponseList:
    """Move deployment stage before requested stage."""
    views = service.move(session, principal, deploymentStageId, stageId, after=False)
    return _stages(views)


@router.put(
    "/deploymentStage/{deploymentStageId}/moveAfter/{stageId}",
    response_model=DeploymentStageResponseList,
    operation_id="MoveAfterDeploymentStage",
)
def move_after_deployment_stage(
    deploymentStageId: uuid.UUID,
    stageId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> DeploymentStageResponseList:
    """Move deployment stage after requested stage."""
    views = service.move(session, principal, deploymentStageId, stageId, after=True)
    return _stages(views)


@router.get(
    "/service/{serviceId}/deploymentStage",
    response_model=DeploymentStageResponse,
    operation_id="getServiceDeploymentStage",
)
def get_service_deployment_stage(
    serviceId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DeploymentStageResponse:
    """Get the deployment stage a service is in."""
    return _stage(service.get_for_service(session, principal, serviceId))


def _stages(views: list[StageView]) -> DeploymentStageResponseList:
    return DeploymentStageResponseList(results=[_stage(view) for view in views])


def _stage(view: StageView) -> DeploymentStageResponse:
    stage = view.stage
    return DeploymentStageResponse.model_validate(
        {
            "id": stage.id,
            "created_at": stage.created_at,
            "updated_at": stage.updated_at,
            "environment": {"id": stage.environment_id},
            "name": stage.name,
            "description": stage.description,
            "deployment_order": stage.position,
            # Membership is a column of the service, not a record of its own:
            # the entry takes the service's id and dates.
            "services": [
                {
                    "id": member.id,
                    "created_at": member.created_at,
                    "updated_at": member.updated_at,
                    "service_id": member.id,
                    "service_type": member.kind,
                    "is_skipped": member.is_skipped,
                }
                for member in view.services
            ],
        }
    )
