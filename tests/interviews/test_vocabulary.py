"""Speech biased toward the opening's vocabulary, and transcripts joined per language
(hireflow.interviews.vocabulary, hireflow.interviews.speech)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hireflow.interviews import speech
from hireflow.interviews.transcript import Segment, Transcript, join_segments
from hireflow.interviews.vocabulary import (
    CHINESE_PROMPT,
    MAX_PROMPT_CHARS,
    job_terms,
    vocabulary_prompt,
)

PLATFORM = (
    "You will run our container platform on Kubernetes with Istio as the service mesh and "
    "Argo CD for deployments. Infrastructure is written in Terraform; metrics go to Prometheus "
    "and Grafana. Our systems: Salesforce, HubSpot and NetSuite. Experience with AWS is a plus."
)


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        # English segments: one space, never glued ("market.In my")
        (["I grew the market.", "In my team"], "I grew the market. In my team"),
        ([" I grew the market. ", " In my team "], "I grew the market. In my team"),
        # Chinese: no space between characters or full-width punctuation
        (
            ["我负责数据平台，", "带领团队。", "结果缩短了一半"],
            "我负责数据平台，带领团队。结果缩短了一半",
        ),
        # mixed: a space where Latin meets Chinese, none inside Chinese
        (["我们用", "Kubernetes", "部署服务"], "我们用 Kubernetes 部署服务"),
        (["The launch went well.", "我很满意"], "The launch went well. 我很满意"),
        (["", "  ", "Hello."], "Hello."),
        ([], ""),
    ],
)
def test_segments_join_per_language(segments, expected):
    assert join_segments(segments) == expected


def test_transcript_text_does_not_depend_on_the_interview_language():
    """An English answer in a Chinese interview (transcript language "zh") keeps its spaces."""
    english_in_zh = Transcript(
        (Segment(0.0, 2.0, "I grew the market."), Segment(2.1, 4.0, "In my team")), "zh", 4.0
    )
    assert english_in_zh.text == "I grew the market. In my team"
    zh = Transcript((Segment(0, 1, "我负责平台"), Segment(1, 2, "后来带团队")), "en", 2.0)
    assert zh.text == "我负责平台后来带团队"
    assert Transcript.from_dict(json.loads(json.dumps(zh.to_dict()))).text == zh.text


def test_job_terms_come_from_the_opening():
    terms = job_terms("Senior Platform Engineer", PLATFORM, ["Go"])
    assert terms[0] == "Go"  # the opening's required skills first
    for term in ("Kubernetes", "Istio", "Argo CD", "Terraform", "Prometheus", "Grafana"):
        assert term in terms, terms
    for term in ("Salesforce", "HubSpot", "NetSuite", "AWS"):  # after a colon, mixed case, acronym
        assert term in terms, terms
    # ordinary words never: sentence starts, headings, the title's words
    for word in ("You", "Infrastructure", "Our", "Experience", "Senior", "Platform", "Argo"):
        assert word not in terms, terms
    assert len({t.casefold() for t in terms}) == len(terms)
    assert len(job_terms("", PLATFORM, limit=3)) == 3


def test_job_terms_of_a_chinese_opening():
    terms = job_terms(
        "后端开发工程师（Java）",
        "熟悉Spring Boot、MySQL和Redis；有Kubernetes、Kafka使用经验者优先；负责《华星招聘》平台。",
        ["Java"],
    )
    assert terms[:1] == ["Java"]
    for term in ("Spring Boot", "MySQL", "Redis", "Kubernetes", "Kafka", "华星招聘"):
        assert term in terms, terms
    assert "Recruitment" not in terms  # a skill found only through an alias (招聘)


def test_job_terms_bad_inputs():
    assert job_terms() == []
    assert job_terms("", "", ["", "  "]) == []
    assert job_terms("", "x" * 10_000 + " Kubernetes") == ["Kubernetes"]
    assert "A" * 50 not in job_terms("", "", ["A" * 50])


def test_prompts():
    assert vocabulary_prompt([], "en") == ""
    assert vocabulary_prompt([], "zh") == CHINESE_PROMPT  # Mandarin with punctuation, as before
    assert vocabulary_prompt(["Kubernetes", "Argo CD"], "en") == "Kubernetes, Argo CD."
    zh = vocabulary_prompt(["Kubernetes", "华星招聘"], "zh")
    assert zh.startswith(CHINESE_PROMPT) and "Kubernetes、华星招聘" in zh
    long = vocabulary_prompt([f"Term{i:03d}" for i in range(200)], "en")
    assert len(long) <= MAX_PROMPT_CHARS + 2 and long.startswith("Term000, Term001")


class _Recorder:
    """Stands in for faster-whisper's model to see what the transcriber asks it for; the
    tokenizer is Whisper's own."""

    def __init__(self, tokenizer) -> None:
        self.calls: list[dict] = []
        self.hf_tokenizer = tokenizer

    def transcribe(self, samples, **options):
        self.calls.append(options)
        info = type("Info", (), {"language": options["language"], "language_probability": 1.0})
        return iter(()), info


