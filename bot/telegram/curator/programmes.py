"""/programmes in Telegram: each handler reads the press or the text, calls one step of
app.curator.programmes and shows the reply; the rules and the commits are the use case's."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from app.curator.actions import ChooseForm, ChooseYear, NewProgramme, OnProgramme, ProgrammeVerb
from app.curator.programmes import LINK_ROLES, Programmes
from app.curator.reply import Step
from app.screens import Msg
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat, saying
from bot.telegram.curator.conversation import Verb
from bot.telegram.filters import Magic, typed_text
from bot.telegram.links import invite_link
from bot.telegram.screens import Pressed

EDIT_FIELDS = tuple(verb for verb in ProgrammeVerb if verb.startswith("edit_"))


def programmes_of(chat: Chat) -> Programmes:
    return Programmes(chat.uow, chat.actor, chat.locale)


async def list_programmes(message: Message, chat: Chat) -> None:
    await chat.show(message, await programmes_of(chat).overview())


async def programme_button(
    query: CallbackQuery, action: NewProgramme | ChooseForm | ChooseYear | OnProgramme, chat: Chat
) -> None:
    programmes = programmes_of(chat)
    settings = chat.settings
    match action:
        case NewProgramme(organization):
            reply = await programmes.start_new(organization)
        case ChooseForm(form):
            reply = programmes.choose_form(form)
        case ChooseYear(year):
            reply = programmes.choose_year(year)
        case OnProgramme(ProgrammeVerb.OPEN, programme):
            reply = await programmes.open(programme)
        case OnProgramme(ProgrammeVerb.EDIT, programme):
            reply = await programmes.fields(programme)
        case OnProgramme(verb, programme) if verb in LINK_ROLES:
            reply = await programmes.link(
                programme,
                verb,
                timedelta(days=settings.invite_ttl_days),
                settings.invite_max_uses,
                partial(invite_link, chat.bot, settings),
            )
        case OnProgramme(verb, programme):
            reply = await programmes.ask_value(programme, verb)
    await chat.show(query, reply)


async def value_typed(message: Message, chat: Chat) -> None:
    """A typed step of creating or changing a programme."""
    programmes = programmes_of(chat)
    typed = message.text or ""
    state = chat.state
    match await state.get_state():
        case Step.TITLE:
            reply = programmes.give_title(typed)
        case Step.STARTS_ON:
            reply = programmes.give_start(typed)
        case Step.ENDS_ON:
            reply = await programmes.give_end(typed, await state.get_data())
        case _:
            reply = await programmes.give_value(typed, await state.get_data())
    await chat.show(message, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_programmes, Command("programmes"), CommandAllowed("programmes"))
    router.callback_query.register(programme_button, Pressed(NewProgramme))
    router.callback_query.register(programme_button, StateFilter(Step.FORM), Pressed(ChooseForm))
    router.callback_query.register(programme_button, StateFilter(Step.YEAR), Pressed(ChooseYear))
    router.callback_query.register(
        programme_button,
        Verb(OnProgramme, ProgrammeVerb.OPEN, ProgrammeVerb.EDIT, *LINK_ROLES, *EDIT_FIELDS),
    )
    typed_steps = (Step.TITLE, Step.STARTS_ON, Step.ENDS_ON, Step.NEW_VALUE)
    router.message.register(value_typed, StateFilter(*typed_steps), typed_text())
    router.message.register(
        saying(Msg("curator.press_button")),
        StateFilter(Step.FORM, Step.YEAR),
        Magic(~F.text.startswith("/")),
    )
    router.message.register(
        saying(Msg("curator.type_text")), StateFilter(*typed_steps), Magic(~F.text)
    )
    return router
