"""The candidate's side of an offer, through their personal offer link (SPEC H3).

Whoever holds the link sees that one offer and may answer it. Accepting is a signature: the
candidate types their full name; the name, the time and the address the answer came from are
stored (encrypted) and a digest of the whole statement is sealed into the person's record
chain. An offer answers once: a second answer, an expired or a withdrawn offer is refused
with 409/410. Acceptance makes the person an employee in the same transaction (``hire``).
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, NotFound, TooLarge, ValidationFailed
from hireflow.core.i18n import format_datetime
from hireflow.core.settings import Settings
from hireflow.offers import hire, schemas
from hireflow.offers.errors import OfferAnswered, OfferExpired, OfferWithdrawn
from hireflow.offers.links import read_token
from hireflow.offers.models import Employee, Offer, OfferDocument
from hireflow.offers.pdf import pdf_language, render_pdf
from hireflow.offers.service import (
    Parties,
    letter,
    mark_expired,
    parties,
    status_word,
    tell_sender,
)
from hireflow.records import service as records
from hireflow.records.models import RecordEntry
from hireflow.records.service import SystemActor

# Statuses a link can show (a draft or an offer waiting for approval was never sent).
SHOWN = frozenset({"sent", "accepted", "declined", "withdrawn", "expired"})
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def open_offer(session: Session, settings: Settings, token: str) -> Offer:
    """The offer a link names, or 404 (a forged link, an older link after a resend)."""
    claims = read_token(settings, token)
    if claims is None:
        raise NotFound(N_("This offer link is not valid."))
    offer_id, person_id, generation = claims
    offer = session.get(Offer, offer_id)
    if (
        offer is None
        or offer.candidate_id != person_id
        or offer.link_generation != generation
        or offer.status not in SHOWN
    ):
        raise NotFound(N_("This offer link is not valid."))
    return offer


@dataclass(frozen=True)
class PortalView:
    offer: Offer
    parties: Parties
    uploaded: list[OfferDocument]
    employee: Employee | None


def view(session: Session, offer: Offer) -> PortalView:
    uploaded = list(
        session.scalars(
            select(OfferDocument)
            .where(OfferDocument.offer_id == offer.id)
            .order_by(OfferDocument.uploaded_at)
        )
    )
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).first()
    return PortalView(offer, parties(session, offer), uploaded, employee)


def portal_out(portal: PortalView) -> schemas.PortalOfferOut:
    offer = portal.offer
    return schemas.PortalOfferOut(
        status=offer.status,
        company=portal.parties.tenant.name,
        position=portal.parties.opening.title,
        **offer.shown_terms(),
        required_documents=list(offer.required_documents),
        uploaded_documents=sorted({d.kind for d in portal.uploaded}),
        expires_at=offer.expires_at,
        answered_at=offer.answered_at,
    )


def _answerable(session: Session, settings: Settings, offer: Offer, now: datetime) -> None:
    """Refuse an answer to an offer that is answered, withdrawn or past its expiry."""
    if offer.status in ("accepted", "declined"):
        raise OfferAnswered(params={"status": status_word(offer.status)})
    if offer.status == "withdrawn":
        raise OfferWithdrawn()
    if offer.status == "sent" and offer.expires_at is not None and offer.expires_at <= now:
        mark_expired(session, offer, settings)
        session.commit()
    if offer.status == "expired":
        language = parties(session, offer).candidate.language or "zh-CN"
        raise OfferExpired(
            params={"time": format_datetime(offer.expires_at, "UTC", language, "long")},
        )


def _same_name(typed: str, name: str) -> bool:
    def norm(value: str) -> str:
        return "".join(unicodedata.normalize("NFKC", value).casefold().split())

    return bool(norm(typed)) and norm(typed) == norm(name)


def statement_digest(offer: Offer, answer: str, typed_name: str, at: datetime, ip: str) -> str:
    """SHA-256 over what the candidate agreed to and how: the offer, its letter as sent, the
    answer, the typed name, the time and the address (canonical JSON)."""
    statement = {
        "offer": offer.id,
        "version": offer.version,
        "letter_sha256": offer.pdf_sha256,
        "answer": answer,
        "typed_name": typed_name,
        "at": at.isoformat(),
        "ip": ip,
    }
    raw = json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def answer(
    session: Session,
    settings: Settings,
    offer: Offer,
    data: schemas.AnswerIn,
    ip: str,
    *,
    now: datetime | None = None,
) -> Offer:
    """Accept or decline. Two answers at once cannot both win: the status changes only from
    "sent", and the loser is told the offer was answered."""
    now = now or utcnow()
    _answerable(session, settings, offer, now)
    who = parties(session, offer)
    typed = data.typed_name.strip()
    if not _same_name(typed, who.candidate.name):
        raise ValidationFailed(
            N_("Type your full name exactly as it appears on the offer (%(name)s) to sign."),
            params={"name": who.candidate.name},
            fields={"typed_name": "mismatch"},
        )
    new_status = "accepted" if data.accept else "declined"
    _claim_answer(session, offer, new_status)
    session.refresh(offer)
    offer.answered_at = now
    offer.answer_name = typed
    offer.answer_ip = ip
    offer.answer_reason = data.reason.strip() or None
    offer.answer_digest = statement_digest(offer, new_status, typed, now, ip)
    entry = _record_answer(session, offer, new_status, typed, ip, now)
    offer.record_entry_id = entry.id
    audit.record(
        session,
        f"offer.{new_status}",
        actor=None,
        tenant_id=offer.tenant_id,
        target_type="offer",
        target_id=offer.id,
        new={"status": new_status, "digest": offer.answer_digest, "entry": entry.id},
        actor_label="subject",
    )
    payload = {
        "offer_id": offer.id,
        "application_id": offer.application_id,
        "person_id": offer.candidate_id,
        "opening_id": offer.opening_id,
        "answer": new_status,
    }
    events.publish(session, "offer.answered", offer.tenant_id, f"offer:{offer.id}", payload)
    if data.accept:
        events.publish(session, "offer.accepted", offer.tenant_id, f"offer:{offer.id}", payload)
        hire.hire(session, settings, offer, now)
    tell_sender(session, settings, offer, "offer.answered", answer=status_word(new_status))
    session.commit()
    return offer


def _claim_answer(session: Session, offer: Offer, new_status: str) -> None:
    """Move the offer from "sent" to the answer, or tell the loser of a race it was answered."""
    changed = session.execute(
        update(Offer)
        .where(Offer.id == offer.id, Offer.status == "sent")
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(offer)
        raise OfferAnswered(params={"status": status_word(offer.status)})


def _record_answer(
    session: Session, offer: Offer, new_status: str, typed: str, ip: str, now: datetime
) -> RecordEntry:
    """The signed answer as an entry in the candidate's record."""
    return records.append_entry(
        session,
        SystemActor("offer-portal", tenant_id=offer.tenant_id),
        offer.candidate_id,
        "application",
        data={
            "typed_name": typed,
            "ip": ip,
            "answered_at": now.isoformat(),
            **({"reason": offer.answer_reason} if offer.answer_reason else {}),
        },
        source="offer_portal",
        facts={
            "offer_id": offer.id,
            "offer_status": new_status,
            "statement_sha256": offer.answer_digest,
            "letter_sha256": offer.pdf_sha256 or None,
        },
        occurred_at=now,
        opening_id=offer.opening_id,
        commit=False,
    )


