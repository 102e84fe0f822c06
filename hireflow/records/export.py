"""Everything held about a person, as a zip of JSON and files (data portability, SPEC G7).

PIPL Art. 45 and GDPR Art. 20 give a person the right to a copy of their data in a
structured, commonly used, machine-readable format. The zip holds:

- ``person.json``: the candidate's profile (decrypted), the record (region, status, hold),
  applications with their openings;
- ``timeline.json``: every entry with its type, source, time, who, facts and decrypted
  data, and its hash;
- ``consents.json``: the current consent per purpose and its history;
- ``files/``: every attachment, decrypted, with ``attachments.json`` describing them;
- ``manifest.json``: the hash (SHA-256, or SM3 under the sm suite, named in ``hash``) and
  size of every file in the zip and the chain head, so the export can be checked against
  the record later;
- ``README.txt``: what the files are, in Chinese and English.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit, pii
from hireflow.core.crypto import Keyring, WrappedKey, default_suite
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require_visible
from hireflow.core.storage import EncryptedStorage
from hireflow.openings.models import Opening
from hireflow.records.models import Attachment, RecordEntry
from hireflow.records.payloads import decrypt_payload
from hireflow.records.storage import regional_storage
from hireflow.records.timeline import actor_names, find_record, settle_pending

README = """Hireflow — 个人信息副本 / copy of your personal data

person.json      个人资料、档案状态、应聘记录 / profile, record status, applications
timeline.json    档案时间线（每条记录含哈希值）/ the record's timeline, each entry with its hash
consents.json    同意记录 / consents given and withdrawn
attachments.json 附件说明 / what each file is
files/           附件原文件 / the files themselves
manifest.json    每个文件的校验值（SHA-256 或 SM3，见 hash 字段）/ hash of every file
                 (SHA-256 or SM3, named in "hash"), to check this copy
"""


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_default).encode("utf-8")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return cleaned[:120] or "file"


def consents_of(entries: list[RecordEntry]) -> dict[str, Any]:
    """Current consent per purpose (the latest entry wins) and the full history."""
    current: dict[str, Any] = {}
    history = []
    for entry in entries:
        if entry.type != "consent":
            continue
        item = {
            "purpose": entry.facts.get("purpose"),
            "granted": entry.facts.get("granted"),
            "notice_version": entry.facts.get("notice_version"),
            "method": entry.facts.get("method"),
            "at": entry.occurred_at,
        }
        history.append(item)
        current[str(item["purpose"])] = item
    return {"current": current, "history": history}


def export_person(
    session: Session, principal: Principal, person_id: int, out: BinaryIO
) -> dict[str, Any]:
    """Write the person's export zip to ``out``; returns the manifest. Audited.

    HR admins export anyone in their scope; a candidate exports their own record.
    """
    candidate = require_visible(session, Candidate, person_id, principal, "records.export")
    settle_pending(session, person_id)  # committed with the export's audit row
    entries = list(
        session.scalars(
            select(RecordEntry).where(RecordEntry.person_id == person_id).order_by(RecordEntry.seq)
        )
    )
    person = _person_section(session, candidate)
    ring = pii.keyring()
    timeline = _timeline_section(session, entries, ring)
    attachments = list(
        session.scalars(
            select(Attachment).where(Attachment.person_id == person_id).order_by(Attachment.id)
        )
    )
    manifest: dict[str, Any] = {
        "format": "hireflow-person-export/1",
        "person_id": person_id,
        "generated_at": utcnow(),
        "chain_head": {"seq": entries[-1].seq, "hash": entries[-1].hash} if entries else None,
        "hash": default_suite().digest_label,
        "files": {},
    }
    label = default_suite().digest_label

    def add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        archive.writestr(name, data)
        manifest["files"][name] = {
            label: default_suite().hexdigest(data),
            "size": len(data),
        }

    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        add(archive, "README.txt", README.encode("utf-8"))
        add(archive, "person.json", _json(person))
        add(archive, "timeline.json", _json(timeline))
        add(archive, "consents.json", _json(consents_of(entries)))
        described = [
            _add_attachment(archive, attachment, ring, manifest["files"], label)
            for attachment in attachments
        ]
        add(archive, "attachments.json", _json(described))
        archive.writestr("manifest.json", _json(manifest))
    audit.commit_recorded(
        session,
        "record.exported",
        actor=principal,
        target_type="record",
        target_id=person_id,
        tenant_id=candidate.tenant_id,
        new={"files": len(manifest["files"]), "attachments": len(attachments)},
    )
    return manifest


def _person_section(session: Session, candidate: Candidate) -> dict[str, Any]:
    """person.json: the candidate's details, record status and applications."""
    record = find_record(session, candidate.id)
    applications = session.execute(
        select(Application, Opening.title)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Application.candidate_id == candidate.id)
        .order_by(Application.id)
    ).all()
    return {
        "id": candidate.id,
        "name": candidate.name,
        "email": candidate.email,
        "phone": candidate.phone,
        "id_number": candidate.id_number,
        "birth_date": candidate.birth_date,
        "location": candidate.location,
        "language": candidate.language,
        "timezone": candidate.timezone,
        "source": candidate.source,
        "profile": candidate.profile,
        "created_at": candidate.created_at,
        "record": None
        if record is None
        else {
            "region": record.region,
            "status": record.status,
            "status_at": record.status_at,
            "legal_hold": record.legal_hold,
            "erased_at": record.erased_at,
        },
        "applications": [
            {"opening": title, "stage": app.stage, "applied_at": app.created_at}
            for app, title in applications
        ],
    }


