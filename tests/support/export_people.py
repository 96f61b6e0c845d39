"""Who asks for exports in the bot tests: the test dataset and the methodist of its first
district (M01, Павлоградский район), in Telegram or in MAX."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveys.channels import ChannelName
from surveys.people import Role
from tests.conftest import BotHarness
from tests.support.botapi import FakeUser
from tests.support.curator_factories import make_person
from tests.support.export_data import YEAR, Dataset, build_dataset
from tests.support.export_helpers import russian
from tests.support.max_harness import MaxHarness
from tests.support.maxapi import MaxUser

METHODIST_ID = 810_001  # in Telegram
METHODIST_MAX = 8501
YEAR_LABEL = f"{YEAR}/{YEAR + 1}"


async def make_methodist(
    factory: async_sessionmaker[AsyncSession],
    municipality_id: int,
    channel: ChannelName = ChannelName.TELEGRAM,
) -> None:
    """Нина, methodist of this district, in this messenger."""
    user_id = METHODIST_MAX if channel is ChannelName.MAX else METHODIST_ID
    await make_person(
        factory,
        user_id,
        "Методист Нина",
        Role.METHODIST,
        municipality_id=municipality_id,
        channel=channel,
    )


async def district_methodist(harness: BotHarness) -> tuple[Dataset, FakeUser]:
    data = await build_dataset(harness.session_factory)
    await make_methodist(harness.session_factory, data.ids["M01"])
    return data, harness.standin.user(METHODIST_ID)


async def district_methodist_in_max(max_harness: MaxHarness) -> tuple[Dataset, MaxUser]:
    data = await build_dataset(max_harness.session_factory)
    await make_methodist(max_harness.session_factory, data.ids["M01"], ChannelName.MAX)
    return data, max_harness.standin.user(METHODIST_MAX)


async def export_petushinsky_for_typed_dates(admin: FakeUser | MaxUser) -> None:
    """An administrator's /export: Петушинский район of the region, «Другие даты», two
    typings that are not a period, then 01.09.2026–31.12.2026 and the workbook."""
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


async def ask_for_the_district_workbook(methodist: FakeUser | MaxUser) -> None:
    """The district methodist's /export (either messenger): one municipality, so straight to
    the period; this academic year, the workbook; then /help, answered while the workbook is
    built."""
    await methodist.send("/export")
    assert "Павлоградский район" in (methodist.last_text or "")
    await methodist.press(methodist.button(YEAR_LABEL))
    await methodist.press(methodist.button(russian("report.kind.workbook")))
    await methodist.send("/help")
    assert "/export" in (methodist.last_text or "")
