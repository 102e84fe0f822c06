"""How the authorization sweep reaches the record's routes with another tenant's objects."""

from __future__ import annotations

import io

from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.records import service
from hireflow.records.models import RetentionRule
from hireflow.records.storage import override_storage
from tests.records.conftest import make_opening, make_person


def foreign_params(session, org) -> dict[str, int]:
    """A person with a record and a file, and a retention rule, in the other tenant."""
    import tempfile

    root = tempfile.mkdtemp(prefix="authz-records-")
    regional = RegionalStorage({r: LocalStorage(f"{root}/{r}") for r in ("cn", "eu")})
    person = make_person(session, org, opening=make_opening(session, org, 0))
    with override_storage(regional):
        attachment = service.attach_file(
            session,
            service.SystemActor("authz", tenant_id=org.tenant.id),
            person.id,
            io.BytesIO(b"foreign file"),
            "foreign.pdf",
            "application/pdf",
        )
    rule = RetentionRule(tenant_id=org.tenant.id, status="rejected", months=6, enabled=True)
    session.add(rule)
    session.flush()
    return {"person_id": person.id, "attachment_id": attachment.id, "rule_id": rule.id}


API_BODIES = {
    ("POST", "/api/v1/records/{person_id}/entries"): {"type": "note", "data": {"t": "x"}},
    ("POST", "/api/v1/records/{person_id}/status"): {"status": "rejected"},
    ("POST", "/api/v1/records/{person_id}/consents"): {
        "purpose": "processing",
        "notice_version": "v1",
        "granted": True,
    },
    ("PUT", "/api/v1/records/{person_id}/legal-hold"): {"reason": "x"},
    ("POST", "/api/v1/records/{person_id}/erasure"): {"reason": "subject_request"},
    ("PUT", "/api/v1/records/policy"): {"require_download_code": False},
    ("POST", "/api/v1/records/retention-rules"): {"status": "rejected", "months": 6},
}
FORM_BODIES = {
    ("POST", "/records/{person_id}/notes"): {"text": "x", "kind": "note"},
    ("POST", "/records/{person_id}/status"): {"status": "rejected"},
    ("POST", "/records/{person_id}/consents"): {
        "purpose": "processing",
        "notice_version": "v1",
        "granted": "yes",
    },
    ("POST", "/records/{person_id}/hold"): {"action": "place", "reason": "x"},
    ("POST", "/records/{person_id}/erase"): {"confirm": "ERASE"},
    ("POST", "/records/attachments/{attachment_id}"): {"code": "123456"},
}
