"""The refusals of offers, with their words translated where they are shown."""

from __future__ import annotations

from typing import Any

from hireflow.core.errors import N_, AppError


class LazyText(str):
    """A msgid passed as a parameter (a status, a role): translated with the message."""


class OfferError(AppError):
    """An error whose ``LazyText`` parameters are translated in the reader's language."""

    def translated(self, gettext: Any) -> str:
        params = {k: gettext(v) if isinstance(v, LazyText) else v for k, v in self.params.items()}
        text = gettext(self.message)
        return text % params if params else text


class OfferConflict(OfferError):
    status = 409
    code = "conflict"


class OfferForbidden(OfferError):
    status = 403
    code = "forbidden"


class OfferNotApproved(OfferError):
    status = 409
    code = "offer_not_approved"
    message = N_("Only an approved offer can be sent; this one is “%(status)s”.")


class OfferLocked(OfferError):
    status = 409
    code = "offer_locked"
    message = N_("This offer is “%(status)s” and can no longer be changed.")


class OfferAnswered(OfferError):
    status = 409
    code = "offer_answered"
    message = N_("This offer was already answered (%(status)s) and cannot be answered again.")


class OfferExpired(OfferError):
    status = 410
    code = "offer_expired"
    message = N_("This offer expired on %(time)s. Please contact the recruiter.")


class OfferWithdrawn(OfferError):
    status = 410
    code = "offer_withdrawn"
    message = N_("This offer was withdrawn by the company. Please contact the recruiter.")
