"""Status pages: counts at the top, one block per pair (or per organization of a
district), pages that always fit one message of the reader's channel: the texts are put in
the reader's language here (`say`) because what fits depends on their length."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.screens import Msg, Text, counted
from storage.repositories.status import FORMING, OrganizationSummary, PairReport
from surveys.statuses import PairStatus

PAGE_SIZE = 8
DISTRICT_PAGE_SIZE = 15
NAME_MAX = 40
MEMBERS_SHOWN = 6

Say = Callable[[Text], str]  # a text in the reader's language


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


def _short(say: Say, name: str | None) -> str:
    if name is None:
        return say(Msg("curator.status.forgotten"))
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"


def _block(say: Say, status: PairReport) -> str:
    lines = [
        say(
            Msg(
                "curator.status.pair",
                {
                    "number": status.number if status.number is not None else "—",
                    "programme": _short(say, status.programme_title),
                    "status": Msg(f"curator.pair.status.{status.status}"),
                },
            )
        )
    ]
    for member in status.members[:MEMBERS_SHOWN]:
        mark = "✅" if member.registered else "⏳"
        suffix = "" if member.registered else " " + say(Msg("curator.status.not_registered"))
        role = say(Msg(f"role.{member.role}"))
        lines.append(f"  {mark} {_short(say, member.name)} ({role}){suffix}")
    hidden = len(status.members) - MEMBERS_SHOWN
    if hidden > 0:
        lines.append("  " + say(Msg("curator.status.more", {"count": hidden})))
    if status.status != FORMING:
        last = status.last_activity.strftime("%d.%m.%Y") if status.last_activity else "—"
        answers = {
            "answered": status.answered,
            "sent": status.sent,
            "pending": status.pending,
            "last": last,
        }
        lines.append("  " + say(Msg("curator.status.answers", answers)))
        if status.undelivered:
            lines.append("  " + say(counted("curator.status.undelivered", status.undelivered)))
    return "\n".join(lines)


def _counts(say: Say, statuses: Sequence[PairReport]) -> str:
    formed = [s for s in statuses if s.status != FORMING]
    members = [m for s in statuses for m in s.members]
    counts = {
        "pairs": len(formed),
        "completed": sum(1 for s in formed if s.status == PairStatus.COMPLETED),
        "forming": len(statuses) - len(formed),
        "registered": sum(1 for m in members if m.registered),
        "members": len(members),
        "sent": sum(s.sent for s in formed),
        "answered": sum(s.answered for s in formed),
        "pending": sum(s.pending for s in formed),
    }
    text = say(Msg("curator.status.counts", counts))
    undelivered = sum(s.undelivered for s in formed)
    if undelivered:  # the curator can reach them another way; a plain count would hide it
        text += "\n" + say(counted("curator.status.undelivered", undelivered))
    return text


def organization_page(
    org_name: str,
    statuses: Sequence[PairReport],
    wanted: StatusFilter,
    page: int,
    say: Say,
    limit: int,
) -> StatusPage:
    """One page of an organization's pairs under a filter, at most `limit` characters."""
    shown = [status for status in statuses if matches(status, wanted)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown_as = {
        "filter": Msg(f"curator.status.filter.{wanted.value}"),
        "page": page + 1,
        "pages": pages,
    }
    head = "\n".join(
        [
            say(Msg("curator.status.title", {"organization": _short(say, org_name)})),
            _counts(say, statuses),
            say(Msg("curator.status.filter", shown_as)),
        ]
    )
    blocks = [_block(say, s) for s in shown[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    if not blocks:
        blocks = [say(Msg("curator.status.empty"))]
    return StatusPage(_fit(head, blocks, limit), page, pages)


def district_page(
    district: str, summaries: Sequence[OrganizationSummary], page: int, say: Say, limit: int
) -> StatusPage:
    pages = max(1, -(-len(summaries) // DISTRICT_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    total_sent = sum(s.sent for s in summaries)
    title = {
        "district": _short(say, district),
        "organizations": len(summaries),
        "pairs": sum(s.pairs for s in summaries),
        "mentors": sum(s.mentors for s in summaries),
        "mentees": sum(s.mentees for s in summaries),
        "completed": sum(s.completed for s in summaries),
        "rate": _rate(sum(s.answered for s in summaries), total_sent),
        "page": page + 1,
        "pages": pages,
    }
    head = say(Msg("curator.district.title", title))
    blocks = [
        say(
            Msg(
                "curator.district.line",
                {
                    "number": index,
                    "organization": _short(say, s.name),
                    "pairs": s.pairs,
                    "completed": s.completed,
                    "mentors": s.mentors,
                    "mentees": s.mentees,
                    "rate": _rate(s.answered, s.sent),
                },
            )
        )
        for index, s in enumerate(
            summaries[page * DISTRICT_PAGE_SIZE : (page + 1) * DISTRICT_PAGE_SIZE],
            start=page * DISTRICT_PAGE_SIZE + 1,
        )
    ]
    text = _fit(head, blocks or [say(Msg("curator.district.empty"))], limit)
    return StatusPage(text, page, pages)


def _rate(answered: int, sent: int) -> str:
    return f"{round(100 * answered / sent)}%" if sent else "—"


def _fit(head: str, blocks: Sequence[str], limit: int) -> str:
    """Head and as many blocks as fit; the cap is a guarantee, the page size the norm."""
    text = head
    for block in blocks:
        candidate = f"{text}\n\n{block}"
        if len(candidate) > limit - 20:
            return text + "\n\n…"
        text = candidate
    return text
