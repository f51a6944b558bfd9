import uuid

from sqlalchemy import Boolean, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class CustomDomain(RecordMixin, Base):
    """A domain an application or container answers on. Never cloned: two
    environments cannot serve one domain."""

    __tablename__ = "custom_domains"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE")
    )
    domain: Mapped[str] = mapped_column(String(253))
    generate_certificate: Mapped[bool] = mapped_column(Boolean)
    use_cdn: Mapped[bool | None] = mapped_column(Boolean, default=None)


Index(
    "uq_custom_domains_service_id_domain",
    CustomDomain.service_id,
    func.lower(CustomDomain.domain),
    unique=True,
)
