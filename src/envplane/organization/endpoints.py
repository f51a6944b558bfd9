import uuid

from fastapi import Query, status

from envplane.auth.dependencies import PrincipalDep
from envplane.auth.roles import Role
from envplane.core.dependencies import SessionDep
from envplane.core.routing import APIRouter
from envplane.models import ApiToken
from envplane.models import Organization as OrganizationModel
from envplane.organization.schemas import (
    MemberResponseList,
    Organization,
    OrganizationApiToken,
    OrganizationApiTokenCreate,
    OrganizationApiTokenCreateRequest,
    OrganizationApiTokenResponseList,
    OrganizationAvailableRole,
    OrganizationAvailableRoleList,
    OrganizationEditRequest,
    OrganizationRequest,
    OrganizationResponseList,
)
from envplane.organization.service import organization_service as service

router = APIRouter(tags=["Organization Main Calls"])


@router.get("/organization", response_model=OrganizationResponseList)
def list_organization(
    session: SessionDep, principal: PrincipalDep
) -> OrganizationResponseList:
    """List user organizations."""
    organizations = service.list(session, principal)
    return OrganizationResponseList(results=[_organization(o) for o in organizations])


@router.post(
    "/organization", status_code=status.HTTP_201_CREATED, response_model=Organization
)
def create_organization(
    request: OrganizationRequest, session: SessionDep, principal: PrincipalDep
) -> Organization:
    """Create an organization; the caller becomes its owner."""
    return _organization(service.create(session, principal, request=request))


@router.get("/organization/{organizationId}", response_model=Organization)
def get_organization(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Organization:
    """Get organization by ID."""
    return _organization(service.get(session, principal, organizationId))


@router.put("/organization/{organizationId}", response_model=Organization)
def edit_organization(
    organizationId: uuid.UUID,
    request: OrganizationEditRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> Organization:
    """Edit an organization."""
    organization = service.update(session, principal, organizationId, request=request)
    return _organization(organization)


@router.delete("/organization/{organizationId}", status_code=status.HTTP_204_NO_CONTENT)
def delete_organization(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> None:
    """Delete an organization and everything in it."""
    service.delete(session, principal, organizationId)


@router.get(
    "/organization/{organizationId}/availableRole",
    response_model=OrganizationAvailableRoleList,
)
def list_organization_available_roles(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> OrganizationAvailableRoleList:
    """List organization available roles."""
    service.get(session, principal, organizationId)
    return OrganizationAvailableRoleList(
        results=[OrganizationAvailableRole(id=role.id, name=role) for role in Role]
    )


@router.get(
    "/organization/{organizationId}/member",
    response_model=MemberResponseList,
    tags=["Members"],
)
def get_organization_members(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> MemberResponseList:
    """Get organization members."""
    return MemberResponseList(
        results=service.list_members(session, principal, organizationId)
    )


@router.get(
    "/organization/{organizationId}/apiToken",
    response_model=OrganizationApiTokenResponseList,
    tags=["Organization Api Token"],
)
def list_organization_api_tokens(
    organizationId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    name: str | None = None,
    creatorName: str | None = Query(default=None),
) -> OrganizationApiTokenResponseList:
    """List organization api tokens."""
    tokens = service.list_api_tokens(
        session, principal, organizationId, name=name, creator_name=creatorName
    )
    return OrganizationApiTokenResponseList(results=[_api_token(t) for t in tokens])


@router.post(
    "/organization/{organizationId}/apiToken",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationApiTokenCreate,
    tags=["Organization Api Token"],
)
def create_organization_api_token(
    organizationId: uuid.UUID,
    request: OrganizationApiTokenCreateRequest,
    session: SessionDep,
    principal: PrincipalDep,
) -> OrganizationApiTokenCreate:
    """Create an organization api token; its value is shown in this answer only."""
    token, clear_token = service.create_api_token(
        session, principal, organizationId, request=request
    )
    return OrganizationApiTokenCreate(
        **_api_token(token).model_dump(), token=clear_token
    )


@router.delete(
    "/organization/{organizationId}/apiToken/{apiTokenId}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["Organization Api Token"],
)
def delete_organization_api_token(
    organizationId: uuid.UUID,
    apiTokenId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> None:
    """Delete (revoke) an organization api token."""
    service.delete_api_token(session, principal, organizationId, apiTokenId)


def _organization(organization: OrganizationModel) -> Organization:
    return Organization.model_validate(organization)


def _api_token(token: ApiToken) -> OrganizationApiToken:
    role = Role(token.role)
    return OrganizationApiToken(
        id=token.id,
        created_at=token.created_at,
        updated_at=token.updated_at,
        name=token.name,
        description=token.description,
        role_name=role,
        role_id=role.id,
    )
