"""The monthly analytics report (SPEC I1): every dashboard table of the past month, as a PDF
and an XLSX in the reader's language, e-mailed on the 1st to the staff who subscribed on the
analytics page.

Each subscriber gets the figures of their own scope (what their dashboard shows them for the
same month), through the notifications outbox: the same mail path, retries and delivery
record as every other message. Sending twice for the same month queues nothing new (the
outbox's dedupe key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hireflow.analytics import tables
from hireflow.analytics.models import ReportSubscription
from hireflow.analytics.queries import Filters
from hireflow.core import audit
from hireflow.core.db import Database
from hireflow.core.errors import N_
from hireflow.core.i18n import translations
from hireflow.core.permissions import Principal, can, require
from hireflow.notifications import outbox as notify
from hireflow.notifications.channels import Attachment
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant, User

CAPABILITY = "analytics.read"
KIND = "analytics.monthly_report"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ENV = Environment(
    loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
    autoescape=select_autoescape(["html"]),
)


# --------------------------------------------------------------------------- subscription


def is_subscribed(session: Session, principal: Principal) -> bool:
    return (
        session.scalar(
            select(ReportSubscription.id).where(ReportSubscription.user_id == principal.user_id)
        )
        is not None
    )


def set_subscribed(session: Session, principal: Principal, subscribed: bool) -> bool:
    """Subscribe the caller to the monthly report (or not); audited when it changes.
    Returns whether anything changed."""
    require(principal, CAPABILITY)
    before = is_subscribed(session, principal)
    if before == subscribed:
        return False
    if subscribed:
        session.add(ReportSubscription(tenant_id=principal.tenant_id, user_id=principal.user_id))
    else:
        session.execute(
            delete(ReportSubscription).where(ReportSubscription.user_id == principal.user_id)
        )
    audit.commit_recorded(
        session,
        "analytics.monthly_subscription",
        actor=principal,
        target_type="user",
        target_id=principal.user_id,
        old={"subscribed": before},
        new={"subscribed": subscribed},
    )
    return True


# --------------------------------------------------------------------------- the report


def previous_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before ``today``'s."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@dataclass(frozen=True)
class Report:
    language: str  # "zh-CN" | "en"
    company: str
    start: date
    end: date
    tables: list[tables.Table]

    @property
    def month(self) -> str:
        return self.start.strftime("%Y-%m")


def _language(value: str) -> str:
    return "zh-CN" if value.lower().startswith("zh") else "en"


def build(session: Session, principal: Principal, start: date, end: date) -> Report:
    """Every dashboard table for applications (invitations, reports, messages) of
    ``start``..``end`` in the caller's scope and language."""
    language = _language(principal.language)
    _ = translations(language).gettext
    filters = Filters(start=start, end=end)
    found = [tables.table(key, session, principal, filters, _) for key in tables.CHARTS]
    tenant = session.get(Tenant, principal.tenant_id)
    return Report(language, tenant.name if tenant else "", start, end, found)


def _refuse(url: str) -> NoReturn:
    raise ValueError("the monthly report loads no resources")


def report_html(report: Report) -> str:
    _ = translations(report.language).gettext
    return _ENV.get_template("analytics/monthly_report.html").render(
        report=report, lang=report.language, _=_
    )


def render_pdf(report: Report) -> bytes:
    """The report as PDF (WeasyPrint, the CJK fonts embedded, nothing fetched)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s once

    document: bytes = HTML(string=report_html(report), url_fetcher=_refuse).write_pdf()
    return document


def render_xlsx(report: Report) -> bytes:
    """One sheet per table (named by its key), headers in the reader's language."""
    return tables.as_xlsx(*report.tables)


SUBJECT = N_("Hiring analytics for %(month)s")
BODY = N_(
    "Hello %(name)s,\n\nattached are the hiring analytics of %(company)s for %(month)s "
    "(PDF and XLSX), over the openings you may analyse.\n\nYou get this e-mail because you "
    "subscribed on the analytics page; unsubscribe there."
)


def _message(report: Report, user: User) -> notify.OutgoingMessage:
    _ = translations(report.language).gettext
    values: dict[str, Any] = {"month": report.month, "name": user.name, "company": report.company}
    name = f"hireflow-analytics-{report.month}"
    return notify.OutgoingMessage(
        channel="email",
        kind=KIND,
        recipient=user.email,
        subject=_(SUBJECT) % values,
        text=_(BODY) % values,
        recipient_label=user.name,
        language=report.language,
        attachments=(
            Attachment(f"{name}.pdf", render_pdf(report), PDF),
            Attachment(f"{name}.xlsx", render_xlsx(report), XLSX),
        ),
    )


def send_monthly(database: Database, today: date) -> int:
    """Queue the report of the month before ``today`` to every subscriber who may still
    read analytics (the worker's job on the 1st); returns how many were queued."""
    start, end = previous_month(today)
    with database.session() as session:
        user_ids = list(session.scalars(select(ReportSubscription.user_id)))
    queued = 0
    for user_id in user_ids:
        with database.session() as session:
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                continue
            principal = principal_for(user)
            dedupe = f"{KIND}:{user_id}:{start:%Y-%m}"
            if not can(principal, CAPABILITY) or session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe)
            ):
                continue
            report = build(session, principal, start, end)
            notify.enqueue(
                session,
                user.tenant_id,
                _message(report, user),
                dedupe_key=dedupe,
                related_type="user",
                related_id=user_id,
            )
            session.commit()
            queued += 1
    return queued
