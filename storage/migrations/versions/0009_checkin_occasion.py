"""a check-in per round: the occasion of an assignment in its unique key

Start and completion questionnaires keep one occasion (""). A check-in is one per round
(`round:<id>`) or, outside rounds, one per pair member for the school's curator (`school`).
Check-ins issued before this revision were once per pair member for ever: they become the
curator's (`school`), so a curator's second press still issues nothing, while a round's
check-in also skips members with a check-in issued since the round opened (the rule lives in
`storage.repositories.assignments`), so none of them is sent twice in a round either.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0009_checkin_occasion"
down_revision: str | None = "0008_monitoring_rounds"


@contextmanager
def _answers_kept() -> Iterator[None]:
    """SQLite changes a constraint by copying the table and dropping the old one; with
    foreign keys on (they are, and cannot be switched off inside the migration's
    transaction) that drop deletes every answer by its ON DELETE CASCADE. The answers are
    kept aside and put back (same ids, same assignment ids)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMP TABLE answer_kept AS SELECT * FROM answer")
    yield
    if sqlite:
        op.execute(
            "INSERT INTO answer SELECT * FROM answer_kept WHERE id NOT IN (SELECT id FROM answer)"
        )
        op.execute("DROP TABLE answer_kept")


def upgrade() -> None:
    with _answers_kept():
        with op.batch_alter_table("assignment") as batch:
            batch.add_column(
                sa.Column("occasion", sa.String(length=32), server_default="", nullable=False)
            )
            batch.drop_constraint("uq_assignment_pair_id_person_id_moment", type_="unique")
            batch.create_unique_constraint(
                "uq_assignment_pair_id_person_id_moment_occasion",
                ["pair_id", "person_id", "moment", "occasion"],
            )
    op.execute("UPDATE assignment SET occasion = 'school' WHERE moment = 'checkin'")


def downgrade() -> None:
    # Back to one check-in per pair member: the earliest of each member's is kept.
    op.execute(
        "DELETE FROM answer WHERE assignment_id IN (SELECT a.id FROM assignment a"
        " WHERE a.moment = 'checkin' AND EXISTS (SELECT 1 FROM assignment b"
        " WHERE b.pair_id = a.pair_id AND b.person_id = a.person_id"
        " AND b.moment = a.moment AND b.id < a.id))"
    )
    op.execute(
        "DELETE FROM assignment WHERE moment = 'checkin' AND id IN (SELECT a.id FROM assignment a"
        " WHERE a.moment = 'checkin' AND EXISTS (SELECT 1 FROM assignment b"
        " WHERE b.pair_id = a.pair_id AND b.person_id = a.person_id"
        " AND b.moment = a.moment AND b.id < a.id))"
    )
    with _answers_kept():
        with op.batch_alter_table("assignment") as batch:
            batch.drop_constraint("uq_assignment_pair_id_person_id_moment_occasion", type_="unique")
            batch.create_unique_constraint(
                "uq_assignment_pair_id_person_id_moment", ["pair_id", "person_id", "moment"]
            )
            batch.drop_column("occasion")
