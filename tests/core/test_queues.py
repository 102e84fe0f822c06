"""Celery's own routing per queue, the worker command per queue, and the queue gauges read
from the machine's Redis."""

from __future__ import annotations

import time

import pytest
import redis
from kombu import Connection

from hireflow.core.metrics import redis_queues
from hireflow.core.settings import Settings
from hireflow.core.tasks import (
    QUEUES,
    celery_app,
    configure_celery,
    load_task_modules,
    parse_queues,
    registered_task,
    worker_command,
)
from tests.core.test_tasks import REDIS_URL

pytestmark = pytest.mark.xdist_group("redis")


def _queue_of(name: str) -> str:
    route = celery_app.amqp.router.route({}, name)
    return route["queue"].name


def test_tasks_go_to_their_own_queues_only_when_asked(tmp_path):
    load_task_modules()  # the coding domain adds its route when its tasks load
    try:
        configure_celery(Settings(data_dir=tmp_path, separate_queues=True))
        assert _queue_of("interviews.process_answer") == "speech"
        assert _queue_of("interviews.score_interview") == "scoring"
        assert _queue_of("notifications.deliver_messages") == "notifications"
        assert _queue_of("integrations.deliver") == "notifications"
        assert _queue_of("coding.grade_submission") == "sandbox"
        assert _queue_of("records.verify") == "hireflow"
        assert celery_app.conf.worker_prefetch_multiplier == 1
        assert celery_app.conf.task_acks_late and celery_app.conf.task_reject_on_worker_lost
        configure_celery(Settings(data_dir=tmp_path))
        assert _queue_of("interviews.process_answer") == "hireflow"
        assert _queue_of("coding.grade_submission") == "sandbox"  # always its own
    finally:
        configure_celery()


def test_queue_names_are_checked():
    assert parse_queues("scoring, speech,scoring") == ["scoring", "speech"]
    for bad in ("", "scoring,nope", ","):
        with pytest.raises(ValueError, match="known: hireflow"):
            parse_queues(bad)
    command = worker_command("speech", 1)
    assert command[command.index("-Q") + 1] == "speech" and "--pool=solo" in command
    assert set(QUEUES) == {"hireflow", "scoring", "speech", "notifications", "sandbox"}


def test_queue_length_and_oldest_age_come_from_redis(tmp_path):
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    client.flushdb()
    try:
        configure_celery(Settings(data_dir=tmp_path, broker_url=REDIS_URL, separate_queues=True))
        task = registered_task("interviews.process_answer")
        with Connection(REDIS_URL) as connection:
            task.apply_async(args=(1,), connection=connection)
            time.sleep(1.2)
            task.apply_async(args=(2,), connection=connection)
        found = redis_queues(REDIS_URL)
        assert found["speech"][0] == 2 and 1.1 <= found["speech"][1] < 60  # the older one
        assert found["scoring"] == (0, 0.0) and found["hireflow"] == (0, 0.0)
        assert redis_queues(f"sqla+sqlite:///{tmp_path}/b.db") == {}  # other brokers: none
    finally:
        configure_celery()
        client.flushdb()
