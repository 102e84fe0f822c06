"""Interviewer scorecards (SPEC F6) and their merge with the AI's scores.

A scorecard rates the competencies of the opening's model on the same five anchored levels the
AI interview uses, for one interview round, with notes and an overall recommendation. Once
submitted it never changes: an amendment is a new version with its reason, the old one stays
(``superseded_at``). While the company keeps scorecards blind (the default), a panel member who
has not submitted their own scorecard for an application sees neither colleagues' scorecards nor
the AI's scores, so nobody anchors on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require_visible
from hireflow.core.rows import shaped
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.live.models import LiveRoom
from hireflow.openings.competency import competency_model_of
from hireflow.openings.models import OpeningMember
from hireflow.org.models import User
from hireflow.records import service as records
from hireflow.scoring.models import CompetencyModel, Dimension, localised
from hireflow.workflow import ai_report_gate, schemas
from hireflow.workflow.models import RECOMMENDATIONS, Conclusion, Scorecard
from hireflow.workflow.stages import (
    Stage,
    by_key,
    freeze_opening_stages,
    interview_rounds,
    opening_stages,
)

LEVELS = (1, 2, 3, 4, 5)


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    message = N_(
        "You already submitted your scorecard for this round; submitted scorecards do not "
        "change. Amend it with a reason instead."
    )


class Superseded(Conflict):
    code = "superseded"
    message = N_("This scorecard was amended since; amend its newest version.")


def model_of(application: Application) -> CompetencyModel:
    """The competency model the AI interview of this opening scores with (its anchors)."""
    return competency_model_of(application.opening)


def _round(stages: list[Stage], key: str) -> Stage:
    stage = by_key(stages, key)
    if stage is None or stage.kind != "interview":
        raise ValidationFailed(
            N_("“%(round)s” is not an interview round of this opening."),
            params={"round": key},
            fields={"round": "unknown"},
        )
    return stage


def check_ratings(model: CompetencyModel, ratings: dict[str, int], language: str) -> None:
    """Every rated competency is in the model and rated on its levels 1-5; one at least."""
    known = {d.id: d for d in model.dimensions}
    for dimension_id, level in ratings.items():
        dimension = known.get(dimension_id)
        if dimension is None:
            raise ValidationFailed(
                N_("“%(id)s” is not a competency of this opening's model."),
                params={"id": dimension_id},
                fields={f"ratings.{dimension_id}": "unknown"},
            )
        if level not in LEVELS:
            raise ValidationFailed(
                N_("Rate “%(name)s” on a level from 1 to 5 (got %(level)s)."),
                params={"name": localised(dimension.name, language[:2]), "level": level},
                fields={f"ratings.{dimension_id}": "range"},
            )
    if not ratings:
        raise ValidationFailed(N_("Rate at least one competency."), fields={"ratings": "required"})


def _visible(
    session: Session, principal: Principal, application_id: int, capability: str
) -> Application:
    return require_visible(session, Application, application_id, principal, capability)


def submit(
    session: Session,
    principal: Principal,
    application_id: int,
    data: schemas.ScorecardIn,
    *,
    now: datetime | None = None,
) -> Scorecard:
    """The caller's scorecard for one round; a second one for the same round is refused."""
    now = now or utcnow()
    application = _visible(session, principal, application_id, "scorecards.submit")
    stage = _round(freeze_opening_stages(session, application.opening), data.round)
    check_ratings(model_of(application), data.ratings, principal.language)
    card = _card(principal, data, now, application, stage.key, version=1)
    refused = AlreadySubmitted(fields={"round": "submitted"})
    if _current(session, application.id, stage.key, principal.user_id) is not None:
        raise refused
    # A second submit racing this one is refused by the unique version when it is stored.
    return _store(
        session,
        principal,
        card,
        "scorecard.submitted",
        refused,
        then=lambda: _publish_if_complete(session, application, stage.key, principal.user_id),
    )


def _publish_if_complete(
    session: Session, application: Application, round_key: str, submitter_id: int
) -> None:
    """``scorecards.completed`` when this scorecard was the panel's last one for the round
    (once: a later scorecard from outside the panel finds the round already complete)."""
    panel = set(
        session.scalars(
            select(OpeningMember.user_id).where(
                OpeningMember.opening_id == application.opening_id,
                OpeningMember.role == "interviewer",
            )
        )
    )
    cards = list(
        session.scalars(
            select(Scorecard).where(
                Scorecard.application_id == application.id,
                Scorecard.round_key == round_key,
                Scorecard.superseded_at.is_(None),
            )
        )
    )
    submitted = {card.interviewer_id for card in cards}
    if not panel or not panel <= submitted or panel <= submitted - {submitter_id}:
        return
    events.publish(
        session,
        "scorecards.completed",
        application.tenant_id,
        f"application:{application.id}",
        {
            "application_id": application.id,
            "opening_id": application.opening_id,
            "round": round_key,
            "scorecards": len(cards),
            "recommendations": dict(Counter(card.recommendation for card in cards)),
            "levels": mean_levels(cards),
        },
    )


