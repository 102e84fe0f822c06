"""A real SMTP server for the e-mail tests (aiosmtpd), with optional STARTTLS, implicit TLS and
login, plus a self-signed certificate made on the fly with ``cryptography``."""

from __future__ import annotations

import ipaddress
import ssl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import free_port as shared_free_port

USER, PASSWORD = "hr-mailer", "correct horse battery staple"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost; returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Inbox:
    """What the server received, and how it answers recipients."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    # handled=False lets aiosmtpd answer "535 Authentication credentials invalid" itself.
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    return shared_free_port()


def start(mode: str, cert: tuple[Path, Path] | None = None) -> tuple[Controller, Inbox, int]:
    """``mode``: "plain", "starttls" (required, with login) or "ssl" (implicit TLS, login)."""
    inbox = Inbox()
    port = free_port()
    kwargs: dict = {}
    if mode in {"starttls", "ssl"}:
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        kwargs.update(authenticator=_authenticator, auth_required=True)
        if mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context, auth_require_tls=False)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    with warnings.catch_warnings():
        # aiosmtpd cannot see that implicit TLS already protects AUTH and warns about it.
        warnings.simplefilter("ignore", UserWarning)
        controller.start()
    return controller, inbox, port


@pytest.fixture(name="smtp")
def smtp_fixture() -> Iterator[tuple[Inbox, int]]:
    """A plain local SMTP server for one test: what it received, and its port."""
    controller, inbox, port = start("plain")
    try:
        yield inbox, port
    finally:
        controller.stop()
