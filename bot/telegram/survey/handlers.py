"""Answering questionnaires: /survey, the invitation button, one question per message.

The question to ask comes from the database (the first unanswered visible question), so
a restarted bot continues where the person was. The only thing kept in FSM data is which
answered question the person chose to change ("back" or the summary's buttons); losing it
merely makes such a button answer "already answered".
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram.callbacks import SurveyOpenCb
from bot.telegram.commands import CommandAllowed
from bot.telegram.replies import drop_buttons
from bot.telegram.survey.callbacks import (
    AnswerCb,
    BackCb,
    DoneCb,
    EditCb,
    SkipCb,
    SubmitCb,
    ToggleCb,
)
from bot.telegram.survey.views import pending_view, question_view, selection_keys, summary_view
from storage.repositories.answers import (
    AnswerRepository,
    AssignmentClosed,
    Sheet,
)
from storage.write_lock import writing
from surveys.access import Actor
from surveys.questionnaire import (
    SKIPPED,
    InvalidAnswer,
    Question,
    QuestionKind,
    Response,
    parse_answer,
    previous_question,
    visible_questions,
)
from surveys.statuses import AssignmentStatus

EDITING = "survey_editing"  # FSM data: [assignment id, question key] being changed


def closed_text(sheet: Sheet) -> str:
    if sheet.status == AssignmentStatus.SUBMITTED:
        return _("survey.already_submitted")
    due = sheet.assignment.due_at.strftime("%d.%m.%Y")
    return _("survey.expired").format(due=due)


def invalid_text(error: InvalidAnswer, question: Question, given: str = "") -> str:
    return _(f"survey.invalid.{error.reason.value}").format(
        low=question.scale_min,
        high=question.scale_max,
        max=question.max_length if question.kind is QuestionKind.TEXT else question.selection_limit,
        min=question.min_selections,
        length=len(given.strip()),
    )


async def editing_key(state: FSMContext, sheet: Sheet) -> str | None:
    data = await state.get_data()
    editing = data.get(EDITING)
    if isinstance(editing, list) and len(editing) == 2 and editing[0] == sheet.id:
        key = str(editing[1])
        return key if key in sheet.questionnaire else None
    return None


def askable(sheet: Sheet, position: int, editing: str | None) -> Question | None:
    """The question at `position` if it may be answered now: it is the current one, or
    the one the person chose to change. Anything else is a stale or forged button."""
    questions = sheet.questionnaire.questions
    if not 0 <= position < len(questions):
        return None
    question = questions[position]
    if question not in visible_questions(sheet.questionnaire, sheet.answers):
        return None
    current = sheet.current
    if (current is not None and current.key == question.key) or editing == question.key:
        return question
    return None


async def show(bot: Bot, chat_id: int, sheet: Sheet, question: Question | None = None) -> None:
    """Send the next thing to do: a question, the summary, or why nothing is possible."""
    if not sheet.is_open:
        await bot.send_message(chat_id, closed_text(sheet))
        return
    question = question or sheet.current
    if question is None:
        text, markup = summary_view(sheet)
    else:
        text, markup = question_view(sheet, question)
    await bot.send_message(chat_id, text, reply_markup=markup)


async def refuse(query: CallbackQuery, sheet: Sheet | None) -> None:
    """A short explanation instead of an answer; nothing is stored."""
    if sheet is None:
        await query.answer(_("survey.not_yours"), show_alert=True)
    elif not sheet.is_open:
        await query.answer(closed_text(sheet), show_alert=True)
    else:
        await query.answer(_("survey.stale"))


async def store(
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
    chat_id: int,
    sheet: Sheet,
    question: Question,
    response: Response,
    query: CallbackQuery | None = None,
) -> None:
    """Save one answer, commit before replying (a crash after the reply loses nothing),
    then ask the next question or show the summary."""
    async with writing(session):
        await AnswerRepository(session).save(sheet, question, response)
        await session.commit()
    if query is not None:
        # Only now tell the person it went through: a crash before the commit leaves
        # the buttons in place to tap again.
        await query.answer()
        await drop_buttons(query)
    if (await state.get_data()).get(EDITING) is not None:
        await state.update_data({EDITING: None})
    await show(bot, chat_id, sheet)


# --- opening --------------------------------------------------------------------------


async def survey_command(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, bot: Bot
) -> None:
    await state.update_data({EDITING: None})
    repository = AnswerRepository(session)
    items = await repository.pending(actor)
    await session.commit()  # overdue assignments were marked expired
    text, markup = pending_view(items)
    await message.answer(text, reply_markup=markup)
    if len(items) == 1:
        sheet = await repository.open(actor, items[0].assignment_id)
        if sheet is not None and sheet.is_open:
            async with writing(session):
                await repository.start(sheet)
                await session.commit()
            await show(bot, message.chat.id, sheet)


async def open_assignment(
    query: CallbackQuery,
    callback_data: SurveyOpenCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    repository = AnswerRepository(session)
    sheet = await repository.open(actor, callback_data.assignment)
    if sheet is None or not sheet.is_open:
        await session.commit()
        await refuse(query, sheet)
        return
    await query.answer()
    async with writing(session):
        await repository.start(sheet)
        await session.commit()
    await state.update_data({EDITING: None})
    if sheet.current is not None and sheet.answers:
        await bot.send_message(query.from_user.id, _("survey.resumed"))
    elif sheet.questionnaire.intro and not sheet.answers:
        await bot.send_message(query.from_user.id, sheet.questionnaire.intro)
    await show(bot, query.from_user.id, sheet)


# --- answering with buttons -----------------------------------------------------------


async def _target(
    session: AsyncSession, actor: Actor, state: FSMContext, a: int, q: int
) -> tuple[Sheet | None, Question | None]:
    sheet = await AnswerRepository(session).open(actor, a)
    if sheet is None or not sheet.is_open:
        await session.commit()  # keep an expiry noticed just now
        return sheet, None
    return sheet, askable(sheet, q, await editing_key(state, sheet))


async def answer_button(
    query: CallbackQuery,
    callback_data: AnswerCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    sheet, question = await _target(session, actor, state, callback_data.a, callback_data.q)
    if sheet is None or question is None:
        await refuse(query, sheet)
        return
    raw = callback_data.v
    if question.kind is QuestionKind.SINGLE_CHOICE and raw.isdigit():
        index = int(raw)
        raw = question.choices[index].key if index < len(question.choices) else ""
    try:
        response = parse_answer(question, raw)
    except InvalidAnswer as error:
        await query.answer(invalid_text(error, question), show_alert=True)
        return
    await store(session, state, bot, query.from_user.id, sheet, question, response, query)


async def toggle_button(
    query: CallbackQuery,
    callback_data: ToggleCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    """Multi choice: redraw the keyboard with the new selection; nothing stored yet."""
    sheet, question = await _target(session, actor, state, callback_data.a, callback_data.q)
    if sheet is None or question is None or question.kind is not QuestionKind.MULTI_CHOICE:
        await refuse(query, sheet)
        return
    mask = callback_data.mask & ((1 << len(question.choices)) - 1)
    await query.answer()
    if isinstance(query.message, Message):
        _text, markup = question_view(sheet, question, mask)
        await query.message.edit_reply_markup(reply_markup=markup)


async def done_button(
    query: CallbackQuery,
    callback_data: DoneCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    sheet, question = await _target(session, actor, state, callback_data.a, callback_data.q)
    if sheet is None or question is None or question.kind is not QuestionKind.MULTI_CHOICE:
        await refuse(query, sheet)
        return
    try:
        response = parse_answer(question, ",".join(selection_keys(question, callback_data.mask)))
    except InvalidAnswer as error:
        await query.answer(invalid_text(error, question), show_alert=True)
        return
    await store(session, state, bot, query.from_user.id, sheet, question, response, query)


async def skip_button(
    query: CallbackQuery,
    callback_data: SkipCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    sheet, question = await _target(session, actor, state, callback_data.a, callback_data.q)
    if sheet is None or question is None:
        await refuse(query, sheet)
        return
    if not question.optional:
        await query.answer(_("survey.invalid.required"), show_alert=True)
        return
    await store(session, state, bot, query.from_user.id, sheet, question, SKIPPED, query)


# --- moving around --------------------------------------------------------------------


async def _change(
    query: CallbackQuery, state: FSMContext, bot: Bot, sheet: Sheet, question: Question
) -> None:
    await query.answer()
    await drop_buttons(query)
    await state.update_data({EDITING: [sheet.id, question.key]})
    await show(bot, query.from_user.id, sheet, question)


async def back_button(
    query: CallbackQuery,
    callback_data: BackCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    sheet = await AnswerRepository(session).open(actor, callback_data.a)
    if sheet is None or not sheet.is_open:
        await session.commit()
        await refuse(query, sheet)
        return
    questions = sheet.questionnaire.questions
    here = questions[callback_data.q].key if 0 <= callback_data.q < len(questions) else None
    target = previous_question(sheet.questionnaire, sheet.answers, here)
    if target is None:
        await query.answer(_("survey.first_question"))
        return
    await _change(query, state, bot, sheet, target)


async def edit_button(
    query: CallbackQuery,
    callback_data: EditCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    sheet = await AnswerRepository(session).open(actor, callback_data.a)
    if sheet is None or not sheet.is_open:
        await session.commit()
        await refuse(query, sheet)
        return
    questions = sheet.questionnaire.questions
    if not 0 <= callback_data.q < len(questions):
        await refuse(query, sheet)
        return
    question = questions[callback_data.q]
    if question not in visible_questions(sheet.questionnaire, sheet.answers):
        await refuse(query, sheet)
        return
    await _change(query, state, bot, sheet, question)


async def submit_button(
    query: CallbackQuery,
    callback_data: SubmitCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
) -> None:
    repository = AnswerRepository(session)
    sheet = await repository.open(actor, callback_data.a)
    if sheet is None or not sheet.is_open:
        await session.commit()
        await refuse(query, sheet)
        return
    try:
        async with writing(session):
            submitted = await repository.submit(sheet)
            await session.commit()
    except AssignmentClosed:
        await refuse(query, sheet)
        return
    if not submitted:
        await query.answer(_("survey.incomplete"), show_alert=True)
        await show(bot, query.from_user.id, sheet)
        return
    await query.answer()
    await drop_buttons(query)
    await state.update_data({EDITING: None})
    await bot.send_message(query.from_user.id, _("survey.thanks"))


# --- free text ------------------------------------------------------------------------


async def text_answer(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, bot: Bot
) -> None:
    """Free text goes to the questionnaire being answered; with none, to the fallback."""
    repository = AnswerRepository(session)
    data = await state.get_data()
    editing = data.get(EDITING)
    sheet = None
    if isinstance(editing, list) and len(editing) == 2:
        sheet = await repository.open(actor, int(editing[0]))
    if sheet is None or not sheet.is_open:
        sheet = await repository.active(actor)
    if sheet is None:
        raise SkipHandler
    if not sheet.is_open:
        await session.commit()
        await message.answer(closed_text(sheet))
        return
    key = await editing_key(state, sheet)
    question = sheet.questionnaire.question(key) if key else sheet.current
    if question is None:
        await message.answer(_("survey.use_summary"))
        return
    if question.kind is not QuestionKind.TEXT:
        await message.answer(_("survey.use_buttons"))
        await show(bot, message.chat.id, sheet, question)
        return
    text = message.text or ""
    try:
        response = parse_answer(question, text)
    except InvalidAnswer as error:
        await message.answer(invalid_text(error, question, text))
        return
    await store(session, state, bot, message.chat.id, sheet, question, response)


async def person_known(_event: Any, actor: Actor | None = None, **_kw: Any) -> bool:
    return actor is not None and actor.person_id is not None


def create_router() -> Router:
    """/survey and free-text answers: after the other conversations, which own their text."""
    router = Router(name=__name__)
    router.message.register(survey_command, Command("survey"), CommandAllowed("survey"))
    # StateFilter(None): text typed inside another conversation belongs to that one.
    router.message.register(
        text_answer, StateFilter(None), F.text, ~F.text.startswith("/"), person_known
    )
    return router


def create_button_router() -> Router:
    """The questionnaire's buttons. Their callback data is ours alone, so this router sits
    near the front: an answer tap (the bot's most frequent update) is not offered to every
    other router's filters first."""
    router = Router(name=f"{__name__}.buttons")
    router.callback_query.register(open_assignment, SurveyOpenCb.filter())
    router.callback_query.register(answer_button, AnswerCb.filter())
    router.callback_query.register(toggle_button, ToggleCb.filter())
    router.callback_query.register(done_button, DoneCb.filter())
    router.callback_query.register(skip_button, SkipCb.filter())
    router.callback_query.register(back_button, BackCb.filter())
    router.callback_query.register(edit_button, EditCb.filter())
    router.callback_query.register(submit_button, SubmitCb.filter())
    return router
