"""Walking a questionnaire: pure functions over (questionnaire, answers so far).

`answers` maps question keys to typed values or SKIPPED. A question is *done* when it
has a value, or when it is optional and was skipped. Conditions refer only to earlier
questions, so answering the first pending question never hides or reopens anything
before it: every walk ends within len(questions) answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .answers import MULTI_SEPARATOR, InvalidAnswer, Reason, normalize
from .model import (
    NO,
    SKIPPED,
    YES,
    AnswerValue,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Skipped,
)

Answers = Mapping[str, Response]

_INTEGER = re.compile(r"[+-]?[0-9]+")
# Typed replies accepted besides the canonical keys the bot's buttons send.
_YES_WORDS = frozenset({YES, "да"})
_NO_WORDS = frozenset({NO, "нет"})


def visible_questions(questionnaire: Questionnaire, answers: Answers) -> tuple[Question, ...]:
    """Questions shown given the answers; an answer to a hidden question counts for nothing."""
    shown: list[Question] = []
    effective: dict[str, Response] = {}
    for question in questionnaire.questions:
        condition = question.condition
        if condition is None or condition.matches(effective.get(condition.question)):
            shown.append(question)
            if question.key in answers:
                effective[question.key] = answers[question.key]
    return tuple(shown)


def is_done(question: Question, answers: Answers) -> bool:
    if question.key not in answers:
        return False
    # A stray skip of a required question is not an answer: ask it again.
    return question.optional or not isinstance(answers[question.key], Skipped)


def next_question(questionnaire: Questionnaire, answers: Answers) -> Question | None:
    """The first visible question not done yet; None when the questionnaire is complete."""
    for question in visible_questions(questionnaire, answers):
        if not is_done(question, answers):
            return question
    return None


def is_complete(questionnaire: Questionnaire, answers: Answers) -> bool:
    """Every visible question answered, optional ones answered or skipped."""
    return next_question(questionnaire, answers) is None


def progress(
    questionnaire: Questionnaire, answers: Answers, current: str | None = None
) -> tuple[int, int]:
    """(position, total) for "Вопрос 3 из 12"; `current` defaults to the next question.

    The total counts the questions visible now, so it grows when a follow-up opens.
    A complete questionnaire reports (total, total).
    """
    shown = visible_questions(questionnaire, answers)
    if current is None:
        pending = next_question(questionnaire, answers)
        if pending is None:
            return len(shown), len(shown)
        current = pending.key
    place = questionnaire.position(current)
    before = sum(1 for question in shown if questionnaire.position(question.key) < place)
    return min(before + 1, len(shown)), len(shown)


def previous_question(
    questionnaire: Questionnaire, answers: Answers, current: str | None
) -> Question | None:
    """The visible question before `current` (None: from the end), for a "back" button."""
    place = len(questionnaire.questions) if current is None else questionnaire.position(current)
    earlier = [
        question
        for question in visible_questions(questionnaire, answers)
        if questionnaire.position(question.key) < place
    ]
    return earlier[-1] if earlier else None


def prune(questionnaire: Questionnaire, answers: Answers) -> dict[str, Response]:
    """Drop answers of questions that are hidden now (or unknown), e.g. after "yes" became "no"."""
    shown = {question.key for question in visible_questions(questionnaire, answers)}
    return {key: value for key, value in answers.items() if key in shown}


def with_answer(
    questionnaire: Questionnaire, answers: Answers, key: str, response: Response
) -> dict[str, Response]:
    """New answers with `key` set to a validated `response`, hidden follow-ups pruned."""
    value = normalize(questionnaire.question(key), response)
    return prune(questionnaire, {**answers, key: value})


def skip(question: Question) -> Skipped:
    """The SKIPPED value, or InvalidAnswer(required) for a question that must be answered."""
    result = normalize(question, SKIPPED)
    assert isinstance(result, Skipped)
    return result


def parse_answer(question: Question, raw: str) -> AnswerValue:
    """Typed value from what a person sent (text or a button's payload).

    Raises InvalidAnswer whose `reason` is a machine key; no user-facing prose here.
    """
    text = raw.strip()
    if not text:
        raise InvalidAnswer(Reason.EMPTY, question.key)
    value: AnswerValue
    match question.kind:
        case QuestionKind.SCALE:
            if not _INTEGER.fullmatch(text):
                raise InvalidAnswer(Reason.NOT_A_NUMBER, question.key)
            value = int(text)
        case QuestionKind.YES_NO:
            word = text.casefold()
            if word in _YES_WORDS:
                value = YES
            elif word in _NO_WORDS:
                value = NO
            else:
                raise InvalidAnswer(Reason.NOT_YES_NO, question.key)
        case QuestionKind.SINGLE_CHOICE:
            value = _choice_key(question, text)
        case QuestionKind.MULTI_CHOICE:
            # Keys only: labels may themselves contain the separator.
            value = tuple(part.strip() for part in text.split(MULTI_SEPARATOR) if part.strip())
        case QuestionKind.TEXT:
            value = text
    result = normalize(question, value)
    assert not isinstance(result, Skipped)
    return result


def _choice_key(question: Question, text: str) -> str:
    if text in question.choice_keys:
        return text
    wanted = text.casefold()
    for choice in question.choices:
        if choice.label.strip().casefold() == wanted:
            return choice.key
    raise InvalidAnswer(Reason.NOT_A_CHOICE, question.key)