def mean_levels(cards: list[Scorecard]) -> dict[str, float]:
    """Competency -> the mean level the scorecards gave it (rated ones only)."""
    levels: dict[str, list[int]] = {}
    for card in cards:
        for competency, level in (card.ratings or {}).items():
            if isinstance(level, int) and not isinstance(level, bool):
                levels.setdefault(str(competency), []).append(level)
    return {key: round(fmean(found), 2) for key, found in levels.items()}


def amend(
    session: Session,
    principal: Principal,
    scorecard_id: int,
    data: schemas.AmendIn,
    *,
    now: datetime | None = None,
) -> Scorecard:
    """A new version of the caller's own scorecard, with the reason; the old one stays."""
    now = now or utcnow()
    old = require_visible(session, Scorecard, scorecard_id, principal, "scorecards.submit")
    if old.interviewer_id != principal.user_id:
        raise NotFound()  # another interviewer's scorecard: not theirs to see or change
    if old.superseded_at is not None:
        raise Superseded(fields={"scorecard_id": "superseded"})
    if data.round != old.round_key:
        raise ValidationFailed(
            N_("An amendment stays in the round of the scorecard it amends."),
            fields={"round": "changed"},
        )
    application = session.get(Application, old.application_id)
    assert application is not None  # the foreign key cascades
    check_ratings(model_of(application), data.ratings, principal.language)
    old.superseded_at = now
    card = _card(
        principal,
        data,
        now,
        application,
        old.round_key,
        version=old.version + 1,
        amend_reason=data.reason.strip(),
        supersedes_id=old.id,
    )
    refused = Superseded(fields={"scorecard_id": "superseded"})
    return _store(session, principal, card, "scorecard.amended", refused)


def _card(
    principal: Principal,
    data: schemas.ScorecardIn,
    now: datetime,
    application: Application,
    round_key: str,
    **version: Any,
) -> Scorecard:
    """The caller's ratings of ``application`` in one round as a new scorecard row;
    ``version`` is its number (and, for an amendment, what it amends and why)."""
    return Scorecard(
        tenant_id=application.tenant_id,
        application_id=application.id,
        opening_id=application.opening_id,
        round_key=round_key,
        interviewer_id=principal.user_id,
        ratings=dict(data.ratings),
        recommendation=data.recommendation,
        notes=data.notes.strip() or None,
        submitted_at=now,
        **version,
    )


def _store(
    session: Session,
    principal: Principal,
    card: Scorecard,
    action: str,
    refused: AppError,
    then: Callable[[], None] | None = None,
) -> Scorecard:
    """Insert ``card``, audited, and run ``then`` in the same transaction; ``refused`` when a
    concurrent write took its version."""
    try:
        with session.begin_nested():
            session.add(card)
            session.flush()
    except IntegrityError:
        raise refused from None
    _audit(session, principal, action, card)
    _publish_submitted(session, card)
    if then is not None:
        then()
    session.commit()
    return card


def _publish_submitted(session: Session, card: Scorecard) -> None:
    """``scorecard.submitted`` for every version (an amendment names the one it supersedes):
    the person's record keeps each one, with the amendment's reason."""
    events.publish(
        session,
        "scorecard.submitted",
        card.tenant_id,
        f"application:{card.application_id}",
        {
            "scorecard_id": card.id,
            "application_id": card.application_id,
            "opening_id": card.opening_id,
            "round": card.round_key,
            "interviewer": card.interviewer_id,
            "version": card.version,
            "supersedes": card.supersedes_id,
            "recommendation": card.recommendation,
            "ratings": {str(k): int(v) for k, v in (card.ratings or {}).items()},
        },
    )


# Ratings and the recommendation are the facts; notes and reasons are opinions about a person
# and stay in their encrypted columns.
_AUDITED = {
    "application": "application_id",
    "round": "round_key",
    "version": "version",
    "ratings": "ratings",
    "recommendation": "recommendation",
}


def _audit(session: Session, principal: Principal, action: str, card: Scorecard) -> None:
    audit.record_row(session, action, principal, "scorecard", card, _AUDITED)


