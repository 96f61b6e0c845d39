"""/export driven over HTTP through the Bot API stand-in, as a methodist and an admin would."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.actions import pack
from app.export.actions import ChoosePeriod
from exports.links import SAFE_NAME
from storage.models import Person, RoleGrant
from surveys.access import scope_key
from surveys.people import Role
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.export_data import YEAR, build_dataset
from tests.support.export_helpers import russian

METHODIST_ID = 810_001
YEAR_LABEL = f"{YEAR}/{YEAR + 1}"


@pytest.fixture(autouse=True)
def private_export_dir(harness: BotHarness, tmp_path: Path) -> None:
    harness.settings.export_dir = tmp_path / "exports"


async def make_methodist(harness: BotHarness, municipality_id: int) -> None:
    async with harness.session_factory() as session, session.begin():
        person = Person(
            telegram_id=METHODIST_ID,
            full_name="Методист Павлоградского района",
            category="teacher",
            consent_at=datetime.now(UTC),
            consent_version="1",
        )
        session.add(person)
        await session.flush()
        session.add(
            RoleGrant(
                person_id=person.id,
                role=Role.METHODIST.value,
                municipality_id=municipality_id,
                scope_key=scope_key(municipality_id, None),
            )
        )


async def wait_for_document(user, count: int = 1, seconds: float = 30) -> bytes:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        documents = [m.document for m in user.messages if m.document]
        if len(documents) >= count:
            stored = user.standin._files[documents[-1]["file_id"]]
            return stored.upload.content
        await asyncio.sleep(0.1)
    raise AssertionError(f"no document arrived; messages: {[m.text for m in user.messages]}")


def organizations_in(content: bytes) -> set[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(workbook["Сводка"].iter_rows(min_row=2, values_only=True))
    return {row[1] for row in rows if row[1]}


async def test_methodist_gets_the_district_workbook(harness: BotHarness) -> None:
    data = await build_dataset(harness.session_factory)
    await make_methodist(harness, data.ids["M01"])
    methodist = harness.standin.user(METHODIST_ID)

    await methodist.send("/export")  # one municipality: straight to the period
    assert "Павлоградский район" in (methodist.last_text or "")
    await methodist.press(methodist.button(YEAR_LABEL))
    await methodist.press(methodist.button(russian("report.kind.workbook")))
    # The update is finished before the workbook is: the person can go on meanwhile.
    await methodist.send("/help")
    assert "/export" in (methodist.last_text or "")

    content = await wait_for_document(methodist)
    assert organizations_in(content) == {"МБОУ СОШ № 1", "МБОУ «Лицей № 2»"}
    methods = [call.method for call in harness.standin.calls]
    assert "sendChatAction" in methods
    actions = [c.params for c in harness.standin.calls if c.method == "sendChatAction"]
    assert all(params["action"] == "upload_document" for params in actions)
    progress = [m for m in methodist.messages if m.text and "Павлоградский район" in m.text]
    assert any(m.text and m.text.startswith("Готово") for m in progress)
    document = next(m for m in methodist.messages if m.document)
    assert "Павлоградский район" in (document.caption or "")
    assert not list(harness.settings.export_dir.glob("monitoring-*.xlsx"))  # nothing left


async def test_forged_button_is_refused(harness: BotHarness) -> None:
    data = await build_dataset(harness.session_factory)
    await make_methodist(harness, data.ids["M01"])
    methodist = harness.standin.user(METHODIST_ID)
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
    await asyncio.sleep(0.5)
    assert not any(m.document for m in methodist.messages)


async def test_admin_chooses_a_municipality_and_dates(harness: BotHarness) -> None:
    await build_dataset(harness.session_factory)
    admin = harness.standin.user(ADMIN_ID)
    await admin.send("/export")
    assert admin.last_text == russian("export.choose_scope")
    assert admin.button("Весь регион")
    await admin.press(admin.button("Петушинский район"))
    await admin.press(admin.button("Другие даты"))
    await admin.send("вчера и сегодня")
    assert admin.last_text == russian("export.bad_range")
    await admin.send("31.12.2026 01.09.2026")  # the wrong way round
    assert admin.last_text == russian("export.bad_range")
    await admin.send("01.09.2026 31.12.2026")
    await admin.press(admin.button(russian("report.kind.workbook")))
    content = await wait_for_document(admin)
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
