"""One-time codes for opening a record's files, when the company requires them: requested
by the viewer, e-mailed, valid a few minutes, one use, five attempts."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit, pii
from hireflow.core import settings as core_settings
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.permissions import Principal
from hireflow.core.tasks import enqueue_on_commit
from hireflow.records.models import CODE_CONTEXT, Attachment, DownloadCode
from hireflow.records.timeline import Actor, visible_to

CODE_ATTEMPTS = 5


class CodeRequired(AppError):
    """The company requires a one-time code before this file opens."""

    status = 403
    code = "code_required"
    message = N_("Enter the one-time code we sent to your e-mail address to open this file.")


class CodeInvalid(AppError):
    status = 403
    code = "code_invalid"
    message = N_("The code is wrong or has expired. Request a new one.")


def visible_attachment(
    session: Session, actor: Actor, attachment_id: int, capability: str
) -> Attachment:
    """The attachment, if ``actor`` may use it for ``capability`` (system actors: in their
    company); ``NotFound`` otherwise."""
    return visible_to(session, actor, Attachment, attachment_id, capability)


def _code_key() -> bytes:
    return pii.keyring().current.derive("download-code")


def code_hash(row_id: int, code: str) -> str:
    # HMAC-SHA256, or HMAC-SM3 under the sm suite (a code lives minutes, and a change of
    # key changes the code key anyway, so no older hash needs to be accepted).
    return pii.keyring().current.suite.mac(_code_key(), f"{row_id}:{code}".encode()).hex()


def code_context(row_id: int) -> str:
    """The context a code's token is bound to (its row)."""
    return pii.row_context(CODE_CONTEXT, {"id": row_id})


def request_download_code(session: Session, principal: Principal, attachment_id: int) -> None:
    """E-mail the viewer a one-time code for this file (valid a few minutes, one use)."""
    attachment = visible_attachment(session, principal, attachment_id, "records.files")
    if attachment.wrapped_key is None:
        raise NotFound(N_("This file was erased."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = max(1, core_settings.get_settings().download_code_minutes)
    row = DownloadCode(
        tenant_id=attachment.tenant_id,
        user_id=principal.user_id,
        attachment_id=attachment.id,
        code_hash="0" * 64,
        attempts=0,
        expires_at=utcnow() + timedelta(minutes=minutes),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    row.code_hash = code_hash(row.id, code)
    row.code_token = pii.encrypt_value(code, code_context(row.id))
    audit.record_on(session, "attachment.code_requested", principal, ("attachment", attachment.id))
    enqueue_on_commit(session, "records.send_download_code", row.id)
    session.commit()


def consume_code(
    session: Session, principal: Principal, attachment: Attachment, code: str | None
) -> None:
    """Use up the viewer's one-time code for the file (``CodeRequired`` / ``CodeInvalid``)."""
    now = utcnow()
    row = session.scalars(
        select(DownloadCode)
        .where(
            DownloadCode.user_id == principal.user_id,
            DownloadCode.attachment_id == attachment.id,
            DownloadCode.used_at.is_(None),
            DownloadCode.expires_at > now,
            DownloadCode.attempts < CODE_ATTEMPTS,
        )
        .order_by(DownloadCode.id.desc())
        .limit(1)
    ).first()
    if not code:
        raise CodeRequired()
    if row is None:
        raise CodeInvalid()
    if not hmac.compare_digest(row.code_hash, code_hash(row.id, code.strip())):
        row.attempts += 1
        audit.commit_on(session, "attachment.code_failed", principal, ("attachment", attachment.id))
        raise CodeInvalid()
    row.used_at = now
    row.code_token = None
