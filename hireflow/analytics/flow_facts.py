"""What each source row contributes to the flow figures (:class:`FlowFact` rows, as tuples),
and which source rows changed since a time: the inputs of
:mod:`hireflow.analytics.rollups_flow`.

Each ``*_facts`` function recomputes every fact of a batch of source ids from the source
tables exactly as the direct queries of :mod:`hireflow.analytics.figures` read them, so a
fact absent from the answer (an interview without invitation, an offer not yet sent) is
absent here too.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.analytics.rollup_state import chunks
from hireflow.candidates.models import Application
from hireflow.interviews.models import InterviewAnswer, InterviewReport, InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.offers.models import Offer
from hireflow.scheduling.models import DEVELOPMENT, Invitation

ANSWER_MODES = ("text", "voice", "video")
KINDS = ("completion", "report", "offer", "source_app", "source_inv", "channel")


@dataclass(frozen=True)
class Fact:
    kind: str
    source_id: int
    part: str
    tenant_id: int
    opening_id: int
    day: date
    day2: date
    key: str = ""
    bucket: int = 0
    a: int = 0
    b: int = 0
    c: int = 0
    us: int = 0

    @property
    def ident(self) -> tuple[str, int, str]:
        return (self.kind, self.source_id, self.part)


FIELDS = tuple(Fact.__dataclass_fields__)


def bucket_of(us: int) -> int:
    """A duration's bucket: about eight per doubling of hours (monotonic in ``us``)."""
    return int(8 * math.log2(1 + us / 3_600_000_000))


def hours_of(us: int) -> float:
    """Hours as the direct query works them out: ``timedelta.total_seconds() / 3600``."""
    return (us / 10**6) / 3600


def micros(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def main_mode(modes: Counter[str]) -> str:
    """The answer mode a session used most (ties: the order of ANSWER_MODES); "none"."""
    if not modes:
        return "none"
    return max(ANSWER_MODES, key=lambda m: (modes[m], -ANSWER_MODES.index(m)))


def _sent() -> Any:
    return func.coalesce(Invitation.sent_at, Invitation.created_at)


def completion_facts(session: Session, ids: list[int]) -> list[Fact | None]:
    """Per interview (with its invitation): key "mode device", invited 1, started, submitted."""
    rows = session.execute(
        select(
            InterviewSession.id,
            InterviewSession.tenant_id,
            InterviewSession.opening_id,
            _sent(),
            InterviewSession.started_at,
            InterviewSession.submitted_at,
            Invitation.device_result,
        )
        .join(Invitation, Invitation.id == InterviewSession.invitation_id)
        .where(InterviewSession.id.in_(ids))
    ).all()
    modes: dict[int, Counter[str]] = defaultdict(Counter)
    for interview_id, mode, n in session.execute(
        select(InterviewAnswer.interview_id, InterviewAnswer.mode, func.count())
        .where(InterviewAnswer.interview_id.in_(ids))
        .group_by(InterviewAnswer.interview_id, InterviewAnswer.mode)
    ):
        modes[interview_id][mode] += n
    out: list[Fact | None] = []
    for sid, tenant_id, opening_id, sent, started, submitted, device in rows:
        device_class = str((device or {}).get("device") or "unknown")
        day = sent.date()
        key = f"{main_mode(modes[sid])} {device_class}"
        out.append(
            Fact(
                "completion",
                sid,
                "",
                tenant_id,
                opening_id,
                day,
                day,
                key,
                0,
                1,
                int(started is not None),
                int(submitted is not None),
            )
        )
    return out


def report_facts(session: Session, ids: list[int]) -> list[Fact | None]:
    """Per report of a hiring interview: microseconds from its invitation being sent."""
    rows = session.execute(
        select(
            InterviewReport.id,
            Invitation.tenant_id,
            Invitation.opening_id,
            _sent(),
            InterviewReport.created_at,
        )
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .join(Invitation, Invitation.id == InterviewSession.invitation_id)
        .where(InterviewReport.id.in_(ids), Invitation.purpose != DEVELOPMENT)
    )
    return [_duration("report", rid, "", t, o, sent, made) for rid, t, o, sent, made in rows]


def _duration(
    kind: str, source_id: int, part: str, tenant_id: int, opening_id: int, start: Any, end: Any
) -> Fact | None:
    if start is None or end is None or end < start:
        return None
    us = micros(start, end)
    day = start.date()
    return Fact(
        kind, source_id, part, tenant_id, opening_id, day, day, "", bucket_of(us), 1, 0, 0, us
    )


def offer_facts(session: Session, ids: list[int]) -> list[Fact | None]:
    """Per application and opening of its offers: microseconds to the first offer sent."""
    first = (
        select(Offer.application_id, Offer.opening_id, func.min(Offer.sent_at).label("sent"))
        .where(Offer.application_id.in_(ids), Offer.sent_at.is_not(None))
        .group_by(Offer.application_id, Offer.opening_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Application.id,
            Application.tenant_id,
            first.c.opening_id,
            Application.created_at,
            first.c.sent,
        ).join(first, first.c.application_id == Application.id)
    )
    return [_duration("offer", aid, str(o), t, o, made, sent) for aid, t, o, made, sent in rows]


def source_app_facts(session: Session, ids: list[int]) -> list[Fact | None]:
    rows = session.execute(
        select(
            Application.id,
            Application.tenant_id,
            Application.opening_id,
            Application.created_at,
            Application.source,
        ).where(Application.id.in_(ids))
    )
    out: list[Fact | None] = []
    for aid, tenant_id, opening_id, created, source in rows:
        day = created.date()
        out.append(
            Fact("source_app", aid, "", tenant_id, opening_id, day, day, source or "unknown")
        )
    return out


def _submitted(session: Session, invitation_ids: list[int]) -> Counter[int]:
    return Counter(
        dict(
            session.execute(
                select(InterviewSession.invitation_id, func.count())
                .where(
                    InterviewSession.invitation_id.in_(invitation_ids),
                    InterviewSession.submitted_at.is_not(None),
                )
                .group_by(InterviewSession.invitation_id)
            ).all()
        )
    )


def _ai_invitations(ids: list[int]) -> Any:
    return select(
        Invitation.id,
        Invitation.tenant_id,
        Invitation.opening_id,
        Invitation.candidate_id,
        _sent(),
        Invitation.opened_at,
    ).where(Invitation.id.in_(ids), Invitation.kind == "ai", Invitation.status != "queued")


def invitation_facts(session: Session, ids: list[int]) -> list[Fact | None]:
    """Per AI invitation (not queued): "source_inv" with its application (same candidate and
    opening; the source and day received) and "channel" per channel a message inviting to
    it was sent on; ``a`` 1, ``b`` opened, ``c`` submitted interviews."""
    invitations = session.execute(_ai_invitations(ids)).all()
    done = _submitted(session, [row[0] for row in invitations])
    pairs = {(row[3], row[2]) for row in invitations}
    apps: dict[tuple[int, int], tuple[Any, ...]] = {}
    for candidates in chunks(sorted({c for c, _o in pairs})):
        for row in session.execute(
            select(
                Application.candidate_id,
                Application.opening_id,
                Application.created_at,
                Application.source,
            ).where(Application.candidate_id.in_(candidates))
        ):
            apps[(row[0], row[1])] = tuple(row)
    channels: dict[int, set[str]] = defaultdict(set)
    for related, channel in session.execute(
        select(OutboxMessage.related_id, OutboxMessage.channel).where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.related_id.in_([row[0] for row in invitations]),
            OutboxMessage.kind.like("invitation%"),
            OutboxMessage.status == "sent",
        )
    ):
        if related is not None:
            channels[related].add(channel)
    out: list[Fact | None] = []
    for iid, tenant_id, opening_id, candidate_id, sent, opened in invitations:
        flags = (1, int(opened is not None), done[iid])
        day = sent.date()
        app = apps.get((candidate_id, opening_id))
        if app is not None:
            received = app[2].date()
            key = app[3] or "unknown"
            out.append(
                Fact("source_inv", iid, "", tenant_id, opening_id, received, day, key, 0, *flags)
            )
        for channel in sorted(channels[iid]):
            out.append(
                Fact("channel", iid, channel, tenant_id, opening_id, day, day, channel, 0, *flags)
            )
    return out


