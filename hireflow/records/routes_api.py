"""The HR record under ``/api/v1/records``: search, read, write, files, rights, policy.

The router also checks, when the application starts, that the configured master key can
read this database (``hireflow.records.keys.check_keyring``): a wrong or missing key stops
the start with a message naming the setting, before any request is served.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, File, Form, Header, Query, Response, UploadFile
from fastapi.responses import StreamingResponse

from hireflow.candidates.models import Candidate
from hireflow.core.db import get_database, utcnow
from hireflow.core.errors import N_, TooLarge, ValidationFailed
from hireflow.core.permissions import require
from hireflow.core.rows import shaped
from hireflow.records import download_codes, policy, queries, schemas, service
from hireflow.records.checkpoints import cached_checkpoints
from hireflow.records.export import export_person
from hireflow.records.facts import split_facts
from hireflow.records.integrity import verify_company_now, verify_person
from hireflow.records.keys import check_keyring
from hireflow.records.models import RecordEntry
from hireflow.records.timeline import visible_to
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, AppSettings, DbSession, Id, Offset, audit_read
from hireflow.web.streaming import PRIVATE_FILE, stream_and_close


@asynccontextmanager
async def _check_master_key(_app: FastAPI) -> AsyncIterator[None]:
    with get_database().session() as session:
        check_keyring(session)
    yield


router = APIRouter(tags=["records"], lifespan=_check_master_key)
api = ServiceRoutes(router, __name__)


class LimitedReader:
    """An upload stream that refuses to yield more than ``limit`` bytes."""

    def __init__(self, inner: BinaryIO, limit: int) -> None:
        self._inner = inner
        self._limit = limit
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._read += len(data)
        if self._read > self._limit:
            raise TooLarge(params={"limit": f"{self._limit // (1024 * 1024)} MiB"})
        return data


def stream_file(opened: service.OpenedAttachment) -> StreamingResponse:
    """Stream decrypted content; a damaged chunk aborts the response mid-way."""
    name = opened.filename or "file"
    return stream_and_close(
        opened.stream,
        opened.attachment.content_type or "application/octet-stream",
        {
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Content-Length": str(opened.attachment.size),
            **PRIVATE_FILE,
        },
    )


def export_response(session: DbSession, principal: Any, person_id: int) -> StreamingResponse:
    """The person's export zip, spooled to a temporary file and streamed."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    export_person(session, principal, person_id, spool)
    spool.seek(0)
    stamp = utcnow().strftime("%Y%m%d")
    return stream_and_close(
        spool,  # type: ignore[arg-type]
        "application/zip",
        {
            "Content-Disposition": f'attachment; filename="record-{person_id}-{stamp}.zip"',
            "Cache-Control": "no-store",
        },
    )


def entry_out(entry: RecordEntry, actor: str, data: dict[str, Any] | None) -> schemas.EntryOut:
    return shaped(
        schemas.EntryOut, entry, actor=actor, data=data, erased=entry.erased_at is not None
    )


def detail_out(view: queries.RecordView) -> schemas.RecordDetail:
    record = view.record
    return schemas.RecordDetail(
        person_id=view.person.id,
        name=view.person.name,
        region=view.region,
        status=record.status if record else "",
        status_at=record.status_at if record else None,
        legal_hold=bool(record and record.legal_hold),
        erased_at=record.erased_at if record else None,
        entries=[entry_out(e.entry, e.actor, e.data) for e in view.entries],
        attachments=[schemas.AttachmentOut.model_validate(a) for a in view.attachments],
        consents=view.consents,
        integrity=integrity_out(view.integrity),
    )


def integrity_out(report: Any) -> schemas.IntegrityOut:
    return schemas.IntegrityOut(
        ok=report.ok,
        chains=report.chains,
        rows=report.rows,
        checkpoints=report.checkpoints,
        problems=[schemas.ProblemOut(**p.as_dict()) for p in report.problems],
    )


