"""Speech recognition of an opening's vocabulary, with and without biasing (SPEC E3).

For every sentence of tests/data/interviews/speech_vocabulary/set.yaml (24 answers full of
product and skill names from five job descriptions, and three control answers with none),
speaks it with espeak-ng in two voices (en-us at 150 words/min, en-gb at 170) and transcribes
it with the embedded Whisper model (base, int8, beam 5) under three conditions, each clip
going through all three in turn (so that changes of machine load fall on all alike):

* without the opening's vocabulary (before);
* the previous biasing: the terms as the first window's prompt (up to 400 characters) and
  again as hotwords, the interview's language forced;
* the current one: the terms once, as hotwords within a token budget, and the answer's
  language checked when the transcript does not fit the hint.

Prints, per condition: job-term accuracy (the share of job-term occurrences said that the
transcript writes exactly, ignoring case, spaces and punctuation) and the term error rate;
the word error rate over all words; job terms inserted where nobody said them (control
answers); the real-time factor and its ratio to the condition without vocabulary. Then the
English answers again with a Chinese interview's hint (zh): forced as before, and as now.

With ``--live``: the live rooms' transcriber instead (greedy, the terms as hotwords, the
language checked), with Whisper's 30 s encoder window (before) and with the window fitted to
the utterance (after, ``interviews/speech_window.py``).

Usage: .venv/bin/python bench/speech_vocabulary.py [--voices en-us:150,en-gb:170] [--live]
Needs the speech extra and espeak-ng on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hireflow.interviews.media import decode_audio  # noqa: E402
from hireflow.interviews.speech import HOTWORD_TOKENS, WhisperTranscriber  # noqa: E402
from hireflow.interviews.transcript import join_segments  # noqa: E402
from hireflow.interviews.vocabulary import job_terms, vocabulary_prompt  # noqa: E402

SET = ROOT / "tests" / "data" / "interviews" / "speech_vocabulary" / "set.yaml"


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z']+", text.casefold())


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference length)."""
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def term_hits(terms: list[str], reference: str, hypothesis: str) -> tuple[int, int, int]:
    """(term occurrences said, of them written exactly, terms written but not said)."""
    said = written = inserted = 0
    ref, hyp = _squash(reference), _squash(hypothesis)
    for term in terms:
        key = _squash(term)
        if not key:
            continue
        n_ref, n_hyp = ref.count(key), hyp.count(key)
        said += n_ref
        written += min(n_ref, n_hyp)
        inserted += max(0, n_hyp - n_ref)
    return said, written, inserted


def speak(text: str, voice: str, speed: int, target: Path) -> None:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(target), text],
        check=True,
        capture_output=True,
    )


def previous(transcriber: WhisperTranscriber, audio, language: str, vocabulary) -> str:
    """The previous way of biasing, kept to measure against in the same run: the terms as the
    first window's prompt (up to 400 characters) *and* as hotwords, the language forced."""
    model = transcriber.model()
    options = {
        "language": language,
        "beam_size": transcriber.beam_size,
        "temperature": 0.0,
        "condition_on_previous_text": False,
        "vad_filter": True,
    }
    prompt = vocabulary_prompt(vocabulary, language)
    if prompt:
        options["initial_prompt"] = prompt
    if vocabulary:
        options["hotwords"] = vocabulary_prompt(vocabulary, "en").rstrip(".")
    segments, _info = model.transcribe(audio.samples, **options)
    return join_segments(s.text for s in segments)


def print_totals(totals: dict[str, dict[str, float]], audio_seconds: float) -> None:
    """Per condition: job terms, word error rate, inserted terms, real-time factor."""
    base = next(iter(totals.values()))["seconds"]
    for name, t in totals.items():
        print(f"\n{name}:")
        print(
            f"  job terms written exactly {t['written']:.0f}/{t['said']:.0f} = "
            f"{t['written'] / t['said']:.1%}  (term error rate {1 - t['written'] / t['said']:.1%})"
        )
        print(
            f"  word error rate {t['errors'] / t['words']:.1%} "
            f"({t['errors']:.0f}/{t['words']:.0f} words)"
        )
        print(
            f"  job terms inserted where not said: {t['inserted']:.0f} in job answers, "
            f"{t['control']:.0f} in control answers"
        )
        print(
            f"  real-time factor {t['seconds'] / audio_seconds:.2f} "
            f"({t['seconds'] / base:.2f}x the time of the first condition)"
        )


