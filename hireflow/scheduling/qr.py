"""QR codes of candidates' personal links (``segno``, pinned).

In China most candidates open invitations on a phone, often inside WeChat, whose scanner
opens a QR code directly; at campus events the printed invitation is all they have. The code
holds the personal link itself (no redirector, no tracking), so scanning it is the same as
tapping the link.
"""

from __future__ import annotations

import io

import segno

# Medium error correction survives a smudged print or a phone photo of a screen.
ERROR = "m"
CONTENT_ID = "personal-link-qr"


def qr_png(link: str, scale: int = 5) -> bytes:
    """A PNG of the link's QR code (about 200-250 px for a personal link at scale 5)."""
    buffer = io.BytesIO()
    segno.make(link, error=ERROR, micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg(link: str, scale: int = 4) -> str:
    """An SVG of the link's QR code, for pages (no external request, prints sharp)."""
    buffer = io.BytesIO()
    segno.make(link, error=ERROR, micro=False).save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, nl=False
    )
    return buffer.getvalue().decode("utf-8")


def qr_matrix(link: str) -> list[list[bool]]:
    """The modules of the link's QR code, dark = True (for drawing it in a PDF)."""
    code = segno.make(link, error=ERROR, micro=False)
    return [[bool(module) for module in row] for row in code.matrix]
