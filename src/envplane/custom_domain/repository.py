import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from envplane.models import CustomDomain, Environment, Project, Service


class CustomDomainRepository:
    def get_service(
        self, session: Session, service_id: uuid.UUID, *, kind: str
    ) -> Row[Service, uuid.UUID] | None:
        """The service of that id and kind, with its organization's id."""
        statement = (
            select(Service, Project.organization_id)
            .join(Environment, Environment.id == Service.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .where(Service.id == service_id, Service.kind == kind)
        )
        return session.execute(statement).one_or_none()

    def list_by_service(
        self, session: Session, service_id: uuid.UUID
    ) -> Sequence[CustomDomain]:
        statement = (
            select(CustomDomain)
            .where(CustomDomain.service_id == service_id)
            .order_by(CustomDomain.created_at, CustomDomain.id)
        )
        return session.scalars(statement).all()

    def get_by_id(
        self, session: Session, custom_domain_id: uuid.UUID
    ) -> CustomDomain | None:
        return session.get(CustomDomain, custom_domain_id)

    def get_holder(
        self,
        session: Session,
        organization_id: uuid.UUID,
        domain: str,
        *,
        other_than: uuid.UUID | None,
    ) -> Row[Service, Environment] | None:
        """The service of the organization, and its environment, that already
        has ``domain`` (in any case), other than in custom domain ``other_than``."""
        conditions = [
            Project.organization_id == organization_id,
            func.lower(CustomDomain.domain) == domain.lower(),
        ]
        if other_than is not None:
            conditions.append(CustomDomain.id != other_than)
        statement = (
            select(Service, Environment)
            .join(CustomDomain, CustomDomain.service_id == Service.id)
            .join(Environment, Environment.id == Service.environment_id)
            .join(Project, Project.id == Environment.project_id)
            .where(*conditions)
            .limit(1)
        )
        return session.execute(statement).first()


custom_domain_repository = CustomDomainRepository()
