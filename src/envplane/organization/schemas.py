import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, Field, computed_field

from envplane.auth.roles import Role
from envplane.core.schemas import BaseRecord, Description, Name, Schema


class PlanEnum(StrEnum):
    FREE = "FREE"
    TEAM = "TEAM"
    TEAM_YEARLY = "TEAM_YEARLY"
    ENTERPRISE = "ENTERPRISE"
    ENTERPRISE_YEARLY = "ENTERPRISE_YEARLY"
    PROFESSIONAL = "PROFESSIONAL"
    BUSINESS = "BUSINESS"
    USER_2025 = "USER_2025"
    TEAM_2025 = "TEAM_2025"
    BUSINESS_2025 = "BUSINESS_2025"
    ENTERPRISE_2025 = "ENTERPRISE_2025"


class OrganizationEditRequest(Schema):
    name: Name
    description: str | None = None
    website_url: str | None = None
    repository: str | None = None
    logo_url: str | None = None
    icon_url: str | None = None
    admin_emails: list[EmailStr] | None = None
    # Listed as required by the official document but missing from its
    # properties; taken when sent, so either reading of the document works.
    plan: PlanEnum | None = None


class OrganizationRequest(OrganizationEditRequest):
    plan: PlanEnum


class OrganizationPlan(Schema):
    plan: PlanEnum


class Organization(BaseRecord):
    name: str
    description: str | None = None
    plan: PlanEnum
    website_url: str | None = None
    repository: str | None = None
    logo_url: str | None = None
    icon_url: str | None = None
    admin_emails: list[str] | None = None
    owner: uuid.UUID = Field(validation_alias="owner_id")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def organization_plan(self) -> OrganizationPlan:
        return OrganizationPlan(plan=self.plan)


class OrganizationResponseList(Schema):
    results: list[Organization]


class OrganizationApiTokenScope(StrEnum):
    ADMIN = "ADMIN"


class OrganizationApiTokenCreateRequest(Schema):
    name: Name
    description: Description | None = None
    scope: OrganizationApiTokenScope | None = Field(default=None, deprecated=True)
    role_id: uuid.UUID | None


class OrganizationApiToken(BaseRecord):
    name: str
    description: str | None = None
    role_name: Role
    role_id: uuid.UUID


class OrganizationApiTokenCreate(OrganizationApiToken):
    token: str


class OrganizationApiTokenResponseList(Schema):
    results: list[OrganizationApiToken]


class OrganizationAvailableRole(Schema):
    id: uuid.UUID
    name: Role


class OrganizationAvailableRoleList(Schema):
    results: list[OrganizationAvailableRole]


class Member(BaseRecord):
    name: str | None = None
    nickname: str | None = None
    email: str
    role: Role
    role_name: Role
    role_id: uuid.UUID
    last_activity_at: datetime | None = None


class MemberResponseList(Schema):
    results: list[Member]
