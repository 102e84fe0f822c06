"""Reminders before a course starts: the people holding a seat are e-mailed once per lead time,
in their language and time zone, through the outbox and a real local SMTP server."""

from __future__ import annotations

import email
import threading
from datetime import timedelta
from email import policy as email_policy

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, select

from hireflow.candidates.models import Candidate
from hireflow.core.db import Database, utcnow
from hireflow.core.i18n import to_zone
from hireflow.core.tasks import celery_app
from hireflow.discovery import domain_modules
from hireflow.notifications.delivery import deliver_message
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.selfservice import policy, reminders, training
from hireflow.selfservice.models import Course, Enrolment
from tests.conftest import login, make_org
from tests.notifications.smtp_server import smtp_fixture  # noqa: F401 - fixture
from tests.selfservice.factories import add_course, hired_employee

LINK = "https://meet.example.com/j/4471"


def _reminders(session, org) -> list[OutboxMessage]:
    """This company's reminders (a concurrency test commits rows of its own company)."""
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.kind == "training.reminder", OutboxMessage.tenant_id == org.tenant.id
            )
            .order_by(OutboxMessage.id)
        )
    )


def _received(db, settings, port, inbox, row: OutboxMessage) -> email.message.EmailMessage:
    mine = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    assert deliver_message(db, row.id, mine) == "sent"
    return email.message_from_bytes(inbox.messages[-1][2], policy=email_policy.default)


def _as(session, person, language: str, zone: str) -> None:
    person.language, person.timezone = language, zone
    session.commit()


def test_seat_holders_are_reminded_once_per_lead_time_in_their_language_and_zone(
    session, db, settings, org, queue, storage, smtp
):
    inbox, port = smtp
    first, second = hired_employee(session, db, org), hired_employee(session, db, org)
    _as(session, first.person, "en", "Europe/Berlin")
    _as(session, second.person, "ja", "Asia/Tokyo")
    now = utcnow()
    start = (now + timedelta(hours=30)).replace(second=0, microsecond=0)
    course = add_course(
        session, org, "communication", capacity=1, starts_at=start, mode="online", location=LINK
    )
    seat = training.enrol(session, principal_for(first.user), course.id)
    waiting = training.enrol(session, principal_for(second.user), course.id)
    assert (seat.status, waiting.status) == ("enrolled", "waitlisted")

    assert reminders.remind_due(db, now) == {}  # 30 hours ahead: not yet
    day_before = now + timedelta(hours=7)
    assert reminders.remind_due(db, day_before) == {"sent": 1}
    assert reminders.remind_due(db, day_before) == {}  # the task ran twice
    assert reminders.remind_due(db, day_before + timedelta(minutes=5)) == {}
    (row,) = _reminders(session, org)
    assert row.recipient == first.person.email and row.language == "en"
    assert row.related_type == "enrolment" and row.related_id == seat.id
    message = _received(db, settings, port, inbox, row)
    local = to_zone(start, "Europe/Berlin").strftime("%Y-%m-%d %H:%M")
    assert str(message["Subject"]).startswith("Reminder: communication workshop starts")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert local in text and "Central European" in text and f"Online: {LINK}" in text
    assert "/my/development" in text

    # the seat holder leaves, the first one waiting gets the seat and her own reminder
    training.cancel(session, principal_for(first.user), seat.id)
    assert reminders.remind_due(db, day_before + timedelta(hours=1)) == {"sent": 1}
    hour_before = start - timedelta(minutes=50)
    assert reminders.remind_due(db, hour_before) == {"sent": 1}
    assert reminders.remind_due(db, hour_before) == {}
    rows = _reminders(session, org)
    assert [r.recipient for r in rows] == [first.person.email] + [second.person.email] * 2
    message = _received(db, settings, port, inbox, rows[-1])
    text = message.get_body(preferencelist=("plain",)).get_content()
    local = to_zone(start, "Asia/Tokyo").strftime("%Y-%m-%d %H:%M")
    assert "講座" in text and local in text and "日本標準時" in text and LINK in text
    # nothing once the course has begun
    assert reminders.remind_due(db, start + timedelta(minutes=1)) == {}


