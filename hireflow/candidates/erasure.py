"""The candidates domain's part of an erasure request and of a migration from an old system.

Called by ``hireflow.records.hooks``: :func:`erase_person` inside the erasure's transaction
(the record has already blanked the candidate row), :func:`after_import` after a bulk import
wrote candidates without ORM events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from hireflow.candidates import search
from hireflow.candidates.fts import FTS_TABLE
from hireflow.candidates.identity import name_key
from hireflow.candidates.indexing import apply_profile, index_candidate
from hireflow.candidates.models import (
    Application,
    Candidate,
    CandidateMerge,
    CandidateResume,
    CandidateSearch,
    CandidateSkill,
    CandidateVector,
    PerformanceRating,
)
from hireflow.core import pii
from hireflow.core.db import on_commit


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Remove what this domain keeps about the person: resume texts and parses, the search
    document, skills, the embedding, performance ratings, screening explanations."""
    resumes = session.execute(
        update(CandidateResume)
        .where(CandidateResume.candidate_id == candidate.id)
        .values(text="", parsed={}, filename="erased")
    ).rowcount
    for model in (CandidateSearch, CandidateSkill, CandidateVector, PerformanceRating):
        session.execute(
            delete(model)
            .where(model.candidate_id == candidate.id)
            # the ratings are an outcome: this company's validity data version moves
            .execution_options(versions_tenant=candidate.tenant_id)
        )
    session.execute(
        update(Application).where(Application.candidate_id == candidate.id).values(screening=None)
    )
    candidate.profile_parsed = {}
    candidate.corrections = {}
    candidate.name_key = ""
    candidate.phone_index = None
    candidate.email_index = None
    candidate.birth_date_index = None
    candidate.highest_degree_rank = 0
    candidate.years_experience = 0.0
    # Merge decisions keep which rows moved, never whose they were: the snapshot (the
    # profile before a merge) goes; the decision itself stays for the audit trail.
    session.execute(
        update(CandidateMerge)
        .where(
            (CandidateMerge.survivor_id == candidate.id) | (CandidateMerge.other_id == candidate.id)
        )
        .values(snapshot={})
    )
    # This process's word caches hold segmented resume texts; other processes' caches
    # forget them as they fill (least recently used first).
    on_commit(session, search.clear_caches)
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 keeps deleted words in its index segments until they are merged: merge now,
        # so the index file holds nothing of the person (secure_delete zeroes the pages).
        optimize = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"  # noqa: S608 - fixed name
        session.execute(text(optimize))
        on_commit(session, lambda: _checkpoint(session.get_bind()))
    return f"{resumes or 0} resumes"


def _checkpoint(bind: Any) -> None:
    """Move the erased pages into the database file and empty the write-ahead log, whose
    older frames still hold the person's data (SQLite only; best effort: a checkpoint that
    must wait for a long reader is left to SQLite's next automatic one)."""
    engine = getattr(bind, "engine", bind)
    try:
        raw = engine.raw_connection()
    except Exception:
        return
    try:
        cursor = raw.driver_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=200")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
    except Exception:  # noqa: S110 - see above
        pass
    finally:
        raw.close()


def after_import(session: Session, person_ids: list[int]) -> None:
    """Derive what bulk inserts skipped: blind indexes, name keys, search documents."""
    for candidate in session.scalars(select(Candidate).where(Candidate.id.in_(person_ids))):
        for spec in pii.blind_indexes():
            if spec.model is Candidate:
                setattr(candidate, spec.index, spec.compute(candidate))
        candidate.name_key = name_key(candidate.name)
        if candidate.profile and not candidate.profile_parsed:
            candidate.profile_parsed = dict(candidate.profile)
            apply_profile(candidate)
        index_candidate(session, candidate)
    session.flush()


RESTORE_BATCH = 1000


def after_restore(session: Session) -> dict[str, tuple[int, int]]:
    """Rebuild the talent pool's text index for restored candidates (see records.hooks)."""
    missing = search.missing_text_rows(session)
    for start in range(0, len(missing), RESTORE_BATCH):
        search.rebuild_text_index(session, missing[start : start + RESTORE_BATCH])
        session.commit()
    return {"candidate_text": search.text_index_counts(session)}
