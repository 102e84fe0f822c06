"""What self-service does when other domains publish events: a scored development interview
completes its re-assessment (in the publisher's transaction)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireflow.core.events import Event
from hireflow.interviews.models import InterviewSession
from hireflow.selfservice.models import Reassessment


def _report_ready(session: Session, event: Event) -> None:
    interview_id = event.data.get("interview_id")
    if not isinstance(interview_id, int):
        return
    invitation_id = select(InterviewSession.invitation_id).where(
        InterviewSession.id == interview_id
    )
    session.execute(
        update(Reassessment)
        .where(
            Reassessment.tenant_id == event.tenant_id,
            Reassessment.invitation_id.in_(invitation_id.scalar_subquery()),
            Reassessment.status == "invited",
        )
        .values(status="completed")
        .execution_options(synchronize_session=False)
    )


HANDLERS = {"report.ready": _report_ready}
