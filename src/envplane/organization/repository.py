import uuid
from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from envplane.models import ApiToken, Membership, Organization, User


class OrganizationRepository:
    def get_by_id(
        self, session: Session, organization_id: uuid.UUID
    ) -> Organization | None:
        return session.get(Organization, organization_id)

    def list_for_user(
        self, session: Session, user_id: uuid.UUID
    ) -> Sequence[Organization]:
        statement = (
            select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user_id)
            .order_by(Organization.created_at, Organization.id)
        )
        return session.scalars(statement).all()

    def list_members(
        self, session: Session, organization_id: uuid.UUID
    ) -> Sequence[Row[User, Membership]]:
        statement = (
            select(User, Membership)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization_id)
            .order_by(Membership.created_at, User.id)
        )
        return session.execute(statement).all()

    def list_api_tokens(
        self,
        session: Session,
        organization_id: uuid.UUID,
        *,
        name: str | None,
        creator_name: str | None,
    ) -> Sequence[ApiToken]:
        statement = select(ApiToken).where(ApiToken.organization_id == organization_id)
        if name:
            statement = statement.where(ApiToken.name.icontains(name, autoescape=True))
        if creator_name:
            creators = select(User.id).where(
                User.name.icontains(creator_name, autoescape=True)
                | User.email.icontains(creator_name, autoescape=True)
            )
            statement = statement.where(ApiToken.created_by.in_(creators))
        return session.scalars(
            statement.order_by(ApiToken.created_at, ApiToken.id)
        ).all()

    def get_api_token(
        self, session: Session, organization_id: uuid.UUID, token_id: uuid.UUID
    ) -> ApiToken | None:
        token = session.get(ApiToken, token_id)
        if token is None or token.organization_id != organization_id:
            return None
        return token


organization_repository = OrganizationRepository()
