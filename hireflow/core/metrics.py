"""Prometheus metrics of the task side: task durations and waits, delivery failures, queue
lengths and ages, the speech-recognition lag.

Counted in the process that does the work (a Celery worker) through Celery's signals, and
read by whoever scrapes ``/metrics`` on a web process. With several processes on a host
(``hireflow serve --workers N``, one worker per queue) every process must count into the one
directory ``PROMETHEUS_MULTIPROC_DIR`` names (prometheus_client's multiprocess mode): set it
in the environment of every Hireflow process on the host, to an empty directory at boot
(docs/deploy.md). :func:`registry_for_scrape` then merges the files of all of them.

Queue lengths and the age of each queue's oldest message are read from the Redis broker at
scrape time (every message carries the time it was sent, ``hireflow.core.tasks.SENT_AT``);
the work waiting in the database (recordings not yet transcribed, messages due) comes from the
domains' backlog probes (``hireflow.core.worker.backlogs``), whatever the broker.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from celery.signals import task_failure, task_postrun, task_prerun
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from hireflow.core.settings import metrics_directory
from hireflow.core.tasks import QUEUES, SENT_AT

log = logging.getLogger(__name__)

TASK_SECONDS = Histogram(
    "hireflow_task_duration_seconds",
    "Time a task ran in a worker, per task name and outcome",
    ["task", "state"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
)
TASK_WAIT = Histogram(
    "hireflow_task_queue_wait_seconds",
    "Time a message waited in its queue before a worker started it, per task name",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600),
)
TASK_FAILURES = Counter(
    "hireflow_task_failures_total", "Tasks that raised an error, per task name", ["task"]
)
DELIVERY_FAILURES = Counter(
    "hireflow_delivery_failures_total",
    "Deliveries that failed (outcome retry: tried again later; failed: given up), per channel",
    ["channel", "outcome"],
)
#: Tasks whose result counts deliveries by outcome, and the channel they deliver on.
DELIVERY_TASKS = {
    "notifications.deliver_messages": "mail",
    "notifications.deliver_due": "mail",
    "integrations.deliver": "webhook",
}
#: The backlog probe whose oldest item is the speech-recognition lag.
SPEECH_BACKLOG = "transcriptions"
_started: dict[str, float] = {}


@task_prerun.connect
def _task_started(task_id: str = "", task: Any = None, **_kwargs: Any) -> None:
    _started[task_id] = time.monotonic()
    sent = getattr(getattr(task, "request", None), SENT_AT, None)
    if task is not None and isinstance(sent, int | float):
        TASK_WAIT.labels(task.name).observe(max(0.0, time.time() - float(sent)))


@task_postrun.connect
def _task_ended(
    task_id: str = "", task: Any = None, retval: Any = None, state: str = "", **_kwargs: Any
) -> None:
    started = _started.pop(task_id, None)
    if task is None:
        return
    if started is not None:
        TASK_SECONDS.labels(task.name, state or "UNKNOWN").observe(time.monotonic() - started)
    channel = DELIVERY_TASKS.get(task.name)
    if channel and isinstance(retval, dict):
        for outcome in ("retry", "failed"):
            if retval.get(outcome):
                DELIVERY_FAILURES.labels(channel, outcome).inc(int(retval[outcome]))


@task_failure.connect
def _task_failed(sender: Any = None, **_kwargs: Any) -> None:
    if sender is not None:
        TASK_FAILURES.labels(sender.name).inc()


# --------------------------------------------------------------------------- queues


def _redis_keys(queue: str) -> list[str]:
    """kombu's Redis lists of a queue: the plain one and one per priority step."""
    return [queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9))]


def _sent_at(raw: bytes | None) -> float | None:
    if not raw:
        return None
    try:
        value = json.loads(raw).get("headers", {}).get(SENT_AT)
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def redis_queues(broker_url: str, now: float | None = None) -> dict[str, tuple[int, float]]:
    """Per queue: messages waiting and the age in seconds of the oldest (the next to be
    taken: kombu pushes on the left and takes from the right). Empty for other brokers."""
    if not broker_url.startswith(("redis://", "rediss://")):
        return {}
    import redis

    now = time.time() if now is None else now
    client = redis.Redis.from_url(broker_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        found: dict[str, tuple[int, float]] = {}
        for queue in QUEUES:
            keys = _redis_keys(queue)
            with client.pipeline() as pipe:
                for key in keys:
                    pipe.llen(key)
                    pipe.lindex(key, -1)
                replies = pipe.execute()
            count = sum(int(n) for n in replies[0::2])
            ages = [now - sent for sent in map(_sent_at, replies[1::2]) if sent is not None]
            found[queue] = (count, max(0.0, max(ages, default=0.0)))
        return found
    finally:
        client.close()


class QueueCollector(Collector):
    """Read at scrape time: the broker's queues and the database's backlogs."""

    def __init__(self, broker_url: str, database_getter: Any) -> None:
        self.broker_url = broker_url
        self.database_getter = database_getter

    def collect(self) -> Iterator[GaugeMetricFamily]:
        length = GaugeMetricFamily(
            "hireflow_queue_length", "Messages waiting in a broker queue", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "hireflow_queue_oldest_age_seconds",
            "Age of the oldest message waiting in a broker queue",
            labels=["queue"],
        )
        try:
            for queue, (count, oldest) in redis_queues(self.broker_url).items():
                length.add_metric([queue], count)
                age.add_metric([queue], oldest)
        except Exception as exc:  # a broker outage must not break the scrape
            log.warning("queue metrics unavailable: %s", type(exc).__name__)
        yield length
        yield age
        yield from self._backlogs()

    def _backlogs(self) -> Iterator[GaugeMetricFamily]:
        from hireflow.core.db import utcnow
        from hireflow.core.worker import backlog_ages

        items = GaugeMetricFamily(
            "hireflow_backlog_items", "Work waiting in the database, per kind", labels=["kind"]
        )
        oldest = GaugeMetricFamily(
            "hireflow_backlog_oldest_seconds",
            "Age of the oldest work waiting in the database, per kind",
            labels=["kind"],
        )
        lag = GaugeMetricFamily(
            "hireflow_asr_lag_seconds",
            "How long the oldest recorded answer has waited for speech recognition",
        )
        try:
            with self.database_getter().session() as session:
                ages = backlog_ages(session, utcnow())
        except Exception as exc:
            log.warning("backlog metrics unavailable: %s", type(exc).__name__)
            ages = {}
        for kind, (count, seconds) in ages.items():
            items.add_metric([kind], count)
            oldest.add_metric([kind], seconds)
        lag.add_metric([], ages.get(SPEECH_BACKLOG, (0, 0.0))[1])
        yield from (items, oldest, lag)


def scrape(broker_url: str, database_getter: Any) -> bytes:
    """The text of ``/metrics``: this process's (or, in multiprocess mode, every process's
    on this host) counters and histograms, then the queue and backlog gauges."""
    if metrics_directory() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    live = CollectorRegistry(auto_describe=False)
    live.register(QueueCollector(broker_url, database_getter))
    return generate_latest(registry) + generate_latest(live)
