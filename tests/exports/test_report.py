"""The «аналитическая справка»: its figures are the workbook's, its prose says them with the
right plural forms, small groups stay hidden, charts are pictures, and LibreOffice opens it."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import load_settings
from exports.links import sign
from exports.report.words import Words
from exports.workbook import ExportOptions
from service.web.exports import add_export_routes
from tests.exports.test_export_libreoffice import SOFFICE, convert
from tests.exports.test_export_links import SECRET
from tests.support.export_data import build_dataset
from tests.support.export_helpers import (
    I18N,
    by,
    methodists_workbook,
    russian,
    table,
)
from tests.support.report_helpers import admin_report, methodists_report, number, paragraphs, tables

OPTIONS = ExportOptions(target_student_share=0.7, target_young_teacher_share=0.05)
# Figures of the summary table and the workbook column each comes from.
SUMMARY = ("programmes", "pairs", "groups", "mentors", "mentees", "completed", "sent",
           "submitted", "response_rate", "mean_mentors", "mean_mentees")  # fmt: skip
INDICATORS = ("students_10_18", "students_reached", "student_share", "teachers_under_35",
              "young_teachers_reached", "young_teacher_share")  # fmt: skip


@pytest.fixture
async def district(session_factory: async_sessionmaker[AsyncSession], tmp_path: Path) -> tuple:
    data = await build_dataset(session_factory)
    report = await methodists_report(session_factory, data, tmp_path / "m01.docx", OPTIONS)
    workbook = await methodists_workbook(session_factory, data, tmp_path / "m01.xlsx", OPTIONS)
    return report, workbook


async def test_summary_table_equals_the_workbook(district: tuple) -> None:
    report, workbook = district
    summary = tables(report)[0]
    assert summary[0][0] == russian("report.col.figure")
    shown = {row[0]: number(row[1]) for row in summary[1:]}
    totals = by(table(workbook["По формам"]), russian("export.col.form"))["Итого"]
    summary_totals = by(table(workbook["Сводка"]), russian("export.col.municipality"))["Итого"]
    indicators = by(table(workbook["Показатели"]), russian("export.col.organization"))
    district_row = indicators["Итого по муниципалитету"]
    expected = {
        russian(f"export.col.{key}"): totals[russian(f"export.col.{key}")] for key in SUMMARY
    }
    expected |= {
        russian(f"export.col.{key}"): district_row[russian(f"export.col.{key}")]
        for key in INDICATORS
    }
    assert shown.keys() == expected.keys()
    for key in SUMMARY[1:]:  # «Сводка» has the same totals (programmes there are per form)
        column = russian(f"export.col.{key}")
        assert summary_totals[column] == pytest.approx(totals[column]), key
    for label, value in expected.items():
        # The справка rounds as the workbook's cells are formatted: 0.0% and 0.00.
        assert shown[label] == pytest.approx(value, abs=0.0006), label
    assert shown[russian("export.col.mentors")] == 5 and shown[russian("export.col.sent")] == 17


async def test_prose_says_the_figures_with_plural_forms(district: tuple) -> None:
    report, _workbook = district
    text = "\n".join(paragraphs(report)).replace("\xa0", " ").replace("\u202f", " ")
    assert "Аналитическая справка" in text
    assert "Территория: Павлоградский район" in text
    assert "Период: 01.09.2026–31.08.2027" in text
    assert "Дата составления: 1 июня 2027 г." in text
    assert "реализовывались в 2 школах из 2 школ: всего 3 программы, 4 пары и 1 группа." in text
    assert "Участники программ: 5 наставников и 6 наставляемых." in text
    assert (
        "Больше всего участников в форме «ученик – ученик»: 4 наставника и 5 наставляемых." in text
    )
    # 8 of 900 students reached against a 70% target; 1 of 27 young teachers against 5%:
    # one person, hidden as in the workbook («<3»), and so is the gap to the target.
    assert "10–18 лет, вовлечённых в наставничество: 0,9% (8 из 900" in text
    assert "Целевое значение 70,0% не достигнуто: не хватает 69,1 п. п." in text
    assert "как наставляемые: <3 (<3 из 27). Число вовлечённых меньше порога показа" in text
    assert "1 из 27" not in text and "3,7%" not in text
    assert "направлено анкет: 17, заполнено: 15; доля заполненных анкет — 88,2%." in text
    assert "наставники — 9,00, наставляемые — 7,50." in text
    # One comparison is shown (mentees of ученик – ученик, 3 people); mentors' rests on 2.
    assert "оценки выросли в 1 из 1 сравнения, снизились в 0." in text
    assert "Требуют внимания — 2 школы: МБОУ «Лицей № 2», МБОУ СОШ № 1." in text
    assert "[Выводы и предложения методиста" in text
    assert "Участник A" not in text and "Участник B" not in text  # no person's name


async def test_change_table_hides_small_groups(district: tuple) -> None:
    report, _workbook = district
    changes = next(t for t in tables(report) if t[0][1] == russian("report.col.item"))
    assert changes[1:] == [
        ["ученик – ученик", "Удовлетворённость программой", "наставляемый", "4,50", "7,33", "+2,83"]
    ]
    lagging = next(t for t in tables(report) if t[0][1] == russian("report.col.reason"))
    reasons = {row[0]: row[1] for row in lagging[1:]}
    # The lyceum's response rate rests on 2 people: not shown, not a reason. Both schools'
    # shares of students are hidden on «Показатели» (2 students; then the other one, which
    # the district's total would give away): the reason is named without the figure.
    below = "охват обучающихся 10–18 лет ниже целевого значения 70,0%"
    assert reasons == {"МБОУ «Лицей № 2»": below, "МБОУ СОШ № 1": below}
    text = "\n".join(cell for table in tables(report) for row in table for cell in row)
    assert "0,4%" not in text and "1,5%" not in text


async def test_charts_are_pictures(district: tuple) -> None:
    report, _workbook = district
    document = docx.Document(str(report))
    pictures = document.inline_shapes
    # The start → completion chart; no chart of the schools' response rates: «Сводка» hides
    # both (the lyceum's rests on 2 people, and the other one with the total would give it).
    assert len(pictures) == 1
    assert "Средние оценки в начале и по завершении программы" in "\n".join(paragraphs(report))
    assert "Доля ответивших по организациям" not in "\n".join(paragraphs(report))


async def test_means_of_too_few_people_are_not_shown(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    options = ExportOptions(min_group=4)  # mentors' completion mean rests on 3 people
    report = await admin_report(session_factory, data, "M01", tmp_path / "r.docx", options)
    rows = {row[0]: row[1] for row in tables(report)[0][1:]}
    assert rows[russian("export.col.mean_mentors")] == "<4"
    assert rows[russian("export.col.mean_mentees")] == "7,50"
    text = "\n".join(paragraphs(report)).replace("\xa0", " ").replace("\u202f", " ")
    assert "наставники — не показана (ответили меньше 4 человек)" in text
    assert "Сравнить начало и завершение программы пока нельзя" in text


async def test_english_report(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    en = ExportOptions(locale="en")
    report = await admin_report(session_factory, data, "M01", tmp_path / "en.docx", en)
    text = "\n".join(paragraphs(report)).replace("\xa0", " ").replace("\u202f", " ")
    assert "Analytical report" in text
    assert "ran in 2 schools of 2: 3 programmes, 4 pairs and 1 group in all." in text
    assert "No target is set (setting TARGET_STUDENT_SHARE)." in text


@pytest.mark.parametrize(
    ("locale", "counts"),
    [
        ("ru", {1: "1 школа", 2: "2 школы", 5: "5 школ", 11: "11 школ", 21: "21 школа",
                22: "22 школы", 1000: "1\xa0000 школ"}),
        ("en", {1: "1 school", 2: "2 schools", 5: "5 schools"}),
    ],
)  # fmt: skip
def test_plural_forms(locale: str, counts: dict[int, str]) -> None:
    words = Words(I18N, locale)
    for count, expected in counts.items():
        assert words._("report.schools", count=count) == expected


# The справка is a Word document: LibreOffice converts it only with Writer installed.
@pytest.mark.skipif(
    SOFFICE is None or shutil.which("lowriter") is None,
    reason="LibreOffice Writer is not installed; .ci/run installs it",
)
async def test_libreoffice_converts_it_to_pdf_and_text(district: tuple, tmp_path: Path) -> None:
    report, _workbook = district
    out = tmp_path / "out"
    for target in ("pdf", "txt:Text"):
        await asyncio.to_thread(convert, report, target, out, tmp_path / "profile")
    assert (out / "m01.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "m01.pdf").stat().st_size > 10_000  # text, two charts, tables
    text = (out / "m01.txt").read_text(encoding="utf-8-sig")
    assert "Требуют внимания — 2 школы" in text


async def test_a_report_link_serves_a_word_document(tmp_path: Path) -> None:
    """A справка too large for Telegram goes by the same signed links as a workbook."""
    settings = load_settings(
        bot_token="1:x", export_link_secret=SECRET, export_dir=tmp_path, public_base_url="https://x"
    )
    (tmp_path / "monitoring-1.docx").write_bytes(b"PK-report")
    app = web.Application()
    add_export_routes(app, settings)
    async with TestClient(TestServer(app)) as client:
        response = await client.get(sign(SECRET, "monitoring-1.docx", timedelta(hours=1)).path())
        assert response.status == 200
        assert response.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert await response.read() == b"PK-report"
    with pytest.raises(ValueError):
        sign(SECRET, "monitoring-1.pdf", timedelta(hours=1))
