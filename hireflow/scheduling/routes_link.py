"""A candidate's personal link as an API request presents it, for every domain's link routes
(scheduling's booking pages, the interview): the signed token in the path is the credential,
the identity check's access value comes in ``X-Link-Access``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from hireflow.core.settings import Settings
from hireflow.scheduling import candidate_link
from hireflow.scheduling.models import Invitation
from hireflow.web.deps import AppSettings

LinkAccess = Annotated[str | None, Header(alias="X-Link-Access")]


@dataclass(frozen=True)
class CandidateLink:
    """The link's token, the app's settings and the access value (nothing is read yet)."""

    request: Request
    token: str
    settings: Settings
    access: str | None

    def opened(
        self, session: Session, now: datetime | None = None, *, mark_opened: bool = True
    ) -> Invitation:
        """The link's invitation (:func:`candidate_link.open_link`); from here on errors speak
        the candidate's chosen language, whatever the client's Accept-Language."""
        inv = candidate_link.open_link(
            session, self.token, self.settings, now, mark_opened=mark_opened
        )
        candidate_link.speak_to(self.request.state, inv)
        return inv

    def verified(
        self, session: Session, now: datetime | None = None, *, mark_opened: bool = True
    ) -> Invitation:
        """The invitation, once the caller proved to be the candidate (else refused)."""
        inv = self.opened(session, now, mark_opened=mark_opened)
        candidate_link.require_access(self.settings, inv, self.access)
        return inv


async def _candidate_link(
    request: Request, link_token: str, settings: AppSettings, access: LinkAccess = None
) -> CandidateLink:
    return CandidateLink(request, link_token, settings, access)


PersonalLink = Annotated[CandidateLink, Depends(_candidate_link)]
