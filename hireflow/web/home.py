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


def _count(session: Session, principal: Principal, capability: str, model: type) -> int:
    stmt = restrict(select(func.count()).select_from(model), principal, capability, model)
    return int(session.scalar(stmt) or 0)


def context(session: Session, principal: Principal) -> dict[str, Any]:
    """Counters and lists for the dashboard cards the principal may see."""
    cards: list[dict[str, Any]] = []
    if principal.has("openings.read"):
        open_openings = restrict(
            select(func.count()).select_from(Opening).where(Opening.status == "open"),
            principal,
            "openings.read",
            Opening,
        )
        cards.append(
            {
                "label": N_("Open openings"),
                "value": int(session.scalar(open_openings) or 0),
                "href": "/openings",
            }
        )
    if principal.is_staff and principal.has("candidates.read"):
        cards.append(
            {
                "label": N_("Candidates"),
                "value": _count(session, principal, "candidates.read", Candidate),
                "href": "/candidates",
            }
        )
    if principal.has("audit.read"):
        cards.append(
            {
                "label": N_("Audit entries"),
                "value": int(
                    session.scalar(
                        select(func.count())
                        .select_from(AuditEntry)
                        .where(AuditEntry.tenant_id == principal.tenant_id)
                    )
                    or 0
                ),
                "href": "/audit",
            }
        )
    if principal.has("techlog.read"):
        cards.append(
            {
                "label": N_("Technical problems"),
                "value": int(
                    session.scalar(
                        select(func.count())
                        .select_from(ClientEvent)
                        .where(ClientEvent.tenant_id == principal.tenant_id)
                    )
                    or 0
                ),
                "href": "/techlog",
            }
        )
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
