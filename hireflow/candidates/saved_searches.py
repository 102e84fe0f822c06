"""A recruiter's saved talent-pool searches (SPEC C5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import (
    SavedSearch,
)
from hireflow.core import audit
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require, restrict


def save_search(
    session: Session, principal: Principal, name: str, params: dict[str, Any]
) -> SavedSearch:
    require(principal, "candidates.search")
    name = name.strip()[:120]
    if not name:
        raise ValidationFailed(N_("Give the search a name."), fields={"name": "required"})
    count = session.scalar(
        select(func.count())
        .select_from(SavedSearch)
        .where(SavedSearch.user_id == principal.user_id)
    )
    if (count or 0) >= 100:
        raise Conflict(
            N_("You have 100 saved searches; delete some first."), fields={"name": "limit"}
        )
    row = SavedSearch(
        tenant_id=principal.tenant_id, user_id=principal.user_id, name=name, params=params
    )
    audit.commit_created(
        session,
        row,
        "saved_search.created",
        actor=principal,
        target_type="saved_search",
        new={"name": name},
    )
    return row


def own_saved_search(session: Session, principal: Principal, search_id: int) -> SavedSearch:
    require(principal, "candidates.search")
    row = session.scalars(
        restrict(
            select(SavedSearch).where(
                SavedSearch.id == search_id, SavedSearch.user_id == principal.user_id
            ),
            principal,
            "candidates.search",
            SavedSearch,
        )
    ).first()
    if row is None:
        raise NotFound()
    return row


def delete_search(session: Session, principal: Principal, search_id: int) -> None:
    row = own_saved_search(session, principal, search_id)
    audit.commit_deleted(
        session, row, "saved_search.deleted", actor=principal, target_type="saved_search"
    )
