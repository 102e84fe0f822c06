"""The home page's work list: what is waiting for this person, oldest first, with links.

Each list is a query narrowed by the same capability and scope as the page it links to
(``core.permissions.restrict``), so a recruiter sees their openings' work, a hiring manager
their department's, HR the whole company (or the subsidiary or department their role is
limited to), and a list a role may not act on is not shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.errors import N_
from hireflow.core.permissions import Principal, restrict
from hireflow.interviews.models import InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.openings.models import HiringRequest, Opening
from hireflow.scheduling.models import Invitation
from hireflow.workflow.models import RuleTask

ROWS = 5
# An invitation nobody opened for this long deserves a nudge (a reminder, another channel).
UNOPENED_AFTER = timedelta(days=1)


@dataclass
class Row:
    label: str  # data (a person's name, an opening's title): shown as it is
    detail: str  # data too
    href: str
    since: datetime | None = None
    note: str = ""  # a msgid, translated in the template
    lang: str = ""  # the language of ``detail`` when it is not the viewer's (a message)


@dataclass
class WorkList:
    key: str
    title: str  # msgid
    hint: str  # msgid: what to do about it
    count: int
    href: str  # the page listing them all
    rows: list[Row] = field(default_factory=list)


def _count(session: Session, stmt: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _named(session: Session, model: Any, ids: Any, order: Any) -> list[Any]:
    """(row, candidate name, opening title) of the first rows of ``model`` among ``ids``."""
    return list(
        session.execute(
            select(model, Candidate.name, Opening.title)
            .join(Candidate, Candidate.id == model.candidate_id)
            .join(Opening, Opening.id == model.opening_id)
            .where(model.id.in_(ids))
            .order_by(order, model.id)
            .limit(ROWS)
        ).all()
    )


def _named_list(
    session: Session,
    principal: Principal,
    heading: tuple[str, str, str],
    model: Any,
    where: list[Any],
    *,
    capability: str,
    since: Any,
    page: str,
    link: str,
) -> WorkList:
    """A list of one kind of object that names a candidate and an opening, oldest first:
    ``heading`` is the list's key, title and hint; ``capability`` narrows it, ``since`` is
    the column it waits since, ``page`` the whole list's and ``link`` each object's (+ id)."""
    key, title, hint = heading
    stmt = restrict(select(model.id).where(*where), principal, capability, model)
    rows = [
        Row(name, opening, f"{link}/{obj.id}", getattr(obj, since.key))
        for obj, name, opening in _named(session, model, stmt, since)
    ]
    return WorkList(key, title, hint, _count(session, stmt), page, rows)


def _interviews_to_review(session: Session, principal: Principal) -> WorkList | None:
    if not principal.has("interviews.review"):
        return None
    heading = (
        "review",
        N_("Interviews waiting for your review"),
        N_("Read the report, adjust a score if needed and decide."),
    )
    return _named_list(
        session,
        principal,
        heading,
        InterviewSession,
        [InterviewSession.status == "scored"],
        capability="interviews.review",
        since=InterviewSession.scored_at,
        page="/interviews?status=scored",
        link="/interviews",
    )


def _decisions(session: Session, principal: Principal) -> WorkList | None:
    """Screened-in applications nobody has invited yet, and interviews put on hold."""
    if not (principal.has("invitations.send") and principal.has("candidates.read")):
        return None
    invited = select(Invitation.id).where(
        Invitation.candidate_id == Application.candidate_id,
        Invitation.opening_id == Application.opening_id,
    )
    waiting = restrict(
        select(Application.id).where(
            Application.screening_status == "passed",
            Application.stage.in_(("applied", "screening")),
            ~invited.exists(),
        ),
        principal,
        "candidates.read",
        Application,
    )
    held = (
        restrict(
            select(InterviewSession.id).where(
                InterviewSession.status == "reviewed", InterviewSession.decision == "hold"
            ),
            principal,
            "interviews.review",
            InterviewSession,
        )
        if principal.has("interviews.review")
        else None
    )
    rows = [
        Row(name, title, f"/candidates/{candidate_id}", screened, N_("screened in"))
        for candidate_id, name, title, screened in session.execute(
            select(Candidate.id, Candidate.name, Opening.title, Application.screened_at)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Opening, Opening.id == Application.opening_id)
            .where(Application.id.in_(waiting))
            .order_by(Application.screened_at, Application.id)
            .limit(ROWS)
        )
    ]
    count = _count(session, waiting)
    if held is not None:
        count += _count(session, held)
        rows += [
            Row(name, title, f"/interviews/{iv.id}", iv.reviewed_at, N_("on hold"))
            for iv, name, title in _named(
                session, InterviewSession, held, InterviewSession.reviewed_at
            )
        ]
    rows.sort(key=lambda r: (r.since is None, r.since.timestamp() if r.since else 0.0))
    return WorkList(
        "decide",
        N_("Candidates waiting for a decision"),
        N_("Screened in but not invited yet, or put on hold after the interview."),
        count,
        "/scheduling/invite",
        rows[:ROWS],
    )


def _unopened(session: Session, principal: Principal, now: datetime) -> WorkList | None:
    if not principal.has("invitations.send"):
        return None
    heading = (
        "unopened",
        N_("Invitations not opened yet"),
        N_("Sent more than a day ago and never opened: send a reminder or try another channel."),
    )
    return _named_list(
        session,
        principal,
        heading,
        Invitation,
        [Invitation.status == "sent", Invitation.sent_at <= now - UNOPENED_AFTER],
        capability="invitations.read",
        since=Invitation.sent_at,
        page="/scheduling",
        link="/scheduling/invitations",
    )


def _failed_messages(session: Session, principal: Principal) -> WorkList | None:
    if not principal.has("notifications.read"):
        return None
    stmt = restrict(
        select(OutboxMessage.id).where(OutboxMessage.status == "failed"),
        principal,
        "notifications.read",
        OutboxMessage,
    )
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(stmt))
        .order_by(OutboxMessage.id.desc())
        .limit(ROWS)
    ).all()
    return WorkList(
        "failed",
        N_("Messages that could not be delivered"),
        N_("Check the address or the channel, then resend."),
        _count(session, stmt),
        "/notifications/outbox?status=failed",
        [
            Row(
                m.recipient_label or m.recipient,
                m.subject,
                f"/notifications/outbox/{m.id}",
                m.created_at,
                lang=m.language,
            )
            for m in rows
        ],
    )


def _requests(session: Session, principal: Principal) -> WorkList | None:
    """HR: requests waiting for approval. A hiring manager: their requests sent back."""
    if principal.has("hiring_requests.review"):
        stmt = restrict(
            select(HiringRequest.id).where(HiringRequest.status == "submitted"),
            principal,
            "hiring_requests.review",
            HiringRequest,
        )
        title, hint = (
            N_("Hiring requests waiting for approval"),
            N_("Approve to open the opening, or return it with a comment."),
        )
        link = "/hiring-requests?status=submitted"
    elif principal.has("hiring_requests.submit"):
        stmt = select(HiringRequest.id).where(
            HiringRequest.status == "returned",
            HiringRequest.submitted_by_id == principal.user_id,
            HiringRequest.tenant_id == principal.tenant_id,
        )
        title, hint = (
            N_("Your hiring requests returned to you"),
            N_("Read HR's comment, change the request and send it again."),
        )
        link = "/hiring-requests?status=returned"
    else:
        return None
    rows = session.scalars(
        select(HiringRequest)
        .where(HiringRequest.id.in_(stmt))
        .order_by(HiringRequest.updated_at, HiringRequest.id)
        .limit(ROWS)
    ).all()
    return WorkList(
        "requests",
        title,
        hint,
        _count(session, stmt),
        link,
        [Row(r.title, "", f"/hiring-requests/{r.id}", r.updated_at) for r in rows],
    )


def _rule_tasks(session: Session, principal: Principal) -> WorkList | None:
    """What the pipeline's rules left for people: rejections to confirm (a rule never
    rejects by itself) and to-dos."""
    if not principal.has("pipeline.move"):
        return None
    stmt = restrict(
        select(RuleTask.id).where(RuleTask.status == "open"), principal, "pipeline.move", RuleTask
    )
    rows = session.execute(
        select(RuleTask, Candidate.name, Opening.title)
        .join(Application, Application.id == RuleTask.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == RuleTask.opening_id)
        .where(RuleTask.id.in_(stmt))
        .order_by(RuleTask.created_at, RuleTask.id)
        .limit(ROWS)
    ).all()
    notes = {"confirm_reject": N_("rejection to confirm"), "todo": N_("to do")}
    return WorkList(
        "rule_tasks",
        N_("Left by pipeline rules"),
        N_("Confirm or dismiss the rejections rules suggest, and do the to-dos."),
        _count(session, stmt),
        "/workflow/confirmations",
        [
            Row(name, title, "/workflow/confirmations", task.created_at, notes[task.kind])
            for task, name, title in rows
        ],
    )


def work_lists(
    session: Session, principal: Principal, now: datetime | None = None
) -> list[WorkList]:
    """The lists this person may act on (empty ones included: "nothing waiting" is news)."""
    if not principal.is_staff:
        return []
    now = now or utcnow()
    found = [
        _interviews_to_review(session, principal),
        _decisions(session, principal),
        _unopened(session, principal, now),
        _failed_messages(session, principal),
        _requests(session, principal),
        _rule_tasks(session, principal),
    ]
    return [w for w in found if w is not None]
