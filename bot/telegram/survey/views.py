"""How a questionnaire looks in the chat: one question per message with its buttons, the
summary before submitting, the list of pending questionnaires. Texts from the catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.telegram.callbacks import SurveyOpenCb
from bot.telegram.survey.callbacks import (
    AnswerCb,
    BackCb,
    DoneCb,
    EditCb,
    SkipCb,
    SubmitCb,
    ToggleCb,
)
from storage.repositories.answers import PendingItem, Sheet
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

SUMMARY_TEXT_LIMIT = 90  # characters of a question shown in the summary
SUMMARY_ANSWER_LIMIT = 200
SUMMARY_TIGHT_LIMIT = 40  # when long free-text answers would pass Telegram's 4096
MESSAGE_LIMIT = 4000
SCALE_ROW = 5
EDIT_ROW = 5


def selection_keys(question: Question, mask: int) -> tuple[str, ...]:
    return tuple(c.key for i, c in enumerate(question.choices) if mask >> i & 1)


def selection_mask(question: Question, response: Response | None) -> int:
    if not isinstance(response, tuple):
        return 0
    return sum(1 << i for i, c in enumerate(question.choices) if c.key in response)


def describe(question: Question, response: Response, limit: int = SUMMARY_ANSWER_LIMIT) -> str:
    """An answer as the person would say it."""
    if isinstance(response, Skipped):
        return _("survey.skipped")
    if question.kind is QuestionKind.YES_NO:
        return _("survey.yes") if response == YES else _("survey.no")
    if question.kind is QuestionKind.SINGLE_CHOICE:
        return question.choice(str(response)).label
    if isinstance(response, tuple):
        return "; ".join(question.choice(key).label for key in response)
    return _shorten(str(response), limit)


def question_view(
    sheet: Sheet, question: Question, mask: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The question's message. `mask` is the multi-choice selection being made (None: the
    stored answer, if any)."""
    position, total = progress(sheet.questionnaire, sheet.answers, question.key)
    lines = [_("survey.header").format(n=position, total=total), "", question.text]
    hint = _hint(question)
    if hint:
        lines += ["", hint]
    given = sheet.answers.get(question.key)
    if given is not None:
        lines += ["", _("survey.current_answer").format(answer=describe(question, given))]
    if mask is None:
        mask = selection_mask(question, given)
    return "\n".join(lines), _question_keyboard(sheet, question, mask)


def _hint(question: Question) -> str:
    match question.kind:
        case QuestionKind.SCALE:
            return _("survey.hint.scale").format(low=question.scale_min, high=question.scale_max)
        case QuestionKind.MULTI_CHOICE:
            return _("survey.hint.multi")
        case QuestionKind.TEXT:
            return _("survey.hint.text").format(max=question.max_length)
        case _:
            return ""


def _question_keyboard(sheet: Sheet, question: Question, mask: int) -> InlineKeyboardMarkup:
    a = sheet.id
    q = sheet.questionnaire.position(question.key)
    rows: list[list[InlineKeyboardButton]] = []

    def button(text: str, data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=data)

    match question.kind:
        case QuestionKind.SCALE:
            values = range(question.scale_min, question.scale_max + 1)
            row: list[InlineKeyboardButton] = []
            for value in values:
                row.append(button(str(value), AnswerCb(a=a, q=q, v=str(value)).pack()))
                if len(row) == SCALE_ROW:
                    rows.append(row)
                    row = []
            if row:
                rows.append(row)
        case QuestionKind.YES_NO:
            rows.append(
                [
                    button(_("survey.yes"), AnswerCb(a=a, q=q, v=YES).pack()),
                    button(_("survey.no"), AnswerCb(a=a, q=q, v=NO).pack()),
                ]
            )
        case QuestionKind.SINGLE_CHOICE:
            for index, choice in enumerate(question.choices):
                rows.append([button(choice.label, AnswerCb(a=a, q=q, v=str(index)).pack())])
        case QuestionKind.MULTI_CHOICE:
            for index, choice in enumerate(question.choices):
                mark = "✅ " if mask >> index & 1 else "▫️ "
                toggled = mask ^ (1 << index)
                rows.append([button(mark + choice.label, ToggleCb(a=a, q=q, mask=toggled).pack())])
            rows.append([button(_("survey.done"), DoneCb(a=a, q=q, mask=mask).pack())])
        case QuestionKind.TEXT:
            pass
    navigation: list[InlineKeyboardButton] = []
    if previous_question(sheet.questionnaire, sheet.answers, question.key) is not None:
        navigation.append(button(_("survey.back"), BackCb(a=a, q=q).pack()))
    if question.optional:
        navigation.append(button(_("survey.skip"), SkipCb(a=a, q=q).pack()))
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def summary_view(
    sheet: Sheet, limit: int = SUMMARY_ANSWER_LIMIT
) -> tuple[str, InlineKeyboardMarkup]:
    """Every visible question with its answer, a button to change each, then submit."""
    title = str(sheet.questionnaire.title)
    lines = [_("survey.summary").format(title=title), ""]
    # Buttons built directly: InlineKeyboardBuilder deep-copies every button it is given.
    change_buttons: list[InlineKeyboardButton] = []
    shown = visible_questions(sheet.questionnaire, sheet.answers)
    for number, question in enumerate(shown, start=1):
        answer = sheet.answers.get(question.key)
        described = describe(question, answer, limit) if answer is not None else "—"
        lines.append(f"{number}. {_shorten(question.text, SUMMARY_TEXT_LIMIT)}\n   → {described}")
        position = sheet.questionnaire.position(question.key)
        change_buttons.append(
            InlineKeyboardButton(
                text=_("survey.change").format(n=number),
                callback_data=EditCb(a=sheet.id, q=position).pack(),
            )
        )
    rows = [
        change_buttons[start : start + EDIT_ROW]
        for start in range(0, len(change_buttons), EDIT_ROW)
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("survey.back"), callback_data=BackCb(a=sheet.id, q=-1).pack()
            ),
            InlineKeyboardButton(
                text=_("survey.submit"), callback_data=SubmitCb(a=sheet.id).pack()
            ),
        ]
    )
    lines += ["", _("survey.summary_hint")]
    text = "\n".join(lines)
    if len(text) > MESSAGE_LIMIT and limit > SUMMARY_TIGHT_LIMIT:
        return summary_view(sheet, SUMMARY_TIGHT_LIMIT)
    return text[:MESSAGE_LIMIT], InlineKeyboardMarkup(inline_keyboard=rows)


def pending_view(items: Sequence[PendingItem]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not items:
        return _("survey.nothing_pending"), None
    builder = InlineKeyboardBuilder()
    lines = [_("survey.pending"), ""]
    for item in items:
        due = item.due_at.strftime("%d.%m.%Y")
        lines.append(_("survey.pending_item").format(title=item.title, due=due))
        label = _("survey.continue") if item.started else _("survey.begin")
        builder.button(
            text=f"{label}: {_shorten(item.title, 40)}",
            callback_data=SurveyOpenCb(assignment=item.assignment_id),
        )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
