"""Openings with candidates for the pipeline tests: real rows, as intake would write them."""

from __future__ import annotations

from hireflow.candidates.models import Application, Candidate
from hireflow.core.permissions import Principal
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.auth import principal_for
from tests.conftest import Org, unique


def make_opening(session, org: Org, dept_index: int = 0, *, members: bool = True) -> Opening:
    """An open opening of department ``dept_index``; the org's recruiter owns it and its
    interviewer sits on the panel."""
    dept = org.departments[dept_index]
    subsidiary = next(s for s in org.subsidiaries if s.id == dept.subsidiary_id)
    opening = Opening(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=unique("Opening"),
        region=subsidiary.region,
        job_type="technical",
        status="open",
    )
    if members:
        opening.members = [
            OpeningMember(user_id=org.users["recruiter"].id, role="owner"),
            OpeningMember(user_id=org.users["interviewer"].id, role="interviewer"),
        ]
    session.add(opening)
    session.flush()
    return opening


def apply(session, org: Org, opening: Opening, name: str | None = None) -> Application:
    """A new candidate applying to ``opening``."""
    candidate = Candidate(
        tenant_id=org.tenant.id, name=name or unique("Person"), email=f"{unique('p')}@example.com"
    )
    application = Application(tenant_id=org.tenant.id, opening_id=opening.id, source="upload")
    candidate.applications = [application]
    session.add(candidate)
    session.flush()
    return application


def principal(session, org: Org, role: str) -> Principal:
    return principal_for(org.users[role])
