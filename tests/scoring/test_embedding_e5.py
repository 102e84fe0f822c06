"""The embedded e5 encoder: pinned weights, and vectors (so reports) that depend only on the
text, not on batch neighbours, thread count or process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from hireflow.scoring.embedding import E5Embedder, set_embedder
from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.models import load_model, question_from_dict

GRADED = Path(__file__).resolve().parents[1] / "data" / "scoring" / "graded"
TEXT = "I drew the old and the new system as two warehouses and showed the missing labels."
# Written for these tests; not part of the graded set.
STORY = (
    "Last spring two of our couriers quit in the same week before a holiday sale. I split "
    "their routes between the remaining drivers by postcode and rode along on the longest "
    "one myself. I phoned the twelve biggest customers to warn them of a half-day delay. "
    "All parcels went out within a day and none of the twelve complained."
)
OTHER = "我刚到仓库时，拣货单经常被放错区域。我把货架按颜色分区，一个月后错单降到了两张。"


def test_weights_that_do_not_match_the_pinned_hash_are_refused(tmp_path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"not the model")
    with pytest.raises(ValueError, match="sha256"):
        E5Embedder(weights=fake)
    with pytest.raises(ValueError, match="not found"):
        E5Embedder(weights=tmp_path / "missing.bin")


def test_vector_does_not_move_with_batch_neighbours() -> None:
    alone = E5Embedder(cache_size=10).embed([TEXT])[0]
    others = [f"Filler sentence number {i} about an unrelated warehouse." for i in range(30)]
    for batch in ([*others, TEXT], [TEXT, *others[:3]], [*others[:17], TEXT, *others[17:]]):
        vec = E5Embedder(cache_size=10).embed(batch)[batch.index(TEXT)]
        assert vec.tobytes() == alone.tobytes()
    assert abs(float(np.linalg.norm(alone)) - 1.0) < 1e-5


def test_vector_bytes_are_the_same_in_other_processes_and_thread_counts() -> None:
    code = (
        "import sys, hashlib;"
        "from hireflow.scoring.embedding import E5Embedder;"
        f"v = E5Embedder(threads=int(sys.argv[1])).embed([{TEXT!r}, {OTHER!r}]);"
        "print(hashlib.sha256(v.tobytes()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", code, str(threads)],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        ).stdout.strip()
        for threads in (1, 2)
    }
    import hashlib

    here = E5Embedder().embed([TEXT, OTHER])
    assert digests == {hashlib.sha256(here.tobytes()).hexdigest()}


def _interview(answers: list[tuple[str, str]]) -> InterviewInput:
    model = load_model(GRADED / "model.yaml")
    data = yaml.safe_load((GRADED / "questions.yaml").read_text(encoding="utf-8"))
    questions = {q["id"]: question_from_dict(q) for q in data}
    return InterviewInput(
        language="en",
        model=model,
        questions=tuple(questions[q] for q, _ in answers),
        answers=tuple(Answer(q, text) for q, text in answers),
    )


@pytest.mark.parametrize("engine", ["1.0", "1.1"])
def test_same_answer_scored_in_different_batches_gives_identical_bytes(engine: str) -> None:
    # A fresh embedder for each interview: nothing comes from a cache filled by the other.
    def score(answers: list[tuple[str, str]]) -> bytes:
        set_embedder(E5Embedder())
        try:
            report = score_interview(_interview(answers), engine=engine)
        finally:
            set_embedder(None)
        dim = report.dimension("stress_tolerance")
        return repr((dim.score, sorted(dim.components.items()))).encode()

    alone = score([("stress_tolerance", STORY)])
    assert alone == score([("teamwork", OTHER), ("stress_tolerance", STORY)])
    assert alone == score([("stress_tolerance", STORY), ("customer_orientation", TEXT)])
