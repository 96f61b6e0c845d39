"""when a completed programme's personal data were erased (the retention period)"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007_programme_erased_at"
down_revision: str | None = "0006_person_channel"


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(
            sa.Column("erased_at", storage.models.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("erased_at")
