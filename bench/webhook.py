"""Updates per second through the webhook: nastavnik workers vs a bare aiogram webhook bot.

    TEST_DATABASE_URL=postgresql+asyncpg://… TEST_REDIS_URL=redis://…/N \
        python -m bench.webhook [--updates 2000] [--concurrency 32] [--rounds 3] [--in-flight 40]
            [--latency-at 0.2,0.3,0.4,0.5]

Each update is "/help" from one of many people: the bot answers with one sendMessage to the
Bot API stand-in. nastavnik runs as real `nastavnik webhook` workers on PostgreSQL and Redis
(unit of work per update with its handled-update mark, actor lookup, Redis chat lock and
FSM, a JSON log line); the bare bot (bench/bare_webhook_bot.py) makes the same call with
nothing else. The stand-in and the load generator (bench/webhook_load.py) run in processes of
their own. A latency is the time from an update falling due (the open loop below) to its
200, which in webhook mode comes after the reply reached the stand-in (the handler awaits
sendMessage's answer) and the transaction committed: it is what the person waits for the
reply, plus the commit, the chat lock's release and the log line that follow the reply
(about a millisecond unloaded).

CPU per update is the bot processes' own CPU time (utime + stime from /proc/<pid>/stat)
over the measured run divided by the updates answered: unlike the throughput it hardly
depends on what else the machine runs. PostgreSQL's, Redis's and the stand-in's CPU are not
in it. "Machine busy" is the share of all cores' time that anything on the machine used during
the measured run (/proc/stat): near 100 % the cores, not the bot, set the ceiling.

Two phases, each repeated `--rounds` times with the variants' order alternating: the
ceiling (closed loop, `--concurrency` in flight) of bare and nastavnik with one and two
workers; then p50/p99 at half the bare bot's median ceiling, or at each `--latency-at`
fraction of it (open loop: updates fall due at that rate and are posted at most
`--in-flight` at a time, the rest waiting in order, as Telegram holds a webhook's updates
beyond its max_connections; an update's latency counts from its due time; Telegram never
opens a connection per waiting update). Prints medians and spreads, the core count and the
load average, and up to which rate each bot kept p99 under 100 ms; says so plainly when a
rate is above a variant's ceiling (its queue then grows for the whole run and the latency
measures the backlog); any failed update is printed and the run exits non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from bench.bare_webhook_bot import SECRET as BARE_SECRET  # noqa: E402
from tests.support.webhook_standin import SECRET  # noqa: E402
from tests.support.workers import free_port, start_worker  # noqa: E402

Figures = dict[str, Any]
# A variant starts its bot processes: their URLs, their pids, and how to stop them.
Started = tuple[list[str], list[int], Callable[[], None]]
Variant = Callable[[str, Path], Coroutine[Any, Any, Started]]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (/proc/<pid>/stat, fields 14 and 15)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine so far, every core (/proc/stat's cpu line;
    idle and iowait count as not busy)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def start_standin() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.standin_process"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def spy_on(pid: int) -> subprocess.Popen[bytes] | None:
    """BENCH_PYSPY=/tmp/w: sample a worker with py-spy (pip install py-spy) into
    /tmp/w-<pid>.txt; `python -m bench.parts /tmp/w-*.txt` says where its time went."""
    prefix = os.environ.get("BENCH_PYSPY")
    if prefix is None:
        return None
    return subprocess.Popen(
        [
            *("py-spy", "record", "--nonblocking", "--rate", "400", "--format", "raw"),
            *("--pid", str(pid), "-o", f"{prefix}-{pid}.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def bare(workers: int) -> Variant:
    async def start(api_url: str, _workdir: Path) -> Started:
        processes, urls = [], []
        for _ in range(workers):
            port = free_port()
            processes.append(
                await asyncio.create_subprocess_exec(
                    *[sys.executable, "-m", "bench.bare_webhook_bot", api_url, str(port)],
                    cwd=ROOT,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        await _healthy(urls)

        def stop() -> None:
            for process in processes:
                process.terminate()

        return urls, [process.pid for process in processes], stop

    return start


def nastavnik(workers: int, database_url: str, redis_url: str) -> Variant:
    async def start(api_url: str, workdir: Path) -> Started:
        started = [
            await start_worker(workdir, api_url, database_url, redis_url) for _ in range(workers)
        ]
        spies = [spy for worker in started if (spy := spy_on(worker.process.pid))]

        def stop() -> None:
            for worker in started:
                worker.terminate()
            for spy in spies:
                spy.wait(30)

        pids = [worker.process.pid for worker in started]
        return [worker.url for worker in started], pids, stop

    return start


async def _healthy(urls: list[str]) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as client:
        for url in urls:
            for _ in range(3000):  # 5 minutes: imports are slow on a busy machine
                try:
                    async with client.get(url + "/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{url} did not start")


class Ids:
    """Fresh update ids for every load: handled_update remembers earlier ones."""

    def __init__(self) -> None:
        self.next = int(time.time() * 1000) % 2**40

    def take(self, count: int) -> int:
        first, self.next = self.next, self.next + count
        return first


def load(urls: list[str], secret: str, ids: Ids, updates: int, **options: float) -> Figures:
    argv = [sys.executable, "-m", "bench.webhook_load", *urls, "--updates", str(updates)]
    argv += ["--first-id", str(ids.take(updates)), "--secret", secret]
    for name, value in options.items():
        argv += [f"--{name}", str(value)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
    figures: Figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


async def measure(
    variant: Variant, secret: str, api_url: str, workdir: Path, ids: Ids, **options: float
) -> Figures:
    urls, pids, stop = await variant(api_url, workdir)
    try:
        warm = {"concurrency": options.get("concurrency", 16)}
        await asyncio.to_thread(load, urls, secret, ids, 200, **warm)
        cpu, (busy, ticks) = cpu_seconds(pids), machine_ticks()
        figures = await asyncio.to_thread(load, urls, secret, ids, **options)  # type: ignore[arg-type]
        answered = figures["per_second"] * figures["seconds"]
        figures["cpu_ms"] = (cpu_seconds(pids) - cpu) * 1000 / max(answered, 1)
        busy_after, ticks_after = machine_ticks()
        figures["machine_busy"] = 100 * (busy_after - busy) / max(ticks_after - ticks, 1)
        return figures
    finally:
        stop()
        await asyncio.sleep(1)  # let the stopped processes go before the next variant


P99_TARGET_MS = 100.0


def within_target(
    latency: dict[float, dict[str, list[Figures]]], name: str, bare_ceiling: float
) -> str:
    """The highest rate measured up to which the variant's median p99 stayed under the
    target: how many updates a second one worker takes while people still get quick
    answers."""
    kept: float | None = None
    for fraction in sorted(latency):
        if statistics.median(f["p99_ms"] for f in latency[fraction][name]) >= P99_TARGET_MS:
            break
        kept = fraction
    if kept is None:
        return f"p99 >= {P99_TARGET_MS:.0f} ms already at the lowest rate measured"
    return (
        f"p99 < {P99_TARGET_MS:.0f} ms up to {bare_ceiling * kept:.0f} updates/s "
        f"({kept:g} of the bare bot's ceiling), the highest rate measured"
        + ("" if kept == max(latency) else " below the first that missed it")
    )


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} ({min(values):.1f}–{max(values):.1f})"


async def run(args: argparse.Namespace) -> int:
    database_url = os.environ["TEST_DATABASE_URL"]
    redis_url = os.environ["TEST_REDIS_URL"]
    variants: dict[str, tuple[Variant, str]] = {
        "bare x1": (bare(1), BARE_SECRET),
        "nastavnik x1": (nastavnik(1, database_url, redis_url), SECRET),
        "bare x2": (bare(2), BARE_SECRET),
        "nastavnik x2": (nastavnik(2, database_url, redis_url), SECRET),
    }
    ceilings: dict[str, list[Figures]] = {name: [] for name in variants}
    fractions: list[float] = args.latency_at
    latency: dict[float, dict[str, list[Figures]]] = {
        fraction: {"bare x1": [], "nastavnik x1": []} for fraction in fractions
    }
    failures: list[str] = []
    load_before = os.getloadavg()
    standin, api_url = start_standin()
    ids = Ids()
    try:
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)

            async def alternate(runs: dict[str, list[Figures]], **load: Any) -> None:
                """Each of these variants once a round, in reversed order every other round."""
                for round_number in range(args.rounds):
                    order = list(runs) if round_number % 2 == 0 else list(reversed(runs))
                    for name in order:
                        variant, secret = variants[name]
                        figures = await measure(variant, secret, api_url, workdir, ids, **load)
                        runs[name].append(figures)
                        failures.extend(figures["failures"])

            await alternate(ceilings, updates=args.updates, concurrency=args.concurrency)
            bare_ceiling = statistics.median(f["per_second"] for f in ceilings["bare x1"])
            for fraction, at_rate in latency.items():
                rate = bare_ceiling * fraction
                await alternate(
                    at_rate, updates=max(200, int(rate * 10)), rate=rate, concurrency=args.in_flight
                )
    finally:
        standin.terminate()
        standin.wait(10)
    load_after = os.getloadavg()

    cores = len(os.sched_getaffinity(0))
    print(
        f"{args.updates} updates of /help per run, {args.concurrency} in flight, {args.rounds} "
        f"rounds alternating; PostgreSQL + Redis; stand-in and load generator in their own "
        f"processes; {cores} cores, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    print(
        f"{'ceiling':<14}{'updates/s median (min–max)':>30}{'CPU ms/update (bot)':>28}"
        f"{'machine busy %':>26}"
    )
    for name, runs in ceilings.items():
        throughput = spread([f["per_second"] for f in runs])
        cpu = spread([f["cpu_ms"] for f in runs])
        busy = spread([f["machine_busy"] for f in runs])
        print(f"{name:<14}{throughput:>30}{cpu:>28}{busy:>26}")

    def median(name: str) -> float:
        return float(statistics.median(f["per_second"] for f in ceilings[name]))

    for fraction, runs_of in latency.items():
        rate = bare_ceiling * fraction
        print(
            f"latency at {rate:.0f} updates/s ({fraction:g} of the bare bot's median ceiling), "
            f"open loop, at most {args.in_flight} posted at a time as Telegram does, from each "
            "update's due time:"
        )
        print(f"{'':<14}{'p50 ms':>22}{'p99 ms':>24}{'answered/s':>22}")
        for name, measured in runs_of.items():
            p50 = spread([f["p50_ms"] for f in measured])
            p99 = spread([f["p99_ms"] for f in measured])
            answered = spread([f["per_second"] for f in measured])
            print(f"{name:<14}{p50:>22}{p99:>24}{answered:>22}")
        for name in runs_of:
            if rate > median(name):
                print(
                    f"  {name}: {rate:.0f}/s is ABOVE its ceiling ({median(name):.0f}/s): its "
                    "queue grew for the whole run, so these latencies measure that backlog, not "
                    "a bot keeping up"
                )
    for name in ("bare x1", "nastavnik x1"):
        print(f"{name}: {within_target(latency, name, bare_ceiling)}")

    def cpu_ms(name: str) -> float:
        return float(statistics.median(f["cpu_ms"] for f in ceilings[name]))

    for workers in (1, 2):
        ratio = median(f"nastavnik x{workers}") / median(f"bare x{workers}")
        cpu_ratio = cpu_ms(f"bare x{workers}") / cpu_ms(f"nastavnik x{workers}")
        print(
            f"nastavnik/bare, {workers} worker(s): ceiling {ratio:.2f}, "
            f"CPU per update {cpu_ratio:.2f} (bare's CPU / nastavnik's)"
        )
    print(f"nastavnik 1 -> 2 workers: x{median('nastavnik x2') / median('nastavnik x1'):.2f}")
    if failures:
        print(f"FAILED updates: {len(failures)}")
        for failure in failures[:20]:
            print("  " + failure)
        return 1
    print("failed updates: 0")
    return 0


def fractions_of_ceiling(text: str) -> list[float]:
    """ "0.2,0.5" → [0.2, 0.5]: rates as fractions of the bare bot's ceiling, each in (0, 1]."""
    try:
        fractions = sorted({float(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give fractions such as 0.2,0.5") from None
    if not all(0 < fraction <= 1 for fraction in fractions):
        raise argparse.ArgumentTypeError(f"{text!r}: each fraction is above 0 and at most 1")
    return fractions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--in-flight",
        type=int,
        default=40,
        help="open loop: updates posted at a time (Telegram's webhook max_connections)",
    )
    parser.add_argument(
        "--latency-at",
        type=fractions_of_ceiling,
        default=[0.5],
        help="open-loop rates as fractions of the bare bot's median ceiling, e.g. 0.2,0.3,0.5",
    )
    raise SystemExit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
