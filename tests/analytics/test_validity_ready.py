"""Predictive validity's results kept ready by the worker (issue 16, speed;
``validity_ready``): after the worker's run a first request (nothing remembered in the
process) resamples nothing and answers exactly what the computation gives; a change of the
data (an outcome, a rating) is answered anew at once, equal to a computation from nothing,
and the worker makes the new data's result ready for the standing and asked-for scopes; a
second run with nothing changed does nothing; stored rows of another shape, another
company's rows and openings, and a request whose session has written are handled."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hireflow.analytics import validity, validity_cache, validity_ready, validity_sample
from hireflow.analytics.queries import Filters
from hireflow.analytics.tasks import refresh_review_rollups, refresh_validity
from hireflow.analytics.validity_models import ValidityResult, ValidityScope
from hireflow.analytics.validity_stats import Correlation
from hireflow.candidates.models import PerformanceRating
from hireflow.core.db import utcnow
from hireflow.core.tasks import celery_app
from hireflow.offers.models import Employee
from tests.conftest import make_org
from tests.workflow.factories import make_opening, principal

TODAY = date(2026, 12, 1)
PERIOD = Filters(start=date(2026, 1, 1))  # the generated reports are written today


@pytest.fixture
def sampled(session):
    """Three openings: two in one department (150 assessed, the top 40 % hired; 30, the
    same), one in another (40 assessed, half hired at random)."""
    org = make_org(session)
    first = make_opening(session, org)
    second = make_opening(session, org, dept_index=2)
    third = make_opening(session, org)
    session.commit()
    validity_sample.generate(session, first.id, people=150, today=TODAY)
    validity_sample.generate(
        session, second.id, people=40, hired_share=0.5, select_top=False, seed=3, today=TODAY
    )
    validity_sample.generate(session, third.id, people=30, seed=4, today=TODAY)
    validity_cache.clear()
    return org, first, second, third


def _standing(first, second, third):
    """The five standing scopes (the second department's only opening is the second)."""
    return [
        Filters(),
        Filters(opening_id=first.id),
        Filters(opening_id=second.id),
        Filters(opening_id=third.id),
        Filters(department_id=first.department_id),
    ]


def _turn_ratings(session, opening_id, people=20):
    """The relation of the ratings to the scores turned around for ``people`` hired."""
    hired = list(session.scalars(select(Employee).where(Employee.opening_id == opening_id)))
    for employee in hired[:people]:
        for rating in session.scalars(
            select(PerformanceRating).where(PerformanceRating.candidate_id == employee.person_id)
        ):
            rating.rating = 5.0 if rating.rating < 3 else 1.0
    session.commit()
    return hired


def _from_nothing(session, who, filters):
    """The rows computed from the data with nothing remembered or stored."""
    openings = validity._openings(session, who, validity.Scope(filters))
    data = validity.gather_openings(session, openings, filters, TODAY)
    dimensions, scores, outcomes = validity._arrays(data)
    found = validity._computed(dimensions, scores, outcomes)
    return validity._rows_of(data, dimensions, scores, found)


def _counting(monkeypatch):
    computed = []
    compute = validity._computed
    monkeypatch.setattr(validity, "_computed", lambda *a: computed.append(1) or compute(*a))
    return computed


def _first_request(session, who, filters):
    """A request in a new process: nothing remembered in memory."""
    validity_cache.clear()
    return validity.analyse(session, who, validity.Scope(filters), TODAY)


def test_after_the_worker_a_first_request_reads_a_ready_result(session, db, sampled, monkeypatch):
    org, first, second, third = sampled
    hr = principal(session, org, "hr_admin")
    expected = [_from_nothing(session, hr, f) for f in _standing(first, second, third)]
    done = validity_ready.refresh(db, TODAY)
    assert done == {"scopes": 5, "computed": 5}  # company, two departments, two openings
    computed = _counting(monkeypatch)
    for filters, rows in zip(_standing(first, second, third), expected, strict=True):
        assert _first_request(session, hr, filters).rows == rows, filters
    assert computed == []  # every one read, none resampled
    # nothing changed: the next run checks nothing
    assert validity_ready.refresh(db, TODAY) == {"scopes": 0, "computed": 0}
    # a hiring manager's scope (their department) is one of the standing scopes too
    manager = principal(session, org, "hiring_manager")
    assert _first_request(session, manager, Filters()).rows == expected[4]
    assert computed == []


def test_a_change_is_answered_at_once_then_made_ready(session, db, sampled, monkeypatch):
    org, first, second, third = sampled
    hr = principal(session, org, "hr_admin")
    validity_ready.refresh(db, TODAY)
    before = _first_request(session, hr, Filters(opening_id=first.id)).rows
    hired = _turn_ratings(session, first.id)
    hired[0].probation_result = "failed" if hired[0].probation_result != "failed" else "passed"
    session.commit()
    computed = _counting(monkeypatch)
    # the stored result is of the old data: not used; the request computes the new data's
    changed = _first_request(session, hr, Filters(opening_id=first.id)).rows
    assert computed == [1] and changed != before
    assert changed == _from_nothing(session, hr, Filters(opening_id=first.id))
    # the worker sees the new data version: rechecks every kept scope, computes those whose
    # data changed and that no request computed (the company, the first department)
    done = validity_ready.refresh(db, TODAY)
    assert done == {"scopes": 5, "computed": 2}
    computed.clear()
    for filters in _standing(first, second, third):
        assert _first_request(session, hr, filters).rows == _from_nothing(session, hr, filters)
    assert len(computed) == 5  # only _from_nothing's own computations
    # the next day retention outcomes may change: every scope is checked again
    assert validity_ready.refresh(db, TODAY + timedelta(days=1))["scopes"] == 5


def test_a_scope_asked_for_is_kept_ready(session, db, sampled, monkeypatch):
    org, first, _second, _third = sampled
    hr = principal(session, org, "hr_admin")
    validity_ready.refresh(db, TODAY)
    asked = _first_request(session, hr, PERIOD)  # computed (no period is a standing scope)
    row = session.scalars(select(ValidityScope).where(ValidityScope.standing.is_(False))).one()
    assert (row.start, row.end, row.tenant_id) == (PERIOD.start, PERIOD.end, org.tenant.id)
    assert session.get(ValidityResult, (org.tenant.id, _digest(session, hr, PERIOD)))
    _turn_ratings(session, first.id)
    # six scopes checked; the period holds every report, so its data is the company's: one
    # result serves both (company, first department, first opening)
    assert validity_ready.refresh(db, TODAY) == {"scopes": 6, "computed": 3}
    computed = _counting(monkeypatch)
    again = _first_request(session, hr, PERIOD)
    assert computed == [] and again.rows != asked.rows
    assert again.rows == _from_nothing(session, hr, PERIOD)
    # asked for longer ago than KEEP_DAYS: no longer kept, its result pruned with it
    row.requested_at = utcnow() - timedelta(days=validity_ready.KEEP_DAYS + 1)
    session.execute(
        ValidityResult.__table__.update().values(computed_at=utcnow() - timedelta(days=40))
    )
    session.commit()
    validity_ready.refresh(db, TODAY + timedelta(days=1))
    session.expire_all()
    assert (
        session.scalars(select(ValidityScope).where(ValidityScope.standing.is_(False))).all() == []
    )
    kept = {s.digest for s in session.scalars(select(ValidityScope))}
    left = session.scalars(select(ValidityResult)).all()
    assert kept <= {r.digest for r in left}
    # what is left besides: groups' results (``validity_groups``) computed in that last run
    recent = utcnow() - timedelta(days=validity_ready.KEEP_DAYS)
    assert all(r.digest in kept or r.computed_at > recent for r in left)


def _digest(session, who, filters):
    openings = validity._openings(session, who, validity.Scope(filters))
    data = validity.gather_openings(session, openings, filters, TODAY)
    dimensions, scores, outcomes = validity._arrays(data)
    return validity_cache.key(dimensions, validity.OUTCOMES, scores, outcomes).hex()


def _first_opening(session, sampled):
    """The company, its first opening, its HR admin and the opening's scope."""
    org, first, _second, _third = sampled
    return org, first, principal(session, org, "hr_admin"), Filters(opening_id=first.id)


def test_stored_rows_of_another_shape_are_recomputed(session, db, sampled, monkeypatch):
    org, _first, hr, filters = _first_opening(session, sampled)
    expected = _from_nothing(session, hr, filters)
    validity_ready.refresh(db, TODAY)
    digest = _digest(session, hr, filters)
    pair = [[60, 0.5, 0.3, 0.6], [60, 0.5, 0.3, 0.6]]
    for bad in (
        {"not": "a list"},
        [["only", "two"]],
        [[1, "rating", *pair]],  # a dimension that is not a name
        [["d", "rating", ["60", 0.5, 0.3, 0.6], pair[1]]],  # n not a whole number
        [["d", "rating", [True, 0.5, 0.3, 0.6], pair[1]]],
        [["d", "rating", [60, "0.5", 0.3, 0.6], pair[1]]],
        [["d", "rating", [60, 0.5, 0.3], pair[1]]],
        None,
    ):
        assert validity_ready.decode(bad) is None, bad
        session.get(ValidityResult, (org.tenant.id, digest)).found = bad
        _forget_answers(session, org.tenant.id)  # else the scope's answer is read first
        session.commit()
        computed = _counting(monkeypatch)
        assert _first_request(session, hr, filters).rows == expected
        assert computed == [1], bad
        monkeypatch.undo()
    found = {("d", "rating"): (Correlation(3, None), Correlation(3, 0.5, -0.2, 1.0))}
    assert validity_ready.decode(validity_ready.encode(found)) == found


def _forget_answers(session, tenant_id):
    session.execute(
        ValidityScope.__table__.update()
        .where(ValidityScope.tenant_id == tenant_id)
        .values(answer=None, answered=None)
    )


def test_kept_answers_of_another_shape_are_not_shown(session, db, sampled, monkeypatch):
    org, first, hr, filters = _first_opening(session, sampled)
    expected = _first_request(session, hr, filters)
    validity_ready.refresh(db, TODAY)
    mine = select(ValidityScope).where(
        ValidityScope.tenant_id == org.tenant.id,
        ValidityScope.key == validity_ready.scope_key([first.id], None, None),
    )
    good = session.scalars(mine).one().answer
    assert validity_ready.answer_read(good) is not None
    row, proposal = good["rows"][0], good["proposals"]["by_outcome"]["rating"]
    for bad in (
        None,
        [],
        {**good, "assessed": "150"},
        {**good, "hired": True},
        {**good, "rows": [[1, *row[1:]]]},
        {**good, "rows": [[*row[:4], "0.9", row[5]]]},
        {**good, "rows": [row[:5]]},
        {**good, "proposals": {"opening": "x", "by_outcome": {}}},
        {
            **good,
            "proposals": {"opening": first.id, "by_outcome": {"rating": {**proposal, "n": 1.5}}},
        },
        {**good, "proposals": {"opening": first.id, "by_outcome": {"rating": {"n": 3}}}},
    ):
        assert validity_ready.answer_read(bad) is None, bad
        session.scalars(mine).one().answer = bad
        session.commit()
        computed = _counting(monkeypatch)  # the kept result serves: read, not resampled
        again = _first_request(session, hr, filters)
        assert (again.rows, again.proposal, again.hired) == (
            expected.rows,
            expected.proposal,
            expected.hired,
        ), bad
        assert computed == [], bad
        monkeypatch.undo()


def test_companies_and_openings_stay_apart(session, db, sampled):
    org, first, _second, _third = sampled
    hr = principal(session, org, "hr_admin")
    validity_ready.refresh(db, TODAY)
    stranger = make_org(session)
    session.commit()
    digests = [r.digest for r in session.scalars(select(ValidityResult))]
    assert digests and all(
        validity_ready.stored(session, stranger.tenant.id, d) is None for d in digests
    )
    # a scope row naming another company's opening: that opening is not read for it
    other = make_opening(session, stranger)
    session.add(
        ValidityScope(
            tenant_id=stranger.tenant.id,
            key="forged",
            openings=[first.id, other.id, "x", None],
            standing=False,
            requested_at=utcnow(),
        )
    )
    session.add(
        ValidityScope(
            tenant_id=stranger.tenant.id,
            key="not a list",
            openings={"a": 1},
            standing=False,
            requested_at=utcnow(),
        )
    )
    session.commit()
    validity_ready.refresh(db, TODAY)
    session.expire_all()
    forged = session.scalars(select(ValidityScope).where(ValidityScope.key == "forged")).one()
    assert forged.checked is not None
    stored = validity_ready.stored(session, stranger.tenant.id, forged.digest)
    assert stored is not None and all(p.n == 0 for pair in stored.values() for p in pair)
    odd = session.scalars(select(ValidityScope).where(ValidityScope.key == "not a list")).one()
    assert odd.checked is not None and odd.digest is None
    assert validity.analyse(session, hr, validity.Scope(Filters()), TODAY).hired == 92


def test_a_request_that_wrote_keeps_nothing(session, sampled, monkeypatch):
    org, first, _second, _third = sampled
    hr = principal(session, org, "hr_admin")
    first.title = "Renamed, not committed"
    session.flush()
    found = _first_request(session, hr, Filters(opening_id=first.id))
    assert found.hired == 60
    session.rollback()
    mine = org.tenant.id
    assert (
        session.scalars(select(ValidityResult).where(ValidityResult.tenant_id == mine)).all() == []
    )
    assert session.scalars(select(ValidityScope).where(ValidityScope.tenant_id == mine)).all() == []
    # a failure to write is no failure of the request
    monkeypatch.setattr(validity_ready, "store_in", _refuse)
    assert _first_request(session, hr, Filters(opening_id=first.id)).hired == 60
    assert (
        session.scalars(select(ValidityResult).where(ValidityResult.tenant_id == mine)).all() == []
    )


def _refuse(*_args, **_kwargs):
    from sqlalchemy.exc import OperationalError

    raise OperationalError("INSERT", {}, Exception("database is locked"))


def test_the_worker_task_runs_on_beat_after_the_review_rollups(session, db, sampled):
    org, first, _second, _third = sampled
    assert celery_app.conf.beat_schedule["analytics.refresh_validity"]["schedule"] == 60.0
    refresh_review_rollups()  # the rollups built: the data version follows their cuts
    done = refresh_validity()
    assert done["scopes"] == 5
    assert refresh_validity() == {"scopes": 0, "computed": 0}
    hr = principal(session, org, "hr_admin")
    filters = Filters(opening_id=first.id)
    assert _first_request(session, hr, filters).rows == _from_nothing(session, hr, filters)


def test_a_rollup_read_planned_as_ranges_leaves_the_settings_as_they_were(session):
    from sqlalchemy import text

    from hireflow.analytics import rollup_state

    postgresql = session.get_bind().dialect.name == "postgresql"

    def shown():
        if not postgresql:
            return None
        return [session.execute(text(f"SHOW {n}")).scalar() for n in ("jit", "random_page_cost")]

    before = shown()
    with rollup_state.planned_as_ranges(session):
        inside = shown()
    assert shown() == before
    if postgresql:
        assert inside == ["off", "1.1"] and before != inside
    with pytest.raises(ZeroDivisionError), rollup_state.planned_as_ranges(session):
        1 / 0  # noqa: B018  (an error inside: the settings go back all the same)
    assert shown() == before


def test_a_company_whose_run_fails_does_not_stop_the_others(session, db, sampled, monkeypatch):
    from sqlalchemy.exc import OperationalError

    org, _first, _second, _third = sampled
    other = make_org(session)
    make_opening(session, other)
    session.commit()
    ready = validity.ready_result

    def busy_for_the_first(s, tenant_id, *rest):
        if tenant_id == org.tenant.id:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return ready(s, tenant_id, *rest)

    monkeypatch.setattr(validity, "ready_result", busy_for_the_first)
    done = validity_ready.refresh(db, TODAY)
    assert done == {"scopes": 1, "computed": 1}  # the other company's one opening
    session.expire_all()
    mine = select(ValidityResult).where(ValidityResult.tenant_id == org.tenant.id)
    assert session.scalars(mine).all() == []
    assert session.scalars(select(ValidityResult)).all() != []  # the other company's
    monkeypatch.undo()  # tried again next run, all of it
    assert validity_ready.refresh(db, TODAY)["scopes"] == 5
