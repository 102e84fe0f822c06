"""How the authorization sweep reaches the live room routes with another tenant's objects.

The candidate's routes (``/live/join/{link_token}``, ``/api/v1/live-links/...``) are public:
the signed link is the credential. The sweep calls them with a token that does not verify
(404); ``tests/live/test_rooms.py`` shows that a valid one opens only its own room.
"""

from __future__ import annotations

from hireflow.live import service
from hireflow.org.auth import principal_for
from tests.workflow.factories import apply, make_opening


def foreign_params(session, org) -> dict[str, int]:
    opening = make_opening(session, org)
    application = apply(session, org, opening, name="Foreign Person")
    session.commit()
    room = service.open_room(
        session, principal_for(org.users["hr_admin"]), application.id, planned_minutes=30
    )
    return {"live_room_id": room.id}


API_BODIES = {
    ("POST", "/api/v1/live/rooms"): {"application_id": "{application_id}"},
    ("POST", "/api/v1/live/rooms/{live_room_id}/consent"): {"agree": True},
    ("POST", "/api/v1/live/rooms/{live_room_id}/signals"): {"to": "ab", "kind": "offer"},
    ("PUT", "/api/v1/live/rooms/{live_room_id}/question"): {"question_id": None},
    ("PUT", "/api/v1/live/rooms/{live_room_id}/notes"): {"notes": "x"},
    ("PUT", "/api/v1/live/settings"): {"voice_observations": False},
    ("POST", "/api/v1/live-links/{link_token}/consent"): {"agree": True},
    ("POST", "/api/v1/live-links/{link_token}/signals"): {"to": "ab", "kind": "offer"},
}
FORM_BODIES = {
    ("POST", "/live/rooms"): {"application_id": "{application_id}", "mode": "webrtc"},
}
