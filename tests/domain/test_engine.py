from __future__ import annotations

import pytest

from surveys.questionnaire import (
    NO,
    SKIPPED,
    YES,
    Condition,
    InvalidAnswer,
    Moment,
    Question,
    QuestionKind,
    Reason,
    Response,
    is_complete,
    next_question,
    parse_answer,
    previous_question,
    progress,
    prune,
    skip,
    visible_questions,
    with_answer,
)
from tests.support.questionnaires import ABC, choosing, questionnaire

MET_BEFORE = Question("met_before", QuestionKind.YES_NO, "Сталкивались ли Вы раньше?")
WHERE = Question(
    "where", QuestionKind.TEXT, "Если да, то где?", optional=True,
    condition=Condition("met_before", (YES,)), max_length=10,
)  # fmt: skip
SCORE = Question("score", QuestionKind.SCALE, "Эффективность", metric="effectiveness")
LOW_SCORE_WHY = Question(
    "why_low", QuestionKind.TEXT, "Почему?", condition=Condition("score", ("1", "2", "3"))
)
GOAL = choosing("goal", "Цель", {"grades": "Успеваемость", "other": "Другое"})
TOPICS = choosing("topics", "Темы", ABC, many=True, max_selections=2)
COMMENT = Question("comment", QuestionKind.TEXT, "Комментарий", optional=True)

DEMO = questionnaire(MET_BEFORE, WHERE, SCORE, LOW_SCORE_WHY, GOAL, TOPICS, COMMENT)


def keys(questions: tuple[Question, ...]) -> list[str]:
    return [q.key for q in questions]


def test_follow_up_hidden_until_its_condition_holds():
    assert "where" not in keys(visible_questions(DEMO, {}))
    assert "where" not in keys(visible_questions(DEMO, {"met_before": NO}))
    assert "where" in keys(visible_questions(DEMO, {"met_before": YES}))


def test_next_question_walks_in_order_and_opens_follow_ups():
    assert next_question(DEMO, {}) is MET_BEFORE
    assert next_question(DEMO, {"met_before": YES}) is WHERE
    assert next_question(DEMO, {"met_before": NO}) is SCORE
    assert next_question(DEMO, {"met_before": NO, "score": 2}) is LOW_SCORE_WHY
    assert next_question(DEMO, {"met_before": NO, "score": 9}) is GOAL


def test_optional_question_is_asked_and_done_once_skipped():
    assert next_question(DEMO, {"met_before": YES}) is WHERE
    assert next_question(DEMO, {"met_before": YES, "where": SKIPPED}) is SCORE


def test_a_skip_recorded_for_a_required_question_does_not_count():
    assert next_question(DEMO, {"met_before": SKIPPED}) is MET_BEFORE


def test_skip_refuses_required_questions():
    assert skip(COMMENT) is SKIPPED
    with pytest.raises(InvalidAnswer) as caught:
        skip(SCORE)
    assert caught.value.reason is Reason.REQUIRED


def test_complete_only_when_every_visible_question_is_done():
    answers: dict[str, Response] = {"met_before": NO, "score": 8, "goal": "other", "topics": ("a",)}
    assert not is_complete(DEMO, answers)
    assert next_question(DEMO, answers) is COMMENT
    answers["comment"] = SKIPPED
    assert is_complete(DEMO, answers)
    assert next_question(DEMO, answers) is None


def test_progress_counts_visible_questions_and_grows_with_follow_ups():
    assert progress(DEMO, {}) == (1, 5)
    assert progress(DEMO, {"met_before": YES}) == (2, 6)
    assert progress(DEMO, {"met_before": NO}) == (2, 5)
    assert progress(DEMO, {"met_before": NO, "score": 1}) == (3, 6)
    assert progress(DEMO, {"met_before": NO, "score": 1}, current="met_before") == (1, 6)


def test_progress_of_a_complete_questionnaire_is_total_of_total():
    answers: dict[str, Response] = {
        "met_before": NO,
        "score": 8,
        "goal": "grades",
        "topics": ("b",),
        "comment": "ok",
    }
    assert progress(DEMO, answers) == (5, 5)


