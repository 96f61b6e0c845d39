"""What every repository is: queries of one area on the session of a unit of work (which
owns the transaction: repositories flush, never commit)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
