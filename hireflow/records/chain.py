"""Tamper evidence for the HR record: a hash chain plus signed checkpoints (SPEC G3).

Each entry of a chain (e.g. one person's record, or a tenant's audit trail) is stored
as a row ``(seq, prev_hash, hash, content)`` where::

    hash = SHA-256( b"hireflow/chain/v1\\x00" | prev_hash (32 raw bytes) | canonical_json(content) )

and ``prev_hash`` is the previous row's ``hash`` (``GENESIS_HASH`` for ``seq`` 1). Changing,
deleting, inserting or reordering a row breaks either its own hash or the link of the row
after it, which ``verify_chain`` reports with the position and kind of the first problem.

A chain alone cannot stop someone with write access to the database (a rogue DBA) from
rewriting the whole tail consistently, or from cutting off the newest rows. Signed
checkpoints close that gap: from time to time the application signs
``(chain_id, seq, head_hash, time)`` with an Ed25519 key the database never sees and
keeps the small JSON document somewhere the DBA cannot rewrite (a write-once bucket,
the audit mailbox, an external timestamping service). ``verify_against_checkpoints``
then catches any history that disagrees with what was signed earlier.

The row hash and canonical JSON (what exactly is hashed, and why floats are refused) live in
:mod:`hireflow.core.hashchain`, which the audit trail shares; signing is :mod:`records.signing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hireflow.core.hashchain import (
    FIRST_SEQ,
    GENESIS_HASH,
    HASH_RE,
    CanonicalJSONError,
    _row_hash_checked,
    canonical_json,
    check_hash,
    prepare,
    row_hash,
    row_hash_matches,
)

if TYPE_CHECKING:
    from hireflow.records.signing import Checkpoint

__all__ = [
    "FIRST_SEQ",
    "GENESIS_HASH",
    "HASH_RE",
    "CanonicalJSONError",
    "ChainProblem",
    "ChainReport",
    "ChainRow",
    "ProblemKind",
    "append_row",
    "build_chain",
    "canonical_json",
    "check_hash",
    "prepare",
    "row_hash",
    "verify_chain",
    "verify_rows",
]


@dataclass(frozen=True)
class ChainRow:
    """One row of a chain as stored: position, link, own hash and the hashed content."""

    seq: int
    prev_hash: str
    hash: str
    content: Any


def append_row(head: ChainRow | None, content: Any) -> ChainRow:
    """The row that follows ``head`` (or starts a chain when ``head`` is None)."""
    if head is None:
        seq, prev = FIRST_SEQ, GENESIS_HASH
    else:
        seq, prev = head.seq + 1, head.hash
    return ChainRow(seq=seq, prev_hash=prev, hash=row_hash(prev, content), content=content)


def build_chain(contents: Iterable[Any]) -> list[ChainRow]:
    """A whole chain from contents in order (tests, imports, benchmarks)."""
    rows: list[ChainRow] = []
    head: ChainRow | None = None
    for content in contents:
        head = append_row(head, content)
        rows.append(head)
    return rows


def _fields(row: Any) -> tuple[Any, Any, Any, Any]:
    """(seq, prev_hash, hash, content) from a ChainRow, an ORM object or a mapping."""
    if isinstance(row, Mapping):
        return row["seq"], row["prev_hash"], row["hash"], row["content"]
    return row.seq, row.prev_hash, row.hash, row.content


def _parsed_rows(rows: Iterable[Any]) -> Iterator[tuple[Any, Any, Any, Any] | Exception]:
    """Each row's well-formed fields, or the reason it is malformed."""
    for row in rows:
        try:
            seq, prev_hash, stored_hash, content = _fields(row)
            if type(seq) is not int:
                if not isinstance(seq, int) or isinstance(seq, bool):
                    raise ValueError(f"seq must be an int, got {seq!r}")
                seq = int(seq)
            check_hash(prev_hash, "prev_hash")
            check_hash(stored_hash, "hash")
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            yield exc
        else:
            yield seq, prev_hash, stored_hash, content


