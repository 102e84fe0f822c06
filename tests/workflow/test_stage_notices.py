"""Notices of stage changes in the hiring-group chats (SPEC H5): the stages the company picked
are announced once per move to each robot it turned on, delivered to the local robot server
(tests/notifications/provider_fakes.py), in the company's language; bad settings refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hireflow.core.errors import Forbidden, ValidationFailed
from hireflow.core.events import Event
from hireflow.notifications import schemas as notification_schemas
from hireflow.notifications.channel_settings import save_channel
from hireflow.notifications.delivery import deliver_many
from hireflow.notifications.models import OutboxMessage
from hireflow.workflow import schemas, stage_notices, stages
from hireflow.workflow.service import MoveRequest, move
from tests.notifications import provider_fakes as fake
from tests.workflow.factories import apply, make_opening, principal


@pytest.fixture
def providers() -> Iterator[fake.FakeProviders]:
    with fake.FakeProviders() as server:
        yield server


@pytest.fixture
def hr(session, org):
    return principal(session, org, "hr_admin")


def _robots(session, hr, settings, providers) -> None:
    for data in (
        notification_schemas.ChannelIn(
            channel="wecom",
            enabled=True,
            webhook_url=f"{providers.url}/cgi-bin/webhook/send?key={fake.WECOM_KEY}",
        ),
        notification_schemas.ChannelIn(
            channel="feishu",
            enabled=True,
            webhook_url=f"{providers.url}/open-apis/bot/v2/hook/{fake.FEISHU_HOOK}",
            secrets={"secret": fake.FEISHU_SECRET},
        ),
    ):
        save_channel(session, hr, data, settings)


def _notices(session, application) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(f"stage-notice:{application.id}:%"))
            .order_by(OutboxMessage.id)
        )
    )


def test_picked_stages_are_announced_once_to_each_robot(session, db, settings, org, hr, providers):
    _robots(session, hr, settings, providers)
    stages.set_settings(session, hr, schemas.SettingsIn(notify_stages=["round_1", "offer"]))
    opening = make_opening(session, org)
    application = apply(session, org, opening, name="王小明")
    session.commit()
    move(session, hr, application.id, MoveRequest("screened", 0))
    assert _notices(session, application) == []  # not a picked stage
    move(session, hr, application.id, MoveRequest("round_1", 1))
    messages = _notices(session, application)
    assert sorted(m.channel for m in messages) == ["feishu", "wecom"]
    assert deliver_many(db, [m.id for m in messages], settings) == {"sent": 2}
    received = dict(providers.state.received)
    text = received["wecom"]["markdown"]["content"]
    # The company's language (zh): the candidate, both stages by name, the opening, the board.
    assert "王小明" in text and "从“已筛选”进入“第一轮面试”" in text
    assert opening.title in text and f"/openings/{opening.id}/pipeline" in text
    assert "王小明" in str(received["feishu"])


def test_the_same_move_handled_twice_announces_once(session, settings, org, hr, providers):
    org.tenant.default_language = "en"
    _robots(session, hr, settings, providers)
    stages.set_settings(session, hr, schemas.SettingsIn(notify_stages=["screened"]))
    opening = make_opening(session, org)
    application = apply(session, org, opening)
    session.commit()
    move(session, hr, application.id, MoveRequest("screened", 0))
    [first, _] = _notices(session, application)
    assert "moved from “Applied” to “Screened”" in first.body_text
    event = Event(
        name="stage.changed",
        tenant_id=org.tenant.id,
        subject=f"application:{application.id}",
        data={
            "application_id": application.id,
            "opening_id": opening.id,
            "from": "applied",
            "to": "screened",
            "reason": None,
            "actor": hr.user_id,
            "version": 1,
        },
    )
    stage_notices.announce(session, event)  # a redelivery of the same move
    session.commit()
    assert [m.id for m in _notices(session, application)] == [first.id, first.id + 1]
    # Moving back and in again is a new move (new version): announced again.
    move(session, hr, application.id, MoveRequest("applied", 1))
    move(session, hr, application.id, MoveRequest("screened", 2))
    assert len(_notices(session, application)) == 4


def test_nothing_is_announced_without_robots_or_picked_stages(session, org, hr):
    opening = make_opening(session, org)
    application = apply(session, org, opening)
    session.commit()
    stages.set_settings(session, hr, schemas.SettingsIn(notify_stages=["screened"]))
    move(session, hr, application.id, MoveRequest("screened", 0))  # e-mail only: no robot
    assert _notices(session, application) == []


def test_bad_notice_settings_are_refused(session, org, hr):
    with pytest.raises(ValidationFailed) as unknown:
        stages.set_settings(session, hr, schemas.SettingsIn(notify_stages=["round_9"]))
    assert unknown.value.fields == {"notify_stages": "unknown"}
    with pytest.raises(ValidationFailed) as twice:
        stages.set_settings(session, hr, schemas.SettingsIn(notify_stages=["offer", "offer"]))
    assert twice.value.fields == {"notify_stages": "duplicate"}
    with pytest.raises(Forbidden):
        stages.set_settings(
            session, principal(session, org, "recruiter"), schemas.SettingsIn(notify_stages=[])
        )
    # A partial update keeps the other settings.
    stages.set_settings(session, hr, schemas.SettingsIn(blind_scorecards=False))
    stages.set_settings(session, hr, schemas.SettingsIn(notify_stages=["offer"]))
    out = stages.settings_out(session, org.tenant.id)
    assert (out.blind_scorecards, out.notify_stages) == (False, ["offer"])
