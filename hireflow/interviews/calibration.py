"""The company's score calibration (SPEC F4): fitted from HR's adjustments, switched on by HR."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.interviews.errors import CalibrationEmpty
from hireflow.interviews.models import CompanyCalibration, ScoreAdjustment
from hireflow.scoring.calibration import DEFAULT_MIN_CORRECTIONS, Correction, fit_calibration


def fit_company_calibration(
    session: Session, principal: Principal, method: str = "isotonic"
) -> CompanyCalibration:
    """Fit a calibration from the company's adjustments (inactive until switched on)."""
    require(principal, "interviews.calibrate")
    latest: dict[tuple[int, str], ScoreAdjustment] = {}
    rows = session.scalars(
        select(ScoreAdjustment)
        .where(ScoreAdjustment.tenant_id == principal.tenant_id)
        .order_by(ScoreAdjustment.id)
    )
    for adjustment in rows:
        latest[(adjustment.interview_id, adjustment.dimension_id)] = adjustment
    corrections = [
        Correction(
            company_id=str(principal.tenant_id),
            dimension_id=adjustment.dimension_id,
            ai_score=adjustment.ai_score,
            hr_score=adjustment.hr_score,
            reason=adjustment.reason or "-",
            features=dict(adjustment.features or {}),
            interview_ref=f"interview-{adjustment.interview_id}",
        )
        for adjustment in latest.values()
    ]
    version = int(
        session.scalar(
            select(func.max(CompanyCalibration.version)).where(
                CompanyCalibration.tenant_id == principal.tenant_id
            )
        )
        or 0
    )
    fitted = fit_calibration(
        corrections, str(principal.tenant_id), method=method, version=str(version + 1)
    )
    row = CompanyCalibration(
        tenant_id=principal.tenant_id,
        version=version + 1,
        data=fitted.to_dict(),
        active=False,
        created_by_id=principal.user_id,
        created_at=utcnow(),
    )
    audit.commit_created(
        session,
        row,
        "interview_calibration.fitted",
        actor=principal,
        target_type="interview_calibration",
        new={
            "version": row.version,
            "corrections": len(corrections),
            "dimensions": len(fitted.dimensions),
        },
    )
    return row


def activate_calibration(
    session: Session, principal: Principal, calibration_id: int, active: bool = True
) -> CompanyCalibration:
    """Switch a version on (the company's other versions go off) or off.

    A version without a fitted competency is refused: switching it on would silently switch
    off the calibration in use and change no score."""
    row = require_visible(
        session, CompanyCalibration, calibration_id, principal, "interviews.calibrate"
    )
    if active and not (row.data or {}).get("dimensions"):
        needed = (row.data or {}).get("min_corrections", DEFAULT_MIN_CORRECTIONS)
        raise CalibrationEmpty(params={"needed": needed})
    if active:
        session.execute(
            update(CompanyCalibration)
            .where(CompanyCalibration.tenant_id == principal.tenant_id)
            .values(active=False)
        )
    row.active = active
    audit.commit_recorded(
        session,
        "interview_calibration.activated" if active else "interview_calibration.deactivated",
        actor=principal,
        target_type="interview_calibration",
        target_id=row.id,
        new={"version": row.version},
    )
    return row
