"""Printable invitations (PDF), one A4 page per candidate, for campus events and job fairs.

Each page speaks the candidate's language and zone: the company, the position, what kind of
interview and until when, the steps, and a large QR code of the candidate's personal link
(the same link as in their e-mail; scanning it with a phone camera or WeChat opens it). The
PDF is built with ReportLab; Chinese and Japanese text use the standard Adobe CID fonts
(STSong-Light, HeiseiKakuGo-W5), which every PDF reader provides, so nothing is embedded or
downloaded. A page holds a credential (the link): only people who may send the invitation may
print it, and each print is audited.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from hireflow.scheduling.qr import qr_png

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
_FONTS = {"zh-CN": "STSong-Light", "ja": "HeiseiKakuGo-W5"}
_registered: set[str] = set()


def _font(text: str, language: str) -> str:
    """A font with the glyphs ``text`` needs (CID fonts carry Latin letters too)."""
    if language in _FONTS or _CJK.search(text):
        name = _FONTS.get(language, "STSong-Light")
        if name not in _registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))
            _registered.add(name)
        return name
    return "Helvetica"


@dataclass(frozen=True)
class PrintedInvitation:
    """One page: everything already in the candidate's language and zone."""

    language: str
    company: str
    heading: str
    candidate: str
    job: str
    facts: list[str]  # what and until when, one line each
    steps: list[str]
    link: str
    scan_hint: str
    footer: str


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (by word, or by character for CJK)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        tokens = re.findall(r"[A-Za-z0-9_./:?=&%#@+\-]+\s*|\S\s*", paragraph)
        line = ""
        for token in tokens:
            trial = line + token
            if line and pdfmetrics.stringWidth(trial.rstrip(), font, size) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = trial
        lines.append(line.rstrip())
    return lines


def _text(
    canvas: Canvas, x: float, y: float, text: str, language: str, size: float, width: float
) -> float:
    """Draw wrapped text from the top at ``y``; returns the y below it."""
    font = _font(text, language)
    canvas.setFont(font, size)
    for line in _wrap(text, font, size, width):
        canvas.drawString(x, y, line)
        y -= size * 1.45
    return y


def invitations_pdf(pages: Iterable[PrintedInvitation], title: str = "Invitations") -> bytes:
    """The PDF of the given invitations, one A4 page each."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Hireflow")
    width, height = A4
    margin = 20 * mm
    usable = width - 2 * margin
    count = 0
    for page in pages:
        count += 1
        lang = page.language
        y = height - margin
        y = _text(canvas, margin, y, page.company, lang, 12, usable) - 4
        y = _text(canvas, margin, y - 6, page.heading, lang, 22, usable) - 6
        y = _text(canvas, margin, y, page.candidate, lang, 16, usable)
        y = _text(canvas, margin, y, page.job, lang, 13, usable) - 6
        for fact in page.facts:
            y = _text(canvas, margin, y, fact, lang, 12, usable)
        size = 70 * mm
        top = y - 10 * mm
        image = ImageReader(io.BytesIO(qr_png(page.link, scale=10)))
        canvas.drawImage(image, (width - size) / 2, top - size, size, size)
        y = top - size - 6 * mm
        hint_font = _font(page.scan_hint, lang)
        canvas.setFont(hint_font, 12)
        canvas.drawCentredString(width / 2, y, page.scan_hint)
        y -= 7 * mm
        canvas.setFont("Courier", 7.5)
        for line in _wrap(page.link, "Courier", 7.5, usable):
            canvas.drawCentredString(width / 2, y, line)
            y -= 10
        y -= 6 * mm
        for number, step in enumerate(page.steps, 1):
            y = _text(canvas, margin, y, f"{number}. {step}", lang, 11.5, usable)
        _text(canvas, margin, margin, page.footer, lang, 8.5, usable)
        canvas.showPage()
    if count == 0:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def page_for(
    *,
    language: str,
    gettext: Callable[[str], str],
    company: str,
    candidate: str,
    job: str,
    kind: str,
    deadline_text: str,
    link: str,
    facts_line: str,
    printed_at_text: str,
) -> PrintedInvitation:
    """A page's texts in the candidate's language (``gettext`` of that language)."""
    _ = gettext
    if kind == "ai":
        heading = _("Invitation to an online AI interview")
        facts = [_("Take it any time before %(time)s.") % {"time": deadline_text}]
        if facts_line:
            facts.append(facts_line)
        last = _("Check your device on the page, then start the interview and answer.")
    else:
        heading = _("Invitation to an interview")
        facts = [_("Choose your time before %(time)s.") % {"time": deadline_text}]
        last = _("Choose a time that suits you; a calendar invitation follows by e-mail.")
    steps = [
        _("Scan the QR code with your phone's camera or WeChat, or type the link below."),
        _("Confirm it is you: we send a code to your phone or e-mail."),
        last,
    ]
    return PrintedInvitation(
        language=language,
        company=company,
        heading=heading,
        candidate=candidate,
        job=job,
        facts=facts,
        steps=steps,
        link=link,
        scan_hint=_("Scan to open your personal link"),
        footer=_("This link is personal: do not share it. Printed %(time)s.")
        % {"time": printed_at_text},
    )
