"""The pipeline's part of an erasure request (SPEC G7; called by the record).

Stage moves, scorecards and conclusions keep their facts (stages, dates, levels, the
recommendation) so the pipeline's statistics keep their shape; the free texts written about
the person (move notes, scorecard notes, amendment reasons, HR's conclusion) are erased.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.workflow.models import Conclusion, Scorecard, StageMove

ERASED = "[erased]"


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Erase the texts about ``candidate`` (same transaction, no commit)."""
    applications = select(Application.id).where(Application.candidate_id == candidate.id)
    moves = cards = conclusions = 0
    for move in session.scalars(
        select(StageMove).where(StageMove.application_id.in_(applications))
    ):
        if move.note:
            move.note = ERASED
            moves += 1
    for card in session.scalars(
        select(Scorecard).where(Scorecard.application_id.in_(applications))
    ):
        card.notes = ERASED if card.notes else None
        card.amend_reason = ERASED if card.amend_reason else None
        cards += 1
    for row in session.scalars(
        select(Conclusion).where(Conclusion.application_id.in_(applications))
    ):
        row.reason = ERASED
        conclusions += 1
    if not (moves or cards or conclusions):
        return ""
    return f"{moves} move notes, {cards} scorecards, {conclusions} conclusions"
