"""Companies' own message templates, validated in the sandbox before they are stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, require
from hireflow.notifications import schemas
from hireflow.notifications.models import (
    MessageTemplate,
)
from hireflow.notifications.templates import (
    TemplateError,
    TemplateKind,
    TemplateSource,
    default_template,
    normalize_language,
    validate_template,
)


def template_override(
    session: Session, tenant_id: int, kind: str, language: str
) -> TemplateSource | None:
    row = session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.tenant_id == tenant_id,
            MessageTemplate.kind == kind,
            MessageTemplate.language == normalize_language(language),
        )
    ).first()
    return TemplateSource(row.subject, row.body, row.sms) if row else None


def template_views(session: Session, principal: Principal) -> list[schemas.TemplateOut]:
    require(principal, "notifications.templates")
    rows = {
        (r.kind, r.language): r
        for r in session.scalars(
            select(MessageTemplate).where(MessageTemplate.tenant_id == principal.tenant_id)
        )
    }
    views = []
    for kind in TemplateKind:
        for language in ("zh-CN", "en", "ja"):
            row = rows.get((kind.value, language))
            source = (
                TemplateSource(row.subject, row.body, row.sms)
                if row
                else default_template(kind, language)
            )
            views.append(
                schemas.TemplateOut(
                    kind=kind.value,
                    language=language,
                    subject=source.subject,
                    body=source.body,
                    sms=source.sms,
                    customised=row is not None,
                )
            )
    return views


def _template_error(exc: TemplateError) -> ValidationFailed:
    return ValidationFailed(
        N_("The template cannot be saved: %(reason)s"),
        params={"reason": exc.message_en},
        fields={"body": exc.code},
    )


def save_template(
    session: Session, principal: Principal, data: schemas.TemplateIn
) -> MessageTemplate:
    """Validate HR's edit in the sandbox, then store it (one row per kind and language)."""
    require(principal, "notifications.templates")
    source = TemplateSource(data.subject, data.body, data.sms)
    try:
        validate_template(data.kind, source)
    except TemplateError as exc:
        raise _template_error(exc) from exc
    row = session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.tenant_id == principal.tenant_id,
            MessageTemplate.kind == data.kind,
            MessageTemplate.language == data.language,
        )
    ).first()
    if row is None:
        row = MessageTemplate(tenant_id=principal.tenant_id, kind=data.kind, language=data.language)
        session.add(row)
    row.subject, row.body, row.sms = data.subject, data.body, data.sms
    row.updated_by_id = principal.user_id
    session.flush()
    audit.commit_recorded(
        session,
        "notifications.template_saved",
        actor=principal,
        target_type="notification_template",
        target_id=row.id,
        new={"kind": data.kind, "language": data.language},
    )
    return row


def reset_template(session: Session, principal: Principal, kind: str, language: str) -> None:
    require(principal, "notifications.templates")
    row = session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.tenant_id == principal.tenant_id,
            MessageTemplate.kind == kind,
            MessageTemplate.language == language,
        )
    ).first()
    if row is None:
        return
    session.delete(row)
    audit.commit_recorded(
        session,
        "notifications.template_reset",
        actor=principal,
        target_type="notification_template",
        target_id=row.id,
        old={"kind": kind, "language": language},
    )
