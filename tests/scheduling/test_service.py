"""Invitations, identity checks, bookings and reminders against the real database."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from hireflow.core.db import utcnow
from hireflow.core.errors import NotFound, TooManyAttempts, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.notifications.delivery import deliver_many
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.scheduling import candidate_link, messages, schemas
from hireflow.scheduling.availability import save_availability
from hireflow.scheduling.bookings import book, cancel_booking, staff_cancel_booking
from hireflow.scheduling.errors import SlotUnavailable
from hireflow.scheduling.invitation_actions import (
    cancel_invitation,
    unlock_identity,
)
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation, Reminder, SlotClaim
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.reminders import dispatch_due_reminders
from hireflow.scheduling.sending import process_batch, resend_invitation
from hireflow.scheduling.slot_search import offered_slots
from tests.scheduling.factories import make_candidate, make_hiring


def _principal(user):
    return principal_for(user)


def _invite(session, settings, hiring, kind="live", **extra):
    data = schemas.InvitationCreate(
        opening_id=hiring.opening.id,
        candidate_ids=[c.id for c in hiring.candidates],
        kind=kind,
        **extra,
    )
    batch, skipped, created = create_invitations(session, _principal(hiring.owner), data, settings)
    assert created
    return batch, skipped


def _sent(session, db, settings, hiring, **extra):
    batch, _ = _invite(session, settings, hiring, **extra)
    process_batch(db, batch.id, settings)
    session.expire_all()
    return list(
        session.scalars(
            select(Invitation).where(Invitation.batch_id == batch.id).order_by(Invitation.id)
        )
    )


def _outbox(session, **where):
    stmt = select(OutboxMessage)
    for key, value in where.items():
        stmt = stmt.where(getattr(OutboxMessage, key) == value)
    return list(session.scalars(stmt.order_by(OutboxMessage.id)))


def test_invitations_are_created_fast_and_sent_by_the_worker_once(
    session, db, settings, org, queue
):
    hiring = make_hiring(session, org, candidates=3)
    batch, skipped = _invite(session, settings, hiring, kind="ai")
    assert skipped == [] and batch.total == 3
    assert queue.names() == ["scheduling.send_invitation_batch"]
    rows = session.scalars(select(Invitation).where(Invitation.batch_id == batch.id)).all()
    assert {r.status for r in rows} == {"queued"}
    assert not _outbox(session, related_type="invitation", tenant_id=org.tenant.id)

    counts = process_batch(db, batch.id, settings)
    assert counts == {"sent": 3}
    again = process_batch(db, batch.id, settings)  # a redelivered task
    assert again == {}
    for inv in rows:
        session.refresh(inv)
        # handed to the outbox, not delivered yet: "sending" until the message is
        assert inv.status == "sending" and inv.sent_at is not None
    deliver_many(
        db,
        [m.id for m in _outbox(session, related_type="invitation", tenant_id=org.tenant.id)],
        settings,
    )
    for inv in rows:
        session.refresh(inv)
        assert inv.status == "sent"
        sent = _outbox(session, related_type="invitation", related_id=inv.id)
        assert [m.channel for m in sent] == ["email"]
        assert sent[0].kind == "invitation_ai"
        assert f"{settings.base_url}/i/" in sent[0].body_text
    assert queue.names().count("notifications.deliver_messages") >= 1


def test_one_send_is_not_repeated_by_a_double_click(session, settings, org):
    hiring = make_hiring(session, org, candidates=2)
    data = schemas.InvitationCreate(
        opening_id=hiring.opening.id,
        candidate_ids=[c.id for c in hiring.candidates],
        request_key="click-123",
    )
    first, _, created = create_invitations(session, _principal(hiring.owner), data, settings)
    second, _, created_again = create_invitations(session, _principal(hiring.owner), data, settings)
    assert created and not created_again and first.id == second.id
    total = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.opening_id == hiring.opening.id)
    )
    assert total == 2


def test_unreachable_and_already_invited_candidates_are_skipped_with_reasons(
    session, settings, org
):
    hiring = make_hiring(session, org, candidates=1)
    bad = make_candidate(session, org, hiring.opening, email="not-an-address", phone="12")
    hiring.candidates.append(bad)
    session.commit()
    batch, skipped = _invite(session, settings, hiring)
    assert batch.total == 1
    assert [(s.candidate_id, s.reason) for s in skipped] == [(bad.id, "unreachable")]
    # inviting again: the first one already has an open invitation of this kind
    hiring.candidates = hiring.candidates[:1]
    with pytest.raises(ValidationFailed):
        create_invitations(
            session,
            _principal(hiring.owner),
            schemas.InvitationCreate(
                opening_id=hiring.opening.id, candidate_ids=[hiring.candidates[0].id]
            ),
            settings,
        )


def test_foreign_or_unrelated_candidates_are_not_found(session, settings, org, make_org_fixture):
    hiring = make_hiring(session, org, candidates=1)
    other = make_org_fixture()
    stranger_hiring = make_hiring(session, other, candidates=1)
    data = schemas.InvitationCreate(
        opening_id=hiring.opening.id, candidate_ids=[stranger_hiring.candidates[0].id]
    )
    with pytest.raises(NotFound):
        create_invitations(session, _principal(hiring.owner), data, settings)
    # and the other tenant's opening does not exist for this recruiter
    data = schemas.InvitationCreate(
        opening_id=stranger_hiring.opening.id, candidate_ids=[hiring.candidates[0].id]
    )
    with pytest.raises(NotFound):
        create_invitations(session, _principal(hiring.owner), data, settings)


def test_deadline_in_the_past_is_refused(session, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    with pytest.raises(ValidationFailed):
        _invite(session, settings, hiring, deadline=utcnow() - timedelta(hours=1))


def _link(session, settings, inv):
    policy = policy_for(session, inv.tenant_id)
    return messages.link_token(settings, inv, policy)


def test_link_opens_only_its_own_invitation(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2)
    a, b = _sent(session, db, settings, hiring)
    token_a = _link(session, settings, a)
    opened = candidate_link.open_link(session, token_a, settings)
    assert opened.id == a.id and opened.opened_at is not None and opened.status == "opened"
    session.refresh(b)
    assert b.opened_at is None
    # a token naming A's invitation with B's candidate id cannot be made without the key
    forged = token_a[:-3] + ("AAA" if not token_a.endswith("AAA") else "BBB")
    with pytest.raises(NotFound):
        candidate_link.open_link(session, forged, settings)
    from hireflow.scheduling.links import make_link_token

    crossed = make_link_token(
        settings.secret_key, str(b.candidate_id), str(a.id), utcnow() + timedelta(days=1)
    )
    with pytest.raises(NotFound):
        candidate_link.open_link(session, crossed, settings)


def test_expired_and_withdrawn_links_answer_gone(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring, kind="ai")
    token = _link(session, settings, inv)
    with pytest.raises(candidate_link.LinkGone):
        candidate_link.open_link(session, token, settings, now=inv.deadline + timedelta(seconds=1))
    cancel_invitation(session, _principal(hiring.owner), inv.id, settings)
    with pytest.raises(candidate_link.LinkGone):
        candidate_link.open_link(session, token, settings)


def test_identity_by_id_number_locks_out_and_alerts_the_recruiter(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1, id_number="11010519491231002X")
    (inv,) = _sent(session, db, settings, hiring)
    assert candidate_link.identity_method(inv) == "id_last4"
    policy = policy_for(session, inv.tenant_id)
    for attempt in range(policy.identity_max_attempts - 1):
        with pytest.raises(ValidationFailed) as wrong:
            candidate_link.verify(session, inv, "1234", settings)
        assert wrong.value.params["remaining"] == policy.identity_max_attempts - attempt - 1
    with pytest.raises(TooManyAttempts):
        candidate_link.verify(session, inv, "0000", settings)
    session.refresh(inv)
    assert inv.identity_locked_until is not None and inv.identity_lockouts == 1
    # even the right answer is refused while locked
    with pytest.raises(TooManyAttempts):
        candidate_link.verify(session, inv, "002x", settings)
    alerts = _outbox(session, kind="identity_locked", tenant_id=org.tenant.id)
    assert [m.recipient for m in alerts] == [hiring.owner.email]
    # HR unlocks; the right answer (any case, any separators) now works
    unlock_identity(session, _principal(hiring.owner), inv.id)
    access = candidate_link.verify(session, inv, "00 2x", settings)
    assert candidate_link.has_access(settings, inv, access)
    assert inv.verified_at is not None and inv.verify_method == "id_last4"
    assert inv.status == "verified"


def test_identity_by_one_time_code(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    assert candidate_link.identity_method(inv) == "code"
    assert candidate_link.send_code(session, inv, settings) == 1
    with pytest.raises(TooManyAttempts) as cooldown:  # one code a minute
        candidate_link.send_code(session, inv, settings)
    # says to wait before a new code, not that the candidate tried too often
    assert cooldown.value.code == "code_cooldown"
    seconds = cooldown.value.params["seconds"]
    assert 1 < seconds <= 61
    assert cooldown.value.translated(gettext_for("en")) == (
        f"A code was just sent. Wait {seconds} seconds before asking for a new one."
    )
    assert cooldown.value.translated(gettext_for("zh-CN")) == (
        f"验证码刚刚已发送，请等待 {seconds} 秒后再重新获取。"
    )
    # the day's codes used up: when the next one may be asked for, in hours
    sent_at = inv.code_sent_at
    inv.codes_sent, inv.code_sent_at = candidate_link.CODES_PER_DAY, sent_at - timedelta(hours=2)
    with pytest.raises(TooManyAttempts) as daily:
        candidate_link.send_code(session, inv, settings)
    assert daily.value.code == "codes_per_day" and daily.value.params == {"hours": 22}
    assert daily.value.translated(gettext_for("en")) == (
        "No more codes today. Ask for a new one in 22 hours."
    )
    inv.codes_sent, inv.code_sent_at = 1, sent_at
    (message,) = _outbox(session, kind="identity_code", tenant_id=org.tenant.id)
    code = re.search(r"\b(\d{6})\b", message.body_text).group(1)
    with pytest.raises(ValidationFailed):
        candidate_link.verify(session, inv, "000000" if code != "000000" else "111111", settings)
    access = candidate_link.verify(session, inv, code, settings)
    assert candidate_link.has_access(settings, inv, access)
    # the code is single-use
    with pytest.raises(ValidationFailed):
        candidate_link.verify(session, inv, code, settings)
    # an access value of another generation (after HR unlocked / reset) no longer works
    unlock_identity(session, _principal(hiring.owner), inv.id)
    assert not candidate_link.has_access(settings, inv, access)


def test_booking_claims_time_sends_invites_and_schedules_reminders(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2)
    a, b = _sent(session, db, settings, hiring)
    slots = offered_slots(session, a)
    assert slots, "the default working week gives slots"
    booking = book(session, a, slots[0].start, settings, actor=None)
    assert booking.status == "active" and booking.sequence == 0
    assert booking.interviewer_ids == [hiring.interviewers[0].id]
    claims = session.scalars(select(SlotClaim).where(SlotClaim.booking_id == booking.id)).all()
    policy = policy_for(session, a.tenant_id)
    cells = (a.duration_minutes + policy.buffer_minutes) // 5
    assert len([c for c in claims if c.owner_key.startswith("u")]) == cells
    assert a.status == "booked"

    to_candidate = _outbox(
        session, related_type="booking", related_id=booking.id, kind="invitation_live"
    )
    assert [m.recipient for m in to_candidate] == [hiring.candidates[0].email]
    ics = icalendar.Calendar.from_ical(
        __import__("base64").b64decode(to_candidate[0].attachments[0]["content_b64"])
    )
    event = next(iter(ics.walk("VEVENT")))
    assert (
        event["DTSTART"].dt == booking.start
        and str(event["METHOD"] if "METHOD" in event else ics["METHOD"]) == "REQUEST"
    )
    assert str(event["DTSTART"].dt.tzinfo) == a.timezone
    panel_mail = _outbox(
        session, related_type="booking", related_id=booking.id, kind="interviewer_notice"
    )
    assert {m.recipient for m in panel_mail} == {hiring.interviewers[0].email, hiring.owner.email}

    reminders = session.scalars(select(Reminder).where(Reminder.booking_id == booking.id)).all()
    kinds = sorted((r.kind, r.recipient_key) for r in reminders)
    assert ("feedback_reminder", f"u{hiring.interviewers[0].id}") in kinds
    assert any(k == "reminder_1h" for k, _ in kinds)

    # the same time cannot be booked by B: the interviewer's cells are held
    with pytest.raises(SlotUnavailable) as taken:
        book(session, b, slots[0].start, settings, actor=None)
    assert taken.value.alternatives and all(
        s.start != slots[0].start for s in taken.value.alternatives
    )


def test_reschedule_and_cancel_update_the_same_calendar_event(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    slots = offered_slots(session, inv)
    first = book(session, inv, slots[0].start, settings, actor=None)
    moved = book(session, inv, slots[-1].start, settings, actor=None)
    assert moved.id == first.id and moved.sequence == 1 and moved.start == slots[-1].start
    reminders = session.scalars(select(Reminder).where(Reminder.booking_id == moved.id)).all()
    assert {r.status for r in reminders if r.sequence == 0} == {"cancelled"}
    assert {r.status for r in reminders if r.sequence == 1} == {"pending"}
    cancel_booking(session, inv, settings, actor=None)
    session.refresh(moved)
    assert moved.status == "cancelled" and moved.sequence == 2
    assert not session.scalars(select(SlotClaim).where(SlotClaim.booking_id == moved.id)).all()
    cancel = _outbox(session, related_type="booking", related_id=moved.id, kind="booking_cancelled")
    ics = icalendar.Calendar.from_ical(
        __import__("base64").b64decode(cancel[0].attachments[0]["content_b64"])
    )
    assert str(ics["METHOD"]) == "CANCEL"
    event = next(iter(ics.walk("VEVENT")))
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    assert inv.status in ("opened", "sent", "verified")
    # the freed time can be booked again
    again = book(session, inv, slots[0].start, settings, actor=None)
    assert again.status == "active" and again.sequence == 3


def test_candidate_cannot_change_inside_the_cutoff_but_hr_can(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    slots = offered_slots(session, inv)
    booking = book(session, inv, slots[0].start, settings, actor=None)
    late = booking.start - timedelta(hours=1)
    with pytest.raises(ValidationFailed) as err:
        cancel_booking(session, inv, settings, actor=None, now=late)
    assert err.value.code == "too_late_to_change"
    staff_cancel_booking(session, _principal(hiring.owner), inv.id, settings)
    session.refresh(booking)
    assert booking.status == "cancelled"


def test_slots_in_the_past_and_off_hours_are_refused(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    with pytest.raises(ValidationFailed):
        book(session, inv, utcnow() - timedelta(hours=2), settings, actor=None)
    slots = offered_slots(session, inv)
    off = slots[0].start.replace(minute=7)
    with pytest.raises(SlotUnavailable) as err:
        book(session, inv, off, settings, actor=None)
    assert err.value.reasons and err.value.alternatives


def test_due_reminders_are_dispatched_exactly_once(session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    slots = offered_slots(session, inv)
    booking = book(session, inv, slots[0].start, settings, actor=None)
    due = booking.start - timedelta(minutes=59)
    first = dispatch_due_reminders(db, settings, now=due)
    second = dispatch_due_reminders(db, settings, now=due)
    assert first.get("sent", 0) >= 2 and second == {}
    reminder_mail = _outbox(
        session, related_type="booking", related_id=booking.id, kind="reminder_1h"
    )
    assert len(reminder_mail) == 1 and reminder_mail[0].recipient == hiring.candidates[0].email
    # the job type's advice, and no promise of a coding exercise nobody planned
    assert "technical projects" in reminder_mail[0].body_text
    assert "code" not in reminder_mail[0].body_text
    # a "before the interview" reminder still waiting when the interview already started
    # (the workers were down) is not sent late
    session.execute(
        Reminder.__table__.update()
        .where(Reminder.booking_id == booking.id, Reminder.kind == "reminder_1h")
        .values(status="pending")
    )
    session.commit()
    after = dispatch_due_reminders(db, settings, now=booking.end + timedelta(hours=2))
    assert after.get("expired", 0) >= 1 and after.get("sent", 0) >= 1  # feedback nudge
    feedback = _outbox(
        session, related_type="booking", related_id=booking.id, kind="feedback_reminder"
    )
    assert [m.recipient for m in feedback] == [hiring.interviewers[0].email]


def test_a_dispatcher_that_dies_mid_way_leaves_the_reminder_for_the_next_run(
    session, db, settings, org
):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    booking = book(session, inv, offered_slots(session, inv)[0].start, settings, actor=None)
    due = booking.start - timedelta(minutes=59)
    reminder = session.scalars(
        select(Reminder).where(
            Reminder.booking_id == booking.id,
            Reminder.recipient_key == "candidate",
            Reminder.kind == "reminder_1h",
        )
    ).one()
    with db.session() as dying:
        dying.execute(
            Reminder.__table__.update().where(Reminder.id == reminder.id).values(status="sent")
        )
        dying.rollback()  # the worker died before its commit
    session.refresh(reminder)
    assert reminder.status == "pending"
    dispatch_due_reminders(db, settings, now=due)
    session.refresh(reminder)
    assert reminder.status == "sent"
    assert len(_outbox(session, dedupe_key=f"reminder:{reminder.id}:email")) == 1


def test_resend_and_progress_counts(session, db, settings, org):
    from hireflow.scheduling import queries

    hiring = make_hiring(session, org, candidates=2)
    a, _b = _sent(session, db, settings, hiring)
    resend_invitation(session, _principal(hiring.owner), a.id, settings)
    assert len(_outbox(session, related_type="invitation", related_id=a.id)) == 2
    candidate_link.open_link(session, _link(session, settings, a), settings)
    view = queries.progress(session, _principal(hiring.owner), hiring.opening.id)
    assert view.counts == {"invited": 2, "opened": 1, "verified": 0, "booked": 0, "completed": 0}
    assert {r.delivery for r in view.rows} == {"queued"}


def test_moving_to_another_interviewer_cancels_the_event_in_the_first_ones_calendar(
    session, db, settings, org
):
    from hireflow.openings.models import OpeningMember
    from tests.scheduling.factories import extra_interviewer

    hiring = make_hiring(session, org, candidates=1)
    second = extra_interviewer(session, org)
    session.add(OpeningMember(opening_id=hiring.opening.id, user_id=second.id, role="interviewer"))
    session.commit()
    (inv,) = _sent(session, db, settings, hiring)
    first = hiring.interviewers[0]
    slots = offered_slots(session, inv)
    book(session, inv, slots[0].start, settings, actor=None, only_interviewers=[first.id])
    moved = book(session, inv, slots[-1].start, settings, actor=None, only_interviewers=[second.id])
    assert moved.interviewer_ids == [second.id] and moved.sequence == 1
    released = _outbox(session, dedupe_key=f"booking:{moved.id}:1:u{first.id}:released")
    assert len(released) == 1 and released[0].recipient == first.email
    ics = icalendar.Calendar.from_ical(
        __import__("base64").b64decode(released[0].attachments[0]["content_b64"])
    )
    assert str(ics["METHOD"]) == "CANCEL"
    invited = _outbox(session, dedupe_key=f"booking:{moved.id}:1:u{second.id}:email")
    assert len(invited) == 1
    # the first interviewer's time is free again
    claims = session.scalars(select(SlotClaim).where(SlotClaim.owner_key == f"u{first.id}")).all()
    assert all(c.booking_id != moved.id for c in claims)


def test_candidates_are_offered_only_waking_hours_in_their_own_zone(session, db, settings, org):
    from zoneinfo import ZoneInfo

    interviewer = org.users["interviewer"]
    save_availability(
        session,
        _principal(org.users["hr_admin"]),
        interviewer.id,
        schemas.AvailabilityIn(
            timezone="Europe/Berlin",
            working_hours=[{"weekday": d, "start": "09:00", "end": "17:30"} for d in range(5)],
        ),
    )
    hiring = make_hiring(session, org, candidates=1, timezone="America/New_York")
    (inv,) = _sent(session, db, settings, hiring)
    slots = offered_slots(session, inv)
    assert slots
    new_york = ZoneInfo("America/New_York")
    for slot in slots:
        start, end = slot.start.astimezone(new_york), slot.end.astimezone(new_york)
        assert start.hour >= 8 and (end.hour, end.minute) <= (21, 0)
        berlin = slot.start.astimezone(ZoneInfo("Europe/Berlin"))
        assert berlin.hour >= 9
