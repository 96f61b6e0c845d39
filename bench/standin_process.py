"""The Bot API stand-in as a process of its own (for bench/webhook.py): prints its base URL
on the first line, then serves until it is terminated."""

from __future__ import annotations

import asyncio
import signal

from tests.support.botapi import BotAPIStandIn


async def serve() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with BotAPIStandIn() as standin:
        print(standin.base_url, flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve())
