"""/export driven over HTTP through the Bot API stand-in, as a methodist and an admin would."""

from __future__ import annotations

import asyncio
import io

import openpyxl
import pytest
from sqlalchemy import select

from app.actions import pack
from app.export.actions import ChooseNames, ChoosePeriod
from exports.links import SAFE_NAME
from storage.models import Person, RoleGrant
from surveys.access import scope_key
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.curator_factories import make_curator
from tests.support.export_data import YEAR, build_dataset
from tests.support.export_helpers import organizations_in, russian, table
from tests.support.export_people import (
    YEAR_LABEL,
    ask_for_the_district_workbook,
    district_methodist,
    export_petushinsky_for_typed_dates,
)

pytestmark = pytest.mark.usefixtures("private_export_dir")


async def test_methodist_gets_the_district_workbook(harness: BotHarness) -> None:
    _, methodist = await district_methodist(harness)

    # The update is finished before the workbook is: the person can go on meanwhile.
    await ask_for_the_district_workbook(methodist)

    content = (await methodist.documents())[-1].content
    assert organizations_in(content) == {"МБОУ СОШ № 1", "МБОУ «Лицей № 2»"}
    # Figures, not people: no register, no names anywhere in a methodist's workbook.
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert russian("export.sheet.register") not in workbook.sheetnames
    assert "Участник" not in all_text(workbook)
    methods = [call.method for call in harness.standin.calls]
    assert "sendChatAction" in methods
    actions = [c.params for c in harness.standin.calls if c.method == "sendChatAction"]
    assert all(params["action"] == "upload_document" for params in actions)
    progress = [m for m in methodist.messages if m.text and "Павлоградский район" in m.text]
    # The progress message starts by saying the figures are being counted (the lists beside).
    started = next(t for t in harness.standin.sent_texts() if t.startswith("Собираю отчёт"))
    assert "считаю сводку и собираю отзывы" in started
    assert any(m.text and m.text.startswith("Готово") for m in progress)
    document = next(m for m in methodist.messages if m.document)
    assert "Павлоградский район" in (document.caption or "")
    assert not list(harness.settings.export_dir.glob("monitoring-*.xlsx"))  # nothing left


async def test_forged_button_is_refused(harness: BotHarness) -> None:
    data, methodist = await district_methodist(harness)
    await methodist.send("/export")
    period_message = methodist.messages[-1].message_id
    forged = pack(ChoosePeriod(municipality=data.ids["M02"], organization=0, year=YEAR))
    await methodist.press(forged, message_id=period_message)
    assert methodist.last_text == russian("export.denied")
    foreign_school = pack(ChoosePeriod(municipality=0, organization=data.ids["S101"], year=YEAR))
    await methodist.press(foreign_school, message_id=period_message)
    assert methodist.last_text == russian("export.denied")
    region = pack(ChoosePeriod(municipality=0, organization=0, year=YEAR))
    await methodist.press(region, message_id=period_message)
    assert methodist.last_text == russian("export.denied")
    # Names of the district's children, asked for with a forged button: refused too.
    names = ChoosePeriod(municipality=data.ids["M01"], organization=0, year=YEAR, names=True)
    await methodist.press(pack(names), message_id=period_message)
    assert methodist.last_text == russian("export.names_denied")
    forged_choice = ChooseNames(municipality=data.ids["M01"], organization=0, names=True)
    await methodist.press(pack(forged_choice), message_id=period_message)
    assert methodist.last_text == russian("export.names_denied")
    await asyncio.sleep(0.5)
    assert not any(m.document for m in methodist.messages)


async def test_admin_chooses_a_municipality_and_dates(harness: BotHarness) -> None:
    await build_dataset(harness.session_factory)
    admin = harness.standin.user(ADMIN_ID)
    await export_petushinsky_for_typed_dates(admin)
    content = (await admin.documents())[-1].content
    assert organizations_in(content) == {"МБОУ СОШ № 101"}


async def test_too_large_for_telegram_goes_as_a_signed_link(harness: BotHarness) -> None:
    await build_dataset(harness.session_factory)
    # The dispatcher holds this very object (polling copied the reference at start).
    settings = harness.settings
    settings.export_document_limit_mb = 0  # everything is "too large"
    settings.public_base_url = "https://nastavnik.example"
    settings.export_link_secret = settings.bot_token
    admin = harness.standin.user(ADMIN_ID)
    await admin.send("/export")
    await admin.press(admin.button("Весь регион"))
    await admin.press(admin.button(YEAR_LABEL))
    await admin.press(admin.button(russian("report.kind.workbook")))
    deadline = asyncio.get_running_loop().time() + 30
    while "https://nastavnik.example/exports/" not in (admin.last_text or ""):
        assert asyncio.get_running_loop().time() < deadline, admin.last_text
        await asyncio.sleep(0.1)
    url = next(m.text for m in admin.messages if m.text and "/exports/" in m.text)
    name = url.split("/exports/")[1].split("?")[0]
    assert SAFE_NAME.match(name)
    assert (settings.export_dir / name).is_file()
    assert not any(m.document for m in admin.messages)
    (settings.export_dir / name).unlink()


async def test_mentee_may_not_export(harness: BotHarness) -> None:
    data = await build_dataset(harness.session_factory)
    async with harness.session_factory() as session, session.begin():
        person = await session.scalar(select(Person).where(Person.full_name == "Участник B"))
        assert person is not None
        session.add(
            RoleGrant(
                person_id=person.id,
                role="mentee",
                organization_id=data.ids["S001"],
                scope_key=scope_key(None, data.ids["S001"]),
            )
        )
    mentee = harness.standin.user(data.telegram["B"])
    await mentee.send("/export")
    assert mentee.last_text == russian("access.denied")


def all_text(workbook: openpyxl.Workbook) -> str:
    return "\n".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
        for value in row if value is not None
    )  # fmt: skip


CURATOR_ID = 810_002


def register_of(content: bytes) -> list[dict]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return table(workbook[russian("export.sheet.register")])


async def test_curator_chooses_codes_or_names_for_their_own_school(harness: BotHarness) -> None:
    data = await build_dataset(harness.session_factory)
    await make_curator(harness.session_factory, CURATOR_ID, data.ids["S001"])
    curator = harness.standin.user(CURATOR_ID)

    await curator.send("/export")
    assert curator.last_text == russian("export.register.ask").format(scope="МБОУ СОШ № 1")
    await curator.press(curator.button(russian("export.register.anonymous")))
    await curator.press(curator.button(YEAR_LABEL))
    await curator.press(curator.button(russian("report.kind.workbook")))
    rows = register_of((await curator.documents())[-1].content)
    assert len(rows) == 9  # A–I, one pair each (N and O are in last year's programme)
    assert all(str(row[russian("export.col.person")]).startswith("P") for row in rows)
    assert russian("export.col.full_name") not in rows[0]
    assert not any("Участник" in str(value) for row in rows for value in row.values())

    await curator.send("/export")
    await curator.press(curator.button(russian("export.register.names")))
    await curator.press(curator.button(YEAR_LABEL))
    await curator.press(curator.button(russian("report.kind.workbook")))
    rows = register_of((await curator.documents(2))[-1].content)
    names = {row[russian("export.col.full_name")] for row in rows}
    assert names == {f"Участник {letter}" for letter in "ABCDEFGHI"}