def test_whisper_gets_the_terms_once_as_hotwords(monkeypatch, models_dir):
    import numpy as np
    from tokenizers import Tokenizer

    from hireflow.interviews.media import DecodedAudio

    path = speech.ensure_whisper_model(models_dir)
    recorder = _Recorder(Tokenizer.from_file(str(path / "tokenizer.json")))
    monkeypatch.setattr(speech, "speech_available", lambda: True)
    monkeypatch.setattr(speech.WhisperTranscriber, "model", lambda self: recorder)
    monkeypatch.setattr(speech, "is_silent", lambda *a, **k: False)
    audio = DecodedAudio(np.zeros(16_000, dtype=np.float32), 16_000, "wav")
    transcriber = speech.WhisperTranscriber(models_dir, detect_each_answer=False)
    transcriber.transcribe(audio, "en", vocabulary=["Kubernetes", "Argo CD"])
    transcriber.transcribe(audio, "zh", vocabulary=["Kubernetes"])
    transcriber.transcribe(audio, "en")
    many = [f"Product{i}Name" for i in range(100)]
    transcriber.transcribe(audio, "en", vocabulary=many)
    with_terms, chinese, plain, budgeted = recorder.calls
    # once, as hotwords (every window); not again as the first window's prompt
    assert with_terms["hotwords"] == "Kubernetes, Argo CD"
    assert "initial_prompt" not in with_terms
    assert chinese["initial_prompt"] == CHINESE_PROMPT and chinese["hotwords"] == "Kubernetes"
    assert "initial_prompt" not in plain and "hotwords" not in plain
    assert with_terms["temperature"] == 0.0 and not with_terms["condition_on_previous_text"]
    # within the token budget, most important first
    kept = budgeted["hotwords"].split(", ")
    assert kept == many[: len(kept)] and 5 <= len(kept) < 30


@pytest.mark.slow
def test_vocabulary_corrects_product_names(whisper, tmp_path):
    """espeak-ng says names Whisper base gets wrong alone ("Brafada", "Istilo")."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required for this test (apt-get install espeak-ng)")
    said = "I built the dashboards in Grafana and ran the service mesh on Istio with Argo CD."
    wav = Path(tmp_path) / "answer.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), said], check=True)
    terms = job_terms("Platform Engineer", PLATFORM)
    biased = whisper.transcribe(wav, "en", vocabulary=terms).text
    for term in ("Grafana", "Istio", "Argo CD"):
        assert term in biased, biased
    # the same answer without the vocabulary: at least one of them is misheard
    plain = whisper.transcribe(wav, "en").text
    assert not all(term in plain for term in ("Grafana", "Istio", "Argo CD")), plain
