"""Process-level tuning applied once the bot has started up."""

from __future__ import annotations

import gc
import sys

# Young collections less often than CPython's default (every 700 allocations): what an update
# allocates mostly dies with it. A webhook worker's CPU per /help update fell by about 5 %
# (2.40 -> 2.27 and 2.62 -> 2.49 ms of worker CPU in alternating runs of 3,000 updates).
THRESHOLDS = (10_000, 20, 20)
# How long a thread may hold the GIL while another waits for it (CPython's default: 5 ms).
# The event loop gives the GIL up around every SQLite call and socket read; while a roster
# is parsed or a workbook written in a worker thread, each time it takes the GIL back it
# waited up to a whole interval. With 5 ms a person's one-row write waited up to 113 ms
# during a 3,000-row roster import, the loop stalled up to 126 ms; with 1 ms 31 and 22 ms
# (bench/roster_and_status.py, 4 rounds each, alternating).
SWITCH_SECONDS = 0.001


def tune_process() -> None:
    """Share the GIL with the event loop promptly (SWITCH_SECONDS), and move everything
    built at start-up (aiogram's types, SQLAlchemy's mappers, pydantic's schemas, the
    catalogues) out of the garbage collector's sight.

    Those objects live as long as the process, yet every full collection walked them all
    again: about a tenth of the CPU per answer in bench/answers.py. After freezing, the
    collector only looks at what updates allocate.
    """
    sys.setswitchinterval(SWITCH_SECONDS)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
