"""The record's refusals: residency and storage regions, erased records, legal holds."""

from __future__ import annotations

from hireflow.core.errors import N_, AppError
from hireflow.core.storage import ResidencyError
from hireflow.records.storage import regional_storage


class RegionUnavailable(AppError):
    """The person's data belongs in a region this installation does not store data in.

    Nothing is written anywhere else (residency), and the caller is told what to change."""

    status = 409
    code = "region_not_configured"
    message = N_(
        "This person's data must stay in region %(region)s, but this installation does not "
        "store data in that region (configured: %(configured)s). Nothing was stored; ask IT "
        "to add the region to HIREFLOW_STORAGE_REGIONS."
    )


class RegionUnreachable(AppError):
    """A stored file lives in a region this installation no longer reaches."""

    status = 409
    code = "region_not_configured"
    message = N_(
        "This file is stored in region %(region)s, which this installation is not configured "
        "to reach (configured: %(configured)s). Ask IT to add the region to "
        "HIREFLOW_STORAGE_REGIONS; the file itself is unchanged."
    )


def region_unavailable(region: str) -> RegionUnavailable:
    """The clear 409 for data whose region this installation does not store data in."""
    return RegionUnavailable(params={"region": region, "configured": _configured_regions()})


def region_unreachable(region: str) -> RegionUnreachable:
    """The clear 409 for a stored file whose region this installation does not reach."""
    return RegionUnreachable(params={"region": region, "configured": _configured_regions()})


def _configured_regions() -> str:
    try:
        return ", ".join(sorted(regional_storage().regions)) or "-"
    except ResidencyError:
        return "-"


class ResidencyRefused(AppError):
    """A file would leave the region the person's data must stay in."""

    status = 409
    code = "residency"
    message = N_(
        "This person's data must stay in region %(region)s; storing it in %(target)s is refused."
    )


class RecordErased(AppError):
    status = 409
    code = "erased"
    message = N_("This record was erased on request; nothing can be added to it.")


class LegalHold(AppError):
    status = 409
    code = "legal_hold"
    message = N_("This record is under legal hold and cannot be erased: %(reason)s")
