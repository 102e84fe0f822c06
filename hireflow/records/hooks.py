"""Other domains' part of an erasure request (SPEC G7) and of a migration (SPEC G6).

**Erasure.** The record erases what it holds (entries, files, the candidate row, the user
account and audit rows about the person). A domain that keeps its own copies of a person's data (an
invitation's phone number, an interview's transcript) adds ``hireflow/<domain>/erasure.py``
(the module holds both hooks) with::

    def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
        '''Anonymise this domain's rows about ``candidate`` (same transaction, no commit);
        return a short summary such as "3 invitations" for the erasure report.'''

It runs inside the erasure's transaction: raising aborts the whole erasure.

**Import.** ``hireflow migrate-in`` writes candidates with bulk inserts (no ORM events). A
domain that derives data from candidates (a search document, a vector) adds to the same
module ``def after_import(session, person_ids: list[int]) -> None`` (no commit).

**Restore.** A backup carries tables, not what is derived from them in the database engine
(SQLite's full-text table, a tsvector made on the other engine). A domain that keeps such an
index adds ``def after_restore(session) -> dict[str, tuple[int, int]]`` to the same module: it
rebuilds (committing as it goes) and returns {index: (expected, present)}.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.discovery import domain_modules


def run_erasure_hooks(session: Session, candidate: Candidate, known_values: list[str]) -> list[str]:
    """Call every domain's ``erase_person``; returns ``"<domain>: <summary>"`` lines."""
    done = []
    for module in domain_modules("erasure"):
        hook = getattr(module, "erase_person", None)
        if hook is None:
            continue
        summary = hook(session, candidate, list(known_values))
        domain = module.__name__.split(".")[1]
        done.append(f"{domain}: {summary}" if summary else domain)
    return done


def run_import_hooks(session: Session, person_ids: list[int]) -> list[str]:
    """Call every domain's ``after_import`` for candidates a migration just created."""
    done: list[str] = []
    if not person_ids:
        return done
    for module in domain_modules("erasure"):
        hook = getattr(module, "after_import", None)
        if hook is not None:
            hook(session, list(person_ids))
            done.append(module.__name__.split(".")[1])
    return done


def run_restore_hooks(session: Session) -> dict[str, tuple[int, int]]:
    """Call every domain's ``after_restore``; returns their {index: (expected, present)}."""
    counts: dict[str, tuple[int, int]] = {}
    for module in domain_modules("erasure"):
        hook = getattr(module, "after_restore", None)
        if hook is not None:
            counts.update(hook(session))
    return counts
