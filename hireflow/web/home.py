"""What each role sees first after signing in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.candidates.queries import my_applications
from hireflow.core.audit import AuditEntry, ClientEvent
from hireflow.core.errors import N_
from hireflow.core.permissions import Principal, Role, restrict
from hireflow.openings.models import Opening
from hireflow.web.worklist import work_lists


def _count(
    session: Session, principal: Principal, capability: str, model: type, *where: Any
) -> int:
    stmt = select(func.count()).select_from(model).where(*where)
    return int(session.scalar(restrict(stmt, principal, capability, model)) or 0)


def _company_count(session: Session, principal: Principal, model: Any) -> int:
    """Rows of the caller's company (the audit trail and the technical log have no finer
    scope)."""
    stmt = select(func.count()).select_from(model).where(model.tenant_id == principal.tenant_id)
    return int(session.scalar(stmt) or 0)


def context(session: Session, principal: Principal) -> dict[str, Any]:
    """Counters and lists for the dashboard cards the principal may see."""
    cards: list[dict[str, Any]] = []

    def card(label: str, value: int, href: str) -> None:
        cards.append({"label": label, "value": value, "href": href})

    if principal.has("openings.read"):
        opened = _count(session, principal, "openings.read", Opening, Opening.status == "open")
        card(N_("Open openings"), opened, "/openings")
    if principal.is_staff and principal.has("candidates.read"):
        candidates = _count(session, principal, "candidates.read", Candidate)
        card(N_("Candidates"), candidates, "/candidates")
    if principal.has("audit.read"):
        card(N_("Audit entries"), _company_count(session, principal, AuditEntry), "/audit")
    if principal.has("techlog.read"):
        problems = _company_count(session, principal, ClientEvent)
        card(N_("Technical problems"), problems, "/techlog")
    mine = []
    if principal.has("self.read"):
        mine = my_applications(session, principal)
    employee = Role.EMPLOYEE in principal.roles and Role.CANDIDATE not in principal.roles
    return {
        "cards": cards,
        "mine": mine,
        "employee": employee,
        "work": work_lists(session, principal),
    }
