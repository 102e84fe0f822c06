"""Proofs of SPEC G2/G7: no plaintext at rest, residency, erasure, legal hold, export."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text

from hireflow.core.audit import AuditEntry
from hireflow.core.crypto import IntegrityError, KeyNotFoundError, WrappedKey
from hireflow.core.errors import NotFound
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from hireflow.records import service
from hireflow.records.export import export_person
from hireflow.records.integrity import verify
from hireflow.records.models import Attachment, PersonRecord, RecordEntry, RecordScore
from hireflow.records.service import LegalHold, RecordErased, ResidencyRefused, SystemActor
from tests.conftest import make_user
from tests.records.conftest import make_opening, make_person


def _database_text(session) -> str:
    """Every value of every table, as the database stores it."""
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    parts = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)):
            parts.append(repr(tuple(row)))
    return "\n".join(parts)


def _storage_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_no_plaintext_of_a_known_attachment_anywhere(session, org, regional, storage_root):
    person = make_person(session, org)
    marker = b"KNOWN-RESUME-" + os.urandom(12).hex().encode()
    content = marker * 50 + b"\n" + "张伟 简历 13800138000".encode() + marker
    service.attach_file(
        session,
        principal_for(org.users["hr_admin"]),
        person.id,
        io.BytesIO(content),
        "zhangwei-resume.pdf",
        "application/pdf",
        kind="resume",
    )
    stored = _storage_bytes(storage_root)
    assert stored and marker not in stored and "张伟".encode() not in stored
    assert content[:64] not in stored
    dump = _database_text(session)
    assert marker.decode() not in dump
    assert "zhangwei-resume" not in dump  # the file name is personal too: encrypted


def test_eu_record_files_never_land_in_another_region(session, org, regional, storage_root):
    eu_opening = make_opening(session, org, 2)  # second subsidiary: region eu
    person = make_person(session, org, opening=eu_opening)
    hr = principal_for(org.users["hr_admin"])
    for index in range(3):
        service.attach_file(
            session, hr, person.id, io.BytesIO(os.urandom(3000)), f"f{index}.bin", "x/y"
        )
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person.id)).one()
    assert record.region == "eu"
    keys = [
        a.storage_key
        for a in session.scalars(select(Attachment).where(Attachment.person_id == person.id))
    ]
    for key in keys:
        assert regional.locate(key) == ["eu"]
    assert not any(p.is_file() for p in (storage_root / "cn").rglob("*"))
    assert not any(p.is_file() for p in (storage_root / "us").rglob("*"))
    # asking for another region is refused and audited, and nothing is written
    with pytest.raises(ResidencyRefused):
        service.attach_file(session, hr, person.id, io.BytesIO(b"x"), "x.bin", "x/y", region="cn")
    assert not any(p.is_file() for p in (storage_root / "cn").rglob("*"))
    refused = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "attachment.residency_refused")
    ).all()
    assert refused and refused[-1].new_values == {"region": "eu", "target": "cn"}
    report = verify(session, tenant_id=org.tenant.id, files=True)
    assert report.ok and report.files == 3


def test_unconfigured_region_is_refused_not_rerouted(session, org, storage_root):
    from hireflow.core.storage import LocalStorage, RegionalStorage
    from hireflow.records.storage import override_storage

    person = make_person(session, org, opening=make_opening(session, org, 2))  # eu
    only_cn = RegionalStorage({"cn": LocalStorage(storage_root / "cn")})
    # refused as "region not configured" (409), not as a move to another region
    with override_storage(only_cn), pytest.raises(service.RegionUnavailable):
        service.attach_file(
            session,
            principal_for(org.users["hr_admin"]),
            person.id,
            io.BytesIO(b"data"),
            "a.bin",
            "x/y",
        )
    assert not any(p.is_file() for p in (storage_root / "cn").rglob("*"))


def test_corrupted_ciphertext_is_detected_on_download(session, org, regional, storage_root):
    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    attachment = service.attach_file(
        session, hr, person.id, io.BytesIO(os.urandom(600_000)), "r.webm", "video/webm"
    )
    path = storage_root / attachment.region / Path(*attachment.storage_key.split("/"))
    data = bytearray(path.read_bytes())
    data[300_000] ^= 0x01
    path.write_bytes(bytes(data))
    opened = service.open_attachment(session, hr, attachment.id)
    with pytest.raises(IntegrityError):
        opened.stream.read()
    path.write_bytes(bytes(data[:100_000]))  # truncated
    opened = service.open_attachment(session, hr, attachment.id)
    with pytest.raises(IntegrityError):
        opened.stream.read()
    report = verify(session, tenant_id=org.tenant.id, files=True)
    assert {p.kind for p in report.problems} == {"file_altered"}


def _full_person(session, org, regional):
    user = make_user(session, org.tenant, "candidate")
    opening = make_opening(session, org, 0)
    person = make_person(
        session,
        org,
        opening=opening,
        name="Zhang Wei-Erasable",
        email="zhang.wei.erasable@example.com",
        phone="13911112222",
        user=user,
    )
    person.id_number = "11010119900307451X"
    person.birth_date = "1990-03-07"
    session.commit()
    hr = principal_for(org.users["hr_admin"])
    service.record_consent(session, principal_for(user), person.id, "processing", "v3", True)
    service.append_entry(
        session, hr, person.id, "profile_change", {"phone": "13911112222", "note": "moved"}
    )
    service.record_interview_report(
        session,
        SystemActor("interview-scoring", tenant_id=org.tenant.id),
        person.id,
        opening_id=opening.id,
        interview_id=5,
        scores={"communication": 8.5, "teamwork": 7},
        summary="Zhang Wei-Erasable handled the complaint well",
        recordings=[service.RecordingIn(io.BytesIO(b"RECORDING" * 1000), "a.webm", "video/webm")],
    )
    resume = service.attach_file(
        session,
        hr,
        person.id,
        io.BytesIO(b"RESUME OF ZHANG" * 100),
        "zhang.pdf",
        "application/pdf",
        kind="resume",
    )
    service.set_status(session, hr, person.id, "rejected")
    return person, user, resume


KNOWN = (
    "Zhang Wei-Erasable",
    "zhang.wei.erasable@example.com",
    "13911112222",
    "11010119900307451X",
    "1990-03-07",
)


def test_erasure_shreds_files_and_removes_personal_data_everywhere(
    session, org, regional, storage_root
):
    person, user, resume = _full_person(session, org, regional)
    user_email, user_name = user.email, user.name
    hr = principal_for(org.users["hr_admin"])
    # the HR admin looks at the file before the request arrives
    service.open_attachment(session, hr, resume.id).stream.read()
    wrapped = WrappedKey.from_token(resume.wrapped_key)
    ciphertext_copy = regional.get_bytes(resume.region, resume.storage_key)  # e.g. a backup
    scores_before = session.scalars(
        select(RecordScore.score).where(RecordScore.person_id == person.id)
    ).all()

    report = service.erase_person(
        session, hr, person.id, reason="subject_request", request_ref="DSR-17"
    )
    assert report.attachments_shredded == 2 and report.entries_erased >= 3
    assert report.user_anonymised and report.audit_rows_redacted >= 1

    # 1. attachments cannot be decrypted: the key is gone, the object deleted
    session.expire_all()
    shredded = session.get(Attachment, resume.id)
    assert shredded.wrapped_key is None and shredded.shredded_at is not None
    assert not regional.exists(resume.region, resume.storage_key)
    with pytest.raises(NotFound):
        service.open_attachment(session, hr, resume.id)
    # the wrapped key a backup kept cannot open the object either once the row is gone;
    # and a stolen copy of the ciphertext is useless without the data key
    from hireflow.core.crypto import generate_data_key
    from hireflow.core.file_crypto import decrypt_bytes

    with pytest.raises(IntegrityError):
        decrypt_bytes(ciphertext_copy, generate_data_key(), resume.storage_key)
    assert wrapped.key_id  # only the wrapped form ever existed outside memory

    # 2. personal data is gone from every table
    dump = _database_text(session)
    for value in KNOWN:
        assert value not in dump, value
    assert user_email not in dump and user_name not in dump
    assert session.get(User, user.id).is_active is False

    # 3. statistics survive: scores, statuses, applications, chains verify
    scores_after = session.scalars(
        select(RecordScore.score).where(RecordScore.person_id == person.id)
    ).all()
    assert sorted(scores_after) == sorted(scores_before) == [7.0, 8.5]
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person.id)).one()
    assert record.status == "rejected" and record.erased_at is not None
    erasure = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id, RecordEntry.type == "erasure")
    ).one()
    assert erasure.facts["reason"] == "subject_request" and erasure.facts["request_ref"] == "DSR-17"
    assert verify(session, tenant_id=org.tenant.id).ok
    # 4. nothing more can be added, and erasing twice is refused
    with pytest.raises(RecordErased):
        service.append_entry(session, hr, person.id, "note", {"t": "x"})
    with pytest.raises(Exception, match="erased already"):
        service.erase_person(session, hr, person.id)
    audit_row = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "record.erased")
    ).all()[-1]
    assert audit_row.new_values["reason"] == "subject_request"


def test_legal_hold_refuses_erasure_with_the_reason(session, org, regional):
    person, _user, _resume = _full_person(session, org, regional)
    hr = principal_for(org.users["hr_admin"])
    service.set_legal_hold(session, hr, person.id, "Labour arbitration case 2026-041")
    with pytest.raises(LegalHold) as refused:
        service.erase_person(session, hr, person.id)
    assert "Labour arbitration case 2026-041" in str(refused.value)
    raw = session.execute(
        text("SELECT legal_hold_reason FROM records WHERE person_id = :p"), {"p": person.id}
    ).scalar_one()
    assert "arbitration" not in raw  # the reason is stored encrypted
    service.set_legal_hold(session, hr, person.id, None)
    service.erase_person(session, hr, person.id)
    with pytest.raises(Exception):  # noqa: B017 - only HR admins manage holds and erasure
        service.erase_person(session, principal_for(org.users["recruiter"]), person.id)


def test_only_hr_admins_erase(session, org, regional):
    from hireflow.core.errors import Forbidden

    person = make_person(session, org)
    for role in ("recruiter", "hiring_manager", "interviewer", "it_auditor", "candidate"):
        with pytest.raises(Forbidden):
            service.erase_person(session, principal_for(org.users[role]), person.id)


def test_export_holds_everything_decrypted_and_is_audited(session, org, regional):
    person, user, _resume = _full_person(session, org, regional)
    out = io.BytesIO()
    manifest = export_person(session, principal_for(org.users["hr_admin"]), person.id, out)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    names = set(archive.namelist())
    assert {
        "person.json",
        "timeline.json",
        "consents.json",
        "attachments.json",
        "manifest.json",
    } <= names
    profile = json.loads(archive.read("person.json"))
    assert profile["id_number"] == "11010119900307451X" and profile["phone"] == "13911112222"
    timeline = json.loads(archive.read("timeline.json"))
    assert any(
        e["type"] == "interview_result" and "complaint" in e["data"]["summary"] for e in timeline
    )
    consents = json.loads(archive.read("consents.json"))
    assert consents["current"]["processing"]["notice_version"] == "v3"
    files = [n for n in names if n.startswith("files/")]
    assert len(files) == 2
    resume_name = next(n for n in files if n.endswith("zhang.pdf"))
    assert archive.read(resume_name) == b"RESUME OF ZHANG" * 100
    for name, info in manifest["files"].items():
        import hashlib

        assert hashlib.sha256(archive.read(name)).hexdigest() == info["sha256"]
    # the person themselves may export their own record, nobody else's
    out2 = io.BytesIO()
    export_person(session, principal_for(user), person.id, out2)
    other = make_person(session, org)
    with pytest.raises(NotFound):
        export_person(session, principal_for(user), other.id, io.BytesIO())
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "record.exported")).all()


def test_attachment_views_are_audited_and_scoped(session, org, regional):
    from hireflow.core.errors import Forbidden

    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    attachment = service.attach_file(
        session, hr, person.id, io.BytesIO(b"abc"), "a.txt", "text/plain"
    )
    opened = service.open_attachment(
        session, principal_for(org.users["interviewer"]), attachment.id
    )
    assert opened.stream.read() == b"abc" and opened.filename == "a.txt"
    views = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "attachment.viewed", AuditEntry.target_id == str(attachment.id)
        )
    ).all()
    assert views[-1].actor_id == org.users["interviewer"].id
    with pytest.raises(Forbidden):
        service.open_attachment(session, principal_for(org.users["it_auditor"]), attachment.id)
    other_dept = make_person(session, org, opening=make_opening(session, org, 3, members=False))
    hidden = service.attach_file(
        session, hr, other_dept.id, io.BytesIO(b"x"), "b.txt", "text/plain"
    )
    with pytest.raises(NotFound):
        service.open_attachment(session, principal_for(org.users["hiring_manager"]), hidden.id)


def test_wrong_master_key_cannot_open_files(session, org, regional):
    from hireflow.core import pii
    from hireflow.core.crypto import Keyring, MasterKey

    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    attachment = service.attach_file(
        session, hr, person.id, io.BytesIO(b"abc"), "a.txt", "text/plain"
    )
    with pii.override_keyring(Keyring(MasterKey.generate())), pytest.raises(KeyNotFoundError):
        service.open_attachment(session, hr, attachment.id)


def test_s3_regions_keep_eu_files_in_the_eu_bucket(session, org, settings, monkeypatch):
    """The same residency rule with an S3-compatible store per region (moto's server)."""
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    from hireflow.records.storage import override_storage, storage_from_settings

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="k",
            aws_secret_access_key="s",
            region_name="us-east-1",
        )
        suffix = os.urandom(4).hex()  # moto keeps buckets across servers in one process
        buckets = {"cn": f"hf-cn-{suffix}", "eu": f"hf-eu-{suffix}"}
        for bucket in buckets.values():
            client.create_bucket(Bucket=bucket)
        configured = settings.model_copy(
            update={
                "storage_backend": "s3",
                "storage_regions": "cn,eu",
                "s3_endpoints": {"cn": endpoint, "eu": endpoint},
                "s3_buckets": buckets,
                "s3_access_key": "k",
                "s3_secret_key": "s",
            }
        )
        person = make_person(session, org, opening=make_opening(session, org, 2))  # eu
        marker = b"EU-ONLY-" + os.urandom(8).hex().encode()
        with override_storage(storage_from_settings(configured)):
            attachment = service.attach_file(
                session,
                principal_for(org.users["hr_admin"]),
                person.id,
                io.BytesIO(marker * 100),
                "cv.pdf",
                "application/pdf",
            )
            opened = service.open_attachment(
                session, principal_for(org.users["hr_admin"]), attachment.id
            )
            assert opened.stream.read() == marker * 100
        eu_keys = [
            o["Key"] for o in client.list_objects_v2(Bucket=buckets["eu"]).get("Contents", [])
        ]
        cn_keys = [
            o["Key"] for o in client.list_objects_v2(Bucket=buckets["cn"]).get("Contents", [])
        ]
        assert eu_keys == [attachment.storage_key] and cn_keys == []
        stored = client.get_object(Bucket=buckets["eu"], Key=attachment.storage_key)["Body"].read()
        assert marker not in stored
    finally:
        server.stop()
