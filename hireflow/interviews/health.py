"""The AI interview's share of the task-worker health check (``hireflow.core.worker.health``,
the IT system page, ``/metrics``): recorded answers waiting for speech recognition and how
long the oldest has waited (the speech queue's lag, whatever the broker)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core.rows import count_and_oldest
from hireflow.interviews.models import InterviewAnswer

#: Stored recordings not transcribed yet (``speech_pending``: recognition is not installed,
#: the IT page says so separately; it is not a lag).
WAITING = "stored"


def waiting_transcriptions(session: Session) -> tuple[int, datetime | None]:
    return count_and_oldest(
        session, InterviewAnswer.answered_at, InterviewAnswer.media_status == WAITING
    )


def untranscribed(session: Session, interview_id: int) -> int:
    """The interview's recorded answers still waiting for speech recognition."""
    return int(
        session.scalar(
            select(func.count()).where(
                InterviewAnswer.interview_id == interview_id,
                InterviewAnswer.media_status == WAITING,
            )
        )
        or 0
    )


BACKLOGS = {"transcriptions": waiting_transcriptions}
