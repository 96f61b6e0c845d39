"""Status texts: counts at the top, one block per pair, pages that always fit in one
Telegram message (4,096 characters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from aiogram.utils.i18n import gettext as _

from storage.repositories.status import FORMING, OrganizationSummary, PairReport
from surveys.statuses import PairStatus

MESSAGE_LIMIT = 4096
PAGE_SIZE = 8
DISTRICT_PAGE_SIZE = 15
NAME_MAX = 40
MEMBERS_SHOWN = 6


class StatusFilter(StrEnum):
    ALL = "all"
    NOT_REGISTERED = "unreg"
    NOT_ANSWERED = "unans"
    COMPLETED = "done"


def matches(status: PairReport, wanted: StatusFilter) -> bool:
    if wanted is StatusFilter.NOT_REGISTERED:
        return not status.everyone_registered
    if wanted is StatusFilter.NOT_ANSWERED:
        return status.pending > 0
    if wanted is StatusFilter.COMPLETED:
        return status.status == PairStatus.COMPLETED
    return True


@dataclass(frozen=True)
class StatusPage:
    text: str
    page: int
    pages: int


def _short(name: str | None) -> str:
    if name is None:
        return _("curator.status.forgotten")
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"


def _block(status: PairReport) -> str:
    lines = [
        _("curator.status.pair").format(
            number=status.number if status.number is not None else "—",
            programme=_short(status.programme_title),
            status=_(f"curator.pair.status.{status.status}"),
        )
    ]
    for member in status.members[:MEMBERS_SHOWN]:
        mark = "✅" if member.registered else "⏳"
        suffix = "" if member.registered else " " + _("curator.status.not_registered")
        lines.append(f"  {mark} {_short(member.name)} ({_(f'role.{member.role}')}){suffix}")
    hidden = len(status.members) - MEMBERS_SHOWN
    if hidden > 0:
        lines.append("  " + _("curator.status.more").format(count=hidden))
    if status.status != FORMING:
        last = status.last_activity.strftime("%d.%m.%Y") if status.last_activity else "—"
        lines.append(
            "  "
            + _("curator.status.answers").format(
                answered=status.answered, sent=status.sent, pending=status.pending, last=last
            )
        )
    return "\n".join(lines)


def _counts(statuses: Sequence[PairReport]) -> str:
    formed = [s for s in statuses if s.status != FORMING]
    members = [m for s in statuses for m in s.members]
    return _("curator.status.counts").format(
        pairs=len(formed),
        completed=sum(1 for s in formed if s.status == PairStatus.COMPLETED),
        forming=len(statuses) - len(formed),
        registered=sum(1 for m in members if m.registered),
        members=len(members),
        sent=sum(s.sent for s in formed),
        answered=sum(s.answered for s in formed),
        pending=sum(s.pending for s in formed),
    )


def organization_page(
    org_name: str, statuses: Sequence[PairReport], wanted: StatusFilter, page: int
) -> StatusPage:
    shown = [status for status in statuses if matches(status, wanted)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    head = "\n".join(
        [
            _("curator.status.title").format(organization=_short(org_name)),
            _counts(statuses),
            _("curator.status.filter").format(
                filter=_(f"curator.status.filter.{wanted.value}"), page=page + 1, pages=pages
            ),
        ]
    )
    blocks = [_block(s) for s in shown[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    if not blocks:
        blocks = [_("curator.status.empty")]
    return StatusPage(_fit(head, blocks), page, pages)


def district_page(district: str, summaries: Sequence[OrganizationSummary], page: int) -> StatusPage:
    pages = max(1, -(-len(summaries) // DISTRICT_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    total_sent = sum(s.sent for s in summaries)
    head = _("curator.district.title").format(
        district=_short(district),
        organizations=len(summaries),
        pairs=sum(s.pairs for s in summaries),
        mentors=sum(s.mentors for s in summaries),
        mentees=sum(s.mentees for s in summaries),
        completed=sum(s.completed for s in summaries),
        rate=_rate(sum(s.answered for s in summaries), total_sent),
        page=page + 1,
        pages=pages,
    )
    blocks = [
        _("curator.district.line").format(
            number=index,
            organization=_short(s.name),
            pairs=s.pairs,
            completed=s.completed,
            mentors=s.mentors,
            mentees=s.mentees,
            rate=_rate(s.answered, s.sent),
        )
        for index, s in enumerate(
            summaries[page * DISTRICT_PAGE_SIZE : (page + 1) * DISTRICT_PAGE_SIZE],
            start=page * DISTRICT_PAGE_SIZE + 1,
        )
    ]
    return StatusPage(_fit(head, blocks or [_("curator.district.empty")]), page, pages)


def _rate(answered: int, sent: int) -> str:
    return f"{round(100 * answered / sent)}%" if sent else "—"


def _fit(head: str, blocks: Sequence[str]) -> str:
    """Head and as many blocks as fit; the cap is a guarantee, the page size the norm."""
    text = head
    for block in blocks:
        candidate = f"{text}\n\n{block}"
        if len(candidate) > MESSAGE_LIMIT - 20:
            return text + "\n\n…"
        text = candidate
    return text
