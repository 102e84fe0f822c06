"""The candidate's personal offer link: a signed token naming one offer, one person and the
offer's link generation (sending again makes older links stop working). The token carries
only ids; whoever holds it sees that one offer, as with the interview links."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from hireflow.core.settings import Settings
from hireflow.offers.models import Offer

_SALT = "hireflow.offer-link.v1"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=_SALT)


def link_token(settings: Settings, offer: Offer) -> str:
    """Deterministic: the same link every time it is rendered."""
    return _serializer(settings).dumps([offer.id, offer.candidate_id, offer.link_generation])


def read_token(settings: Settings, token: str) -> tuple[int, int, int] | None:
    """(offer id, person id, generation), or None for a token that does not verify."""
    if not token or len(token) > 512:
        return None
    try:
        value = _serializer(settings).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return None
    return value[0], value[1], value[2]


def candidate_path(settings: Settings, offer: Offer) -> str:
    return f"/offer/{link_token(settings, offer)}"


def candidate_link(settings: Settings, offer: Offer) -> str:
    return settings.base_url.rstrip("/") + candidate_path(settings, offer)
