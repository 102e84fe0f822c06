"""The capability matrix and scope rules, as plain functions."""

from __future__ import annotations

import pytest

from hireflow.core.errors import Forbidden
from hireflow.core.permissions import MATRIX, Grant, Principal, Role, can, reaches_unit, require


def principal(*grants: Grant) -> Principal:
    return Principal(user_id=1, tenant_id=1, name="x", grants=grants)


def test_it_auditor_never_holds_personal_data_capabilities():
    it = principal(Grant(Role.IT_AUDITOR))
    for capability in ("candidates.read", "candidates.search", "scores.read", "openings.read"):
        assert not can(it, capability)
    assert can(it, "audit.read") and can(it, "techlog.read")


def test_hiring_manager_reads_scores_but_cannot_adjust_them():
    manager = principal(Grant(Role.HIRING_MANAGER, department_id=5))
    assert can(manager, "scores.read") and not can(manager, "scores.adjust")
    assert can(manager, "hiring_requests.submit")


def test_every_role_appears_and_every_capability_has_holders():
    holders = {role for cells in MATRIX.values() for role in cells}
    assert holders == set(Role)
    assert all(MATRIX.values())


def test_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError):
        can(principal(Grant(Role.HR_ADMIN)), "everything")


def test_require_raises_forbidden():
    with pytest.raises(Forbidden):
        require(principal(Grant(Role.EMPLOYEE)), "org.manage")


def test_unit_reach_for_new_objects():
    company = principal(Grant(Role.HR_ADMIN))
    narrowed = principal(Grant(Role.HR_ADMIN, subsidiary_id=2))
    manager = principal(Grant(Role.HIRING_MANAGER, department_id=7))
    assert reaches_unit(company, "users.manage", 9, 9)
    assert reaches_unit(narrowed, "users.manage", 2, None)
    assert not reaches_unit(narrowed, "users.manage", 3, None)
    assert reaches_unit(manager, "hiring_requests.submit", 1, 7)
    assert not reaches_unit(manager, "hiring_requests.submit", 1, 8)
