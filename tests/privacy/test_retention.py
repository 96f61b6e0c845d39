"""`nastavnik purge`: a completed programme's personal data (roster names, free-text
answers) go RETENTION_DAYS after its completion; a dry run only says what would go; the
figures stay. As the operator runs it, on both dialects."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Connection, MetaData, select, update

from service.cli.main import main
from storage.db import create_engine, create_session_factory
from storage.models import Answer, Assignment, Pair, Programme, RosterEntry, utcnow
from storage.repositories.roster import RosterRepository
from surveys.people import Category, Role
from surveys.roster_rules import RosterRow
from tests.conftest import TOKEN
from tests.support.factories import seed_directory
from tests.support.privacy_scan import figures, found_in_database
from tests.support.survey_factories import issue_pair

OLD_TEXT, OLD_NAME = "Старый отзыв о наставнике Пахомове", "Неявкина Прасковья"
NEW_TEXT, NEW_NAME = "Свежий отзыв о наставнице Зуевой", "Недавняя Зинаида"


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


async def _completed(
    url: str, organization: str, people: int, days_ago: int, text: str, name: str
) -> int:
    """A programme of one pair whose start questionnaires were answered (every kind of
    question), with a roster row of somebody who never came, completed `days_ago` days ago."""
    engine = create_engine(url)
    factory = create_session_factory(engine)
    issued = await issue_pair(
        factory, organization_id_of[organization], mentor_tg=people, mentee_tg=people + 1
    )
    async with factory() as session, session.begin():
        for scale, assignment_id in enumerate(issued.assignments.values(), start=6):
            values: list[tuple[str, str | None, int | None]] = [
                ("useful", str(scale), scale),
                ("met_before", "yes", 1),
                ("where", text, None),
                ("format", "mixed", None),
                ("topics", "study,projects", None),
                ("wishes", f"{text}: больше встреч", None),
            ]
            session.add_all(
                Answer(assignment_id=assignment_id, question_key=key, value_text=v, value_numeric=n)
                for key, v, n in values
            )
        await session.execute(
            update(Assignment)
            .where(Assignment.id.in_(list(issued.assignments.values())))
            .values(status="submitted", submitted_at=utcnow())
        )
        await RosterRepository(session).import_rows(
            issued.programme_id,
            [RosterRow(2, name, Category.STUDENT, 7, Role.MENTEE, 2)],
            timedelta(days=30),
            None,
        )
        completed = utcnow() - timedelta(days=days_ago)
        await session.execute(
            update(Programme)
            .where(Programme.id == issued.programme_id)
            .values(status="completed", completed_at=completed)
        )
        await session.execute(
            update(Pair).where(Pair.id == issued.pair_id).values(status="completed")
        )
    await engine.dispose()
    return issued.programme_id


organization_id_of: dict[str, int] = {}


def seed(url: str) -> tuple[int, int]:
    """An old programme (completed 400 days ago) and a recent one (30 days ago)."""

    async def run() -> tuple[int, int]:
        engine = create_engine(url)
        organization_id_of.update(await seed_directory(create_session_factory(engine)))
        await engine.dispose()
        old = await _completed(url, "S001", 8100, 400, OLD_TEXT, OLD_NAME)
        new = await _completed(url, "S002", 8200, 30, NEW_TEXT, NEW_NAME)
        return old, new

    return asyncio.run(run())


def _rows(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return {
        table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
        for table in metadata.sorted_tables
    }


def everything(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""

    async def run() -> dict[str, list[tuple[Any, ...]]]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            rows = await connection.run_sync(_rows)
        await engine.dispose()
        return rows

    return asyncio.run(run())


def found(url: str, needles: tuple[str, ...]) -> list[str]:
    async def run() -> list[str]:
        engine = create_engine(url)
        hits = await found_in_database(create_session_factory(engine), needles)
        await engine.dispose()
        return hits

    return asyncio.run(run())


def district_figures(url: str, tmp_path: Path, name: str) -> dict[tuple[str, str], Any]:
    out = tmp_path / name
    assert main(["export", "--municipality", "M01", "--out", str(out), "--no-register"]) == 0
    return figures(openpyxl.load_workbook(out))


def test_purge_erases_only_expired_programmes_and_keeps_the_figures(
    operator_env: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = operator_env
    old, new = seed(url)
    monkeypatch.setenv("EXPORT_MIN_GROUP", "1")  # every figure shown: any change would show
    before = district_figures(url, tmp_path, "before.xlsx")
    capsys.readouterr()
    rows = everything(url)

    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ничего не изменено" in out and "дней: 365" in out
    assert "«Наставничество 2026», МБОУ СОШ № 1" in out
    # The never-registered person's row; the mentee's two free-text answers.
    assert "ФИО в списке — 1, ответов своими словами — 2" in out
    assert "Лицей" not in out  # completed 30 days ago: kept
    assert everything(url) == rows  # a dry run changes nothing

    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    assert "Удалено" in out and "Программ: 1. ФИО: 1. Ответов своими словами: 2." in out
    assert found(url, ("Пахомов", "Неявкина")) == []
    assert len(found(url, ("Зуевой",))) == 2 and len(found(url, ("Недавняя",))) == 1
    assert district_figures(url, tmp_path, "after.xlsx") == before and len(before) > 20
    after = everything(url)
    erased = next(row for row in after["programme"] if row[0] == old)
    assert erased[-1] is not None  # erased_at: not listed again
    assert [row for row in after["programme"] if row[0] == new] == [
        row for row in rows["programme"] if row[0] == new
    ]
    # Scale, yes/no and choice answers are all still there (4 in each programme), and the
    # recent programme's free text (2).
    kept = [row for row in after["answer"] if row[3] is not None]
    assert len(kept) == 4 + 4 + 2
    assert main(["purge"]) == 0
    assert "Удалять нечего" in capsys.readouterr().out

    # A shorter retention period reaches the recent programme too.
    monkeypatch.setenv("RETENTION_DAYS", "20")
    assert main(["purge", "--dry-run"]) == 0
    assert "МБОУ «Лицей № 2»" in capsys.readouterr().out
    monkeypatch.setenv("RETENTION_DAYS", "0")
    assert main(["purge"]) == 2
    error = capsys.readouterr().err
    assert "RETENTION_DAYS" in error.upper() and len(error.strip().splitlines()) == 1


def test_purge_waits_for_open_questionnaires(
    operator_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _new = seed(operator_env)

    async def reopen() -> None:
        engine = create_engine(operator_env)
        async with create_session_factory(engine)() as session, session.begin():
            pair_ids = select(Pair.id).where(Pair.programme_id == old)
            await session.execute(
                update(Assignment).where(Assignment.pair_id.in_(pair_ids)).values(status="pending")
            )
            names = await session.scalars(select(RosterEntry.full_name))
            assert OLD_NAME in list(names)
        await engine.dispose()

    asyncio.run(reopen())
    assert main(["purge"]) == 0
    assert "Удалять нечего" in capsys.readouterr().out
