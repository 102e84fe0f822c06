"""Background work of the record: one-time codes, retention, checkpoints, nightly checks.

Periodic tasks are added to Celery beat at import: retention daily, a signed checkpoint of
the chain heads hourly, a full verification nightly (its outcome, ids and kinds only, shows
on the integrity page). Every task is idempotent (acks are late: a task may run twice).
"""

from __future__ import annotations

import logging
from typing import Any

from celery.schedules import crontab
from sqlalchemy import select

from hireflow.core import pii
from hireflow.core.db import get_database, utcnow
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app
from hireflow.notifications.mail import build_message, mail_retry, send_message
from hireflow.org.models import Tenant, User
from hireflow.records.checkpoints import cached_checkpoints, write_checkpoint
from hireflow.records.download_codes import code_context
from hireflow.records.integrity import save_run, verify
from hireflow.records.models import DownloadCode
from hireflow.records.retention import apply_retention
from hireflow.records.timeline import settle_all

log = logging.getLogger(__name__)


@celery_app.task(name="records.send_download_code", **mail_retry(2, 60, 5))
def send_download_code(code_id: int) -> str:
    """E-mail a one-time code to the viewer who asked for it, in their language."""
    settings = get_settings()
    with get_database().session() as session:
        row = session.get(DownloadCode, code_id)
        if row is None or row.code_token is None or row.used_at is not None:
            return "skipped"
        if row.expires_at <= utcnow():
            row.code_token = None
            session.commit()
            return "expired"
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return "skipped"
        code = pii.decrypt_value(row.code_token, code_context(row.id))
        _ = gettext_for(user.language)
        minutes = max(1, settings.download_code_minutes)
        subject = _("Your one-time code for opening a file: %(code)s") % {"code": code}
        text = _(
            "Hello %(name)s,\n\nYour one-time code is %(code)s. It opens the requested file "
            "once and expires in %(minutes)s minutes.\nIf you did not ask for it, tell your "
            "HR administrator.\n\nHireflow"
        ) % {"name": user.name, "code": code, "minutes": minutes}
        message = build_message(settings, user.email, subject, text)
        where = send_message(settings, message)
        row.code_token = None
        row.sent_at = utcnow()
        session.commit()
    log.info("download code delivered", extra={"event": "records.code", "code_id": code_id})
    return "smtp" if where == "smtp" else "maildrop"


@celery_app.task(name="records.apply_retention")
def apply_retention_task() -> dict[str, int]:
    """Apply every company's retention rules now."""

    with get_database().session() as session:
        report = apply_retention(session)
    return {"erased": len(report.erased), "held": len(report.held), "failed": len(report.failed)}


@celery_app.task(name="records.write_checkpoint")
def write_checkpoint_task() -> int:
    """Sign the heads of chains that moved since the last checkpoint."""

    with get_database().session() as session:
        return write_checkpoint(session).chains


@celery_app.task(name="records.verify")
def verify_task() -> bool:
    """Verify every tenant's chains against the checkpoints; keep each outcome (per tenant,
    so a company's integrity page never shows another company's chains)."""

    ok = True
    checkpoints = cached_checkpoints()
    with get_database().session() as session:
        for tenant_id in list(session.scalars(select(Tenant.id).order_by(Tenant.id))):
            started = utcnow()
            report = verify(session, tenant_id=tenant_id, checkpoints=checkpoints, files=True)
            save_run(session, report, tenant_id=tenant_id, trigger="nightly", started_at=started)
            if not report.ok:
                ok = False
                log.error(
                    "record integrity check failed",
                    extra={
                        "event": "records.verify",
                        "tenant": tenant_id,
                        "problems": len(report.problems),
                    },
                )
    return ok


# The sweep runs every minute: it stops starting people before the next one is due.
SETTLE_BUDGET = 50.0


@celery_app.task(name="records.settle_pending")
def settle_pending_task() -> dict[str, Any]:
    """Append the entries requests deferred to the people's chains (``records.outbox``).

    Returns what it did (ids only, see ``timeline.Settled``): a person whose entries fail is
    logged and listed under ``failed`` and the others are appended; ``hireflow verify`` and the
    nightly run report the failures until they are mended."""

    with get_database().session() as session:
        settled = settle_all(session, budget=SETTLE_BUDGET)
    if settled.failed or settled.left:
        log.warning(
            "record outbox sweep incomplete",
            extra={
                "event": "records.settle_pending",
                "appended": settled.appended,
                "failed": len(settled.failed),
                "failed_people": sorted(settled.failed)[:50],
                "left": settled.left,
            },
        )
    return settled.as_dict()


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "records-retention-daily": {
        "task": "records.apply_retention",
        "schedule": crontab(hour=3, minute=17),
    },
    "records-checkpoint-hourly": {
        "task": "records.write_checkpoint",
        "schedule": crontab(minute=7),
    },
    "records-settle-pending": {
        "task": "records.settle_pending",
        "schedule": 60.0,
    },
    "records-verify-nightly": {
        "task": "records.verify",
        "schedule": crontab(hour=2, minute=41),
    },
}
