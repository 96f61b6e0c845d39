"""Hypothesis strategies: valid answers to a question, and valid random questionnaires."""

from __future__ import annotations

from hypothesis import strategies as st

from surveys.questionnaire import (
    SKIPPED,
    Choice,
    Condition,
    Moment,
    PairRole,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
)
from surveys.questionnaire.model import YES_NO

# Texts the YAML round trip keeps as they are: no line breaks, no surrounding spaces.
plain_text = (
    st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


def values(question: Question) -> st.SearchStrategy[Response]:
    """A valid non-skip value for the question."""
    match question.kind:
        case QuestionKind.SCALE:
            return st.integers(question.scale_min, question.scale_max)
        case QuestionKind.YES_NO:
            return st.sampled_from(YES_NO)
        case QuestionKind.SINGLE_CHOICE:
            return st.sampled_from(question.choice_keys)
        case QuestionKind.MULTI_CHOICE:
            return st.lists(
                st.sampled_from(question.choice_keys),
                min_size=question.min_selections,
                max_size=question.selection_limit,
                unique=True,
            ).map(tuple)
        case QuestionKind.TEXT:
            return plain_text.filter(lambda text: len(text) <= question.max_length)


def responses(question: Question) -> st.SearchStrategy[Response]:
    """What a person may give: a value, or a skip where that is allowed."""
    if question.optional:
        return st.one_of(st.just(SKIPPED), values(question))
    return values(question)


def canonical_values(question: Question) -> list[str]:
    """Every answer text a condition on this question could test (choices, yes/no, scale)."""
    if question.kind is QuestionKind.SCALE:
        return [str(n) for n in range(question.scale_min, question.scale_max + 1)]
    if question.kind is QuestionKind.YES_NO:
        return list(YES_NO)
    return list(question.choice_keys)


@st.composite
def choices(draw: st.DrawFn) -> tuple[Choice, ...]:
    count = draw(st.integers(2, 5))
    return tuple(Choice(f"c{i}", draw(plain_text)) for i in range(count))


@st.composite
def questions(draw: st.DrawFn, key: str, earlier: list[Question]) -> Question:
    kind = draw(st.sampled_from(list(QuestionKind)))
    settings: dict[str, object] = {}
    if kind is QuestionKind.SCALE:
        low = draw(st.integers(-3, 5))
        settings |= {"scale_min": low, "scale_max": draw(st.integers(low + 1, low + 10))}
    elif kind is QuestionKind.TEXT:
        settings["max_length"] = draw(st.integers(1, 2000))
    elif kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE):
        settings["choices"] = options = draw(choices())
        if kind is QuestionKind.MULTI_CHOICE:
            low = draw(st.integers(1, len(options)))
            settings["min_selections"] = low
            settings["max_selections"] = draw(st.none() | st.integers(low, len(options)))
    targets = [q for q in earlier if q.kind is not QuestionKind.TEXT]
    condition = None
    wants_condition = draw(st.booleans())
    if targets and wants_condition:
        target = draw(st.sampled_from(targets))
        chosen = draw(st.lists(st.sampled_from(canonical_values(target)), min_size=1, unique=True))
        condition = Condition(target.key, tuple(chosen))
    return Question(
        key=key,
        kind=kind,
        text=draw(plain_text),
        optional=draw(st.booleans()),
        condition=condition,
        metric=draw(st.none() | st.just(f"m_{key}")),
        **settings,  # type: ignore[arg-type]
    )


@st.composite
def questionnaires(draw: st.DrawFn, max_questions: int = 12) -> Questionnaire:
    built: list[Question] = []
    for i in range(draw(st.integers(1, max_questions))):
        built.append(draw(questions(f"q{i}", built)))
    return Questionnaire(
        key="random.mentee.start",
        version=draw(st.integers(1, 5)),
        title=draw(plain_text),
        form="random",
        role=draw(st.sampled_from(list(PairRole))),
        moment=draw(st.sampled_from(list(Moment))),
        questions=tuple(built),
        intro=draw(st.just("") | plain_text),
        form_label=draw(st.just("") | plain_text),
    )
