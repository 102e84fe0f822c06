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
from hireflow.openings.models import JOB_TYPES
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


def company_region(session: DbSession, principal: Principal) -> str:
    """The region a new opening's form starts with: the company's (residency follows it)."""
    tenant = session.get(Tenant, principal.tenant_id)
    return tenant.region if tenant is not None and tenant.region else "cn"


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
