"""Where an offer meets the hiring pipeline: moves through the workflow domain's own move."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core.permissions import Principal
from hireflow.workflow.service import MoveRequest, apply_move, current_position
from hireflow.workflow.stages import freeze_opening_stages


def move_to_kind(
    session: Session,
    principal: Principal,
    application: Application,
    kind: str,
    now: datetime,
    note: str = "",
) -> bool:
    """Move the application to its opening's first stage of ``kind`` (audited, on the record,
    in the caller's transaction); False when the pipeline has no such stage or it is there."""
    stages = freeze_opening_stages(session, application.opening)
    target = next((s for s in stages if s.kind == kind), None)
    if target is None:
        return False
    position = current_position(session, application, stages)
    if position.stage.key == target.key:
        return False
    request = MoveRequest(target.key, position.version, None, note)
    apply_move(session, principal, application, stages, request, now)
    return True
