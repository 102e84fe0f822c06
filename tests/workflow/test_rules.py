"""Rules per opening (SPEC H1, H2): events published where they happen, rules checked when
saved (parse, unknown fields, loops), evaluated once per event after the commit, their actions,
HR's confirmation instead of an automatic rejection, the rule log, dry runs, the stale sweep."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import func, select

from hireflow.core import events
from hireflow.core.db import utcnow
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.notifications.delivery import deliver_many
from hireflow.notifications.models import ChannelSetting, OutboxMessage
from hireflow.scheduling.models import Invitation
from hireflow.workflow import automation, confirmations, rule_views, rules, schemas, scorecards
from hireflow.workflow.models import PipelinePosition, RuleLog, RuleTask
from hireflow.workflow.service import MoveRequest, move
from tests.conftest import make_org, make_user
from tests.notifications.smtp_server import smtp_fixture  # noqa: F401 - fixture
from tests.notifications.test_delivery import _email_channel
from tests.workflow.factories import apply, make_opening, principal
from tests.workflow.rules_helpers import rule_in

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
def opening(session, org):
    return make_opening(session, org)  # technical preset: coding, communication, ...


@pytest.fixture
def hr(session, org):
    return principal(session, org, "hr_admin")


@pytest.fixture
def captured(monkeypatch):
    """Every event published, besides the domains' own handlers."""
    seen: list[events.Event] = []
    table = dict(events._handlers())
    table["*"] = (*table.get("*", ()), lambda _session, event: seen.append(event))
    monkeypatch.setattr(events, "_handlers", lambda: table)
    return seen


def report_ready(session, application, job_match=85.0, **scores: float) -> events.Event:
    event = events.publish(
        session,
        "report.ready",
        application.tenant_id,
        f"application:{application.id}",
        {
            "interview_id": 1,
            "application_id": application.id,
            "opening_id": application.opening_id,
            "job_match": job_match,
            "scores": scores or {"communication": 7.0, "coding": 8.0},
        },
    )
    session.commit()
    return event


def invitations_of(session, application) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.candidate_id == application.candidate_id)
    )


def stage_of(session, application) -> str | None:
    return session.scalar(
        select(PipelinePosition.stage_key).where(PipelinePosition.application_id == application.id)
    )


# --------------------------------------------------------------------------- events


def test_a_move_publishes_stage_changed_with_ids_only(session, org, opening, hr, captured):
    application = apply(session, org, opening)
    move(session, hr, application.id, MoveRequest("screened", 0))
    [event] = [e for e in captured if e.name == "stage.changed"]
    assert event.subject == f"application:{application.id}"
    assert event.data == {
        "application_id": application.id,
        "opening_id": opening.id,
        "from": "applied",
        "to": "screened",
        "reason": None,
        "actor": hr.user_id,
        "version": 1,
    }


