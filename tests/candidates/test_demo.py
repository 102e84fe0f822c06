"""The demo additions of openings and candidates: real data through the real code, twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hireflow.candidates import demo as candidates_demo
from hireflow.candidates.models import Application, Candidate, CandidateSearch
from hireflow.demo import create_demo
from hireflow.openings import demo as openings_demo
from hireflow.openings.models import HiringRequest, Opening


@pytest.mark.slow
def test_demo_additions_are_complete_and_idempotent(session, regional):
    tenant, _accounts, _created = create_demo(session)
    for _ in range(2):
        openings_demo.add_demo(session, tenant)
        candidates_demo.add_demo(session, tenant)
    openings = list(session.scalars(select(Opening).where(Opening.tenant_id == tenant.id)))
    assert all(o.competency_model and o.interview_plan for o in openings)
    backend = next(o for o in openings if o.title == "高级后端工程师")
    assert backend.screening_rules
    people = session.scalar(
        select(func.count()).select_from(Candidate).where(Candidate.tenant_id == tenant.id)
    )
    indexed = session.scalar(
        select(func.count())
        .select_from(CandidateSearch)
        .where(CandidateSearch.tenant_id == tenant.id)
    )
    assert people == indexed and people >= 10
    verdicts = dict(
        session.execute(
            select(Candidate.name, Application.screening_status)
            .join(Application, Application.candidate_id == Candidate.id)
            .where(Application.opening_id == backend.id)
        ).all()
    )
    assert verdicts["陈浩"] == "passed" and verdicts["林雪"] == "rejected"
    internal = session.scalars(
        select(Candidate).where(Candidate.tenant_id == tenant.id, Candidate.is_internal)
    ).all()
    assert len(internal) == 1
    assert (
        session.scalar(
            select(func.count())
            .select_from(HiringRequest)
            .where(HiringRequest.tenant_id == tenant.id)
        )
        == 1
    )
