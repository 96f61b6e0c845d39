"""/template and roster uploads: the curator sends a workbook for a programme and gets back
a workbook with each imported person's personal link and every row that was not imported
(row, column, reason)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Document, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.callbacks import ProgrammeCb
from bot.telegram.filters import Magic
from bot.telegram.links import bot_username, deep_link
from bot.telegram.screens import reply
from exports.roster_workbook import result_workbook, template_workbook
from imports.roster_file import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_UNPACKED_BYTES,
    RosterFileError,
    RosterFileProblem,
    read_roster,
)
from storage.repositories.invites import ScopeDenied
from storage.repositories.programmes import ProgrammeRepository
from storage.repositories.roster import ImportedRow, RosterRepository
from surveys.access import Actor
from surveys.roster_rules import HEADERS, RosterCheck, check_rows

TEMPLATE_NAME = "roster_template.xlsx"
RESULT_NAME = "roster_links.xlsx"


class RosterUpload(StatesGroup):
    waiting = State()


async def send_template(message: Message) -> None:
    content = template_workbook(_("curator.roster.sheet"))
    await message.answer_document(
        BufferedInputFile(content, TEMPLATE_NAME), caption=_("curator.roster.template")
    )


async def ask_for_roster(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    try:
        programme = await ProgrammeRepository(session).to_change(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    await state.clear()
    await state.set_state(RosterUpload.waiting)
    await state.update_data(programme_id=programme.id)
    await reply(query, _("curator.roster.ask").format(title=programme.title))


async def roster_received(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    document = message.document
    assert document is not None
    programme_id = int((await state.get_data())["programme_id"])
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message.answer(_problem_text(RosterFileError(RosterFileProblem.TOO_BIG)))
        return
    try:
        content = await _download(bot, document)
        parsed = await asyncio.to_thread(read_roster, content)
    except RosterFileError as error:
        # The state stays: the curator can fix the file and send it again.
        await message.answer(_problem_text(error))
        return
    roster = RosterRepository(session)
    try:
        known = await roster.known_names(actor, programme_id)
    except ScopeDenied:
        await state.clear()
        await message.answer(_("curator.denied"))
        return
    checked = await asyncio.to_thread(check_rows, parsed.columns, parsed.rows, known)
    imported = await roster.import_rows(
        actor, programme_id, checked.rows, timedelta(days=settings.invite_ttl_days)
    )
    await state.clear()
    username = await bot_username(bot, settings)
    workbook = _result(checked, imported, username)
    caption = _("curator.roster.result").format(
        imported=len(imported), total=len(parsed.rows), rejected=len(checked.rejected_rows)
    )
    await message.answer_document(BufferedInputFile(workbook, RESULT_NAME), caption=caption)


async def _download(bot: Bot, document: Document) -> bytes:
    buffer = await bot.download(document)
    if buffer is None:
        raise RosterFileError(RosterFileProblem.NOT_XLSX)
    content = buffer.read()
    if len(content) > MAX_BYTES:  # file_size is optional in Telegram's Document
        raise RosterFileError(RosterFileProblem.TOO_BIG)
    return content


def _result(checked: RosterCheck, imported: list[ImportedRow], username: str) -> bytes:
    links = [
        (
            item.row.row_number,
            item.row.full_name,
            _(f"role.{item.row.role.value}"),
            item.row.pair_number,
            deep_link(username, item.code),
        )
        for item in imported
    ]
    errors = [
        (
            issue.row_number,
            HEADERS[issue.column],
            _(f"curator.roster.problem.{issue.problem.value}"),
            issue.value,
        )
        for issue in checked.issues
    ]
    return result_workbook(
        _("curator.roster.sheet_links"),
        [
            _("curator.roster.col.row"),
            HEADERS[next(iter(HEADERS))],
            _("curator.roster.col.role"),
            _("curator.roster.col.pair"),
            _("curator.roster.col.link"),
        ],
        links,
        _("curator.roster.sheet_errors"),
        [
            _("curator.roster.col.row"),
            _("curator.roster.col.column"),
            _("curator.roster.col.problem"),
            _("curator.roster.col.value"),
        ],
        errors,
    )


def _problem_text(error: RosterFileError) -> str:
    text = _(f"curator.roster.file.{error.problem.value}")
    return text.format(
        limit_mb=MAX_BYTES // (1024 * 1024),
        limit_rows=MAX_ROWS,
        limit_unpacked_mb=MAX_UNPACKED_BYTES // (1024 * 1024),
        limit_scanned_rows=MAX_SCANNED_ROWS,
        limit_columns=MAX_COLUMNS,
        missing=", ".join(HEADERS[column] for column in error.missing),
    )


async def roster_not_a_document(message: Message) -> None:
    await message.answer(_("curator.roster.send_file"))


async def document_without_programme(message: Message) -> None:
    await message.answer(_("curator.roster.choose_programme"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(send_template, Command("template"), CommandAllowed("template"))
    router.callback_query.register(ask_for_roster, ProgrammeCb.filter(F.action == "roster"))
    router.message.register(roster_received, StateFilter(RosterUpload.waiting), Magic(F.document))
    router.message.register(
        roster_not_a_document, StateFilter(RosterUpload.waiting), Magic(~F.text.startswith("/"))
    )
    router.message.register(
        document_without_programme, Magic(F.document), CommandAllowed("template")
    )
    return router
