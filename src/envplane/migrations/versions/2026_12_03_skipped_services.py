"""services skipped by their deployment stage

Revision ID: 8c4e2f6a9d31
Revises: 15a80b3d1204
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c4e2f6a9d31"
down_revision: str | None = "15a80b3d1204"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, which SQLite supports: a batch rebuild of the table
    # would drop its expression index on names.
    op.add_column(
        "services",
        sa.Column(
            "is_skipped", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("services", "is_skipped")
