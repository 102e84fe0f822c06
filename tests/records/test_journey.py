"""The hiring journey on the person's record: a self-booked round, each interviewer's scorecard
(and its amendment, with the reason and the version) and each approver's decision on the offer
become chained, encrypted entries, written by the real flows through their events; an
interviewer's view of the record shows no colleague's scorecard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.core.errors import ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import get_settings
from hireflow.offers import schemas as offer_schemas
from hireflow.offers import service as offers
from hireflow.openings.models import OpeningMember
from hireflow.org.auth import principal_for
from hireflow.records import queries
from hireflow.records.integrity import verify_person
from hireflow.records.models import RecordEntry
from hireflow.records.payloads import decrypt_payload
from hireflow.records.presenting import Presenter
from hireflow.scheduling import schemas as scheduling_schemas
from hireflow.scheduling.bookings import book, cancel_booking, staff_cancel_booking
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.sending import process_batch
from hireflow.scheduling.slot_search import offered_slots
from hireflow.workflow import schemas, scorecards
from tests.conftest import make_org, make_user
from tests.offers.factories import make_offer
from tests.workflow.factories import apply, make_opening


@pytest.fixture
def org(session):
    return make_org(session)


def _entries(session, person_id: int, source: str) -> list[RecordEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(RecordEntry)
            .where(RecordEntry.person_id == person_id, RecordEntry.source == source)
            .order_by(RecordEntry.seq)
        )
    )


def _card(round_key: str = "round_1", notes: str = "") -> schemas.ScorecardIn:
    return schemas.ScorecardIn(
        round=round_key, ratings={"coding": 4}, recommendation="yes", notes=notes
    )


def test_each_scorecard_and_its_amendment_are_on_the_record(session, org, regional):
    opening = make_opening(session, org)
    second = make_user(session, org.tenant, "interviewer")
    session.add(OpeningMember(opening_id=opening.id, user_id=second.id, role="interviewer"))
    session.flush()
    application = apply(session, org, opening)
    person = application.candidate_id
    first = principal_for(org.users["interviewer"])
    card = scorecards.submit(session, first, application.id, _card(notes="讲清楚了缓存失效。"))
    scorecards.submit(session, principal_for(second), application.id, _card())
    amended = scorecards.amend(
        session,
        first,
        card.id,
        schemas.AmendIn(
            round="round_1",
            ratings={"coding": 2},
            recommendation="no",
            notes="更正",
            reason="把两位候选人弄混了",
        ),
    )

    entries = _entries(session, person, "scorecard")
    assert [(e.type, e.actor_id, e.facts["version"]) for e in entries] == [
        ("review", first.user_id, 1),
        ("review", second.id, 1),
        ("review", first.user_id, 2),
    ]
    assert entries[0].facts["ratings"] == {"coding": 4}
    assert entries[0].facts["recommendation"] == "yes"
    assert entries[2].facts["recommendation"] == "no"
    assert entries[2].facts["supersedes_scorecard_id"] == card.id
    assert entries[2].facts["scorecard_id"] == amended.id
    # the texts are encrypted at rest and read back through the record's keys
    assert "把两位" not in (entries[2].payload or "")
    assert decrypt_payload(entries[2]) == {"notes": "更正", "amend_reason": "把两位候选人弄混了"}
    assert decrypt_payload(entries[0]) == {"notes": "讲清楚了缓存失效。"}
    assert verify_person(session, person).ok
    words = Presenter("zh-CN", gettext_for("zh-CN"))
    amendment = words.entry(entries[2], decrypt_payload(entries[2]))
    assert amendment.headline == "面试评分表已修改（第 2 版），第一轮面试：不建议录用"
    assert ("修订原因", "把两位候选人弄混了") in amendment.lines
    assert amendment.text == "更正"
    assert words.entry(entries[1], None).headline == "面试评分表，第一轮面试：建议录用"

    # HR sees every scorecard; each interviewer only their own (blind scorecards)
    def shown(principal) -> list[int]:
        view = queries.view_record(session, principal, person)
        return [item.entry.id for item in view.entries if item.entry.source == "scorecard"]

    assert shown(principal_for(org.users["hr_admin"])) == [e.id for e in entries]
    assert shown(first) == [entries[0].id, entries[2].id]
    assert shown(principal_for(second)) == [entries[1].id]


def test_each_approval_decision_is_on_the_record(session, org, regional):
    settings = get_settings()
    offer = make_offer(session, org, salary=90_000)  # above the band: manager, then HR head
    hr = principal_for(org.users["hr_admin"])
    manager = principal_for(org.users["hiring_manager"])
    offers.submit(session, hr, offer.id, settings)
    offers.decide(
        session,
        manager,
        offer.id,
        offer_schemas.DecisionIn(approve=True, comment="预算内"),
        settings,
    )
    assert offer.status == "pending_approval"
    offers.decide(
        session, hr, offer.id, offer_schemas.DecisionIn(approve=False, comment="再议"), settings
    )
    first, second = _entries(session, offer.candidate_id, "offer_approval")
    assert first.actor_id == manager.user_id
    assert (first.facts["approver_role"], first.facts["approval"]) == ("hiring_manager", "approved")
    assert (first.facts["offer_id"], first.facts["offer_status"]) == (offer.id, "pending_approval")
    assert decrypt_payload(first) == {"comment": "预算内"}
    assert (second.actor_id, second.facts["approver_role"]) == (hr.user_id, "hr_head")
    assert (second.facts["approval"], second.facts["offer_status"]) == ("refused", "rejected")
    assert second.facts["approval_step"] == 2
    words = Presenter("zh-CN", gettext_for("zh-CN"))
    assert words.entry(first, decrypt_payload(first)).headline == "录用通知已由用人经理批准"
    assert words.entry(second, None).headline == "录用通知被HR 负责人驳回"
    assert verify_person(session, offer.candidate_id).ok


def test_a_self_booked_round_is_on_the_record(session, db, org, regional):
    settings = get_settings()
    opening = make_opening(session, org)
    application = apply(session, org, opening)
    owner = principal_for(org.users["recruiter"])
    batch, _skipped, _created = create_invitations(
        session,
        owner,
        scheduling_schemas.InvitationCreate(
            opening_id=opening.id,
            candidate_ids=[application.candidate_id],
            kind="live",
            round_name="第二轮技术面试",
        ),
        settings,
    )
    process_batch(db, batch.id, settings)
    session.expire_all()
    invitation = session.scalars(select(Invitation).where(Invitation.batch_id == batch.id)).one()
    start = offered_slots(session, invitation)[0].start
    booking = book(session, invitation, start, settings, actor=None)

    (entry,) = _entries(session, application.candidate_id, "scheduling")
    assert (entry.type, entry.actor_id, entry.actor_label) == ("application", None, "subject")
    assert entry.facts["booking_id"] == booking.id
    assert entry.facts["booking"] == "booked"
    assert entry.facts["interview_kind"] == "live"
    assert entry.facts["panel_size"] == 1
    data = decrypt_payload(entry)
    assert data is not None and data["round"] == "第二轮技术面试"
    assert data["start"] == booking.start.isoformat()
    assert verify_person(session, application.candidate_id).ok
    shown = Presenter("en", gettext_for("en"), timezone="Asia/Shanghai").entry(entry, data)
    assert shown.headline.startswith("Interview booked: 第二轮技术面试, 20")
    assert "China Standard Time" in shown.headline or "CST" in shown.headline, shown.headline

    # the recruiter moves it: a second entry, in the recruiter's name
    later = offered_slots(session, invitation)[-1].start
    book(session, invitation, later, settings, actor=owner, enforce_candidate_rules=False)
    _booked, moved = _entries(session, application.candidate_id, "scheduling")
    assert (moved.actor_id, moved.facts["booking"]) == (owner.user_id, "rescheduled")
    assert decrypt_payload(moved)["start"] == later.isoformat()
    headline = Presenter("zh-CN", gettext_for("zh-CN")).entry(moved, decrypt_payload(moved))
    assert headline.headline.startswith("面试时间已改约：第二轮技术面试，20"), headline
    assert verify_person(session, application.candidate_id).ok

    # the recruiter cancels it: a third entry in their name, in words in both languages
    staff_cancel_booking(session, owner, invitation.id, settings)
    *_, cancelled = _entries(session, application.candidate_id, "scheduling")
    assert (cancelled.actor_id, cancelled.facts["booking"]) == (owner.user_id, "cancelled")
    words = Presenter("zh-CN", gettext_for("zh-CN")).entry(cancelled, decrypt_payload(cancelled))
    assert words.headline.startswith("已取消预约的面试：第二轮技术面试，20"), words
    english = Presenter("en", gettext_for("en")).entry(cancelled, decrypt_payload(cancelled))
    assert english.headline.startswith("Booked interview cancelled: 第二轮技术面试, 20")
    with pytest.raises(ValidationFailed):  # nothing left to cancel: nothing written
        staff_cancel_booking(session, owner, invitation.id, settings)
    session.rollback()
    assert len(_entries(session, application.candidate_id, "scheduling")) == 3
    # the candidate books again and cancels through their link: written as the person's own
    book(session, invitation, later, settings, actor=None)
    cancel_booking(session, invitation, settings, actor=None)
    *_, own = _entries(session, application.candidate_id, "scheduling")
    assert (own.facts["booking"], own.actor_id, own.actor_label) == ("cancelled", None, "subject")
    assert verify_person(session, application.candidate_id).ok


def test_an_interviewer_sees_the_ai_result_on_the_record_only_after_rating(session, org, regional):
    """Blind scorecards reach the record too: the AI result (and anything drawn from its
    scores) is withheld from a panel interviewer until their own scorecard is in; HR always
    sees it, and a company that turned blindness off shows it to everyone."""
    from hireflow.records import service as records
    from hireflow.workflow import stages

    opening = make_opening(session, org)
    application = apply(session, org, opening)
    person = application.candidate_id
    hr = principal_for(org.users["hr_admin"])
    result = records.append_entry(
        session,
        hr,
        person,
        "interview_result",
        {"summary": "AI 面试结果"},
        facts={"scores": {"coding": 8.0}},
        opening_id=opening.id,
    )
    interviewer = principal_for(org.users["interviewer"])

    def ids(principal) -> tuple[list[int], int]:
        view = queries.view_record(session, principal, person)
        return [item.entry.id for item in view.entries], view.withheld

    assert result.id in ids(hr)[0]
    shown, withheld = ids(interviewer)
    assert result.id not in shown and withheld == 1
    stages.set_settings(session, hr, schemas.SettingsIn(blind_scorecards=False))
    assert result.id in ids(interviewer)[0]
    stages.set_settings(session, hr, schemas.SettingsIn(blind_scorecards=True))
    assert result.id not in ids(interviewer)[0]
    scorecards.submit(session, interviewer, application.id, _card())
    shown, withheld = ids(interviewer)
    assert result.id in shown and withheld == 0
