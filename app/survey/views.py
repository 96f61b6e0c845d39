"""How a questionnaire looks, whatever the messenger: one question per message with its
buttons, the summary before submitting, the list of pending questionnaires."""

from __future__ import annotations

from collections.abc import Sequence

from app.screens import Button, Label, Msg, Row, Screen, Text, counted
from app.survey.actions import (
    AnswerWith,
    Back,
    Change,
    DoneChoosing,
    OpenAssignment,
    SkipQuestion,
    Submit,
    Toggle,
)
from surveys.questionnaire import (
    NO,
    YES,
    Question,
    QuestionKind,
    Response,
    Skipped,
    previous_question,
    progress,
    visible_questions,
)
from surveys.sheets import PendingItem, Sheet

SUMMARY_TEXT_LIMIT = 90  # characters of a question shown in the summary
SUMMARY_ANSWER_LIMIT = 200
SUMMARY_TIGHT_LIMIT = 40  # when long free-text answers would not fit one message
# Characters of questionnaire wording and answers a summary may carry: the catalogue's own
# words come on top, and every channel takes at least 4,000 characters in a message.
SUMMARY_BUDGET = 3500
SCALE_ROW = 5
EDIT_ROW = 5


def selection_keys(question: Question, mask: int) -> tuple[str, ...]:
    return tuple(c.key for i, c in enumerate(question.choices) if mask >> i & 1)


def selection_mask(question: Question, response: Response | None) -> int:
    if not isinstance(response, tuple):
        return 0
    return sum(1 << i for i, c in enumerate(question.choices) if c.key in response)


def describe(question: Question, response: Response, limit: int = SUMMARY_ANSWER_LIMIT) -> Text:
    """An answer as the person would say it."""
    if isinstance(response, Skipped):
        return Msg("survey.skipped")
    if question.kind is QuestionKind.YES_NO:
        return Msg("survey.yes") if response == YES else Msg("survey.no")
    if question.kind is QuestionKind.SINGLE_CHOICE:
        return question.choice(str(response)).label
    if isinstance(response, tuple):
        return "; ".join(question.choice(key).label for key in response)
    return shorten(str(response), limit)


def next_screen(sheet: Sheet) -> Screen:
    """What to do now: the current question, or the summary when all are answered."""
    question = sheet.current
    return question_screen(sheet, question) if question is not None else summary_screen(sheet)


def question_screen(sheet: Sheet, question: Question, mask: int | None = None) -> Screen:
    """The question's message. `mask` is the multi-choice selection being made (None: the
    stored answer, if any)."""
    position, total = progress(sheet.questionnaire, sheet.answers, question.key)
    lines: list[Label] = [Msg("survey.header", {"n": position, "total": total}), "", question.text]
    hint = _hint(question)
    if hint is not None:
        lines += ["", hint]
    given = sheet.answers.get(question.key)
    if given is not None:
        lines += ["", Msg("survey.current_answer", {"answer": describe(question, given)})]
    if mask is None:
        mask = selection_mask(question, given)
    return Screen(tuple(lines), _question_rows(sheet, question, mask))


def _hint(question: Question) -> Msg | None:
    match question.kind:
        case QuestionKind.SCALE:
            return Msg("survey.hint.scale", {"low": question.scale_min, "high": question.scale_max})
        case QuestionKind.MULTI_CHOICE:
            return Msg("survey.hint.multi")
        case QuestionKind.TEXT:
            return Msg(
                "survey.hint.text", {"max": counted("count.characters_up_to", question.max_length)}
            )
        case _:
            return None


def _question_rows(sheet: Sheet, question: Question, mask: int) -> tuple[Row, ...]:
    a = sheet.id
    q = sheet.questionnaire.position(question.key)
    rows: list[Row] = []
    match question.kind:
        case QuestionKind.SCALE:
            values = [
                Button(str(value), AnswerWith(a, q, str(value)))
                for value in range(question.scale_min, question.scale_max + 1)
            ]
            rows += [
                tuple(values[start : start + SCALE_ROW])
                for start in range(0, len(values), SCALE_ROW)
            ]
        case QuestionKind.YES_NO:
            rows.append(
                (
                    Button(Msg("survey.yes"), AnswerWith(a, q, YES)),
                    Button(Msg("survey.no"), AnswerWith(a, q, NO)),
                )
            )
        case QuestionKind.SINGLE_CHOICE:
            rows += [
                (Button(choice.label, AnswerWith(a, q, str(index))),)
                for index, choice in enumerate(question.choices)
            ]
        case QuestionKind.MULTI_CHOICE:
            for index, choice in enumerate(question.choices):
                mark = "✅ " if mask >> index & 1 else "▫️ "
                rows.append((Button((mark, choice.label), Toggle(a, q, mask ^ (1 << index))),))
            rows.append((Button(Msg("survey.done"), DoneChoosing(a, q, mask)),))
        case QuestionKind.TEXT:
            pass
    navigation: list[Button] = []
    if previous_question(sheet.questionnaire, sheet.answers, question.key) is not None:
        navigation.append(Button(Msg("survey.back"), Back(a, q)))
    if question.optional:
        navigation.append(Button(Msg("survey.skip"), SkipQuestion(a, q)))
    if navigation:
        rows.append(tuple(navigation))
    return tuple(rows)


def summary_screen(sheet: Sheet, limit: int = SUMMARY_ANSWER_LIMIT) -> Screen:
    """Every visible question with its answer, a button to change each, then submit."""
    lines: list[Label] = [Msg("survey.summary", {"title": str(sheet.questionnaire.title)}), ""]
    change_buttons: list[Button] = []
    literal = 0
    shown = visible_questions(sheet.questionnaire, sheet.answers)
    for number, question in enumerate(shown, start=1):
        answer = sheet.answers.get(question.key)
        described = describe(question, answer, limit) if answer is not None else "—"
        wording = shorten(question.text, SUMMARY_TEXT_LIMIT)
        lines.append((f"{number}. {wording}\n   → ", described))
        literal += len(wording) + (len(described) if isinstance(described, str) else 0)
        position = sheet.questionnaire.position(question.key)
        change_buttons.append(
            Button(Msg("survey.change", {"n": number}), Change(sheet.id, position))
        )
    if literal > SUMMARY_BUDGET and limit > SUMMARY_TIGHT_LIMIT:
        return summary_screen(sheet, SUMMARY_TIGHT_LIMIT)
    rows = [
        tuple(change_buttons[start : start + EDIT_ROW])
        for start in range(0, len(change_buttons), EDIT_ROW)
    ]
    rows.append(
        (
            Button(Msg("survey.back"), Back(sheet.id, -1)),
            Button(Msg("survey.submit"), Submit(sheet.id)),
        )
    )
    lines += ["", Msg("survey.summary_hint")]
    return Screen(tuple(lines), tuple(rows))


def pending_screen(items: Sequence[PendingItem]) -> Screen:
    if not items:
        return Screen.of("survey.nothing_pending")
    lines: list[Label] = [Msg("survey.pending"), ""]
    rows: list[Row] = []
    for item in items:
        due = item.due_at.strftime("%d.%m.%Y")
        lines.append(Msg("survey.pending_item", {"title": item.title, "due": due}))
        label = Msg("survey.continue") if item.started else Msg("survey.begin")
        button = Button((label, ": ", shorten(item.title, 40)), OpenAssignment(item.assignment_id))
        rows.append((button,))
    return Screen(tuple(lines), tuple(rows))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
