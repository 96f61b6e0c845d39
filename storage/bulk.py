"""Bulk work in bounded pieces.

SQLite statements run on the event loop (storage/sqlite_inline.py), so one statement of
thousands of rows holds up every other person's update for as long as it takes. Bulk
paths therefore send at most STATEMENT_ROWS rows (or ids in an IN list) per statement and
give the loop a turn between statements.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Final, TypeVar

T = TypeVar("T")

STATEMENT_ROWS: Final = 500


def pieces(items: Sequence[T], size: int = STATEMENT_ROWS) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def breathe() -> None:
    """Let every other ready task run once (a bulk path calls it between statements)."""
    await asyncio.sleep(0)
