"""What the self-service pages and API show of people's data, each read audited once.

The page and the API list the same things; both call these so that the audit row (who was
shown whose data, ids only) cannot differ between them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core.permissions import Principal
from hireflow.selfservice import department, requests
from hireflow.selfservice.models import SelfServiceRequest
from hireflow.selfservice.reports import ReportView, my_reports
from hireflow.web.deps import audit_read


def own_reports(session: Session, principal: Principal, language: str) -> list[ReportView]:
    views = my_reports(session, principal, language)
    ids = [v.interview_id for v in views]
    audit_read(session, principal, "selfservice.report_viewed", "interview", ids)
    return views


def department_progress(
    session: Session, principal: Principal, language: str
) -> list[department.EmployeeProgress]:
    rows = department.department_progress(session, principal, language)
    ids = [r.employee.person_id for r in rows]
    audit_read(session, principal, "development.listed", "candidate", ids)
    return rows


def open_requests(session: Session, principal: Principal) -> list[tuple[SelfServiceRequest, str]]:
    rows = requests.open_requests(session, principal)
    ids = [r.person_id for r, _name in rows]
    audit_read(session, principal, "selfservice.requests_listed", "candidate", ids)
    return rows
