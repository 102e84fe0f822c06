"""Predictive validity's data version (``core.versions``): every writer of an input of a kept
answer — reports and their scores, HR's adjustments, hires, outcomes (ratings, probation,
leaving), the openings' models and places, model versions — moves the company's version in
its own transaction, through each service that writes them, the people import, an erasure,
the sample and demo data and the bench's generator; nothing else's version moves, a rolled
back write moves nothing, and no code writes those tables around the ORM without bumping."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from hireflow.analytics import validity_sample
from hireflow.candidates import profiles
from hireflow.candidates.models import PerformanceRating
from hireflow.core import versions
from hireflow.core.settings import get_settings
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.models import InterviewReport, ScoreAdjustment
from hireflow.offers import outcomes, portal
from hireflow.offers import schemas as offer_schemas
from hireflow.offers.models import Employee
from hireflow.openings import service as openings
from hireflow.openings import versions as model_versions
from hireflow.openings.competency import competency_model_of
from hireflow.openings.models import CompetencyModelVersion, Opening
from hireflow.openings.schemas import OpeningUpdate
from hireflow.org.auth import principal_for
from hireflow.records import service as records
from hireflow.records.storage import override_storage
from tests.conftest import bearer, make_org
from tests.interviews.factories import (  # noqa: F401 - fixtures
    queue_fixture,
    scored_interview,
    storage_fixture,
)
from tests.offers.factories import sent_offer
from tests.workflow.factories import apply, make_opening

ROOT = Path(__file__).resolve().parents[2]


def _version(session, tenant_id):
    return versions.current(session, tenant_id, versions.VALIDITY)


@contextmanager
def moves(session, org, *others):
    """The block moves ``org``'s version and no other company's."""
    before = _version(session, org.tenant.id)
    theirs = [_version(session, o.tenant.id) for o in others]
    yield
    session.commit()
    assert _version(session, org.tenant.id) > before
    assert [_version(session, o.tenant.id) for o in others] == theirs


@contextmanager
def stays(session, org):
    before = _version(session, org.tenant.id)
    yield
    session.commit()
    assert _version(session, org.tenant.id) == before


@pytest.fixture
def regional(tmp_path):
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage


def _hired(session, org):
    offer, _ = sent_offer(session, org, name="Sun Li")
    answer = offer_schemas.AnswerIn(accept=True, typed_name="Sun Li")
    portal.answer(session, get_settings(), offer, answer, "203.0.113.9")
    return session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()


def test_a_hire_and_its_outcomes_move_the_version(session, org, regional):
    stranger = make_org(session)
    session.commit()
    with moves(session, org, stranger):
        employee = _hired(session, org)
    hr = principal_for(org.users["hr_admin"])
    person = employee.person_id
    rating = offer_schemas.EmployeeRatingIn(period="2026-H1", rating=4)
    with moves(session, org, stranger):
        outcomes.record_rating(session, hr, person, rating)
    with moves(session, org, stranger):  # the same period again: the rating replaced
        outcomes.record_rating(session, hr, person, rating.model_copy(update={"rating": 2}))
    with moves(session, org, stranger):
        outcomes.set_probation(session, hr, person, offer_schemas.ProbationIn(result="passed"))
    left = employee.start_date + timedelta(days=200)
    with moves(session, org, stranger):
        outcomes.set_leaving(
            session, hr, person, offer_schemas.LeavingIn(left_on=left, reason="resigned")
        )
    with moves(session, org, stranger):  # an internal candidate's rating (SPEC C6)
        profiles.record_rating(session, hr, person, "2025-H2", 3.5)
    with moves(session, org, stranger):  # erasure deletes the ratings in bulk
        records.erase_person(session, hr, person)
    assert (
        session.scalars(
            select(PerformanceRating).where(PerformanceRating.candidate_id == person)
        ).all()
        == []
    )


def test_reports_adjustments_and_erasure_move_the_version(session, db, org, queue, storage):
    before = _version(session, org.tenant.id)
    setup, interview = scored_interview(session, db, org)  # the pipeline writes the report
    assert _version(session, org.tenant.id) > before
    report = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).one()
    dimension = next(iter(report.scores))
    hr = principal_for(org.users["hr_admin"])
    adjust = interview_schemas.AdjustIn(dimension_id=dimension, score=2.5, reason="例子不具体")
    with moves(session, org):
        interview_hr.adjust_score(session, hr, interview.id, adjust)
    assert session.scalars(
        select(ScoreAdjustment).where(ScoreAdjustment.interview_id == interview.id)
    ).all()
    with moves(session, org):  # the report's scores are blanked with the person
        records.erase_person(session, hr, setup.candidate.id)


def test_the_openings_model_place_and_versions_move_it_and_a_title_does_not(session, org):
    opening = make_opening(session, org)
    session.commit()
    hr = principal_for(org.users["hr_admin"])
    with stays(session, org):
        openings.update_opening(session, hr, opening.id, OpeningUpdate(title="Renamed"))
    other = org.departments[1].id
    with moves(session, org):
        openings.update_opening(session, hr, opening.id, OpeningUpdate(department_id=other))
    dimensions = competency_model_of(opening).dimensions
    model = model_versions.weighted_model(
        opening, {d.id: float(n + 1) for n, d in enumerate(dimensions)}
    )
    with moves(session, org):
        added = model_versions.add_version(session, hr, opening.id, model, "validity")
    with moves(session, org):
        model_versions.activate(session, hr, opening.id, added.number)
    with moves(session, org):  # back to the first version
        model_versions.activate(session, hr, opening.id, 1)
    assert session.get(CompetencyModelVersion, added.id).active is False


def test_the_people_import_moves_the_version(client, session, org):
    from tests.integrations.test_people_import import _employee, _post
    from tests.integrations.test_transfer import _xlsx

    employee = _employee(session, org, "VV" + str(org.tenant.id)[-8:])
    admin = bearer(client, org.users["hr_admin"])
    body = _xlsx([["工号", "入职日期"], [employee.employee_number, "2026/3/2"]])
    with moves(session, org):
        done = _post(client, admin, "employees", "hr.xlsx", body, mapping="beisen", dry_run=False)
        assert done.status_code == 200, done.text
    session.expire_all()
    assert session.get(Employee, employee.id).start_date == date(2026, 3, 2)


@pytest.mark.slow
def test_the_demo_data_moves_the_version(session, regional):
    from hireflow.candidates import demo as candidates_demo
    from hireflow.demo import create_demo
    from hireflow.openings import demo as openings_demo

    tenant, _accounts, _created = create_demo(session)
    assert _version(session, tenant.id) > 0  # its openings, interviews, hires, ratings
    session.execute(
        delete(PerformanceRating)
        .where(PerformanceRating.tenant_id == tenant.id)
        .execution_options(versions_tenant=tenant.id)
    )
    session.commit()
    before = _version(session, tenant.id)
    openings_demo.add_demo(session, tenant)
    candidates_demo.add_demo(session, tenant)  # the internal candidate's ratings again
    session.commit()
    assert session.scalars(
        select(PerformanceRating).where(PerformanceRating.tenant_id == tenant.id)
    ).all()
    assert _version(session, tenant.id) > before


def test_sample_and_bench_data_move_the_version(session, org, monkeypatch):
    opening = make_opening(session, org)
    second = make_opening(session, org, dept_index=2)
    session.commit()
    with moves(session, org):
        validity_sample.generate(session, opening.id, people=12, today=date(2026, 12, 1))
    # the bench's generator writes with COPY (PostgreSQL) or the driver's executemany
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import analytics_data

    company = (
        org.tenant,
        org.users["hr_admin"],
        [opening.id, second.id],
        [opening.department_id, second.department_id],
    )
    monkeypatch.setattr(analytics_data, "_company", lambda *_: company)
    with moves(session, org):
        made = analytics_data.populate(session, 60, 2)
    assert made["reports"] > 0


def test_only_writes_of_inputs_committed_move_it(session, org):
    person = apply(session, org, make_opening(session, org)).candidate
    session.commit()
    rating = PerformanceRating(
        tenant_id=org.tenant.id, candidate_id=person.id, period="X", rating=3
    )
    with stays(session, org):  # rolled back: nothing moved
        session.add(rating)
        session.flush()
        session.rollback()
    with stays(session, org):  # a table validity does not read
        person.name = "Renamed"
    with moves(session, org):  # a bulk statement naming its company
        session.execute(
            update(PerformanceRating)
            .where(PerformanceRating.candidate_id == person.id)
            .values(rating=4)
            .execution_options(versions_tenant=org.tenant.id)
        )
    stranger = make_org(session)
    session.commit()
    nothing = update(PerformanceRating).where(PerformanceRating.id == -1).values(rating=4)
    with moves(session, stranger):  # one naming none: every company's moves (when in doubt)
        session.execute(nothing)
    with moves(session, org):
        session.execute(nothing)


def test_the_inputs_are_marked_and_no_write_goes_around_the_orm():
    """Every table validity reads is marked; SQL text writing one of them (COPY, INSERT,
    UPDATE, DELETE, outside the migrations) sits in a file that bumps the version itself."""
    marked = {model for model, (topic, _) in versions._VERSIONED.items() if topic == "validity"}
    inputs = {InterviewReport, ScoreAdjustment, Employee, PerformanceRating, Opening}
    assert inputs | {CompetencyModelVersion} <= marked
    names = "|".join(sorted(m.__tablename__ for m in marked))
    raw = re.compile(rf"\b(COPY|INSERT INTO|UPDATE|DELETE FROM)\s+({names})\b", re.IGNORECASE)
    tables = re.compile(rf"\b({'|'.join(m.__name__ for m in marked)})\.__table__\b")
    offenders = []
    for path in [
        *ROOT.glob("hireflow/**/*.py"),
        *ROOT.glob("bench/*.py"),
        *ROOT.glob("scripts/*.py"),
    ]:
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        writes = [m for m in raw.finditer(text) if not _in_prose(text, m.start())]
        writes += [m for m in tables.finditer(text) if _written(text, m.start())]
        if writes and "versions.bump(" not in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _in_prose(text, at):
    """In a docstring or comment (``update interview_reports set ...`` as an example)."""
    line = text[text.rfind("\n", 0, at) + 1 : at]
    return "#" in line or text.count('"""', 0, at) % 2 == 1


def _written(text, at):
    line = text[text.rfind("\n", 0, at) + 1 : text.find("\n", at)]
    return bool(re.search(r"\b(insert|update|delete)\(|\.(insert|update|delete)\(", line))