# --------------------------------------------------------------------------- verification


class ProblemKind(StrEnum):
    """What a verification found wrong at a row."""

    MALFORMED = "malformed"
    """The row lacks a field, or its seq or hashes are not well-formed."""
    ALTERED = "altered"
    """The content (or prev_hash) no longer matches the row's stored hash."""
    MISSING = "missing"
    """A gap in sequence numbers: rows were deleted."""
    DUPLICATE = "duplicate"
    """A sequence number appears twice: a row was inserted or copied."""
    REORDERED = "reordered"
    """Rows are not in chain order."""
    INSERTED = "inserted"
    """The row is not part of the chain: its successor links to its predecessor."""
    BROKEN_LINK = "broken_link"
    """The row does not link to its predecessor (predecessor re-hashed, or rows removed)."""
    BAD_START = "bad_start"
    """The first row does not continue from the genesis hash or the trusted anchor."""
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    """History differs from a signed checkpoint: consistently rewritten."""
    TRUNCATED = "truncated"
    """The chain ends before a row that a signed checkpoint vouches for."""


@dataclass(frozen=True)
class ChainProblem:
    """One finding: where (0-based position in the rows given, and seq) and what."""

    position: int
    seq: int | None
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class ChainReport:
    """Result of a verification; ``ok`` only when no problem was found."""

    rows_checked: int
    head_seq: int | None
    head_hash: str | None
    problems: tuple[ChainProblem, ...] = ()
    more_problems: bool = False
    checkpoints_checked: int = 0

    @property
    def ok(self) -> bool:
        """True when every row and every checkpoint verified."""
        return not self.problems

    @property
    def first_problem(self) -> ChainProblem | None:
        """The earliest problem in chain order, the one to investigate first."""
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """One line for logs and the CLI."""
        if self.ok:
            return (
                f"chain intact: {self.rows_checked} rows, head seq {self.head_seq}, "
                f"{self.checkpoints_checked} checkpoints"
            )
        first = self.problems[0]
        more = "+" if self.more_problems else ""
        return (
            f"chain NOT intact: {len(self.problems)}{more} problems; first at position "
            f"{first.position} (seq {first.seq}): {first.kind.value}: {first.message}"
        )


_SENTINEL: Any = object()


def verify_rows(
    rows: Iterable[Any],
    anchor: tuple[int, str] | None,
    checkpoints: Mapping[int, Checkpoint],
    max_problems: int,
) -> ChainReport:
    """Single pass, constant memory (one row of look-ahead), over rows in stored order."""
    walk = _ChainWalk(anchor, checkpoints, max_problems)
    iterator = _parsed_rows(rows)
    current = next(iterator, _SENTINEL)
    while current is not _SENTINEL:
        following = next(iterator, _SENTINEL)
        if isinstance(current, Exception):
            walk.unreadable_row(current)
        else:
            next_seq = next_hash = None
            if following is not _SENTINEL and not isinstance(following, Exception):
                next_seq, _, next_hash, _ = following
            walk.row(*current, next_seq=next_seq, next_hash=next_hash)
        current = following
    walk.unseen_checkpoints()
    return walk.report_card()


