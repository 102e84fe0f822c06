"""Numbered versions of an opening's competency model (SPEC I2: adopting proposed weights).

A version is added, never changed; it is not in use until HR activates it, and activating an
older one goes back to it. The opening's ``competency_model`` is a copy of the active version's
model, so everything that reads the model (plans, scoring, reports) needs no change. The first
time an opening gets a version, the model it had until then is kept as version 1 (active), so
there is always a version to go back to. Each step is audited.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import NotFound
from hireflow.core.permissions import Principal, require_visible
from hireflow.openings import competency
from hireflow.openings.models import CompetencyModelVersion, Opening
from hireflow.scoring.models import model_from_dict, model_to_dict

ADOPT = "validity.adopt"
WEIGHT_DIGITS = 1  # weights are stored as percentages with one decimal


def versions(
    session: Session, principal: Principal, opening_id: int, capability: str = "openings.read"
) -> list[CompetencyModelVersion]:
    """The opening's versions, newest first (404 when the opening is out of scope)."""
    require_visible(session, Opening, opening_id, principal, capability)
    return list(
        session.scalars(
            select(CompetencyModelVersion)
            .where(CompetencyModelVersion.opening_id == opening_id)
            .order_by(CompetencyModelVersion.number.desc())
        )
    )


def _add(
    session: Session,
    principal: Principal,
    opening: Opening,
    model: dict[str, Any],
    source: str,
    note: str = "",
) -> CompetencyModelVersion:
    number = session.scalar(
        select(func.coalesce(func.max(CompetencyModelVersion.number), 0)).where(
            CompetencyModelVersion.opening_id == opening.id
        )
    )
    version = CompetencyModelVersion(
        tenant_id=opening.tenant_id,
        opening_id=opening.id,
        number=int(number or 0) + 1,
        model=model,
        source=source,
        note=note[:2000],
        created_by_id=principal.user_id,
    )
    session.add(version)
    session.flush()
    return version


def _has_versions(session: Session, opening_id: int) -> bool:
    return (
        session.scalar(
            select(CompetencyModelVersion.id).where(CompetencyModelVersion.opening_id == opening_id)
        )
        is not None
    )


def _deactivate_all(session: Session, opening: Opening) -> None:
    session.execute(
        update(CompetencyModelVersion)
        .where(CompetencyModelVersion.opening_id == opening.id)
        .values(active=False)
        # the company's validity data version moves (core.versions), not every company's
        .execution_options(versions_tenant=opening.tenant_id)
    )


def _first_version(session: Session, principal: Principal, opening: Opening) -> None:
    """Keep the model in use as version 1 (active) before the opening's first new version."""
    if not _has_versions(session, opening.id):
        first = _add(
            session,
            principal,
            opening,
            model_to_dict(competency.competency_model_of(opening)),
            "initial",
        )
        first.active, first.activated_at = True, utcnow()


def weighted_model(opening: Opening, weights: Mapping[str, float]) -> dict[str, Any]:
    """The opening's model with new relative weights (shares summing to 1 → percentages);
    dimensions absent from ``weights`` keep their weight. Validated by ``hireflow.scoring``."""
    data = copy.deepcopy(model_to_dict(competency.competency_model_of(opening)))
    for dimension in data.get("dimensions", []):
        share = weights.get(dimension.get("id"))
        if share is not None:
            dimension["weight"] = max(10**-WEIGHT_DIGITS, round(100 * share, WEIGHT_DIGITS))
    return model_to_dict(model_from_dict(data))


def add_version(
    session: Session,
    principal: Principal,
    opening_id: int,
    model: dict[str, Any],
    source: str,
    note: str = "",
) -> CompetencyModelVersion:
    """A new version, NOT active: the opening keeps its model until HR activates it."""
    opening = require_visible(session, Opening, opening_id, principal, ADOPT)
    _first_version(session, principal, opening)
    version = _add(session, principal, opening, model, source, note)
    audit.commit_recorded(
        session,
        "opening.competency_version_added",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={"version": version.number, "source": source, "weights": _weights(model)},
    )
    return version


def activate(
    session: Session, principal: Principal, opening_id: int, number: int
) -> CompetencyModelVersion:
    """Put a version in use (a new one, or an older one to go back to)."""
    opening = require_visible(session, Opening, opening_id, principal, ADOPT)
    version = session.scalars(
        select(CompetencyModelVersion).where(
            CompetencyModelVersion.opening_id == opening.id,
            CompetencyModelVersion.number == number,
        )
    ).first()
    if version is None:
        raise NotFound()
    before = session.scalar(
        select(CompetencyModelVersion.number).where(
            CompetencyModelVersion.opening_id == opening.id, CompetencyModelVersion.active
        )
    )
    _deactivate_all(session, opening)
    version.active, version.activated_at = True, utcnow()
    opening.competency_model = copy.deepcopy(version.model)
    audit.commit_recorded(
        session,
        "opening.competency_version_activated",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"version": before},
        new={"version": version.number, "weights": _weights(version.model)},
    )
    return version


def record_edit(
    session: Session, principal: Principal, opening: Opening, model: dict[str, Any], source: str
) -> None:
    """When an opening that has versions gets a model by the ordinary editor, that model
    becomes a new active version (so the active version is always the model in use)."""
    if not _has_versions(session, opening.id):
        return
    _deactivate_all(session, opening)
    version = _add(session, principal, opening, copy.deepcopy(model), source)
    version.active, version.activated_at = True, utcnow()


def _weights(model: Mapping[str, Any]) -> dict[str, float]:
    return {str(d.get("id")): d.get("weight") for d in model.get("dimensions", [])}
