import uuid
from typing import Any

from fastapi import status

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import SessionDep
from envplane.core.routing import APIRouter
from envplane.core.schemas import ReferenceObject
from envplane.project.schemas import Project, ProjectRequest, ProjectResponseList
from envplane.project.service import ProjectView
from envplane.project.service import project_service as service

router = APIRouter()

NAME_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"description": "Project name within the organization is already taken"}
}


@router.get(
    "/organization/{organizationId}/project",
    response_model=ProjectResponseList,
    tags=["Projects"],
)
def list_project(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ProjectResponseList:
    """List projects."""
    projects = service.list(session, principal, organizationId)
    return ProjectResponseList(results=[_project(view) for view in projects])


# The official document answers a creation with 200, not 201.
@router.post(
    "/organization/{organizationId}/project",
    status_code=status.HTTP_200_OK,
    response_model=Project,
    responses=NAME_TAKEN,
    tags=["Projects"],
)
def create_project(
    organizationId: uuid.UUID,
    request: ProjectRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> Project:
    """Create a project."""
    return _project(service.create(session, principal, organizationId, request=request))


@router.get("/project/{projectId}", response_model=Project, tags=["Project Main Calls"])
def get_project(
    projectId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Project:
    """Get project by ID."""
    return _project(service.get(session, principal, projectId))


@router.put(
    "/project/{projectId}",
    response_model=Project,
    responses=NAME_TAKEN,
    tags=["Project Main Calls"],
)
def edit_project(
    projectId: uuid.UUID,
    request: ProjectRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> Project:
    """Edit a project."""
    return _project(service.update(session, principal, projectId, request=request))


@router.delete(
    "/project/{projectId}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["Project Main Calls"],
)
def delete_project(
    projectId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> None:
    """Delete a project, with its environments and variables."""
    service.delete(session, principal, projectId)


def _project(view: ProjectView) -> Project:
    project = view.project
    return Project(
        id=project.id,
        created_at=project.created_at,
        updated_at=project.updated_at,
        name=project.name,
        description=project.description,
        associated_environments_count=view.environment_count,
        organization=ReferenceObject(id=project.organization_id),
    )