def test_previous_question_skips_hidden_ones():
    yes = {"met_before": YES, "where": "школа"}
    assert previous_question(DEMO, yes, "score") is WHERE
    assert previous_question(DEMO, {"met_before": NO}, "score") is MET_BEFORE
    assert previous_question(DEMO, {}, "met_before") is None


def test_previous_question_from_the_end_is_the_last_visible():
    answers: dict[str, Response] = {
        "met_before": NO,
        "score": 8,
        "goal": "grades",
        "topics": ("b",),
        "comment": "ok",
    }
    assert previous_question(DEMO, answers, None) is COMMENT


def test_prune_drops_answers_of_follow_ups_that_became_hidden():
    answers: dict[str, Response] = {
        "met_before": NO,
        "where": "школа",
        "score": 2,
        "why_low": "скучно",
        "ghost": 1,
    }
    assert prune(DEMO, answers) == {"met_before": NO, "score": 2, "why_low": "скучно"}


def test_with_answer_validates_and_prunes():
    answers = with_answer(DEMO, {}, "met_before", YES)
    answers = with_answer(DEMO, answers, "where", "  в школе ")
    assert answers == {"met_before": YES, "where": "в школе"}
    assert with_answer(DEMO, answers, "met_before", NO) == {"met_before": NO}
    with pytest.raises(InvalidAnswer):
        with_answer(DEMO, answers, "score", 11)


def test_an_answer_to_a_hidden_question_does_not_open_its_follow_ups():
    # "score" is always visible; "why_low" depends on it. A hidden parent must hide its
    # follow-ups even when stale answers are still in the mapping.
    chained = questionnaire(
        MET_BEFORE,
        Question("a", QuestionKind.YES_NO, "A?", condition=Condition("met_before", (YES,))),
        Question("b", QuestionKind.TEXT, "B?", condition=Condition("a", (YES,))),
        key="chain.mentee.start",
        title="Chain",
        moment=Moment.START,
    )
    stale = {"met_before": NO, "a": YES}
    assert keys(visible_questions(chained, stale)) == ["met_before"]
    assert prune(chained, {**stale, "b": "x"}) == {"met_before": NO}


@pytest.mark.parametrize(
    ("question", "raw", "expected"),
    [
        (SCORE, " 7 ", 7),
        (SCORE, "10", 10),
        (MET_BEFORE, "yes", YES),
        (MET_BEFORE, "Да", YES),
        (MET_BEFORE, "нет", NO),
        (GOAL, "grades", "grades"),
        (GOAL, "другое", "other"),
        (TOPICS, "c, a", ("a", "c")),
        (TOPICS, "a,a", ("a",)),
        (COMMENT, "  спасибо  ", "спасибо"),
    ],
)
def test_parse_answer_accepts(question, raw, expected):
    assert parse_answer(question, raw) == expected


@pytest.mark.parametrize(
    ("question", "raw", "reason"),
    [
        (SCORE, "", Reason.EMPTY),
        (SCORE, "   ", Reason.EMPTY),
        (SCORE, "семь", Reason.NOT_A_NUMBER),
        (SCORE, "7.5", Reason.NOT_A_NUMBER),
        (SCORE, "0", Reason.OUT_OF_RANGE),
        (SCORE, "11", Reason.OUT_OF_RANGE),
        (MET_BEFORE, "может быть", Reason.NOT_YES_NO),
        (GOAL, "sport", Reason.NOT_A_CHOICE),
        (TOPICS, "a,z", Reason.NOT_A_CHOICE),
        (TOPICS, "a,b,c", Reason.TOO_MANY),
        (TOPICS, ",", Reason.TOO_FEW),
        (WHERE, "очень далеко", Reason.TOO_LONG),
        (COMMENT, "", Reason.EMPTY),
    ],
)
def test_parse_answer_rejects_with_a_machine_reason(question, raw, reason):
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(question, raw)
    assert caught.value.reason is reason
    assert caught.value.question == question.key
