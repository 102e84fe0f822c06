"""The dashboard's further figures (SPEC I1): pass rates, end-to-end times, completion by
answer mode and device, source and channel, the top ten per competency, interviewer load and
message delivery failures.

Each starts, like :mod:`hireflow.analytics.queries`, from the openings in the caller's scope
for ``analytics.read`` and answers in aggregates, except the top ten (candidates' names and
scores, which the same people can open on the application anyway) and interviewer load (staff
names and counts).
"""

from __future__ import annotations

import heapq
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hireflow.analytics import rollups, rollups_flow, top_scores
from hireflow.analytics.queries import (
    CLOSING_KINDS,
    Filters,
    _applications,
    _openings,
    stages_for,
    within,
)
from hireflow.candidates.models import Application, Candidate
from hireflow.core.permissions import Principal
from hireflow.interviews.models import InterviewAnswer, InterviewReport, InterviewSession
from hireflow.interviews.queries import for_hiring
from hireflow.live.models import LiveParticipant, LiveRoom
from hireflow.notifications.models import OutboxMessage
from hireflow.offers.models import Offer
from hireflow.openings.models import Opening
from hireflow.org.models import User
from hireflow.scheduling.models import Invitation
from hireflow.workflow.models import Scorecard, StageMove
from hireflow.workflow.stages import Stage

TOP = 10
FAILED = frozenset({"failed"})
ANSWER_MODES = ("text", "voice", "video")


