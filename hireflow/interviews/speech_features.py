"""Speech features of an answer (pure functions): speech rate, pauses, fillers and a
silent-recording flag, from a transcript and, when available, the decoded PCM."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hireflow.interviews.media import (
    TARGET_SAMPLE_RATE,
)
from hireflow.interviews.transcript import Segment, Transcript, normalise_language

#: A recording whose overall level is below this is silent (a muted or dead microphone sits
#: around -70 to -90 dBFS; quiet speech on a laptop microphone is above -45 dBFS).
SILENCE_DBFS = -55.0


#: Less voiced time than this in a recording is no answer at all.
MIN_VOICED_SECONDS = 0.3


#: Gaps in speech at least this long count as pauses (shorter ones are breathing and the
#: closures of plosive consonants).
MIN_PAUSE_SECONDS = 0.5


FRAME_SECONDS = 0.03


_FLOOR = 1e-10


# Words that are almost always fillers, and words that are fillers only when set off by a
# pause (commas or an ellipsis around them): "那个人" and "I like Python" are not fillers.
ZH_FILLERS_ALWAYS = ("嗯", "呃", "唔")


ZH_FILLERS_SET_OFF = ("就是说", "然后呢", "那个", "这个", "就是", "然后", "啊", "额", "哦")


EN_FILLERS_ALWAYS = ("umm", "um", "uhh", "uh", "erm", "er", "hmm", "mm")


EN_FILLERS_SET_OFF = (
    "you know",
    "i mean",
    "kind of",
    "sort of",
    "basically",
    "like",
    "well",
)


def rms_dbfs(samples: np.ndarray) -> float:
    """Root-mean-square level in dB relative to full scale (-inf-safe: at least -200)."""
    if len(samples) == 0:
        return -200.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(-200.0, 20.0 * float(np.log10(max(rms, _FLOOR))))


def frame_levels(
    samples: np.ndarray, sample_rate: int, frame_seconds: float = FRAME_SECONDS
) -> np.ndarray:
    """dBFS of consecutive frames (the last partial frame is dropped)."""
    size = max(1, round(frame_seconds * sample_rate))
    count = len(samples) // size
    if count == 0:
        return np.zeros(0, dtype=np.float64)
    frames = np.asarray(samples[: count * size], dtype=np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return 20.0 * np.log10(np.maximum(rms, _FLOOR))


def voiced_regions(
    samples: np.ndarray,
    sample_rate: int,
    frame_seconds: float = FRAME_SECONDS,
    floor_dbfs: float = -50.0,
    margin_db: float = 15.0,
    min_region_seconds: float = 0.06,
) -> list[tuple[float, float]]:
    """Stretches of sound well above the recording's own noise floor, in seconds.

    An energy detector: a frame is voiced when it is louder than both ``floor_dbfs`` and the
    noise floor (the 10th percentile of frame levels) plus ``margin_db``. Blips shorter than
    ``min_region_seconds`` (clicks) are dropped. A steady hum never rises above its own floor,
    so it yields no voiced region.
    """
    levels = frame_levels(samples, sample_rate, frame_seconds)
    if len(levels) == 0:
        return []
    noise = float(np.percentile(levels, 10))
    threshold = max(floor_dbfs, noise + margin_db)
    voiced = levels > threshold
    regions: list[tuple[float, float]] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    for begin, end in zip(edges[::2], edges[1::2], strict=True):
        start_s, end_s = float(begin) * frame_seconds, float(end) * frame_seconds
        if end_s - start_s >= min_region_seconds:
            regions.append((round(start_s, 3), round(end_s, 3)))
    return regions


@dataclass(frozen=True, slots=True)
class PauseStats:
    """Pauses inside an answer (silence before the first and after the last word excluded)."""

    count: int
    total: float
    longest: float
    pauses: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "total": self.total,
            "longest": self.longest,
            "pauses": [list(p) for p in self.pauses],
        }


def pauses_between(
    spans: Iterable[tuple[float, float]], min_pause: float = MIN_PAUSE_SECONDS
) -> PauseStats:
    """Gaps of at least ``min_pause`` seconds between consecutive speech spans."""
    ordered = sorted((float(a), float(b)) for a, b in spans if b > a)
    gaps: list[tuple[float, float]] = []
    reach = None
    for start, end in ordered:
        if reach is not None and start - reach >= min_pause:
            gaps.append((round(reach, 3), round(start, 3)))
        reach = end if reach is None else max(reach, end)
    lengths = [b - a for a, b in gaps]
    return PauseStats(
        count=len(gaps),
        total=round(sum(lengths), 3),
        longest=round(max(lengths, default=0.0), 3),
        pauses=tuple(gaps),
    )


def pauses_from_segments(
    segments: Sequence[Segment], min_pause: float = MIN_PAUSE_SECONDS
) -> PauseStats:
    """Pauses from transcript segment gaps (coarse: Whisper segments are phrases)."""
    return pauses_between(((s.start, s.end) for s in segments), min_pause)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


def count_units(text: str, language: str) -> tuple[int, str]:
    """Spoken units for the speech rate: Han characters (plus any Latin words) for Chinese,
    words for other languages. Returns ``(count, unit)`` with unit ``"chars"`` or ``"words"``.
    """
    if normalise_language(language) in ("zh", "yue", "ja"):
        return len(_HAN.findall(text)) + len(_WORD.findall(_HAN.sub(" ", text))), "chars"
    return len(_WORD.findall(text)), "words"


_BREAK_CHARS = set(",，、;；:：.。!！?？…-—")


def _set_off(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands between breaks (punctuation or the text's edges)."""
    left = text[:start].rstrip()
    right = text[end:].lstrip()
    return (not left or left[-1] in _BREAK_CHARS) and (not right or right[0] in _BREAK_CHARS)


