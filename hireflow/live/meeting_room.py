"""The product's own live room as a meeting provider (``hireflow_live``).

A booked live round opens its room when the worker makes the booking's meeting: the panel
gets the room's staff page (sign-in and scope checked as for any room), the candidate their
signed room link. Moving the booking keeps the room (it is not bound to a time); cancelling
it makes the candidate's link stop working (a new link generation), and the room stays for
HR to reuse or end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core.settings import Settings
from hireflow.live import service
from hireflow.live.links import candidate_path
from hireflow.live.models import LiveRoom
from hireflow.scheduling.meetings.base import MeetingError, MeetingLink, MeetingRequest
from hireflow.scheduling.models import Booking


class HireflowLiveProvider:
    name = "hireflow_live"

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    @classmethod
    def build(
        cls, session: Session, settings: Settings, _config: dict[str, Any], _secret: Any
    ) -> HireflowLiveProvider:
        return cls(session, settings)

    def _room(self, booking: Booking) -> LiveRoom:
        """The invitation's open room, else a new one for its application."""
        invitation = booking.invitation
        room = self.session.scalars(
            select(LiveRoom)
            .where(LiveRoom.invitation_id == invitation.id, LiveRoom.status == "open")
            .order_by(LiveRoom.id.desc())
        ).first()
        if room is not None:
            return room
        application = self.session.scalars(
            select(Application).where(
                Application.candidate_id == invitation.candidate_id,
                Application.opening_id == invitation.opening_id,
            )
        ).first()
        if application is None:
            raise MeetingError("refused", self.name, "no application for this invitation")
        minutes = max(5, min(240, invitation.duration_minutes))
        room = service.new_room(self.session, application, invitation, planned_minutes=minutes)
        service.audit_room(
            self.session, None, "live.room_opened", room, application=application.id, mode="webrtc"
        )
        return room

    def create(self, request: MeetingRequest) -> MeetingLink:
        booking = self.session.get(Booking, request.booking_id)
        if booking is None:
            raise MeetingError("refused", self.name, "no such booking")
        room = self._room(booking)
        base = self.settings.base_url.rstrip("/")
        return MeetingLink(
            url=base + candidate_path(self.settings, room),
            provider=self.name,
            external_id=str(room.id),
            host_url=f"{base}/live/rooms/{room.id}",
        )

    def cancel(self, external_id: str) -> None:
        room = self.session.get(LiveRoom, int(external_id)) if external_id.isdigit() else None
        if room is not None and room.status == "open":
            room.link_generation += 1
