import uuid

from fastapi import status

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import CipherDep, SessionDep
from envplane.core.routing import APIRouter
from envplane.environment.repository import EnvironmentRecord
from envplane.environment.schemas import (
    CloneEnvironmentRequest,
    CreateEnvironmentRequest,
    Environment,
    EnvironmentEditRequest,
    EnvironmentResponseList,
    EnvironmentStatus,
    EnvironmentStatusList,
)
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
    records = service.list(session, principal, projectId)
    return EnvironmentResponseList(results=[_environment(r) for r in records])


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
    view = service.create(session, principal, projectId, request=request)
    return _environment(view.record)


@router.get(
    "/project/{projectId}/environment/status",
    response_model=EnvironmentStatusList,
    tags=["Environments"],
)
def get_project_environments_status(
    projectId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EnvironmentStatusList:
    """List environments statuses."""
    records = service.list(session, principal, projectId)
    return EnvironmentStatusList(results=[never_deployed(r.id) for r in records])


@router.get(
    "/environment/{environmentId}",
    response_model=Environment,
    tags=["Environment Main Calls"],
)
def get_environment(
    environmentId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Environment:
    """Get environment by ID."""
    return _environment(service.read(session, principal, environmentId))


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
    return _environment(view.record)


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
    return never_deployed(service.read(session, principal, environmentId).id)


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
    return _environment(view.record)


def _environment(record: EnvironmentRecord) -> Environment:
    return Environment.model_validate(
        {
            "id": record.id,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "name": record.name,
            "organization": {"id": record.organization_id},
            "project": {"id": record.project_id},
            "last_updated_by": record.last_updated_by,
            "cloud_provider": {
                "provider": record.cloud_provider.lower(),
                "cluster": record.region,
            },
            "mode": record.mode,
            "cluster_id": record.cluster_id,
            "cluster_name": record.cluster_name,
        }
    )
