"""The home page's work list: what waits for each role, within their scope, with links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.interviews import sessions
from hireflow.notifications.models import OutboxMessage
from hireflow.openings.models import HiringRequest
from hireflow.org.auth import principal_for
from hireflow.web.worklist import work_lists
from tests.conftest import login, make_org, unique
from tests.interviews.factories import make_setup, queue_fixture, storage_fixture  # noqa: F401


def _work(session, user) -> dict[str, object]:
    return {w.key: w for w in work_lists(session, principal_for(user))}


@pytest.fixture
def waiting(session, org, queue, storage):
    """One of each kind of waiting work in dept 0 (owned by the org's recruiter), and the
    same again in another tenant that must never show."""
    made = {}
    for name, where in (("home", org), ("foreign", make_org(session))):
        setup = make_setup(session, where, verified=False)
        interview = sessions.ensure_session(session, setup.invitation)
        interview.status, interview.scored_at = "scored", utcnow()
        setup.invitation.status = "sent"
        setup.invitation.sent_at = utcnow() - timedelta(days=2)
        screened = Candidate(
            tenant_id=where.tenant.id, name=unique("Screened"), email=f"{unique('s')}@example.com"
        )
        screened.applications = [
            Application(
                tenant_id=where.tenant.id,
                opening_id=setup.opening.id,
                screening_status="passed",
                screened_at=utcnow(),
            )
        ]
        session.add(screened)
        session.add(
            OutboxMessage(
                tenant_id=where.tenant.id,
                channel="email",
                kind="generic",
                recipient="nobody@example.invalid",
                recipient_label=screened.name,
                subject="Your interview",
                status="failed",
                related_type="opening",
                related_id=setup.opening.id,
                opening_id=setup.opening.id,
                dedupe_key=unique("failed"),
            )
        )
        dept = where.departments[0]
        for status in ("submitted", "returned"):
            session.add(
                HiringRequest(
                    tenant_id=where.tenant.id,
                    subsidiary_id=dept.subsidiary_id,
                    department_id=dept.id,
                    submitted_by_id=where.users["hiring_manager"].id,
                    title=unique(f"Request {status}"),
                    status=status,
                )
            )
        session.commit()
        made[name] = (setup, interview, screened)
    return made


def test_hr_sees_every_kind_of_waiting_work_of_their_company_only(session, org, waiting):
    work = _work(session, org.users["hr_admin"])
    assert set(work) == {"review", "decide", "unopened", "failed", "requests", "rule_tasks"}
    assert work["rule_tasks"].count == 0  # nothing left by pipeline rules here
    setup, interview, screened = waiting["home"]
    assert (
        work["review"].count == 1 and work["review"].rows[0].href == f"/interviews/{interview.id}"
    )
    assert work["decide"].count == 1 and screened.name in work["decide"].rows[0].label
    assert work["unopened"].count == 1
    assert work["unopened"].rows[0].href == f"/scheduling/invitations/{setup.invitation.id}"
    assert work["failed"].count == 1 and work["requests"].count == 1
    foreign = waiting["foreign"]
    shown = " ".join(r.label + r.detail for w in work.values() for r in w.rows)
    assert foreign[0].candidate.name not in shown and foreign[2].name not in shown


def test_each_role_sees_the_work_it_may_do(session, org, waiting):
    recruiter = _work(session, org.users["recruiter"])
    assert recruiter["review"].count == 1 and recruiter["unopened"].count == 1
    assert "requests" not in recruiter
    manager = _work(session, org.users["hiring_manager"])
    assert set(manager) == {"requests"}  # their own request, returned to them
    assert manager["requests"].count == 1 and "returned" in manager["requests"].href
    for role in ("interviewer", "it_auditor", "candidate", "employee"):
        assert _work(session, org.users[role]) == {}, role


def test_the_home_page_shows_the_work_list_with_links(client, session, org, waiting):
    login(client, org.users["hr_admin"])
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    page = client.get("/").text
    _setup, interview, _screened = waiting["home"]
    assert 'id="work-list"' in page and f'href="/interviews/{interview.id}"' in page
    assert 'data-work="failed" data-count="1"' in page
    login(client, org.users["it_auditor"])
    assert 'id="work-list"' not in client.get("/").text
