"""Every path through a questionnaire ends, for the shipped ones and for random ones."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.questionnaire import (
    Answer,
    Questionnaire,
    Response,
    is_complete,
    load_catalogue,
    load_file,
    next_question,
    parse_answer,
    previous_question,
    progress,
    prune,
    visible_questions,
    with_answer,
)
from tests.support.strategies import questionnaires, responses, values

SHIPPED = load_catalogue().all()
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def walk(q: Questionnaire, data: st.DataObject) -> dict[str, Response]:
    """Answer whatever comes next until nothing does; check invariants on the way."""
    answers: dict[str, Response] = {}
    steps = 0
    while (question := next_question(q, answers)) is not None:
        steps += 1
        assert steps <= len(q.questions), "the walk did not end"
        position, total = progress(q, answers)
        assert 1 <= position <= total <= len(q.questions)
        assert question in visible_questions(q, answers)
        answers = with_answer(q, answers, question.key, data.draw(responses(question)))
    assert is_complete(q, answers)
    assert prune(q, answers) == answers
    shown = visible_questions(q, answers)
    assert set(answers) == {question.key for question in shown}
    assert progress(q, answers) == (len(shown), len(shown))
    return answers


@pytest.mark.parametrize("q", SHIPPED, ids=lambda q: q.key)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_path_through_a_shipped_questionnaire_ends_complete(q, data):
    walk(q, data)


@FAST
@given(q=questionnaires(), data=st.data())
def test_every_path_through_a_random_questionnaire_ends_complete(q, data):
    walk(q, data)


@FAST
@given(q=questionnaires(), data=st.data())
def test_changing_an_earlier_answer_and_going_on_still_ends(q, data):
    answers = walk(q, data)
    # Go back a random number of steps, change that answer, then finish again.
    current = None
    for _ in range(data.draw(st.integers(1, len(q.questions)))):
        earlier = previous_question(q, answers, current)
        if earlier is None:
            break
        current = earlier.key
    if current is None:
        return
    answers = with_answer(q, answers, current, data.draw(responses(q.question(current))))
    steps = 0
    while (question := next_question(q, answers)) is not None:
        steps += 1
        assert steps <= len(q.questions)
        answers = with_answer(q, answers, question.key, data.draw(responses(question)))
    assert is_complete(q, answers)


@FAST
@given(q=questionnaires(), data=st.data())
def test_canonical_text_parses_back_to_the_same_value(q, data):
    for question in q.questions:
        answer = Answer(question, data.draw(values(question)))
        assert answer.text is not None
        assert parse_answer(question, answer.text) == answer.value
        assert Answer.decode(question, answer.text) == answer


@settings(max_examples=30, deadline=None)
@given(q=questionnaires())
def test_a_random_questionnaire_survives_a_yaml_round_trip(q):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.yaml"
        path.write_text(yaml.safe_dump(q.to_data(), allow_unicode=True), encoding="utf-8")
        loaded = load_file(path)
    assert loaded == q
    assert loaded.digest() == q.digest()
