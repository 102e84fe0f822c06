"""Imports every domain's tables so metadata (Alembic, tests) sees the whole schema."""

from hireflow.core import audit as core_audit
from hireflow.discovery import domain_modules

MODELS = [core_audit, *domain_modules("models")]