def _current(
    session: Session, application_id: int, round_key: str, interviewer_id: int
) -> Scorecard | None:
    return session.scalars(
        select(Scorecard).where(
            Scorecard.application_id == application_id,
            Scorecard.round_key == round_key,
            Scorecard.interviewer_id == interviewer_id,
            Scorecard.superseded_at.is_(None),
        )
    ).first()


def own_scorecards(session: Session, principal: Principal, application_id: int) -> list[Scorecard]:
    """The caller's current scorecards for the application (one per round at most)."""
    return list(
        session.scalars(
            select(Scorecard)
            .where(
                Scorecard.application_id == application_id,
                Scorecard.interviewer_id == principal.user_id,
                Scorecard.superseded_at.is_(None),
            )
            .order_by(Scorecard.id)
        )
    )


def is_blind(session: Session, principal: Principal, application: Application) -> bool:
    """Whether the caller must submit before seeing colleagues' scorecards and the AI."""
    pair = (application.opening_id, application.candidate_id)
    return pair in ai_report_gate.withheld(session, principal, [pair])


def newest_report(session: Session, application: Application) -> InterviewReport | None:
    """The newest AI interview report of this application (its candidate in its opening)."""
    return session.scalars(
        select(InterviewReport)
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .where(
            InterviewSession.opening_id == application.opening_id,
            InterviewSession.candidate_id == application.candidate_id,
        )
        .order_by(InterviewReport.id.desc())
        .limit(1)
    ).first()


def newest_live_result(session: Session, application: Application) -> LiveRoom | None:
    """The newest ended live room of this application that the engine scored."""
    return session.scalars(
        select(LiveRoom)
        .where(
            LiveRoom.application_id == application.id,
            LiveRoom.status == "ended",
            LiveRoom.scores.is_not(None),
        )
        .order_by(LiveRoom.id.desc())
        .limit(1)
    ).first()


def ai_scores(session: Session, application: Application) -> tuple[dict[str, float], float | None]:
    """(competency -> 0-10 score, job match) of the newest AI report for this application,
    HR's overrides included; empty when there is none yet."""
    report = newest_report(session, application)
    live = newest_live_result(session, application)
    ended = live.ended_at if live is not None else None
    if live is not None and (report is None or (ended is not None and ended >= report.created_at)):
        # The live round's answers scored by the same engine (hireflow.live): the newest AI
        # assessment of this application is the one the interviewers' ratings meet.
        scores = {str(k): float(v) for k, v in (live.scores or {}).items()}
        return scores, live.job_match
    if report is None:
        return {}, None
    adjusted = report.adjusted_at is not None and report.final_scores
    chosen = report.final_scores if adjusted else report.scores
    numbers = {
        str(k): float(v)
        for k, v in (chosen or {}).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    return numbers, report.effective_job_match


@dataclass(frozen=True)
class Merged:
    application: Application
    model: CompetencyModel
    rounds: list[Stage]
    blind: bool
    ai_available: bool
    job_match: float | None
    competencies: list[schemas.MergedCompetency]
    scorecards: list[Scorecard]
    names: dict[int, str]
    recommendations: dict[str, int]
    conclusion: Conclusion | None


def _competency(
    dimension: Dimension,
    language: str,
    ai: dict[str, float],
    cards: list[Scorecard],
    names: dict[int, str],
) -> schemas.MergedCompetency:
    score = ai.get(dimension.id)
    ai_level = round(score / 2, 1) if score is not None else None
    ratings = []
    for card in cards:
        level = card.ratings.get(dimension.id)
        if not isinstance(level, int):
            continue
        disagrees = ai_level is not None and abs(level - ai_level) > 1
        ratings.append(
            schemas.MergedRating(
                scorecard_id=card.id,
                interviewer_name=names.get(card.interviewer_id, ""),
                level=level,
                disagrees=disagrees,
            )
        )
    return schemas.MergedCompetency(
        id=dimension.id,
        name=localised(dimension.name, language[:2]),
        ai_score=score,
        ai_level=ai_level,
        human_mean=round(fmean(r.level for r in ratings), 2) if ratings else None,
        ratings=ratings,
        disagrees=any(r.disagrees for r in ratings),
    )


def merged(session: Session, principal: Principal, application_id: int) -> Merged:
    """AI and human ratings per competency; a rating more than one level from the AI's is a
    disagreement. A blind caller gets only the form's material (model and rounds)."""
    application = _visible(session, principal, application_id, "scorecards.read")
    model = model_of(application)
    rounds = interview_rounds(opening_stages(session, application.opening))
    blind = is_blind(session, principal, application)
    cards: list[Scorecard] = []
    ai: dict[str, float] = {}
    match = None
    if not blind:
        cards = list(
            session.scalars(
                select(Scorecard)
                .where(
                    Scorecard.application_id == application.id,
                    Scorecard.superseded_at.is_(None),
                )
                .order_by(Scorecard.round_key, Scorecard.id)
            )
        )
        ai, match = ai_scores(session, application)
    ids = {c.interviewer_id for c in cards}
    names = user_names(session, ids)
    counts: dict[str, int] = dict.fromkeys(RECOMMENDATIONS, 0)
    for card in cards:
        counts[card.recommendation] = counts.get(card.recommendation, 0) + 1
    competencies = [_competency(d, principal.language, ai, cards, names) for d in model.dimensions]
    conclusion = None if blind else latest_conclusion(session, application.id)
    return Merged(
        application,
        model,
        rounds,
        blind,
        bool(ai),
        match,
        competencies,
        cards,
        names,
        counts,
        conclusion,
    )


def versions(session: Session, principal: Principal, scorecard_id: int) -> list[Scorecard]:
    """Every version of a scorecard (oldest first), for whoever may see the current one."""
    card = require_visible(session, Scorecard, scorecard_id, principal, "scorecards.read")
    application = session.get(Application, card.application_id)
    assert application is not None
    if card.interviewer_id != principal.user_id and is_blind(session, principal, application):
        raise NotFound()
    return list(
        session.scalars(
            select(Scorecard)
            .where(
                Scorecard.application_id == card.application_id,
                Scorecard.round_key == card.round_key,
                Scorecard.interviewer_id == card.interviewer_id,
            )
            .order_by(Scorecard.version)
        )
    )


def scorecard_out(card: Scorecard, names: dict[int, str]) -> schemas.ScorecardOut:
    return shaped(
        schemas.ScorecardOut,
        card,
        round=card.round_key,
        interviewer_name=names.get(card.interviewer_id, ""),
        ratings={str(k): int(v) for k, v in card.ratings.items()},
        notes=card.notes or "",
    )


def merged_out(found: Merged) -> schemas.MergedOut:
    return schemas.MergedOut(
        application_id=found.application.id,
        blind=found.blind,
        ai_available=found.ai_available,
        job_match=found.job_match,
        competencies=found.competencies,
        scorecards=[scorecard_out(c, found.names) for c in found.scorecards],
        recommendations=found.recommendations,
        conclusion=conclusion_out(found.conclusion) if found.conclusion else None,
    )


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        int(i): str(n)
        for i, n in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    }


