"""A test's Redis database, emptied around it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis


@asynccontextmanager
async def emptied(redis_url: str | None) -> AsyncIterator[None]:
    """The Redis database emptied before and after the block (nothing without one)."""
    if not redis_url:
        yield
        return
    redis = Redis.from_url(redis_url)
    try:
        await redis.flushdb()
        yield
        await redis.flushdb()
    finally:
        await redis.aclose()
