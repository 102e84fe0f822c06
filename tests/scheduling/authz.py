"""How the authorization sweep reaches scheduling's routes with another tenant's objects.

The candidate's personal-link routes (``/i/{link_token}``, ``/api/v1/links/{link_token}``)
are public: the signed token is the credential, not the caller's account. The sweep calls the
pages with a token that does not verify; ``tests/scheduling/test_link_pages.py`` and
``test_api.py`` show that a valid token reveals only its own candidate.
"""

from __future__ import annotations

from datetime import timedelta

from hireflow.core.db import utcnow
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.models import (
    Booking,
    BusyBlock,
    Invitation,
    InvitationBatch,
)
from tests.scheduling.factories import make_hiring

START = "2030-01-07T02:00:00+00:00"


def foreign_params(session, org) -> dict[str, object]:
    hiring = make_hiring(session, org, candidates=1)
    now = utcnow()
    batch = InvitationBatch(
        tenant_id=org.tenant.id,
        opening_id=hiring.opening.id,
        kind="live",
        request_key="foreign-batch",
        total=1,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    invitation = Invitation(
        tenant_id=org.tenant.id,
        opening_id=hiring.opening.id,
        candidate_id=hiring.candidates[0].id,
        batch_id=batch.id,
        kind="live",
        status="sent",
        deadline=now + timedelta(days=7),
        sent_at=now,
    )
    session.add(invitation)
    session.flush()
    session.add(
        Booking(
            tenant_id=org.tenant.id,
            invitation_id=invitation.id,
            start=now + timedelta(days=2),
            end=now + timedelta(days=2, hours=1),
            interviewer_ids=[hiring.interviewers[0].id],
        )
    )
    busy = BusyBlock(
        tenant_id=org.tenant.id,
        user_id=hiring.interviewers[0].id,
        start=now + timedelta(days=1),
        end=now + timedelta(days=1, hours=2),
        label=org.tenant.name,
    )
    message = OutboxMessage(
        tenant_id=org.tenant.id,
        opening_id=hiring.opening.id,
        channel="email",
        kind="invitation_schedule",
        recipient=hiring.candidates[0].email,
        recipient_label=hiring.candidates[0].name,
        subject=org.tenant.name,
        dedupe_key=f"foreign:{invitation.id}",
        status="failed",
        related_type="invitation",
        related_id=invitation.id,
    )
    session.add_all([busy, message])
    session.flush()
    return {
        "invitation_id": invitation.id,
        "invitation_batch_id": batch.id,
        "availability_user_id": hiring.interviewers[0].id,
        "busy_block_id": busy.id,
        "outbox_message_id": message.id,
        # Signed with another key: public link routes answer 404 like any invalid link.
        "link_token": "eyJjIjoiMSIsImkiOiIxIiwiZSI6MTk5OTk5OTk5OX0.bm90LXRoZS1zaWduYXR1cmU",
    }


API_BODIES = {
    ("POST", "/api/v1/invitations/preview"): {
        "opening_id": "{opening_id}",
        "candidate_ids": ["{candidate_id}"],
        "kind": "live",
    },
    ("POST", "/api/v1/invitations"): {
        "opening_id": "{opening_id}",
        "candidate_ids": ["{candidate_id}"],
        "kind": "live",
    },
    ("PUT", "/api/v1/availability/{availability_user_id}"): {
        "timezone": "Asia/Shanghai",
        "working_hours": [{"weekday": 0, "start": "09:00", "end": "17:00"}],
    },
    ("POST", "/api/v1/availability/{availability_user_id}/busy"): {
        "start": START,
        "end": "2030-01-07T03:00:00+00:00",
    },
    ("POST", "/api/v1/availability/{availability_user_id}/calendar"): {
        "ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"
    },
    ("POST", "/api/v1/invitations/{invitation_id}/booking"): {"start": START},
    ("PUT", "/api/v1/links/{link_token}/language"): {"language": "en"},
    ("PUT", "/api/v1/scheduling/policy"): {"duration_minutes": 45},
    ("PUT", "/api/v1/notifications/channels"): {"channel": "wecom", "enabled": False},
    ("PUT", "/api/v1/notifications/templates"): {
        "kind": "generic",
        "language": "en",
        "subject": "Re: {{ title }}",
        "body": "Hello, {{ body }}",
        "sms": "Note: {{ title }}",
    },
    ("POST", "/api/v1/notifications/templates/reset"): {"kind": "generic", "language": "en"},
    ("POST", "/api/v1/notifications/channels/test"): {
        "channel": "email",
        "recipient": "test@example.com",
    },
}
FORM_BODIES = {
    ("POST", "/scheduling/invite"): {
        "opening_id": "{opening_id}",
        "candidate_ids[]": "{candidate_id}",
        "kind": "live",
    },
    ("POST", "/scheduling/invite/preview"): {
        "opening_id": "{opening_id}",
        "candidate_ids[]": "{candidate_id}",
        "kind": "live",
    },
    ("POST", "/scheduling/invitations/{invitation_id}/book"): {"start": START},
    ("POST", "/scheduling/availability/{availability_user_id}/busy"): {
        "start": "2030-01-07T10:00",
        "end": "2030-01-07T11:00",
    },
}
SKIP_API = {
    ("GET", "/api/v1/links/{link_token}"),
    ("POST", "/api/v1/links/{link_token}/code"),
    ("POST", "/api/v1/links/{link_token}/verify"),
    ("GET", "/api/v1/links/{link_token}/slots"),
    ("POST", "/api/v1/links/{link_token}/booking"),
    ("DELETE", "/api/v1/links/{link_token}/booking"),
    ("PUT", "/api/v1/links/{link_token}/availability"),
    ("POST", "/api/v1/links/{link_token}/device-check"),
}
