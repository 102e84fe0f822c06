"""QR codes of candidates' personal links (``segno``, pinned).

In China most candidates open invitations on a phone, often inside WeChat, whose scanner
opens a QR code directly; at campus events the printed invitation is all they have. The code
holds the personal link itself (no redirector, no tracking), so scanning it is the same as
tapping the link.
"""

from __future__ import annotations

import functools
import io

import segno

# Medium error correction survives a smudged print or a phone photo of a screen.
ERROR = "m"
CONTENT_ID = "personal-link-qr"
# The quiet zone the QR standard asks for: with less, some scanners (OpenCV's among them) miss
# about one code in thirty.
BORDER = 4


@functools.lru_cache(maxsize=1024)
def _code(link: str) -> segno.QRCode:
    # Choosing the mask costs most of the time; the e-mail, the page and the printed sheet of
    # one invitation draw the same code.
    return segno.make(link, error=ERROR, micro=False)


def qr_png(link: str, scale: int = 5) -> bytes:
    """A PNG of the link's QR code (about 220-270 px for a personal link at scale 5)."""
    buffer = io.BytesIO()
    _code(link).save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()
