"""Small questionnaires built in code, for the domain tests and the benches."""

from __future__ import annotations

from typing import Any

from surveys.questionnaire import Choice, Moment, PairRole, Question, QuestionKind, Questionnaire

# The choices of the domain tests' multiple-choice question "topics".
ABC = {"a": "А", "b": "Б", "c": "В"}


def questionnaire(
    *questions: Question,
    key: str = "demo.mentee.completion",
    title: str = "Demo",
    form: str = "demo",
    role: PairRole = PairRole.MENTEE,
    moment: Moment = Moment.COMPLETION,
    version: int = 1,
    **more: Any,
) -> Questionnaire:
    """These questions as a questionnaire (`more`: its intro, form label …)."""
    return Questionnaire(key, version, title, form, role, moment, questions, **more)


def choosing(
    key: str, text: str, labels: dict[str, str], *, many: bool = False, **more: Any
) -> Question:
    """A question choosing one of `labels` (value → label), or several of them with `many`
    (`more`: its limits, condition …)."""
    kind = QuestionKind.MULTI_CHOICE if many else QuestionKind.SINGLE_CHOICE
    choices = tuple(Choice(value, label) for value, label in labels.items())
    return Question(key, kind, text, choices=choices, **more)
