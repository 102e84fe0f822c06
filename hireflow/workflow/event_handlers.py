"""What the pipeline does when other domains publish events: note which of the opening's
rules must look at it (pending rule-log rows, in the publisher's transaction) and queue their
evaluation for after the commit (:mod:`hireflow.workflow.automation`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core.events import Event
from hireflow.workflow.automation import record_event


def _rules_listen(session: Session, event: Event) -> None:
    record_event(session, event)


HANDLERS = {
    "stage.changed": _rules_listen,
    "report.ready": _rules_listen,
    "scorecards.completed": _rules_listen,
    "offer.answered": _rules_listen,
}
