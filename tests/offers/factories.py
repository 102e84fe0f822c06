"""Offers ready for the tests: a template, an offer for an application, approved and sent."""

from __future__ import annotations

from datetime import date, timedelta

from hireflow.core.db import utcnow
from hireflow.core.settings import get_settings
from hireflow.offers import configuration, schemas, service
from hireflow.offers.links import link_token
from hireflow.offers.models import Offer, OfferTemplate
from hireflow.org.auth import principal_for
from tests.conftest import Org
from tests.workflow.factories import apply, make_opening

BODY = {
    "zh": "亲爱的 {name}：我们很高兴录用您担任 {position}，月薪 {salary}。",
    "en": "Dear {name}, we are pleased to offer you the position of {position}.",
}


def template_in(**changes) -> schemas.TemplateIn:
    values = {
        "name": "Engineer",
        "salary": 25000,
        "currency": "CNY",
        "salary_period": "month",
        "start_date": None,
        "probation_months": 3,
        "required_documents": ["id_card", "degree"],
        "location": "上海",
        "body": BODY,
        "valid_days": 7,
    }
    values.update(changes)
    return schemas.TemplateIn(**values)


def make_template(session, org: Org, **changes) -> OfferTemplate:
    hr = principal_for(org.users["hr_admin"])
    return configuration.save_template(session, hr, template_in(**changes))


def start_day() -> date:
    return utcnow().date() + timedelta(days=30)


def make_offer(
    session, org: Org, *, name: str = "张伟", salary: int | None = None, language: str = "zh-CN"
) -> Offer:
    opening = make_opening(session, org)
    application = apply(session, org, opening, name=name)
    application.candidate.language = language
    template = make_template(session, org)
    hr = principal_for(org.users["hr_admin"])
    return service.create_offer(
        session,
        hr,
        application.id,
        schemas.OfferIn(template_id=template.id, start_date=start_day(), salary=salary),
    )


def approve_all(session, org: Org, offer: Offer) -> Offer:
    settings = get_settings()
    hr = principal_for(org.users["hr_admin"])
    service.submit(session, hr, offer.id, settings)
    manager = principal_for(org.users["hiring_manager"])
    while offer.status == "pending_approval":
        step = next(a for a in service.approvals(session, offer) if a.status == "pending")
        who = manager if step.role == "hiring_manager" else hr
        service.decide(session, who, offer.id, schemas.DecisionIn(approve=True), settings)
    return offer


def sent_offer(session, org: Org, **kwargs) -> tuple[Offer, str]:
    offer = approve_all(session, org, make_offer(session, org, **kwargs))
    hr = principal_for(org.users["hr_admin"])
    service.send(session, hr, offer.id, get_settings())
    return offer, link_token(get_settings(), offer)
