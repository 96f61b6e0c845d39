"""The rules of pairs and groups: one mentor with one or more mentees from the programme's
organization; a person may be in several active pairs only as a mentor; only an active
pair changes. Each refusal names its catalogue text (`curator.pair.problem.<problem>`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from surveys.errors import Refused
from surveys.people import Role
from surveys.statuses import PairStatus, ProgrammeStatus, can_move


class PairProblem(StrEnum):
    NO_MENTEES = "no_mentees"
    NOT_IN_ORGANIZATION = "not_in_organization"
    MENTEE_TAKEN = "mentee_taken"  # already in another active pair
    MENTOR_IS_MENTEE = "mentor_is_mentee"  # a mentee elsewhere cannot mentor too
    PROGRAMME_CLOSED = "programme_closed"
    NUMBER_TAKEN = "number_taken"
    ALREADY_STARTED = "already_started"  # answers exist: a pair that started is not dissolved
    NOT_ACTIVE = "not_active"
    LAST_MENTEE = "last_mentee"  # a pair keeps at least one mentee; dissolve it instead
    NOT_A_MEMBER = "not_a_member"


class PairRefused(Refused):
    def __init__(self, problem: PairProblem) -> None:
        super().__init__(f"curator.pair.problem.{problem.value}")
        self.problem = problem


def mentees_of(mentor_id: int, mentee_ids: Iterable[int]) -> list[int]:
    """The mentees of a pair being formed: each once, never the mentor."""
    return sorted(set(mentee_ids) - {mentor_id})


def people_problem(
    present: Collection[int],
    busy: Mapping[int, Collection[str]],
    mentor_id: int,
    mentees: Collection[int],
) -> PairProblem | None:
    """Why these people cannot be paired, given who of them belongs to the organization
    (`present`) and the roles each holds in active pairs (`busy`); None when they can."""
    if any(person not in present for person in (mentor_id, *mentees)):
        return PairProblem.NOT_IN_ORGANIZATION
    if any(mentee in busy for mentee in mentees):
        return PairProblem.MENTEE_TAKEN  # a mentee is in one active pair, in any role
    if Role.MENTEE.value in busy.get(mentor_id, ()):
        return PairProblem.MENTOR_IS_MENTEE
    return None


def require_people(
    present: Collection[int],
    busy: Mapping[int, Collection[str]],
    mentor_id: int,
    mentees: Collection[int],
) -> None:
    problem = people_problem(present, busy, mentor_id, mentees)
    if problem is not None:
        raise PairRefused(problem)


def require_open_programme(status: str) -> None:
    """No new pairs in a finished programme."""
    if ProgrammeStatus(status) is ProgrammeStatus.COMPLETED:
        raise PairRefused(PairProblem.PROGRAMME_CLOSED)


def require_move(status: str, target: PairStatus) -> None:
    """Completing or dissolving: only from a status the lifecycle allows."""
    if not can_move(PairStatus(status), target):
        raise PairRefused(PairProblem.NOT_ACTIVE)


def require_working(status: str) -> None:
    """Members change only while the pair works: while it may still be completed."""
    require_move(status, PairStatus.COMPLETED)


def require_removable(mentees: Collection[int], person_id: int) -> None:
    if person_id not in mentees:
        raise PairRefused(PairProblem.NOT_A_MEMBER)
    if len(mentees) == 1:
        raise PairRefused(PairProblem.LAST_MENTEE)


@dataclass(frozen=True)
class PairPlan:
    """A pair or group to form: its mentor, mentees and number (None: the next free one)."""

    mentor_id: int
    mentee_ids: tuple[int, ...]
    number: int | None = None

    @property
    def people(self) -> tuple[int, ...]:
        return (self.mentor_id, *self.mentee_ids)

    @property
    def mentees(self) -> list[int]:
        return mentees_of(self.mentor_id, self.mentee_ids)


class FormingCheck:
    """The rules of forming, applied to plans one after the other against what the
    database holds (`present`, `busy`, the programme's pair `numbers`) and what the plans
    before took: plain data, no queries."""

    def __init__(self, present: set[int], busy: dict[int, set[str]], numbers: set[int]) -> None:
        self.present = present
        self.busy = busy
        self.numbers = numbers
        self.highest = max(numbers, default=0)

    def take(self, plan: PairPlan) -> int | PairProblem:
        """The plan's number when it may be formed (and its people and number are taken
        from now on), or why not."""
        mentees = plan.mentees
        if not mentees:
            return PairProblem.NO_MENTEES
        problem = people_problem(self.present, self.busy, plan.mentor_id, mentees)
        if problem is not None:
            return problem
        number = plan.number
        if number is None:
            number = self.highest + 1  # after the highest so far, as the curator counts
        elif number in self.numbers:
            return PairProblem.NUMBER_TAKEN
        self.numbers.add(number)
        self.highest = max(self.highest, number)
        self.busy.setdefault(plan.mentor_id, set()).add(Role.MENTOR.value)
        for mentee in mentees:
            self.busy.setdefault(mentee, set()).add(Role.MENTEE.value)
        return number
