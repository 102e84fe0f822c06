"""What was said in a recording: its segments, its text, and the language it was said in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech with its text; times in seconds from the start of the recording.

    ``avg_logprob`` is the decoder's mean token log-probability (closer to 0 is surer); an
    endpoint that does not report it gives None.
    """

    start: float
    end: float
    text: str
    avg_logprob: float | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was said in one recording.

    ``language`` is an ISO 639-1 code (``"zh"``, ``"en"``); ``duration`` is the length of the
    audio in seconds, speech or not.
    """

    segments: tuple[Segment, ...]
    language: str
    duration: float
    language_probability: float | None = None

    @property
    def text(self) -> str:
        return join_segments(s.text for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "language_probability": self.language_probability,
            "duration": self.duration,
            "text": self.text,
            "segments": [
                {"start": s.start, "end": s.end, "text": s.text, "avg_logprob": s.avg_logprob}
                for s in self.segments
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            segments=tuple(
                Segment(
                    start=float(s["start"]),
                    end=float(s["end"]),
                    text=str(s["text"]),
                    avg_logprob=None if s.get("avg_logprob") is None else float(s["avg_logprob"]),
                )
                for s in data.get("segments", [])
            ),
            language=str(data.get("language", "")),
            duration=float(data.get("duration", 0.0)),
            language_probability=data.get("language_probability"),
        )


# Han characters, kana, hangul and the full-width punctuation written between them: no space.
CJK = re.compile(
    r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]"
)


def join_segments(texts: Iterable[str]) -> str:
    """Segments joined as the language writes them: no space between two Chinese (or
    Japanese, Korean) characters or full-width punctuation, one space otherwise, whatever the
    interview's language ("market. In my", "我负责平台。后来"; "用 Kubernetes 部署")."""
    out = ""
    for raw in texts:
        piece = (raw or "").strip()
        if not piece:
            continue
        if out and not (CJK.match(out[-1]) and CJK.match(piece[0])):
            out += " "
        out += piece
    return out


_LANGUAGE_NAMES = {
    "chinese": "zh",
    "mandarin": "zh",
    "english": "en",
    "japanese": "ja",
    "korean": "ko",
    "cantonese": "yue",
    "french": "fr",
    "german": "de",
    "spanish": "es",
}


def normalise_language(language: str | None) -> str | None:
    """ISO 639-1 code of a language tag or name: ``zh-CN``/``zh-Hans``/``Chinese`` -> ``zh``."""
    if language is None:
        return None
    text = language.strip().lower().replace("_", "-")
    if not text:
        return None
    if text in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text]
    primary = text.split("-", 1)[0]
    if not re.fullmatch(r"[a-z]{2,3}", primary):
        raise ValueError(f"not a language code: {language!r}")
    return primary
