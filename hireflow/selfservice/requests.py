"""A person's requests about their own assessment and data, and HR's answers (SPEC J1, G7).

An explanation of a report, a review of the AI result by a person (PIPL Art. 24, GDPR Art. 22),
a correction of personal data (PIPL Art. 46) or an erasure (PIPL Art. 47, GDPR Art. 17). The
message is encrypted; audit rows carry ids and kinds only. Erasure itself stays HR's act on the
record page (``records.service.erase_person``: holds, retention and the ledger apply); the
request is the trace that it was asked for and what was answered. A copy of one's data needs
no request: the download is immediate (``records.export``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit
from hireflow.core.bounds import Id
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import (
    Principal,
    condition_for,
    get_visible,
    require,
    require_visible,
    restrict,
)
from hireflow.interviews.models import InterviewSession
from hireflow.selfservice.models import REQUEST_KINDS, SelfServiceRequest
from hireflow.selfservice.reports import own_people

Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
OPEN_LIMIT = 10


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    message: Message = ""
    interview_id: Id | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


def create_request(session: Session, principal: Principal, data: RequestIn) -> SelfServiceRequest:
    """File a request about one's own data or one of one's own interviews."""
    require(principal, "self.requests")
    if data.kind not in REQUEST_KINDS:
        raise ValidationFailed(N_("Choose what you are asking for."), fields={"kind": "unknown"})
    if data.kind in ("explanation", "human_review") and data.interview_id is None:
        raise ValidationFailed(
            N_("Choose the interview this is about."), fields={"interview_id": "required"}
        )
    if data.kind in ("correction",) and not data.message:
        raise ValidationFailed(N_("Say what should be corrected."), fields={"message": "required"})
    people = own_people(session, principal)
    if not people:
        raise NotFound()
    person: Candidate = people[0]
    if data.interview_id is not None:
        interview = get_visible(
            session, InterviewSession, data.interview_id, principal, "self.report"
        )
        person = next(p for p in people if p.id == interview.candidate_id)
    waiting = session.scalars(
        restrict(
            select(SelfServiceRequest.id), principal, "self.requests", SelfServiceRequest
        ).where(SelfServiceRequest.status == "open")
    ).all()
    if len(waiting) >= OPEN_LIMIT:
        raise Conflict(
            N_("You have too many open requests; please wait for an answer."), code="too_many"
        )
    request = SelfServiceRequest(
        tenant_id=principal.tenant_id,
        person_id=person.id,
        interview_id=data.interview_id,
        kind=data.kind,
        message=data.message or None,
    )
    audit.commit_created(
        session,
        request,
        "selfservice.request_filed",
        actor=principal,
        target_type="selfservice_request",
        new={"kind": request.kind, "interview": request.interview_id},
    )
    return request


def my_requests(session: Session, principal: Principal) -> list[SelfServiceRequest]:
    require(principal, "self.requests")
    return list(
        session.scalars(
            restrict(select(SelfServiceRequest), principal, "self.requests", SelfServiceRequest)
            .order_by(SelfServiceRequest.id.desc())
            .limit(100)
        )
    )


def open_requests(session: Session, principal: Principal) -> list[tuple[SelfServiceRequest, str]]:
    """Requests for HR, open ones first, with the person's name."""
    require(principal, "selfservice.requests")
    rows = session.execute(
        select(SelfServiceRequest, Candidate.name)
        .where(condition_for(principal, "selfservice.requests", SelfServiceRequest))
        .join(Candidate, Candidate.id == SelfServiceRequest.person_id)
        .order_by((SelfServiceRequest.status == "open").desc(), SelfServiceRequest.id.desc())
        .limit(200)
    ).all()
    return [(r, name) for r, name in rows]


def answer_request(
    session: Session, principal: Principal, request_id: int, data: AnswerIn
) -> SelfServiceRequest:
    """HR answers (or declines, with the reason) a request; the person sees the answer."""
    request = require_visible(
        session, SelfServiceRequest, request_id, principal, "selfservice.requests"
    )
    if data.status not in ("answered", "declined"):
        raise ValidationFailed(N_("Choose answered or declined."), fields={"status": "unknown"})
    if request.status != "open":
        raise Conflict(N_("This request was already answered."), code="answered")
    request.status = data.status
    request.answer = data.answer
    request.answered_by_id = principal.user_id
    request.answered_at = utcnow()
    audit.commit_recorded(
        session,
        "selfservice.request_answered",
        actor=principal,
        target_type="selfservice_request",
        target_id=request.id,
        new={"status": request.status, "kind": request.kind},
    )
    return request
