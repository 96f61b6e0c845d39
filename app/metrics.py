"""Process-wide metrics through prometheus_client, rendered as Prometheus text on /metrics.

Kept in memory per worker: Prometheus scrapes every worker and sums. The default registry
brings the process (CPU, memory, open files) and garbage-collector collectors. Any module
may count something: `metrics.counter("nastavnik_things_total", "Things", ("kind",))` once,
then `.inc(kind="x")`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from threading import Lock

import prometheus_client
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Bucket bounds in seconds: from a quick answer to a district workbook.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

# A `_created` timestamp beside every counter doubles the series for nothing we read.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]


class Counter:
    """A prometheus_client Counter with its label names declared once."""

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.labels = tuple(labels)
        self._metric = prometheus_client.Counter(name, help, self.labels, registry=REGISTRY)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if self.labels:
            self._metric.labels(**labels).inc(amount)
        else:
            self._metric.inc(amount)

    def value(self, **labels: str) -> float:
        sample = self.name if self.name.endswith("_total") else self.name + "_total"
        return REGISTRY.get_sample_value(sample, labels) or 0.0


class Histogram:
    """A prometheus_client Histogram with its label names declared once."""

    def __init__(
        self,
        name: str,
        help: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        self.name = name
        self.labels = tuple(labels)
        self._metric = prometheus_client.Histogram(
            name, help, self.labels, buckets=tuple(buckets), registry=REGISTRY
        )

    def observe(self, seconds: float, **labels: str) -> None:
        if self.labels:
            self._metric.labels(**labels).observe(seconds)
        else:
            self._metric.observe(seconds)

    def count(self, **labels: str) -> int:
        return int(REGISTRY.get_sample_value(self.name + "_count", labels) or 0)


_LOCK = Lock()
_COUNTERS: dict[str, Counter] = {}
_HISTOGRAMS: dict[str, Histogram] = {}


def counter(name: str, help: str = "", labels: Sequence[str] = ()) -> Counter:
    """The counter of that name, made on first use (a second call returns the same one)."""
    with _LOCK:
        if name not in _COUNTERS:
            _COUNTERS[name] = Counter(name, help or name, labels)
        return _COUNTERS[name]


def histogram(name: str, help: str = "", labels: Sequence[str] = ()) -> Histogram:
    with _LOCK:
        if name not in _HISTOGRAMS:
            _HISTOGRAMS[name] = Histogram(name, help or name, labels)
        return _HISTOGRAMS[name]


class _ScrapeGauges(Collector):
    """Values measured at scrape time (name → help, value), such as the outbox depth."""

    def __init__(self, gauges: dict[str, tuple[str, float]]) -> None:
        self.gauges = gauges

    def collect(self) -> Iterable[Metric]:
        for name, (help_text, value) in sorted(self.gauges.items()):
            yield GaugeMetricFamily(name, help_text, value=value)


def render(gauges: dict[str, tuple[str, float]] | None = None) -> bytes:
    """Prometheus text format: the registry, then `gauges` measured for this scrape."""
    scrape = CollectorRegistry()
    scrape.register(_ScrapeGauges(gauges or {}))
    return generate_latest(REGISTRY) + generate_latest(scrape)


# The names the bot itself uses; other areas may add their own the same way.
UPDATES_HANDLED = counter(
    "nastavnik_updates_handled_total", "Updates processed, by outcome", ("outcome",)
)
HANDLER_ERRORS = counter("nastavnik_handler_errors_total", "Updates whose handler raised")
MESSAGES_SENT = counter(
    "nastavnik_messages_sent_total", "Bot API send* calls that succeeded", ("method",)
)
RATE_LIMITED = counter(
    "nastavnik_telegram_429_total", "Bot API answers 429 Too Many Requests", ("method",)
)
API_RETRIES = counter(
    "nastavnik_telegram_retries_total", "Bot API calls retried, by reason", ("reason",)
)
UPDATE_SECONDS = histogram("nastavnik_update_seconds", "Time to process one update")
EXPORT_SECONDS = histogram(
    "nastavnik_export_seconds", "Time to build one monitoring export", ("kind",)
)


def observe_export(seconds: float, kind: str = "monitoring") -> None:
    """How long one workbook took; called where exports are built (app/export/use_cases.py)."""
    EXPORT_SECONDS.observe(seconds, kind=kind)
