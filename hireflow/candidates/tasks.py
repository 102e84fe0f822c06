"""Background work of the candidates domain."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from hireflow.candidates.service import rescreen_opening
from hireflow.candidates.vectors import ensure_vectors
from hireflow.core.db import get_database
from hireflow.core.tasks import celery_app

log = logging.getLogger(__name__)


@celery_app.task(
    name="candidates.embed_candidates",
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=5,
)
def embed_candidates(candidate_ids: list[int]) -> int:
    """Embed candidates' experience for semantic matching (skips vectors already current)."""
    with get_database().session() as session:
        vectors = ensure_vectors(session, [int(i) for i in candidate_ids][:500])
        session.commit()
    log.info("candidates embedded", extra={"event": "candidates.embedded", "count": len(vectors)})
    return len(vectors)


@celery_app.task(
    name="candidates.rescreen_opening",
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=5,
)
def rescreen_opening_task(opening_id: int) -> int:
    """Screen an opening's applications again (idempotent: the verdict is recomputed)."""
    with get_database().session() as session:
        return rescreen_opening(session, int(opening_id))
