"""Production password hashing: the tests hash at a low Argon2 cost (tests/conftest.py), so
the cost the product uses is checked here, on the hasher and dummy hash the module made."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters

from hireflow.core import security
from tests.conftest import PRODUCTION_DUMMY_HASH, PRODUCTION_HASHER


def test_production_hashes_at_argon2s_recommended_cost():
    recommended = PasswordHasher()  # RFC 9106's low-memory profile: t=3, m=64 MiB, p=4
    assert PRODUCTION_HASHER.time_cost >= recommended.time_cost >= 3
    assert PRODUCTION_HASHER.memory_cost >= recommended.memory_cost >= 65536
    assert PRODUCTION_HASHER.parallelism == recommended.parallelism
    assert PRODUCTION_HASHER.type == recommended.type


def test_an_unknown_account_is_checked_against_a_hash_of_the_same_cost():
    # A failed sign-in costs the same with or without an account, in production and here.
    for hasher, dummy in (
        (PRODUCTION_HASHER, PRODUCTION_DUMMY_HASH),
        (security._hasher, security._DUMMY_HASH),
    ):
        made = extract_parameters(dummy)
        real = extract_parameters(hasher.hash("Correct-horse-42"))
        assert made == real
    assert security.verify_password(None, "Correct-horse-42") is False