def count_fillers(text: str, language: str) -> dict[str, int]:
    """Filler words in a transcript, by filler (lower-cased), most frequent first.

    Unambiguous hesitations (嗯, 呃, um, uh) always count. Words that are fillers only in
    some uses count only when set off by pauses, which is how Whisper writes a hesitation:
    for Chinese words, when a break or the same word follows ("那个，我们", "那个那个"),
    and for single characters (啊, 额) and English, when breaks stand on both sides
    ("，啊，", "it was, like, fast", "Well, I"). "那个项目", "销售额，" and "I like it" do
    not count.
    """
    counts: Counter[str] = Counter()
    chinese = normalise_language(language) in ("zh", "yue")
    if chinese:
        always = "|".join(ZH_FILLERS_ALWAYS)
        for match in re.finditer(always, text):
            counts[match.group(0)] += 1
        # Counted words are replaced by a break so that "就是说" is not counted again as
        # "就是", and a filler after another ("嗯，那个，") is still set off.
        remaining = re.sub(always, "，", text)
        for word in ZH_FILLERS_SET_OFF:
            spans = []
            for match in re.finditer(re.escape(word), remaining):
                after = remaining[match.end() : match.end() + len(word)]
                if len(word) == 1:
                    # "额" in "销售额，" and "啊" in "好啊，" are not hesitations: a single
                    # character counts only between breaks.
                    counted = _set_off(remaining, match.start(), match.end())
                else:
                    counted = not after or after[0] in _BREAK_CHARS or after == word
                if counted:
                    spans.append(match.span())
            if spans:
                counts[word] += len(spans)
                for start, end in reversed(spans):
                    remaining = remaining[:start] + "，" + remaining[end:]
    # English hesitations also occur inside Chinese answers.
    lowered = text.lower()
    for word in EN_FILLERS_ALWAYS:
        hits = len(re.findall(rf"(?<![a-z']){re.escape(word)}(?![a-z'])", lowered))
        if hits:
            counts[word] += hits
    if not chinese:
        for word in EN_FILLERS_SET_OFF:
            phrase = re.escape(word).replace(r"\ ", r"\s+")
            hits = sum(
                1
                for m in re.finditer(rf"(?<![a-z']){phrase}(?![a-z'])", lowered)
                if _set_off(lowered, m.start(), m.end())
            )
            if hits:
                counts[word] += hits
    return dict(counts.most_common())


