"""Each domain event's payload is exactly what the webhook documentation (OpenAPI and
docs/integrations.md) says: the events are published by the real flows that publish them."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.core import events
from hireflow.core.settings import get_settings
from hireflow.integrations.schemas import EVENT_DATA
from hireflow.offers import portal, schemas
from hireflow.scheduling import schemas as scheduling_schemas
from hireflow.scheduling.bookings import book
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.sending import process_batch
from hireflow.scheduling.slot_search import offered_slots
from hireflow.workflow import schemas as workflow_schemas
from hireflow.workflow import scorecards
from tests.conftest import make_org
from tests.interviews.factories import scored_interview
from tests.offers.conftest import regional  # noqa: F401 - autouse: record storage
from tests.offers.factories import sent_offer
from tests.workflow.factories import apply, make_opening, principal


def _documented(event: events.Event) -> None:
    model = EVENT_DATA[event.name]
    fields = {field.alias or name for name, field in model.model_fields.items()}
    assert set(event.data) == fields, f"{event.name}: {sorted(event.data)} vs {sorted(fields)}"
    model.model_validate(event.data)


def test_offer_and_hire_events_match_their_documentation(session, published):
    org = make_org(session)
    _offer, token = sent_offer(session, org)
    opened = portal.open_offer(session, get_settings(), token)
    portal.answer(
        session, get_settings(), opened, schemas.AnswerIn(accept=True, typed_name="张伟"), "::1"
    )
    names = {event.name for event in published}
    assert {
        "offer.decided",
        "stage.changed",
        "offer.answered",
        "offer.accepted",
        "employee.created",
    } <= names
    for event in published:
        _documented(event)


def test_report_and_scorecard_events_match_their_documentation(session, db, published):
    org = make_org(session)
    setup, _interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    first = scorecards.model_of(application).dimensions[0].id
    scorecards.submit(
        session,
        principal(session, org, "interviewer"),  # the whole panel of the opening
        application.id,
        workflow_schemas.ScorecardIn(round="round_1", ratings={first: 4}, recommendation="yes"),
    )
    names = {event.name for event in published}
    assert {"report.ready", "scorecard.submitted", "scorecards.completed"} <= names
    for event in published:
        _documented(event)


def test_the_booking_event_matches_its_documentation(session, db, published):
    org = make_org(session)
    settings = get_settings()
    application = apply(session, org, make_opening(session, org))
    batch, _skipped, _created = create_invitations(
        session,
        principal(session, org, "recruiter"),
        scheduling_schemas.InvitationCreate(
            opening_id=application.opening_id,
            candidate_ids=[application.candidate_id],
            kind="live",
        ),
        settings,
    )
    process_batch(db, batch.id, settings)
    session.expire_all()
    invitation = session.scalars(select(Invitation).where(Invitation.batch_id == batch.id)).one()
    book(session, invitation, offered_slots(session, invitation)[0].start, settings, actor=None)
    booked = [event for event in published if event.name == "interview.booked"]
    assert len(booked) == 1 and booked[0].data["application_id"] == application.id
    for event in published:
        _documented(event)
