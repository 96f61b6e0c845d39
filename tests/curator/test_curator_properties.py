"""Properties: every roster row is either imported or reported, never both, never lost;
every status page fits in one Telegram message whatever the names and counts."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from app.curator.status_views import StatusFilter, district_page, organization_page
from bot import render
from bot.i18n import create_i18n
from bot.telegram.screens import MESSAGE_LIMIT
from storage.repositories.status import MemberStatus, OrganizationSummary, PairReport
from surveys.roster_rules import check_rows, header_columns

COLUMNS, _ = header_columns(["ФИО", "Категория", "Класс", "Роль", "Номер пары/группы"])
I18N = create_i18n("ru")
SAY = partial(render.text, I18N)

cells = st.one_of(
    st.none(),
    st.integers(-5, 20),
    st.sampled_from(["ученик", "педагог", "наставник", "наставляемый", "=1+1", "", "14"]),
    st.text(max_size=30),
)
rows = st.lists(st.tuples(cells, cells, cells, cells, cells), max_size=40)


@given(rows)
@settings(max_examples=200)
def test_every_row_is_imported_or_reported(raw: list[tuple[object, ...]]) -> None:
    numbered = list(enumerate(raw, start=2))
    result = check_rows(COLUMNS, numbered)
    imported = {row.row_number for row in result.rows}
    reported = result.rejected_rows
    blank = {n for n, values in numbered if all(str(v or "").strip() == "" for v in values)}
    assert not imported & reported
    assert imported | reported | blank == {n for n, _values in numbered}


names = st.text(min_size=1, max_size=300)
members = st.lists(
    st.builds(
        MemberStatus,
        st.one_of(st.none(), names),
        st.sampled_from(["mentor", "mentee"]),
        st.booleans(),
    ),
    max_size=30,
)
statuses = st.lists(
    st.builds(
        PairReport,
        st.none(),
        names,
        st.one_of(st.none(), st.integers(1, 10**9)),
        st.sampled_from(["active", "completed", "forming"]),
        members.map(tuple),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        st.one_of(st.none(), st.just(datetime(2026, 11, 23, tzinfo=UTC))),
    ),
    max_size=60,
)


@given(statuses, st.sampled_from(list(StatusFilter)), st.integers(-3, 20), names)
@settings(max_examples=100)
def test_a_status_page_always_fits_one_message(
    pairs: list[PairReport], wanted: StatusFilter, page: int, org: str
) -> None:
    with I18N.context(), I18N.use_locale("ru"):
        view = organization_page(org, pairs, wanted, page, SAY, MESSAGE_LIMIT)
    assert len(view.text) <= MESSAGE_LIMIT
    assert 0 <= view.page < view.pages


summaries = st.lists(
    st.builds(OrganizationSummary, st.integers(1, 10**6), names, *[st.integers(0, 10**6)] * 6),
    max_size=200,
)


@given(summaries, st.integers(-3, 30), names)
@settings(max_examples=100)
def test_a_district_page_always_fits_one_message(
    orgs: list[OrganizationSummary], page: int, district: str
) -> None:
    with I18N.context(), I18N.use_locale("ru"):
        view = district_page(district, orgs, page, SAY, MESSAGE_LIMIT)
    assert len(view.text) <= MESSAGE_LIMIT
