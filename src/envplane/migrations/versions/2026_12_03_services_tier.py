"""services tier

Revision ID: 15a80b3d1204
Revises: 3f9a1c7d2b10
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "15a80b3d1204"
down_revision: str | None = "3f9a1c7d2b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Case-insensitive unique names, as expression indexes.
UNIQUE_NAMES = [
    (
        "uq_deployment_stages_environment_id_name",
        "deployment_stages",
        "environment_id",
        "name",
    ),
    ("uq_services_environment_id_name", "services", "environment_id", "name"),
    ("uq_custom_domains_service_id_domain", "custom_domains", "service_id", "domain"),
]


def upgrade() -> None:
    op.create_table(
        "container_registries",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_container_registries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_container_registries")),
    )
    with op.batch_alter_table("container_registries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_container_registries_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "helm_repositories",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("skip_tls_verification", sa.Boolean(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_helm_repositories_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helm_repositories")),
    )
    with op.batch_alter_table("helm_repositories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_helm_repositories_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "deployment_stages",
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_deployment_stages_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment_stages")),
    )
    op.create_table(
        "services",
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("configuration", sa.JSON(), nullable=False),
        sa.Column("deployment_stage_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["deployment_stage_id"],
            ["deployment_stages.id"],
            name=op.f("fk_services_deployment_stage_id_deployment_stages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_services_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_services_deployment_stage_id"),
            ["deployment_stage_id"],
            unique=False,
        )

    op.create_table(
        "custom_domains",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("generate_certificate", sa.Boolean(), nullable=False),
        sa.Column("use_cdn", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_custom_domains_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_domains")),
    )
    for index, table, scope_column, name_column in UNIQUE_NAMES:
        op.create_index(
            index, table, [scope_column, sa.text(f"lower({name_column})")], unique=True
        )

    # RESTRICT fires before the statement's other cascades; NO ACTION is checked
    # after them, which lets the organization service delete environments and
    # clusters in one transaction.
    _recreate_environment_cluster_key(ondelete=None)

    with op.batch_alter_table("variables", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_variables_service_id"), ["service_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_variables_service_id_services"),
            "services",
            ["service_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("variables", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_variables_service_id_services"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_variables_service_id"))
        batch_op.drop_column("service_id")

    _recreate_environment_cluster_key(ondelete="RESTRICT")

    for index, table, _, _ in UNIQUE_NAMES:
        op.drop_index(index, table_name=table)
    op.drop_table("custom_domains")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_deployment_stage_id"))

    op.drop_table("services")
    op.drop_table("deployment_stages")
    with op.batch_alter_table("helm_repositories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_helm_repositories_organization_id"))

    op.drop_table("helm_repositories")
    with op.batch_alter_table("container_registries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_container_registries_organization_id"))

    op.drop_table("container_registries")


def _recreate_environment_cluster_key(*, ondelete: str | None) -> None:
    with op.batch_alter_table("environments") as batch_op:
        batch_op.drop_constraint(
            "fk_environments_cluster_id_clusters", type_="foreignkey"
        )
        batch_op.create_foreign_key(
            "fk_environments_cluster_id_clusters",
            "clusters",
            ["cluster_id"],
            ["id"],
            ondelete=ondelete,
        )
    if op.get_context().dialect.name == "sqlite":
        # SQLite rebuilt the table from what it could reflect, which leaves out
        # the expression index on names: put it back.
        op.create_index(
            "uq_environments_project_id_name",
            "environments",
            ["project_id", sa.text("lower(name)")],
            unique=True,
        )
