"""Whisper on a window fitted to a short utterance, for the live rooms' transcript (SPEC E2).

faster-whisper always pads the audio to Whisper's 30-second window before the encoder: for a
3-10 s utterance most of the encoder's work (about 0.8 s of CPU of the 1.0-1.3 s an utterance
cost with Whisper base int8 on 2 threads) is spent on padding. CTranslate2's encoder takes a
shorter input, so :class:`WindowedWhisperTranscriber` encodes the utterance's speech padded to
twice its length (at least ``MIN_WINDOW_S``) and decodes it once, greedily unless told
otherwise, without timestamp tokens, with the same language, hotwords and Chinese prompt as
:class:`~hireflow.interviews.speech.WhisperTranscriber`. On the live bench's sixteen English
answers that took the model's CPU time per utterance from about 1.1 s to about 0.3 s for the
same word error rate (``bench/live_transcription.py`` prints both, the window too short gave
more errors). Whisper saw 30-second windows in training; the silence after the speech
stands in for the rest of the window, which is why the window is twice the speech and not
the speech alone.

Longer recordings (over ``MAX_FITTED_S`` of speech) go the usual 30-second way: the AI
interview's answers, which run for minutes, never come here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hireflow.interviews.speech import WhisperTranscriber, budget_terms, to_simplified
from hireflow.interviews.transcript import Segment
from hireflow.interviews.vocabulary import CHINESE_PROMPT

#: The shortest window the encoder sees (seconds of features, the speech padded with silence).
MIN_WINDOW_S = 10.0
#: Speech longer than this is transcribed the usual way (the window would be nearly 30 s).
MAX_FITTED_S = 15.0
#: Whisper writes 3-8 tokens per second of speech; a decoder that writes more is looping.
TOKENS_PER_SECOND = 12
FRAMES_PER_SECOND = 100  # Whisper's mel frames (10 ms hop)
SAMPLE_RATE = 16000


def window_frames(speech_frames: int) -> int:
    """The encoder's input length for ``speech_frames`` of speech: twice the speech, at least
    ``MIN_WINDOW_S``, at most Whisper's 30 s."""
    return min(3000, max(int(MIN_WINDOW_S * FRAMES_PER_SECOND), 2 * speech_frames))


class WindowedWhisperTranscriber(WhisperTranscriber):
    """The embedded transcriber for short utterances (see the module's docstring)."""

    def _decode_fitted(
        self, model: Any, samples: np.ndarray, language: str, vocabulary: Sequence[str]
    ) -> tuple[Segment, ...] | None:
        """One segment for the utterance's speech (no words: none); None for speech too long
        for a fitted window."""
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        spans = get_speech_timestamps(samples, VadOptions())
        if not spans:  # as faster-whisper's VAD filter: no speech, no words
            return ()
        chunks, _ = collect_chunks(samples, spans)
        speech = np.concatenate(chunks) if chunks else samples
        if len(speech) > MAX_FITTED_S * SAMPLE_RATE:
            return None
        text, avg_logprob = self._decode_window(model, speech, language, vocabulary)
        if not text:
            return ()
        start, end = spans[0]["start"] / SAMPLE_RATE, spans[-1]["end"] / SAMPLE_RATE
        return (Segment(round(start, 2), round(end, 2), text, avg_logprob),)

    def _decode_window(
        self, model: Any, speech: np.ndarray, language: str, vocabulary: Sequence[str]
    ) -> tuple[str, float]:
        """One pass of the encoder over the fitted window and one decoding of it."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        features = model.feature_extractor(speech)
        frames = features.shape[-1]
        window = np.zeros((features.shape[0], window_frames(frames)), dtype=np.float32)
        window[:, :frames] = features[:, : window.shape[1]]
        encoded = model.model.encode(ctranslate2.StorageView.from_array(window[None]), to_cpu=False)
        tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language=language)
        previous = tokenizer.encode(" " + CHINESE_PROMPT.strip()) if language == "zh" else []
        hotwords = budget_terms(vocabulary, model.hf_tokenizer, self.hotword_tokens)
        prompt = model.get_prompt(
            tokenizer,
            previous,
            without_timestamps=True,
            hotwords=", ".join(hotwords) if hotwords else None,
        )
        budget = int(frames / FRAMES_PER_SECOND * TOKENS_PER_SECOND) + 16
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=self.beam_size,
            max_length=min(model.max_length, len(prompt) + budget),
            return_scores=True,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        text = tokenizer.decode(tokens).strip()
        # CTranslate2's score is the sum of log-probabilities over the length (penalty 1);
        # faster-whisper's average divides by one more token (the end of text).
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        return (to_simplified(text) if language == "zh" else text), float(avg_logprob)
