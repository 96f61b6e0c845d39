"""A small process-wide metrics registry, rendered as Prometheus text on /metrics.

Counters and timings only, kept in memory per worker: Prometheus scrapes every worker and
sums. Any module may count something: `metrics.counter("nastavnik_messages_sent_total").inc()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from threading import Lock

# Bucket bounds in seconds: from a quick answer to a district workbook.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

Labels = tuple[tuple[str, str], ...]


def _labels(values: dict[str, str]) -> Labels:
    return tuple(sorted(values.items()))


def _render_labels(labels: Labels, extra: Labels = ()) -> str:
    pairs = labels + extra
    if not pairs:
        return ""
    inner = ",".join(f'{name}="{_escape(value)}"' for name, value in pairs)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass
class Counter:
    name: str
    help: str
    values: dict[Labels, float] = field(default_factory=dict)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = _labels(labels)
        with _LOCK:
            self.values[key] = self.values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self.values.get(_labels(labels), 0.0)

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        for labels, value in sorted(self.values.items()):
            yield f"{self.name}{_render_labels(labels)} {value:g}"


@dataclass
class Histogram:
    name: str
    help: str
    buckets: tuple[float, ...] = DEFAULT_BUCKETS
    counts: dict[Labels, list[int]] = field(default_factory=dict)
    sums: dict[Labels, float] = field(default_factory=dict)

    def observe(self, seconds: float, **labels: str) -> None:
        key = _labels(labels)
        with _LOCK:
            counts = self.counts.setdefault(key, [0] * (len(self.buckets) + 1))
            for index, bound in enumerate(self.buckets):
                if seconds <= bound:
                    counts[index] += 1
            counts[-1] += 1  # +Inf
            self.sums[key] = self.sums.get(key, 0.0) + seconds

    def count(self, **labels: str) -> int:
        counts = self.counts.get(_labels(labels))
        return counts[-1] if counts else 0

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        for labels, counts in sorted(self.counts.items()):
            for bound, count in zip(self.buckets, counts, strict=False):
                le = (("le", f"{bound:g}"),)
                yield f"{self.name}_bucket{_render_labels(labels, le)} {count}"
            yield f"{self.name}_bucket{_render_labels(labels, (('le', '+Inf'),))} {counts[-1]}"
            yield f"{self.name}_sum{_render_labels(labels)} {self.sums[labels]:g}"
            yield f"{self.name}_count{_render_labels(labels)} {counts[-1]}"


_LOCK = Lock()
_COUNTERS: dict[str, Counter] = {}
_HISTOGRAMS: dict[str, Histogram] = {}


def counter(name: str, help: str = "") -> Counter:
    with _LOCK:
        return _COUNTERS.setdefault(name, Counter(name, help or name))


def histogram(name: str, help: str = "") -> Histogram:
    with _LOCK:
        return _HISTOGRAMS.setdefault(name, Histogram(name, help or name))


def render(gauges: dict[str, tuple[str, float]] | None = None) -> str:
    """Prometheus text format; `gauges` are values measured at scrape time (name → help, value)."""
    lines: list[str] = []
    for metric in sorted(_COUNTERS.values(), key=lambda item: item.name):
        lines.extend(metric.render())
    for histo in sorted(_HISTOGRAMS.values(), key=lambda item: item.name):
        lines.extend(histo.render())
    for name, (help_text, value) in sorted((gauges or {}).items()):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value:g}"]
    return "\n".join(lines) + "\n"


# The names the bot itself uses; other areas may add their own the same way.
UPDATES_HANDLED = counter("nastavnik_updates_handled_total", "Updates processed, by outcome")
HANDLER_ERRORS = counter("nastavnik_handler_errors_total", "Updates whose handler raised")
MESSAGES_SENT = counter("nastavnik_messages_sent_total", "Bot API send* calls that succeeded")
RATE_LIMITED = counter("nastavnik_telegram_429_total", "Bot API answers 429 Too Many Requests")
API_RETRIES = counter("nastavnik_telegram_retries_total", "Bot API calls retried, by reason")
UPDATE_SECONDS = histogram("nastavnik_update_seconds", "Time to process one update")
EXPORT_SECONDS = histogram("nastavnik_export_seconds", "Time to build one monitoring export")


def observe_export(seconds: float, kind: str = "monitoring") -> None:
    """For the exports area: how long one workbook took."""
    EXPORT_SECONDS.observe(seconds, kind=kind)
