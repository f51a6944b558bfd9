import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class Service(RecordMixin, Base):
    """An application, container, database, job or helm chart of an environment.

    The five kinds share this table: ``kind`` says which, and ``configuration``
    holds everything but the name, as the kind's request model validated it.
    One table keeps clone generic: every service copies with one statement.
    """

    __tablename__ = "services"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deployment_stage_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("deployment_stages.id", ondelete="SET NULL"),
        index=True,
        default=None,
    )
    # Whether its stage's deployment leaves the service out; set when the service
    # is attached to a stage.
    is_skipped: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


# Names are unique within an environment across all kinds, whatever their case:
# built-in variable keys are derived from them.
Index(
    "uq_services_environment_id_name",
    Service.environment_id,
    func.lower(Service.name),
    unique=True,
)
