"""Benchmark: the outbox sender's sustained rate against a stand-in that enforces Telegram's
30 messages a second (429 with retry_after beyond it), with delivered / lost / duplicated.

    python -m bench.sender                       # SQLite, 5,000 reminders
    python -m bench.sender --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB

On PostgreSQL the run uses a schema of its own (bench_sender), dropped afterwards. Prints
figures; asserts nothing (targets: ≥ 28/s, zero lost, zero duplicated).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import load_settings
from bot.telegram.app import create_bot
from service.workers.outbox import OutboxSender, SenderConfig
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories.outbox import OutboxRepository
from tests.support.botapi import BotAPIStandIn

SCHEMA = "bench_sender"
TOKEN = "123456:BENCH-token"


async def open_database(url: str | None, folder: Path) -> tuple[AsyncEngine, str]:
    if url is None:
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        engine = create_engine(url)
        await upgrade(engine)
        return engine, "sqlite"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    await admin.dispose()
    engine = create_engine(url, connect_args={"server_settings": {"search_path": SCHEMA}})
    await upgrade(engine)
    return engine, "postgresql"


async def drop_schema(url: str) -> None:
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    await admin.dispose()


async def run(url: str | None, count: int, rate: int, senders: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine, dialect = await open_database(url, Path(folder))
        factory = create_session_factory(engine)
        async with factory() as session, session.begin():
            outbox = OutboxRepository(session)
            for n in range(count):
                await outbox.enqueue(
                    dedupe_key=f"bench:{n}",
                    chat_id=1_000_000 + n,  # a reminder to each of `count` people
                    person_id=None,
                    kind="reminder",
                    text=f"Напоминаем об анкете №{n}",
                )
        async with BotAPIStandIn() as standin:
            standin.rate_limit(rate)
            settings = load_settings(bot_token=TOKEN, bot_api_url=standin.base_url)
            config = SenderConfig(
                rate_per_second=max(1, rate // senders),  # Telegram's limit is per bot
                lease=timedelta(seconds=120),
                poll_interval=0.2,
            )
            bots = [create_bot(settings) for _ in range(senders)]
            engines = [engine] + [
                create_engine(url, connect_args={"server_settings": {"search_path": SCHEMA}})
                for _ in range(senders - 1)
                if url is not None
            ]
            workers = [
                OutboxSender(bot, create_session_factory(own), config, name=f"bench-{n}")
                for n, (bot, own) in enumerate(zip(bots, engines, strict=False))
            ]
            started = time.monotonic()
            await asyncio.gather(*(worker.run(until_empty=True) for worker in workers))
            wall = time.monotonic() - started
            for bot in bots:
                await bot.session.close()
            for own in engines[1:]:
                await own.dispose()
        async with factory() as session:
            depth = await OutboxRepository(session).depth()
        await engine.dispose()
        if url is not None:
            await drop_schema(url)

    sends = [call for call in standin.calls if call.method == "sendMessage"]
    accepted = [call for call in sends if not call.rejected]
    texts = Counter(str(call.params["text"]) for call in accepted)
    duplicated = sum(times - 1 for times in texts.values())
    lost = count - len(texts)
    span = accepted[-1].at - accepted[0].at if len(accepted) > 1 else float("nan")
    times = [call.at for call in accepted]
    busiest, start = 0, 0
    for end, at in enumerate(times):  # the most accepted sends in any 1-second window
        while at - times[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    print(
        f"sender benchmark: {dialect}, {count} reminders, stand-in limit {rate}/s, "
        f"{len(workers)} sender(s) at {config.rate_per_second}/s each"
    )
    print(
        f"  sustained rate    {(len(accepted) - 1) / span:8.2f} messages/s "
        f"(first to last accepted send, {span:.1f} s)"
    )
    print(f"  wall time         {wall:8.1f} s  ({count / wall:.2f} messages/s incl. start/stop)")
    print(f"  delivered         {len(texts):8d}")
    print(f"  lost              {lost:8d}")
    print(f"  duplicated        {duplicated:8d}")
    print(f"  429 answers       {sum(1 for call in sends if call.error_code == 429):8d}")
    print(f"  busiest second    {busiest:8d} accepted sends")
    print(f"  outbox after      {depth.unsent} unsent, {depth.dead} dead")
    for worker in workers:
        print(
            f"  {worker.name}: sent {worker.stats.sent}, flood waits "
            f"{worker.stats.flood_waits}, retried {worker.stats.retried}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="postgresql+asyncpg://…; SQLite if omitted")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=30, help="the stand-in's limit per second")
    parser.add_argument("--senders", type=int, default=1, help="PostgreSQL: parallel senders")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.senders > 1 and not args.database_url:
        parser.error("several senders need PostgreSQL (SQLite is one process)")
    asyncio.run(run(args.database_url, args.count, args.rate, args.senders))


if __name__ == "__main__":
    main()
