"""/forget erases the person everywhere: a girl registers from her school's roster, writes
her name and phone into a questionnaire, a workbook naming her waits in EXPORT_DIR, a
message to her waits in the outbox; after /forget no table, column or file holds her name,
phone or Telegram id, and the district's figures are what they were."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy import select

from app.export.plan import ExportPlan, write_export
from bot.i18n import create_i18n
from exports.period import Period
from exports.workbook import ExportOptions, Register
from storage.models import Answer, OutboxMessage, Person
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.botapi.users import FakeUser
from tests.support.curator_factories import (
    curator_in_programme,
    roster_bytes,
    sent_workbook,
    sheet_rows,
)
from tests.support.privacy_scan import figures, found_in_database, found_in_folder
from tests.support.survey_factories import deliver_invitations

NAME = "Забелина-Кукушкина Агафья Серафимовна"
PHONE = "+7 913 555-12-34"
AGAFYA = 7_770_001_234  # her Telegram id
# What must be found nowhere afterwards: each part of her name, her phone, her id.
NEEDLES = ("Забелина", "Кукушкина", "Агафь", "Серафимовн", "555-12-34", str(AGAFYA))
ROSTER = [
    ("Смирнов Алексей Иванович", "педагог", None, "наставник", 1),
    (NAME, "ученик", 7, "наставляемый", 1),
    ("Орлов Игорь Павлович", "педагог", None, "наставник", 2),
    ("Петрова Ольга Ивановна", "ученик", 8, "наставляемый", 2),
]
TELEGRAM_IDS = (7401, AGAFYA, 7403, 7404)
OTHERS_TEXT = "Хочу подтянуть алгебру"
I18N = create_i18n()


async def answer_start(user: FakeUser, scale: str, goal: str, expectations: str) -> None:
    await user.press(user.button("Начать анкету"))
    while [text for text, _ in user.buttons()][:10] == [str(n) for n in range(1, 11)]:
        await user.press(user.button(scale))
    await user.press(user.button("Другое"))
    await user.send(goal)
    await user.send(expectations)
    await user.press(user.button("Отправить"))
    assert "ответы отправлены" in (user.last_text or ""), user.last_text


async def school_with_agafya(harness: BotHarness) -> tuple[dict[str, int], FakeUser]:
    """Roster uploaded by the curator, all four registered from their personal links, pairs
    formed, start questionnaires answered, the programme completed: the completion
    questionnaires wait in the outbox, unsent."""
    ids, _, curator = await curator_in_programme(harness, 7400)
    await curator.press(curator.button("Загрузить список"))
    calls = await curator.send_document(roster_bytes(ROSTER), "roster.xlsx")
    links = [str(row[4]) for row in sheet_rows(sent_workbook(calls), 0)[1:]]
    people = [harness.standin.user(telegram_id) for telegram_id in TELEGRAM_IDS]
    for person, link, row in zip(people, links, ROSTER, strict=True):
        await person.send(f"/start {link.rsplit('=', 1)[1]}")
        await person.press(person.button("Даю согласие"))
        if row[3] == "наставляемый":
            await person.press(person.button("Да, родитель"))
        assert "Готово" in (person.last_text or ""), person.last_text
    await curator.press(curator.button("Пары из списка"))
    assert "Составлено пар по списку: 2" in (curator.last_text or "")
    assert await deliver_invitations(harness.session_factory, harness.bot) == 4
    agafya = people[1]
    await answer_start(
        agafya, "8", f"Меня зовут {NAME}, мой телефон {PHONE}", f"Звоните: {PHONE}, Агафья"
    )
    for person, scale in zip((people[0], people[2], people[3]), ("6", "9", "7"), strict=True):
        await answer_start(person, scale, OTHERS_TEXT, "Больше встреч")
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("Завершить программу"))
    await curator.press(curator.button("Да, завершить"))
    assert "итоговых анкет отправлено: 4" in (curator.last_text or ""), curator.last_text
    return ids, agafya


async def district_workbook(
    harness: BotHarness, municipality_id: int, path: Path, register: bool
) -> openpyxl.Workbook:
    """The district's monitoring workbook with every figure shown (no small-group
    masking: a change of any count or mean would show)."""
    async with harness.session_factory() as session:
        scope = ExportScope(municipality_id=municipality_id, title="Павлоградский район")
        period = Period.current_academic_year(date.today())
        names = Register.NAMES if register else Register.NONE
        await write_export(
            session,
            Actor(telegram_id=ADMIN_ID, is_admin=True),
            ExportPlan(scope, period, names, names_possible=True),
            path,
            lambda key: I18N.gettext(key, locale="ru"),
            ExportOptions(min_group=1),
        )
    return openpyxl.load_workbook(path)


async def test_forget_erases_the_person_everywhere_and_keeps_the_figures(
    harness: BotHarness, tmp_path: Path
) -> None:
    export_dir = tmp_path / "exports"
    export_dir.mkdir()
    harness.settings.export_dir = export_dir
    ids, agafya = await school_with_agafya(harness)
    before = figures(await district_workbook(harness, ids["M01"], tmp_path / "before.xlsx", False))
    # A workbook with the register and the free-text answers waits for its download.
    waiting = await district_workbook(harness, ids["M01"], export_dir / "waiting.xlsx", True)
    assert waiting is not None
    # The scan sees her before: in the person, roster, answer and outbox tables, and the file.
    seen = await found_in_database(harness.session_factory, NEEDLES)
    tables = {hit.split(".")[0] for hit in seen}
    assert tables >= {"person", "roster_entry", "answer", "outbox_message"}
    assert found_in_folder(export_dir, NEEDLES) == [str(export_dir / "waiting.xlsx")]

    await agafya.send("/forget")
    await agafya.press(agafya.button("Да, удалить"))
    assert "удалены" in (agafya.last_text or "")

    assert await found_in_database(harness.session_factory, NEEDLES) == []
    assert found_in_folder(export_dir, NEEDLES) == []
    after = figures(await district_workbook(harness, ids["M01"], tmp_path / "after.xlsx", False))
    assert after == before and len(before) > 20
    async with harness.session_factory() as session:
        person = await session.scalar(select(Person).where(Person.forgotten_at.is_not(None)))
        assert person is not None and person.organization_id == ids["S001"]
        theirs = list(
            await session.execute(
                select(OutboxMessage.status, OutboxMessage.chat_id, OutboxMessage.text).where(
                    OutboxMessage.person_id == person.id
                )
            )
        )
        others = set(await session.scalars(select(Answer.value_text)))
    # Her start invitation went out (its chat and text are gone); the completion one that
    # waited will never go.
    assert sorted(theirs) == [("cancelled", 0, ""), ("sent", 0, "")]
    assert OTHERS_TEXT in others  # the others' answers stay
    await agafya.send("/start")
    assert "ссылке-приглашению" in (agafya.last_text or "")
