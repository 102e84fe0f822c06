"""Imports every domain's tables so metadata (Alembic, tests) sees the whole schema."""

from hireflow.core import audit as core_audit
from hireflow.core import versions as core_versions
from hireflow.core import worker as core_worker
from hireflow.discovery import domain_modules

MODELS = [core_audit, core_versions, core_worker, *domain_modules("models")]
