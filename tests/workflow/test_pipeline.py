"""The pipeline (SPEC H1, H2): stage lists, moves with history, record entries, audit, the
optimistic version check, rejection reasons, bulk moves and the board's filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hireflow.candidates.models import Application
from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hireflow.records.models import PersonRecord, RecordEntry
from hireflow.workflow import queries, schemas, service, stages
from hireflow.workflow.models import OpeningStage, PipelinePosition, StageMove
from hireflow.workflow.service import ApplicationClosed, MoveRequest, StaleVersion
from tests.conftest import bearer, make_org
from tests.workflow.factories import apply, make_opening, principal

STAGES_IN = {
    "stages": [
        {"key": "new", "kind": "applied", "name": {"zh": "新投递", "en": "New"}},
        {"key": "phone", "kind": "interview", "name": {"zh": "电话面试", "en": "Phone screen"}},
        {"key": "no", "kind": "rejected", "name": {"zh": "不合适", "en": "Not a fit"}},
    ]
}


@pytest.fixture
def org(session):
    return make_org(session)


@pytest.fixture
def opening(session, org):
    return make_opening(session, org)


@pytest.fixture
def hr(session, org):
    return principal(session, org, "hr_admin")


def test_an_opening_starts_with_the_default_stages(session, org, opening):
    keys = [s.key for s in stages.opening_stages(session, opening)]
    assert keys == [
        "applied",
        "screened",
        "ai_interview",
        "round_1",
        "round_2",
        "offer",
        "hired",
        "rejected",
        "withdrawn",
    ]
    names = stages.opening_stages(session, opening)[3].name
    assert names["zh"] == "第一轮面试" and names["en"] == "Interview round 1"


def test_a_move_writes_history_record_entry_status_and_audit(session, org, opening, hr):
    application = apply(session, org, opening)
    moved = service.move(session, hr, application.id, MoveRequest("screened", 0))
    assert (moved.stage.key, moved.version) == ("screened", 1)
    row = session.scalars(
        select(PipelinePosition).where(PipelinePosition.application_id == application.id)
    ).one()
    assert (row.stage_key, row.version) == ("screened", 1)
    history = session.scalars(
        select(StageMove).where(StageMove.application_id == application.id)
    ).all()
    assert [(h.from_key, h.to_key, h.actor_id) for h in history] == [
        ("applied", "screened", hr.user_id)
    ]
    entry = session.get(RecordEntry, history[0].record_entry_id)
    assert entry.type == "application" and entry.facts["stage"] == "screened"
    assert entry.facts["previous_stage"] == "applied" and entry.opening_id == opening.id
    record = session.scalars(
        select(PersonRecord).where(PersonRecord.person_id == application.candidate_id)
    ).one()
    assert record.status == "screening"
    assert session.get(Application, application.id).stage == "screening"
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "pipeline.moved", AuditEntry.target_id == str(application.id)
        )
    ).one()
    assert audit.new_values["stage"] == "screened" and audit.old_values["version"] == 0
    # the opening now has its own copy: later company edits leave it alone
    assert session.scalars(
        select(OpeningStage.key).where(OpeningStage.opening_id == opening.id)
    ).first()
    stages.set_company_stages(session, hr, schemas.StageListIn.model_validate(STAGES_IN))
    assert stages.opening_stages(session, opening)[1].key == "screened"
    other = make_opening(session, org)
    assert [s.key for s in stages.opening_stages(session, other)] == ["new", "phone", "no"]


def test_two_moves_from_the_same_version_cannot_both_win(session, org, opening, hr):
    application = apply(session, org, opening)
    service.move(session, hr, application.id, MoveRequest("screened", 0))
    other_hr = principal(session, org, "recruiter")
    with pytest.raises(StaleVersion) as stale:
        service.move(session, other_hr, application.id, MoveRequest("round_1", 0))
    assert stale.value.status == 409 and "version 1" in str(stale.value)
    service.move(session, other_hr, application.id, MoveRequest("round_1", 1))
    moves = session.scalars(select(StageMove).where(StageMove.application_id == application.id))
    assert [m.to_key for m in moves] == ["screened", "round_1"]


def test_first_moves_racing_on_a_fresh_application_conflict(session, org, opening, hr):
    """Both callers saw version 0 (no row yet): the second insert is refused, not merged."""
    application = apply(session, org, opening)
    stage_list = stages.freeze_opening_stages(session, opening)
    seen = service.current_position(session, application, stage_list)
    service.move(session, hr, application.id, MoveRequest("screened", 0))
    target = stages.by_key(stage_list, "round_1")
    with pytest.raises(StaleVersion):
        service._store_position(session, seen, target, None, utcnow())


def test_bad_moves_are_refused_with_clear_errors(session, org, opening, hr):
    application = apply(session, org, opening)
    with pytest.raises(ValidationFailed) as unknown:
        service.move(session, hr, application.id, MoveRequest("nowhere", 0))
    assert unknown.value.fields == {"to": "unknown"} and "nowhere" in str(unknown.value)
    with pytest.raises(ValidationFailed) as no_reason:
        service.move(session, hr, application.id, MoveRequest("rejected", 0))
    assert no_reason.value.fields == {"reason": "required"}
    with pytest.raises(ValidationFailed) as bad_reason:
        service.move(session, hr, application.id, MoveRequest("rejected", 0, "made_up"))
    assert bad_reason.value.fields == {"reason": "unknown"}
    with pytest.raises(Conflict):
        service.move(session, hr, application.id, MoveRequest("applied", 0))
    assert (
        session.scalars(select(StageMove).where(StageMove.application_id == application.id)).all()
        == []
    )


@pytest.mark.parametrize("final", ["hired", "withdrawn"])
def test_hired_and_withdrawn_applications_do_not_move(session, org, opening, hr, final):
    application = apply(session, org, opening)
    service.move(session, hr, application.id, MoveRequest(final, 0))
    with pytest.raises(ApplicationClosed) as closed:
        service.move(session, hr, application.id, MoveRequest("screened", 1))
    assert closed.value.status == 409


def test_rejection_keeps_the_reason_and_can_be_reconsidered(session, org, opening, hr):
    application = apply(session, org, opening)
    service.move(session, hr, application.id, MoveRequest("rejected", 0, "skills", "no CAD"))
    found = service.history(session, hr, application.id)
    shown = service.move_out(found.moves[0], found.stages, found.reasons, "zh-CN")
    assert (shown.reason, shown.reason_label, shown.note) == ("skills", "专业能力不足", "no CAD")
    record = session.scalars(
        select(PersonRecord).where(PersonRecord.person_id == application.candidate_id)
    ).one()
    assert record.status == "rejected"
    service.move(session, hr, application.id, MoveRequest("screened", 1))
    assert service.current_position(session, application, found.stages).reason_key is None


def test_time_in_stage_is_measured_and_kept_in_history(session, org, opening, hr):
    application = apply(session, org, opening)
    start = utcnow()
    service.move(session, hr, application.id, MoveRequest("screened", 0), now=start)
    later = start + timedelta(days=3, hours=2)
    service.move(session, hr, application.id, MoveRequest("round_1", 1), now=later)
    moves = session.scalars(
        select(StageMove).where(StageMove.application_id == application.id).order_by(StageMove.id)
    ).all()
    assert moves[1].seconds_in_stage == 3 * 86400 + 2 * 3600
    found = queries.board(session, hr, opening.id, now=later + timedelta(days=2))
    card = next(c for col in found.columns for c in col.cards if c.application_id == application.id)
    assert card.stage == "round_1" and card.days_in_stage == 2


def test_bulk_move_moves_each_and_refuses_stale_ones(session, org, opening, hr):
    apps = [apply(session, org, opening) for _ in range(3)]
    service.move(session, hr, apps[2].id, MoveRequest("screened", 0))
    result = service.bulk_move(session, hr, opening.id, [(a.id, 0) for a in apps], "round_1")
    assert sorted(p.application.id for p in result.moved) == sorted(a.id for a in apps[:2])
    assert [(i, e.code) for i, e in result.refused] == [(apps[2].id, "stale_version")]
    with pytest.raises(ValidationFailed):  # a rejection without a reason refuses the batch
        service.bulk_move(session, hr, opening.id, [(apps[0].id, 1)], "rejected")
    other = make_opening(session, org)
    stranger = apply(session, org, other)
    result = service.bulk_move(session, hr, opening.id, [(stranger.id, 0)], "screened")
    assert result.moved == [] and result.refused[0][0] == stranger.id


def test_board_filters(session, org, opening, hr):
    a = apply(session, org, opening, name="Zhang Wei")
    apply(session, org, opening, name="Li Na")
    start = utcnow()
    service.move(session, hr, a.id, MoveRequest("screened", 0), now=start - timedelta(days=10))
    found = queries.board(session, hr, opening.id, queries.BoardFilters(query="zhang"))
    assert [c.name for col in found.columns for c in col.cards] == ["Zhang Wei"]
    found = queries.board(session, hr, opening.id, queries.BoardFilters(min_days=5))
    assert [c.name for col in found.columns for c in col.cards] == ["Zhang Wei"]
    assert found.total == 2 and found.shown == 1


def test_stage_list_edits_are_checked(session, org, opening, hr):
    bad = schemas.StageListIn.model_validate(
        {"stages": [dict(s, key="same") for s in STAGES_IN["stages"]]}
    )
    with pytest.raises(ValidationFailed):
        stages.set_company_stages(session, hr, bad)
    no_rejection = schemas.StageListIn.model_validate({"stages": STAGES_IN["stages"][:2]})
    with pytest.raises(ValidationFailed) as missing:
        stages.set_opening_stages(session, hr, opening.id, no_rejection)
    assert missing.value.fields == {"stages": "rejected"}
    application = apply(session, org, opening)
    service.move(session, hr, application.id, MoveRequest("screened", 0))
    new_list = schemas.StageListIn.model_validate(STAGES_IN)
    with pytest.raises(Conflict) as occupied:
        stages.set_opening_stages(session, hr, opening.id, new_list)
    assert "screened" in str(occupied.value)
    with pytest.raises(Forbidden):
        stages.set_company_stages(session, principal(session, org, "recruiter"), new_list)


def test_scope_and_roles(session, org, opening, hr):
    application = apply(session, org, opening)
    foreign = make_org(session)
    with pytest.raises(NotFound):
        service.move(
            session,
            principal(session, foreign, "hr_admin"),
            application.id,
            MoveRequest("screened", 0),
        )
    with pytest.raises(NotFound):
        queries.board(session, principal(session, foreign, "hr_admin"), opening.id)
    with pytest.raises(Forbidden):  # panel interviewers see the board but do not move people
        service.move(
            session,
            principal(session, org, "interviewer"),
            application.id,
            MoveRequest("screened", 0),
        )
    assert queries.board(session, principal(session, org, "interviewer"), opening.id).total == 1
    other_dept = make_opening(session, org, 2, members=False)
    elsewhere = apply(session, org, other_dept)
    with pytest.raises(NotFound):  # the recruiter owns only the first opening
        service.move(
            session, principal(session, org, "recruiter"), elsewhere.id, MoveRequest("screened", 0)
        )
    with pytest.raises(NotFound):  # the hiring manager's department is dept 0
        queries.board(session, principal(session, org, "hiring_manager"), other_dept.id)
    with pytest.raises(Forbidden):
        queries.board(session, principal(session, org, "it_auditor"), opening.id)


def test_api_move_conflict_and_board(client, session, org, opening):
    application = apply(session, org, opening)
    session.commit()
    headers = bearer(client, org.users["hr_admin"])
    url = f"/api/v1/applications/{application.id}/move"
    first = client.post(url, json={"to": "screened", "version": 0}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1 and first.json()["stage"] == "screened"
    second = client.post(url, json={"to": "round_1", "version": 0}, headers=headers)
    assert second.status_code == 409 and second.json()["error"]["code"] == "stale_version"
    unknown = client.post(url, json={"to": "nowhere", "version": 1}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["fields"] == {"to": "unknown"}
    rejected = client.post(url, json={"to": "rejected", "version": 1}, headers=headers)
    assert rejected.status_code == 422
    board = client.get(f"/api/v1/openings/{opening.id}/pipeline", headers=headers).json()
    column = next(c for c in board["columns"] if c["stage"]["key"] == "screened")
    assert [c["application_id"] for c in column["cards"]] == [application.id]
    assert column["stage"]["count"] == 1
    history = client.get(
        f"/api/v1/applications/{application.id}/pipeline/history", headers=headers
    ).json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [("applied", "screened")]
    foreign = make_org(session)
    session.commit()
    stranger = bearer(client, foreign.users["hr_admin"])
    assert (
        client.post(url, json={"to": "round_1", "version": 1}, headers=stranger).status_code == 404
    )
    assert (
        client.get(f"/api/v1/openings/{opening.id}/pipeline", headers=stranger).status_code == 404
    )
    interviewer = bearer(client, org.users["interviewer"])
    assert (
        client.post(url, json={"to": "round_1", "version": 1}, headers=interviewer).status_code
        == 403
    )


def test_api_bulk_move_and_configuration(client, session, org, opening):
    apps = [apply(session, org, opening) for _ in range(2)]
    session.commit()
    headers = bearer(client, org.users["hr_admin"])
    response = client.post(
        f"/api/v1/openings/{opening.id}/pipeline/bulk-move",
        json={"items": [{"application_id": a.id, "version": 0} for a in apps], "to": "screened"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["moved"]) == 2 and response.json()["refused"] == []
    put = client.put("/api/v1/workflow/stages", json=STAGES_IN, headers=headers)
    assert put.status_code == 200 and [s["key"] for s in put.json()] == ["new", "phone", "no"]
    reasons = client.get("/api/v1/workflow/rejection-reasons", headers=headers).json()
    assert "skills" in [r["key"] for r in reasons]
    recruiter = bearer(client, org.users["recruiter"])
    assert (
        client.put("/api/v1/workflow/stages", json=STAGES_IN, headers=recruiter).status_code == 403
    )
    assert client.put(
        "/api/v1/workflow/settings", json={"blind_scorecards": False}, headers=headers
    ).json() == {"blind_scorecards": False, "notify_stages": []}


def test_a_concurrent_first_copy_of_the_stages_is_harmless(session, org, opening, hr):
    """Two first moves in one opening both find no copy; the second copy is refused quietly."""
    copied = stages.freeze_opening_stages(session, opening)
    stages.write_copy_once(session, opening, copied)
    keys = session.scalars(
        select(OpeningStage.key).where(OpeningStage.opening_id == opening.id)
    ).all()
    assert len(keys) == len(copied) == 9
    application = apply(session, org, opening)
    assert service.move(session, hr, application.id, MoveRequest("screened", 0)).version == 1
