"""/status: a curator sees every pair of their organization (filters, pages, an xlsx, a
"remind now" button); a methodist sees their district per organization and opens one; an
admin picks a district first. The figures come from the read model
(storage/repositories/status.py); scope is app.policy's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app import policy
from app.curator.actions import OnStatus, ShowDistrict, ShowStatus, StatusVerb
from app.curator.questionnaires import Notices
from app.curator.reply import Document, Reply, stale
from app.curator.status_views import (
    Say,
    StatusFilter,
    StatusPage,
    district_page,
    organization_page,
)
from app.monitoring.actions import SendCheckins
from app.monitoring.screens import Rounds
from app.screens import Button, Label, Msg, Row, Screen
from app.uow import UnitOfWork
from exports.status_workbook import status_workbook
from storage.models import utcnow
from storage.repositories.directory import DirectoryRepository
from storage.repositories.status import PairReport, StatusRepository
from storage.sqlite_inline import off_the_loop
from surveys.access import Actor
from surveys.people import Role

DISTRICT_BUTTONS = 50
LABEL_MAX = 60
STATUS_COLUMNS = (
    "programme",
    "number",
    "status",
    "mentor",
    "mentees",
    "unregistered",
    "sent",
    "answered",
    "pending",
    "last",
)


@dataclass(frozen=True)
class Reader:
    """How the reader's channel shows a page: texts in their language, a message limit."""

    say: Say
    limit: int


