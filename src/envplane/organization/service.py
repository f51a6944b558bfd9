from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission, Role
from envplane.auth.service import auth_service
from envplane.auth.tokens import digest_api_token, new_api_token
from envplane.core.database import violates
from envplane.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from envplane.core.logging import get_logger
from envplane.models import ApiToken, Environment, Membership, Organization, Project
from envplane.organization.repository import organization_repository as repository
from envplane.organization.schemas import (
    Member,
    OrganizationApiTokenCreateRequest,
    OrganizationEditRequest,
    OrganizationRequest,
)

log = get_logger(__name__)


class OrganizationService:
    def list(self, session: Session, principal: Principal) -> Sequence[Organization]:
        if principal.is_token:
            assert principal.token_organization_id is not None
            organization = repository.get_by_id(
                session, principal.token_organization_id
            )
            return [organization] if organization else []
        return repository.list_for_user(session, principal.user_id)

    def get(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        permission: Permission = Permission.READ,
    ) -> Organization:
        organization = repository.get_by_id(session, organization_id)
        if organization is None:
            raise NotFound.resource("organization", organization_id)
        auth_service.authorize(
            session,
            principal,
            organization_id,
            permission,
            resource=("organization", organization_id),
        )
        return organization

    def create(
        self, session: Session, principal: Principal, *, request: OrganizationRequest
    ) -> Organization:
        if principal.is_token:
            raise Forbidden(
                "API tokens act inside their organization; use a user token"
            )
        organization = Organization(
            **request.model_dump(exclude={"admin_emails"}),
            admin_emails=_emails(request),
            owner_id=principal.user_id,
        )
        session.add(organization)
        self._flush_name(session, request.name)
        session.add(
            Membership(
                organization_id=organization.id,
                user_id=principal.user_id,
                role=Role.OWNER,
            )
        )
        session.flush()
        log.info("organization.created", organization_id=str(organization.id))
        return organization

    def update(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        request: OrganizationEditRequest,
    ) -> Organization:
        organization = self.get(
            session, principal, organization_id, permission=Permission.MANAGE
        )
        changes = request.model_dump(exclude={"admin_emails", "plan"})
        for field, value in changes.items():
            setattr(organization, field, value)
        organization.admin_emails = _emails(request)
        if request.plan is not None:
            organization.plan = request.plan
        self._flush_name(session, request.name)
        log.info("organization.updated", organization_id=str(organization_id))
        return organization

    def delete(
        self, session: Session, principal: Principal, organization_id: uuid.UUID
    ) -> None:
        organization = self.get(
            session, principal, organization_id, permission=Permission.MANAGE
        )

        # Environments first: the database cascades from the organization to
        # its clusters and its projects in no set order, and a cluster cannot go
        # while environments still run on it.
        projects = select(Project.id).where(Project.organization_id == organization_id)
        session.execute(delete(Environment).where(Environment.project_id.in_(projects)))
        session.delete(organization)
        session.flush()
        log.info("organization.deleted", organization_id=str(organization_id))

    def list_members(
        self, session: Session, principal: Principal, organization_id: uuid.UUID
    ) -> builtins.list[Member]:
        self.get(session, principal, organization_id)
        return [
            Member(
                id=user.id,
                created_at=membership.created_at,
                name=user.name,
                email=user.email,
                role=Role(membership.role),
                role_name=Role(membership.role),
                role_id=Role(membership.role).id,
            )
            for user, membership in repository.list_members(session, organization_id)
        ]

    def list_api_tokens(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        name: str | None,
        creator_name: str | None,
    ) -> Sequence[ApiToken]:
        self.get(session, principal, organization_id, permission=Permission.MANAGE)
        return repository.list_api_tokens(
            session, organization_id, name=name, creator_name=creator_name
        )

    def create_api_token(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        request: OrganizationApiTokenCreateRequest,
    ) -> tuple[ApiToken, str]:
        """A new token and its clear value, which is shown this once only."""
        caller_role = auth_service.authorize(
            session,
            principal,
            organization_id,
            Permission.MANAGE,
            resource=("organization", organization_id),
        )
        role = _token_role(request)
        if role.rank > caller_role.rank:
            raise Forbidden(f"a {caller_role.value} cannot create a {role.value} token")

        clear_token = new_api_token()
        token = ApiToken(
            organization_id=organization_id,
            name=request.name,
            description=request.description,
            role=role,
            token_digest=digest_api_token(clear_token),
            created_by=principal.user_id,
        )
        session.add(token)
        try:
            session.flush()
        except IntegrityError as error:
            if violates(error, "uq_api_tokens_organization_id_name"):
                raise Conflict(
                    f"an API token named {request.name!r} already exists"
                ) from error
            raise
        log.info(
            "api_token.created",
            organization_id=str(organization_id),
            api_token_id=str(token.id),
            role=role.value,
        )
        return token, clear_token

    def delete_api_token(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        token_id: uuid.UUID,
    ) -> None:
        self.get(session, principal, organization_id, permission=Permission.MANAGE)
        token = repository.get_api_token(session, organization_id, token_id)
        if token is None:
            raise NotFound.resource("API token", token_id)

        session.delete(token)
        session.flush()
        log.info(
            "api_token.revoked",
            organization_id=str(organization_id),
            api_token_id=str(token_id),
        )

    def _flush_name(self, session: Session, name: str) -> None:
        try:
            session.flush()
        except IntegrityError as error:
            if violates(error, "uq_organizations_name"):
                raise Conflict(
                    f"organization name {name!r} is already taken"
                ) from error
            raise


def _emails(request: OrganizationEditRequest) -> list[str] | None:
    if request.admin_emails is None:
        return None
    return [str(email) for email in request.admin_emails]


def _token_role(request: OrganizationApiTokenCreateRequest) -> Role:
    if request.role_id is None:
        # The deprecated ``scope`` field only ever meant ADMIN.
        if request.scope is not None:
            return Role.ADMIN
        raise InvalidInput.field(
            ("body", "role_id"),
            "choose a role id from GET /organization/{id}/availableRole",
        )
    role = Role.from_id(request.role_id)
    if role is None:
        raise InvalidInput.field(("body", "role_id"), "unknown role id")
    if role is Role.OWNER:
        raise InvalidInput.field(
            ("body", "role_id"), "a token cannot hold the OWNER role"
        )
    return role


organization_service = OrganizationService()
