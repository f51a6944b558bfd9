import uuid

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class Variable(RecordMixin, Base):
    """A variable or a secret at any scope.

    ``owner_id`` is the id of whatever the entry belongs to (a project, an
    environment, a service), so a scope's entries and everything it inherits are
    found with one ``owner_id IN (...)``. Secret values are stored encrypted.
    Aliases and overrides point at the entry they derive from through
    ``parent_id``; an alias has no value of its own.
    """

    __tablename__ = "variables"
    # Built-in entries have a scope of their own, so an owner can override one
    # of its own built-ins under the same key.
    __table_args__ = (UniqueConstraint("owner_id", "scope", "key"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scope: Mapped[str] = mapped_column(String(16))
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    environment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE"), index=True, default=None
    )
    # The service an entry belongs to: service-scope entries, and the built-ins
    # envplane generates for a service (owned by its environment, so that every
    # service of the environment sees them).
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True, default=None
    )
    is_secret: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str | None] = mapped_column(Text, default=None)
    variable_type: Mapped[str] = mapped_column(String(16))
    mount_path: Mapped[str | None] = mapped_column(Text, default=None)
    description: Mapped[str | None] = mapped_column(String(255), default=None)
    enable_interpolation_in_file: Mapped[bool | None] = mapped_column(
        Boolean, default=None
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("variables.id", ondelete="CASCADE"), index=True, default=None
    )
