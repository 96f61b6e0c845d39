"""/export in MAX, driven over HTTP through the MAX stand-in: the same dialogue and workbook
as in Telegram, the workbook sent as a file; forged buttons refused."""

from __future__ import annotations

import pytest

from app.actions import pack
from app.export.actions import ChoosePeriod
from tests.support.export_data import YEAR, build_dataset
from tests.support.export_helpers import organizations_in, russian
from tests.support.export_people import (
    ask_for_the_district_workbook,
    district_methodist_in_max,
    export_petushinsky_for_typed_dates,
)
from tests.support.max_harness import MAX_ADMIN_ID, MaxHarness

pytestmark = pytest.mark.usefixtures("private_export_dir")


async def test_methodist_in_max_gets_the_district_workbook(max_harness: MaxHarness) -> None:
    _, nina = await district_methodist_in_max(max_harness)
    await ask_for_the_district_workbook(nina)

    [sent] = await nina.files()
    assert sent.files[0].file_name == f"monitoring-{YEAR}-09-01.xlsx"
    assert organizations_in(sent.files[0].content) == {"МБОУ СОШ № 1", "МБОУ «Лицей № 2»"}
    assert "Павлоградский район" in (sent.text or "")
    progress = [m for m in nina.messages if m.text and m.text.startswith("Готово")]
    assert progress and progress[0].edited  # the progress message became «Готово…»
    await max_harness.edge.services.jobs.wait()
    assert not list(max_harness.settings.export_dir.glob("monitoring-*.xlsx"))  # nothing left


async def test_forged_export_buttons_are_refused(max_harness: MaxHarness) -> None:
    data, nina = await district_methodist_in_max(max_harness)
    await nina.send("/export")
    period_message = nina.messages[-1].mid
    for forged in (
        ChoosePeriod(data.ids["M02"], 0, YEAR),
        ChoosePeriod(0, data.ids["S101"], YEAR),
        ChoosePeriod(0, 0, YEAR),
    ):
        await nina.press(pack(forged), mid=period_message)
        assert nina.last_text == russian("export.denied")
    await max_harness.edge.services.jobs.wait()
    assert not any(message.files for message in nina.messages)


async def test_admin_in_max_chooses_a_municipality_and_dates(max_harness: MaxHarness) -> None:
    await build_dataset(max_harness.session_factory)
    admin = max_harness.standin.user(MAX_ADMIN_ID)
    await export_petushinsky_for_typed_dates(admin)
    [sent] = await admin.files()
    assert organizations_in(sent.files[0].content) == {"МБОУ СОШ № 101"}
