"""/export in MAX offers the справка too: the same choice as in Telegram, both files sent."""

from __future__ import annotations

import asyncio
import io

import docx

from surveys.channels import ChannelName
from surveys.people import Role
from tests.max.test_max_export import (  # noqa: F401
    METHODIST_MAX,
    YEAR_LABEL,
    private_export_dir,
)
from tests.support.curator_factories import make_person
from tests.support.export_data import YEAR, build_dataset
from tests.support.export_helpers import russian
from tests.support.max_harness import MaxHarness


async def test_methodist_in_max_gets_workbook_and_report(max_harness: MaxHarness) -> None:
    data = await build_dataset(max_harness.session_factory)
    await make_person(
        max_harness.session_factory,
        METHODIST_MAX,
        "Методист Нина",
        Role.METHODIST,
        municipality_id=data.ids["M01"],
        channel=ChannelName.MAX,
    )
    nina = max_harness.standin.user(METHODIST_MAX)
    await nina.send("/export")
    await nina.press(nina.button(YEAR_LABEL))
    await nina.press(nina.button(russian("report.kind.both")))
    deadline = asyncio.get_running_loop().time() + 60
    while len([m for m in nina.messages if m.files]) < 2:
        assert asyncio.get_running_loop().time() < deadline, [m.text for m in nina.messages]
        await asyncio.sleep(0.1)
    files = [message.files[0] for message in nina.messages if message.files]
    names = [file.file_name for file in files]
    assert names == [f"monitoring-{YEAR}-09-01.xlsx", f"spravka-{YEAR}-09-01.docx"]
    report = docx.Document(io.BytesIO(files[1].content))
    text = "\n".join(paragraph.text for paragraph in report.paragraphs)
    assert "Территория: Павлоградский район" in text
    assert "всего 3 программы, 4 пары и 1 группа" in text
    await max_harness.edge.services.jobs.wait()
    assert not list(max_harness.settings.export_dir.glob("monitoring-*"))  # nothing left