# --------------------------------------------------------------------------- what changed


@dataclass
class Dirty:
    """Source ids whose facts may have changed: interviews, reports, applications,
    invitations."""

    sessions: set[int]
    reports: set[int]
    applications: set[int]
    invitations: set[int]

    def __len__(self) -> int:
        return (
            len(self.sessions) + len(self.reports) + len(self.applications) + len(self.invitations)
        )


def _ids(session: Session, stmt: Any) -> set[int]:
    return {i for i in session.scalars(stmt) if i is not None}


def changed_since(session: Session, since: datetime, report_id: int) -> Dirty:
    """The sources changed at or after ``since`` (by ``updated_at``, indexed) and the reports
    after ``report_id``, with the sources whose facts read them."""
    new_sessions = _ids(
        session, select(InterviewSession.id).where(InterviewSession.updated_at >= since)
    )
    invitations = _ids(session, select(Invitation.id).where(Invitation.updated_at >= since))
    answered = _ids(
        session,
        select(InterviewAnswer.interview_id).where(InterviewAnswer.updated_at >= since),
    )
    applications = _ids(session, select(Application.id).where(Application.updated_at >= since))
    applications |= _ids(session, select(Offer.application_id).where(Offer.updated_at >= since))
    messages = _ids(
        session,
        select(OutboxMessage.related_id).where(
            OutboxMessage.updated_at >= since, OutboxMessage.related_type == "invitation"
        ),
    )
    sessions = set(new_sessions) | answered
    for chunk in chunks(sorted(invitations)):
        sessions |= _ids(
            session, select(InterviewSession.id).where(InterviewSession.invitation_id.in_(chunk))
        )
    for chunk in chunks(sorted(new_sessions)):
        invitations |= _ids(
            session, select(InterviewSession.invitation_id).where(InterviewSession.id.in_(chunk))
        )
    invitations |= messages
    for chunk in chunks(sorted(applications)):
        invitations |= _ids(
            session,
            select(Invitation.id)
            .join(
                Application,
                (Application.candidate_id == Invitation.candidate_id)
                & (Application.opening_id == Invitation.opening_id),
            )
            .where(Application.id.in_(chunk)),
        )
    reports = _ids(session, select(InterviewReport.id).where(InterviewReport.id > report_id))
    for chunk in chunks(sorted(sessions)):
        reports |= _ids(
            session, select(InterviewReport.id).where(InterviewReport.interview_id.in_(chunk))
        )
    return Dirty(sessions, reports, applications, invitations)


def facts_of(session: Session, dirty: Dirty) -> list[Fact]:
    """Every fact of the dirty sources, as the source tables say now."""
    out: list[Fact | None] = []
    for ids, makers in (
        (dirty.sessions, (completion_facts,)),
        (dirty.reports, (report_facts,)),
        (dirty.applications, (offer_facts, source_app_facts)),
        (dirty.invitations, (invitation_facts,)),
    ):
        for chunk in chunks(sorted(ids)):
            for make in makers:
                out.extend(make(session, chunk))
    return [fact for fact in out if fact is not None]
