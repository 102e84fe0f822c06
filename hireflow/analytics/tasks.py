"""Background work of analytics: keeping the dashboard rollups up to date.

Every minute the worker folds the applications and stage moves since the last cut into the
rollups (:func:`hireflow.analytics.rollups.refresh`: idempotent, safe to run twice or at
once). The dashboards add whatever came after the last cut, so a slow or stopped worker makes
them slower, never wrong.
"""

from __future__ import annotations

from hireflow.analytics import rollups
from hireflow.core.db import get_database
from hireflow.core.tasks import celery_app


@celery_app.task(name="analytics.refresh_rollups")
def refresh_rollups() -> dict[str, int]:
    """Fold new applications and stage moves into the rollups (the first run builds them)."""
    return rollups.refresh(get_database())


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "analytics.refresh_rollups": {"task": "analytics.refresh_rollups", "schedule": 60.0},
}
