"""clone pairs ids in a temporary table of its own connection

Revision ID: 4d2b7e91c0a5
Revises: 980b35bac349
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4d2b7e91c0a5"
down_revision: str | None = "980b35bac349"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("clone_id_map")


def downgrade() -> None:
    op.create_table(
        "clone_id_map",
        sa.Column("clone_id", sa.Uuid(), nullable=False),
        sa.Column("old_id", sa.Uuid(), nullable=False),
        sa.Column("new_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("clone_id", "old_id", name=op.f("pk_clone_id_map")),
    )
