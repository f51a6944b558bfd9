import uuid

from fastapi import status

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import CipherDep, SessionDep
from envplane.core.routing import APIRouter
from envplane.environment.schemas import (
    CloneEnvironmentRequest,
    CreateEnvironmentRequest,
    Environment,
    EnvironmentEditRequest,
    EnvironmentResponseList,
    EnvironmentStatus,
    EnvironmentStatusList,
)
from envplane.environment.service import EnvironmentView
from envplane.environment.service import environment_service as service
from envplane.environment.status import never_deployed

router = APIRouter()


@router.get(
    "/project/{projectId}/environment",
    response_model=EnvironmentResponseList,
    tags=["Environments"],
)
def list_environment(
    projectId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EnvironmentResponseList:
    """List environments."""
    views = service.list(session, principal, projectId)
    return EnvironmentResponseList(results=[_environment(view) for view in views])


@router.post(
    "/project/{projectId}/environment",
    status_code=status.HTTP_201_CREATED,
    response_model=Environment,
    tags=["Environments"],
)
def create_environment(
    projectId: uuid.UUID,
    request: CreateEnvironmentRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> Environment:
    """Create an environment."""
    return _environment(service.create(session, principal, projectId, request=request))


@router.get(
    "/project/{projectId}/environment/status",
    response_model=EnvironmentStatusList,
    tags=["Environments"],
)
def get_project_environments_status(
    projectId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EnvironmentStatusList:
    """List environments statuses."""
    views = service.list(session, principal, projectId)
    return EnvironmentStatusList(
        results=[never_deployed(view.environment.id) for view in views]
    )


@router.get(
    "/environment/{environmentId}",
    response_model=Environment,
    tags=["Environment Main Calls"],
)
def get_environment(
    environmentId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Environment:
    """Get environment by ID."""
    return _environment(service.get(session, principal, environmentId))


@router.put(
    "/environment/{environmentId}",
    response_model=Environment,
    tags=["Environment Main Calls"],
)
def edit_environment(
    environmentId: uuid.UUID,
    request: EnvironmentEditRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> Environment:
    """Edit an environment."""
    view = service.update(session, principal, environmentId, request=request)
    return _environment(view)


@router.delete(
    "/environment/{environmentId}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["Environment Main Calls"],
)
def delete_environment(
    environmentId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    skipReconcile: bool = False,
) -> None:
    """Delete an environment with its variables and secrets."""
    service.delete(session, principal, environmentId)


@router.get(
    "/environment/{environmentId}/status",
    response_model=EnvironmentStatus,
    tags=["Environment Main Calls"],
)
def get_environment_status(
    environmentId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EnvironmentStatus:
    """Get environment status."""
    view = service.get(session, principal, environmentId)
    return never_deployed(view.environment.id)


@router.post(
    "/environment/{environmentId}/clone",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Environment,
    tags=["Environment Actions"],
    responses={409: {"description": "The name is already taken in the project"}},
)
def clone_environment(
    environmentId: uuid.UUID,
    request: CloneEnvironmentRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> Environment:
    """Clone an environment's whole configuration into a new environment."""
    view = service.clone(
        session, principal, environmentId, request=request, cipher=cipher
    )
    return _environment(view)


def _environment(view: EnvironmentView) -> Environment:
    environment, cluster = view.environment, view.cluster
    return Environment.model_validate(
        {
            "id": environment.id,
            "created_at": environment.created_at,
            "updated_at": environment.updated_at,
            "name": environment.name,
            "organization": {"id": view.project.organization_id},
            "project": {"id": view.project.id},
            "last_updated_by": environment.last_updated_by,
            "cloud_provider": {
                "provider": cluster.cloud_provider.lower(),
                "cluster": cluster.region,
            },
            "mode": environment.mode,
            "cluster_id": cluster.id,
            "cluster_name": cluster.name,
        }
    )
