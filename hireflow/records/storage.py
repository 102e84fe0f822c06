"""Where the record's files live: one storage backend per residency region (SPEC G2, G7).

Built from settings: ``storage_regions`` lists the regions this deployment serves; each is
a directory ``<data dir>/storage/<region>`` (default) or an S3-compatible bucket
(``storage_backend = "s3"`` with ``s3_endpoints`` / ``s3_buckets`` per region). A region
that is not configured has no backend at all, so a write for it is refused
(``ResidencyError``) instead of landing somewhere else.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from hireflow.core import settings as core_settings
from hireflow.core.crypto import Keyring
from hireflow.core.process_value import ProcessValue
from hireflow.core.storage import (
    EncryptedStorage,
    LocalStorage,
    RegionalStorage,
    ResidencyError,
    S3Storage,
    Storage,
)

__all__ = [
    "ResidencyError",
    "configured_regions",
    "encrypted_for_region",
    "override_storage",
    "regional_storage",
    "reset_storage",
    "storage_from_settings",
]


def configured_regions(settings: Any = None) -> list[str]:
    """Region codes from ``settings.storage_regions`` (lower-case, in order, no repeats)."""
    if settings is None:
        settings = core_settings.get_settings()
    seen: list[str] = []
    for part in str(settings.storage_regions).split(","):
        code = part.strip().lower()
        if code and code not in seen:
            seen.append(code)
    return seen


def storage_from_settings(settings: Any = None) -> RegionalStorage:
    """A ``RegionalStorage`` with one backend per configured region."""
    if settings is None:
        settings = core_settings.get_settings()
    regions = configured_regions(settings)
    if not regions:
        raise ResidencyError("HIREFLOW_STORAGE_REGIONS is empty: no region may store files")
    backends: dict[str, Storage] = {}
    for region in regions:
        if settings.storage_backend == "s3":
            bucket = settings.s3_buckets.get(region)
            if not bucket:
                raise ResidencyError(
                    f"region {region!r} has no bucket in HIREFLOW_S3_BUCKETS; every region "
                    "served needs its own bucket"
                )
            backends[region] = S3Storage(
                settings.s3_endpoints.get(region) or None,
                bucket,
                settings.s3_access_key or None,
                settings.s3_secret_key or None,
                settings.s3_signing_regions.get(region, "us-east-1"),
                prefix=settings.s3_prefix,
            )
        else:
            backends[region] = LocalStorage(settings.storage_dir / region)
    return RegionalStorage(backends)


_STORAGE: ProcessValue[RegionalStorage] = ProcessValue(storage_from_settings)


def regional_storage() -> RegionalStorage:
    """The process's regional storage (an override wins, for tools and tests)."""
    return _STORAGE.get()


def reset_storage() -> None:
    """Forget the cached storage (after the settings changed)."""
    _STORAGE.reset()


def override_storage(storage: RegionalStorage) -> AbstractContextManager[RegionalStorage]:
    """Use ``storage`` inside the block (tests, restore into another deployment)."""
    return _STORAGE.override(storage)


def encrypted_for_region(region: str, ring: Keyring) -> EncryptedStorage:
    """Envelope-encrypted storage bound to one record's region."""
    return EncryptedStorage(regional_storage().for_record(region), ring)
