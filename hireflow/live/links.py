"""The candidate's link to a live room: a signed value naming the room, the person and the
room's link generation (a new link makes older ones stop working). Whoever holds it may join
that one room as the candidate, as with the other candidate links."""

from __future__ import annotations

import re

from hireflow.core.security import Signer
from hireflow.core.settings import Settings
from hireflow.live.models import LiveRoom

_SALT = "hireflow.live-room-link.v1"
_VALUE = re.compile(r"^(\d{1,12})\.(\d{1,12})\.(\d{1,6})$")


def link_token(settings: Settings, room: LiveRoom) -> str:
    signer = Signer(settings.secret_key, _SALT)
    return signer.sign(f"{room.id}.{room.candidate_id}.{room.link_generation}")


def read_token(settings: Settings, token: str) -> tuple[int, int, int] | None:
    """(room id, person id, generation), or None for a token that does not verify."""
    if not token or len(token) > 512:
        return None
    value = Signer(settings.secret_key, _SALT).unsign(token)
    match = _VALUE.match(value or "")
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def candidate_path(settings: Settings, room: LiveRoom) -> str:
    return "/live/join/" + link_token(settings, room)
