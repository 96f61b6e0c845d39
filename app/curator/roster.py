"""Rosters: the template, and a curator's upload for a programme. The file is checked
before any row (size, format, shape), every row is either imported with a personal link
or reported (row, column, reason), and the answer is a workbook of both, sent after the
import is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from app import policy
from app.curator.reply import Document, Reply, Step
from app.screens import Msg, Screen, Text
from app.uow import UnitOfWork
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
from storage.repositories.roster import ImportedRow, RosterRepository
from surveys.access import Actor
from surveys.roster_rules import HEADERS, RosterCheck, check_rows

TEMPLATE_NAME = "roster_template.xlsx"
RESULT_NAME = "roster_links.xlsx"

Say = Callable[[Text], str]  # a text in the reader's language (for workbook cells)
LinkFor = Callable[[str], str]  # a personal invitation code → the link a person follows
Download = Callable[[], Awaitable[bytes | None]]


def template(say: Say) -> Reply:
    """/template: the empty roster workbook with two example rows."""
    content = template_workbook(say(Msg("curator.roster.sheet")))
    return Reply(documents=(Document(TEMPLATE_NAME, content, Msg("curator.roster.template")),))


class Roster:
    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow = uow
        self.actor = actor
        self.roster = RosterRepository(uow.session)

    async def ask(self, programme_id: int) -> Reply:
        """«Загрузить список»: the bot waits for the programme's file."""
        programme = await policy.programme_to_change(self.uow.session, self.actor, programme_id)
        return Reply(
            (Screen.of("curator.roster.ask", title=programme.title),),
            step=Step.ROSTER,
            restart=True,
            data={"programme_id": programme.id},
        )

    async def upload(
        self,
        given: Mapping[str, Any],
        size: int | None,
        download: Download,
        ttl: timedelta,
        say: Say,
        link_for: LinkFor,
    ) -> Reply:
        """The file for the programme being waited for. A file that cannot be read is
        explained and the bot keeps waiting: the curator can fix it and send it again."""
        try:
            if size is not None and size > MAX_BYTES:
                raise RosterFileError(RosterFileProblem.TOO_BIG)
            content = await download()
            if content is None:
                raise RosterFileError(RosterFileProblem.NOT_XLSX)
            if len(content) > MAX_BYTES:  # the size a messenger announces may be missing
                raise RosterFileError(RosterFileProblem.TOO_BIG)
            parsed = await asyncio.to_thread(read_roster, content)
        except RosterFileError as error:
            return Reply((Screen((file_problem(error),)),))
        programme = await policy.programme_to_change(
            self.uow.session, self.actor, int(given["programme_id"])
        )
        known = await self.roster.known_names(programme.id)
        checked = await asyncio.to_thread(check_rows, parsed.columns, parsed.rows, known)
        prepared = await self.roster.prepare(programme.id, checked.rows, ttl, self.actor.person_id)
        await self.uow.write()
        imported = await self.roster.insert(prepared)
        await self.uow.commit()
        caption = Msg(
            "curator.roster.result",
            {
                "imported": len(imported),
                "total": len(parsed.rows),
                "rejected": len(checked.rejected_rows),
            },
        )
        # openpyxl writing thousands of rows would hold up everyone else's updates.
        workbook = await asyncio.to_thread(_result, checked, imported, say, link_for)
        return Reply(documents=(Document(RESULT_NAME, workbook, caption),), step=None)


def file_problem(error: RosterFileError) -> Msg:
    return Msg(
        f"curator.roster.file.{error.problem.value}",
        {
            "limit_mb": MAX_BYTES // (1024 * 1024),
            "limit_rows": MAX_ROWS,
            "limit_unpacked_mb": MAX_UNPACKED_BYTES // (1024 * 1024),
            "limit_scanned_rows": MAX_SCANNED_ROWS,
            "limit_columns": MAX_COLUMNS,
            "missing": ", ".join(HEADERS[column] for column in error.missing),
        },
    )


def _result(checked: RosterCheck, imported: list[ImportedRow], say: Say, link: LinkFor) -> bytes:
    links = [
        (
            item.row.row_number,
            item.row.full_name,
            say(Msg(f"role.{item.row.role.value}")),
            item.row.pair_number,
            link(item.code),
        )
        for item in imported
    ]
    errors = [
        (
            issue.row_number,
            HEADERS[issue.column],
            say(Msg(f"curator.roster.problem.{issue.problem.value}")),
            issue.value,
        )
        for issue in checked.issues
    ]
    return result_workbook(
        say(Msg("curator.roster.sheet_links")),
        [
            say(Msg("curator.roster.col.row")),
            HEADERS[next(iter(HEADERS))],
            say(Msg("curator.roster.col.role")),
            say(Msg("curator.roster.col.pair")),
            say(Msg("curator.roster.col.link")),
        ],
        links,
        say(Msg("curator.roster.sheet_errors")),
        [
            say(Msg("curator.roster.col.row")),
            say(Msg("curator.roster.col.column")),
            say(Msg("curator.roster.col.problem")),
            say(Msg("curator.roster.col.value")),
        ],
        errors,
    )