def _timeline_section(
    session: Session, entries: list[RecordEntry], ring: Keyring
) -> list[dict[str, Any]]:
    """timeline.json: every entry, decrypted, with who wrote it."""
    names = actor_names(session, entries)
    # An interview result HR restated stays in the chain; the export says which entry
    # replaced it, so a reader takes the final scores (with the AI's beside them).
    superseded_by = {
        e.facts["supersedes"]: e.seq
        for e in entries
        if e.type == "interview_result" and e.facts.get("supersedes") is not None
    }
    return [
        {
            "seq": entry.seq,
            "type": entry.type,
            "source": entry.source,
            "by": names.get(entry.actor_id or 0) or entry.actor_label or None,
            "occurred_at": entry.occurred_at,
            "recorded_at": entry.recorded_at,
            "facts": entry.facts,
            "data": decrypt_payload(entry, ring),
            "hash": entry.hash,
            **({"superseded_by": superseded_by[entry.id]} if entry.id in superseded_by else {}),
        }
        for entry in entries
    ]


def _add_attachment(
    archive: zipfile.ZipFile,
    attachment: Attachment,
    ring: Keyring,
    files: dict[str, Any],
    label: str,
) -> dict[str, Any]:
    """Stream one attachment (decrypted) into the zip unless erased; its attachments.json item."""
    item: dict[str, Any] = {
        "id": attachment.id,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "labels": attachment.labels,
        "created_at": attachment.created_at,
        "erased": attachment.wrapped_key is None,
        "path": None,
    }
    if attachment.wrapped_key is None:
        return item
    path = f"files/{attachment.id}_{_safe_name(attachment.filename)}"
    storage = EncryptedStorage(regional_storage().for_record(attachment.region), ring)
    digest = default_suite().hasher()
    size = 0
    with (
        storage.open_read(
            attachment.storage_key,
            WrappedKey.from_token(attachment.wrapped_key),
            file_id=attachment.storage_key,
        ) as source,
        archive.open(path, "w", force_zip64=True) as target,
    ):
        while piece := source.read(1024 * 1024):
            digest.update(piece)
            size += len(piece)
            target.write(piece)
    files[path] = {label: digest.hexdigest(), "size": size}
    item["path"] = path
    return item
