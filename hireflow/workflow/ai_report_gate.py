"""Whether an interviewer must rate a candidate before seeing the AI's report (SPEC F6).

With blind scorecards on (the default), a panel interviewer who has not submitted a scorecard
for an application sees neither colleagues' scorecards nor the AI's scores, so their first
rating is their own. The interviews domain shows the AI's report and asks this module through
discovery (it may not import workflow, which builds on it).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core.permissions import Principal
from hireflow.openings.models import OpeningMember
from hireflow.workflow.models import Scorecard
from hireflow.workflow.stages import blind_scorecards


def withheld(
    session: Session, principal: Principal, pairs: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (opening id, candidate id) pairs among ``pairs`` whose AI scores the caller may not
    see yet: three queries whatever the number of pairs."""
    wanted = set(pairs)
    if not wanted or not blind_scorecards(session, principal.tenant_id):
        return set()
    panels = set(
        session.scalars(
            select(OpeningMember.opening_id).where(
                OpeningMember.user_id == principal.user_id,
                OpeningMember.role == "interviewer",
                OpeningMember.opening_id.in_({opening for opening, _ in wanted}),
            )
        )
    )
    blind = {pair for pair in wanted if pair[0] in panels}
    if not blind:
        return set()
    rated = {
        (opening, candidate)
        for opening, candidate in session.execute(
            select(Application.opening_id, Application.candidate_id)
            .join(Scorecard, Scorecard.application_id == Application.id)
            .where(
                Scorecard.interviewer_id == principal.user_id,
                Scorecard.superseded_at.is_(None),
                Application.opening_id.in_(panels),
            )
        )
    }
    return blind - rated
