"""Answering questionnaires: list, open, answer, skip, go back, change, submit.

The question to ask comes from the database (the first unanswered visible question), so a
restarted bot continues where the person was. The only conversation state is which answered
question the person chose to change (`Editing`); the edge keeps it and hands it back.
Every answer is committed before the next question is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from app.screens import Msg, Screen, counted
from app.survey.actions import (
    AnswerWith,
    Back,
    Change,
    DoneChoosing,
    SkipQuestion,
    Submit,
    Toggle,
)
from app.survey.views import next_screen, pending_screen, question_screen, selection_keys
from app.uow import UnitOfWork
from storage.repositories.answers import AnswerRepository
from surveys.access import Actor
from surveys.errors import OutOfScope, Stale
from surveys.questionnaire import (
    SKIPPED,
    InvalidAnswer,
    Question,
    QuestionKind,
    Response,
    parse_answer,
    previous_question,
    visible_questions,
)
from surveys.sheets import Sheet

Editing = tuple[int, str]  # (assignment id, key of the answered question being changed)
KEEP: Final = "keep"


@dataclass(frozen=True)
class Turn:
    """What the person sees after a step, and the conversation state to keep."""

    screens: tuple[Screen, ...] = ()
    # The question being changed from now on; KEEP leaves the conversation as it is.
    editing: Editing | Literal["keep"] | None = KEEP
    # Multi choice: the pressed message's buttons are redrawn instead of a new message.
    redraw: Screen | None = None
    # Shown on the pressed button (a pop-up when `alert`) or as a reply to typed text.
    notice: Msg | None = None
    alert: bool = False


QuestionPress = AnswerWith | DoneChoosing | Toggle | SkipQuestion | Back | Change | Submit


class Survey:
    """The use cases of one person answering; `uow` is the update's unit of work."""

    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow = uow
        self.actor = actor
        self.answers = AnswerRepository(uow.session)

    async def overview(self) -> Turn:
        """/survey: what is left to answer; with exactly one, it opens at once."""
        items = await self.answers.pending(self.actor)
        await self.uow.commit()  # overdue assignments were marked expired
        screens = [pending_screen(items)]
        if len(items) == 1:
            sheet = await self.answers.open(self.actor, items[0].assignment_id)
            if sheet is not None and sheet.is_open:
                await self.uow.write()
                await self.answers.start(sheet)
                await self.uow.commit()
                screens.append(next_screen(sheet))
        return Turn(tuple(screens), editing=None)

    async def open(self, assignment_id: int) -> Turn:
        """The invitation's button or the list's: start or resume."""
        sheet = await self._sheet(assignment_id)
        await self.uow.write()
        await self.answers.start(sheet)
        await self.uow.commit()
        screens: list[Screen] = []
        if sheet.current is not None and sheet.answers:
            screens.append(Screen.of("survey.resumed"))
        elif sheet.questionnaire.intro and not sheet.answers:
            screens.append(Screen((sheet.questionnaire.intro,)))
        screens.append(next_screen(sheet))
        return Turn(tuple(screens), editing=None)

    async def press(self, action: QuestionPress, editing: Editing | None) -> Turn:
        """A questionnaire's button (all but the invitation's «Начать анкету», `open`): an
        answer, a multi-choice tick or «Готово», a skip, back, change or submit."""
        match action:
            case AnswerWith(a, q, value):
                return await self.answer(a, q, value, editing)
            case DoneChoosing(a, q, mask):
                return await self.choose(a, q, mask, editing)
            case Toggle(a, q, mask):
                return await self.toggle(a, q, mask, editing)
            case SkipQuestion(a, q):
                return await self.skip(a, q, editing)
            case Back(a, q):
                return await self.back(a, q)
            case Change(a, q):
                return await self.change(a, q)
            case Submit(a):
                return await self.submit(a)

    async def answer(
        self, assignment_id: int, position: int, raw: str, editing: Editing | None
    ) -> Turn:
        """A scale value, yes/no, or a single choice (by its index) from a button."""
        sheet, question = await self._askable(assignment_id, position, editing)
        if question.kind is QuestionKind.SINGLE_CHOICE and raw.isdigit():
            index = int(raw)
            raw = question.choices[index].key if index < len(question.choices) else ""
        return await self._store(sheet, question, raw)

    async def toggle(
        self, assignment_id: int, position: int, mask: int, editing: Editing | None
    ) -> Turn:
        """Multi choice: redraw the buttons with the new selection; nothing stored yet."""
        sheet, question = await self._multi_choice(assignment_id, position, editing)
        mask &= (1 << len(question.choices)) - 1
        return Turn(redraw=question_screen(sheet, question, mask))

    async def choose(
        self, assignment_id: int, position: int, mask: int, editing: Editing | None
    ) -> Turn:
        """Multi choice: «Готово» stores the selection."""
        sheet, question = await self._multi_choice(assignment_id, position, editing)
        return await self._store(sheet, question, ",".join(selection_keys(question, mask)))

    async def skip(self, assignment_id: int, position: int, editing: Editing | None) -> Turn:
        sheet, question = await self._askable(assignment_id, position, editing)
        if not question.optional:
            return Turn(notice=Msg("survey.invalid.required"), alert=True)
        return await self._saved(sheet, question, SKIPPED)

    async def text(self, typed: str, editing: Editing | None) -> Turn | None:
        """Free text goes to the questionnaire being answered; None when there is none
        (the text is not ours to answer)."""
        sheet = None
        if editing is not None:
            sheet = await self.answers.open(self.actor, editing[0])
        if sheet is None or not sheet.is_open:
            sheet = await self.answers.active(self.actor)
        if sheet is None:
            return None
        if not sheet.is_open:
            await self.uow.commit()  # keep the expiry noticed just now
            raise sheet.closed_error()
        key = editing[1] if editing is not None and editing[0] == sheet.id else None
        question = sheet.current
        if key is not None and key in sheet.questionnaire:
            question = sheet.questionnaire.question(key)
        if question is None:
            return Turn((Screen.of("survey.use_summary"),))
        if question.kind is not QuestionKind.TEXT:
            return Turn((Screen.of("survey.use_buttons"), question_screen(sheet, question)))
        return await self._store(sheet, question, typed)

    async def back(self, assignment_id: int, position: int) -> Turn:
        """Back from question `position` (-1: from the summary) to the one before it."""
        sheet = await self._sheet(assignment_id)
        questions = sheet.questionnaire.questions
        here = questions[position].key if 0 <= position < len(questions) else None
        target = previous_question(sheet.questionnaire, sheet.answers, here)
        if target is None:
            return Turn(notice=Msg("survey.first_question"))
        return self._change(sheet, target)

    async def change(self, assignment_id: int, position: int) -> Turn:
        """The summary's «Изменить N»."""
        return self._change(*await self._shown(assignment_id, position))

    async def submit(self, assignment_id: int) -> Turn:
        sheet = await self._sheet(assignment_id)
        await self.uow.write()
        submitted = await self.answers.submit(sheet)
        await self.uow.commit()
        if not submitted:
            return Turn((next_screen(sheet),), notice=Msg("survey.incomplete"), alert=True)
        return Turn((Screen.of("survey.thanks"),), editing=None)

    # --- the rules every step shares -----------------------------------------------------

    async def _sheet(self, assignment_id: int) -> Sheet:
        """The actor's own open sheet, or the reason it cannot be answered."""
        sheet = await self.answers.open(self.actor, assignment_id)
        if sheet is None:
            raise OutOfScope("survey.not_yours")
        if not sheet.is_open:
            await self.uow.commit()  # keep an expiry noticed just now
            raise sheet.closed_error()
        return sheet

    async def _shown(self, assignment_id: int, position: int) -> tuple[Sheet, Question]:
        """The question at `position` if this sheet shows it (its conditions hold), Stale
        for a button of any other."""
        sheet = await self._sheet(assignment_id)
        questions = sheet.questionnaire.questions
        if not 0 <= position < len(questions):
            raise Stale("survey.stale")
        question = questions[position]
        if question not in visible_questions(sheet.questionnaire, sheet.answers):
            raise Stale("survey.stale")
        return sheet, question

    async def _multi_choice(
        self, assignment_id: int, position: int, editing: Editing | None
    ) -> tuple[Sheet, Question]:
        """The multi-choice question at `position` (Stale for a button of any other)."""
        sheet, question = await self._askable(assignment_id, position, editing)
        if question.kind is not QuestionKind.MULTI_CHOICE:
            raise Stale("survey.stale")
        return sheet, question

    async def _askable(
        self, assignment_id: int, position: int, editing: Editing | None
    ) -> tuple[Sheet, Question]:
        """The question at `position` if it may be answered now: the current one, or the one
        the person chose to change. Anything else is a stale or forged button."""
        sheet, question = await self._shown(assignment_id, position)
        current = sheet.current
        changing = editing is not None and editing == (sheet.id, question.key)
        if not changing and (current is None or current.key != question.key):
            if question.key in sheet.answers:
                raise Stale("survey.stale")  # an answered question's old button
            raise Stale("survey.not_reached")  # forged: a question further on
        return sheet, question

    async def _store(self, sheet: Sheet, question: Question, raw: str) -> Turn:
        """Parse what was given; a wrong answer is explained and nothing is stored."""
        try:
            response = parse_answer(question, raw)
        except InvalidAnswer as error:
            return Turn(notice=_invalid(question, error, raw), alert=True)
        return await self._saved(sheet, question, response)

    async def _saved(self, sheet: Sheet, question: Question, response: Response) -> Turn:
        """Save one answer and commit before anything is shown (a crash after the reply
        loses nothing), then the next question or the summary."""
        await self.uow.write()
        await self.answers.save(sheet, question, response)
        await self.uow.commit()
        return Turn((next_screen(sheet),), editing=None)

    def _change(self, sheet: Sheet, question: Question) -> Turn:
        return Turn((question_screen(sheet, question),), editing=(sheet.id, question.key))


def _invalid(question: Question, error: InvalidAnswer, given: str) -> Msg:
    limit = question.max_length if question.kind is QuestionKind.TEXT else question.selection_limit
    parameters = {
        "low": question.scale_min,
        "high": question.scale_max,
        "max": limit,
        "min": question.min_selections,
        "length": counted("count.characters", len(given.strip())),
    }
    return Msg(f"survey.invalid.{error.reason.value}", parameters)
