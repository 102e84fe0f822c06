"""Background work of analytics: keeping the dashboard rollups up to date.

Every minute the worker folds the applications and stage moves since the last cut into the
rollups (:func:`hireflow.analytics.rollups.refresh`: idempotent, safe to run twice or at
once). The dashboards add whatever came after the last cut, so a slow or stopped worker makes
them slower, never wrong. On the 1st of each month it e-mails the monthly report to the
subscribers (:mod:`hireflow.analytics.monthly`). Every minute it also keeps predictive
validity's results ready for the scopes HR looks at (:mod:`hireflow.analytics.validity_ready`).
"""

from __future__ import annotations

from datetime import date

from celery.schedules import crontab

from hireflow.analytics import (
    monthly,
    rollups,
    rollups_flow,
    rollups_hired,
    rollups_review,
    top_scores,
    validity_ready,
)
from hireflow.core.db import get_database, utcnow
from hireflow.core.tasks import celery_app


@celery_app.task(name="analytics.refresh_rollups")
def refresh_rollups() -> dict[str, int]:
    """Fold new applications and stage moves into the rollups (the first run builds them),
    and the flow facts changed since the last run (:mod:`hireflow.analytics.rollups_flow`)."""
    database = get_database()
    done = rollups.refresh(database)
    done["flow_facts"] = rollups_flow.refresh(database)["facts"]
    done["top_scores"] = top_scores.refresh(database)
    return done


@celery_app.task(name="analytics.refresh_review_rollups")
def refresh_review_rollups() -> dict[str, int]:
    """Recompute the AI accuracy review's and predictive validity's rollups where their
    sources changed, and the rows of the hired people whose reports, score adjustments or
    hire came since the last run (the first run builds them)."""
    database = get_database()
    done = rollups_review.refresh(database)
    done["hired"] = rollups_hired.refresh(database)["employees"]
    return done


@celery_app.task(name="analytics.refresh_validity")
def refresh_validity() -> dict[str, int]:
    """Keep predictive validity's results ready for the standing and recently asked-for
    scopes of every company whose data changed since the last run (a first request then
    reads a result instead of resampling; :mod:`hireflow.analytics.validity_ready`)."""
    return validity_ready.refresh(get_database())


@celery_app.task(name="analytics.monthly_report")
def monthly_report(today: str | None = None) -> int:
    """E-mail last month's report (PDF and XLSX) to every subscriber; ``today`` (ISO) for a
    late run. Queues nothing twice for the same month."""
    day = date.fromisoformat(today) if today else utcnow().date()
    return monthly.send_monthly(get_database(), day)


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "analytics.refresh_rollups": {"task": "analytics.refresh_rollups", "schedule": 60.0},
    "analytics.refresh_review_rollups": {
        "task": "analytics.refresh_review_rollups",
        "schedule": 60.0,
    },
    "analytics.refresh_validity": {"task": "analytics.refresh_validity", "schedule": 60.0},
    "analytics.monthly_report": {
        "task": "analytics.monthly_report",
        "schedule": crontab(day_of_month="1", hour="5", minute="23"),
    },
}
