import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base, RecordMixin


class DeploymentStage(RecordMixin, Base):
    """An ordered group of an environment's services, deployed together."""

    __tablename__ = "deployment_stages"

    environment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("environments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # Position within the environment, from 0; kept dense by the stage service.
    position: Mapped[int] = mapped_column(Integer)


Index(
    "uq_deployment_stages_environment_id_name",
    DeploymentStage.environment_id,
    func.lower(DeploymentStage.name),
    unique=True,
)
