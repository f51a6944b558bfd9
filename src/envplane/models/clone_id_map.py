import uuid

from sqlalchemy import Uuid
from sqlalchemy.orm import Mapped, mapped_column

from envplane.models.base import Base


class CloneIdMap(Base):
    """Scratch rows pairing each copied row's id with its copy's id during one
    clone. A clone writes and deletes its own rows inside its transaction, so no
    other transaction ever sees them."""

    __tablename__ = "clone_id_map"

    clone_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    old_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    new_id: Mapped[uuid.UUID] = mapped_column(Uuid)
