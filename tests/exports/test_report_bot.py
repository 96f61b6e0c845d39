"""/export offers the workbook, the «аналитическая справка» or both, driven over HTTP through
the Bot API stand-in; a forged choice gets a refusal, never a file."""

from __future__ import annotations

import asyncio
import io

import docx
import openpyxl
import pytest

from app.actions import pack
from app.export.actions import ChooseKind
from tests.conftest import BotHarness
from tests.support.export_helpers import russian
from tests.support.export_people import YEAR_LABEL, district_methodist

pytestmark = pytest.mark.usefixtures("private_export_dir")


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


async def test_methodist_gets_workbook_and_report(harness: BotHarness) -> None:
    _, methodist = await district_methodist(harness)
    await methodist.send("/export")
    await methodist.press(methodist.button(YEAR_LABEL))
    assert methodist.last_text == russian("report.choose_kind").format(
        scope="Павлоградский район", period="01.09.2026–31.08.2027"
    )
    await methodist.press(methodist.button(russian("report.kind.both")))
    workbook, report = await methodist.documents(2)
    assert (workbook.file_name, report.file_name) == (
        "monitoring-2026-09-01.xlsx",
        "spravka-2026-09-01.docx",
    )
    assert "Сводка" in openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames
    text = docx_text(report.content)
    assert "Территория: Павлоградский район" in text
    assert "всего 3 программы, 4 пары и 1 группа" in text
    captions = [m.caption for m in methodist.messages if m.document]
    assert captions[1] and captions[1].startswith("Аналитическая справка: Павлоградский район")
    deadline = asyncio.get_running_loop().time() + 5
    while list(harness.settings.export_dir.glob("monitoring-*")):  # nothing left behind
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.1)


async def test_report_alone(harness: BotHarness) -> None:
    _, methodist = await district_methodist(harness)
    await methodist.send("/export")
    await methodist.press(methodist.button(YEAR_LABEL))
    await methodist.press(methodist.button(russian("report.kind.report")))
    [report] = await methodist.documents()
    assert report.file_name.endswith(".docx")
    assert "Аналитическая справка" in docx_text(report.content)
    await asyncio.sleep(0.5)
    assert sum(1 for m in methodist.messages if m.document) == 1


async def test_forged_kind_buttons_are_refused(harness: BotHarness) -> None:
    data, methodist = await district_methodist(harness)
    await methodist.send("/export")
    await methodist.press(methodist.button(YEAR_LABEL))
    message = methodist.messages[-1].message_id
    own = {"municipality": data.ids["M01"], "organization": 0}
    forged = [
        ChooseKind(municipality=data.ids["M02"], organization=0, start=20260901,
                   end=20270831, kind="report"),
        ChooseKind(**own, start=20261399, end=20270831, kind="report"),
        ChooseKind(**own, start=20270831, end=20260901, kind="report"),
        ChooseKind(**own, start=20260901, end=20270831, kind="everything"),
    ]  # fmt: skip
    for payload in forged:
        await methodist.press(pack(payload), message_id=message)
        assert methodist.last_text == russian("export.denied"), payload
    await asyncio.sleep(0.5)
    assert not any(m.document for m in methodist.messages)