def test_the_panels_last_scorecard_publishes_scorecards_completed(
    session, org, opening, hr, captured
):
    second = make_user(session, org.tenant, "interviewer")
    from hireflow.openings.models import OpeningMember

    session.add(OpeningMember(opening_id=opening.id, user_id=second.id, role="interviewer"))
    session.commit()
    application = apply(session, org, opening)
    card = schemas.ScorecardIn(
        round="round_1", ratings={"coding": 4, "communication": 3}, recommendation="yes"
    )
    scorecards.submit(session, principal(session, org, "interviewer"), application.id, card)
    assert not [e for e in captured if e.name == "scorecards.completed"]
    from hireflow.org.auth import principal_for

    late = card.model_copy(update={"ratings": {"coding": 2}, "recommendation": "no"})
    scorecards.submit(session, principal_for(second), application.id, late)
    [event] = [e for e in captured if e.name == "scorecards.completed"]
    assert event.data["round"] == "round_1" and event.data["scorecards"] == 2
    assert event.data["recommendations"] == {"yes": 1, "no": 1}
    assert event.data["levels"] == {"coding": 3.0, "communication": 3.0}
    scorecards.submit(session, hr, application.id, card)  # outside the panel: not again
    assert len([e for e in captured if e.name == "scorecards.completed"]) == 1


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"condition": "job_match >= "}, "condition", "syntax"),
        ({"condition": "salary >= 3"}, "condition", "unknown_name"),
        ({"condition": "scores.charisma >= 6"}, "condition", "unknown_field"),
        ({"condition": "job_match >= 'high'"}, "condition", "type_mismatch"),
        ({"condition": "round == 'round_1'"}, "condition", "unknown_name"),  # not this trigger
        ({"actions": [{"type": "move", "to": "round_9"}]}, "actions.0.to", "unknown"),
        ({"actions": [{"type": "move", "to": "hired"}]}, "actions.0.to", "final"),
        ({"actions": [{"type": "move", "to": "rejected"}]}, "actions.0.reason", "required"),
        (
            {"actions": [{"type": "move", "to": "rejected", "reason": "nope"}]},
            "actions.0.reason",
            "unknown",
        ),
        ({"stage": "round_2"}, "actions.0.to", "loop"),
        ({"trigger": "stage.stale", "stage": None}, "stage", "required"),
        ({"trigger": "stage.stale", "stage": "screened"}, "stale_days", "required"),
        ({"stage": "nowhere"}, "stage", "unknown"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(session, opening, hr, changes, field, code):
    with pytest.raises(ValidationFailed) as refused:
        rules.create_rule(session, hr, opening.id, rule_in(**changes))
    assert refused.value.fields == {field: code}
    assert not rules.opening_rules(session, hr, opening.id)


def test_a_parse_error_says_where(session, opening, hr):
    with pytest.raises(ValidationFailed) as refused:
        rules.create_rule(session, hr, opening.id, rule_in(condition="job_match >= 80 and"))
    assert "line 1" in refused.value.params["detail"]


def test_rules_that_move_candidates_back_and_forth_are_refused(session, opening, hr):
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(name="Forward", stage="round_1", actions=[{"type": "move", "to": "round_2"}]),
    )
    backward = rule_in(
        name="Back",
        trigger="scorecards.completed",
        condition="votes_no >= 1",
        stage="round_2",
        actions=[{"type": "move", "to": "round_1"}],
    )
    with pytest.raises(ValidationFailed) as refused:
        rules.create_rule(session, hr, opening.id, backward)
    assert refused.value.fields == {"actions.0.to": "loop"}
    assert "round_1 → round_2 → round_1" in refused.value.params["cycle"]
    assert "Forward" in refused.value.params["rules"]
    # Off, it cannot loop; a rejection is never automatic, so it cannot loop either.
    rules.create_rule(session, hr, opening.id, backward.model_copy(update={"enabled": False}))
    rules.create_rule(
        session,
        hr,
        opening.id,
        backward.model_copy(
            update={
                "actions": [schemas.RuleActionIn(type="move", to="rejected", reason="interview")]
            }
        ),
    )


def test_who_may_write_and_read_rules(session, org, opening, hr):
    rule = rules.create_rule(session, hr, opening.id, rule_in())
    recruiter = principal(session, org, "recruiter")  # owns the opening
    rules.update_rule(session, recruiter, rule.id, rule_in(name="Renamed"))
    with pytest.raises(Forbidden):
        rules.create_rule(session, principal(session, org, "interviewer"), opening.id, rule_in())
    manager = principal(session, org, "hiring_manager")  # same department: reads, no writes
    assert [r.id for r in rules.opening_rules(session, manager, opening.id)] == [rule.id]
    with pytest.raises(Forbidden):
        rules.update_rule(session, manager, rule.id, rule_in())
    other = make_org(session)
    stranger = principal(session, other, "hr_admin")
    with pytest.raises(NotFound):
        rules.update_rule(session, stranger, rule.id, rule_in())
    with pytest.raises(NotFound):
        rules.opening_rules(session, stranger, opening.id)
    far = make_opening(session, org, dept_index=2, members=False)
    with pytest.raises(NotFound):
        rules.opening_rules(session, manager, far.id)


