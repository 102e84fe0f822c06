"""Words to show beside rows that hold only ids: the candidate's name, the opening's title."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.rows import value_map
from hireflow.openings.models import Opening


class OfCandidateAndOpening(Protocol):
    @property
    def candidate_id(self) -> int: ...

    @property
    def opening_id(self) -> int: ...


def names_and_titles(
    session: Session, rows: Collection[OfCandidateAndOpening]
) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the rows' candidates and the titles of their openings, by id."""
    names = value_map(session, Candidate.id, Candidate.name, {r.candidate_id for r in rows})
    titles = value_map(session, Opening.id, Opening.title, {r.opening_id for r in rows})
    return names, titles
