"""Background work of the organisation domain."""

from __future__ import annotations

import logging

from hireflow.core.db import get_database
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app
from hireflow.notifications.mail import build_message, mail_retry, send_message
from hireflow.org.auth import purge_login_throttles
from hireflow.org.models import Tenant, User
from hireflow.org.service import purge_expired_tokens

log = logging.getLogger(__name__)


@celery_app.task(name="org.send_welcome_email", **mail_retry(5, 600, 8))
def send_welcome_email(user_id: int) -> str:
    """Tell a new user where to sign in, in their own language."""
    settings = get_settings()
    with get_database().session() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return "skipped"
        tenant = session.get(Tenant, user.tenant_id)
        _ = gettext_for(user.language)
        subject = _("Welcome to Hireflow, %(company)s") % {"company": tenant.name if tenant else ""}
        text = _(
            "Hello %(name)s,\n\nAn account was created for you at %(company)s.\n"
            "Sign in at %(url)s with this email address.\n\nHireflow"
        ) % {
            "name": user.name,
            "company": tenant.name if tenant else "",
            "url": settings.base_url.rstrip("/") + "/login",
        }
        message = build_message(settings, user.email, subject, text)
    where = send_message(settings, message)
    log.info("welcome email delivered", extra={"event": "mail.welcome", "task": "welcome"})
    return where


@celery_app.task(name="org.housekeeping")
def housekeeping() -> dict[str, int]:
    """Forget long-expired tokens and idle sign-in counters (they hold only keyed hashes)."""
    with get_database().session() as session:
        return {
            "tokens": purge_expired_tokens(session),
            "throttles": purge_login_throttles(session),
        }


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "org.housekeeping": {"task": "org.housekeeping", "schedule": 3600.0},
}