# --------------------------------------------------------------------------- running


def test_a_report_moves_the_candidate_once_after_the_commit(session, org, opening, hr, worker):
    rule = rules.create_rule(session, hr, opening.id, rule_in())
    application = apply(session, org, opening)
    event = report_ready(session, application)
    assert stage_of(session, application) is None  # nothing happens in the publisher's request
    assert worker.names() == ["workflow.evaluate_rules"]
    worker.run()
    assert stage_of(session, application) == "round_2"
    [row] = session.scalars(select(RuleLog).where(RuleLog.application_id == application.id)).all()
    assert (row.rule_id, row.status, row.event_id) == (rule.id, "fired", event.id)
    assert row.facts["job_match"] == 85.0 and row.facts["scores.communication"] == 7.0
    assert row.outcome == [{"type": "move", "result": "done", "to": "round_2", "from": "applied"}]

    # The same event again (a redelivery) and the same task again: nothing more happens.
    events.publish(session, "report.ready", event.tenant_id, event.subject, event.data)
    assert automation.record_event(session, event) == []
    session.commit()
    assert automation.evaluate_logs(worker.db, [row.id]) == 0
    count = select(func.count()).select_from(RuleLog).where(RuleLog.rule_id == rule.id)
    assert session.scalar(count) == 2  # the second publish is a new event: its own row
    worker.run()
    assert stage_of(session, application) == "round_2"
    second = session.scalars(
        select(RuleLog).where(RuleLog.rule_id == rule.id, RuleLog.id != row.id)
    ).one()
    assert second.outcome[0]["result"] == "skipped"  # already there, never moved back


def test_why_a_rule_did_not_fire_is_logged(session, org, opening, hr, worker):
    rules.create_rule(session, hr, opening.id, rule_in())
    low, unscored = apply(session, org, opening), apply(session, org, opening)
    report_ready(session, low, job_match=70.0)
    events.publish(
        session,
        "report.ready",
        org.tenant.id,
        f"application:{unscored.id}",
        {"application_id": unscored.id, "opening_id": opening.id, "job_match": None},
    )
    session.commit()
    worker.run()
    view = rule_views.rule_log(session, hr, low.id)
    [(row, name)] = view.rows
    assert (row.status, row.reason, name) == ("not_fired", "no_match", "Strong report")
    assert row.facts["job_match"] == 70.0
    [(row, _name)] = rule_views.rule_log(session, hr, unscored.id).rows
    assert (row.status, row.reason) == ("not_fired", "missing:job_match")
    assert stage_of(session, low) is None and stage_of(session, unscored) is None
    with pytest.raises(Forbidden):  # the log shows AI scores: not for interviewers
        rule_views.rule_log(session, principal(session, org, "interviewer"), low.id)


