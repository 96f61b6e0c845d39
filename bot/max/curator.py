"""The curator's screens in MAX: /programmes, /template and roster uploads, /pairs, /status
with its workbook and «remind now». Each handler reads the update, calls one step of the
same app.curator use case the Telegram bot calls, and shows its Reply; the rules, the scope
and the commits are the use case's.

Unlike Telegram, a status page is redrawn by answering the press with the new message body
(MAX changes the pressed message in place), and bulk work reports progress by editing one
message.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from app.actions import Action, pack
from app.curator.actions import (
    ChangeMember,
    ChooseForm,
    ChooseYear,
    NewProgramme,
    OnPair,
    OnProgramme,
    OnStatus,
    Pick,
    ProgrammeVerb,
    ShowDistrict,
    ShowStatus,
    StatusVerb,
)
from app.curator.bulk import PAIRS_PER_STEP, Job, no_progress
from app.curator.pairs import Deadlines, Pairs
from app.curator.programmes import LINK_ROLES, Programmes
from app.curator.reply import Reply, Step
from app.curator.roster import Roster, template
from app.curator.status import Reader, Status
from app.notices import OutboxNotices
from app.screens import Msg, Screen
from bot import render
from bot.max.client import TEXT_LIMIT, Rejected, quietly
from bot.max.conversation import data, show, step
from bot.max.edge import Turn
from bot.max.links import max_link
from bot.max.screens import keyboard
from bot.max.updates import SentFile
from imports.roster_file import MAX_BYTES, RosterFileError, RosterFileProblem

log = logging.getLogger(__name__)

COMMANDS = ("programmes", "pairs", "template", "status")
TYPED_STEPS = (Step.TITLE, Step.STARTS_ON, Step.ENDS_ON, Step.NEW_VALUE)
BUTTON_STEPS = (Step.FORM, Step.YEAR)
PAIR_STEPS = (Step.MENTOR, Step.MENTEES)
BULK_VERBS = (ProgrammeVerb.FORM_ROSTER, ProgrammeVerb.COMPLETE_YES)
PAIR_PROGRAMME_VERBS = (ProgrammeVerb.PAIRS, ProgrammeVerb.NEW_PAIR, ProgrammeVerb.COMPLETE)
PROGRESS_EVERY = 1.0  # seconds between edits of a progress message


# --- commands ------------------------------------------------------------------------------


async def command(turn: Turn, name: str) -> None:
    match name:
        case "programmes":
            await show(turn, await _programmes(turn).overview())
        case "pairs":
            await show(turn, await _pairs(turn).overview())
        case "template":
            await show(turn, template(turn.text))
        case "status":
            await show(turn, await _status(turn).overview())


# --- presses -------------------------------------------------------------------------------

CURATOR_ACTIONS = (
    NewProgramme,
    ChooseForm,
    ChooseYear,
    OnProgramme,
    OnPair,
    ChangeMember,
    Pick,
    ShowDistrict,
    ShowStatus,
    OnStatus,
)


async def pressed(turn: Turn, action: Action) -> None:
    """A curator's (or methodist's, admin's) button; scope is checked by the use case."""
    current = step(turn)
    match action:
        case NewProgramme(organization):
            reply = await _programmes(turn).start_new(organization)
        case ChooseForm(form) if current == Step.FORM:
            reply = _programmes(turn).choose_form(form)
        case ChooseYear(year) if current == Step.YEAR:
            reply = _programmes(turn).choose_year(year)
        case OnProgramme(verb, programme) if verb in BULK_VERBS:
            await _bulk(turn, verb, programme)
            return
        case OnProgramme(ProgrammeVerb.ROSTER, programme):
            reply = await Roster(turn.uow, turn.actor).ask(programme)
        case OnProgramme(verb, programme) if verb in PAIR_PROGRAMME_VERBS:
            reply = await _pairs(turn).press(action, current, data(turn))
        case OnProgramme(verb, programme):
            reply = await _programme_button(turn, verb, programme)
        case OnPair() | ChangeMember():
            reply = await _pairs(turn).press(action, current, data(turn))
        case Pick() if current in (Step.MENTOR, Step.MENTEES):
            reply = await _pairs(turn).press(action, current, data(turn))
        case ShowDistrict() | ShowStatus():
            await _status_page(turn, action)
            return
        case OnStatus(StatusVerb.XLSX, organization):
            reply = await _status(turn).xlsx(organization)
        case OnStatus(StatusVerb.REMIND, organization):
            reply = await _status(turn).remind(organization, OutboxNotices(turn.reader.i18n))
        case _:
            await turn.notify(Msg("fallback.stale_button"))
            return
    await show(turn, reply)


async def _programme_button(turn: Turn, verb: str, programme: int) -> Reply:
    programmes = _programmes(turn)
    if verb == ProgrammeVerb.OPEN:
        return await programmes.open(programme)
    if verb == ProgrammeVerb.EDIT:
        return await programmes.fields(programme)
    if verb in LINK_ROLES:
        settings = turn.services.settings
        return await programmes.link(
            programme,
            verb,
            timedelta(days=settings.invite_ttl_days),
            settings.invite_max_uses,
            partial(invite_link, turn),
        )
    return await programmes.ask_value(programme, verb)


# --- typed text and files ------------------------------------------------------------------


def waiting(turn: Turn) -> bool:
    """Whether a curator's conversation waits for what the person typed or sent."""
    return step(turn) in (*TYPED_STEPS, *BUTTON_STEPS, Step.ROSTER)


