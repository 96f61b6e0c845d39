"""Scope: a methodist never gets another municipality's rows, a curator only their
organization, the register only where the scope covers the people."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import policy
from exports.workbook import ExportOptions, Register
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor, Grant
from surveys.errors import OutOfScope
from surveys.people import Role
from tests.support.export_data import build_dataset
from tests.support.export_helpers import export_to, methodist_actor, russian, table

FOREIGN_TEXTS = ("ЧУЖОЙ ОТЗЫВ", "Участник L", "Участник M", "МБОУ СОШ № 101", "Чужой район")


def all_text(workbook) -> str:
    return "\n".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
        for value in row if value is not None
    )  # fmt: skip


async def test_methodist_sees_only_their_municipality(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    methodist = methodist_actor(data)
    workbook = await export_to(
        session_factory, methodist, ExportScope(data.ids["M01"]), tmp_path / "m.xlsx"
    )
    text = all_text(workbook)
    assert "МБОУ СОШ № 1" in text
    for foreign in (*FOREIGN_TEXTS, "СТАРЫЙ ОТЗЫВ", "Участник N"):
        assert foreign not in text
    with pytest.raises(OutOfScope):
        await export_to(
            session_factory, methodist, ExportScope(data.ids["M02"]), tmp_path / "x.xlsx"
        )
    with pytest.raises(OutOfScope):  # the whole region is for admins only
        await export_to(session_factory, methodist, ExportScope(), tmp_path / "y.xlsx")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()


async def test_curator_sees_only_their_organization(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    curator = Actor(1, grants=(Grant(Role.CURATOR, organization_id=data.ids["S002"]),))
    async with session_factory() as session:
        scopes = await policy.export_choices(session, curator)
    assert [(s.municipality_id, s.organization_id) for s in scopes] == [
        (data.ids["M01"], data.ids["S002"])
    ]
    workbook = await export_to(session_factory, curator, scopes[0], tmp_path / "c.xlsx")
    text = all_text(workbook)
    assert "МБОУ «Лицей № 2»" in text
    for foreign in (*FOREIGN_TEXTS, "МБОУ СОШ № 1", "Участник A", "Спасибо наставнику"):
        assert foreign not in text
    names = {row[russian("export.col.full_name")] for row in table(workbook["Участники"])}
    assert names == {"Участник J", "Участник K"}
    with pytest.raises(OutOfScope):
        await export_to(
            session_factory,
            curator,
            ExportScope(data.ids["M01"], data.ids["S001"]),
            tmp_path / "z.xlsx",
        )
    with pytest.raises(OutOfScope):  # their municipality is wider than their organization
        await export_to(session_factory, curator, ExportScope(data.ids["M01"]), tmp_path / "w.xlsx")


async def test_register_only_when_asked_for(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    admin = Actor(1, is_admin=True)
    workbook = await export_to(
        session_factory,
        admin,
        ExportScope(data.ids["M02"]),
        tmp_path / "a.xlsx",
        ExportOptions(register=Register.NONE),
    )
    assert "Участники" not in workbook.sheetnames
    assert "Участник L" not in all_text(workbook)


async def test_unknown_ids_are_refused_like_foreign_ones(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await build_dataset(session_factory)
    admin = Actor(1, is_admin=True)
    async with session_factory() as session:
        with pytest.raises(OutOfScope):
            await policy.export_scope(session, admin, 999_999, None)
        with pytest.raises(OutOfScope):
            await policy.export_scope(session, admin, None, 999_999)
        choices = await policy.export_choices(session, admin)
    assert choices[0].is_region and len(choices) == 3
