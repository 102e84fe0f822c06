"""Generated people for trying the predictive validity page (and for its tests): assessed
applicants of one opening with scores on its competencies, some of them hired, with ratings,
probation results and leaving dates whose relation to the scores is known.

Each person has a latent performance t ~ N(0, 1). The *predictive* competency (the model's
first, unless named) is 6 + 1.5·(r·t + √(1−r²)·e); the others are 6 + 1.5·e, unrelated to t.
The rating is 3 + 0.6·t (1-5), so among everyone assessed the correlation between the
predictive competency and the rating is ``r`` (rounding and the 1-5 bounds change it by
less than 0.01). Probation: failed when t < −1.5, extended when t < −1, else passed. Someone
with t + noise < −0.8 leaves between 20 and 400 days after starting. The hired are the top
``hired_share`` by mean score (``select_top``, as a real process does: the range is then
restricted) or a random share.

Rows are written directly (no audit, no record entries): sample data for a trial company or a
test database, never for a company in use. Names are "Sample N" and e-mail addresses are
under example.invalid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate, PerformanceRating
from hireflow.core.errors import NotFound
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.offers.models import Employee, Offer
from hireflow.openings.competency import competency_model_of
from hireflow.openings.models import Opening
from hireflow.scheduling.models import Invitation


@dataclass(frozen=True)
class Sample:
    opening_id: int
    assessed: int
    hired: int
    predictive: str  # the competency related to the outcomes


@dataclass(frozen=True)
class _Person:
    scores: dict[str, float]
    latent: float


def _people(
    dimensions: list[str], predictive: str, people: int, r: float, rng: np.random.Generator
) -> list[_Person]:
    found = []
    for _ in range(people):
        t = float(rng.standard_normal())
        scores = {}
        for d in dimensions:
            e = float(rng.standard_normal())
            z = r * t + math.sqrt(1 - r * r) * e if d == predictive else e
            scores[d] = round(min(10.0, max(0.0, 6 + 1.5 * z)), 1)
        found.append(_Person(scores, t))
    return found


def _hired(
    people: list[_Person], share: float, select_top: bool, rng: np.random.Generator
) -> set[int]:
    count = round(len(people) * share)
    if select_top:
        means = [-sum(p.scores.values()) / len(p.scores) for p in people]
        return {int(i) for i in np.argsort(means, kind="stable")[:count]}
    return {int(i) for i in rng.choice(len(people), size=count, replace=False)}


def generate(
    session: Session,
    opening_id: int,
    *,
    people: int = 200,
    hired_share: float = 0.4,
    r: float = 0.5,
    seed: int = 7,
    select_top: bool = True,
    predictive: str | None = None,
    today: date | None = None,
) -> Sample:
    """Write ``people`` assessed applicants of the opening, ``hired_share`` of them hired."""
    opening = session.get(Opening, opening_id)
    if opening is None:
        raise NotFound()
    dimensions = [d.id for d in competency_model_of(opening).dimensions]
    predictive = predictive or dimensions[0]
    rng = np.random.default_rng(seed)
    today = today or datetime.now(UTC).date()
    crowd = _people(dimensions, predictive, people, r, rng)
    hired = _hired(crowd, hired_share, select_top, rng)
    now = datetime.now(UTC)
    for n, person in enumerate(crowd):
        application = _assessed(session, opening, person, n, now)
        if n in hired:
            _hire(session, opening, application, person, n, today, rng)
    session.commit()
    return Sample(opening.id, people, len(hired), predictive)


def _assessed(
    session: Session, opening: Opening, person: _Person, n: int, now: datetime
) -> Application:
    tenant = opening.tenant_id
    candidate = Candidate(
        tenant_id=tenant,
        name=f"Sample {n + 1}",
        email=f"sample-{opening.id}-{n + 1}@example.invalid",
    )
    application = Application(tenant_id=tenant, opening_id=opening.id, source="upload")
    application.stage = "ai_interview"
    candidate.applications = [application]
    session.add(candidate)
    session.flush()
    invitation = Invitation(
        tenant_id=tenant,
        opening_id=opening.id,
        candidate_id=candidate.id,
        kind="ai",
        status="completed",
        language="en",
        deadline=now + timedelta(days=3),
        sent_at=now,
    )
    session.add(invitation)
    session.flush()
    interview = InterviewSession(
        tenant_id=tenant,
        opening_id=opening.id,
        candidate_id=candidate.id,
        invitation_id=invitation.id,
        status="scored",
        deadline=invitation.deadline,
        submitted_at=now,
        scored_at=now,
    )
    session.add(interview)
    session.flush()
    match = round(10 * sum(person.scores.values()) / len(person.scores), 1)
    session.add(
        InterviewReport(
            tenant_id=tenant,
            interview_id=interview.id,
            body="{}",
            sha256="0" * 64,
            engine_version="sample",
            scores=person.scores,
            job_match=match,
        )
    )
    return application


def _hire(
    session: Session,
    opening: Opening,
    application: Application,
    person: _Person,
    n: int,
    today: date,
    rng: np.random.Generator,
) -> None:
    start = today - timedelta(days=int(rng.integers(30, 600)))
    application.stage = "hired"
    offer = Offer(
        tenant_id=opening.tenant_id,
        application_id=application.id,
        candidate_id=application.candidate_id,
        opening_id=opening.id,
        status="accepted",
        start_date=start,
    )
    session.add(offer)
    session.flush()
    t = person.latent
    left_on = None
    if t + 0.5 * float(rng.standard_normal()) < -0.8:
        left_on = min(today, start + timedelta(days=int(rng.integers(20, 400))))
    probation = "failed" if t < -1.5 else "extended" if t < -1 else "passed"
    session.add(
        Employee(
            tenant_id=opening.tenant_id,
            person_id=application.candidate_id,
            employee_number=f"S{opening.id}-{n + 1}",
            department_id=opening.department_id,
            offer_id=offer.id,
            opening_id=opening.id,
            start_date=start,
            probation_result=probation,
            left_on=left_on,
            leaving_reason=None if left_on is None else "resigned",
        )
    )
    rating = round(min(5.0, max(1.0, 3 + 0.6 * t)), 2)
    session.add(
        PerformanceRating(
            tenant_id=opening.tenant_id,
            candidate_id=application.candidate_id,
            period=str(start.year),
            rating=rating,
        )
    )
