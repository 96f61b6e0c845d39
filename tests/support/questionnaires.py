"""Small questionnaires built in code, for the domain tests and the benches."""

from __future__ import annotations

from typing import Any

from surveys.questionnaire import Moment, PairRole, Question, Questionnaire


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
