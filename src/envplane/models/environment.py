import uuid

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class Environment(RecordMixin, Base):
    __tablename__ = "environments"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE")
    )
    # No cascade: a cluster that still hosts environments cannot disappear under
    # them, even when one is created while the cluster is being deleted.
    cluster_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clusters.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str] = mapped_column(String(16))
    last_updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


# Names are unique per project whatever their case; the database enforces it so
# that two concurrent creates or clones cannot both win.
Index(
    "uq_environments_project_id_name",
    Environment.project_id,
    func.lower(Environment.name),
    unique=True,
)

# A project's environments are listed in creation order: this index finds them
# already in that order, so a project with thousands needs no sort.
Index(
    "ix_environments_project_id_created_at_id",
    Environment.project_id,
    Environment.created_at,
    Environment.id,
)