class Status:
    def __init__(self, uow: UnitOfWork, actor: Actor, reader: Reader) -> None:
        self.uow = uow
        self.actor = actor
        self.reader = reader
        self.status = StatusRepository(uow.session)
        self.directory = DirectoryRepository(uow.session)

    async def overview(self) -> Reply:
        """Every screen the actor's roles give: the district picker (admin, regional
        coordinator), each district (methodist), each organization (curator)."""
        screens: list[Screen] = []
        if self.actor.covers_region:
            districts = await self.directory.municipalities(limit=DISTRICT_BUTTONS)
            rows = tuple(
                (Button(district.name[:LABEL_MAX], ShowDistrict(district.id, 0)),)
                for district in districts
            )
            screens.append(Screen.of("curator.district.pick", rows))
        for municipality_id in sorted(self.actor.municipalities(Role.METHODIST)):
            screens.append(await self.district(municipality_id, 0))
        rounds = Rounds(self.uow, self.actor)
        for org in await self.directory.organizations(
            sorted(self.actor.organizations(Role.CURATOR))
        ):
            missing = await rounds.for_school(org.id, org.name, org.timezone)
            if missing is not None:  # an open monitoring round: what it still waits for
                screens.append(missing)
            screens.append(await self._organization(org.id, org.name, StatusFilter.ALL, 0))
        return Reply(tuple(screens), step=None)

    async def district(self, municipality_id: int, page: int) -> Screen:
        policy.require_municipality_in_view(self.actor, municipality_id)
        with off_the_loop():  # a long read: let other updates run meanwhile
            summaries = await self.status.municipality_summary(municipality_id)
        district = await self.directory.municipality(municipality_id)
        name = district.name if district else "—"
        view = district_page(name, summaries, page, self.reader.say, self.reader.limit)
        size = len(summaries) and -(-len(summaries) // view.pages)
        rows: list[Row] = [
            (Button(summary.name[:LABEL_MAX], ShowStatus(summary.organization_id, "all", 0)),)
            for summary in summaries[view.page * size : (view.page + 1) * size]
        ]
        rows += _navigation(view, lambda target: ShowDistrict(municipality_id, target))
        return Screen((view.text,), tuple(rows))

    async def organization(self, organization_id: int, view: str, page: int) -> Screen | Reply:
        """A page of the organization's pairs; a filter we do not know is a stale button."""
        try:
            wanted = StatusFilter(view)
        except ValueError:
            return stale()
        org = await policy.organization_in_view(self.uow.session, self.actor, organization_id)
        return await self._organization(org.id, org.name, wanted, page)

    async def _organization(
        self, organization_id: int, name: str, wanted: StatusFilter, page: int
    ) -> Screen:
        with off_the_loop():  # a long read: let other updates run meanwhile
            statuses = await self.status.organization_pairs(organization_id)
        view = organization_page(name, statuses, wanted, page, self.reader.say, self.reader.limit)
        filters = [
            Button(_filter_label(option, wanted), ShowStatus(organization_id, option.value, 0))
            for option in StatusFilter
        ]
        rows: list[Row] = [tuple(filters[at : at + 2]) for at in range(0, len(filters), 2)]
        rows += _navigation(view, lambda target: ShowStatus(organization_id, wanted.value, target))
        actions = [
            Button(Msg("curator.status.button.xlsx"), OnStatus(StatusVerb.XLSX, organization_id))
        ]
        if organization_id in self.actor.organizations(Role.CURATOR):
            remind = OnStatus(StatusVerb.REMIND, organization_id)
            actions.append(Button(Msg("curator.status.button.remind"), remind))
        rows.append(tuple(actions))
        if organization_id in self.actor.organizations(Role.CURATOR):
            checkin = SendCheckins(organization_id, False)  # the mid-programme questionnaire
            rows.append((Button(Msg("rounds.button.school_checkin"), checkin),))
        return Screen((view.text,), tuple(rows))

    async def xlsx(self, organization_id: int) -> Reply:
        org = await policy.organization_in_view(self.uow.session, self.actor, organization_id)
        with off_the_loop():  # a long read: let other updates run meanwhile
            statuses = await self.status.organization_pairs(org.id)
        say = self.reader.say
        header = [say(Msg(f"curator.status.col.{name}")) for name in STATUS_COLUMNS]
        content = status_workbook(say(Msg("curator.status.sheet")), header, _rows(say, statuses))
        caption = Msg("curator.status.xlsx_caption", {"organization": org.name[:200]})
        return Reply(documents=(Document(f"status_{org.code}.xlsx", content, caption),))

    async def remind(self, organization_id: int, notices: Notices) -> Reply:
        """«Напомнить сейчас»: one reminder per open questionnaire of the organization, at
        most one per questionnaire an hour (a double tap queues nothing more)."""
        policy.require_curator_of(self.actor, organization_id)
        org = await policy.organization_in_view(self.uow.session, self.actor, organization_id)
        assignments = await self.status.open_assignments(org.id)
        occasion = f"manual:{utcnow():%Y-%m-%dT%H}"
        await self.uow.write()
        queued = 0
        for assignment in assignments:
            queued += await notices.reminder(self.uow.session, assignment, occasion)
        await self.uow.commit()
        reminded = Screen.of("curator.status.reminded", queued=queued, waiting=len(assignments))
        return Reply((reminded,))


def _filter_label(option: StatusFilter, wanted: StatusFilter) -> Label:
    label = Msg(f"curator.status.filter.{option.value}")
    return ("• ", label) if option is wanted else label


def _navigation(view: StatusPage, target: Callable[[int], ShowStatus | ShowDistrict]) -> list[Row]:
    buttons: list[Button] = []
    if view.page > 0:
        buttons.append(Button(Msg("paging.previous"), target(view.page - 1)))
    if view.page + 1 < view.pages:
        buttons.append(Button(Msg("paging.next"), target(view.page + 1)))
    return [tuple(buttons)] if buttons else []


def _rows(say: Say, statuses: list[PairReport]) -> list[list[object]]:
    rows: list[list[object]] = []
    for status in statuses:
        rows.append(
            [
                status.programme_title,
                status.number,
                say(Msg(f"curator.pair.status.{status.status}")),
                _names(say, status, Role.MENTOR),
                _names(say, status, Role.MENTEE),
                sum(1 for m in status.members if not m.registered),
                status.sent,
                status.answered,
                status.pending,
                status.last_activity.strftime("%d.%m.%Y") if status.last_activity else "",
            ]
        )
    return rows


def _names(say: Say, status: PairReport, role: Role) -> str:
    forgotten = say(Msg("curator.status.forgotten"))
    return ", ".join(m.name or forgotten for m in status.members if m.role == role)