def test_a_rejecting_rule_waits_for_hr_who_confirms_and_the_candidate_gets_feedback(
    session,
    db,
    settings,
    org,
    hr,
    worker,
    smtp,
):
    from tests.interviews.factories import answer_all, make_setup, started

    setup = make_setup(session, org, language="en-US")
    reject = rule_in(
        name="Below the bar",
        condition="job_match < 101",
        actions=[{"type": "move", "to": "rejected", "reason": "interview"}],
    )
    rules.create_rule(session, hr, setup.opening.id, reject)
    interview = started(session, setup)
    from hireflow.interviews import candidate as interview_candidate
    from hireflow.interviews import pipeline
    from tests.interviews.factories import ANSWERS_EN, TAB

    answer_all(session, interview, ANSWERS_EN)
    interview_candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"  # publishes report.ready
    worker.run()
    application = setup.candidate.applications[0]
    assert stage_of(session, application) is None  # never rejected by the rule itself
    [task] = session.scalars(select(RuleTask).where(RuleTask.application_id == application.id))
    assert (task.kind, task.to_stage, task.reason_key) == (
        "confirm_reject",
        "rejected",
        "interview",
    )
    listed = confirmations.open_tasks(session, hr)
    assert [r.task.id for r in listed] == [task.id]

    with pytest.raises(Forbidden):
        confirmations.decide(
            session,
            principal(session, org, "interviewer"),
            task.id,
            schemas.RuleTaskDecisionIn(decision="confirm"),
        )
    confirmations.decide(session, hr, task.id, schemas.RuleTaskDecisionIn(decision="confirm"))
    assert stage_of(session, application) == "rejected"
    mail = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"rule-feedback:{task.id}")
    ).one()
    assert mail.recipient == setup.candidate.email and mail.language.startswith("en")
    tips = confirmations.suggestions(scorecards.newest_report(session, application), "en")
    assert tips and all(tip in mail.body_text for tip in tips)

    # Through the company's mail server (a real SMTP server in this test), in English.
    inbox, port = smtp
    _email_channel(session, settings, org, port)
    assert deliver_many(db, [mail.id], settings).get("sent") == 1
    [(_sender, recipients, raw)] = inbox.messages
    received = email.message_from_bytes(raw, policy=policy.default)
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert recipients == [setup.candidate.email] and setup.opening.title in received["Subject"]
    assert "will not continue with your application" in text and tips[0] in text
    with pytest.raises(confirmations.AlreadyDecided):
        confirmations.decide(session, hr, task.id, schemas.RuleTaskDecisionIn(decision="confirm"))


def test_notify_todo_and_next_round(session, org, opening, hr, worker):
    session.add(
        ChannelSetting(
            tenant_id=org.tenant.id,
            channel="wecom",
            provider="wecom",
            enabled=True,
            config={"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"},
        )
    )
    session.commit()
    actions = [
        {"type": "move", "to": "round_2"},
        {
            "type": "next_round",
            "round_name": "Round 2",
            "meeting_url": "https://meeting.tencent.com/dm/abc",
        },
        {"type": "notify_manager"},
        {"type": "todo", "note": "Check references"},
    ]
    rules.create_rule(session, hr, opening.id, rule_in(actions=actions))
    application = apply(session, org, opening)
    report_ready(session, application)
    worker.run()
    [row] = session.scalars(select(RuleLog).where(RuleLog.application_id == application.id))
    session.refresh(row)
    results = [(o["type"], o["result"]) for o in row.outcome]
    assert results == [
        ("move", "done"),
        ("next_round", "done"),
        ("notify_manager", "done"),
        ("todo", "done"),
    ]
    invitation = session.scalars(
        select(Invitation).where(Invitation.candidate_id == application.candidate_id)
    ).one()
    assert (invitation.kind, invitation.round_name) == ("live", "Round 2")
    assert invitation.interviewer_ids == [org.users["interviewer"].id]  # the panel, named
    assert invitation.meeting_url == "https://meeting.tencent.com/dm/abc"
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"rule-log:{row.id}:%"))
    ).all()
    assert sorted(m.channel for m in messages) == ["email", "wecom"]
    manager = org.users["hiring_manager"]
    assert next(m for m in messages if m.channel == "email").recipient == manager.email
    [todo] = session.scalars(
        select(RuleTask).where(RuleTask.kind == "todo", RuleTask.log_id == row.id)
    )
    assert todo.note == "Check references"
    automation.start_next_round(worker.db, row.id, 1)  # delivered twice: one invitation
    assert invitations_of(session, application) == 1


