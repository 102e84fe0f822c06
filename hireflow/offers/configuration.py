"""A company's offer configuration: templates, the approval chain, the onboarding checklist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import (
    Principal,
    Role,
    get_visible,
    require,
    require_visible,
    restrict,
)
from hireflow.core.rows import company_row
from hireflow.offers import schemas
from hireflow.offers.defaults import ONBOARDING_CHECKLIST
from hireflow.offers.models import OfferSettings, OfferTemplate, OnboardingTemplate
from hireflow.org.models import RoleAssignment, User


def templates(session: Session, principal: Principal, *, active_only: bool = False) -> list[Any]:
    """The company's offer templates (for those who make offers or configure them)."""
    require(principal, "offers.read")
    stmt = restrict(select(OfferTemplate), principal, "offers.read", OfferTemplate)
    if active_only:
        stmt = stmt.where(OfferTemplate.active.is_(True))
    return list(session.scalars(stmt.order_by(OfferTemplate.name, OfferTemplate.id)))


def template(session: Session, principal: Principal, template_id: int) -> OfferTemplate:
    return require_visible(session, OfferTemplate, template_id, principal, "offers.read")


def save_template(
    session: Session,
    principal: Principal,
    data: schemas.TemplateIn,
    template_id: int | None = None,
) -> OfferTemplate:
    """Create a template, or change one (offers already made keep their copied terms)."""
    require(principal, "offers.configure")
    values = data.model_dump()
    if template_id is None:
        row = OfferTemplate(tenant_id=principal.tenant_id, **values)
        session.add(row)
        session.flush()
        old = None
    else:
        row = get_visible(session, OfferTemplate, template_id, principal, "offers.configure")
        old = schemas.TemplateIn.model_validate(row, from_attributes=True).model_dump(mode="json")
        for key, value in values.items():
            setattr(row, key, value)
    audit.commit_recorded(
        session,
        "offer_template.saved",
        actor=principal,
        target_type="offer_template",
        target_id=row.id,
        old=old,
        new=data.model_dump(mode="json"),
    )
    return row


def approval_settings(session: Session, tenant_id: int) -> OfferSettings:
    """The company's chain (the defaults until HR saves it; not added to the session)."""
    row = session.get(OfferSettings, tenant_id)
    if row is not None:
        return row
    defaults = schemas.SettingsIn()
    return OfferSettings(tenant_id=tenant_id, **defaults.model_dump())


def save_settings(
    session: Session, principal: Principal, data: schemas.SettingsIn
) -> OfferSettings:
    require(principal, "offers.configure")
    if data.hr_head_id is not None and not _is_hr_admin(session, principal, data.hr_head_id):
        raise ValidationFailed(
            N_("The HR head must be an HR administrator of this company."),
            fields={"hr_head_id": "not_hr_admin"},
        )
    row, created = company_row(session, OfferSettings, principal.tenant_id)
    old = None if created else schemas.SettingsIn.model_validate(row, from_attributes=True)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    audit.commit_recorded(
        session,
        "offer_settings.saved",
        actor=principal,
        target_type="offer_settings",
        target_id=principal.tenant_id,
        old=old.model_dump() if old else None,
        new=data.model_dump(),
    )
    return row


def _is_hr_admin(session: Session, principal: Principal, user_id: int) -> bool:
    found = session.scalars(
        select(User.id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.id == user_id,
            User.tenant_id == principal.tenant_id,
            RoleAssignment.role == Role.HR_ADMIN.value,
        )
    ).first()
    return found is not None


def checklist(session: Session, tenant_id: int) -> list[dict[str, Any]]:
    """The company's onboarding checklist (the built-in one until HR changes it)."""
    row = session.get(OnboardingTemplate, tenant_id)
    return list(row.items) if row is not None and row.items else list(ONBOARDING_CHECKLIST)


def save_checklist(
    session: Session, principal: Principal, data: schemas.ChecklistIn
) -> list[dict[str, Any]]:
    require(principal, "offers.configure")
    items = [item.model_dump() for item in data.items]
    row, created = company_row(session, OnboardingTemplate, principal.tenant_id)
    old = None if created else list(row.items)
    row.items = items
    audit.commit_recorded(
        session,
        "onboarding_template.saved",
        actor=principal,
        target_type="onboarding_template",
        target_id=principal.tenant_id,
        old={"keys": [i["key"] for i in old]} if old else None,
        new={"keys": [i["key"] for i in items]},
    )
    return items
