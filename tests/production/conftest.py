"""The webhook worker the production tests feed: the real web app on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.support.redis_db import emptied
from tests.support.webhook_fixtures import WebhookBot, webhook_bot
from tests.support.webhook_standin import WebhookStandIn


@pytest.fixture
async def worker(
    request: pytest.FixtureRequest,
    standin: WebhookStandIn,
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[WebhookBot]:
    """A test module's `WORKER_REDIS_URL` keeps the conversation state in Redis (emptied
    before and after); without it, in memory."""
    redis_url: str | None = getattr(request.module, "WORKER_REDIS_URL", None)
    async with (
        emptied(redis_url),
        webhook_bot(standin, database_url, engine, session_factory, redis_url) as bot,
    ):
        yield bot