def test_the_next_round_books_the_whole_panel(session, org, opening, hr, worker):
    """With two interviewers on the opening's panel, the invitation names both and books them
    together; a deactivated member is left out rather than refusing the invitation."""
    from hireflow.openings.models import OpeningMember

    second = make_user(session, org.tenant, "interviewer")
    gone = make_user(session, org.tenant, "interviewer")
    gone.is_active = False
    for user in (second, gone):
        session.add(OpeningMember(opening_id=opening.id, user_id=user.id, role="interviewer"))
    session.commit()
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(actions=[{"type": "move", "to": "round_2"}, {"type": "next_round"}]),
    )
    application = apply(session, org, opening)
    report_ready(session, application)
    worker.run()
    invitation = session.scalars(
        select(Invitation).where(Invitation.candidate_id == application.candidate_id)
    ).one()
    assert invitation.interviewer_ids == [org.users["interviewer"].id, second.id]
    assert invitation.panel is True


def test_stage_unchanged_for_days_fires_once_per_stay(session, org, opening, hr, worker):
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(
            name="Stuck in screening",
            trigger="stage.stale",
            stage="screened",
            stale_days=5,
            condition="days_in_stage >= 5",
            actions=[{"type": "todo", "note": "Chase the hiring manager"}],
        ),
    )
    stuck, fresh = apply(session, org, opening), apply(session, org, opening)
    move(session, hr, stuck.id, MoveRequest("screened", 0), now=utcnow() - timedelta(days=6))
    move(session, hr, fresh.id, MoveRequest("screened", 0))
    assert automation.sweep_stale(worker.db) == 1
    assert automation.sweep_stale(worker.db) == 0  # the next day: same stay, nothing new
    worker.run()
    [task] = session.scalars(select(RuleTask).where(RuleTask.application_id == stuck.id))
    assert task.note == "Chase the hiring manager"
    assert not session.scalars(select(RuleTask).where(RuleTask.application_id == fresh.id)).all()


def test_a_dry_run_changes_nothing(session, org, opening, hr):
    strong, weak, none = (apply(session, org, opening) for _ in range(3))
    _report(session, strong, 90.0, communication=8.0)
    _report(session, weak, 60.0, communication=8.0)
    before = session.scalar(select(func.count()).select_from(RuleLog))
    result = rule_views.dry_run(session, hr, opening.id, rule_in())
    by_id = {r.application_id: r for r in result.rows}
    assert (result.checked, result.matched) == (3, 1)
    assert by_id[strong.id].result == "match" and by_id[weak.id].result == "no_match"
    assert by_id[none.id].result == "missing"
    assert session.scalar(select(func.count()).select_from(RuleLog)) == before
    assert stage_of(session, strong) is None
    with pytest.raises(ValidationFailed):
        rule_views.dry_run(session, hr, opening.id, rule_in(condition="nonsense >= 1"))


def _report(session, application, job_match: float, **scores: float) -> None:
    """A stored AI report for the application (its candidate interviewed for its opening)."""
    from hireflow.interviews.models import InterviewReport, InterviewSession
    from hireflow.scheduling.models import Invitation as Inv

    invitation = Inv(
        tenant_id=application.tenant_id,
        opening_id=application.opening_id,
        candidate_id=application.candidate_id,
        kind="ai",
        status="completed",
        language="en",
        timezone="UTC",
        deadline=utcnow(),
        duration_minutes=20,
    )
    session.add(invitation)
    session.flush()
    interview = InterviewSession(
        tenant_id=application.tenant_id,
        opening_id=application.opening_id,
        candidate_id=application.candidate_id,
        invitation_id=invitation.id,
        status="scored",
        deadline=utcnow(),
    )
    session.add(interview)
    session.flush()
    session.add(
        InterviewReport(
            tenant_id=application.tenant_id,
            interview_id=interview.id,
            body="{}",
            sha256="0" * 64,
            engine_version="test",
            scores=dict(scores),
            job_match=job_match,
        )
    )
    session.commit()