def rate(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


# --------------------------------------------------------------------------- pass rates


@dataclass(frozen=True)
class PassRate:
    stage: Stage
    moved_on: int  # to a later open stage
    rejected: int
    withdrew: int
    rate: float | None  # moved on ÷ (moved on + rejected)


def pass_rates(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[PassRate]:
    """Per open stage, of the applications that left it: moved on, rejected, withdrew (from
    the rollups once built, same answer; from the stage events with ``direct``)."""
    filters = filters.checked()
    stages = stages_for(session, principal, filters)
    kinds = {s.key: s.kind for s in stages}
    found: dict[str, Counter[str]] = defaultdict(Counter)
    sums = None
    if not direct:
        openings = _openings(session, principal, filters)
        sums = rollups.pass_sums(session, openings, filters.start, filters.end)
    if sums is None:
        sums = Counter()
        for from_key, to_key, n in session.execute(
            select(StageMove.from_key, StageMove.to_key, func.count())
            .where(StageMove.application_id.in_(_applications(session, principal, filters)))
            .group_by(StageMove.from_key, StageMove.to_key)
        ):
            sums[(from_key, to_key)] += n
    for (from_key, to_key), n in sums.items():
        kind = kinds.get(to_key, "")
        found[from_key][kind if kind in CLOSING_KINDS else "on"] += n
    out = []
    for stage in stages:
        if stage.kind in CLOSING_KINDS or stage.key not in found:
            continue
        c = found[stage.key]
        out.append(
            PassRate(
                stage,
                c["on"],
                c["rejected"],
                c["withdrawn"],
                rate(c["on"], c["on"] + c["rejected"]),
            )
        )
    return out


# --------------------------------------------------------------------------- end to end


@dataclass(frozen=True)
class Duration:
    measure: str  # "invitation_report" | "application_offer"
    n: int
    median_hours: float | None
    mean_hours: float | None
    p90_hours: float | None


def _hours(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> list[float]:
    return sorted(
        (end - start).total_seconds() / 3600
        for start, end in pairs
        if start is not None and end is not None and end >= start
    )


def _duration(measure: str, hours: list[float]) -> Duration:
    if not hours:
        return Duration(measure, 0, None, None, None)
    p90 = hours[min(len(hours) - 1, int(0.9 * len(hours)))]
    return Duration(
        measure,
        len(hours),
        round(statistics.median(hours), 1),
        round(statistics.fmean(hours), 1),
        round(p90, 1),
    )


def end_to_end(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[Duration]:
    """Hours from an AI interview invitation being sent to its report, and from an
    application being received to its first offer being sent (invitations sent and
    applications received in the period): from the flow rollups once built (same answer),
    from the source tables with ``direct``."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    read = None if direct else rollups_flow.reading(session, openings, filters.start, filters.end)
    if read is not None:
        return [
            Duration(measure, *astuple(rollups_flow.durations(session, read, kind)))
            for measure, kind in (("invitation_report", "report"), ("application_offer", "offer"))
        ]
    sent = func.coalesce(Invitation.sent_at, Invitation.created_at)
    reports = session.execute(
        select(sent, InterviewReport.created_at)
        .join(InterviewSession, InterviewSession.invitation_id == Invitation.id)
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        .where(Invitation.opening_id.in_(openings), for_hiring(), *within(sent, filters))
    )
    first_offer = (
        select(Offer.application_id, func.min(Offer.sent_at).label("sent"))
        .where(Offer.opening_id.in_(openings), Offer.sent_at.is_not(None))
        .group_by(Offer.application_id)
        .subquery()
    )
    offers = session.execute(
        select(Application.created_at, first_offer.c.sent)
        .join(first_offer, first_offer.c.application_id == Application.id)
        .where(*within(Application.created_at, filters))
    )
    return [
        _duration("invitation_report", _hours(reports)),
        _duration("application_offer", _hours(offers)),
    ]


# --------------------------------------------------------------------------- completion


@dataclass(frozen=True)
class Completion:
    group: str  # "mode" | "device"
    value: str  # text/voice/video/none, phone/tablet/desktop/unknown
    invited: int
    started: int
    completed: int

    @property
    def completion(self) -> float | None:
        return rate(self.completed, self.started)

    @property
    def drop_off(self) -> float | None:
        return rate(self.started - self.completed, self.started)


def _main_mode(modes: Counter[str]) -> str:
    """The answer mode a session used most (ties: the order of ANSWER_MODES); "none"."""
    if not modes:
        return "none"
    return max(ANSWER_MODES, key=lambda m: (modes[m], -ANSWER_MODES.index(m)))


def completion(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[Completion]:
    """AI interviews of invitations sent in the period: invited, started and submitted, per
    the answer mode the candidate used most and per device class of their device check
    (from the flow rollups once built, from the source tables with ``direct``)."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    read = None if direct else rollups_flow.reading(session, openings, filters.start, filters.end)
    if read is not None:
        rolled: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for key, (n, _a, started, completed) in rollups_flow.counts(
            session, read, "completion"
        ).items():
            mode, device_class = key.split(" ", 1)
            for place in (("mode", mode), ("device", device_class)):
                rolled[place].update(invited=n, started=started, completed=completed)
        return _completions(rolled)
    sent = func.coalesce(Invitation.sent_at, Invitation.created_at)
    sessions = session.execute(
        select(
            InterviewSession.id,
            InterviewSession.started_at,
            InterviewSession.submitted_at,
            Invitation.device_result,
        )
        .join(Invitation, Invitation.id == InterviewSession.invitation_id)
        .where(InterviewSession.opening_id.in_(openings), *within(sent, filters))
    ).all()
    ids = [row[0] for row in sessions]
    modes: dict[int, Counter[str]] = defaultdict(Counter)
    for start in range(0, len(ids), 5000):
        for interview_id, mode, n in session.execute(
            select(InterviewAnswer.interview_id, InterviewAnswer.mode, func.count())
            .where(InterviewAnswer.interview_id.in_(ids[start : start + 5000]))
            .group_by(InterviewAnswer.interview_id, InterviewAnswer.mode)
        ):
            modes[interview_id][mode] += n
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for interview_id, started_at, submitted_at, device in sessions:
        device_class = str((device or {}).get("device") or "unknown")
        for place in (("mode", _main_mode(modes[interview_id])), ("device", device_class)):
            counts[place]["invited"] += 1
            counts[place]["started"] += started_at is not None
            counts[place]["completed"] += submitted_at is not None
    return _completions(counts)


def _completions(counts: dict[tuple[str, str], Counter[str]]) -> list[Completion]:
    order = {"mode": [*ANSWER_MODES, "none"], "device": ["desktop", "phone", "tablet", "unknown"]}
    return [
        Completion(group, value, c["invited"], c["started"], c["completed"])
        for (group, value), c in sorted(
            counts.items(),
            key=lambda i: (i[0][0] != "mode", _position(order[i[0][0]], i[0][1]), i[0][1]),
        )
    ]


def _position(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


# --------------------------------------------------------------------------- source, channel


@dataclass(frozen=True)
class Reach:
    group: str  # "source" (application source) | "channel" (invitation message channel)
    value: str
    count: int  # applications | invitations sent on the channel
    invited: int
    opened: int
    completed: int


def _invitation_facts(openings: Any, filters: Filters) -> Any:
    sent = func.coalesce(Invitation.sent_at, Invitation.created_at)
    return select(
        Invitation.id, Invitation.candidate_id, Invitation.opening_id, Invitation.opened_at
    ).where(
        Invitation.opening_id.in_(openings),
        Invitation.kind == "ai",
        Invitation.status != "queued",
        *within(sent, filters),
    )


def source_and_channel(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[Reach]:
    """Per application source: applications received in the period, how many were invited
    to an AI interview, opened the link and submitted it. Per channel the invitation messages
    went out on (e-mail, SMS, ...): AI invitations sent in the period with a message sent on
    it, how many of those were opened and completed (one invitation sent on two channels
    counts on both: the link does not say which one was used). From the flow rollups once
    built (same answer), from the source tables with ``direct``."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    read = None if direct else rollups_flow.reading(session, openings, filters.start, filters.end)
    if read is not None:
        return _reach_rolled(session, read)
    facts = _invitation_facts(openings, filters).subquery()
    done = (InterviewSession.invitation_id == facts.c.id) & InterviewSession.submitted_at.is_not(
        None
    )
    out: list[Reach] = []
    apps = session.execute(
        select(
            Application.source,
            func.count(Application.id.distinct()),
            func.count(facts.c.id.distinct()),
            func.count(case((facts.c.opened_at.is_not(None), facts.c.id)).distinct()),
            func.count(InterviewSession.id.distinct()),
        )
        .outerjoin(
            facts,
            (facts.c.candidate_id == Application.candidate_id)
            & (facts.c.opening_id == Application.opening_id),
        )
        .outerjoin(InterviewSession, done)
        .where(Application.opening_id.in_(openings), *within(Application.created_at, filters))
        .group_by(Application.source)
        .order_by(Application.source)
    )
    out += [Reach("source", s or "unknown", n, inv, op, co) for s, n, inv, op, co in apps]
    channels = session.execute(
        select(
            OutboxMessage.channel,
            func.count(facts.c.id.distinct()),
            func.count(case((facts.c.opened_at.is_not(None), facts.c.id)).distinct()),
            func.count(InterviewSession.id.distinct()),
        )
        .join(facts, facts.c.id == OutboxMessage.related_id)
        .outerjoin(InterviewSession, done)
        .where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.kind.like("invitation%"),
            OutboxMessage.status == "sent",
        )
        .group_by(OutboxMessage.channel)
        .order_by(OutboxMessage.channel)
    )
    out += [Reach("channel", c, n, n, op, co) for c, n, op, co in channels]
    return out


def _reach_rolled(session: Session, read: rollups_flow.Reading) -> list[Reach]:
    """Source and channel from the flow rollups: applications per source ("source_app"), the
    AI invitations of those applications ("source_inv"), invitations per channel."""
    apps = rollups_flow.counts(session, read, "source_app")
    invited = rollups_flow.counts(session, read, "source_inv")
    out = [
        Reach("source", s, apps[s][0], *invited.get(s, [0, 0, 0, 0])[1:])
        for s in sorted(apps)
        if apps[s][0]
    ]
    channels = rollups_flow.counts(session, read, "channel")
    out += [Reach("channel", c, n, a, op, co) for c, (n, a, op, co) in sorted(channels.items())]
    return out


# --------------------------------------------------------------------------- top ten


@dataclass(frozen=True)
class Ranked:
    competency: str
    rank: int
    candidate: str
    opening: str
    score: float


def top_per_competency(
    session: Session,
    principal: Principal,
    filters: Filters,
    top: int = TOP,
    *,
    direct: bool = False,
) -> list[Ranked]:
    """Per competency, the ``top`` highest scores in effect of the reports in the period
    (one per interview; ties by the earlier report): from the ordered score table once
    built (same answer), from every report's scores with ``direct``."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    found = None
    if not direct:
        found = top_scores.best(
            session, principal.tenant_id, openings, filters.start, filters.end, top
        )
    if found is not None:
        return _named(session, found)
    rows = session.execute(
        select(
            InterviewReport.id,
            InterviewReport.scores,
            InterviewReport.final_scores,
            Candidate.name,
            Opening.title,
        )
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .join(Opening, Opening.id == InterviewSession.opening_id)
        .where(
            InterviewSession.opening_id.in_(openings),
            for_hiring(),
            *within(InterviewReport.created_at, filters),
        )
    )
    best: dict[str, list[tuple[float, int, str, str]]] = defaultdict(list)
    for report_id, scores, final, name, title in rows:
        for competency, value in {**(scores or {}), **(final or {})}.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            item = (round(float(value), 2), -report_id, name, title)
            heap = best[competency]
            if len(heap) < top:
                heapq.heappush(heap, item)
            else:
                heapq.heappushpop(heap, item)
    return [
        Ranked(competency, rank, name, title, score)
        for competency in sorted(best)
        for rank, (score, _id, name, title) in enumerate(
            sorted(best[competency], reverse=True), start=1
        )
    ]


def _named(session: Session, found: dict[str, list[tuple[float, int]]]) -> list[Ranked]:
    """The ranked (score, -report id) with the candidate's name and the opening's title."""
    ids = sorted({-item[1] for items in found.values() for item in items})
    names = {
        report_id: (name, title)
        for report_id, name, title in session.execute(
            select(InterviewReport.id, Candidate.name, Opening.title)
            .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
            .join(Candidate, Candidate.id == InterviewSession.candidate_id)
            .join(Opening, Opening.id == InterviewSession.opening_id)
            .where(InterviewReport.id.in_(ids))
        )
    }
    return [
        Ranked(competency, rank, *names[-report], score)
        for competency in sorted(found)
        for rank, (score, report) in enumerate(found[competency], start=1)
    ]


# --------------------------------------------------------------------------- interviewers


@dataclass(frozen=True)
class Load:
    interviewer: str
    scorecards: int
    live_rounds: int


def interviewer_load(session: Session, principal: Principal, filters: Filters) -> list[Load]:
    """Per interviewer: scorecards submitted (amendments not counted again) and live rounds
    sat in, in the period, on the openings in scope; busiest first."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    cards = session.execute(
        select(Scorecard.interviewer_id, func.count())
        .where(
            Scorecard.opening_id.in_(openings),
            Scorecard.supersedes_id.is_(None),
            *within(Scorecard.submitted_at, filters),
        )
        .group_by(Scorecard.interviewer_id)
    )
    rounds = session.execute(
        select(LiveParticipant.user_id, func.count(LiveRoom.id.distinct()))
        .join(LiveRoom, LiveRoom.id == LiveParticipant.room_id)
        .where(
            LiveRoom.opening_id.in_(openings),
            LiveParticipant.role == "interviewer",
            LiveParticipant.user_id.is_not(None),
            *within(LiveRoom.created_at, filters),
        )
        .group_by(LiveParticipant.user_id)
    )
    load: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for user_id, n in cards:
        load[user_id][0] += n
    for participant, n in rounds:
        if participant is not None:
            load[participant][1] += n
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(list(load)))).all())
    found = [Load(names.get(uid, str(uid)), c, r) for uid, (c, r) in load.items()]
    return sorted(found, key=lambda x: (-(x.scorecards + x.live_rounds), x.interviewer))


# --------------------------------------------------------------------------- deliveries


@dataclass(frozen=True)
class Deliveries:
    channel: str
    kind: str
    messages: int
    sent: int
    failed: int
    pending: int  # queued, sending or waiting for a retry

    @property
    def failure_rate(self) -> float | None:
        return rate(self.failed, self.sent + self.failed)


def delivery_failures(session: Session, principal: Principal, filters: Filters) -> list[Deliveries]:
    """Messages about the openings in scope, created in the period, per channel and kind:
    sent, failed for good and still pending; kinds with a failure first."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    rows = session.execute(
        select(OutboxMessage.channel, OutboxMessage.kind, OutboxMessage.status, func.count())
        .where(OutboxMessage.opening_id.in_(openings), *within(OutboxMessage.created_at, filters))
        .group_by(OutboxMessage.channel, OutboxMessage.kind, OutboxMessage.status)
    )
    found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for channel, kind, status, n in rows:
        c = found[(channel, kind)]
        c["messages"] += n
        c["sent" if status == "sent" else "failed" if status in FAILED else "other"] += n
        if status == "cancelled":
            c["other"] -= n
    out = [
        Deliveries(ch, kind, c["messages"], c["sent"], c["failed"], c["other"])
        for (ch, kind), c in found.items()
    ]
    return sorted(out, key=lambda d: (-d.failed, d.channel, d.kind))
