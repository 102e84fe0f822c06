"""Retention rules applied by the scheduled job: what is due goes, held records stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.org.auth import principal_for
from hireflow.records import policy, service
from hireflow.records.models import PersonRecord
from hireflow.records.retention import apply_retention, months_before
from hireflow.records.tasks import apply_retention_task
from tests.records.conftest import make_opening, make_person


def test_months_before_clamps_to_the_end_of_month():
    assert months_before(datetime(2026, 3, 31, 12, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 12, tzinfo=UTC
    )
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


def _rejected(session, org, hr, days_ago: int, *, dept: int = 0):
    person = make_person(session, org, opening=make_opening(session, org, dept))
    service.set_status(
        session, hr, person.id, "rejected", occurred_at=utcnow() - timedelta(days=days_ago)
    )
    return person


def test_due_records_are_erased_held_and_recent_ones_kept(session, org, regional):
    hr = principal_for(org.users["hr_admin"])
    old = _rejected(session, org, hr, 200)
    recent = _rejected(session, org, hr, 30)
    held = _rejected(session, org, hr, 400)
    service.set_legal_hold(session, hr, held.id, "Pending lawsuit")
    eu_old = _rejected(session, org, hr, 400, dept=2)
    policy.add_retention_rule(session, hr, status="rejected", months=6, region="cn")

    preview = apply_retention(session, tenant_id=org.tenant.id, dry_run=True)
    assert preview.due == [old.id] and preview.held == [held.id] and not preview.erased
    assert (
        session.scalars(
            select(PersonRecord.erased_at).where(PersonRecord.person_id == old.id)
        ).one()
        is None
    )

    report = apply_retention(session, tenant_id=org.tenant.id)
    assert report.erased == [old.id]
    erased = {
        r.person_id: r.erased_at
        for r in session.scalars(
            select(PersonRecord).where(
                PersonRecord.person_id.in_([old.id, recent.id, held.id, eu_old.id])
            )
        )
    }
    assert erased[old.id] is not None
    assert erased[recent.id] is None and erased[held.id] is None
    assert erased[eu_old.id] is None  # the rule is for the cn region only
    run = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "retention.applied", AuditEntry.tenant_id == org.tenant.id
        )
    ).all()[-1]
    assert run.new_values == {"erased": 1, "held": 1}
    assert run.actor_label == "system:retention"
    # running again finds nothing more (idempotent: the worker may retry)
    assert apply_retention(session, tenant_id=org.tenant.id).erased == []


def test_the_scheduled_task_applies_rules(session, org, regional):
    hr = principal_for(org.users["hr_admin"])
    old = _rejected(session, org, hr, 800)
    policy.add_retention_rule(session, hr, status="rejected", months=24)
    # (the shared test database may hold other tests' records; only ours is checked)
    assert apply_retention_task.run()["erased"] >= 1
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == old.id)).one()
    assert record.erased_at is not None


def test_beat_schedule_includes_the_record_jobs():
    from hireflow.core.tasks import celery_app

    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"records.apply_retention", "records.write_checkpoint", "records.verify"} <= tasks


def test_rules_are_validated_and_company_scoped(session, org):
    import pytest

    from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
    from tests.conftest import make_org

    hr = principal_for(org.users["hr_admin"])
    for kwargs in (
        {"status": "unknown", "months": 6},
        {"status": "rejected", "months": 0},
        {"status": "rejected", "months": 6, "region": "mars"},
    ):
        with pytest.raises(ValidationFailed):
            policy.add_retention_rule(session, hr, **kwargs)
    with pytest.raises(Forbidden):
        policy.add_retention_rule(
            session, principal_for(org.users["recruiter"]), status="rejected", months=6
        )
    other = make_org(session)
    rule = policy.add_retention_rule(
        session, principal_for(other.users["hr_admin"]), status="rejected", months=6
    )
    with pytest.raises(NotFound):
        policy.delete_retention_rule(session, hr, rule.id)


def test_a_failed_erasure_is_logged_without_the_persons_data(
    session, org, regional, caplog, monkeypatch
):
    """A database error's message repeats the statement's values (names, addresses): the log
    has the person id, the error's class and where it was raised, never the message."""
    import logging

    from hireflow.core.logging import JsonFormatter, TextFormatter
    from hireflow.records import retention

    hr = principal_for(org.users["hr_admin"])
    broken = _rejected(session, org, hr, 200)
    fine = _rejected(session, org, hr, 200)
    policy.add_retention_rule(session, hr, status="rejected", months=6)
    real_erase = retention.erase_person

    def erase(session, actor, person_id, **kwargs):
        if person_id != broken.id:
            return real_erase(session, actor, person_id, **kwargs)
        try:
            raise ValueError("value 'Li Xiuying 13911112222' is too long")
        except ValueError as inner:
            raise RuntimeError(
                "UPDATE candidates SET name='Li Xiuying', email='li.xiuying@example.com'"
            ) from inner

    monkeypatch.setattr(retention, "erase_person", erase)
    with caplog.at_level(logging.ERROR, logger="hireflow.records.retention"):
        report = apply_retention(session, tenant_id=org.tenant.id)
    assert report.erased == [fine.id] and report.failed == {broken.id: "RuntimeError"}
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "records.retention_failed"]
    assert (record.person_id, record.error) == (broken.id, "RuntimeError")
    # where it failed, without what the errors said
    assert "ValueError" in record.stack and "RuntimeError" in record.stack
    assert "test_retention.py" in record.stack and " in erase" in record.stack
    written = [
        caplog.text,
        record.exc_text or "",
        str(record.__dict__),
        JsonFormatter().format(record),
        TextFormatter("%(message)s").format(record),
    ]
    for text in written:
        for value in ("Li Xiuying", "li.xiuying", "13911112222", "too long", "UPDATE"):
            assert value not in text
