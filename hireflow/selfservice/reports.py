"""A person's own interview reports as the company allows them to be seen (SPEC J1).

What a person sees of a report is a selection, never the whole engine output: per competency
the score (HR's final score when HR adjusted it), the job's required level and the sentences
quoted from their own answers; the strengths and gaps texts as development suggestions; a
radar of scores against the required levels. Never shown: the follow-up questions suggested
to interviewers, the engine's notes and per-answer features, HR's conclusion, review notes and
adjustment reasons, scorecards, other people's data, the bias-audit self-identification (none
of these is read here at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.permissions import Principal, Role, condition_for, require
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.offers.models import Employee
from hireflow.openings.models import Opening
from hireflow.records.presenting import pick_text
from hireflow.scoring.findings import for_the_person
from hireflow.scoring.report import Report, ReportError
from hireflow.selfservice.models import Reassessment, SelfServicePolicy
from hireflow.selfservice.policy import policy_of

SHOWN_STATUSES = ("scored", "reviewed")
MAX_QUOTES = 3


def own_people(session: Session, principal: Principal) -> list[Candidate]:
    """The caller's own person rows (a merged history may leave more than one)."""
    return list(
        session.scalars(
            select(Candidate)
            .where(
                Candidate.tenant_id == principal.tenant_id, Candidate.user_id == principal.user_id
            )
            .order_by(Candidate.id)
        )
    )


def own_employee(session: Session, principal: Principal) -> Employee | None:
    """The caller's employee row, when they are employed by this company."""
    if Role.EMPLOYEE not in principal.roles:
        return None
    return session.scalars(
        select(Employee).where(
            Employee.tenant_id == principal.tenant_id, Employee.user_id == principal.user_id
        )
    ).first()


@dataclass
class DimensionView:
    id: str
    name: str
    score: float | None
    required: float
    quotes: list[str] = field(default_factory=list)

    @property
    def below(self) -> bool:
        return self.score is not None and self.score < self.required


@dataclass
class ReportView:
    interview_id: int
    opening_title: str
    taken_at: datetime
    development: bool
    job_match: float | None
    dimensions: list[DimensionView]
    strengths: list[str]
    suggestions: list[str]
    examples: list[str]


def pick(text: Any, lang: str) -> str:
    """The text of a {"zh": ..., "en": ..., "ja": ...} value in ``lang`` (the nearest other
    language when missing)."""
    return pick_text(text, lang)


def _engine_report(row: InterviewReport) -> Report | None:
    text = row.final_body if row.adjusted_at is not None and row.final_body else row.body
    try:
        return Report.from_json(text)
    except ReportError:
        return None


def _view(
    interview: InterviewSession,
    row: InterviewReport,
    report: Report,
    development: bool,
    policy: SelfServicePolicy,
    lang: str,
) -> ReportView:
    dimensions = [
        DimensionView(
            id=d.id,
            name=pick(d.name, lang) or d.id,
            score=d.score if policy.show_scores else None,
            required=d.required_level,
            quotes=[e.quote for e in d.evidence[:MAX_QUOTES]] if policy.show_evidence else [],
        )
        for d in report.dimensions
        if d.assessed
    ]
    # The person reads about themselves: "your own part", not HR's "the candidate's own".
    suggestions = (
        [for_the_person(pick(g.text, lang)) for g in report.gaps] if policy.show_suggestions else []
    )
    strengths = (
        [for_the_person(pick(s.text, lang)) for s in report.strengths]
        if policy.show_suggestions
        else []
    )
    return ReportView(
        interview_id=interview.id,
        opening_title=interview.opening.title if interview.opening else "",
        taken_at=interview.submitted_at or interview.scored_at or interview.created_at,
        development=development,
        job_match=row.effective_job_match if policy.show_scores else None,
        dimensions=dimensions,
        strengths=[s for s in strengths if s],
        suggestions=[s for s in suggestions if s],
        examples=[e.quote for e in report.key_examples[:MAX_QUOTES]]
        if policy.show_evidence
        else [],
    )


def development_interviews(session: Session, person_ids: list[int]) -> set[int]:
    """Interviews of these people that are development re-assessments."""
    if not person_ids:
        return set()
    return set(
        session.scalars(
            select(InterviewSession.id)
            .join(Reassessment, Reassessment.invitation_id == InterviewSession.invitation_id)
            .where(Reassessment.person_id.in_(person_ids))
        )
    )


def may_see_reports(session: Session, principal: Principal, policy: SelfServicePolicy) -> bool:
    """Employees see their reports; candidates only when the company lets them."""
    return own_employee(session, principal) is not None or bool(policy.candidates_see_report)


def my_reports(session: Session, principal: Principal, lang: str) -> list[ReportView]:
    """The caller's scored interviews as they may see them, oldest first."""
    require(principal, "self.report")
    policy = policy_of(session, principal.tenant_id)
    if not may_see_reports(session, principal, policy):
        return []
    stmt = select(InterviewSession, InterviewReport).where(
        condition_for(principal, "self.report", InterviewSession)
    )
    people = [p.id for p in own_people(session, principal)]
    return _views(session, stmt, people, policy, lang)


def reports_as_seen_by_owner(session: Session, employee: Employee, lang: str) -> list[ReportView]:
    """An employee's reports exactly as the employee sees them (for their plan, which HR and
    their manager act on); callers check their own reach to the employee first."""
    policy = policy_of(session, employee.tenant_id)
    stmt = select(InterviewSession, InterviewReport).where(
        InterviewSession.tenant_id == employee.tenant_id,
        InterviewSession.candidate_id == employee.person_id,
    )
    return _views(session, stmt, [employee.person_id], policy, lang)


def _views(
    session: Session,
    stmt: Select[InterviewSession, InterviewReport],
    people: list[int],
    policy: SelfServicePolicy,
    lang: str,
) -> list[ReportView]:
    rows = session.execute(
        stmt.join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        .join(Opening, Opening.id == InterviewSession.opening_id)
        .where(InterviewSession.status.in_(SHOWN_STATUSES))
        .order_by(InterviewSession.submitted_at, InterviewSession.id)
    ).all()
    development = development_interviews(session, people)
    views = []
    for interview, row in rows:
        is_development = interview.id in development
        if not is_development and policy.after_review_only and interview.reviewed_at is None:
            continue
        report = _engine_report(row)
        if report is not None:
            views.append(_view(interview, row, report, is_development, policy, lang))
    return views
