"""The load generator of bench/webhook.py, in a process of its own so that it does not
share an event loop (or a core's time slices) with the bots it measures.

    python -m bench.webhook_load URL [URL …] --updates N --concurrency C [--rate R]
        --first-id ID --secret S

Closed loop (no --rate): C senders post "/help" updates back to back, round robin over the
URLs; the throughput is the bot's ceiling. Open loop (--rate R): updates fall due on a fixed
schedule of R a second whatever the answers do, and are posted as Telegram posts them: at
most C at a time (Telegram's webhook max_connections, 40 unless set), the rest waiting their
turn in order. A latency runs from the update's due time, so it includes that wait. Prints
one JSON line: updates, seconds, per_second, p50/p99 milliseconds, failures (non-200 answers
and connection errors, each counted, never dropped silently).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram/webhook"
PEOPLE = 500


def help_update(update_id: int, user_id: int) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "ru"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
            "from": user,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    latencies: list[float] = []
    failures: list[str] = []
    headers = {SECRET_HEADER: args.secret}
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:

        async def post(number: int, due: float | None = None) -> None:
            target = args.urls[number % len(args.urls)] + PATH
            update = help_update(args.first_id + number, 10_000_000 + number % PEOPLE)
            started = time.perf_counter() if due is None else due
            try:
                async with client.post(target, json=update, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        failures.append(f"{target}: HTTP {response.status}")
                        return
            except (aiohttp.ClientError, TimeoutError) as error:
                failures.append(f"{target}: {type(error).__name__} {error}"[:300])
                return
            latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        if args.rate:
            connections = asyncio.Semaphore(args.concurrency)  # FIFO: waiters go in order

            async def deliver(number: int, due: float) -> None:
                async with connections:
                    await post(number, due)

            tasks = []
            for number in range(args.updates):
                due = started + number / args.rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                tasks.append(asyncio.create_task(deliver(number, due)))
            await asyncio.gather(*tasks)
        else:
            numbers = iter(range(args.updates))

            async def sender() -> None:
                for number in numbers:
                    await post(number)

            await asyncio.gather(*(sender() for _ in range(args.concurrency)))
        seconds = time.perf_counter() - started

    ordered = sorted(latencies)

    def quantile(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    return {
        "updates": args.updates,
        "seconds": seconds,
        "per_second": len(latencies) / seconds,
        "p50_ms": quantile(0.5),
        "p99_ms": quantile(0.99),
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--updates", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--first-id", type=int, required=True)
    parser.add_argument("--secret", required=True)
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