class _ChainWalk:
    """The state of one ``verify_rows`` pass: what the next row should be, and the findings."""

    def __init__(
        self,
        anchor: tuple[int, str] | None,
        checkpoints: Mapping[int, Checkpoint],
        max_problems: int,
    ) -> None:
        self.anchored = anchor is not None
        start_seq, start_hash = anchor if anchor is not None else (FIRST_SEQ - 1, GENESIS_HASH)
        check_hash(start_hash, "anchor hash")
        self.start_seq, self.start_hash = start_seq, start_hash
        self.checkpoints = checkpoints
        self.max_problems = max_problems
        self.expected_seq = start_seq + 1
        self.expected_prev: str | None = start_hash
        self.before_prev: str | None = None  # hash of the row before the previous one
        self.previous_seq: int | None = None
        # Hashes of the last few rows by seq: after a local reordering the rows that follow
        # still link correctly to their true predecessor, and are not reported again.
        self.recent: dict[int, str] = {start_seq: start_hash}
        self.previous_suspect = False
        self.problems: list[ChainProblem] = []
        self.more = False
        self.seen_checkpoints: set[int] = set()
        self.head_seq: int | None = None
        self.head_hash: str | None = None
        self.position = 0

    def report(self, position: int, seq: int | None, kind: ProblemKind, message: str) -> None:
        if len(self.problems) < self.max_problems:
            self.problems.append(ChainProblem(position, seq, kind, message))
        else:
            self.more = True

    def unreadable_row(self, error: Exception) -> None:
        self.report(self.position, None, ProblemKind.MALFORMED, f"row cannot be read: {error}")
        self.previous_suspect = True
        self.before_prev, self.expected_prev = self.expected_prev, None
        self.expected_seq += 1
        self.position += 1

    def row(
        self,
        seq: int,
        prev_hash: str,
        stored_hash: str,
        content: Any,
        *,
        next_seq: int | None,
        next_hash: str | None,
    ) -> None:
        problem = self._sequence_problem(seq, next_seq) or self._hash_problem(
            prev_hash, stored_hash, content
        )
        link_target = self.recent.get(seq - 1, self.expected_prev)
        link_broken = link_target is not None and prev_hash != link_target
        problem_echo = False
        if problem is None and link_broken and self.previous_suspect:
            # The predecessor was already reported; this broken link is its echo.
            problem_echo = True
        elif problem is None and link_broken:
            assert link_target is not None
            problem = self._link_problem(seq, prev_hash, link_target, next_hash)
        if problem is not None:
            self.report(self.position, seq, *problem)
        self.previous_suspect = problem is not None or problem_echo
        self._check_checkpoint(seq, stored_hash)
        self._advance(seq, stored_hash)

    def _sequence_problem(self, seq: int, next_seq: int | None) -> tuple[ProblemKind, str] | None:
        expected_seq = self.expected_seq
        if seq == expected_seq:
            return None
        if seq in self.recent and seq != self.start_seq:
            return (ProblemKind.DUPLICATE, f"seq {seq} appears twice")
        if seq < expected_seq or next_seq == expected_seq:
            return (
                ProblemKind.REORDERED,
                f"expected seq {expected_seq}, found {seq}: rows are out of order",
            )
        if self.position == 0 and not self.anchored:
            return (
                ProblemKind.BAD_START,
                f"chain starts at seq {seq}, not {expected_seq}: first rows deleted",
            )
        return (
            ProblemKind.MISSING,
            f"expected seq {expected_seq}, found {seq}: {seq - expected_seq} "
            f"{'row' if seq - expected_seq == 1 else 'rows'} deleted",
        )

    @staticmethod
    def _hash_problem(
        prev_hash: str, stored_hash: str, content: Any
    ) -> tuple[ProblemKind, str] | None:
        try:
            recomputed = _row_hash_checked(prev_hash, content)
        except CanonicalJSONError as exc:
            return (ProblemKind.MALFORMED, f"content cannot be hashed: {exc}")
        if recomputed != stored_hash and not row_hash_matches(prev_hash, content, stored_hash):
            return (
                ProblemKind.ALTERED,
                "content or prev_hash does not match the stored hash "
                f"(stored {stored_hash[:12]}…, computed {recomputed[:12]}…)",
            )
        return None

    def _link_problem(
        self, seq: int, prev_hash: str, link_target: str, next_hash: str | None
    ) -> tuple[ProblemKind, str] | None:
        if self.position == 0:
            return (
                ProblemKind.BAD_START,
                f"first row links to {prev_hash[:12]}…, expected {link_target[:12]}…",
            )
        if prev_hash == self.before_prev:
            # This row skips its predecessor, so the predecessor was slipped in.
            self.report(
                self.position - 1,
                self.previous_seq,
                ProblemKind.INSERTED,
                f"row seq {self.previous_seq} is not part of the chain: row seq {seq} links "
                "past it to the row before",
            )
            return None
        if next_hash is not None and prev_hash == next_hash:
            return (
                ProblemKind.REORDERED,
                f"row seq {seq} links to the row after it: rows were swapped",
            )
        return (
            ProblemKind.BROKEN_LINK,
            f"row seq {seq} does not link to the row before it: that row was "
            "altered and re-hashed, or rows between them were deleted",
        )

    def _check_checkpoint(self, seq: int, stored_hash: str) -> None:
        checkpoint = self.checkpoints.get(seq)
        if checkpoint is None:
            return
        self.seen_checkpoints.add(seq)
        if stored_hash != checkpoint.head_hash:
            self.report(
                self.position,
                seq,
                ProblemKind.CHECKPOINT_MISMATCH,
                f"row seq {seq} has hash {stored_hash[:12]}…, but a checkpoint signed "
                f"{checkpoint.time.isoformat()} by key {checkpoint.key_id} says "
                f"{checkpoint.head_hash[:12]}…: history was rewritten",
            )

    def _advance(self, seq: int, stored_hash: str) -> None:
        self.before_prev, self.expected_prev = self.expected_prev, stored_hash
        self.previous_seq, self.expected_seq = seq, max(self.expected_seq, seq + 1)
        self.recent[seq] = stored_hash
        if len(self.recent) > 8:
            del self.recent[next(iter(self.recent))]
        self.head_seq, self.head_hash = seq, stored_hash
        self.position += 1

    def unseen_checkpoints(self) -> None:
        """Checkpoints whose rows never came: the newest rows deleted, or one row gone."""
        count = self.position
        for seq in sorted(set(self.checkpoints) - self.seen_checkpoints):
            checkpoint = self.checkpoints[seq]
            if seq == self.start_seq and checkpoint.head_hash == self.start_hash:
                continue  # a checkpoint of the empty chain (or of the anchor itself)
            if self.head_seq is None or seq > self.head_seq:
                self.report(
                    count,
                    seq,
                    ProblemKind.TRUNCATED,
                    f"chain ends at seq {self.head_seq}, but a checkpoint signed "
                    f"{checkpoint.time.isoformat()} vouches for seq {seq}: newest rows deleted",
                )
            elif seq > self.start_seq:
                self.report(
                    count,
                    seq,
                    ProblemKind.CHECKPOINT_MISMATCH,
                    f"row seq {seq}, vouched for by a signed checkpoint, is missing",
                )

    def report_card(self) -> ChainReport:
        problems = sorted(self.problems, key=lambda problem: problem.position)
        return ChainReport(
            rows_checked=self.position,
            head_seq=self.head_seq,
            head_hash=self.head_hash,
            problems=tuple(problems),
            more_problems=self.more,
            checkpoints_checked=len(self.seen_checkpoints),
        )


def verify_chain(
    rows: Iterable[Any],
    *,
    anchor: tuple[int, str] | None = None,
    max_problems: int = 100,
) -> ChainReport:
    """Check a chain's rows in stored order (``ORDER BY seq``) and report every problem.

    ``rows`` may be ``ChainRow`` objects, ORM objects with ``seq``, ``prev_hash``, ``hash``
    and ``content`` attributes, or mappings with those keys; any iterable works, including
    a streaming query, in constant memory. ``anchor=(seq, hash)`` starts verification after
    a trusted row (e.g. from a verified checkpoint) instead of at the genesis.

    What the chain alone cannot see: the newest rows cut off, or the whole chain rewritten
    consistently from some row on. ``verify_against_checkpoints`` catches both.
    """
    return verify_rows(rows, anchor, {}, max_problems)
