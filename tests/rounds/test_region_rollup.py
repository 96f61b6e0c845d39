"""The region's workbook rolls up region → districts → schools: every district row adds up
its schools, the region total adds up the districts, and masking applies at every level.
On SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports.workbook import ExportOptions
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor, Grant
from surveys.people import Role
from tests.support.export_data import build_dataset
from tests.support.export_helpers import export_to, russian, table

ADDITIVE = ("pairs", "groups", "mentors", "mentees", "completed", "sent", "submitted")


def col(key: str) -> str:
    return russian(f"export.col.{key}")


async def test_districts_add_up_their_schools_and_the_region_its_districts(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await build_dataset(session_factory)
    coordinator = Actor(1, grants=(Grant(Role.COORDINATOR),))
    options = ExportOptions(include_register=False)
    workbook = await export_to(
        session_factory, coordinator, ExportScope(), tmp_path / "region.xlsx", options
    )
    rows = table(workbook[russian("export.sheet.summary")])
    district_label = russian("export.municipality_total")
    schools = [r for r in rows if r[col("organization")] not in (None, district_label)]
    districts = {
        r[col("municipality")]: r for r in rows if r[col("organization")] == district_label
    }
    total = next(r for r in rows if r[col("organization")] is None)
    assert set(districts) == {"Павлоградский район", "Петушинский район"}
    for name, district in districts.items():
        members = [r for r in schools if r[col("municipality")] == name]
        assert members
        for key in ADDITIVE:
            assert district[col(key)] == sum(r[col(key)] for r in members), (name, key)
        if district[col("sent")]:
            rate = district[col("submitted")] / district[col("sent")]
            assert abs(district[col("response_rate")] - rate) < 1e-9
    for key in ADDITIVE:
        assert total[col(key)] == sum(d[col(key)] for d in districts.values()), key

    # M01's mentors answered in number (A 8, F 10, H 9: three people) → their mean; M02
    # rests on one mentor and one mentee → masked, in the district row as in its school's.
    m01, m02 = districts["Павлоградский район"], districts["Петушинский район"]
    assert m01[col("mean_mentors")] == 9
    for role in ("mean_mentors", "mean_mentees"):
        assert isinstance(m02[col(role)], str), m02[col(role)]
        school = next(r for r in schools if r[col("municipality")] == "Петушинский район")
        assert school[col(role)] == m02[col(role)]
