"""A real Celery worker takes a real task from the machine's Redis and sends real email."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from kombu import Connection

from hireflow.core.db import Database, make_engine
from hireflow.core.migrate import upgrade
from hireflow.core.settings import Settings, resolve_secrets
from hireflow.org import schemas, service
from hireflow.org.tasks import send_welcome_email

REDIS_URL = os.environ.get("HIREFLOW_TEST_REDIS", "redis://127.0.0.1:6379/14")
# These tests empty and share their Redis database: under pytest-xdist they run on one worker.
pytestmark = pytest.mark.xdist_group("redis")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.mark.slow
def test_worker_sends_the_welcome_email_through_redis(tmp_path: Path, smtp_server):
    controller, inbox = smtp_server
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # a missing Redis fails the test loudly
    client.flushdb()
    env = {
        **os.environ,
        "HIREFLOW_ENV": "test",
        "HIREFLOW_DATA_DIR": str(tmp_path),
        "HIREFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "HIREFLOW_BROKER_URL": REDIS_URL,
        "HIREFLOW_SMTP_HOST": "127.0.0.1",
        "HIREFLOW_SMTP_PORT": str(controller.port),
        "HIREFLOW_LOG_JSON": "false",
    }
    settings = resolve_secrets(
        Settings(
            data_dir=tmp_path,
            database_url=env["HIREFLOW_DATABASE_URL"],
            broker_url=REDIS_URL,
        )
    )
    upgrade(settings.database_url)
    database = Database(make_engine(settings.database_url))
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with database.session() as session:
            tenant = service.create_tenant(session, "Redis Test Co", "redis-test")
            user = service.create_user(
                session,
                None,
                schemas.UserCreate(
                    email="newcomer@example.com",
                    name="Newcomer",
                    password="Long-enough-1",
                    language="en",
                ),
                tenant_id=tenant.id,
                send_welcome=False,
            )
        # The same task the product enqueues after commit, published on the machine's Redis
        # (an explicit connection: the process-wide app stays on the test broker).
        with Connection(REDIS_URL) as connection:
            send_welcome_email.apply_async(args=(user.id,), connection=connection)
        # A worker starting on a loaded 2-core machine (CI runs two test workers and their
        # servers) can take most of a minute to import the domains: allow two.
        deadline = time.monotonic() + 120
        while not inbox.messages and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")
            time.sleep(0.2)
        if not inbox.messages:
            worker.terminate()
            output = worker.communicate(timeout=20)[0].decode(errors="replace")
            pytest.fail(f"no email arrived within 120 s; the worker said:\n{output[-3000:]}")
        message = inbox.messages[0]
        assert message["To"] == "newcomer@example.com"
        assert "Redis Test Co" in message["Subject"]
        assert "/login" in message.get_payload(decode=True).decode()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()  # never left behind consuming the shared Redis database
            worker.wait()
        database.engine.dispose()


def test_services_queue_work_by_a_registered_task_name(session):
    from hireflow.core.tasks import celery_app, enqueue_on_commit

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        enqueue_on_commit(session, "records.verify")  # known: accepted, runs after the commit
        with pytest.raises(LookupError, match=r"interviews\.no_such_task"):
            enqueue_on_commit(session, "interviews.no_such_task", 1)
    finally:
        celery_app.conf.task_always_eager = before


def test_the_web_app_registers_every_domains_tasks_at_start(tmp_path):
    # In a fresh process: a request that queues work must not import the pipeline's modules.
    code = (
        "from hireflow.app import create_app\n"
        "from hireflow.core.settings import Settings\n"
        "from hireflow.core.tasks import celery_app\n"
        f"create_app(Settings(database_url='sqlite:///{tmp_path}/t.db'))\n"
        "import sys\n"
        "names = [n for n in celery_app.tasks if n.startswith('interviews.')]\n"
        "sys.exit(0 if names else 1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_settings_reach_tasks_bound_before_them():
    """A task copies settings such as ``task_store_eager_result`` when it is bound to the app;
    configuring the app again updates it, so no test has to set them on a task by hand."""
    from hireflow.core.tasks import celery_app, configure_celery

    task = send_welcome_email
    assert celery_app.finalized and task.app is celery_app  # bound already
    before = celery_app.conf.task_store_eager_result
    try:
        configure_celery(task_store_eager_result=not before)
        assert task.store_eager_result is (not before)
    finally:
        configure_celery(task_store_eager_result=before)
    assert task.store_eager_result is before


def test_messages_a_request_commits_are_held_until_released(session):
    from hireflow.core.tasks import enqueue_on_commit, hold_sends, release_held

    token = hold_sends()
    try:
        enqueue_on_commit(session, "records.verify")
        session.rollback()  # rolled back: dropped, never held
        enqueue_on_commit(session, "records.verify", 7)
        session.commit()
    finally:
        held = release_held(token)
    assert held == [("records.verify", (7,), {})]
    assert release_held(hold_sends()) == []


def test_a_task_touched_before_the_app_is_finalized_follows_a_new_configuration():
    """A module that touches its task object at import binds the task before the app is
    finalized; a later configure_celery must still reach the settings the task copied (here
    storing eager results, without which a test's eager grading read back as pending)."""
    script = (
        "from hireflow.coding.tasks import grade_submission\n"
        "assert grade_submission.name\n"  # evaluates the task: bound, app not finalized
        "from hireflow.core.tasks import celery_app, configure_celery, registered_task\n"
        "assert not celery_app.finalized\n"
        "configure_celery(task_always_eager=True, task_store_eager_result=True)\n"
        "task = registered_task('coding.grade_submission')\n"
        "print(task.store_eager_result, task.acks_late)\n"
    )
    env = {**os.environ, "HIREFLOW_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_the_embedded_broker_writes_ahead_and_keeps_its_messages(tmp_path):
    """The embedded SQLite broker's connections use a write-ahead log synced at checkpoints
    (not two syncs per message); a message sent is there for the next connection to take."""
    import sqlite3

    from hireflow.core.tasks import _transport_options

    path = tmp_path / "broker.db"
    settings = Settings(data_dir=tmp_path, broker_url=f"sqla+sqlite:///{path}")
    options = _transport_options(settings)
    with Connection(settings.broker_url, transport_options=options) as connection:
        queue = connection.SimpleQueue("perf-check")
        queue.put({"n": 1})
        queue.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with Connection(settings.broker_url, transport_options=options) as connection:
        queue = connection.SimpleQueue("perf-check")
        message = queue.get(timeout=5)
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()
    redis_settings = Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/4")
    assert "creator" not in _transport_options(redis_settings)
