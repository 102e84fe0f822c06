"""Reminders before a course starts (SPEC J2).

Each person holding a seat (not those on the waiting list, not cancelled or completed
enrolments) is e-mailed before the course begins, once when each lead time has come (the
company's ``SelfServicePolicy.course_reminder_hours``; by default 24 hours, then 1 hour before
the start), in their language and time zone, through the notifications outbox.
``Enrolment.reminded_at`` is the claim: a conditional UPDATE sets it in the transaction that
queues the message, so a task that runs twice, or two workers at once, remind a person once
per lead time of a course session. A course moved to another time is a new session: its lead
times lie after the old reminder, so the person is told again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.db import Database, retry_when_busy, utcnow
from hireflow.core.errors import N_
from hireflow.core.i18n import format_datetime, gettext_for
from hireflow.records.presenting import text_language
from hireflow.selfservice.messages import tell_person
from hireflow.selfservice.models import Course, Enrolment
from hireflow.selfservice.policy import MAX_REMINDER_HOURS, policy_of
from hireflow.selfservice.reports import pick

WHERE = {
    ("in_person", True): N_("Place: %(place)s"),
    ("in_person", False): N_("In person (the place follows from HR)."),
    ("online", True): N_("Online: %(place)s"),
    ("online", False): N_("Online (the link follows from HR)."),
}


def due_since(starts_at: datetime | None, now: datetime, leads: list[int]) -> datetime | None:
    """When the latest lead time that has come began (``starts_at`` minus that lead); None
    when the course has no date, has begun, or no reminder is due yet."""
    if starts_at is None or starts_at <= now:
        return None
    come = [starts_at - timedelta(hours=h) for h in leads if starts_at - timedelta(hours=h) <= now]
    return max(come) if come else None


def remind_due(
    database: Database, now: datetime | None = None, limit: int = 1000
) -> dict[str, int]:
    """Queue the reminders whose time has come (periodic task), at most ``limit`` a run;
    counts per outcome."""
    now = now or utcnow()
    with database.session() as session:
        rows = session.execute(
            select(Enrolment.id, Enrolment.tenant_id, Enrolment.reminded_at, Course.starts_at)
            .join(Course, Course.id == Enrolment.course_id)
            .where(
                Enrolment.status == "enrolled",
                Course.starts_at > now,
                Course.starts_at <= now + timedelta(hours=MAX_REMINDER_HOURS),
            )
            .order_by(Course.starts_at, Enrolment.id)
        ).all()
        leads = {t: _leads(session, t) for t in {row.tenant_id for row in rows}}
    counts: dict[str, int] = {}
    for enrolment_id, tenant_id, reminded_at, starts_at in rows:
        due = due_since(starts_at, now, leads[tenant_id])
        if due is None or (reminded_at is not None and reminded_at >= due):
            continue
        if sum(counts.values()) >= limit:
            break
        with database.session() as session:
            outcome = _remind(session, enrolment_id, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _leads(session: Session, tenant_id: int) -> list[int]:
    return [int(hours) for hours in policy_of(session, tenant_id).course_reminder_hours or []]


@retry_when_busy
def _remind(session: Session, enrolment_id: int, now: datetime) -> str:
    """Claim one enrolment's reminder and queue its e-mail, in one transaction."""
    found = session.execute(
        select(Enrolment, Course)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.id == enrolment_id)
    ).first()
    if found is None:
        return "skipped"
    enrolment, course = found
    starts_at = course.starts_at
    due = due_since(starts_at, now, _leads(session, enrolment.tenant_id))
    if starts_at is None or due is None:
        return "skipped"
    claimed = session.execute(
        update(Enrolment)
        .where(
            Enrolment.id == enrolment_id,
            Enrolment.status == "enrolled",
            or_(Enrolment.reminded_at.is_(None), Enrolment.reminded_at < due),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return "skipped"
    person = session.get(Candidate, enrolment.person_id)
    if person is None or not person.email:
        session.commit()
        return "no_address"
    language = person.language or "zh-CN"
    _ = gettext_for(language)
    place = course.location.strip()
    lead = round((starts_at - due).total_seconds() / 3600)
    tell_person(
        session,
        person,
        "training.reminder",
        {
            "course": pick(course.title, text_language(language)),
            "when": format_datetime(starts_at, person.timezone, language, "long"),
            "where": _(WHERE[(course.mode, bool(place))]) % {"place": place},
        },
        dedupe_key=f"training-reminder:{enrolment.id}:{starts_at:%Y%m%dT%H%M}:{lead}h",
        related=("enrolment", enrolment.id),
    )
    session.commit()
    return "sent"
