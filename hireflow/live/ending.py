"""Ending a live room: the live answers scored with the interview engine, and the result,
the transcript (speaker turns with times), the hints shown and HR's notes in the person's
record, in one transaction. Signalling messages are deleted."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.vectors import platform_embedder
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal
from hireflow.core.settings import Settings
from hireflow.interviews.overrides import record_report, report_scores
from hireflow.live import assistant, notices
from hireflow.live.audio import spoken_of
from hireflow.live.errors import RoomEnded
from hireflow.live.models import LiveHint, LiveRoom
from hireflow.live.service import audit_room, forget_signals, visible_room
from hireflow.records import service as records
from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.judge import judge_from_env
from hireflow.scoring.report import Report

SOURCE = "live_interview"


def score_room(settings: Settings, room: LiveRoom, spoken: list[assistant.Spoken]) -> Report:
    """The engine's report on the candidate's answers, question by question, as it scores an
    AI interview (unanswered questions count as unanswered)."""
    plan = assistant.Plan.from_room(room.plan, room.language)
    texts = assistant.answer_texts(spoken)
    interview = InterviewInput(
        language=plan.language,
        model=plan.model,
        questions=plan.questions,
        answers=tuple(Answer(q.id, texts[q.id]) for q in plan.questions if q.id in texts),
        candidate_ref=f"live-{room.id}",
    )
    return score_interview(
        interview,
        judge=judge_from_env(settings),
        embedder=platform_embedder(settings),
        engine="1.1" if settings.scoring_learned else "1.0",
    )


def _transcript_data(
    room: LiveRoom, spoken: list[assistant.Spoken], hints: list[LiveHint]
) -> dict[str, Any]:
    return {
        "kind": "live_transcript",
        "turns": [
            {
                "speaker": s.speaker,
                "start_s": s.start_s,
                "end_s": s.end_s,
                "text": s.text,
                "question_id": s.question_id or "",
            }
            for s in spoken
        ],
        "hints": [
            {
                "kind": h.kind,
                "question_id": h.question_id or "",
                "text": json.loads(h.text or "{}"),
                "at": h.created_at.isoformat(),
            }
            for h in hints
        ],
        "notes": room.notes or "",
    }


def end_room(session: Session, settings: Settings, principal: Principal, room_id: int) -> LiveRoom:
    room = visible_room(session, principal, room_id, "live.manage")
    if room.status == "ended":
        raise RoomEnded()
    room.ended_at = utcnow()
    room.status = "ended"
    spoken = spoken_of(session, room)
    hints = list(
        session.scalars(select(LiveHint).where(LiveHint.room_id == room.id).order_by(LiveHint.id))
    )
    candidate_turns = [s for s in spoken if s.speaker == "candidate"]
    if candidate_turns:
        report = score_room(settings, room, spoken)
        room.scores = report_scores(report)
        room.job_match = report.job_match
        result = record_report(
            session,
            principal,
            room.candidate_id,
            report,
            opening_id=room.opening_id,
            interview_id=None,
            status="interviewing",
            source=SOURCE,
            commit=False,
        )
        room.result_entry_id = result.id
    entry = records.append_entry(
        session,
        principal,
        room.candidate_id,
        "interview_result",
        _transcript_data(room, spoken, hints),
        source=SOURCE,
        facts={
            "live_room": room.id,
            "turns": len(spoken),
            "hints": len(hints),
            "minutes": round((room.ended_at - (room.started_at or room.ended_at)).seconds / 60),
        },
        opening_id=room.opening_id,
        commit=False,
    )
    room.transcript_entry_id = entry.id
    forget_signals(session, room)
    audit_room(session, principal, "live.room_ended", room, turns=len(spoken), hints=len(hints))
    notices.changed_on_commit(session, room.id)
    session.commit()
    return room
