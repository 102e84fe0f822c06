"""What the pipeline does when other domains publish events: note which of the opening's
rules must look at it (pending rule-log rows, in the publisher's transaction) and queue their
evaluation for after the commit (:mod:`hireflow.workflow.automation`); announce the stages the
company picked in its hiring-group chats (:mod:`hireflow.workflow.stage_notices`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core.events import Event
from hireflow.workflow.automation import record_event
from hireflow.workflow.stage_notices import announce


def _rules_listen(session: Session, event: Event) -> None:
    record_event(session, event)


def _stage_changed(session: Session, event: Event) -> None:
    announce(session, event)
    record_event(session, event)


HANDLERS = {
    "stage.changed": _stage_changed,
    "report.ready": _rules_listen,
    "scorecards.completed": _rules_listen,
    "offer.answered": _rules_listen,
}
