"""The questionnaire model: immutable values built by the loader or by hand in tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Final, TypeAlias

SCALE_MIN: Final = 1
SCALE_MAX: Final = 10
TEXT_MAX_LENGTH: Final = 1000

YES: Final = "yes"
NO: Final = "no"
YES_NO: Final = (YES, NO)


class QuestionKind(StrEnum):
    SCALE = "scale"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"


class PairRole(StrEnum):
    """A member's role in a pair or group; the values match surveys.people.Role's."""

    MENTOR = "mentor"
    MENTEE = "mentee"


class Moment(StrEnum):
    """When a questionnaire is asked: before the programme, in its middle (a short check-in,
    sent by a curator or a monitoring round), and at its completion."""

    START = "start"
    CHECKIN = "checkin"
    COMPLETION = "completion"


class Skipped(Enum):
    """Type of the SKIPPED sentinel: an optional question the person chose not to answer."""

    SKIPPED = "skipped"

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED: Final = Skipped.SKIPPED

# int for scale, "yes"/"no" for yes_no, a choice key, a tuple of choice keys, free text.
AnswerValue: TypeAlias = int | str | tuple[str, ...]
Response: TypeAlias = AnswerValue | Skipped

CHOICE_KINDS: Final = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE})


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Condition:
    """Show a question only when an earlier answer is one of `any_of` (canonical texts).

    A multi-choice answer matches when any selected key is listed. A missing, hidden or
    skipped answer never matches, so follow-ups of unanswered questions stay hidden.
    """

    question: str
    any_of: tuple[str, ...]

    def matches(self, response: Response | None) -> bool:
        if response is None or isinstance(response, Skipped):
            return False
        if isinstance(response, tuple):
            return any(key in self.any_of for key in response)
        return str(response) in self.any_of


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: QuestionKind
    text: str  # as the person is asked, in the bot's own form of address
    optional: bool = False
    scale_min: int = SCALE_MIN
    scale_max: int = SCALE_MAX
    choices: tuple[Choice, ...] = ()
    max_length: int = TEXT_MAX_LENGTH
    min_selections: int = 1
    max_selections: int | None = None  # None: as many as there are choices
    condition: Condition | None = None
    # Same id on a start and a completion item: the report compares before and after.
    metric: str | None = None
    # The methodology's wording of the item, which reports show so that methodists can
    # compare across years and districts; None when the person is asked in those words.
    label: str | None = None

    def __post_init__(self) -> None:
        if self.kind is QuestionKind.SCALE and self.scale_min >= self.scale_max:
            raise ValueError(f"{self.key}: scale_min must be below scale_max")
        if self.kind in CHOICE_KINDS:
            keys = [choice.key for choice in self.choices]
            if len(keys) < 2 or len(set(keys)) != len(keys):
                raise ValueError(f"{self.key}: needs two or more distinct choices")
        if self.kind is QuestionKind.MULTI_CHOICE and not (
            1 <= self.min_selections <= self.selection_limit <= len(self.choices)
        ):
            raise ValueError(f"{self.key}: bad min/max selections")

    @property
    def selection_limit(self) -> int:
        return len(self.choices) if self.max_selections is None else self.max_selections

    @property
    def report_label(self) -> str:
        return self.label or self.text

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices)

    def choice(self, key: str) -> Choice:
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise KeyError(key)

    def to_data(self) -> dict[str, Any]:
        """The YAML shape; defaults left out so that new defaulted fields keep old digests."""
        data: dict[str, Any] = {"key": self.key, "kind": self.kind.value, "text": self.text}
        if self.label is not None:
            data["label"] = self.label
        if self.optional:
            data["optional"] = True
        if self.kind is QuestionKind.SCALE:
            if self.scale_min != SCALE_MIN:
                data["scale_min"] = self.scale_min
            if self.scale_max != SCALE_MAX:
                data["scale_max"] = self.scale_max
        if self.kind in CHOICE_KINDS:
            data["choices"] = [{"key": c.key, "label": c.label} for c in self.choices]
        if self.kind is QuestionKind.MULTI_CHOICE:
            if self.min_selections != 1:
                data["min_selections"] = self.min_selections
            if self.max_selections is not None:
                data["max_selections"] = self.max_selections
        if self.kind is QuestionKind.TEXT and self.max_length != TEXT_MAX_LENGTH:
            data["max_length"] = self.max_length
        if self.condition is not None:
            data["when"] = {"question": self.condition.question, "in": list(self.condition.any_of)}
        if self.metric is not None:
            data["metric"] = self.metric
        return data


@dataclass(frozen=True, slots=True)
class Questionnaire:
    key: str
    version: int
    title: str
    form: str  # a form-of-mentoring key, e.g. "student_student"
    role: PairRole
    moment: Moment
    questions: tuple[Question, ...]
    intro: str = ""
    form_label: str = ""
    _index: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for position, question in enumerate(self.questions):
            if question.key in index:
                raise ValueError(f"duplicate question key {question.key!r}")
            # Conditions point backwards only: that is what makes every path finite.
            if question.condition is not None and question.condition.question not in index:
                raise ValueError(f"{question.key}: condition must refer to an earlier question")
            index[question.key] = position
        if not index:
            raise ValueError("a questionnaire needs at least one question")
        object.__setattr__(self, "_index", index)

    def question(self, key: str) -> Question:
        return self.questions[self._index[key]]

    def position(self, key: str) -> int:
        """0-based place of a question in the file order."""
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def by_metric(self) -> dict[str, Question]:
        """Questions that carry a metric id, for before/after comparison across moments."""
        return {q.metric: q for q in self.questions if q.metric is not None}

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "version": self.version,
            "title": self.title,
            "form": self.form,
            "role": self.role.value,
            "moment": self.moment.value,
        }
        if self.form_label:
            data["form_label"] = self.form_label
        if self.intro:
            data["intro"] = self.intro
        data["questions"] = [question.to_data() for question in self.questions]
        return data

    def digest(self) -> str:
        """sha256 of the content: an edited file whose version was not bumped shows up."""
        canonical = json.dumps(
            self.to_data(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