# --------------------------------------------------------------------------- HR's conclusion


def latest_conclusion(session: Session, application_id: int) -> Conclusion | None:
    return session.scalars(
        select(Conclusion)
        .where(Conclusion.application_id == application_id)
        .order_by(Conclusion.id.desc())
        .limit(1)
    ).first()


def conclude(
    session: Session,
    principal: Principal,
    application_id: int,
    data: schemas.ConclusionIn,
    *,
    now: datetime | None = None,
) -> Conclusion:
    """HR's final conclusion after the scorecards, with the reason; noted on the person's
    record with the merged figures it was drawn from (a later conclusion replaces it)."""
    now = now or utcnow()
    application = _visible(session, principal, application_id, "pipeline.move")
    found = merged(session, principal, application.id)
    disagreements = [c.id for c in found.competencies if c.disagrees]
    reason = data.reason.strip()
    entry = records.append_entry(
        session,
        principal,
        application.candidate_id,
        "review",
        data={"text": reason},
        source="scorecards",
        facts={
            "final_conclusion": data.decision,
            "scorecards": len(found.scorecards),
            "recommendations": {k: v for k, v in found.recommendations.items() if v},
            "disagreements": disagreements,
            "job_match": found.job_match,
        },
        occurred_at=now,
        opening_id=application.opening_id,
        commit=False,
    )
    row = Conclusion(
        tenant_id=application.tenant_id,
        application_id=application.id,
        opening_id=application.opening_id,
        decision=data.decision,
        reason=reason,
        actor_id=principal.user_id,
        record_entry_id=entry.id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    new = {"decision": data.decision, "conclusion": row.id, "entry": entry.id}
    audit.commit_created(
        session,
        row,
        "scorecards.concluded",
        actor=principal,
        target_type="application",
        new=new,
        target_id=application.id,
    )
    return row


def conclusion_out(row: Conclusion) -> schemas.ConclusionOut:
    return shaped(schemas.ConclusionOut, row)
