"""Finds each domain's optional modules, so adding a domain never means editing a central list.

A domain package may have ``models.py`` (tables), ``routes_api.py`` / ``routes_web.py`` (each
exposing ``router``), ``tasks.py`` (Celery tasks), ``cli.py`` (``register(app)``) and
``health.py`` (``BACKLOGS``: queued work the worker health check watches).
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from types import ModuleType

DOMAINS = (
    "org",
    "openings",
    "candidates",
    "scheduling",
    "interviews",
    "coding",
    "records",
    "workflow",
    "offers",
    "notifications",
    "analytics",
    "selfservice",
    "integrations",
    "live",
)


def domain_modules(name: str) -> list[ModuleType]:
    """Import ``hireflow.<domain>.<name>`` for every domain that has it, in a stable order."""
    found = []
    for domain in DOMAINS:
        dotted = f"hireflow.{domain}.{name}"
        if find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return found


def domain_module_names(name: str) -> list[str]:
    return [
        f"hireflow.{d}.{name}" for d in DOMAINS if find_spec(f"hireflow.{d}.{name}") is not None
    ]
