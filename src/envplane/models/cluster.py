import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class Cluster(RecordMixin, Base):
    """A Kubernetes cluster environments run on. The fields the API only stores and
    echoes (node counts, disk, features, ...) live in ``settings``."""

    __tablename__ = "clusters"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    region: Mapped[str] = mapped_column(String(255))
    cloud_provider: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
