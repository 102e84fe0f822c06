"""The linear model of reference-answer scoring (:mod:`hireflow.scoring.reference`): the
features it reads, its form (sign-constrained weights, multiplicative penalties, a relevance
gate), the shipped coefficients (``reference_model/linear.json``) and the fit to teachers'
grades (``bench/ads.py``).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "FEATURES",
    "MODEL_PENALTIES",
    "MODEL_TERMS",
    "ReferenceModel",
    "fit_reference_model",
    "load_reference_model",
    "relevance_gate",
]

# What reference_features computes for an answer against one reference.
FEATURES: tuple[str, ...] = (
    "emb_answer",
    "emb_question",
    "kp_similarity",
    "kp_coverage",
    "keyword_recall",
    "bigram_recall",
    "bigram_precision",
    "novel_recall",
    "verdict_agree",
    "verdict_conflict",
    "formula_recall",
    "formula_missing",
    "negation_conflict",
    "supported_length",
    "question_copy",
    "novel_bigrams",
)

MODEL_FORMAT = "hireflow.reference-linear/1"

# Features the fit may use, with the sign their weight must have, and the penalties.
MODEL_TERMS: dict[str, int] = {
    "emb_answer": 1,
    "emb_question": 1,
    "kp_similarity": 1,
    "kp_coverage": 1,
    "keyword_recall": 1,
    "bigram_recall": 1,
    "bigram_precision": 1,
    "novel_recall": 1,
    "verdict_agree": 1,
    "formula_recall": 1,
    "supported_length": 1,
}
MODEL_PENALTIES: tuple[str, ...] = (
    "verdict_conflict",
    "formula_missing",
    "negation_conflict",
    "question_copy",
)
# Below ``low`` relevance an answer is about something else and scores 0; above ``high`` the
# gate is open. Set by hand, not fitted: on the ADS grades the 17 answers under 0.2 average
# 0.5 points, while on-topic answers reach 0.5 or more.
RELEVANCE_GATE = (0.10, 0.25)
# An answer needs this many bigrams of its own (not in the question) for the full score; a
# copy of the question has none and scores 0. Fixed, not fitted.
NOVELTY_FULL = 2.0


@dataclass(frozen=True)
class ReferenceModel:
    """Linear score with sign-constrained weights and multiplicative penalties.

    ``score = clip((intercept + Σ weight·(x − mean)/scale) · Π (1 − penalty·p) · gate, 0, 10)``
    where the sum runs over ``features``, the product over ``penalties`` (features valued
    in [0, 1], each penalty coefficient in [0, 1]) and ``gate`` is :func:`relevance_gate`
    (off-topic answers and restatements of the question score 0).
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    penalties: dict[str, float]
    gate: tuple[float, float] = RELEVANCE_GATE
    novelty_full: float = NOVELTY_FULL
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: Mapping[str, float]) -> float:
        """Score (0–10, unrounded) for one feature dictionary."""
        total = self.intercept
        for name, mean, scale, weight in zip(
            self.features, self.mean, self.scale, self.weights, strict=True
        ):
            total += weight * (float(features[name]) - mean) / scale
        for name, coefficient in self.penalties.items():
            total *= 1.0 - coefficient * float(features[name])
        total *= relevance_gate(features, self.gate, self.novelty_full)
        return min(10.0, max(0.0, total))

    def to_dict(self) -> dict[str, Any]:
        """JSON form, read back by :meth:`from_dict`."""
        return {
            "format": MODEL_FORMAT,
            "formula": "clip((intercept + sum(w*(x-mean)/scale)) * prod(1 - c*p) * gate, 0, 10)",
            "intercept": self.intercept,
            "features": [
                {"name": n, "mean": m, "scale": s, "weight": w}
                for n, m, s, w in zip(
                    self.features, self.mean, self.scale, self.weights, strict=True
                )
            ],
            "penalties": dict(self.penalties),
            "relevance_gate": list(self.gate),
            "novelty_full": self.novelty_full,
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceModel:
        """Validate and build a model from its JSON form."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a reference model: format must be {MODEL_FORMAT!r}")
        try:
            return cls._from_valid_format(data)
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"reference model field missing or malformed: {exc!r}") from exc

    @classmethod
    def _from_valid_format(cls, data: Mapping[str, Any]) -> ReferenceModel:
        rows = data["features"]
        names = tuple(str(r["name"]) for r in rows)
        unknown = [n for n in (*names, *data["penalties"]) if n not in FEATURES]
        if unknown:
            raise ValueError(f"reference model uses unknown features: {unknown}")
        if any(float(r["scale"]) <= 0 for r in rows):
            raise ValueError("reference model feature scales must be positive")
        return cls(
            features=names,
            mean=tuple(float(r["mean"]) for r in rows),
            scale=tuple(float(r["scale"]) for r in rows),
            weights=tuple(float(r["weight"]) for r in rows),
            intercept=float(data["intercept"]),
            penalties={str(k): float(v) for k, v in data["penalties"].items()},
            gate=(float(data["relevance_gate"][0]), float(data["relevance_gate"][1])),
            novelty_full=float(data["novelty_full"]),
            info=dict(data.get("info", {})),
        )


def relevance_gate(
    features: Mapping[str, float],
    gate: tuple[float, float] = RELEVANCE_GATE,
    novelty_full: float = NOVELTY_FULL,
) -> float:
    """0 for an answer about something else or that only restates the question, else up to 1.

    Relevance is the strongest of: the answer's embedding similarity to the reference or to
    the question, its recall of the reference's specific terms, and of its formulas (a bare
    ``2^(n-1)`` is on the subject even though it embeds far from any prose); the gate opens
    linearly between ``gate[0]`` and ``gate[1]``. Novelty is the number of the answer's
    bigrams that the question does not contain, over ``novelty_full``.
    """
    low, high = gate
    novelty = min(1.0, features["novel_bigrams"] / novelty_full)
    relevance = max(
        features["emb_answer"],
        features["emb_question"],
        features["keyword_recall"],
        features["formula_recall"],
    )
    return novelty * min(1.0, max(0.0, (relevance - low) / (high - low)))


_MODEL_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _shipped_model() -> ReferenceModel:
    path = resources.files("hireflow.scoring.reference_model").joinpath("linear.json")
    return ReferenceModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


def load_reference_model(path: str | Path | None = None) -> ReferenceModel:
    """The shipped model, or one saved with ``json.dump(model.to_dict(), ...)``."""
    if path is None:
        with _MODEL_LOCK:
            return _shipped_model()
    return ReferenceModel.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _initial_choice(candidates: Sequence[Mapping[str, float]]) -> Mapping[str, float]:
    return max(candidates, key=lambda f: f["emb_answer"] + f["bigram_recall"])


def fit_reference_model(
    samples: Sequence[Sequence[Mapping[str, float]]],
    grades: Sequence[float],
    *,
    terms: Mapping[str, int] | None = None,
    penalties: Sequence[str] = MODEL_PENALTIES,
    ridge: float = 0.5,
    rounds: int = 2,
    info: Mapping[str, Any] | None = None,
) -> ReferenceModel:
    """Fit a :class:`ReferenceModel` to human grades (0–10) by bounded least squares.

    ``samples[i]`` holds the feature dictionaries of answer *i* against each of its
    references (as returned by :func:`hireflow.scoring.reference.reference_features`); empty
    answers are skipped (they score 0 by rule). Weights are held to the sign given in
    ``terms`` so that more coverage never lowers a score, with a small ridge penalty on
    standardised weights. The reference each answer is judged against is first the closest
    one, then the one the previous round's model scores highest, as at prediction time.
    """
    from scipy.optimize import least_squares

    terms = dict(MODEL_TERMS if terms is None else terms)
    names = tuple(terms)
    pen = tuple(penalties)
    pairs = [(s, float(g)) for s, g in zip(samples, grades, strict=True) if s]
    if len(pairs) < len(names) + len(pen) + 2:
        raise ValueError("too few graded non-empty answers to fit a reference model")
    y = np.array([g for _, g in pairs])
    chosen = [_initial_choice(s) for s, _ in pairs]
    model: ReferenceModel | None = None
    for _ in range(max(1, rounds)):
        x = np.array([[f[n] for n in names] for f in chosen], dtype=np.float64)
        p = np.array([[f[n] for n in pen] for f in chosen], dtype=np.float64).reshape(len(y), -1)
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = (x - mean) / scale
        sign = np.array([terms[n] for n in names], dtype=np.float64)
        gates = np.array([relevance_gate(f) for f in chosen])

        def residuals(
            theta: np.ndarray,
            z: np.ndarray = z,
            p: np.ndarray = p,
            sign: np.ndarray = sign,
            gates: np.ndarray = gates,
        ) -> np.ndarray:
            base = theta[0] + z @ (sign * theta[1 : 1 + len(sign)])
            fit = base * np.prod(1.0 - theta[1 + len(sign) :] * p, axis=1) * gates - y
            return np.concatenate([fit, ridge * theta[1 : 1 + len(sign)]])

        k = len(names)
        theta0 = np.concatenate([[y.mean()], np.full(k, 0.1), np.full(len(pen), 0.3)])
        lower = np.concatenate([[-np.inf], np.zeros(k), np.zeros(len(pen))])
        upper = np.concatenate([[np.inf], np.full(k, np.inf), np.ones(len(pen))])
        theta = least_squares(residuals, theta0, bounds=(lower, upper), method="trf").x
        model = ReferenceModel(
            features=names,
            mean=tuple(round(float(v), 6) for v in mean),
            scale=tuple(round(float(v), 6) for v in scale),
            weights=tuple(round(float(v), 6) for v in sign * theta[1 : 1 + k]),
            intercept=round(float(theta[0]), 6),
            penalties={n: round(float(c), 6) for n, c in zip(pen, theta[1 + k :], strict=True)},
            info=dict(info or {}),
        )
        chosen = [max(s, key=model.predict) for s, _ in pairs]
    assert model is not None
    return model
