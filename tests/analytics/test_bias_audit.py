"""The bias audit: voluntary self-identification after the AI interview and selection rates
and impact ratios per category over real pipeline moves and real reports, with suppression,
unknowns, bad input, scope, erasure, and proof that no score reads the answers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import grimp
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from hireflow.analytics import bias_audit, self_identification
from hireflow.analytics.bias_audit import INTERSECTION, _category, _Person
from hireflow.analytics.models import SelfIdentification
from hireflow.analytics.queries import Filters
from hireflow.analytics.self_identification import AnswersIn, SettingsIn
from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.core.settings import get_settings
from hireflow.interviews import candidate as interview_candidate
from hireflow.interviews import pipeline
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.records import service as records_service
from hireflow.scheduling.links import make_link_token
from hireflow.scheduling.models import Invitation
from hireflow.workflow import service
from hireflow.workflow.service import MoveRequest
from tests.conftest import bearer, login, make_org
from tests.interviews.factories import ANSWERS_ZH, TAB, answer_all, make_setup, started
from tests.workflow.factories import apply, make_opening, principal

ROUND = ["screened", "ai_interview", "round_1"]
HIRED = [*ROUND, "offer", "hired"]


@pytest.fixture
def org(session):
    return make_org(session)


def _walk(session, hr, application, keys):
    version = 0
    start = utcnow() - timedelta(days=20)
    for n, key in enumerate(keys):
        position = service.move(
            session,
            hr,
            application.id,
            MoveRequest(to=key, version=version),
            now=start + timedelta(days=n + 1),
        )
        version = position.version


def _assessed(session, org, opening, job_match, answers=None, walk=()):
    """An application the AI interview assessed: a submitted interview with a report whose
    job match is ``job_match``; the person's answers (through the service) and pipeline moves."""
    application = apply(session, org, opening)
    now = utcnow()
    invitation = Invitation(
        tenant_id=org.tenant.id,
        opening_id=opening.id,
        candidate_id=application.candidate_id,
        kind="ai",
        status="completed",
        language="en",
        deadline=now + timedelta(days=3),
        sent_at=now,
    )
    session.add(invitation)
    session.flush()
    interview = InterviewSession(
        tenant_id=org.tenant.id,
        opening_id=opening.id,
        candidate_id=application.candidate_id,
        invitation_id=invitation.id,
        status="scored",
        deadline=invitation.deadline,
        submitted_at=now,
        scored_at=now,
    )
    session.add(interview)
    session.flush()
    session.add(
        InterviewReport(
            tenant_id=org.tenant.id,
            interview_id=interview.id,
            body="{}",
            sha256="0" * 64,
            engine_version="test",
            scores={},
            job_match=job_match,
        )
    )
    session.commit()
    if answers is not None:
        self_identification.submit(session, invitation, AnswersIn(**answers))
    if walk:
        _walk(session, principal(session, org, "hr_admin"), application, list(walk))
    return application


@pytest.fixture
def audited(session, org):
    """48 assessed applications to one opening (bar 7.0, so job match 70 %):

    - 20 men, Asian, 30-39: 10 at 80 % who reached round 1 (5 of them hired), 10 at 50 %;
    - 20 women (10 White, 10 Black), age declined: 6 at 80 % who reached round 1 (3 and 3),
      14 at 50 %; none hired;
    - 2 Hispanic or Latino who declined sex, at 50 %;
    - 6 who never answered, at 50 %;
    and one application without a report (not assessed)."""
    opening = make_opening(session, org)
    man = {"sex": "male", "race": "asian", "age_band": "30_39"}
    for n in range(20):
        walk = (HIRED if n < 5 else ROUND) if n < 10 else ()
        _assessed(session, org, opening, 80.0 if n < 10 else 50.0, man, walk)
    for n in range(20):
        race = "white" if n % 2 else "black"
        woman = {"sex": "female", "race": race, "age_band": "declined"}
        _assessed(session, org, opening, 80.0 if n < 6 else 50.0, woman, ROUND if n < 6 else ())
    for _n in range(2):
        hispanic = {"sex": "declined", "race": "hispanic_latino", "age_band": "declined"}
        _assessed(session, org, opening, 50.0, hispanic)
    for _n in range(6):
        _assessed(session, org, opening, 50.0)
    apply(session, org, opening)
    session.commit()
    return opening


def _groups(found, category):
    return {g.group: g for g in found.groups if g.category == category}


