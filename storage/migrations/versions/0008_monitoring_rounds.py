"""monitoring rounds and their frozen snapshots"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008_monitoring_rounds"
down_revision: str | None = "0007_programme_erased_at"


def upgrade() -> None:
    op.create_table(
        "monitoring_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("scope_key", sa.String(length=24), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("deadline", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_monitoring_round_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["person.id"],
            name=op.f("fk_monitoring_round_opened_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["person.id"],
            name=op.f("fk_monitoring_round_closed_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_round")),
        sa.UniqueConstraint(
            "scope_key",
            "kind",
            "period_start",
            "period_end",
            name=op.f("uq_monitoring_round_scope_key_kind_period_start_period_end"),
        ),
    )
    op.create_index(
        op.f("ix_monitoring_round_municipality_id"),
        "monitoring_round",
        ["municipality_id"],
        unique=False,
    )
    op.create_index(
        "ix_monitoring_round_status_deadline",
        "monitoring_round",
        ["status", "deadline"],
        unique=False,
    )
    op.create_table(
        "round_snapshot",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["monitoring_round.id"],
            name=op.f("fk_round_snapshot_round_id_monitoring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("round_snapshot")
    op.drop_index("ix_monitoring_round_status_deadline", table_name="monitoring_round")
    op.drop_index(op.f("ix_monitoring_round_municipality_id"), table_name="monitoring_round")
    op.drop_table("monitoring_round")
