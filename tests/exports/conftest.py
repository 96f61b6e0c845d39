from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BotHarness


@pytest.fixture
def private_export_dir(harness: BotHarness, tmp_path: Path) -> None:
    """Exports written to this test's own folder, so that «nothing left» can be checked."""
    harness.settings.export_dir = tmp_path / "exports"
