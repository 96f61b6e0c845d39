from __future__ import annotations

import dataclasses

import pytest

from surveys.questionnaire import (
    NO,
    SKIPPED,
    YES,
    Answer,
    Choice,
    Condition,
    InvalidAnswer,
    Moment,
    PairRole,
    Question,
    QuestionKind,
    Questionnaire,
    Reason,
    decode,
    encode,
)
from tests.support.questionnaires import ABC, choosing, questionnaire

SCALE = Question("score", QuestionKind.SCALE, "Оценка")
YES_NO = Question("glad", QuestionKind.YES_NO, "Рады?")
SINGLE = choosing("freq", "Как часто?", {"often": "часто", "never": "никогда"})
MULTI = choosing("topics", "Темы", ABC, many=True)
TEXT = Question("note", QuestionKind.TEXT, "Комментарий", optional=True)


def make(*questions: Question, **changes: object) -> Questionnaire:
    base = questionnaire(
        *questions, key="demo.mentor.start", role=PairRole.MENTOR, moment=Moment.START
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "value", "text", "number"),
    [
        (SCALE, 7, "7", 7),
        (YES_NO, YES, "yes", 1),
        (YES_NO, NO, "no", 0),
        (SINGLE, "never", "never", None),
        (MULTI, ("c", "a"), "a,c", None),
        (TEXT, " привет ", "привет", None),
        (TEXT, SKIPPED, None, None),
    ],
)
def test_answer_storage_columns(question, value, text, number):
    answer = Answer(question, value)
    assert answer.text == text
    assert answer.numeric == number
    assert Answer.decode(question, text) == answer


def test_answer_value_is_canonical():
    assert Answer(MULTI, ("c", "a", "c")).value == ("a", "c")
    assert Answer(TEXT, SKIPPED).skipped


@pytest.mark.parametrize(
    ("question", "value", "reason"),
    [
        (SCALE, 11, Reason.OUT_OF_RANGE),
        (SCALE, "7", Reason.WRONG_TYPE),
        (SCALE, True, Reason.WRONG_TYPE),
        (SCALE, SKIPPED, Reason.REQUIRED),
        (YES_NO, "да", Reason.NOT_YES_NO),
        (SINGLE, "sometimes", Reason.NOT_A_CHOICE),
        (MULTI, (), Reason.TOO_FEW),
        (MULTI, "a", Reason.WRONG_TYPE),
        (TEXT, "  ", Reason.EMPTY),
    ],
)
def test_answer_rejects_invalid_values(question, value, reason):
    with pytest.raises(InvalidAnswer) as caught:
        Answer(question, value)
    assert caught.value.reason is reason


def test_decode_rejects_stored_text_that_no_longer_fits():
    with pytest.raises(InvalidAnswer):
        decode(SCALE, "seven")
    with pytest.raises(InvalidAnswer):
        decode(SINGLE, "removed_choice")
    assert decode(MULTI, "b") == ("b",)
    assert encode(MULTI, ("b", "a")) == "a,b"


def test_condition_matches_canonical_texts():
    assert Condition("score", ("1", "2")).matches(2)
    assert not Condition("score", ("1", "2")).matches(3)
    assert Condition("topics", ("b",)).matches(("a", "b"))
    assert not Condition("glad", (YES,)).matches(SKIPPED)
    assert not Condition("glad", (YES,)).matches(None)


def test_questionnaire_lookup():
    q = make(SCALE, YES_NO)
    assert q.question("glad") is YES_NO
    assert q.position("glad") == 1
    assert "score" in q and "nothing" not in q
    with pytest.raises(KeyError):
        q.question("nothing")


def test_digest_is_stable_and_tracks_content():
    q = make(SCALE, YES_NO, SINGLE)
    same = make(SCALE, YES_NO, SINGLE)
    assert q.digest() == same.digest()
    assert len(q.digest()) == 64
    assert make(SCALE, YES_NO, SINGLE, title="Другое").digest() != q.digest()
    reworded = dataclasses.replace(SINGLE, choices=(Choice("often", "часто"), Choice("x", "y")))
    assert make(SCALE, YES_NO, reworded).digest() != q.digest()
    assert make(SCALE, SINGLE, YES_NO).digest() != q.digest()


def test_digest_leaves_defaults_out_so_new_defaulted_fields_keep_it():
    assert "scale_min" not in SCALE.to_data()
    assert "optional" not in SCALE.to_data()
    assert set(make(SCALE).to_data()) == {
        "key", "version", "title", "form", "role", "moment", "questions",
    }  # fmt: skip


@pytest.mark.parametrize(
    "build",
    [
        lambda: make(SCALE, SCALE),
        lambda: make(dataclasses.replace(TEXT, condition=Condition("score", ("1",))), SCALE),
        lambda: make(),
        lambda: Question("s", QuestionKind.SCALE, "S", scale_min=5, scale_max=5),
        lambda: Question("c", QuestionKind.SINGLE_CHOICE, "C", choices=(Choice("a", "A"),)),
        lambda: dataclasses.replace(MULTI, min_selections=3, max_selections=2),
    ],
)
def test_model_refuses_inconsistent_values(build):
    with pytest.raises(ValueError):
        build()
