"""Property-based run over the whole API schema (schemathesis) as three kinds of user.

Every operation of ``/api/v1/openapi.json`` gets a bounded number of generated requests
against the demo company: as the HR administrator ``HIREFLOW_SCHEMATHESIS_EXAMPLES`` with
valid and as many with schema-violating input, as a recruiter and as a candidate half as many
with valid input (the default 2, which CI keeps, makes 788 requests per database). Each answer
must be no server error, use a documented status code and content type, match the
documented schema, and a schema-violating request must be refused. Failures are collected
over all operations and reported together.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.control import SkipTest
from sqlalchemy import select

from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.demo import create_demo
from hireflow.org.auth import issue_token
from hireflow.org.models import User
from hireflow.records.storage import override_storage

EXAMPLES = int(os.environ.get("HIREFLOW_SCHEMATHESIS_EXAMPLES", "2"))
# Operations whose generated calls would end the caller's own credentials mid-run: each call
# gets a fresh token anyway, so these are exercised too.
ROLES = ("hr_admin", "recruiter", "candidate")
# Generated ids rarely name an existing object, and a schema cannot express "a department of
# this company" or "a password that is strong enough": valid-looking input refused for such
# reasons (404, 409, 422) is correct. Every other built-in check runs.
EXCLUDED_CHECKS = [schemathesis.checks.positive_data_acceptance]


def _failure_texts(exc: BaseException, case) -> set[str]:
    """One line per failed check: its title, its first detail line and the request."""
    parts = list(getattr(exc, "exceptions", None) or [exc])
    found = set()
    for part in parts:
        lines = [line.strip() for line in str(part).splitlines() if line.strip()]
        title = getattr(part, "title", "") or (lines[0] if lines else type(part).__name__)
        detail = next((line for line in lines[1:] if line != title), "")
        request = f"{case.method} {case.formatted_path} q={case.query} body={case.body!r}"[:300]
        found.add(f"{title}: {detail[:200]} <- {request}")
    return found


def bounded(examples: int) -> settings:
    """The Hypothesis settings of each operation's run (bench/schemathesis_modes.py too)."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _exercise(
    operation, mode, headers, failures: dict[str, set[str]], calls: list[int], examples: int
) -> bool:
    """Generate and send bounded examples for one operation, collecting failed checks; True
    when the operation has nothing schema-violating input could break."""
    label = f"{operation.method.upper()} {operation.path}"
    # One mode in the configuration: where no input can break the schema (no body, and no
    # parameter with a constraint to break), schemathesis says so at the first draw (SkipTest)
    # instead of Hypothesis rejecting 459 draws first (50 of 268 operations, over half of the
    # generating time). Every other operation gets the cases both modes configured gave.
    operation.schema.config.generation.update(modes=[mode])

    @bounded(examples)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        calls[0] += 1
        response = case.call(headers=headers())
        try:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # failed checks
            failures[label].update(_failure_texts(exc, case))

    try:
        run()
    except Unsatisfiable:
        pass
    except SkipTest:
        # only schema-violating input can be impossible; valid input always exists
        assert mode is GenerationMode.NEGATIVE, f"{label}: nothing generated for {mode}"
        return True
    return False


@pytest.fixture
def regional_storage(tmp_path):
    """Files of the demo go to a temporary directory per region."""
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage


@pytest.fixture
def demo_users(session, regional_storage) -> dict[str, User]:
    """The demo company (openings, candidates, interviews, records): generated ids that hit
    rows reach the code behind the lookups, not only the 404s."""
    tenant, accounts, _created = create_demo(session)
    emails = {account.role: account.email for account in accounts}
    users = session.scalars(select(User).where(User.tenant_id == tenant.id)).all()
    return {role: next(u for u in users if u.email == email) for role, email in emails.items()}


def test_the_api_honours_its_schema(app, session, demo_users):
    """One demo company for the three runs: building it costs more than a run."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    failures: dict[str, set[str]] = defaultdict(set)
    summary = []
    for role in ROLES:
        user = demo_users[role]
        # The administrator reaches the most code; the others mostly meet refusals. Input
        # that breaks the schema is refused before any role check, so one role tries it.
        examples = EXAMPLES if role == "hr_admin" else max(1, EXAMPLES // 2)
        modes = (
            (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            if role == "hr_admin"
            else (GenerationMode.POSITIVE,)
        )

        def headers(user: User = user) -> dict[str, str]:
            # A fresh token per call: a generated DELETE /auth/token must not end the run.
            raw, _row = issue_token(session, user, "bearer", hours=1)
            session.commit()
            return {"Authorization": f"Bearer {raw}"}

        calls = [0]
        found: dict[str, set[str]] = defaultdict(set)
        unbreakable = sum(
            _exercise(operation, mode, headers, found, calls, examples)
            for operation in operations
            for mode in modes
        )
        line = f"{role}: {calls[0]} requests, {len(found)} operations failing"
        if GenerationMode.NEGATIVE in modes:
            line += f", {unbreakable} of {len(operations)} with nothing input could break"
        summary.append(line)
        for label, messages in found.items():
            failures[f"[{role}] {label}"].update(messages)
    print("schemathesis " + "; ".join(summary))
    report = "\n".join(
        f"{label}: {message}"
        for label, messages in sorted(failures.items())
        for message in messages
    )
    assert not failures, report
