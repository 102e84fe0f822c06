"""Where the record's files live: one storage backend per residency region (SPEC G2, G7).

Built from settings: ``storage_regions`` lists the regions this deployment serves; each is
a directory ``<data dir>/storage/<region>`` (default) or an S3-compatible bucket
(``storage_backend = "s3"`` with ``s3_endpoints`` / ``s3_buckets`` per region). A region
that is not configured has no backend at all, so a write for it is refused
(``ResidencyError``) instead of landing somewhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hireflow.core import settings as core_settings
from hireflow.core.crypto import Keyring
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

_lock = threading.Lock()
_cached: RegionalStorage | None = None
_override: RegionalStorage | None = None


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


def regional_storage() -> RegionalStorage:
    """The process's regional storage (an override wins, for tools and tests)."""
    global _cached
    if _override is not None:
        return _override
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = storage_from_settings()
    return _cached


def reset_storage() -> None:
    """Forget the cached storage (after the settings changed)."""
    global _cached
    with _lock:
        _cached = None


@contextmanager
def override_storage(storage: RegionalStorage) -> Iterator[RegionalStorage]:
    """Use ``storage`` inside the block (tests, restore into another deployment)."""
    global _override
    previous = _override
    _override = storage
    try:
        yield storage
    finally:
        _override = previous


def encrypted_for_region(region: str, ring: Keyring) -> EncryptedStorage:
    """Envelope-encrypted storage bound to one record's region."""
    return EncryptedStorage(regional_storage().for_record(region), ring)
