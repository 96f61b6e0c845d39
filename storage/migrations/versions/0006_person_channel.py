"""a person's channel and their id there: (channel, external_id), unique together

Everyone registered so far came through Telegram: their external id is their Telegram id.
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0006_person_channel"
down_revision: str | None = "0005"


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), server_default="telegram", nullable=False)
        )
        batch.add_column(sa.Column("external_id", sa.BigInteger(), nullable=True))
    op.execute("UPDATE person SET external_id = telegram_id")
    with op.batch_alter_table("person") as batch:
        batch.create_unique_constraint(
            op.f("uq_person_channel_external_id"), ["channel", "external_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("uq_person_channel_external_id"), type_="unique")
        batch.drop_column("external_id")
        batch.drop_column("channel")