def _kind_of(data: bytes) -> str | None:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    return None


def upload_document(
    session: Session,
    offer: Offer,
    kind: str,
    filename: str,
    data: bytes,
    *,
    now: datetime | None = None,
) -> OfferDocument:
    """A document the offer asks for (PDF, JPEG or PNG, at most 10 MB), stored encrypted in
    the person's record. Refused once the offer is withdrawn, expired or declined."""
    now = now or utcnow()
    if offer.status == "withdrawn":
        raise OfferWithdrawn()
    if offer.status in ("expired", "declined"):
        raise OfferAnswered(params={"status": status_word(offer.status)})
    if kind not in offer.required_documents:
        raise ValidationFailed(
            N_("This offer does not ask for that document."), fields={"kind": "unknown"}
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise TooLarge(
            N_("The file is larger than %(limit)s MB."),
            params={"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            fields={"file": "too_large"},
        )
    if not data:
        raise ValidationFailed(N_("The file is empty."), fields={"file": "empty"})
    sniffed = _kind_of(data)
    if sniffed is None:
        raise ValidationFailed(
            N_("Send the document as a PDF, JPEG or PNG file."), fields={"file": "type"}
        )
    content_type = DOCUMENT_TYPES[sniffed]
    attachment = records.attach_file(
        session,
        SystemActor("offer-portal", tenant_id=offer.tenant_id),
        offer.candidate_id,
        io.BytesIO(data),
        filename or f"{kind}.{sniffed}",
        content_type,
        {"opening_id": offer.opening_id, "offer_id": offer.id, "document": kind},
        kind="certificate",
        source="offer_portal",
        commit=False,
    )
    row = OfferDocument(
        tenant_id=offer.tenant_id,
        offer_id=offer.id,
        opening_id=offer.opening_id,
        kind=kind,
        attachment_id=attachment.id,
        size=len(data),
        content_type=content_type,
        uploaded_at=now,
    )
    session.add(row)
    audit.commit_recorded(
        session,
        "offer.document_uploaded",
        actor=None,
        tenant_id=offer.tenant_id,
        target_type="offer",
        target_id=offer.id,
        new={"kind": kind, "size": len(data), "type": sniffed},
        actor_label="subject",
    )
    return row


def letter_pdf(session: Session, offer: Offer) -> tuple[bytes, str]:
    """The letter in the candidate's language, as the link shows it (and its file name)."""
    language = pdf_language(offer.language)
    return render_pdf(letter(session, offer, language)), f"offer-{offer.id}-{language}.pdf"


def choose_password(session: Session, offer: Offer, password: str) -> None:
    """The accepted candidate's first password for their employee account."""
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).first()
    if employee is None:
        raise NotFound()
    hire.choose_password(session, employee, password)
