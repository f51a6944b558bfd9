"""Turning credentials into a principal, and deciding what the principal may do."""

import threading
import uuid

from cachetools import LRUCache
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from envplane.auth.principal import Principal
from envplane.auth.roles import Permission, Role
from envplane.auth.tokens import JwtAuthority, digest_api_token
from envplane.core.errors import Forbidden, NotAuthenticated, NotFound
from envplane.models import ApiToken, Membership, Project, User


class KnownUsers:
    """Which user each token identity (issuer and subject) belongs to, kept
    once the user's row is known to be committed, so that a request with a
    verified token need not look it up again. A user's row keeps its id and is
    never deleted, so an entry cannot go stale. Shared by a process's threads;
    the least recently used identities make room for new ones."""

    def __init__(self, capacity: int = 10_000):
        self._ids: LRUCache[tuple[str, str], uuid.UUID] = LRUCache(capacity)
        self._lock = threading.Lock()

    def get(self, issuer: str, subject: str) -> uuid.UUID | None:
        with self._lock:
            return self._ids.get((issuer, subject))

    def remember(self, issuer: str, subject: str, user_id: uuid.UUID) -> None:
        with self._lock:
            self._ids[issuer, subject] = user_id


class AuthService:
    def authenticate(
        self,
        session: Session,
        *,
        authorization: str | None,
        jwt_authority: JwtAuthority,
        known_users: KnownUsers,
    ) -> Principal:
        if not authorization:
            raise NotAuthenticated(
                "send 'Authorization: Bearer <jwt>' "
                "or 'Authorization: Token <api token>'"
            )
        scheme, credentials = _parsed(authorization)
        if scheme == "bearer" and credentials:
            return self._from_jwt(session, credentials, jwt_authority, known_users)
        if scheme == "token" and credentials:
            return self._from_api_token(session, credentials)
        raise NotAuthenticated("the Authorization scheme must be 'Bearer' or 'Token'")

    def recognize(
        self,
        *,
        authorization: str | None,
        jwt_authority: JwtAuthority,
        known_users: KnownUsers,
    ) -> Principal | None:
        """The caller, if its bearer token was verified already and its user
        is known: the common case, answered from memory alone, so safe on the
        event loop. ``None`` means ``authenticate`` must decide."""
        scheme, credentials = _parsed(authorization or "")
        if scheme != "bearer":
            return None
        identity = jwt_authority.recall(credentials)
        if identity is None:
            return None
        user_id = known_users.get(identity.issuer, identity.subject)
        return Principal(user_id=user_id) if user_id is not None else None

    def local_user(
        self, session: Session, *, email: str, issuer: str, name: str | None = None
    ) -> User:
        """The user envplane itself issues tokens for, created on first use."""
        email = email.strip().lower()
        user = session.scalar(
            select(User).where(User.issuer == issuer, User.email == email)
        )
        if user is None:
            user = User(issuer=issuer, subject="", email=email, name=name)
            session.add(user)
            session.flush()
            user.subject = str(user.id)
            session.flush()
        return user

    def _from_jwt(
        self,
        session: Session,
        token: str,
        authority: JwtAuthority,
        known_users: KnownUsers,
    ) -> Principal:
        identity = authority.verify(token)
        known = known_users.get(identity.issuer, identity.subject)
        if known is not None:
            return Principal(user_id=known)
        user = session.scalar(
            select(User).where(
                User.issuer == identity.issuer, User.subject == identity.subject
            )
        )
        if user is None:
            if not identity.email:
                raise NotAuthenticated("bearer token has no 'email' claim")
            user = User(
                issuer=identity.issuer,
                subject=identity.subject,
                email=identity.email,
                name=identity.name,
            )
            # Not remembered yet: this transaction may still roll back.
            session.add(user)
            session.flush()
        else:
            known_users.remember(identity.issuer, identity.subject, user.id)
        return Principal(user_id=user.id)

    def _from_api_token(self, session: Session, token: str) -> Principal:
        api_token = session.scalar(
            select(ApiToken).where(ApiToken.token_digest == digest_api_token(token))
        )
        if api_token is None:
            raise NotAuthenticated("API token is unknown or has been revoked")
        return Principal(
            user_id=api_token.created_by,
            token_organization_id=api_token.organization_id,
            token_role=Role(api_token.role),
        )

    def role_in(
        self, session: Session, principal: Principal, organization_id: uuid.UUID
    ) -> Role | None:
        if principal.is_token:
            return self._role_of(principal, organization_id, membership_role=None)
        role = session.scalar(
            select(Membership.role).where(
                Membership.organization_id == organization_id,
                Membership.user_id == principal.user_id,
            )
        )
        return self._role_of(principal, organization_id, membership_role=role)

    def _role_of(
        self,
        principal: Principal,
        organization_id: uuid.UUID,
        *,
        membership_role: str | None,
    ) -> Role | None:
        """The caller's role in the organization, given the role of the user's
        membership there (``None`` without one)."""
        if principal.is_token:
            if principal.token_organization_id != organization_id:
                return None
            return principal.token_role
        return Role(membership_role) if membership_role is not None else None

    def authorize(
        self,
        session: Session,
        principal: Principal,
        organization_id: uuid.UUID,
        permission: Permission,
        *,
        resource: tuple[str, object],
    ) -> Role:
        """The caller's role, if it allows ``permission``."""
        role = self.role_in(session, principal, organization_id)
        return self._permit(role, permission, resource=resource)

    def authorize_member(
        self,
        principal: Principal,
        organization_id: uuid.UUID,
        permission: Permission,
        *,
        membership_role: str | None,
        resource: tuple[str, object],
    ) -> Role:
        """``authorize`` for a hot read that fetched the role of the user's
        membership (``None`` without one) with the resource itself, rather
        than in a statement of its own."""
        role = self._role_of(
            principal, organization_id, membership_role=membership_role
        )
        return self._permit(role, permission, resource=resource)

    def _permit(
        self, role: Role | None, permission: Permission, *, resource: tuple[str, object]
    ) -> Role:
        """``role``, if it allows ``permission``.

        Outsiders are told the resource does not exist, so that ids of other
        organizations reveal nothing.
        """
        if role is None:
            raise NotFound.resource(*resource)
        if not permission.allows(role):
            raise Forbidden(
                f"your role {role.value} does not allow this on {resource[0]} "
                f"{resource[1]}; it needs {_lowest_role(permission).value} or above"
            )
        return role


def _parsed(authorization: str) -> tuple[str, str]:
    """An Authorization header's scheme, in lower case, and its credentials."""
    scheme, _, credentials = authorization.partition(" ")
    return scheme.lower(), credentials.strip()


# Join condition for a read that fetches the caller's membership role with
# the resource (see ``AuthService.authorize_member``): the membership of the
# user bound as ``user_id`` in the organization of the joined project.
CALLER_MEMBERSHIP = and_(
    Membership.organization_id == Project.organization_id,
    Membership.user_id == bindparam("user_id"),
)


def _lowest_role(permission: Permission) -> Role:
    return min((role for role in Role if permission.allows(role)), key=lambda r: r.rank)


auth_service = AuthService()