def test_rates_and_impact_ratios_on_a_constructed_pipeline(session, org, audited):
    hr = principal(session, org, "hr_admin")
    found = bias_audit.audit(session, hr, Filters(opening_id=audited.id))
    assert found.assessed == 48  # the application without a report is not assessed
    sex = _groups(found, "sex")
    assert sex["male"].assessed == 20 and sex["female"].assessed == 20
    # the AI's recommendation: 10/20 men, 6/20 women -> 0.6 of the men's rate, flagged
    male, female = sex["male"].cells, sex["female"].cells
    assert male["ai_recommended"].rate == 0.5 and male["ai_recommended"].impact_ratio == 1.0
    assert female["ai_recommended"].selected == 6 and female["ai_recommended"].rate == 0.3
    assert female["ai_recommended"].impact_ratio == pytest.approx(0.6)
    assert (
        female["ai_recommended"].below_four_fifths and not male["ai_recommended"].below_four_fifths
    )
    # the pipeline's outcomes, from the stage moves
    assert male["advanced"].selected == 10 and female["advanced"].selected == 6
    assert male["interview_round"].rate == 0.5 and female["interview_round"].impact_ratio == 0.6
    assert male["hired"].selected == 5 and male["hired"].rate == 0.25
    assert female["hired"].selected == 0 and female["hired"].impact_ratio == 0.0
    assert female["hired"].below_four_fifths
    # scoring rate: above the median job match (50 %)
    assert male["above_median"].rate == 0.5 and female["above_median"].rate == 0.3
    # both groups are under 30: flagged as small samples
    assert sex["male"].small_sample and sex["female"].small_sample
    # intersectional categories
    both = _groups(found, INTERSECTION)
    assert both["male+asian"].assessed == 20 and both["female+white"].assessed == 10
    assert both["female+white"].cells["advanced"].selected is None  # 3: hidden
    assert both["female+asian"].assessed == 0


def test_unknowns_are_reported_apart_and_never_in_a_ratio(session, org, audited):
    found = bias_audit.audit(session, principal(session, org, "hr_admin"), Filters())
    sex = _groups(found, "sex")
    # 6 never answered + 2 declined
    assert sex["unknown"].assessed == 8
    assert sex["unknown"].cells["ai_recommended"].rate == 0.0
    assert all(cell.impact_ratio is None for cell in sex["unknown"].cells.values())
    assert _groups(found, "age_band")["unknown"].assessed == 28
    assert _groups(found, "age_band")["30_39"].assessed == 20


def test_small_counts_are_hidden_so_nobody_is_singled_out(session, org, audited):
    found = bias_audit.audit(session, principal(session, org, "hr_admin"), Filters())
    race = _groups(found, "race")
    assert race["hispanic_latino"].suppressed and race["hispanic_latino"].assessed is None
    assert all(
        c.selected is None and c.rate is None for c in race["hispanic_latino"].cells.values()
    )
    # one hidden count alone would be the total minus the others: the next smallest goes too
    assert race["unknown"].suppressed and race["unknown"].assessed is None
    assert race["white"].assessed == 10
    # 3 of 10 recommended: the count and the rate that would reveal it are hidden
    white = race["white"].cells["ai_recommended"]
    assert white.selected is None and white.rate is None and white.impact_ratio is None
    assert race["asian"].cells["ai_recommended"].impact_ratio == 1.0
    table = bias_audit.as_dict(found)
    hidden = next(g for g in table["groups"] if g["group"] == "hispanic_latino")
    assert hidden["assessed"] is None and hidden["outcomes"]["hired"]["selected"] is None


def test_tiny_groups_are_reported_but_never_the_reference():
    """A group under 2 % of the known data with the highest rate is not what others are
    compared with (the LL144 rules allow leaving it out)."""
    people = [_Person(i, {"hired"}, {"sex": "female"}) for i in range(5)]
    people += [
        _Person(100 + i, {"hired"} if i < 150 else set(), {"sex": "male"}) for i in range(300)
    ]
    found = {g.group: g for g in _category("sex", ["male", "female"], people)}
    assert found["female"].excluded and found["female"].cells["hired"].rate == 1.0
    assert found["female"].cells["hired"].impact_ratio is None
    assert found["male"].cells["hired"].impact_ratio == 1.0  # the reference is 0.5, not 1.0
    assert not found["male"].small_sample and found["female"].small_sample


def test_the_period_and_the_category_set_shape_the_audit(session, org, audited):
    hr = principal(session, org, "hr_admin")
    future = utcnow().date() + timedelta(days=5)
    assert bias_audit.audit(session, hr, Filters(start=future)).assessed == 0
    self_identification.set_category_set(session, hr, SettingsIn(category_set="cn"))
    found = bias_audit.audit(session, hr, Filters())
    assert {g.category for g in found.groups} == {"sex", "age_band"}  # no race in China's set
    with pytest.raises(ValidationFailed):
        self_identification.set_category_set(session, hr, SettingsIn(category_set="mars"))
    with pytest.raises(Forbidden):
        self_identification.set_category_set(
            session, principal(session, org, "recruiter"), SettingsIn(category_set="ll144")
        )


