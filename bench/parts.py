"""Where a bot process's CPU went, by part of the update's path, from py-spy samples.

    BENCH_PYSPY=/tmp/a python -m bench.answers --variants sqlite     # → /tmp/a-sqlite.txt
    BENCH_PYSPY=/tmp/w python -m bench.webhook --rounds 1             # → /tmp/w-<pid>.txt
    python -m bench.parts /tmp/w-*.txt [--cpu-ms 5.9]

py-spy's raw output is one line per distinct stack ("frame;frame;…;frame count"), the await
chain of the running task included. Each sample goes to the innermost part of the path found
on its stack (a SQL statement run for the handled-update mark counts as the mark, one run by
a handler as the handler), so the shares add up to 100 %. py-spy counts a thread that is
ready to run but waits for a core as busy, so on a loaded machine its seconds are not CPU
time: give `--cpu-ms`, the CPU per update the bench measured, to share that out instead.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# A sample's frames are searched from the leaf up; its first frame that matches a part
# decides (for one frame, the first part listed that matches it).
PARTS: tuple[tuple[str, str], ...] = (
    # SQLAlchemy runs a statement in a greenlet: py-spy shows that stack on its own, without
    # the await chain that asked for it, so statements are one part whoever runs them.
    ("SQL statements (SQLAlchemy, driver; any caller)", r"sqlalchemy/|sqlite_inline\.py|asyncpg/"),
    ("handled-update mark (its Python)", r"storage/repositories/handled\.py"),
    # Our own lock (bot/telegram/chat_state.ChatLocks: SET NX + state and data reads, then
    # the release script), batched with other updates' commands (bot/telegram/redis_batch.py),
    # and every other Redis command; a batch goes out from a task of its own, without its
    # callers.
    ("Redis (chat lock, state commands; redis-py)", r"ChatLocks\.|redis_batch\.py|\bredis/"),
    ("FSM state (deferred writes, aiogram's context)", r"aiogram/fsm/|deferred_fsm\.py|Storage\."),
    ("log lines", r"\(logging/|service/logs\.py|bot/telegram/update_logs\.py"),
    ("actor lookup (its Python)", r"storage/repositories/people\.py"),
    ("unit of work (begin, commit, close)", r"app/uow\.py"),
    ("metrics", r"prometheus_client|app/metrics\.py"),
    ("our middlewares (own code)", r"bot/telegram/middlewares\.py"),
    # Polling: the getUpdates response (updates parsed by pydantic) is one of these calls.
    # aiohttp's request body is written from a task of its own (ClientRequest.write_bytes).
    (
        "Bot API calls (aiogram session, aiohttp client)",
        r"aiogram/client/|aiohttp/client|aiohttp/connector",
    ),
    ("handler, use case, screens", r"/(app|surveys|storage)/|bot/(telegram|render|i18n)"),
    ("update parsing (pydantic)", r"service/web/server\.py|aiogram/webhook/"),
    ("aiogram dispatch (routers, filters)", r"aiogram/dispatcher/|aiogram/filters/"),
    # Not aiohttp/http_writer.py or payload.py: the client writes through them as well, so
    # the frame above them decides.
    ("aiohttp server (request parsing, response)", r"aiohttp/web_|aiohttp/http_parser"),
)
_COMPILED = [(name, re.compile(pattern)) for name, pattern in PARTS]
# Only when no part above is on the stack: a socket write (asyncio's transport) belongs to
# whoever wrote. py-spy prints paths relative to sys.path ("asyncio/events.py").
EVENT_LOOP = "event loop (asyncio, selectors, sockets)"
_LOOP = re.compile(r"\((asyncio|selectors|socket)[/.]")


def part_of(stack: str) -> str:
    if not stack.strip():
        return "no Python frame (waiting in C: select, SQLite, GC)"
    frames = stack.split(";")
    for frame in reversed(frames):
        for name, pattern in _COMPILED:
            if pattern.search(frame):
                return name
    if any(_LOOP.search(frame) for frame in frames):
        return EVENT_LOOP
    return "other (start-up, gc, …)"


def tally(paths: list[Path]) -> Counter[str]:
    samples: Counter[str] = Counter()
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit():
                samples[part_of(stack)] += int(count)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument(
        "--cpu-ms", type=float, help="CPU per update the bench measured: shares → ms"
    )
    args = parser.parse_args()
    samples = tally(args.files)
    total = sum(samples.values()) or 1
    print(f"{total} samples in {len(args.files)} file(s)")
    for name, count in samples.most_common():
        line = f"  {name:<50} {count / total * 100:5.1f} %"
        if args.cpu_ms:
            line += f"  {count / total * args.cpu_ms:6.2f} ms/update"
        print(line)


if __name__ == "__main__":
    main()
