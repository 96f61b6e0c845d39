"""MAX in webhook mode: the web server takes MAX's POSTs beside Telegram's, checks the
X-Max-Bot-Api-Secret header, and a redelivered update changes nothing."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.max.app import create_client, create_edge, subscribe
from bot.telegram.app import create_bot, create_dispatcher
from service.web.server import create_web_app
from storage.models import Answer
from surveys.channels import ChannelName
from tests.support.botapi import BotAPIStandIn
from tests.support.max_harness import max_settings
from tests.support.maxapi import MaxAPIStandIn
from tests.support.survey_factories import pair_in_a_new_directory

SECRET = "m" * 40


async def test_webhook_subscription_secret_and_redelivery(
    max_standin: MaxAPIStandIn,
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with BotAPIStandIn() as telegram:
        settings = max_settings(
            max_standin,
            database_url,
            bot_api_url=telegram.base_url,
            webhook_secret="t" * 40,
            max_webhook_secret=SECRET,
            max_webhook_url="http://127.0.0.1/placeholder",
        )
        bot = create_bot(settings)
        client = create_client(settings)
        edge = create_edge(settings, session_factory, client)
        app = create_web_app(
            settings,
            bot,
            create_dispatcher(settings, session_factory),
            engine,
            session_factory,
            edge,
        )
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}{settings.max_webhook_path}"
        try:
            await subscribe(client, settings.model_copy(update={"max_webhook_url": url}))
            assert await client.subscriptions() == [url]
            issued = await pair_in_a_new_directory(
                session_factory,
                mentor_tg=8301,
                mentee_tg=8302,
                mentee_channel=ChannelName.MAX,
            )
            anna = max_standin.user(8302)
            await anna.send("/survey")  # delivered by POST to our server
            assert "Вопрос 1 из 5" in (anna.last_text or "")
            press = anna.pressed(anna.button("6"))
            await max_standin.push_update(press)
            shown = len(anna.messages)
            await max_standin.push_update(press)  # MAX retries the same update
            assert len(anna.messages) == shown
            async with session_factory() as session:
                answers = await session.scalar(select(func.count()).select_from(Answer))
            assert answers == 1
            assert issued.assignments[issued.mentee_id]
            # Without the secret the server refuses the body.
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=press) as response:
                    assert response.status == 401
                headers = {"X-Max-Bot-Api-Secret": SECRET}
                async with http.post(url, data=b"{", headers=headers) as response:
                    assert response.status == 400
        finally:
            await runner.cleanup()
            await client.close()
            await bot.session.close()
