"""Which webhook URLs Hireflow will call (server-side request forgery).

Only ``http``/``https`` URLs with a host, no user name or password in them. Unless the company
turned on ``allow_private_addresses``, every address the host name resolves to must be a public
one: loopback, private (RFC 1918, ULA), link-local (cloud metadata at 169.254.169.254),
multicast, reserved and unspecified addresses are refused. The check runs when an endpoint is
saved and again right before every delivery (a name may resolve elsewhere later); redirects
are never followed, so a receiver cannot bounce a request inward.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from hireflow.core.errors import N_, ValidationFailed

MAX_URL = 2000


class UnsafeAddress(ValueError):
    """The URL may not be called; ``code`` says why (logged, never the URL itself)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool, *, resolve: bool = True) -> None:
    """Raise UnsafeAddress unless ``url`` may be called."""
    if len(url) > MAX_URL:
        raise UnsafeAddress("too_long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeAddress("malformed") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeAddress("scheme")
    if not parts.hostname:
        raise UnsafeAddress("host")
    if parts.username or parts.password:
        raise UnsafeAddress("credentials")
    if allow_private or not resolve:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise UnsafeAddress("unresolvable") from None
    if not infos or not all(_is_public(str(info[4][0])) for info in infos):
        raise UnsafeAddress("private")


MESSAGES = {
    "too_long": N_("The URL is too long."),
    "malformed": N_("This is not a valid URL."),
    "scheme": N_("Only http and https URLs can receive webhooks."),
    "host": N_("The URL has no host."),
    "credentials": N_("Put no user name or password in the URL; the signature authenticates."),
    "unresolvable": N_("The host name does not resolve."),
    "private": N_(
        "The URL points to a private or local address; the company's integration settings "
        "do not allow that."
    ),
}


def validated_url(url: str, allow_private: bool) -> str:
    """``url`` stripped, or ValidationFailed with the reason on the ``url`` field."""
    url = url.strip()
    try:
        check_url(url, allow_private)
    except UnsafeAddress as exc:
        raise ValidationFailed(MESSAGES[exc.code], fields={"url": exc.code}) from None
    return url
