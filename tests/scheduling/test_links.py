"""Personal interview links: round trip, expiry, tampering, rotation, wrong candidate."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from hireflow.scheduling.links import LinkTokenError, make_link_token, read_link_token
from hireflow.scheduling.timeline import SchedulingError

SECRET = "test-secret-with-enough-entropy-0123456789"
NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=3)


def test_round_trip():
    token = make_link_token(SECRET, "cand-42", "inv-7", DEADLINE, now=NOW)
    claims = read_link_token(SECRET, token, NOW + timedelta(days=1))
    assert (claims.candidate_id, claims.invitation_id, claims.expires_at) == (
        "cand-42",
        "inv-7",
        DEADLINE,
    )
    assert all(ch.isalnum() or ch in "-_." for ch in token)  # safe in a URL path


def test_expired_at_the_deadline():
    token = make_link_token(SECRET, "cand-42", "inv-7", DEADLINE)
    with pytest.raises(LinkTokenError) as err:
        read_link_token(SECRET, token, DEADLINE)
    assert err.value.code == "link_expired"
    assert "过期" in err.value.message("zh-CN") and "expired" in err.value.message("en")
    assert isinstance(err.value, SchedulingError)


def test_tampered_payload_is_rejected():
    token = make_link_token(SECRET, "cand-42", "inv-7", DEADLINE)
    body, _, sig = token.rpartition(".")
    forged = base64.urlsafe_b64encode(
        json.dumps({"c": "cand-43", "i": "inv-7", "e": 4102444800}).encode()
    )
    for bad in (
        forged.decode().rstrip("=") + "." + sig,
        body + "." + sig[:-2] + ("AA" if not sig.endswith("AA") else "BB"),
        token[:-5],
        "",
        "not-a-token",
        "x" * 5000,
    ):
        with pytest.raises(LinkTokenError) as err:
            read_link_token(SECRET, bad, NOW)
        assert err.value.code == "link_invalid"


def test_other_secret_is_rejected_and_rotation_works():
    old = make_link_token("old-secret", "c", "i", DEADLINE)
    with pytest.raises(LinkTokenError, match="link_invalid"):
        read_link_token(SECRET, old, NOW)
    # During rotation both keys verify; the newest (last) signs.
    assert read_link_token(["old-secret", SECRET], old, NOW).candidate_id == "c"
    new = make_link_token(["old-secret", SECRET], "c", "i", DEADLINE)
    assert read_link_token(SECRET, new, NOW).candidate_id == "c"


def test_link_is_bound_to_one_candidate():
    token = make_link_token(SECRET, "cand-42", "inv-7", DEADLINE)
    assert read_link_token(SECRET, token, NOW, candidate_id="cand-42").invitation_id == "inv-7"
    with pytest.raises(LinkTokenError, match="link_wrong_candidate"):
        read_link_token(SECRET, token, NOW, candidate_id="cand-99")


def test_bad_arguments():
    with pytest.raises(LinkTokenError, match="link_expiry_in_past"):
        make_link_token(SECRET, "c", "i", NOW - timedelta(seconds=1), now=NOW)
    with pytest.raises(SchedulingError, match="naive_datetime"):
        make_link_token(SECRET, "c", "i", datetime(2030, 1, 1))  # noqa: DTZ001
    with pytest.raises(SchedulingError, match="naive_datetime"):
        read_link_token(SECRET, "x", datetime(2030, 1, 1))  # noqa: DTZ001
    with pytest.raises(LinkTokenError, match="link_bad_id"):
        make_link_token(SECRET, "", "i", DEADLINE)
    with pytest.raises(LinkTokenError, match="link_bad_id"):
        make_link_token(SECRET, "a b", "i", DEADLINE)
    with pytest.raises(ValueError, match="secret"):
        make_link_token("", "c", "i", DEADLINE)