# --- company-wide routes first: "/records/policy" must not be read as a person id ----------


@router.get("/records", response_model=list[schemas.RecordSummary])
def search_records(
    session: DbSession,
    principal: ApiUser,
    q: str = Query("", max_length=100),
    status: str = Query("", max_length=40),
    region: str = Query("", max_length=10),
    entry_type: str = Query("", max_length=40),
    opening_id: Id | None = None,
    dimension: str = Query("", max_length=60),
    min_score: float | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: Offset = 0,
) -> Any:
    hits, _total = queries.search(
        session,
        principal,
        queries.SearchFilters(
            q=q,
            status=status,
            region=region,
            entry_type=entry_type,
            opening_id=opening_id,
            dimension=dimension,
            min_score=min_score,
        ),
        limit=limit,
        offset=offset,
    )
    audit_read(session, principal, "records.listed", "person", [hit.person.id for hit in hits])
    return [
        schemas.RecordSummary(
            person_id=hit.person.id,
            name=hit.person.name,
            status=hit.record.status if hit.record else "",
            region=hit.record.region if hit.record else None,
            entry_count=hit.record.entry_count if hit.record else 0,
            last_entry_at=hit.record.last_entry_at if hit.record else None,
            legal_hold=bool(hit.record and hit.record.legal_hold),
            erased=bool(hit.record and hit.record.erased_at),
        )
        for hit in hits
    ]


@router.get("/records/policy", response_model=schemas.PolicyOut)
def get_policy(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "records.manage")
    return policy.get_policy(session, principal.tenant_id)


@router.put("/records/policy", response_model=schemas.PolicyOut)
def put_policy(data: schemas.PolicyIn, session: DbSession, principal: ApiUser) -> Any:
    return policy.update_policy(
        session, principal, require_download_code=data.require_download_code
    )


api.get(
    "/records/retention-rules",
    queries.retention_rules,
    name="list_rules",
    model=list[schemas.RetentionRuleOut],
)


@router.post("/records/retention-rules", response_model=schemas.RetentionRuleOut, status_code=201)
def add_rule(data: schemas.RetentionRuleIn, session: DbSession, principal: ApiUser) -> Any:
    return policy.add_retention_rule(
        session, principal, status=data.status, months=data.months, region=data.region
    )


api.delete("/records/retention-rules/{rule_id}", policy.delete_retention_rule, name="delete_rule")


@router.get("/records/integrity", response_model=list[schemas.IntegrityRunOut])
def integrity_runs(session: DbSession, principal: ApiUser) -> Any:
    return queries.integrity_runs(session, principal, limit=50)


api.create(
    "/records/integrity",
    verify_company_now,
    name="run_integrity",
    model=schemas.IntegrityRunOut,
    settings=True,
    doc="Verify the caller's company now (chains, checkpoints, files); IT auditors may.",
)


@router.post("/records/attachments/{attachment_id}/code", status_code=202, response_class=Response)
def request_code(attachment_id: Id, session: DbSession, principal: ApiUser) -> Response:
    """E-mail the caller a one-time code for opening this file."""
    download_codes.request_download_code(session, principal, attachment_id)
    return Response(status_code=202)


@router.get(
    "/records/attachments/{attachment_id}/content",
    response_class=Response,
    responses={200: {"description": "The file as stored.", "content": {"*/*": {}}}},
)
def attachment_content(
    attachment_id: Id,
    session: DbSession,
    principal: ApiUser,
    x_download_code: Annotated[str | None, Header(max_length=12)] = None,
) -> StreamingResponse:
    """The file, decrypted; send ``X-Download-Code`` when the company requires codes."""
    opened = service.open_attachment(session, principal, attachment_id, code=x_download_code)
    return stream_file(opened)


# --- one person's record -------------------------------------------------------------------


