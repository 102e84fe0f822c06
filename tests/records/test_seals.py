"""Every value HR decides on is tamper-evident: verify names the row and the field.

A scored AI interview (report, scores, job match, record entry, record_scores), a screened
application and the candidate's name; each is changed in the database behind the
application's back, and ``verify`` must name the row. Changes through the product (an HR
score override, an erasure) must not trip it.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hireflow.candidates.models import Application
from hireflow.cli import app
from hireflow.core import pii
from hireflow.core.crypto import encrypt_field
from hireflow.interviews import hr, schemas
from hireflow.interviews.models import InterviewReport
from hireflow.org.auth import principal_for
from hireflow.records import service as records
from hireflow.records.integrity import verify
from hireflow.records.models import RecordSeal
from hireflow.scoring.report import Report
from tests.interviews.factories import (  # noqa: F401 - fixtures
    queue_fixture,
    scored_interview,
    storage_fixture,
)

runner = CliRunner()


def _report(session, interview_id: int) -> InterviewReport:
    session.expire_all()
    return session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview_id)
    ).one()


def _screened(session, setup) -> Application:
    application = session.scalars(
        select(Application).where(Application.candidate_id == setup.candidate.id)
    ).first()
    application.screening_status = "pending"
    application.screening_score = 42.0
    application.screening = {"rules": [{"id": "degree", "ok": False}]}
    session.commit()
    return application


def _problems(session, tenant_id: int) -> set[tuple[str, str]]:
    session.expire_all()
    report = verify(session, tenant_id=tenant_id)
    return {(p.chain, p.kind) for p in report.problems}


def _tamper(session, statement: str, **params) -> None:
    session.execute(text(statement), params)


TAMPERS = {
    "job_match": (
        "UPDATE interview_reports SET job_match = 99.9 WHERE id = :report",
        {("interview_report:{report}", "altered"), ("interview_report:{report}", "chain_mismatch")},
    ),
    "scores": (
        "UPDATE interview_reports SET scores = :scores WHERE id = :report",
        {("interview_report:{report}", "altered"), ("interview_report:{report}", "chain_mismatch")},
    ),
    "body": (
        "UPDATE interview_reports SET body = :body WHERE id = :report",
        {("interview_report:{report}", "altered")},
    ),
    "screening_score": (
        "UPDATE applications SET screening_score = 100 WHERE id = :application",
        {("application:{application}", "altered")},
    ),
    "screening_status": (
        "UPDATE applications SET screening_status = 'passed' WHERE id = :application",
        {("application:{application}", "altered")},
    ),
    "record_scores": (
        "UPDATE record_scores SET score = 9.9 WHERE person_id = :person",
        {("person:{person}", "scores_index")},
    ),
    "record_scores_deleted": (
        "DELETE FROM record_scores WHERE person_id = :person",
        {("person:{person}", "scores_index")},
    ),
    "name": (
        "UPDATE candidates SET name = 'Somebody Else' WHERE id = :person",
        {("candidate:{person}", "altered")},
    ),
    "seal_deleted": (
        "DELETE FROM record_seals WHERE subject = 'interview_report' AND subject_id = :report",
        {("interview_report:{report}", "unsealed")},
    ),
    "seal_moved_to_another_person": (
        "UPDATE record_seals SET person_id = person_id + 100000 "
        "WHERE subject = 'candidate' AND subject_id = :person",
        {("candidate:{person}", "seal_altered")},
    ),
    "erasure_faked": (
        "UPDATE record_seals SET salt = NULL, erased_at = CURRENT_TIMESTAMP "
        "WHERE subject = 'candidate' AND subject_id = :person",
        {("candidate:{person}", "seal_altered")},
    ),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_a_decision_value_changed_in_the_database_is_named(
    session, db, org, queue, storage, tamper
):
    setup, interview = scored_interview(session, db, org)
    application = _screened(session, setup)
    row = _report(session, interview.id)
    ids = {"report": row.id, "application": application.id, "person": setup.candidate.id}
    assert _problems(session, org.tenant.id) == set()

    statement, expected = TAMPERS[tamper]
    params = dict(ids)
    if tamper == "scores":
        params["scores"] = json.dumps(dict.fromkeys(row.scores, 9.5))
    if tamper == "body":
        forged = Report.from_json(row.body).to_json().replace('"job_match"', '"job_match_"', 1)
        params["body"] = encrypt_field(forged, pii.keyring(), "interview_reports.body")
    _tamper(session, statement, **{k: v for k, v in params.items() if f":{k}" in statement})
    assert _problems(session, org.tenant.id) == {
        (chain.format(**ids), kind) for chain, kind in expected
    }


def test_verify_command_names_the_row(session, db, org, queue, storage):
    _setup, interview = scored_interview(session, db, org)
    row = _report(session, interview.id)
    ok = runner.invoke(app, ["verify", "--tenant", org.tenant.slug, "--no-checkpoints", "--files"])
    assert ok.exit_code == 0 and "intact" in ok.output, ok.output
    _tamper(session, "UPDATE interview_reports SET job_match = 99.9 WHERE id = :r", r=row.id)
    bad = runner.invoke(
        app, ["verify", "--tenant", org.tenant.slug, "--no-checkpoints", "--files", "--json"]
    )
    assert bad.exit_code == 1
    found = json.loads(bad.output.strip().splitlines()[-1])["problems"]
    assert {(p["chain"], p["kind"]) for p in found} >= {(f"interview_report:{row.id}", "altered")}
    assert any("job_match" in p["message"] for p in found)


def test_hr_override_and_rescreening_are_sealed_not_flagged(session, db, org, queue, storage):
    setup, interview = scored_interview(session, db, org)
    application = _screened(session, setup)
    ai = Report.from_json(_report(session, interview.id).body)
    dim = max((d for d in ai.dimensions if d.assessed), key=lambda d: (d.score, d.id))
    hr.adjust_score(
        session,
        principal_for(org.users["recruiter"]),
        interview.id,
        schemas.AdjustIn(dimension_id=dim.id, score=2.5, reason="例子不具体"),
    )
    application.screening_score = 77.0
    application.screening_status = "passed"
    session.commit()
    row = _report(session, interview.id)
    assert row.final_scores[dim.id] == 2.5
    assert _problems(session, org.tenant.id) == set()
    # the final values are sealed too
    _tamper(session, "UPDATE interview_reports SET final_job_match = 99 WHERE id = :r", r=row.id)
    assert (f"interview_report:{row.id}", "altered") in _problems(session, org.tenant.id)


def test_erasure_is_accepted_only_when_recorded(session, db, org, queue, storage):
    setup, interview = scored_interview(session, db, org)
    _screened(session, setup)
    seal = session.scalars(
        select(RecordSeal).where(
            RecordSeal.subject == "candidate", RecordSeal.subject_id == setup.candidate.id
        )
    ).one()
    assert seal.salt and "name" in seal.macs
    records.erase_person(session, principal_for(org.users["hr_admin"]), setup.candidate.id)
    assert _problems(session, org.tenant.id) == set()
    session.expire_all()
    for subject in session.scalars(
        select(RecordSeal).where(RecordSeal.person_id == setup.candidate.id)
    ):
        # the salt is gone: the seal can no longer confirm a guessed name
        assert subject.salt is None and subject.erased_at is not None
        assert not {"name", "body", "final_body", "screening"} & set(subject.macs)
    # the scores stay sealed after the erasure
    row = _report(session, interview.id)
    _tamper(session, "UPDATE interview_reports SET job_match = 1 WHERE id = :r", r=row.id)
    assert (f"interview_report:{row.id}", "altered") in _problems(session, org.tenant.id)


def test_an_erasure_without_its_entry_is_flagged(session, db, org, queue, storage):
    setup, _interview = scored_interview(session, db, org)
    records.erase_person(session, principal_for(org.users["hr_admin"]), setup.candidate.id)
    assert _problems(session, org.tenant.id) == set()
    # the erasure entry leaves the chain: the chain breaks and the seals lose their backing
    _tamper(
        session,
        "UPDATE record_entries SET type = 'note' WHERE person_id = :p AND type = 'erasure'",
        p=setup.candidate.id,
    )
    found = _problems(session, org.tenant.id)
    assert (f"candidate:{setup.candidate.id}", "erasure_unrecorded") in found
    assert any(chain == f"person:{setup.candidate.id}" for chain, _ in found)


def test_the_record_badge_shows_an_altered_score(client, session, db, org, queue, storage):
    from hireflow.records.integrity import verify_person
    from tests.conftest import login

    setup, interview = scored_interview(session, db, org)
    person = setup.candidate.id
    assert verify_person(session, person).ok
    row = _report(session, interview.id)
    _tamper(session, "UPDATE interview_reports SET job_match = 99.9 WHERE id = :r", r=row.id)
    found = verify_person(session, person)
    assert not found.ok
    assert {(p.chain, p.kind) for p in found.problems} >= {
        (f"interview_report:{row.id}", "altered")
    }
    login(client, org.users["hr_admin"])
    page = client.get(f"/records/{person}")
    assert page.status_code == 200 and 'id="integrity-badge" data-ok="0"' in page.text
    explained = client.get(f"/records/{person}/verify")
    assert "job_match was changed outside the application" in explained.text
