"""Embedding vectors of people's experience, for matching (built by the worker after intake)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import (
    Candidate,
    CandidateVector,
)
from hireflow.core.db import utcnow
from hireflow.core.settings import Settings, get_settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.scoring.embedding import Embedder, EmbedderConfig, get_embedder


def platform_embedder(settings: Settings | None = None) -> Embedder:
    """The process's sentence encoder as the settings choose it (the scoring library reads no
    settings: the platform builds its configuration and passes it in)."""
    return get_embedder(EmbedderConfig.from_settings(settings or get_settings()))


def experience_text(candidate: Candidate) -> str:
    """What a person has done, as one text for the embedder (titles, companies, work, skills)."""
    profile = candidate.profile or {}
    parts: list[str] = []
    for entry in profile.get("work", []) or []:
        if isinstance(entry, dict):
            parts.append(" ".join(str(entry.get(k) or "") for k in ("title", "company")).strip())
            if entry.get("description"):
                parts.append(str(entry["description"])[:400])
    for entry in profile.get("education", []) or []:
        if isinstance(entry, dict) and entry.get("major"):
            parts.append(str(entry["major"]))
    skills = [str(s) for s in profile.get("skills", []) or []]
    if skills:
        parts.append(", ".join(skills[:30]))
    return "\n".join(p for p in parts if p)[:2000]


def ensure_vectors(
    session: Session, candidate_ids: Sequence[int], *, limit: int = 400
) -> dict[int, Any]:
    """Embeddings of the candidates' experience, computed (batched) where missing or stale."""
    ids = list(dict.fromkeys(candidate_ids))
    if not ids:
        return {}
    embedder = platform_embedder()
    stored = {
        v.candidate_id: v
        for v in session.scalars(
            select(CandidateVector).where(CandidateVector.candidate_id.in_(ids))
        )
    }
    candidates = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    out: dict[int, Any] = {}
    stale: list[tuple[Candidate, str, str]] = []
    for candidate_id in ids:
        candidate = candidates.get(candidate_id)
        if candidate is None:
            continue
        text = experience_text(candidate)
        if not text:
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = stored.get(candidate_id)
        if row is not None and row.text_sha256 == digest and row.model == embedder.name:
            out[candidate_id] = np.frombuffer(row.vector, dtype=np.float32)
        elif len(stale) < limit:
            stale.append((candidate, text, digest))
    if stale:
        matrix = embedder.embed([text for _c, text, _d in stale])
        for (candidate, _text, digest), vector in zip(stale, matrix, strict=True):
            row = stored.get(candidate.id)
            if row is None:
                row = CandidateVector(candidate_id=candidate.id, tenant_id=candidate.tenant_id)
                session.add(row)
            row.model, row.text_sha256 = embedder.name[:60], digest
            row.vector, row.updated_at = np.asarray(vector, dtype=np.float32).tobytes(), utcnow()
            out[candidate.id] = np.asarray(vector, dtype=np.float32)
        session.flush()
    return out


def enqueue_vectors(session: Session, candidate_ids: Sequence[int]) -> None:
    enqueue_on_commit(session, "candidates.embed_candidates", list(candidate_ids))
