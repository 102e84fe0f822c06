"""Context the opening and hiring-request pages share: the units a user may place them in, names
of units and people, and the form's choices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hireflow.core.permissions import Principal, reaches_unit
from hireflow.openings import (
    access,
    schemas,
)
from hireflow.openings.models import JOB_TYPES, HiringRequest, Opening
from hireflow.org.models import Department, Subsidiary, Tenant, User
from hireflow.web.deps import DbSession
from hireflow.web.forms import (
    PostedForm,
)

DEGREES = ("high_school", "associate", "bachelor", "master", "phd")


def ids_of(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def placeable_units(
    session: DbSession, principal: Principal, capability: str
) -> list[tuple[Department, str]]:
    """Departments the principal may place an opening (or a request) in, with their labels."""
    rows = session.execute(
        select(Department, Subsidiary)
        .join(Subsidiary, Subsidiary.id == Department.subsidiary_id)
        .where(Department.tenant_id == principal.tenant_id)
        .order_by(Subsidiary.name, Department.name)
    ).all()
    return [
        (d, f"{s.name} · {d.name}")
        for d, s in rows
        if reaches_unit(principal, capability, d.subsidiary_id, d.id)
    ]


def unit_names(session: DbSession, tenant_id: int) -> dict[int, str]:
    return {
        d.id: f"{s.name} · {d.name}"
        for d, s in session.execute(
            select(Department, Subsidiary)
            .join(Subsidiary, Subsidiary.id == Department.subsidiary_id)
            .where(Department.tenant_id == tenant_id)
        )
    }


def user_names(session: DbSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}


def requirements_from(form: PostedForm) -> dict[str, Any]:
    return {
        "education": form.get("education") or None,
        "majors": form.get("majors"),
        "years": form.get("years") or None,
        "industry": form.get("industry") or None,
        "skills": form.get("skills"),
    }


def requirement_values(requirements: dict[str, Any] | None) -> dict[str, Any]:
    """Stored requirements as the form's fields (what ``requirements_from`` reads back)."""
    requirements = requirements or {}
    return {
        "education": requirements.get("education") or "",
        "majors": ", ".join(requirements.get("majors", [])),
        "years": requirements.get("years") if requirements.get("years") is not None else "",
        "industry": requirements.get("industry") or "",
        "skills": ", ".join(requirements.get("skills", [])),
    }


def posting_payload(form: PostedForm) -> dict[str, Any]:
    """The fields an opening's form and a hiring request's form share, as posted."""
    return {
        "department_id": form.get("department_id") or None,
        "title": form.get("title"),
        "job_type": form.get("job_type", "other"),
        "location": form.get("location"),
        "region": form.get("region") or None,
        "language": form.get("language", "zh-CN"),
        "headcount": form.get("headcount") or 1,
        "description": form.get("description"),
        "requirements": requirements_from(form),
    }


def posting_values(row: Opening | HiringRequest) -> dict[str, Any]:
    """A stored opening or hiring request as the shared fields of its form."""
    return {
        "department_id": str(row.department_id),
        "title": row.title,
        "job_type": row.job_type,
        "location": row.location,
        "region": row.region,
        "language": row.language,
        "headcount": row.headcount,
        "description": row.description,
        **requirement_values(row.requirements),
    }


def company_region(session: DbSession, principal: Principal) -> str:
    """The region a new opening's form starts with: the company's (residency follows it)."""
    tenant = session.get(Tenant, principal.tenant_id)
    return tenant.region if tenant is not None and tenant.region else "cn"


def new_posting_values(session: DbSession, principal: Principal, **more: Any) -> dict[str, Any]:
    """The values the form of a new opening or hiring request starts with."""
    return {
        "region": company_region(session, principal),
        "language": principal.language,
        "headcount": 1,
        **more,
    }


def form_context(session: DbSession, principal: Principal, capability: str) -> dict[str, Any]:
    return {
        "units": placeable_units(session, principal, capability),
        "job_types": JOB_TYPES,
        "degrees": DEGREES,
        "regions": schemas.REGIONS,
        "owners": access.staff_with_roles(session, principal.tenant_id, access.OWNER_ROLES),
        "panel": access.staff_with_roles(session, principal.tenant_id, access.PANEL_ROLES),
        "errors": {},
        "values": {},
    }