def test_no_reminder_for_waiting_cancelled_completed_past_or_undated_courses(
    session, db, org, queue, storage
):
    hired = hired_employee(session, db, org)
    me = principal_for(hired.user)
    now = utcnow()
    undated = add_course(session, org, "communication", starts_at=None)
    past = add_course(session, org, "teamwork", starts_at=now - timedelta(hours=2))
    done = add_course(session, org, "learning", starts_at=now + timedelta(hours=3))
    cancelled = add_course(session, org, "leadership", starts_at=now + timedelta(hours=3))
    full = add_course(session, org, "planning", capacity=1, starts_at=now + timedelta(hours=3))
    for course in (undated, done, cancelled):
        training.enrol(session, me, course.id)
    other = hired_employee(session, db, org)
    training.enrol(session, principal_for(other.user), full.id)  # takes the only seat
    waiting = training.enrol(session, me, full.id)
    assert waiting.status == "waitlisted"
    session.execute(
        Enrolment.__table__.insert().values(
            tenant_id=org.tenant.id, course_id=past.id, person_id=hired.person.id, status="enrolled"
        )
    )
    session.commit()
    mine = {e.course_id: e for e in training.my_enrolments(session, [hired.person.id])}
    training.set_progress(session, me, mine[done.id].id, training.ProgressIn(progress=100))
    training.cancel(session, me, mine[cancelled.id].id)
    assert reminders.remind_due(db, now) == {"sent": 1}  # only the other person's seat
    (row,) = _reminders(session, org)
    assert row.recipient == other.person.email


def test_a_moved_course_is_a_new_session_and_bad_stored_values_do_not_stop_the_run(
    session, db, org, queue, storage
):
    hired = hired_employee(session, db, org)
    _as(session, hired.person, "xx", "Mars/Olympus_Mons")  # neither is known
    now = utcnow()
    course = add_course(
        session, org, "communication", starts_at=now + timedelta(hours=5), location=""
    )
    training.enrol(session, principal_for(hired.user), course.id)
    assert reminders.remind_due(db, now) == {"sent": 1}
    (row,) = _reminders(session, org)
    assert "UTC" in row.body_text or "协调世界时" in row.body_text
    assert "In person" in row.body_text or "线下课程" in row.body_text
    hr = principal_for(org.users["hr_admin"])
    moved = training.CourseIn(
        competency="communication",
        title_zh="沟通提升课",
        title_en="communication workshop",
        starts_at=now + timedelta(days=3),
        location="上海 3F",
    )
    training.save_course(session, hr, moved, course.id)
    assert reminders.remind_due(db, now) == {}
    assert reminders.remind_due(db, now + timedelta(days=2, hours=1)) == {"sent": 1}
    assert len(_reminders(session, org)) == 2
    hired.person.email = ""
    session.commit()
    assert reminders.remind_due(db, now + timedelta(days=3) - timedelta(minutes=30)) == {
        "no_address": 1
    }


def test_workers_running_at_once_remind_each_person_once(engine, queue):
    """Real concurrency: separate connections, committed data (both backends)."""
    database = Database(engine)
    # a month ahead, so that these committed rows are never due for the other tests' clocks
    start = utcnow() + timedelta(days=30)
    now = start - timedelta(minutes=30)
    with database.session() as session:
        org = make_org(session)
        course = add_course(session, org, "communication", capacity=20, starts_at=start)
        people = [
            Candidate(tenant_id=org.tenant.id, name=f"Race {i}", email=f"race{i}@example.com")
            for i in range(12)
        ]
        session.add_all(people)
        session.flush()
        seats = [
            Enrolment(tenant_id=org.tenant.id, course_id=course.id, person_id=p.id) for p in people
        ]
        session.add_all(seats)
        session.commit()
        ids = [seat.id for seat in seats]
    try:
        _race(database, now, ids)
    finally:  # the rows were committed: leave the tables as the other tests expect them
        with database.session() as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.tenant_id == org.tenant.id))
            session.execute(delete(Enrolment).where(Enrolment.id.in_(ids)))
            session.execute(delete(Course).where(Course.id == course.id))
            session.execute(delete(Candidate).where(Candidate.tenant_id == org.tenant.id))
            session.commit()


