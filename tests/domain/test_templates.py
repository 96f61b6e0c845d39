"""The shipped templates against the methodology's standard items."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from surveys.forms import mentoring_form
from surveys.questionnaire import YES, Condition, Moment, PairRole, QuestionKind, load_catalogue

FORMS = {
    "student_student": "ученик – ученик",
    "teacher_teacher": "учитель – учитель",
    "university_student_student": "студент – ученик",
    "employer_student": "работодатель – ученик",
    "employer_college_student": "работодатель – студент",
    "lecturer_student": "преподаватель – обучающийся",
}
INSTRUCTION = "Оцените в баллах от 1 до 10, где 1 – самый низший балл, а 10 – самый высокий."
KINDS = {
    "yes_no": QuestionKind.YES_NO,
    "scale_1_10": QuestionKind.SCALE,
    "open": QuestionKind.TEXT,
    "choice": QuestionKind.SINGLE_CHOICE,
}
# The shared domain notes sit beside the repository (in CI too); skip where they do not.
DOMAIN_JSON = Path(__file__).resolve().parents[3] / "shared" / "domain" / "questionnaires.json"

CATALOGUE = load_catalogue()
SLOTS = [(form, role, moment) for form in FORMS for role in PairRole for moment in Moment]


@pytest.fixture(scope="module")
def methodology() -> dict[str, Any]:
    if not DOMAIN_JSON.is_file():
        pytest.skip("shared/domain/questionnaires.json is not beside the repository")
    data: dict[str, Any] = json.loads(DOMAIN_JSON.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(("form", "role", "moment"), SLOTS)
def test_one_questionnaire_per_form_role_and_moment(form, role, moment):
    q = CATALOGUE.for_(form, role, moment)
    assert q is not None
    # The check-ins came a version later than the start and completion questionnaires.
    assert q.key == f"{form}.{role}.{moment}"
    assert q.version == (1 if moment is Moment.CHECKIN else 2)
    assert q.form_label == FORMS[form]
    assert INSTRUCTION in q.intro


@pytest.mark.parametrize("form", FORMS)
def test_forms_are_the_configured_forms_of_mentoring(form):
    configured = mentoring_form(form)
    assert configured is not None and configured.label("ru") == FORMS[form]


def test_instruction_is_the_methodology_one(methodology):
    assert methodology["_meta"]["scale_1_10_instruction"] == INSTRUCTION


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("role", list(PairRole))
def test_completion_items_are_the_methodology_items_verbatim(methodology, form, role):
    extras = methodology.get(FORMS[form], {}).get(f"{role}_extra", [])
    items = methodology["common_satisfaction_stage1"][role] + extras
    q = CATALOGUE.for_(form, role, Moment.COMPLETION)
    assert q is not None
    assert [question.report_label for question in q.questions] == [item["text"] for item in items]
    for question, item in zip(q.questions, items, strict=True):
        assert question.kind is KINDS[item["type"]], question.key
        if question.kind is QuestionKind.SCALE:
            assert (question.scale_min, question.scale_max) == tuple(item["scale"])
        if question.kind is QuestionKind.SINGLE_CHOICE:
            assert [choice.label for choice in question.choices] == item["scale"]
        assert question.optional is (question.kind is QuestionKind.TEXT), question.key


@pytest.mark.parametrize("role", list(PairRole))
@pytest.mark.parametrize("form", FORMS)
def test_where_follows_a_yes(form, role):
    q = CATALOGUE.for_(form, role, Moment.COMPLETION)
    assert q is not None
    where = q.question("met_before_where")
    assert where.report_label == "Если да, то где?"
    assert where.text == "Где Вы в ней участвовали?"
    assert where.condition == Condition("met_before", (YES,))
    assert q.position("met_before_where") == q.position("met_before") + 1


@pytest.mark.parametrize("role", list(PairRole))
@pytest.mark.parametrize("form", FORMS)
def test_every_start_metric_is_measured_again_at_completion(form, role):
    start = CATALOGUE.for_(form, role, Moment.START)
    completion = CATALOGUE.for_(form, role, Moment.COMPLETION)
    assert start is not None and completion is not None
    before, after = start.by_metric(), completion.by_metric()
    assert {"effectiveness", "comfort", "expectations"} <= before.keys()
    assert before.keys() == after.keys()
    for metric, question in before.items():
        assert question.kind is after[metric].kind, metric
    assert start.question("main_goal").kind is QuestionKind.SINGLE_CHOICE
    assert start.question("main_goal_other").condition == Condition("main_goal", ("other",))


@pytest.mark.parametrize(("form", "role", "moment"), SLOTS)
def test_people_are_asked_questions_in_the_bots_form_of_address(form, role, moment):
    """What a person reads is a question, addressed with «Вы» like every other text of the
    bot, without the methodology's report phrasing («эффективность», «/»)."""
    q = CATALOGUE.for_(form, role, moment)
    assert q is not None
    for question in q.questions:
        assert question.text.endswith("?"), question.key
        assert "/" not in question.text and "Эффективность" not in question.text, question.key
        assert not re.search(r"\b(ты|тебе|тебя|твой|твоя|твои)\b", question.text, re.I)


@pytest.mark.parametrize("role", list(PairRole))
@pytest.mark.parametrize("form", FORMS)
def test_the_check_in_is_short_and_measures_what_start_and_completion_measure(form, role):
    checkin = CATALOGUE.for_(form, role, Moment.CHECKIN)
    start = CATALOGUE.for_(form, role, Moment.START)
    completion = CATALOGUE.for_(form, role, Moment.COMPLETION)
    assert checkin is not None and start is not None and completion is not None
    assert len(checkin.questions) <= 5
    measured = checkin.by_metric()
    assert {"effectiveness", "comfort"} <= measured.keys()
    for metric, question in measured.items():
        assert question.kind is start.by_metric()[metric].kind is QuestionKind.SCALE
        assert question.kind is completion.by_metric()[metric].kind
    assert all(q.optional for q in checkin.questions if q.kind is QuestionKind.TEXT)