async def typed(turn: Turn, text: str) -> None:
    """Text while a curator's conversation waits (see `waiting`)."""
    current = step(turn)
    programmes = _programmes(turn)
    if current in BUTTON_STEPS:
        reply = Reply((Screen.of("curator.press_button"),))
    elif current == Step.ROSTER:
        reply = Reply((Screen.of("curator.roster.send_file"),))
    elif current == Step.TITLE:
        reply = programmes.give_title(text)
    elif current == Step.STARTS_ON:
        reply = programmes.give_start(text)
    elif current == Step.ENDS_ON:
        reply = await programmes.give_end(text, data(turn))
    else:
        reply = await programmes.give_value(text, data(turn))
    await show(turn, reply)


async def sent_file(turn: Turn, file: SentFile) -> None:
    """A file: the roster being waited for, or a hint to choose the programme first."""
    current = step(turn)
    if current in TYPED_STEPS:
        await show(turn, Reply((Screen.of("curator.type_text"),)))
        return
    if current != Step.ROSTER:
        await show(turn, Reply((Screen.of("curator.roster.choose_programme"),)))
        return
    settings = turn.services.settings
    name = await bot_name(turn)
    reply = await Roster(turn.uow, turn.actor).upload(
        data(turn),
        file.size or None,
        partial(_download, turn, file),
        timedelta(days=settings.invite_ttl_days),
        turn.text,
        partial(max_link, name),
    )
    await show(turn, reply)


async def _download(turn: Turn, file: SentFile) -> bytes | None:
    try:
        return await turn.client.download(file.url, MAX_BYTES)
    except Rejected as error:  # larger than announced: refused before it is all read
        raise RosterFileError(RosterFileProblem.TOO_BIG) from error


# --- status --------------------------------------------------------------------------------


async def _status_page(turn: Turn, action: ShowDistrict | ShowStatus) -> None:
    """Paging and filters redraw the pressed status message; opening an organization from
    a district list is a new message."""
    status = _status(turn)
    if isinstance(action, ShowDistrict):
        shown: Screen | Reply = await status.district(action.municipality, action.page)
        in_place = action.page > 0
    else:
        shown = await status.organization(action.organization, action.view, action.page)
        own = pack(OnStatus(StatusVerb.XLSX, action.organization))
        in_place = own in turn.incoming.pressed_payloads
    if isinstance(shown, Reply):
        await show(turn, shown)
        return
    if not in_place:
        await show(turn, Reply((shown,)))
        return
    turn.answered = True
    await turn.client.answer(
        turn.user_id,
        turn.incoming.callback_id or "",
        text=render.body(turn.reader, shown),
        keyboard=keyboard(turn.reader, shown),
    )


# --- bulk work -----------------------------------------------------------------------------


async def _bulk(turn: Turn, verb: str, programme: int) -> None:
    """Pairs from the roster, completing a programme: within the update when it is one step,
    otherwise in the background with a progress message."""
    jobs = turn.services.jobs
    if jobs.busy(turn.user_id):
        await turn.notify(Msg("curator.bulk.busy"))
        return
    pairs = _pairs(turn)
    factory = turn.services.session_factory
    if verb == ProgrammeVerb.FORM_ROSTER:
        job = await pairs.form_from_roster(programme, factory)
    else:
        job = await pairs.complete_programme(programme, factory)
    await show(turn, Reply(drop=job.drop))
    if job.total <= PAIRS_PER_STEP:
        await turn.show(Screen((await job.run(no_progress),)))
        return
    sent = await turn.client.send(turn.user_id, turn.text(job.progress(0)))
    jobs.start(turn.user_id, _in_background(turn, job, sent.mid))


async def _in_background(turn: Turn, job: Job, mid: str) -> None:
    client, user_id = turn.client, turn.user_id
    edited_at: float | None = None

    async def progress(done: int) -> None:
        nonlocal edited_at
        now = time.monotonic()
        if edited_at is None or now - edited_at >= PROGRESS_EVERY:
            edited_at = now
            await quietly(client.edit_text(mid, turn.text(job.progress(done))))

    try:
        result = await job.run(progress)
        await quietly(client.edit_text(mid, turn.text(job.progress(job.total))))
        await client.send(user_id, turn.text(result))
    except Exception:
        # A background task has nobody to raise to: log it and tell the curator.
        log.exception("bulk work failed for MAX user %s", user_id)
        await quietly(client.send(user_id, turn.text(Msg("curator.bulk.failed"))))


# --- use cases of this turn ----------------------------------------------------------------


def _programmes(turn: Turn) -> Programmes:
    return Programmes(turn.uow, turn.actor, turn.reader.locale)


def _pairs(turn: Turn) -> Pairs:
    settings = turn.services.settings
    deadlines = Deadlines(settings.start_due_days, settings.completion_due_days)
    notices = OutboxNotices(turn.reader.i18n)
    return Pairs(turn.uow, turn.actor, turn.services.catalogue, notices, deadlines)


def _status(turn: Turn) -> Status:
    return Status(turn.uow, turn.actor, Reader(turn.text, TEXT_LIMIT))


async def bot_name(turn: Turn) -> str:
    """MAX_BOT_NAME, or the bot's own name as MAX knows it (asked once)."""
    settings = turn.services.settings
    if settings.max_bot_name:
        return settings.max_bot_name
    return await turn.client.cached_username()


async def invite_link(turn: Turn, code: str) -> str:
    return max_link(await bot_name(turn), code)
