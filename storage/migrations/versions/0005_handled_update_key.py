"""handled updates keyed by channel: "tg:<update id>", "max:<…>"

The marks only stop redeliveries of the last days; the upgrade starts the new table empty
(run migrations with the bot stopped, as always).
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.drop_table("handled_update")
    op.create_table(
        "handled_update",
        sa.Column("update_key", sa.String(length=80), nullable=False),
        sa.Column("handled_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_key", name=op.f("pk_handled_update")),
    )


def downgrade() -> None:
    op.drop_table("handled_update")
    op.create_table(
        "handled_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_update")),
    )
