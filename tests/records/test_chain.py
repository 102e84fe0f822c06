"""Tests for hireflow.records.chain: canonical JSON, hash chain, signed checkpoints."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from hireflow.records.chain import (
    FIRST_SEQ,
    GENESIS_HASH,
    CanonicalJSONError,
    ChainRow,
    ProblemKind,
    append_row,
    build_chain,
    canonical_json,
    row_hash,
    verify_chain,
)
from hireflow.records.signing import (
    CheckpointError,
    generate_signing_key,
    load_public_key,
    load_signing_key,
    public_key_id,
    public_key_to_str,
    sign_checkpoint,
    verify_against_checkpoints,
    verify_checkpoint,
)

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def entries(count: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "interview.result",
            "subject": f"cand-{i}",
            "score": Decimal(f"{i}.5"),
            "at": NOW + timedelta(minutes=i),
            "note": "沟通能力 8.2",
        }
        for i in range(count)
    ]


def renumber(rows: list[ChainRow]) -> list[ChainRow]:
    return [replace(row, seq=FIRST_SEQ + index) for index, row in enumerate(rows)]


# --------------------------------------------------------------------------- canonical JSON


class Colour(StrEnum):
    RED = "red"


def test_canonical_json_form() -> None:
    value = {"b": 1, "a": [True, None, "张三"], "c": {"z": 0, "y": -5}}
    assert canonical_json(value) == '{"a":[true,null,"张三"],"b":1,"c":{"y":-5,"z":0}}'.encode()
    assert canonical_json({"x": Colour.RED}) == b'{"x":"red"}'
    assert canonical_json((1, 2)) == canonical_json([1, 2]) == b"[1,2]"
    assert canonical_json(True) != canonical_json(1)
    # Keys are sorted by code point, the same on every platform.
    assert canonical_json({"é": 1, "z": 2, "A": 3}) == '{"A":3,"z":2,"é":1}'.encode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("8.20"), "8.2"),
        (Decimal("8.2"), "8.2"),
        (Decimal("1E+2"), "100"),
        (Decimal("100"), "100"),
        (Decimal("-0.00"), "0"),
        (Decimal("0.000123"), "0.000123"),
        (
            datetime(2024, 5, 1, 16, 30, tzinfo=timezone(timedelta(hours=8))),
            "2024-05-01T08:30:00.000000Z",
        ),
        (datetime(2024, 5, 1, 8, 30, 0, 5, tzinfo=UTC), "2024-05-01T08:30:00.000005Z"),
        (date(1990, 3, 7), "1990-03-07"),
        (UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    ],
)
def test_canonical_scalars_become_strings(value: Any, expected: str) -> None:
    assert (
        canonical_json({"v": value}) == json.dumps({"v": expected}, separators=(",", ":")).encode()
    )


def test_values_survive_a_json_column_roundtrip() -> None:
    content = entries(1)[0]
    stored = json.loads(canonical_json(content))  # what a JSON column gives back
    assert row_hash(GENESIS_HASH, stored) == row_hash(GENESIS_HASH, content)


@pytest.mark.parametrize(
    "value",
    [
        0.1,
        {"score": 8.0},
        [1, float("nan")],
        Decimal("NaN"),
        Decimal("Infinity"),
        datetime(2024, 5, 1, 8, 30),  # noqa: DTZ001 - naive on purpose
        b"bytes",
        {1, 2},
        {1: "int key"},
        "lone \ud800 surrogate",
        object(),
    ],
)
def test_ambiguous_values_refused(value: Any) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(value)


def test_error_names_the_path() -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\.scores\[1\]: float"):
        canonical_json({"scores": [1, 2.5]})


def test_row_hash_format_is_pinned() -> None:
    expected = hashlib.sha256(b"hireflow/chain/v1\x00" + bytes(32) + b'{"a":1}').hexdigest()
    assert row_hash(GENESIS_HASH, {"a": 1}) == expected
    prev = "ab" * 32
    assert (
        row_hash(prev, {"a": 1})
        == hashlib.sha256(b"hireflow/chain/v1\x00" + bytes.fromhex(prev) + b'{"a":1}').hexdigest()
    )
    for bad in ["", "AB" * 32, "0" * 63, None]:
        with pytest.raises(ValueError):
            row_hash(bad, {"a": 1})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- verify_chain


def test_intact_chain_verifies() -> None:
    rows = build_chain(entries(20))
    report = verify_chain(rows)
    assert report.ok and report.first_problem is None
    assert report.rows_checked == 20
    assert (report.head_seq, report.head_hash) == (20, rows[-1].hash)
    assert rows[0].seq == FIRST_SEQ and rows[0].prev_hash == GENESIS_HASH
    assert "intact" in report.summary()
    assert verify_chain([]).ok


def test_rows_as_mappings_and_orm_like_objects() -> None:
    rows = build_chain(entries(5))

    @dataclass
    class OrmRow:
        seq: int
        prev_hash: str
        hash: str
        content: dict[str, Any]
        id: int = 0

    as_dicts = [
        {
            "seq": r.seq,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
            "content": json.loads(canonical_json(r.content)),
        }
        for r in rows
    ]
    assert verify_chain(as_dicts).ok
    assert verify_chain(OrmRow(r.seq, r.prev_hash, r.hash, r.content) for r in rows).ok


def kind_at(rows: list[Any]) -> tuple[ProblemKind, int]:
    report = verify_chain(rows)
    assert not report.ok
    first = report.first_problem
    assert first is not None
    return first.kind, first.position


@pytest.fixture
def chain() -> list[ChainRow]:
    return build_chain(entries(10))


def test_altered_content_is_reported_at_the_row(chain: list[ChainRow]) -> None:
    chain[4] = replace(chain[4], content={**chain[4].content, "score": Decimal("9.9")})
    assert kind_at(chain) == (ProblemKind.ALTERED, 4)
    assert "NOT intact" in verify_chain(chain).summary()


def test_altered_and_rehashed_row_breaks_the_next_link(chain: list[ChainRow]) -> None:
    forged = {**chain[4].content, "score": Decimal("9.9")}
    chain[4] = replace(chain[4], content=forged, hash=row_hash(chain[4].prev_hash, forged))
    assert kind_at(chain) == (ProblemKind.BROKEN_LINK, 5)


def test_deleted_row_is_reported(chain: list[ChainRow]) -> None:
    without = chain[:3] + chain[4:]
    assert kind_at(without) == (ProblemKind.MISSING, 3)
    assert kind_at(renumber(without)) == (ProblemKind.BROKEN_LINK, 3)
    assert kind_at(chain[1:]) == (ProblemKind.BAD_START, 0)
    assert kind_at(renumber(chain[1:])) == (ProblemKind.BAD_START, 0)


def test_swapped_rows_are_reported(chain: list[ChainRow]) -> None:
    swapped = chain[:]
    swapped[2], swapped[3] = swapped[3], swapped[2]
    assert kind_at(swapped) == (ProblemKind.REORDERED, 2)
    assert kind_at(renumber(swapped)) == (ProblemKind.REORDERED, 2)
    report = verify_chain(renumber(swapped))
    assert len(report.problems) == 1  # the echo on the next row is not reported again


def test_inserted_row_is_reported(chain: list[ChainRow]) -> None:
    # A well-formed row slipped in after row 3, everything after renumbered.
    intruder = append_row(chain[2], {"type": "interview.result", "subject": "fake"})
    forged = renumber([*chain[:3], intruder, *chain[3:]])
    assert kind_at(forged) == (ProblemKind.INSERTED, 3)
    assert verify_chain(forged).problems[0].seq == 4
    duplicated = [*chain[:5], chain[4], *chain[5:]]
    assert kind_at(duplicated) == (ProblemKind.DUPLICATE, 5)


def test_malformed_rows(chain: list[ChainRow]) -> None:
    rows: list[Any] = list(chain)
    rows[2] = {"seq": 3, "prev_hash": "nothex", "hash": chain[2].hash, "content": {}}
    assert kind_at(rows) == (ProblemKind.MALFORMED, 2)
    rows[2] = {"seq": "3"}
    assert kind_at(rows) == (ProblemKind.MALFORMED, 2)
    rows[2] = replace(chain[2], content={"f": 1.5})
    assert kind_at(rows) == (ProblemKind.MALFORMED, 2)
    assert len(verify_chain(rows).problems) == 1


def test_segment_verification_from_an_anchor(chain: list[ChainRow]) -> None:
    anchor = (chain[4].seq, chain[4].hash)
    assert verify_chain(chain[5:], anchor=anchor).ok
    assert kind_at_anchor(chain[6:], anchor) == ProblemKind.MISSING
    with pytest.raises(ValueError):
        verify_chain(chain, anchor=(0, "bad"))


def kind_at_anchor(rows: list[ChainRow], anchor: tuple[int, str]) -> ProblemKind:
    first = verify_chain(rows, anchor=anchor).first_problem
    assert first is not None
    return first.kind


def test_problem_list_is_capped() -> None:
    rows = build_chain(entries(30))
    tampered = [replace(row, content={"x": index}) for index, row in enumerate(rows)]
    report = verify_chain(tampered, max_problems=5)
    assert len(report.problems) == 5 and report.more_problems
    assert "5+ problems" in report.summary()


# --------------------------------------------------------------------------- property tests

contents = st.dictionaries(
    st.text(max_size=5),
    st.one_of(st.integers(), st.text(max_size=10), st.booleans(), st.none()),
    max_size=3,
)


@st.composite
def chain_and_index(draw: st.DrawFn, min_size: int = 2) -> tuple[list[ChainRow], int]:
    rows = build_chain(draw(st.lists(contents, min_size=min_size, max_size=25)))
    return rows, draw(st.integers(0, len(rows) - 1))


@settings(max_examples=150, deadline=None)
@given(data=chain_and_index(), new=contents)
def test_any_alteration_is_detected_at_its_row(data: tuple[list[ChainRow], int], new: Any) -> None:
    rows, index = data
    if canonical_json(new) == canonical_json(rows[index].content):
        new = {**new, "tampered": True}
    rows[index] = replace(rows[index], content=new)
    assert kind_at(rows) == (ProblemKind.ALTERED, index)


@settings(max_examples=150, deadline=None)
@given(data=chain_and_index(), new=contents)
def test_any_rehashed_alteration_but_the_last_is_detected(
    data: tuple[list[ChainRow], int], new: Any
) -> None:
    rows, index = data
    if canonical_json(new) == canonical_json(rows[index].content):
        new = {**new, "tampered": True}
    rows[index] = replace(rows[index], content=new, hash=row_hash(rows[index].prev_hash, new))
    report = verify_chain(rows)
    if index == len(rows) - 1:
        # The chain alone cannot see a re-hashed head: that is what checkpoints are for.
        assert report.ok
    else:
        assert (report.first_problem.kind, report.first_problem.position) == (  # type: ignore[union-attr]
            ProblemKind.BROKEN_LINK,
            index + 1,
        )


@settings(max_examples=150, deadline=None)
@given(data=chain_and_index(), renumbered=st.booleans())
def test_any_deletion_but_the_last_is_detected(
    data: tuple[list[ChainRow], int], renumbered: bool
) -> None:
    rows, index = data
    remaining = rows[:index] + rows[index + 1 :]
    if renumbered:
        remaining = renumber(remaining)
    report = verify_chain(remaining)
    if index == len(rows) - 1:
        assert report.ok
    else:
        assert not report.ok
        assert report.first_problem.position == index  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(data=chain_and_index(min_size=3), other=st.integers(0, 100), renumbered=st.booleans())
def test_any_swap_is_detected(
    data: tuple[list[ChainRow], int], other: int, renumbered: bool
) -> None:
    rows, i = data
    j = other % len(rows)
    if i == j:
        j = (i + 1) % len(rows)
    i, j = min(i, j), max(i, j)
    swapped = rows[:]
    swapped[i], swapped[j] = swapped[j], swapped[i]
    if renumbered:
        swapped = renumber(swapped)
    report = verify_chain(swapped)
    assert not report.ok
    assert report.first_problem.position == i  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(data=chain_and_index(), new=contents, renumbered=st.booleans(), linked=st.booleans())
def test_any_insertion_is_detected(
    data: tuple[list[ChainRow], int], new: Any, renumbered: bool, linked: bool
) -> None:
    rows, index = data
    before = rows[index - 1] if index else None
    intruder = append_row(before, new)
    if not linked:
        intruder = replace(intruder, hash="f" * 64)
    forged = [*rows[:index], intruder, *rows[index:]]
    if renumbered:
        forged = renumber(forged)
    report = verify_chain(forged)
    assert not report.ok
    assert report.first_problem.position in {index, index + 1}  # type: ignore[union-attr]


# --------------------------------------------------------------------------- checkpoints


@pytest.fixture(scope="module")
def signing_key() -> Any:
    return generate_signing_key()


def test_checkpoint_roundtrip(signing_key: Any) -> None:
    rows = build_chain(entries(5))
    doc = sign_checkpoint("record:42", 5, rows[-1].hash, NOW, signing_key)
    assert len(doc) < 400
    parsed = json.loads(doc)
    assert parsed["seq"] == 5 and parsed["time"] == "2024-05-01T08:30:00.000000Z"
    cp = verify_checkpoint(doc, signing_key.public_key(), chain_id="record:42")
    assert (cp.chain_id, cp.seq, cp.head_hash, cp.time) == ("record:42", 5, rows[-1].hash, NOW)
    assert cp.key_id == public_key_id(signing_key) == public_key_id(signing_key.public_key())
    # Several trusted keys during a rollover.
    assert verify_checkpoint(
        doc.encode(), [generate_signing_key().public_key(), signing_key.public_key()]
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seq", 6),
        ("head_hash", "1" * 64),
        ("chain_id", "record:43"),
        ("time", "2030-01-01T00:00:00.000000Z"),
        ("v", 2),
        ("key_id", "0" * 16),
    ],
)
def test_checkpoint_tampering_detected(signing_key: Any, field: str, value: Any) -> None:
    doc = json.loads(sign_checkpoint("record:42", 5, "a" * 64, NOW, signing_key))
    doc[field] = value
    with pytest.raises(CheckpointError):
        verify_checkpoint(json.dumps(doc), signing_key.public_key())


@pytest.mark.parametrize(
    "document",
    ["not json", "[]", '{"v": 1}', '{"seq": 1.0}', "NaN"],
)
def test_malformed_checkpoints(signing_key: Any, document: str) -> None:
    with pytest.raises(CheckpointError):
        verify_checkpoint(document, signing_key.public_key())


def test_checkpoint_refusals(signing_key: Any) -> None:
    doc = sign_checkpoint("record:42", 5, "a" * 64, NOW, signing_key)
    with pytest.raises(CheckpointError, match="untrusted"):
        verify_checkpoint(doc, generate_signing_key().public_key())
    with pytest.raises(CheckpointError, match="not 'record:7'"):
        verify_checkpoint(doc, signing_key.public_key(), chain_id="record:7")
    extra = json.loads(doc)
    extra["note"] = "x"
    with pytest.raises(CheckpointError, match="fields"):
        verify_checkpoint(json.dumps(extra), signing_key.public_key())
    sig = json.loads(doc)
    sig["sig"] = sig["sig"][:-4] + "AAAA"
    with pytest.raises(CheckpointError, match="signature"):
        verify_checkpoint(json.dumps(sig), signing_key.public_key())
    with pytest.raises(ValueError, match="timezone"):
        sign_checkpoint("c", 1, "a" * 64, datetime(2024, 1, 1), signing_key)  # noqa: DTZ001
    with pytest.raises(ValueError):
        sign_checkpoint("", 1, "a" * 64, NOW, signing_key)
    with pytest.raises(ValueError):
        sign_checkpoint("c", -1, "a" * 64, NOW, signing_key)
    with pytest.raises(ValueError):
        sign_checkpoint("c", 1, "nothex", NOW, signing_key)


def test_key_loading(signing_key: Any) -> None:
    seed = signing_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    import base64

    for form in [seed.hex(), base64.b64encode(seed).decode(), pem, pem.decode()]:
        assert public_key_id(load_signing_key(form)) == public_key_id(signing_key)
    public_text = public_key_to_str(signing_key)
    pub_pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for form in [public_text, pub_pem, signing_key.public_key()]:
        assert public_key_id(load_public_key(form)) == public_key_id(signing_key)
    for bad in ["short", base64.b64encode(b"x" * 31).decode()]:
        with pytest.raises(CheckpointError):
            load_signing_key(bad)
        with pytest.raises(CheckpointError):
            load_public_key(bad)


def test_consistent_rewrite_caught_by_checkpoint(signing_key: Any) -> None:
    original = entries(10)
    rows = build_chain(original)
    cp5 = sign_checkpoint("record:1", 5, rows[4].hash, NOW, signing_key)
    cp10 = sign_checkpoint("record:1", 10, rows[9].hash, NOW + timedelta(hours=1), signing_key)
    keys = [signing_key.public_key()]
    assert verify_against_checkpoints(rows, [cp5, cp10], public_keys=keys, chain_id="record:1").ok

    # A DBA changes row 3 and recomputes every hash from there: the chain is self-consistent.
    forged_contents = [*original[:2], {**original[2], "score": Decimal("10")}, *original[3:]]
    forged = build_chain(forged_contents)
    assert verify_chain(forged).ok
    report = verify_against_checkpoints(forged, [cp5, cp10], public_keys=keys)
    assert not report.ok
    assert report.first_problem.kind is ProblemKind.CHECKPOINT_MISMATCH  # type: ignore[union-attr]
    assert report.first_problem.seq == 5  # type: ignore[union-attr]
    assert report.checkpoints_checked == 2


def test_truncation_caught_by_checkpoint(signing_key: Any) -> None:
    rows = build_chain(entries(10))
    cp = verify_checkpoint(
        sign_checkpoint("record:1", 10, rows[-1].hash, NOW, signing_key), signing_key.public_key()
    )
    report = verify_against_checkpoints(rows[:7], [cp])
    assert verify_chain(rows[:7]).ok
    assert report.first_problem.kind is ProblemKind.TRUNCATED  # type: ignore[union-attr]
    assert report.first_problem.position == 7  # type: ignore[union-attr]
    # Deleting everything is truncation too.
    assert verify_against_checkpoints([], [cp]).first_problem.kind is ProblemKind.TRUNCATED  # type: ignore[union-attr]
    # A checkpointed row missing from the middle.
    gap = rows[:4] + rows[5:]
    kinds = {p.kind for p in verify_against_checkpoints(gap, [cp]).problems}
    assert ProblemKind.MISSING in kinds
    cp5 = verify_checkpoint(
        sign_checkpoint("record:1", 5, rows[4].hash, NOW, signing_key), signing_key.public_key()
    )
    kinds = {p.kind for p in verify_against_checkpoints(gap, [cp5]).problems}
    assert ProblemKind.CHECKPOINT_MISMATCH in kinds


def test_empty_chain_checkpoint(signing_key: Any) -> None:
    cp = verify_checkpoint(
        sign_checkpoint("record:new", 0, GENESIS_HASH, NOW, signing_key), signing_key.public_key()
    )
    assert verify_against_checkpoints([], [cp]).ok
    assert verify_against_checkpoints(build_chain(entries(2)), [cp]).ok


def test_rewrite_after_the_last_checkpoint_is_not_provable(signing_key: Any) -> None:
    """The documented window: rows newer than the newest checkpoint rely on the chain alone."""
    original = entries(10)
    rows = build_chain(original)
    cp = sign_checkpoint("record:1", 5, rows[4].hash, NOW, signing_key)
    forged = build_chain([*original[:7], {"type": "forged"}, *original[8:]])
    assert verify_against_checkpoints(forged, [cp], public_keys=[signing_key.public_key()]).ok


def test_checkpoint_set_validation(signing_key: Any) -> None:
    rows = build_chain(entries(3))
    doc = sign_checkpoint("a", 3, rows[-1].hash, NOW, signing_key)
    other = sign_checkpoint("b", 3, rows[-1].hash, NOW, signing_key)
    keys = [signing_key.public_key()]
    with pytest.raises(ValueError, match="public_keys"):
        verify_against_checkpoints(rows, [doc])
    with pytest.raises(CheckpointError, match="several chains"):
        verify_against_checkpoints(rows, [doc, other], public_keys=keys)
    with pytest.raises(CheckpointError):
        verify_against_checkpoints(rows, [doc], public_keys=keys, chain_id="b")
    conflicting = sign_checkpoint("a", 3, "e" * 64, NOW, signing_key)
    with pytest.raises(CheckpointError, match="disagree"):
        verify_against_checkpoints(rows, [doc, conflicting], public_keys=keys)
    forged = json.loads(doc)
    forged["head_hash"] = "e" * 64
    with pytest.raises(CheckpointError):
        verify_against_checkpoints(rows, [json.dumps(forged)], public_keys=keys)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(2, 20),
    data=st.data(),
)
def test_any_consistent_rewrite_before_a_checkpoint_is_caught(
    size: int, data: st.DataObject
) -> None:
    original = [{"n": n} for n in range(size)]
    rows = build_chain(original)
    key = _PROPERTY_KEY
    checkpoint_seq = data.draw(st.integers(1, size))
    changed = data.draw(st.integers(0, checkpoint_seq - 1))
    cp = verify_checkpoint(
        sign_checkpoint("c", checkpoint_seq, rows[checkpoint_seq - 1].hash, NOW, key),
        key.public_key(),
    )
    forged = build_chain([*original[:changed], {"n": -1}, *original[changed + 1 :]])
    assert verify_chain(forged).ok
    report = verify_against_checkpoints(forged, [cp])
    assert not report.ok
    assert report.first_problem.kind is ProblemKind.CHECKPOINT_MISMATCH  # type: ignore[union-attr]


_PROPERTY_KEY = generate_signing_key()
