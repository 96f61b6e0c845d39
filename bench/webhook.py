"""Updates per second through the webhook, nastavnik vs a bare aiogram bot.

    TEST_DATABASE_URL=postgresql+asyncpg://... TEST_REDIS_URL=redis://.../N \
        python bench/webhook.py [--updates 2000] [--concurrency 32]

Each update is "/help" from one of many people: the bot answers with one sendMessage to the
Bot API stand-in (in this process). nastavnik runs as real `nastavnik webhook` workers on
PostgreSQL and Redis (session per update, handled_update mark, actor lookup, Redis chat lock
and FSM, a JSON log line); the bare bot (bench/bare_webhook_bot.py) makes the same call with
nothing else. Latency is the time from POSTing an update to its 200, which in webhook mode
comes after the answer was sent and the transaction committed. Prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.botapi import BotAPIStandIn  # noqa: E402
from tests.support.webhook_standin import PATH, SECRET  # noqa: E402
from tests.support.workers import Worker, free_port, start_worker  # noqa: E402


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


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


async def load(targets: list[str], updates: int, concurrency: int, first_id: int) -> Result:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(updates):
        queue.put_nowait(number)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    connector = aiohttp.TCPConnector(limit=concurrency * 2)

    async with aiohttp.ClientSession(connector=connector) as client:

        async def sender() -> None:
            while not queue.empty():
                number = queue.get_nowait()
                target = targets[number % len(targets)]
                update = help_update(first_id + number, 10_000_000 + number % 500)
                started = time.perf_counter()
                async with client.post(target + PATH, json=update, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{target} answered {response.status}")
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Result("", updates, seconds, latencies)


def spawn_bare(api_url: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bare_webhook_bot.py"), api_url, str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def start_bare(api_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = spawn_bare(api_url, port)
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as client:
        for _ in range(600):
            try:
                async with client.get(url + "/healthz") as response:
                    if response.status == 200:
                        return process, url
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    process.kill()
    raise RuntimeError("the bare bot did not start")


async def run(args: argparse.Namespace) -> None:
    database_url = os.environ["TEST_DATABASE_URL"]
    redis_url = os.environ["TEST_REDIS_URL"]
    # Fresh update ids every run: handled_update remembers earlier runs' ids.
    first_id = int(time.time() * 1000) % 2**40
    results: dict[str, Result] = {}
    async with BotAPIStandIn() as standin:
        with tempfile.TemporaryDirectory() as workdir:
            for workers in (1, 2):
                bare = [await start_bare(standin.base_url) for _ in range(workers)]
                urls = [url for _, url in bare]
                await load(urls, 100, args.concurrency, first_id)  # warm-up
                first_id += 100
                results[f"bare x{workers}"] = await load(
                    urls, args.updates, args.concurrency, first_id
                )
                first_id += args.updates
                for process, _ in bare:
                    process.terminate()
                    process.wait(10)

                ours: list[Worker] = []
                for _ in range(workers):
                    ours.append(
                        await start_worker(Path(workdir), standin.base_url, database_url, redis_url)
                    )
                urls = [worker.url for worker in ours]
                await load(urls, 100, args.concurrency, first_id)
                first_id += 100
                results[f"nastavnik x{workers}"] = await load(
                    urls, args.updates, args.concurrency, first_id
                )
                first_id += args.updates
                for worker in ours:
                    worker.terminate()

    print(
        f"{args.updates} updates of /help, {args.concurrency} in flight, "
        f"PostgreSQL + Redis, Bot API stand-in in the load process"
    )
    print(f"{'setup':<14}{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for name, result in results.items():
        print(
            f"{name:<14}{result.per_second:>10.0f}{result.quantile(0.5):>9.1f}"
            f"{result.quantile(0.99):>9.1f}"
        )
    for workers in (1, 2):
        ours, bare = results[f"nastavnik x{workers}"], results[f"bare x{workers}"]
        print(
            f"ratio nastavnik/bare, {workers} worker(s): "
            f"{ours.per_second / bare.per_second:.2f} of the throughput, "
            f"p50 x{ours.quantile(0.5) / bare.quantile(0.5):.1f}, "
            f"p99 x{ours.quantile(0.99) / bare.quantile(0.99):.1f}"
        )
    one, two = results["nastavnik x1"], results["nastavnik x2"]
    print(f"nastavnik scaling 1 -> 2 workers: x{two.per_second / one.per_second:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
