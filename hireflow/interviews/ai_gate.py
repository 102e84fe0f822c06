"""Which AI reports the caller may not see yet, asked of the domains that decide it.

Blind scorecards live in the workflow domain, which builds on interviews; it answers through
its ``ai_report_gate`` module, found by discovery, so interviews never imports it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from hireflow.core.permissions import Principal
from hireflow.discovery import domain_modules


def withheld(
    session: Session, principal: Principal, pairs: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The (opening id, candidate id) pairs whose AI scores are withheld from the caller."""
    wanted = list(pairs)
    found: set[tuple[int, int]] = set()
    for gate in domain_modules("ai_report_gate"):
        found |= gate.withheld(session, principal, wanted)
    return found
