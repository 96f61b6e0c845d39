"""The unit of work: the one place that commits.

One per update (or per job). It owns
- the database transaction (one session; `commit()` and `rollback()` happen here only);
- the handled-update mark, written in the same transaction as the update's changes, so a
  redelivered update is skipped once they are committed and replayed if they were not;
- its turn at the PostgreSQL connection pool (`storage.db.Admission`: first come, first
  served, so nobody's update times out behind newcomers under load);
- SQLite's single writer turn (an asyncio lock from the first write to the commit, so
  concurrent updates queue cheaply instead of failing with "database is locked");
- what may happen only after a commit: conversation-state writes, wake-ups of the outbox
  sender, messages that report success (`after_commit`), dropped on rollback.

PostgreSQL marks the update first (a second worker holding the same update waits on the
row lock, then sees it taken). SQLite looks first and adds the mark to the first commit the
update makes, so the writer turn is not held while a handler waits for the messenger.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import Admission, admission
from storage.repositories import handled

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]

# SQLite has one writer per database file; one bot process holds one engine per file.
# One lock per event loop: an asyncio.Lock belongs to the loop it first waited on, and a
# process that runs more than one loop (the tests, one per test) would find it bound to
# an earlier one.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_writer() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _SQLITE_WRITERS.get(loop)
    if lock is None:
        lock = _SQLITE_WRITERS[loop] = asyncio.Lock()
    return lock


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory
        self._session: AsyncSession | None = None
        self._sqlite = False
        self._writing = False
        self._mark_on_commit: str | None = None
        self._after_commit: list[AfterCommit] = []
        self.committed = False  # a commit went through: an error now cannot undo the update
        self._admitted: Admission | None = None  # the pool queue this unit of work entered

    async def __aenter__(self) -> Self:
        session = self._factory()
        bind = session.get_bind()
        self._sqlite = bind.dialect.name == "sqlite"
        gate = admission(bind)
        if gate is not None:
            try:
                if await gate.enter():
                    self._admitted = gate
            except BaseException:
                await session.close()
                raise
        self._session = session
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if error is not None:
                await self.rollback()
        finally:
            self._release()
            assert self._session is not None
            try:
                await self._session.close()
            finally:
                if self._admitted is not None:
                    self._admitted.leave()
                    self._admitted = None

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work as `async with`"
        return self._session

    @property
    def marks_first(self) -> bool:
        """The handled-update mark is written before the update's work (PostgreSQL), so an
        edge may write it together with its first read (`PeopleRepository.claim_as_actor`)
        instead of calling `handle_once`."""
        return not self._sqlite

    async def handle_once(self, update_key: str) -> bool:
        """False when this update was handled already (a redelivery): skip it."""
        if self._sqlite:
            if await handled.seen(self.session, update_key):
                return False
            self._mark_on_commit = update_key
            return True
        return await handled.claim(self.session, update_key)

    def mark_on_commit(self, update_key: str) -> None:
        """SQLite: the edge found `update_key` unmarked with its first read
        (`PeopleRepository.seen_and_acting`); as with `handle_once`, the mark goes with the
        update's first commit."""
        assert self._sqlite, "PostgreSQL marks first (handle_once, claim_as_actor)"
        self._mark_on_commit = update_key

    async def write(self) -> None:
        """Take SQLite's writer turn until the next commit or rollback (no-op elsewhere).
        Call it before the first write of a step."""
        if self._sqlite and not self._writing:
            await _sqlite_writer().acquire()
            self._writing = True

    def after_commit(self, action: AfterCommit) -> None:
        """Run `action` once the next commit has succeeded; never if it rolls back."""
        self._after_commit.append(action)

    async def commit(self) -> None:
        if self._mark_on_commit is not None:
            await self.write()
            await handled.mark(self.session, self._mark_on_commit)
            self._mark_on_commit = None
        try:
            await self.session.commit()
        except BaseException:
            await self.rollback()
            raise
        self._release()
        self.committed = True
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            await action()

    async def rollback(self) -> None:
        self._after_commit.clear()
        try:
            await self.session.rollback()
        finally:
            self._release()

    def _release(self) -> None:
        if self._writing:
            self._writing = False
            _sqlite_writer().release()
