"""A curator's programmes: the list, creating one step by step (form and year by buttons,
title and dates typed, each checked as it comes), its card, invitation links per role,
changing its title or dates.

The conversation (which step, what was given so far) is kept by the edge and handed back;
nothing is written before the last step, and the programme is committed before it is
shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta
from typing import Any

from app import policy
from app.curator import views
from app.curator.actions import ProgrammeVerb
from app.curator.reply import Reply, Step, stale
from app.screens import Msg, Screen
from app.uow import UnitOfWork
from storage.models import Programme, utcnow
from storage.repositories.directory import DirectoryRepository
from storage.repositories.programmes import ProgrammeDraft, ProgrammeRepository
from surveys.access import Actor
from surveys.errors import OutOfScope
from surveys.forms import mentoring_form
from surveys.people import Role
from surveys.programme_rules import (
    DateProblem,
    academic_year_choices,
    end_problem,
    normalize_title,
    parse_day,
    title_problem,
)
from surveys.zones import local

LinkFor = Callable[[str], Awaitable[str]]  # an invitation code → the link a person follows
LINK_ROLES = {ProgrammeVerb.LINK_MENTOR: Role.MENTOR, ProgrammeVerb.LINK_MENTEE: Role.MENTEE}


def today() -> date:
    return utcnow().date()


class Programmes:
    """The programme use cases of one curator; `uow` is the update's unit of work."""

    def __init__(self, uow: UnitOfWork, actor: Actor, locale: str) -> None:
        self.uow = uow
        self.actor = actor
        self.locale = locale  # mentoring forms are named in the reader's language
        self.programmes = ProgrammeRepository(uow.session)

    async def overview(self) -> Reply:
        """/programmes: the curator's programmes and a button for a new one."""
        own = sorted(self.actor.organizations(Role.CURATOR))
        programmes = await self.programmes.of_organizations(own)
        return Reply((views.programme_list(programmes),), step=None)

    # --- creating, step by step ------------------------------------------------------

    async def start_new(self, organization_id: int) -> Reply:
        """«Новая программа»; a curator of several schools says which one first."""
        own = sorted(self.actor.organizations(Role.CURATOR))
        if not own or (organization_id and organization_id not in own):
            raise OutOfScope()
        if not organization_id and len(own) > 1:
            organizations = await DirectoryRepository(self.uow.session).organizations(own)
            return Reply((views.organization_choice(organizations),))
        return Reply(
            (views.form_choice(self.locale),),
            drop=True,
            step=Step.FORM,
            restart=True,
            data={"organization_id": organization_id or own[0]},
        )

    def choose_form(self, form: str) -> Reply:
        offered = mentoring_form(form) is not None
        key = "curator.programme.ask_title"
        return _chosen(offered, key, Step.TITLE, {"form": form})

    def give_title(self, typed: str) -> Reply:
        title = normalize_title(typed)
        problem = title_problem(title)
        if problem is not None:
            return Reply((Screen((Msg(f"curator.programme.title_problem.{problem.value}"),)),))
        choices = academic_year_choices(today())
        return Reply((views.year_choice(choices),), step=Step.YEAR, data={"title": title})

    def choose_year(self, year: str) -> Reply:
        offered = year in academic_year_choices(today())
        key = "curator.programme.ask_start"
        return _chosen(offered, key, Step.STARTS_ON, {"academic_year": year})

    def give_start(self, typed: str) -> Reply:
        day = parse_day(typed, today())
        if isinstance(day, DateProblem):
            return _date_problem(day)
        return Reply(
            (Screen.of("curator.programme.ask_end"),),
            step=Step.ENDS_ON,
            data={"starts_on": day.isoformat()},
        )

    async def give_end(self, typed: str, given: Mapping[str, Any]) -> Reply:
        """The last step: the programme is created from what was given."""
        day = parse_day(typed, today())
        starts_on = date.fromisoformat(given["starts_on"])
        problem = day if isinstance(day, DateProblem) else end_problem(starts_on, day)
        if problem is not None:
            return _date_problem(problem)
        assert isinstance(day, date)
        draft = ProgrammeDraft(
            organization_id=int(given["organization_id"]),
            form=str(given["form"]),
            title=str(given["title"]),
            academic_year=str(given["academic_year"]),
            starts_on=starts_on,
            ends_on=day,
        )
        policy.require_curator_of(self.actor, draft.organization_id)
        await self.uow.write()
        programme = await self.programmes.create(draft, self.actor.person_id)
        await self.uow.commit()
        card = await self._card(programme)
        return Reply((Screen.of("curator.programme.created"), card), step=None)

    # --- one programme ---------------------------------------------------------------

    async def open(self, programme_id: int) -> Reply:
        programme = await policy.programme_to_change(self.uow.session, self.actor, programme_id)
        return Reply((await self._card(programme),), drop=True, step=None)

    async def link(
        self, programme_id: int, verb: str, ttl: timedelta, max_uses: int, link_for: LinkFor
    ) -> Reply:
        """A shared invitation link for the programme's mentors or mentees."""
        role = LINK_ROLES.get(ProgrammeVerb(verb))
        if role is None:
            return stale()
        programme = await policy.programme_to_change(self.uow.session, self.actor, programme_id)
        await self.uow.write()
        invite = await self.programmes.invite(self.actor, programme, role, ttl, max_uses)
        await self.uow.commit()
        link = await link_for(invite.code)
        zone_name = await DirectoryRepository(self.uow.session).time_zone(programme.organization_id)
        expires = local(invite.expires_at, zone_name)
        return Reply((views.programme_link(role.value, link, expires, invite.max_uses),))

    async def fields(self, programme_id: int) -> Reply:
        """«Изменить»: what can be changed."""
        programme = await policy.programme_to_change(self.uow.session, self.actor, programme_id)
        return Reply((views.programme_fields(programme.id),))

    async def ask_value(self, programme_id: int, verb: str) -> Reply:
        programme = await policy.programme_to_change(self.uow.session, self.actor, programme_id)
        field = verb.removeprefix("edit_")
        if field not in views.EDITABLE:
            return stale()
        return Reply(
            (Screen((Msg(f"curator.programme.edit.ask_{field}"),)),),
            drop=True,
            step=Step.NEW_VALUE,
            restart=True,
            data={"programme_id": programme.id, "field": field},
        )

    async def give_value(self, typed: str, given: Mapping[str, Any]) -> Reply:
        """The new title or date; a wrong one is explained and may be typed again."""
        field = str(given["field"])
        programme = await policy.programme_to_change(
            self.uow.session, self.actor, int(given["programme_id"])
        )
        if field == "title":
            title = normalize_title(typed)
            title_issue = title_problem(title)
            if title_issue is not None:
                key = f"curator.programme.title_problem.{title_issue.value}"
                return Reply((Screen((Msg(key),)),))
            await self.uow.write()
            await self.programmes.change(programme, title=title)
        else:
            day = parse_day(typed, today())
            if isinstance(day, DateProblem):
                return _date_problem(day)
            starts = day if field == "starts_on" else programme.starts_on
            ends = day if field == "ends_on" else programme.ends_on
            problem = end_problem(starts, ends)
            if problem is not None:
                return _date_problem(problem)
            await self.uow.write()
            await self.programmes.change(programme, starts_on=starts, ends_on=ends)
        await self.uow.commit()
        return Reply((await self._card(programme),), step=None)

    async def _card(self, programme: Programme) -> Screen:
        counts = await self.programmes.counts(programme.id)
        return views.programme_card(programme, counts, self.locale)


def _chosen(offered: bool, ask: str, step: Step, data: Mapping[str, Any]) -> Reply:
    """A button pressed at a step: the next question (the buttons dropped), or `stale` for
    a choice no longer offered."""
    if not offered:
        return stale()
    return Reply((Screen.of(ask),), drop=True, step=step, data=data)


def _date_problem(problem: DateProblem) -> Reply:
    return Reply((Screen((Msg(f"curator.date_problem.{problem.value}"),)),))