@dataclass(frozen=True, slots=True)
class SpeechFeatures:
    """Voice features of one answer, shown to HR and offered to the scoring engine.

    ``speech_rate`` is units per minute of speaking span (from the first to the last voiced
    moment, so a late start does not lower it), in ``rate_unit`` ``"chars/min"`` for Chinese
    and ``"words/min"`` otherwise; None when nothing was said. ``silent`` is the flag HR sees
    for a recording with no usable speech; ``flags`` explains it in both languages.
    """

    language: str
    duration: float
    speaking_time: float
    voiced_time: float | None
    units: int
    rate_unit: str
    speech_rate: float | None
    pauses: PauseStats
    pause_source: str  # "audio" (energy detector) or "segments"
    fillers: dict[str, int]
    filler_count: int
    fillers_per_100_units: float
    level_dbfs: float | None
    silent: bool
    flags: tuple[dict[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "duration": self.duration,
            "speaking_time": self.speaking_time,
            "voiced_time": self.voiced_time,
            "units": self.units,
            "rate_unit": self.rate_unit,
            "speech_rate": self.speech_rate,
            "pauses": self.pauses.to_dict(),
            "pause_source": self.pause_source,
            "fillers": dict(self.fillers),
            "filler_count": self.filler_count,
            "fillers_per_100_units": self.fillers_per_100_units,
            "level_dbfs": self.level_dbfs,
            "silent": self.silent,
            "flags": [dict(f) for f in self.flags],
        }


def is_silent(
    samples: np.ndarray,
    sample_rate: int,
    silence_dbfs: float = SILENCE_DBFS,
    min_voiced: float = MIN_VOICED_SECONDS,
) -> bool:
    """True for a recording with no usable speech: too quiet overall, or nothing but a steady
    background (no stretch louder than its own noise floor)."""
    if rms_dbfs(samples) < silence_dbfs:
        return True
    voiced = sum(b - a for a, b in voiced_regions(samples, sample_rate))
    return voiced < min_voiced


_SILENT_FLAG = {
    "code": "silent",
    "en": "Silent recording: no speech was heard.",
    "zh": "录音无声：没有检测到说话声。",
}


_NO_WORDS_FLAG = {
    "code": "no_words",
    "en": "Sound was recorded but no words were recognised.",
    "zh": "录到了声音，但没有识别出任何文字。",
}


def speech_features(
    transcript: Transcript,
    samples: np.ndarray | None = None,
    sample_rate: int = TARGET_SAMPLE_RATE,
    *,
    min_pause: float = MIN_PAUSE_SECONDS,
    silence_dbfs: float = SILENCE_DBFS,
) -> SpeechFeatures:
    """Speech rate, pauses, fillers and the silent flag of one answer.

    With the decoded ``samples`` the pauses and the speaking span come from an energy
    detector (precise to 30 ms); without them, from the transcript's segment times.
    """
    language = transcript.language or ""
    text = transcript.text
    units, unit = count_units(text, language)
    fillers = count_fillers(text, language)
    filler_count = sum(fillers.values())
    level: float | None = None
    voiced_time: float | None = None
    silent = False
    if samples is not None and len(samples):
        level = round(float(rms_dbfs(samples)), 1)
        regions = voiced_regions(samples, sample_rate)
        voiced_time = round(sum(b - a for a, b in regions), 3)
        silent = bool(level < silence_dbfs or voiced_time < MIN_VOICED_SECONDS)
        spans = regions
        pause_source = "audio"
    else:
        spans = [(s.start, s.end) for s in transcript.segments]
        silent = not spans
        pause_source = "segments"
    if silent:
        spans = []
    pauses = pauses_between(spans, min_pause)
    speaking = round(spans[-1][1] - spans[0][0], 3) if spans else 0.0
    rate = round(units / (speaking / 60.0), 1) if units and speaking > 0 else None
    flags: list[dict[str, str]] = []
    if silent:
        flags.append(dict(_SILENT_FLAG))
    elif not units:
        flags.append(dict(_NO_WORDS_FLAG))
    return SpeechFeatures(
        language=language,
        duration=round(transcript.duration, 3),
        speaking_time=speaking,
        voiced_time=voiced_time,
        units=units,
        rate_unit=f"{unit}/min",
        speech_rate=rate,
        pauses=pauses,
        pause_source=pause_source,
        fillers=fillers,
        filler_count=filler_count,
        fillers_per_100_units=round(100.0 * filler_count / units, 2) if units else 0.0,
        level_dbfs=level,
        silent=silent,
        flags=tuple(flags),
    )