def live_conditions(models: Path | None) -> dict[str, Any]:
    """The live rooms' transcriber (greedy, the opening's terms as hotwords, the language
    checked per answer) with Whisper's 30 s window and with the window fitted to the clip."""
    from hireflow.interviews.speech_window import WindowedWhisperTranscriber

    full = WhisperTranscriber(models, beam_size=1)
    fitted = WindowedWhisperTranscriber(models, beam_size=1)
    return {
        "live, 30 s window (before)": lambda a, t: full.transcribe(a, "en", vocabulary=t).text,
        "live, fitted window (after)": lambda a, t: fitted.transcribe(a, "en", vocabulary=t).text,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default="en-us:150,en-gb:170")
    parser.add_argument("--models", default=None, help="model cache (default: the data dir's)")
    parser.add_argument(
        "--live",
        action="store_true",
        help="compare the live rooms' transcriber (greedy) with the 30 s and the fitted window",
    )
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng)")
    data = yaml.safe_load(SET.read_text(encoding="utf-8"))
    voices = [(v.split(":")[0], int(v.split(":")[1])) for v in args.voices.split(",")]
    models = Path(args.models) if args.models else None
    plain = WhisperTranscriber(models, detect_each_answer=False)
    current = WhisperTranscriber(models)
    current.model()
    every_term = [t for o in data["openings"] for t in job_terms(o["title"], o["description"])]
    clips = []
    with tempfile.TemporaryDirectory() as tmp:

        def record(kind: str, answer: str, terms: list[str]) -> None:
            """The answer spoken by every voice, each clip with the vocabulary it is heard with."""
            for voice, speed in voices:
                path = Path(tmp) / f"{len(clips) + 1}.wav"
                speak(answer, voice, speed, path)
                clips.append((kind, answer, terms, decode_audio(path)))

        for opening in data["openings"]:
            terms = job_terms(opening["title"], opening["description"])
            for answer in opening["answers"]:
                record("job", answer, terms)
        for answer in data["control"]:
            # the control answers are transcribed with every opening's vocabulary at once
            record("control", answer, every_term)
    audio_seconds = sum(c[3].duration for c in clips)
    print(f"clips: {len(clips)} ({audio_seconds:.0f} s of espeak-ng speech, voices {args.voices})")
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores shared)")
    hint = "en"
    conditions = (
        live_conditions(models)
        if args.live
        else {
            "without vocabulary (before)": lambda a, t: plain.transcribe(a, hint).text,
            "vocabulary as prompt + hotwords, language forced (previous)": lambda a, t: previous(
                plain, a, hint, t
            ),
            f"vocabulary as hotwords within {HOTWORD_TOKENS} tokens, language checked per answer "
            "(current)": lambda a, t: current.transcribe(a, hint, vocabulary=t).text,
        }
    )
    # Each clip goes through every condition in turn, so that a change of machine load
    # falls on all of them alike.
    totals = {
        name: dict.fromkeys(
            ("said", "written", "inserted", "errors", "words", "control", "seconds"), 0.0
        )
        for name in conditions
    }
    for kind, answer, terms, audio in clips:
        for name, run in conditions.items():
            started = time.perf_counter()
            text = run(audio, terms)
            tally = totals[name]
            tally["seconds"] += time.perf_counter() - started
            e, w = word_errors(answer, text)
            s, wr, ins = term_hits(terms, answer, text)
            if kind == "job":
                tally["said"] += s
                tally["written"] += wr
                tally["inserted"] += ins
                tally["errors"] += e
                tally["words"] += w
            else:
                tally["control"] += ins
    print_totals(totals, audio_seconds)
    if args.live:
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
        return
    # An English answer in a Chinese interview: the interview's language as the hint.
    english = [c for c in clips if c[0] == "job"]
    print(f"\nEnglish answers with the Chinese interview's hint (zh), {len(english)} clips:")
    for name in ("language forced (previous)", "language checked per answer (current)"):
        errors = words = english_out = 0
        started = time.perf_counter()
        for _kind, answer, terms, audio in english:
            if name.endswith("(current)"):
                transcript = current.transcribe(audio, "zh", vocabulary=terms)
                text, language = transcript.text, transcript.language
            else:
                text, language = previous(plain, audio, "zh", terms), "zh"
            e, w = word_errors(answer, text)
            errors, words = errors + e, words + w
            english_out += language == "en"
        seconds = time.perf_counter() - started
        print(
            f"  {name}: transcribed as English {english_out}/{len(english)}, word error rate "
            f"{errors / words:.1%}, real-time factor "
            f"{seconds / sum(c[3].duration for c in english):.2f}"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