def test_only_hr_administrators_of_the_company_see_the_audit(session, org, audited, client):
    for role in ("recruiter", "hiring_manager", "interviewer", "it_auditor"):
        with pytest.raises(Forbidden):
            bias_audit.audit(session, principal(session, org, role), Filters())
    stranger = principal(session, make_org(session), "hr_admin")
    with pytest.raises(NotFound):
        bias_audit.audit(session, stranger, Filters(opening_id=audited.id))
    assert bias_audit.audit(session, stranger, Filters()).assessed == 0
    headers = bearer(client, org.users["recruiter"])
    assert client.get("/api/v1/analytics/bias-audit", headers=headers).status_code == 403
    headers = bearer(client, org.users["interviewer"])
    assert client.get("/api/v1/analytics/bias-audit", headers=headers).status_code == 403
    assert client.get("/api/v1/analytics/bias-audit").status_code == 401
    login(client, org.users["recruiter"])
    assert client.get("/analytics/bias-audit").status_code == 403
    assert client.get("/analytics/bias-audit/export?format=csv").status_code == 403
    assert "/analytics/bias-audit" not in client.get("/analytics").text  # not in the menu


def test_the_page_api_and_exports_show_groups_never_a_person(session, org, audited, client):
    headers = bearer(client, org.users["hr_admin"])
    api = client.get(f"/api/v1/analytics/bias-audit?opening={audited.id}", headers=headers)
    assert api.status_code == 200
    body = api.json()
    assert body["assessed"] == 48 and body["thresholds"]["four_fifths"] == 0.8
    female = next(g for g in body["groups"] if g["category"] == "sex" and g["group"] == "female")
    assert female["outcomes"]["ai_recommended"]["impact_ratio"] == pytest.approx(0.6)
    assert (
        client.get("/api/v1/analytics/bias-audit?start=2026-02-30", headers=headers).status_code
        == 422
    )
    login(client, org.users["hr_admin"])
    page = client.get(f"/analytics/bias-audit?opening={audited.id}")
    assert page.status_code == 200
    assert 'id="audit-table"' in page.text and 'data-chart="bias_audit"' in page.text
    assert "not a legal conclusion" in page.text
    names = session.scalars(select(SelfIdentification.candidate_id)).all()
    assert names and not any(f"/candidates/{cid}" in page.text for cid in names)
    exported = client.get(f"/analytics/bias-audit/export?format=csv&opening={audited.id}")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Category", "Group", "Outcome", "Assessed"]
    recommended = [r for r in rows if r[1] == "Female" and r[2].startswith("Recommended")]
    assert (
        recommended[0][3:7] == ["20", "6", "30.0%", "0.60"] and "four-fifths" in recommended[0][7]
    )
    book = load_workbook(io.BytesIO(client.get("/analytics/bias-audit/export?format=xlsx").content))
    assert book.active.title == "bias_audit" and book.active.max_row == len(rows)
    assert client.get("/analytics/bias-audit/export?format=pdf").status_code == 404
    bad = client.get("/analytics/bias-audit?start=2026-05-02&end=2026-05-01")
    assert bad.status_code == 422 and 'id="audit-error"' in bad.text
    changed = client.post("/analytics/bias-audit/settings", data={"category_set": "nowhere"})
    assert changed.status_code == 422
    # in Chinese too (the explanation's numbers are formatted into the translation)
    org.users["hr_admin"].language = "zh-CN"
    session.commit()
    chinese = client.get("/analytics/bias-audit")
    assert chinese.status_code == 200 and "不是法律结论" in chinese.text
    assert "小于 5 的计数不显示" in chinese.text and "不足 2% 的群体" in chinese.text
    # no staff page shows what one person answered: the audit trail says "answered", not what
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "analytics.self_identified")
    ).all()
    assert len(entries) == 42 and all(not e.new_values for e in entries)


# --------------------------------------------------------------------------- the candidate


def _submitted(session, org):
    setup = make_setup(session, org, language="en")
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_ZH)
    interview_candidate.submit(session, interview, TAB)
    return setup, interview


