"""/export in MAX offers the справка too: the same choice as in Telegram, both files sent."""

from __future__ import annotations

import io

import docx
import pytest

from tests.support.export_data import YEAR
from tests.support.export_helpers import russian
from tests.support.export_people import YEAR_LABEL, district_methodist_in_max
from tests.support.max_harness import MaxHarness

pytestmark = pytest.mark.usefixtures("private_export_dir")


async def test_methodist_in_max_gets_workbook_and_report(max_harness: MaxHarness) -> None:
    _, nina = await district_methodist_in_max(max_harness)
    await nina.send("/export")
    await nina.press(nina.button(YEAR_LABEL))
    await nina.press(nina.button(russian("report.kind.both")))
    files = [message.files[0] for message in await nina.files(2)]
    names = [file.file_name for file in files]
    assert names == [f"monitoring-{YEAR}-09-01.xlsx", f"spravka-{YEAR}-09-01.docx"]
    report = docx.Document(io.BytesIO(files[1].content))
    text = "\n".join(paragraph.text for paragraph in report.paragraphs)
    assert "Территория: Павлоградский район" in text
    assert "всего 3 программы, 4 пары и 1 группа" in text
    await max_harness.edge.services.jobs.wait()
    assert not list(max_harness.settings.export_dir.glob("monitoring-*"))  # nothing left
