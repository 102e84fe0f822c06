"""Demo offers: a company template and one offer waiting for the hiring manager.

``add_demo(session, tenant)`` (after the people and openings exist) gives the demo company an
offer template with its letter in Chinese and English, and makes an offer from it for the
first candidate of 高级后端工程师 (研发部), submitted for approval, so the hiring manager's
account (张伟) has an approval waiting. Idempotent: a company with templates is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.demo import first_application
from hireflow.core.db import utcnow
from hireflow.core.settings import get_settings
from hireflow.offers import configuration, schemas, service
from hireflow.offers.models import OfferTemplate
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant
from hireflow.org.queries import user_by_email

TEMPLATE = schemas.TemplateIn(
    name="研发工程师 Engineer",
    salary=32000,
    currency="CNY",
    salary_period="month",
    probation_months=3,
    required_documents=["id_card", "degree", "leaving_certificate"],
    location="上海",
    body={
        "zh": (
            "亲爱的 {name}：\n\n我们很高兴地通知您，{company} 决定录用您担任 {position}，"
            "月薪 {salary}，入职日期 {start_date}。\n\n期待与您共事！"
        ),
        "en": (
            "Dear {name},\n\nWe are pleased to offer you the position of {position} at "
            "{company}, starting on {start_date} at {salary}.\n\nWe look forward to working "
            "with you."
        ),
    },
    valid_days=7,
)


def add_demo(session: Session, tenant: Tenant) -> None:
    if session.scalars(
        select(OfferTemplate.id).where(OfferTemplate.tenant_id == tenant.id)
    ).first():
        return
    hr = user_by_email(session, tenant.id, "hr@huaxing.example")
    if hr is None:
        return
    principal = principal_for(hr)
    template = configuration.save_template(session, principal, TEMPLATE)
    application = first_application(session, tenant.id, "高级后端工程师")
    if application is None:
        return
    start = utcnow().date() + timedelta(days=30)
    offer = service.create_offer(
        session,
        principal,
        application.id,
        schemas.OfferIn(template_id=template.id, start_date=start),
    )
    service.submit(session, principal, offer.id, get_settings())