def _csrf(page_text):
    return page_text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_the_candidate_answers_once_after_the_interview(session, org, client):
    setup, _interview = _submitted(session, org)
    url = f"/i/{setup.token}/self-identification"
    # without the identity check's cookie: back to the link's first page
    assert client.get(url, follow_redirects=False).status_code == 303
    client.cookies.set(*setup.cookie)
    page = client.get(url)
    assert page.status_code == 200 and 'id="selfid-form"' in page.text
    assert "Race/ethnicity" in page.text and "Prefer not to say" in page.text
    token = _csrf(page.text)
    bad = client.post(
        url, data={"sex": "robot", "race": "asian", "age_band": "30_39", "csrf_token": token}
    )
    assert bad.status_code == 422 and 'id="selfid-error"' in bad.text
    assert session.scalar(select(SelfIdentification.id)) is None
    sent = client.post(
        url,
        data={"sex": "female", "race": "asian", "age_band": "declined", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    stored = session.scalar(select(SelfIdentification))
    assert (stored.sex, stored.race, stored.age_band) == ("female", "asian", "declined")
    # encrypted at rest: the raw column holds no answer
    raw = (
        session.connection()
        .exec_driver_sql("SELECT sex, race FROM analytics_self_identifications")
        .one()
    )
    assert "female" not in raw[0] and "asian" not in raw[1]
    # a second submission is refused and changes nothing
    again = client.post(
        url, data={"sex": "male", "race": "white", "age_band": "30_39", "csrf_token": token}
    )
    assert again.status_code == 409
    session.expire_all()
    assert session.scalar(select(SelfIdentification)).sex == "female"
    assert 'id="selfid-done"' in client.get(url).text


def test_the_questions_wait_for_the_interview_and_a_dead_link_is_refused(session, org, client):
    setup = make_setup(session, org, language="en")
    started(session, setup)
    client.cookies.set(*setup.cookie)
    url = f"/i/{setup.token}/self-identification"
    assert client.get(url, follow_redirects=False).status_code == 303  # not submitted yet
    with pytest.raises(NotFound):
        self_identification.submit(session, setup.invitation, AnswersIn(sex="male"))
    # a withdrawn invitation, an expired link
    done, _interview = _submitted(session, org)
    done.invitation.status = "cancelled"
    session.commit()
    client.cookies.set(*done.cookie)
    assert client.get(f"/i/{done.token}/self-identification").status_code == 410
    expired = make_link_token(
        get_settings().secret_key,
        str(setup.candidate.id),
        str(setup.invitation.id),
        utcnow() - timedelta(days=1),
    )
    assert client.get(f"/i/{expired}/self-identification").status_code == 410
    assert client.get("/i/not-a-token/self-identification").status_code == 404


def test_a_regional_set_refuses_questions_it_does_not_ask(session, org):
    setup, _interview = _submitted(session, org)
    hr = principal(session, org, "hr_admin")
    self_identification.set_category_set(session, hr, SettingsIn(category_set="cn"))
    with pytest.raises(ValidationFailed) as refused:
        self_identification.submit(
            session, setup.invitation, AnswersIn(sex="male", race="asian", age_band="30_39")
        )
    assert refused.value.fields == {"race": "unknown"}
    self_identification.submit(session, setup.invitation, AnswersIn(sex="male", age_band="30_39"))
    assert session.scalar(select(SelfIdentification.category_set)) == "cn"


def test_scoring_never_reads_the_self_identification(session, db, org):
    """The candidate answers before the report is made; the whole scoring pipeline runs and
    no statement it sends touches the table, and no scoring module imports it."""
    setup, interview = _submitted(session, org)
    self_identification.submit(
        session, setup.invitation, AnswersIn(sex="female", race="black", age_band="50_59")
    )
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert pipeline.score(db, interview.id) == "scored"
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert any("interview_reports" in s for s in statements)  # the listener saw the pipeline
    assert not any("analytics_self_identifications" in s for s in statements)
    graph = grimp.build_graph("hireflow")
    readers = {
        m
        for target in ("hireflow.analytics.models", "hireflow.analytics.self_identification")
        for m in graph.find_modules_that_directly_import(target)
    }
    allowed = ("hireflow.analytics.", "hireflow.models", "hireflow.migrations")
    assert all(m.startswith(allowed) for m in readers), readers
    for domain in ("hireflow.scoring", "hireflow.interviews", "hireflow.workflow"):
        assert not graph.chain_exists(
            importer=domain, imported="hireflow.analytics", as_packages=True
        )


def test_erasure_deletes_the_answers(session, org):
    setup, _interview = _submitted(session, org)
    self_identification.submit(
        session, setup.invitation, AnswersIn(sex="male", race="white", age_band="60_plus")
    )
    hr = principal(session, org, "hr_admin")
    report = records_service.erase_person(session, hr, setup.candidate.id)
    assert any(line.startswith("analytics") for line in report.hooks)
    assert session.scalar(select(SelfIdentification.id)) is None
