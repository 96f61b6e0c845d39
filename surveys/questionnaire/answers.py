"""Answer values: validation and the one canonical encoding that storage and exports share.

Storage keeps a text column and a numeric column per answer:
- scale: text "7", numeric 7;  yes_no: text "yes"/"no", numeric 1/0;
- single_choice: text is the choice key;  multi_choice: keys in the question's choice
  order joined by ",";  text: the stripped text;  the last three have no numeric value;
- a skipped optional question: both columns NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .model import (
    NO,
    SKIPPED,
    YES,
    YES_NO,
    AnswerValue,
    Question,
    QuestionKind,
    Response,
    Skipped,
)

MULTI_SEPARATOR = ","


class Reason(StrEnum):
    """Machine keys for a rejected answer; the bot maps them to localized texts."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    NOT_YES_NO = "not_yes_no"
    NOT_A_CHOICE = "not_a_choice"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    TOO_LONG = "too_long"
    REQUIRED = "required"  # a skip of a question that is not optional
    WRONG_TYPE = "wrong_type"  # a caller passed e.g. a str for a scale: a bug, not a user error


class InvalidAnswer(ValueError):
    def __init__(self, reason: Reason, question: str = "") -> None:
        super().__init__(f"{question}: {reason}" if question else str(reason))
        self.reason = reason
        self.question = question


def normalize(question: Question, response: Response) -> Response:
    """Validate a typed value and return its canonical form (multi in choice order)."""
    if isinstance(response, Skipped):
        if not question.optional:
            raise InvalidAnswer(Reason.REQUIRED, question.key)
        return SKIPPED
    match question.kind:
        case QuestionKind.SCALE:
            if not isinstance(response, int) or isinstance(response, bool):
                raise InvalidAnswer(Reason.WRONG_TYPE, question.key)
            if not question.scale_min <= response <= question.scale_max:
                raise InvalidAnswer(Reason.OUT_OF_RANGE, question.key)
            return response
        case QuestionKind.YES_NO:
            if response not in YES_NO:
                raise InvalidAnswer(Reason.NOT_YES_NO, question.key)
            return response
        case QuestionKind.SINGLE_CHOICE:
            if not isinstance(response, str):
                raise InvalidAnswer(Reason.WRONG_TYPE, question.key)
            if response not in question.choice_keys:
                raise InvalidAnswer(Reason.NOT_A_CHOICE, question.key)
            return response
        case QuestionKind.MULTI_CHOICE:
            return _normalize_selection(question, response)
        case QuestionKind.TEXT:
            if not isinstance(response, str):
                raise InvalidAnswer(Reason.WRONG_TYPE, question.key)
            text = response.strip()
            if not text:
                raise InvalidAnswer(Reason.EMPTY, question.key)
            if len(text) > question.max_length:
                raise InvalidAnswer(Reason.TOO_LONG, question.key)
            return text


def _normalize_selection(question: Question, response: AnswerValue) -> tuple[str, ...]:
    if not isinstance(response, tuple) or not all(isinstance(key, str) for key in response):
        raise InvalidAnswer(Reason.WRONG_TYPE, question.key)
    chosen = set(response)
    if not chosen <= set(question.choice_keys):
        raise InvalidAnswer(Reason.NOT_A_CHOICE, question.key)
    if len(chosen) < question.min_selections:
        raise InvalidAnswer(Reason.TOO_FEW, question.key)
    if len(chosen) > question.selection_limit:
        raise InvalidAnswer(Reason.TOO_MANY, question.key)
    return tuple(key for key in question.choice_keys if key in chosen)


def encode(question: Question, response: Response) -> str | None:
    """Canonical text of a value; None for a skip."""
    value = normalize(question, response)
    if isinstance(value, Skipped):
        return None
    if isinstance(value, tuple):
        return MULTI_SEPARATOR.join(value)
    return str(value)


def numeric(question: Question, response: Response) -> int | None:
    """The number exports aggregate: the scale value, or 1/0 for yes/no."""
    value = normalize(question, response)
    if question.kind is QuestionKind.SCALE and isinstance(value, int):
        return value
    if question.kind is QuestionKind.YES_NO:
        return {YES: 1, NO: 0}.get(str(value))
    return None


def decode(question: Question, text: str | None) -> Response:
    """Inverse of `encode`; raises InvalidAnswer when stored data no longer fits."""
    if text is None:
        return normalize(question, SKIPPED)
    value: AnswerValue
    match question.kind:
        case QuestionKind.SCALE:
            try:
                value = int(text)
            except ValueError:
                raise InvalidAnswer(Reason.NOT_A_NUMBER, question.key) from None
        case QuestionKind.MULTI_CHOICE:
            value = tuple(text.split(MULTI_SEPARATOR)) if text else ()
        case _:
            value = text
    return normalize(question, value)


@dataclass(frozen=True, slots=True)
class Answer:
    """A validated answer to one question; `value` is canonical after construction."""

    question: Question
    value: Response

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", normalize(self.question, self.value))

    @classmethod
    def decode(cls, question: Question, text: str | None) -> Answer:
        return cls(question, decode(question, text))

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def skipped(self) -> bool:
        return isinstance(self.value, Skipped)

    @property
    def text(self) -> str | None:
        return encode(self.question, self.value)

    @property
    def numeric(self) -> int | None:
        return numeric(self.question, self.value)
