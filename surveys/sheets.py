"""One person's questionnaire being answered: the assignment's state, its questionnaire (the
version it was issued under) and the answers stored so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from surveys.errors import AlreadyAnswered, DomainError, Expired
from surveys.questionnaire import Question, Questionnaire, Response, is_complete, next_question
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus


@dataclass
class Sheet:
    id: int
    status: AssignmentStatus
    due_at: datetime
    questionnaire: Questionnaire
    answers: dict[str, Response]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASSIGNMENT

    @property
    def current(self) -> Question | None:
        """The first visible question not answered yet; None when ready to submit."""
        return next_question(self.questionnaire, self.answers)

    @property
    def complete(self) -> bool:
        return is_complete(self.questionnaire, self.answers)

    def closed_error(self) -> DomainError:
        """Why this sheet takes no more answers: sent already, or past its due date."""
        if self.status is AssignmentStatus.SUBMITTED:
            return AlreadyAnswered()
        return Expired(due=self.due_at.strftime("%d.%m.%Y"))

    def ensure_open(self) -> None:
        if not self.is_open:
            raise self.closed_error()


@dataclass(frozen=True)
class PendingItem:
    """A questionnaire still to answer, as listed by /survey."""

    assignment_id: int
    title: str
    due_at: datetime  # on the wall clock of the person's school (surveys.zones)
    started: bool
