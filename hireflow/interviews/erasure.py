"""The interview domain's part of an erasure request (SPEC G7; called by the record).

The record erases its entries and files (the landed recordings and reports among them); this
removes the copies the interview domain keeps: answer texts and transcripts, recordings not
yet landed, the stored report, the candidate's questions and HR's adjustment reasons. The
rows stay (with their numbers) so statistics and the audit trail keep their shape.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.db import on_commit
from hireflow.interviews.models import (
    CandidateQuestion,
    InterviewAnswer,
    InterviewReport,
    InterviewSession,
    InterviewUpload,
    ScoreAdjustment,
)
from hireflow.records.storage import regional_storage

ERASED = "[erased]"


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Anonymise this candidate's interview data (same transaction, no commit)."""
    ids = list(
        session.scalars(
            select(InterviewSession.id).where(InterviewSession.candidate_id == candidate.id)
        )
    )
    if not ids:
        return ""
    objects: list[tuple[str, str]] = []
    answers = session.scalars(select(InterviewAnswer).where(InterviewAnswer.interview_id.in_(ids)))
    for answer in answers:
        if answer.media_key:
            objects.append((answer.media_region, answer.media_key))
        answer.text = ERASED if answer.text else ""
        answer.transcript = None
        answer.segments = None
        answer.media_key = ""
        answer.media_wrapped_key = None
        answer.speech = None
        answer.vision = None
    for upload in session.scalars(
        select(InterviewUpload).where(InterviewUpload.interview_id.in_(ids))
    ):
        objects.extend((upload.region, c[0]) for c in upload.chunks or [])
        upload.chunks = []
        upload.status = "failed"
        upload.error = "erased"
    reports = list(
        session.scalars(select(InterviewReport).where(InterviewReport.interview_id.in_(ids)))
    )
    for report in reports:
        report.body = "{}"
        report.final_body = "{}" if report.final_body is not None else None
    for question in session.scalars(
        select(CandidateQuestion).where(CandidateQuestion.interview_id.in_(ids))
    ):
        question.question = ERASED
        question.hr_answer = ERASED if question.hr_answer else None
    for adjustment in session.scalars(
        select(ScoreAdjustment).where(ScoreAdjustment.interview_id.in_(ids))
    ):
        adjustment.reason = ERASED
    for interview in session.scalars(select(InterviewSession).where(InterviewSession.id.in_(ids))):
        interview.conclusion = ERASED if interview.conclusion else None

    def shred() -> None:
        storage = regional_storage()
        for region, key in objects:
            try:
                storage.delete(region, key)
            except Exception:  # noqa: S112 - an object already gone is what we wanted
                continue

    on_commit(session, shred)
    return f"{len(ids)} interviews"