def test_entering_a_round_starts_it_and_a_rule_moves_trigger_the_next_rules(
    session, org, opening, hr, worker
):
    """H2: moving a candidate to a live round invites them to book it with the panel; a
    rule's own move is an event like a person's, so rules chain (forward only)."""
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(
            name="Round 2 starts",
            trigger="stage.changed",
            stage="round_2",
            condition="previous_stage != 'rejected'",
            actions=[{"type": "next_round", "round_name": "Round 2"}, {"type": "notify_manager"}],
        ),
    )
    rules.create_rule(session, hr, opening.id, rule_in(name="Strong report"))
    application = apply(session, org, opening)
    report_ready(session, application)
    worker.run()  # the report rule moves to round_2; entering round_2 starts the round
    assert stage_of(session, application) == "round_2"
    logs = {
        row.event_name: row
        for row in session.scalars(select(RuleLog).where(RuleLog.application_id == application.id))
    }
    assert set(logs) == {"report.ready", "stage.changed"}
    entered = logs["stage.changed"]
    assert entered.status == "fired" and entered.facts["previous_stage"] == "applied"
    assert [o["result"] for o in entered.outcome] == ["done", "done"]
    invitation = session.scalars(
        select(Invitation).where(Invitation.candidate_id == application.candidate_id)
    ).one()
    assert invitation.kind == "live" and invitation.round_name == "Round 2"
    # A person moving the candidate elsewhere does not start it again.
    move(session, hr, application.id, MoveRequest("offer", 1))
    worker.run()
    assert invitations_of(session, application) == 1


def test_pending_rule_rows_count_as_queued_work(session, org, opening, hr, worker):
    from hireflow.core import worker as worker_health

    rules.create_rule(session, hr, opening.id, rule_in())
    report_ready(session, apply(session, org, opening))
    waiting = worker_health.health(session, 900)["queue"]
    assert waiting["rules"] >= 1
    worker.run()
    assert worker_health.health(session, 900)["queue"]["rules"] == waiting["rules"] - 1


def test_a_fault_while_evaluating_marks_the_row_failed_instead_of_retrying_forever(
    session, org, opening, hr, worker, monkeypatch
):
    rules.create_rule(session, hr, opening.id, rule_in())
    application = apply(session, org, opening)
    report_ready(session, application)

    def broken(*_args):
        raise RuntimeError("bug")

    monkeypatch.setattr(automation, "_evaluate_one", broken)
    worker.run()
    [row] = session.scalars(select(RuleLog).where(RuleLog.application_id == application.id))
    session.refresh(row)
    assert (row.status, row.reason) == ("failed", "error")
    assert stage_of(session, application) is None


def test_a_complete_round_and_an_answered_offer_trigger_their_rules(
    session, org, opening, hr, worker
):
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(
            name="Panel says yes",
            trigger="scorecards.completed",
            condition="round == 'round_1' and votes_yes >= 1 and levels.coding >= 3",
            actions=[{"type": "move", "to": "offer"}],
        ),
    )
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(
            name="Accepted",
            trigger="offer.answered",
            condition="answer == 'accepted'",
            actions=[{"type": "todo", "note": "Prepare onboarding"}],
        ),
    )
    application = apply(session, org, opening)
    card = schemas.ScorecardIn(
        round="round_1", ratings={"coding": 4, "communication": 3}, recommendation="yes"
    )
    scorecards.submit(session, principal(session, org, "interviewer"), application.id, card)
    worker.run()
    assert stage_of(session, application) == "offer"
    events.publish(
        session,
        "offer.answered",
        org.tenant.id,
        f"application:{application.id}",
        {"application_id": application.id, "opening_id": opening.id, "accepted": True},
    )
    session.commit()
    worker.run()
    [todo] = session.scalars(select(RuleTask).where(RuleTask.application_id == application.id))
    assert todo.note == "Prepare onboarding"
    fired = session.scalars(
        select(RuleLog.event_name).where(
            RuleLog.application_id == application.id, RuleLog.status == "fired"
        )
    ).all()
    assert sorted(fired) == ["offer.answered", "scorecards.completed"]