@router.get("/records/{person_id}", response_model=schemas.RecordDetail)
def get_record(person_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return detail_out(queries.view_record(session, principal, person_id))


@router.get("/records/{person_id}/verify", response_model=schemas.IntegrityOut)
def verify_record(person_id: Id, session: DbSession, principal: ApiUser) -> Any:
    visible_to(session, principal, Candidate, person_id, "records.read")
    return integrity_out(verify_person(session, person_id, checkpoints=cached_checkpoints()))


@router.post("/records/{person_id}/entries", response_model=schemas.EntryOut, status_code=201)
def add_entry(person_id: Id, data: schemas.EntryIn, session: DbSession, principal: ApiUser) -> Any:
    facts, personal = split_facts(data.facts, data.data)
    entry = service.append_entry(
        session,
        principal,
        person_id,
        data.type,
        personal,
        data.source,
        facts=facts,
        occurred_at=data.occurred_at,
        opening_id=data.opening_id,
    )
    return entry_out(entry, principal.name, personal)


@router.post("/records/{person_id}/status", status_code=201)
def change_status(
    person_id: Id, data: schemas.StatusIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    entry = service.set_status(
        session, principal, person_id, data.status, source=data.source, reason=data.reason
    )
    return {"entry_id": entry.id, "seq": entry.seq, "status": data.status}


@router.post(
    "/records/{person_id}/attachments", response_model=schemas.AttachmentOut, status_code=201
)
def upload_attachment(
    person_id: Id,
    session: DbSession,
    principal: ApiUser,
    settings: AppSettings,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[str, Form(max_length=30)] = "document",
    labels: Annotated[str, Form(max_length=4000)] = "{}",
    region: Annotated[str | None, Form(max_length=10)] = None,
) -> Any:
    """Upload a file (multipart field ``file``); ``labels`` is a JSON object."""
    # Whose record it is comes first: another tenant's person is "not found", whatever the body.
    visible_to(session, principal, Candidate, person_id, "records.write")
    if file is None:
        raise ValidationFailed(N_("Choose a file."), fields={"file": "required"})
    try:
        parsed = json.loads(labels or "{}")
    except ValueError as exc:
        raise ValidationFailed(
            N_("Labels must be a JSON object."), fields={"labels": "json"}
        ) from exc
    if not isinstance(parsed, dict):
        raise ValidationFailed(N_("Labels must be a JSON object."), fields={"labels": "json"})
    return service.attach_file(
        session,
        principal,
        person_id,
        LimitedReader(file.file, settings.max_upload_bytes),  # type: ignore[arg-type]
        file.filename or "file",
        file.content_type or "application/octet-stream",
        parsed,
        kind=kind,
        region=region,
    )


@router.post("/records/{person_id}/consents", status_code=201)
def add_consent(
    person_id: Id, data: schemas.ConsentIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    entry = service.record_consent(
        session,
        principal,
        person_id,
        data.purpose,
        data.notice_version,
        data.granted,
        method=data.method,
    )
    return {"entry_id": entry.id, "seq": entry.seq}


@router.put("/records/{person_id}/legal-hold")
def legal_hold(
    person_id: Id, data: schemas.HoldIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    record = service.set_legal_hold(session, principal, person_id, data.reason)
    return {"person_id": person_id, "legal_hold": record.legal_hold}


@router.post("/records/{person_id}/erasure", response_model=schemas.ErasureOut)
def erase(person_id: Id, data: schemas.ErasureIn, session: DbSession, principal: ApiUser) -> Any:
    report = service.erase_person(
        session, principal, person_id, reason=data.reason, request_ref=data.request_ref
    )
    return schemas.ErasureOut.model_validate(report, from_attributes=True)


@router.get(
    "/records/{person_id}/export",
    response_class=StreamingResponse,
    responses={200: {"description": "A zip archive.", "content": {"application/zip": {}}}},
)
def export(person_id: Id, session: DbSession, principal: ApiUser) -> StreamingResponse:
    """Everything held about the person as a zip (HR admins; a candidate for themselves)."""
    return export_response(session, principal, person_id)