def _race(database: Database, now, ids: list[int]) -> None:
    barrier = threading.Barrier(3)

    def worker() -> None:
        barrier.wait()
        reminders.remind_due(database, now)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with database.session() as session:
        keys = session.scalars(
            select(OutboxMessage.related_id).where(
                OutboxMessage.kind == "training.reminder", OutboxMessage.related_id.in_(ids)
            )
        ).all()
        assert sorted(keys) == sorted(ids)  # each seat holder once
        reminded = session.scalars(select(Enrolment.reminded_at).where(Enrolment.id.in_(ids)))
        assert all(at is not None for at in reminded)


def test_the_worker_runs_the_reminders_periodically():
    domain_modules("tasks")  # what the worker imports at start
    entry = celery_app.conf.beat_schedule["selfservice.remind_courses"]
    assert entry["task"] == "selfservice.remind_courses"
    assert "selfservice.remind_courses" in celery_app.tasks


def test_the_company_chooses_the_hours_before_a_course(session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    hr = principal_for(org.users["hr_admin"])
    policy.update_policy(session, hr, policy.PolicyIn(course_reminder_hours="48，2"))
    assert policy.policy_of(session, org.tenant.id).course_reminder_hours == [48, 2]
    now = utcnow()
    course = add_course(session, org, "communication", starts_at=now + timedelta(hours=50))
    training.enrol(session, principal_for(hired.user), course.id)
    assert reminders.remind_due(db, now) == {}
    assert reminders.remind_due(db, now + timedelta(hours=3)) == {"sent": 1}  # 47 h before
    assert reminders.remind_due(db, now + timedelta(hours=27)) == {}  # no 24 h reminder now
    assert reminders.remind_due(db, now + timedelta(hours=48, minutes=30)) == {"sent": 1}
    keys = [row.dedupe_key for row in _reminders(session, org)]
    assert keys[0].endswith(":48h") and keys[1].endswith(":2h")
    # cancelling withdraws the reminders not sent yet (no worker delivered them here)
    training.cancel(session, principal_for(hired.user), _reminders(session, org)[0].related_id)
    assert {row.status for row in _reminders(session, org)} == {"cancelled"}
    policy.update_policy(session, hr, policy.PolicyIn(course_reminder_hours=""))
    later = add_course(session, org, "teamwork", starts_at=now + timedelta(hours=3))
    training.enrol(session, principal_for(hired.user), later.id)
    assert reminders.remind_due(db, now + timedelta(hours=2, minutes=30)) == {}  # turned off


@pytest.mark.parametrize("typed", ["abc", "0", "169", "24, 12, 6, 1", "-1", "24h"])
def test_bad_reminder_hours_are_refused(typed):
    with pytest.raises(ValidationError):
        policy.PolicyIn(course_reminder_hours=typed)


def test_hr_sets_the_hours_on_the_training_page(client, session, org):
    login(client, org.users["hr_admin"])
    page = client.get("/training")
    assert 'name="course_reminder_hours"' in page.text and 'value="24, 1"' in page.text
    bad = client.post("/training/policy", data={"show_scores": "yes", "course_reminder_hours": "x"})
    assert bad.status_code == 422
    assert policy.policy_of(session, org.tenant.id).course_reminder_hours == [24, 1]
    saved = client.post(
        "/training/policy",
        data={"show_scores": "yes", "course_reminder_hours": "3 72"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.expire_all()
    assert policy.policy_of(session, org.tenant.id).course_reminder_hours == [72, 3]
    assert 'value="72, 3"' in client.get("/training").text
