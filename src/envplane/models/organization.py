import uuid

from sqlalchemy import JSON, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class Organization(RecordMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    plan: Mapped[str] = mapped_column(String(32))
    website_url: Mapped[str | None] = mapped_column(Text, default=None)
    repository: Mapped[str | None] = mapped_column(Text, default=None)
    logo_url: Mapped[str | None] = mapped_column(Text, default=None)
    icon_url: Mapped[str | None] = mapped_column(Text, default=None)
    admin_emails: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


Index("uq_organizations_name", func.lower(Organization.name), unique=True)
