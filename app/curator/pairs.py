"""Pairs and groups of a programme: form them from the roster or by picking people, open
one, change its mentees, complete it (completion questionnaires) or dissolve one that never
started; complete a whole programme. The rules are the domain's (surveys/pairing.py,
surveys/statuses.py); scope is app.policy's; every change is committed before it is told."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app import policy
from app.curator import bulk, views
from app.curator.actions import (
    ChangeMember,
    MemberVerb,
    OnPair,
    OnProgramme,
    PairVerb,
    Pick,
    PickStep,
    ProgrammeVerb,
)
from app.curator.questionnaires import Notices, issue, undelivered
from app.curator.reply import Reply, Step, stale
from app.screens import Msg, Screen, counted
from app.uow import UnitOfWork
from storage.models import Person, Programme
from storage.repositories.pairs import PairRepository
from storage.repositories.programmes import ProgrammeRepository
from storage.repositories.roster import RosterRepository
from surveys.access import Actor
from surveys.errors import Refused
from surveys.pairing import (
    PairProblem,
    PairRefused,
    require_move,
    require_removable,
    require_working,
)
from surveys.people import Role
from surveys.questionnaire import Catalogue, Moment
from surveys.statuses import PairStatus, ProgrammeStatus, can_move

# Buttons per picking screen; a school's registered mentors or mentees fit in this.
PICK_LIMIT = 50
MEMBER_ACTIONS = tuple(MemberVerb)


@dataclass(frozen=True)
class Deadlines:
    """Days people have to answer a questionnaire, from the settings."""

    start: int
    completion: int


class Pairs:
    """The pair use cases of one curator; `uow` is the update's unit of work."""

    def __init__(
        self,
        uow: UnitOfWork,
        actor: Actor,
        catalogue: Catalogue,
        notices: Notices,
        deadlines: Deadlines,
    ) -> None:
        self.uow = uow
        self.actor = actor
        self.catalogue = catalogue
        self.notices = notices
        self.deadlines = deadlines
        self.pairs = PairRepository(uow.session)

    async def overview(self) -> Reply:
        """/pairs: which programme's pairs to show."""
        own = sorted(self.actor.organizations(Role.CURATOR))
        programmes = await ProgrammeRepository(self.uow.session).of_organizations(own)
        return Reply((views.programme_list(programmes, ProgrammeVerb.PAIRS),), step=None)

    async def press(
        self,
        action: OnProgramme | OnPair | ChangeMember | Pick,
        step: str | None,
        given: Mapping[str, Any],
    ) -> Reply:
        """A button of the pairs: a programme's pairs, new pair or completion question; a
        pair's verbs; a member added or removed; a person picked while a pair is formed (at
        `step`, with the conversation's data so far)."""
        match action:
            case OnProgramme(ProgrammeVerb.PAIRS, programme):
                return await self.of_programme(programme)
            case OnProgramme(ProgrammeVerb.NEW_PAIR, programme):
                return await self.start_forming(programme)
            case OnProgramme(_, programme):
                return await self.ask_complete_programme(programme)
            case OnPair(PairVerb.OPEN, pair):
                return await self.open(pair)
            case OnPair(PairVerb.COMPLETE, pair):
                return await self.ask_complete(pair)
            case OnPair(PairVerb.COMPLETE_YES, pair):
                return await self.complete(pair)
            case OnPair(PairVerb.DISSOLVE, pair):
                return await self.dissolve(pair)
            case OnPair(verb, pair):
                return await self.ask_member(verb, pair)
            case ChangeMember(verb, pair, person):
                return await self.change_member(verb, pair, person)
            case Pick(pick, person) if step == Step.MENTOR:
                return await self.pick_mentor(pick, person, given)
            case Pick(pick, person):
                return await self.toggle_mentee(pick, person, given)

    async def of_programme(self, programme_id: int) -> Reply:
        programme = await self._programme(programme_id)
        return Reply((views.pair_list(await self.pairs.of_programme(programme.id)),))

    async def form_from_roster(self, programme_id: int, factory: bulk.Factory) -> bulk.Job:
        """Every roster group whose people have all registered becomes a pair; a group the
        rules refuse (a mentee already paired elsewhere) is left for the curator. Every
        check is made before anything is written, so a refused pair leaves nothing."""
        programme = await self._programme(programme_id)
        groups = await RosterRepository(self.uow.session).ready_groups(programme.id)
        plans = [group.plan for group in groups]
        # The steps write in units of work of their own; on SQLite they would wait for a
        # write this one holds, so it ends first.
        await self.uow.commit()

        async def run(progress: bulk.Progress) -> Msg:
            outcome = await bulk.form_pairs(
                factory,
                self.actor,
                programme.id,
                plans,
                self.catalogue,
                self.notices,
                self.deadlines.start,
                progress,
            )
            if not outcome.numbers:
                return Msg("curator.pair.roster_none", {"refused": outcome.refused})
            formed = {
                "count": len(outcome.numbers),
                "numbers": bulk.number_ranges(outcome.numbers),
                "refused": outcome.refused,
            }
            return Msg("curator.pair.roster_formed", formed)

        def forming(done: int) -> Msg:
            return Msg("curator.pair.roster_progress", {"done": done, "total": len(plans)})

        return bulk.Job(len(plans), run, forming)

    # --- forming by picking people -----------------------------------------------------

    async def start_forming(self, programme_id: int) -> Reply:
        programme = await self._programme(programme_id)
        mentors = await self.pairs.candidates(programme.organization_id, Role.MENTOR)
        if not mentors:
            return Reply((Screen.of("curator.pair.no_candidates"),))
        return Reply(
            (views.people_choice(PickStep.MENTOR, mentors[:PICK_LIMIT], frozenset()),),
            step=Step.MENTOR,
            restart=True,
            data={"programme_id": programme.id, "mentees": []},
        )

    async def pick_mentor(self, step: str, person_id: int, given: Mapping[str, Any]) -> Reply:
        programme = await self._programme(int(given["programme_id"]))
        mentors = await self.pairs.candidates(programme.organization_id, Role.MENTOR)
        mentees = await self.pairs.candidates(programme.organization_id, Role.MENTEE)
        if step != PickStep.MENTOR or person_id not in {p.id for p in mentors}:
            return stale()
        mentees = [person for person in mentees if person.id != person_id]
        if not mentees:
            return Reply((Screen.of("curator.pair.no_candidates"),), drop=True, step=None)
        return Reply(
            (views.people_choice(PickStep.MENTEE, mentees[:PICK_LIMIT], frozenset()),),
            drop=True,
            step=Step.MENTEES,
            data={"mentor_id": person_id, "mentees": []},
        )

    async def toggle_mentee(self, step: str, person_id: int, given: Mapping[str, Any]) -> Reply:
        """A tick or untick; «Готово» (step done) forms the pair."""
        chosen = {int(person) for person in given.get("mentees", [])}
        if step == PickStep.DONE:
            return await self._finish_forming(given, chosen)
        programme = await self._programme(int(given["programme_id"]))
        mentees = [
            person
            for person in await self.pairs.candidates(programme.organization_id, Role.MENTEE)
            if person.id != given.get("mentor_id")
        ]
        if step != PickStep.MENTEE or person_id not in {p.id for p in mentees}:
            return stale()
        chosen ^= {person_id}
        picker = views.people_choice(PickStep.MENTEE, mentees[:PICK_LIMIT], frozenset(chosen))
        return Reply(redraw=picker, data={"mentees": sorted(chosen)})

    async def _finish_forming(self, given: Mapping[str, Any], chosen: set[int]) -> Reply:
        if not chosen:
            return Reply(notice=Msg("curator.pair.problem.no_mentees"), alert=True)
        programme = await self._programme(int(given["programme_id"]))
        await self.uow.write()
        try:
            pair = await self.pairs.form(programme.id, int(given["mentor_id"]), sorted(chosen))
        except PairRefused as refused:
            # Said as a message (nothing was written): the picker stays, the curator may
            # change the selection.
            return Reply((Screen((Msg(refused.message_key),)),))
        await self._issue([pair.id], Moment.START)
        await self.uow.commit()
        return Reply((Screen.of("curator.pair.formed", number=pair.number),), drop=True, step=None)

    # --- one pair ------------------------------------------------------------------------

    async def open(self, pair_id: int) -> Reply:
        pair, programme = await policy.pair_to_change(self.uow.session, self.actor, pair_id)
        members = await self.pairs.members(pair.id)
        return Reply((views.pair_card(pair, programme, members),))

    async def ask_complete(self, pair_id: int) -> Reply:
        pair, _programme = await policy.pair_to_change(self.uow.session, self.actor, pair_id)
        return Reply((views.confirm_pair(pair),))

    async def complete(self, pair_id: int) -> Reply:
        """Completed, and its members get the completion questionnaires."""
        pair, _programme = await policy.pair_to_change(self.uow.session, self.actor, pair_id)
        require_move(pair.status, PairStatus.COMPLETED)
        await self.uow.write()
        await self.pairs.complete(pair)
        issued = await issue(
            self.uow,
            self.catalogue,
            self.notices,
            [pair.id],
            Moment.COMPLETION,
            self.deadlines.completion,
            count_blocked=True,
        )
        await self.uow.commit()
        days = counted("count.days", self.deadlines.completion)
        completed = Msg(
            "curator.pair.completed", {"number": pair.number, "queued": issued.sent, "days": days}
        )
        return Reply((Screen((completed, *undelivered(issued.blocked))),), drop=True)

    async def dissolve(self, pair_id: int) -> Reply:
        """Only a pair that never started (no answers) is dissolved; its questionnaires are
        withdrawn."""
        pair, _programme = await policy.pair_to_change(self.uow.session, self.actor, pair_id)
        require_move(pair.status, PairStatus.DISSOLVED)
        if await self.pairs.has_answers(pair.id):
            raise PairRefused(PairProblem.ALREADY_STARTED)
        await self.uow.write()
        await self.pairs.dissolve(pair)
        await self.uow.commit()
        return Reply((Screen.of("curator.pair.dissolved", number=pair.number),), drop=True)

    async def ask_member(self, verb: str, pair_id: int) -> Reply:
        """The people who can be added to the pair, or its mentees to remove one."""
        pair, programme = await policy.pair_to_change(self.uow.session, self.actor, pair_id)
        people: Sequence[Person]
        if verb == MemberVerb.ADD:
            people = await self.pairs.free_mentees(programme.organization_id)
        else:
            people = await self.pairs.mentees(pair.id)
        if not people:
            return Reply((Screen.of("curator.pair.no_candidates"),))
        return Reply((views.member_choice(MemberVerb(verb), pair.id, people[:PICK_LIMIT]),))

    async def change_member(self, verb: str, pair_id: int, person_id: int) -> Reply:
        if verb not in MEMBER_ACTIONS:
            return stale()
        pair, programme = await policy.pair_to_change(self.uow.session, self.actor, pair_id)
        require_working(pair.status)
        await self.uow.write()
        if verb == MemberVerb.ADD:
            await self.pairs.add_mentee(pair, programme, person_id)
            # Idempotent: only the newcomer gets the starting questionnaire.
            await self._issue([pair.id], Moment.START)
        else:
            mentees = {person.id for person in await self.pairs.mentees(pair.id)}
            require_removable(mentees, person_id)
            await self.pairs.remove_mentee(pair, person_id)
        await self.uow.commit()
        changed = Msg(f"curator.pair.changed.{verb}", {"number": pair.number})
        return Reply((Screen((changed,)),), drop=True)

    # --- the whole programme -------------------------------------------------------------

    async def ask_complete_programme(self, programme_id: int) -> Reply:
        programme = await self._programme(programme_id)
        return Reply((views.confirm_programme(programme),))

    async def complete_programme(self, programme_id: int, factory: bulk.Factory) -> bulk.Job:
        """Every active pair is completed (completion questionnaires), then the programme."""
        programme = await self._programme(programme_id)
        if not can_move(ProgrammeStatus(programme.status), ProgrammeStatus.COMPLETED):
            raise Refused("curator.programme.already_completed")
        active = await self.pairs.count_active(programme.id)
        await self.uow.commit()  # as in form_from_roster: the steps write on their own
        days = self.deadlines.completion

        async def run(progress: bulk.Progress) -> Msg:
            outcome = await bulk.complete_programme(
                factory, self.actor, programme.id, self.catalogue, self.notices, days, progress
            )
            completed = {
                "title": programme.title,
                "pairs": outcome.pairs,
                "queued": outcome.queued,
                "days": counted("count.days", days),
            }
            summary = Msg("curator.programme.completed", completed)
            if not outcome.blocked:
                return summary
            (blocked,) = undelivered(outcome.blocked)
            return Msg(
                "curator.programme.completed_undelivered",
                {"summary": summary, "undelivered": blocked},
            )

        def completing(done: int) -> Msg:
            return Msg("curator.programme.progress", {"done": done, "total": active})

        return bulk.Job(active, run, completing, drop=True)

    # --- shared --------------------------------------------------------------------------

    async def _programme(self, programme_id: int) -> Programme:
        return await policy.programme_to_change(self.uow.session, self.actor, programme_id)

    async def _issue(self, pair_ids: Sequence[int], moment: Moment) -> int:
        days = self.deadlines.start if moment is Moment.START else self.deadlines.completion
        issued = await issue(self.uow, self.catalogue, self.notices, pair_ids, moment, days)
        return issued.queued
