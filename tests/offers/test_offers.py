"""Offers: templates, the approval chain, sending, the candidate's answer and the hire."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hireflow.candidates.models import Application
from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.core.errors import AppError, NotFound
from hireflow.core.permissions import Role
from hireflow.core.settings import get_settings
from hireflow.notifications.models import OutboxMessage
from hireflow.offers import configuration, hire, portal, schemas, service
from hireflow.offers.errors import OfferAnswered, OfferExpired, OfferNotApproved, OfferWithdrawn
from hireflow.offers.models import Employee, OnboardingTask
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from hireflow.records.integrity import verify
from hireflow.records.models import RecordEntry
from hireflow.records.timeline import find_record
from hireflow.workflow.models import PipelinePosition
from tests.offers.factories import approve_all, make_offer, make_template, sent_offer, start_day

SETTINGS = get_settings()


def _text(document: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_the_letter_is_a_real_pdf_in_chinese_and_in_english(session, org):
    offer = make_offer(session, org, name="张伟")
    hr = principal_for(org.users["hr_admin"])
    chinese = _text(service.letter_pdf(session, hr, offer.id, "zh"))
    english = _text(service.letter_pdf(session, hr, offer.id, "en"))
    assert "录用通知书" in chinese and "张伟" in chinese and "试用期" in chinese
    assert "月薪" in chinese and "上海" in chinese and "身份证" in chinese
    assert "Offer letter" in english and "Probation" in english and "张伟" in english
    assert "CNY 25,000" in english


def test_an_offer_copies_its_template_and_one_application_has_one_standing_offer(session, org):
    offer = make_offer(session, org)
    assert offer.status == "draft" and offer.salary == 25000
    assert offer.required_documents == ["id_card", "degree"]
    hr = principal_for(org.users["hr_admin"])
    with pytest.raises(AppError) as refused:
        service.create_offer(
            session,
            hr,
            offer.application_id,
            schemas.OfferIn(template_id=offer.template_id, start_date=start_day()),
        )
    assert refused.value.status == 409


def test_the_chain_asks_the_hr_head_only_above_the_band(session, org):
    low = approve_all(session, org, make_offer(session, org, salary=20000))
    roles = [a.role for a in service.approvals(session, low)]
    assert roles == ["hiring_manager"] and low.status == "approved"
    high = approve_all(session, org, make_offer(session, org, salary=90000))
    steps = service.approvals(session, high)
    assert [a.role for a in steps] == ["hiring_manager", "hr_head"]
    assert all(a.status == "approved" and a.decided_by_id for a in steps)
    actions = set(
        session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.target_type == "offer", AuditEntry.target_id == str(high.id)
            )
        )
    )
    assert {"offer.created", "offer.submitted", "offer.approved"} <= actions


def test_only_the_step_role_decides_and_a_refusal_stops_the_chain(session, org):
    offer = make_offer(session, org, salary=90000)
    hr = principal_for(org.users["hr_admin"])
    service.submit(session, hr, offer.id, SETTINGS)
    with pytest.raises(AppError) as wrong:
        service.decide(session, hr, offer.id, schemas.DecisionIn(approve=True), SETTINGS)
    assert wrong.value.status == 403  # the first step is the hiring manager's
    manager = principal_for(org.users["hiring_manager"])
    service.decide(
        session, manager, offer.id, schemas.DecisionIn(approve=False, comment="too high"), SETTINGS
    )
    assert offer.status == "rejected"
    with pytest.raises(OfferNotApproved):
        service.send(session, hr, offer.id, SETTINGS)
    # changed and submitted again: a new round
    service.update_offer(session, hr, offer.id, schemas.OfferUpdate(salary=20000))
    approve_all(session, org, offer)
    assert offer.status == "approved"
    assert {a.round for a in service.approvals(session, offer)} == {1, 2}


def test_a_manager_of_another_department_cannot_see_or_approve(session, org):
    from tests.conftest import make_user

    offer = make_offer(session, org)
    hr = principal_for(org.users["hr_admin"])
    service.submit(session, hr, offer.id, SETTINGS)
    other = make_user(session, org.tenant, "hiring_manager", department=org.departments[1])
    with pytest.raises(NotFound):
        service.decide(
            session, principal_for(other), offer.id, schemas.DecisionIn(approve=True), SETTINGS
        )


def test_sending_puts_the_letter_in_the_record_and_moves_to_the_offer_stage(session, org):
    offer, token = sent_offer(session, org)
    assert offer.status == "sent" and offer.expires_at > utcnow()
    assert len(offer.pdf_sha256) == 64
    position = session.scalars(
        select(PipelinePosition).where(PipelinePosition.application_id == offer.application_id)
    ).one()
    assert position.stage_key == "offer"
    message = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "offer", OutboxMessage.kind == "offer.sent"
        )
    ).one()
    assert token in message.body_text and message.attachments
    assert "录用" in message.subject


def test_acceptance_is_sealed_and_makes_the_person_an_employee(session, org):
    offer, token = sent_offer(session, org, name="张伟")
    opened = portal.open_offer(session, SETTINGS, token)
    portal.answer(
        session,
        SETTINGS,
        opened,
        schemas.AnswerIn(accept=True, typed_name=" 张 伟 "),
        "203.0.113.9",
    )
    assert offer.status == "accepted" and offer.answer_ip == "203.0.113.9"
    entry = session.get(RecordEntry, offer.record_entry_id)
    assert entry.facts["statement_sha256"] == offer.answer_digest
    assert entry.facts["offer_status"] == "accepted"
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()
    assert employee.person_id == offer.candidate_id  # the same person, not a copy
    assert employee.employee_number.startswith("E") and employee.start_date == offer.start_date
    assert employee.manager_id == org.users["hiring_manager"].id
    user = session.get(User, employee.user_id)
    assert Role.EMPLOYEE.value in {r.role for r in user.roles}
    application = session.get(Application, offer.application_id)
    assert application.candidate.user_id == user.id
    position = session.scalars(
        select(PipelinePosition).where(PipelinePosition.application_id == offer.application_id)
    ).one()
    assert position.stage_key == "hired"
    tasks = session.scalars(
        select(OnboardingTask).where(OnboardingTask.employee_id == employee.id)
    ).all()
    assert {t.owner for t in tasks} == {"it", "manager", "hr"}
    assert {t.category for t in tasks} == {"accounts", "equipment", "documents", "training"}
    it_task = next(t for t in tasks if t.owner == "it")
    assert it_task.assignee_id == org.users["it_auditor"].id
    assert it_task.due_on == offer.start_date - timedelta(days=2)
    kinds = set(session.scalars(select(OutboxMessage.kind)))
    assert {"onboarding.task", "onboarding.notice", "offer.answered"} <= kinds
    sources = [
        e.source
        for e in session.scalars(
            select(RecordEntry)
            .where(RecordEntry.person_id == offer.candidate_id)
            .order_by(RecordEntry.seq)
        )
    ]
    assert {"offers", "pipeline", "offer_portal", "hire", "onboarding"} <= set(sources)
    report = verify(session, tenant_id=org.tenant.id, files=True)
    assert report.ok, report.problems


def test_an_offer_answers_once(session, org):
    offer, _token = sent_offer(session, org, name="Li Lei")
    answer = schemas.AnswerIn(accept=True, typed_name="li lei")
    portal.answer(session, SETTINGS, offer, answer, "198.51.100.1")
    with pytest.raises(OfferAnswered) as twice:
        portal.answer(session, SETTINGS, offer, answer, "198.51.100.1")
    assert twice.value.status == 409
    declined = schemas.AnswerIn(accept=False, typed_name="li lei")
    with pytest.raises(OfferAnswered):
        portal.answer(session, SETTINGS, offer, declined, "198.51.100.1")


def test_expired_and_withdrawn_offers_answer_410(session, org):
    offer, _token = sent_offer(session, org, name="Wang Fang")
    later = offer.expires_at + timedelta(minutes=1)
    answer = schemas.AnswerIn(accept=True, typed_name="Wang Fang")
    with pytest.raises(OfferExpired) as expired:
        portal.answer(session, SETTINGS, offer, answer, "198.51.100.2", now=later)
    assert expired.value.status == 410 and offer.status == "expired"
    other, _ = sent_offer(session, org, name="Zhao Lei")
    hr = principal_for(org.users["hr_admin"])
    service.withdraw(session, hr, other.id, schemas.WithdrawIn(reason="position closed"))
    with pytest.raises(OfferWithdrawn) as withdrawn:
        portal.answer(
            session, SETTINGS, other, schemas.AnswerIn(accept=True, typed_name="Zhao Lei"), "x"
        )
    assert withdrawn.value.status == 410


def test_a_wrong_typed_name_signs_nothing(session, org):
    offer, _ = sent_offer(session, org, name="张伟")
    with pytest.raises(AppError) as refused:
        portal.answer(
            session, SETTINGS, offer, schemas.AnswerIn(accept=True, typed_name="李雷"), "x"
        )
    assert refused.value.status == 422 and refused.value.fields == {"typed_name": "mismatch"}
    assert offer.status == "sent"


def test_a_declined_offer_makes_no_employee(session, org):
    offer, _ = sent_offer(session, org, name="Chen Jie")
    portal.answer(
        session,
        SETTINGS,
        offer,
        schemas.AnswerIn(accept=False, typed_name="Chen Jie", reason="another offer"),
        "198.51.100.3",
    )
    assert offer.status == "declined" and offer.answer_reason == "another offer"
    assert session.scalars(select(Employee).where(Employee.offer_id == offer.id)).first() is None


def test_links_of_other_offers_or_older_sends_do_not_open(session, org):
    offer, token = sent_offer(session, org)
    with pytest.raises(NotFound):
        portal.open_offer(session, SETTINGS, token[:-2] + "xx")
    offer.link_generation += 1
    session.flush()
    with pytest.raises(NotFound):
        portal.open_offer(session, SETTINGS, token)


def test_documents_are_type_and_size_checked(session, org):
    offer, _ = sent_offer(session, org)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    row = portal.upload_document(session, offer, "id_card", "id.pdf", pdf)
    assert row.content_type == "application/pdf" and row.attachment_id
    with pytest.raises(AppError) as wrong_type:
        portal.upload_document(session, offer, "degree", "degree.pdf", b"MZ\x90\x00 not a pdf")
    assert wrong_type.value.fields == {"file": "type"}
    with pytest.raises(AppError) as too_big:
        portal.upload_document(
            session, offer, "degree", "big.pdf", b"%PDF-" + b"0" * portal.MAX_DOCUMENT_BYTES
        )
    assert too_big.value.status == 413
    with pytest.raises(AppError) as unasked:
        portal.upload_document(session, offer, "medical", "m.pdf", pdf)
    assert unasked.value.fields == {"kind": "unknown"}


def test_expiry_and_reminders_run_once(session, org):
    offer, _ = sent_offer(session, org)
    near = offer.expires_at - timedelta(days=1)
    assert service.remind_due(session, SETTINGS, near) == 1
    assert service.remind_due(session, SETTINGS, near) == 0
    assert service.expire_due(session, SETTINGS, offer.expires_at) == 1
    assert offer.status == "expired"
    assert service.expire_due(session, SETTINGS, offer.expires_at) == 0
    kinds = [
        m.kind
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.related_id == offer.id))
    ]
    assert kinds.count("offer.reminder") == 1 and kinds.count("offer.expired") == 1


def test_onboarding_tasks_complete_and_the_person_becomes_employed(session, org):
    offer, _ = sent_offer(session, org, name="Sun Li")
    portal.answer(session, SETTINGS, offer, schemas.AnswerIn(accept=True, typed_name="Sun Li"), "x")
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()
    it = principal_for(org.users["it_auditor"])
    mine = hire.visible_tasks(session, it)
    assert {t.owner for t in mine} == {"it"}  # IT sees only its own tasks
    hr = principal_for(org.users["hr_admin"])
    for task in hire.visible_tasks(session, hr, employee.person_id):
        hire.complete_task(session, hr, task.id)
    with pytest.raises(AppError) as again:
        hire.complete_task(session, hr, mine[0].id)
    assert again.value.status == 409
    assert find_record(session, employee.person_id).status == "employed"
    assert verify(session, tenant_id=org.tenant.id).ok


def test_the_band_and_chain_are_configurable(session, org):
    hr = principal_for(org.users["hr_admin"])
    configuration.save_settings(
        session, hr, schemas.SettingsIn(manager_approval=False, salary_band=100000)
    )
    offer = make_offer(session, org, salary=50000)
    service.submit(session, hr, offer.id, SETTINGS)
    assert offer.status == "approved" and service.approvals(session, offer) == []
    recruiter = principal_for(org.users["recruiter"])
    with pytest.raises(AppError) as forbidden:
        configuration.save_settings(session, recruiter, schemas.SettingsIn())
    assert forbidden.value.status == 403
    with pytest.raises(AppError) as not_hr:
        configuration.save_settings(
            session, hr, schemas.SettingsIn(hr_head_id=org.users["recruiter"].id)
        )
    assert not_hr.value.status == 422
    make_template(session, org)


def test_the_beat_tasks_expire_remind_and_are_scheduled(session, org, db):
    from hireflow.core.tasks import celery_app
    from hireflow.offers import tasks

    offer, _ = sent_offer(session, org)
    offer.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert tasks.expire_and_remind() == {"expired": 1, "reminded": 0}
    session.refresh(offer)
    assert offer.status == "expired"
    assert tasks.remind_onboarding() == {"reminded": 0}
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"offers.expire_and_remind", "offers.remind_onboarding"} <= schedule


def test_overdue_onboarding_tasks_are_reminded_once(session, org):
    offer, _ = sent_offer(session, org, name="Hu Bo")
    portal.answer(session, SETTINGS, offer, schemas.AnswerIn(accept=True, typed_name="Hu Bo"), "x")
    late = offer.start_date + timedelta(days=10)
    reminded = hire.remind_tasks(session, SETTINGS, late)
    assert reminded == 5
    assert hire.remind_tasks(session, SETTINGS, late) == 0
    kinds = list(
        session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.kind == "onboarding.reminder")
        )
    )
    assert len(kinds) == 5
