"""built-in variables

Revision ID: 3f9a1c7d2b10
Revises: 6d025e963ea9
Create Date: 2026-12-03
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "3f9a1c7d2b10"
down_revision: str | None = "6d025e963ea9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

variables = sa.table(
    "variables",
    sa.column("id", sa.Uuid()),
    sa.column("owner_id", sa.Uuid()),
    sa.column("scope", sa.String()),
    sa.column("project_id", sa.Uuid()),
    sa.column("environment_id", sa.Uuid()),
    sa.column("is_secret", sa.Boolean()),
    sa.column("key", sa.String()),
    sa.column("value", sa.Text()),
    sa.column("variable_type", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("variables") as batch_op:
        batch_op.drop_constraint("uq_variables_owner_id_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_variables_owner_id_scope_key", ["owner_id", "scope", "key"]
        )

    # Give the projects and environments that exist their built-ins.
    connection = op.get_bind()
    now = datetime.now(UTC)
    projects = connection.execute(sa.text("SELECT id FROM projects"))
    environments = connection.execute(
        sa.text("SELECT id, project_id FROM environments")
    )
    rows = [
        _builtin(project_id, project_id, None, "QOVERY_PROJECT_ID", now)
        for (project_id,) in _uuids(projects)
    ] + [
        _builtin(
            environment_id, project_id, environment_id, "QOVERY_ENVIRONMENT_ID", now
        )
        for environment_id, project_id in _uuids(environments)
    ]
    if rows:
        op.bulk_insert(variables, rows)


def downgrade() -> None:
    op.execute(variables.delete().where(variables.c.scope == "BUILT_IN"))
    with op.batch_alter_table("variables") as batch_op:
        batch_op.drop_constraint("uq_variables_owner_id_scope_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_variables_owner_id_key", ["owner_id", "key"]
        )


def _uuids(result: sa.CursorResult[tuple[object, ...]]) -> list[tuple[uuid.UUID, ...]]:
    """Rows of ids as uuids, whether the driver hands back uuids or hex text."""
    return [tuple(uuid.UUID(str(value)) for value in row) for row in result]


def _builtin(
    owner_id: uuid.UUID,
    project_id: uuid.UUID,
    environment_id: uuid.UUID | None,
    key: str,
    now: datetime,
) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "owner_id": owner_id,
        "scope": "BUILT_IN",
        "project_id": project_id,
        "environment_id": environment_id,
        "is_secret": False,
        "key": key,
        "value": str(owner_id),
        "variable_type": "BUILT_IN",
        "created_at": now,
    }
