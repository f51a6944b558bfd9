"""index environments by project in creation order

Revision ID: 980b35bac349
Revises: 8c4e2f6a9d31
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "980b35bac349"
down_revision: str | None = "8c4e2f6a9d31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX, which SQLite supports: a batch rebuild of the table
    # would drop its expression index on names.
    op.create_index(
        "ix_environments_project_id_created_at_id",
        "environments",
        ["project_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_environments_project_id_created_at_id", "environments")
