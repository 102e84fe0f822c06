"""Per-company, per-dimension calibration from HR corrections (SPEC F4, F5).

When HR adjusts an AI score they give a reason; the platform stores the correction with the
features the AI score came from (a report's ``DimensionScore.components``). Once a dimension
of a company has enough corrections (20 by default), :func:`fit_calibration` fits a mapping
from the AI's score (and, for ridge, its features) to HR's score:

* ``isotonic`` (default): a monotone, piecewise-linear map of the AI score
  (scikit-learn ``IsotonicRegression``); it can bend the scale but never reorder candidates;
* ``ridge``: a linear model of the AI score and the components (``Ridge``), for when HR
  systematically weighs, say, results more than the engine does.

Agreement with HR is measured before and after on held-out folds (k-fold cross-validation:
each correction is predicted by a model that did not see it): mean absolute error and
quadratic weighted kappa on the 0–10 scale rounded to whole points. A calibration is a plain,
versioned, JSON-serialisable value; it does nothing until explicitly activated
(:meth:`CompanyCalibration.activate`), so HR can read the before/after figures first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_MIN_CORRECTIONS",
    "METHODS",
    "Agreement",
    "CalibrationError",
    "CompanyCalibration",
    "Correction",
    "DimensionCalibration",
    "agreement",
    "corrections_from_report",
    "fit_calibration",
]

DEFAULT_MIN_CORRECTIONS = 20
DEFAULT_FOLDS = 5
METHODS = ("isotonic", "ridge")
CALIBRATION_SCHEMA = "1.0"
# Components a ridge calibration may use besides the AI score (see engine.answer_quality).
RIDGE_FEATURES = (
    "situation",
    "task",
    "action_depth",
    "result_quality",
    "specificity",
    "logic",
    "ownership",
    "evidence",
    "substance_factor",
    "generic_factor",
    "negative_factor",
    "topic_factor",
)


class CalibrationError(ValueError):
    """Invalid corrections or calibration data; the message names the field."""


@dataclass(frozen=True)
class Correction:
    """HR's score for one dimension of one interview, next to the AI's, with the reason."""

    company_id: str
    dimension_id: str
    ai_score: float
    hr_score: float
    reason: str
    features: dict[str, float] = field(default_factory=dict)
    interview_ref: str = ""

    def __post_init__(self) -> None:
        for name in ("ai_score", "hr_score"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CalibrationError(f"{name}: must be a number, not {type(value).__name__}")
            if not math.isfinite(value) or not 0 <= value <= 10:
                raise CalibrationError(f"{name}: must be between 0 and 10 (got {value})")
        if not self.company_id or not self.dimension_id:
            raise CalibrationError("company_id and dimension_id are required")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise CalibrationError("reason: HR must give a reason for a correction")


@dataclass(frozen=True)
class Agreement:
    """AI–HR agreement on a set of scores (0–10)."""

    n: int
    mae: float
    qwk: float | None  # None when kappa is undefined (one category only on both sides)


def agreement(ai: Sequence[float], hr: Sequence[float]) -> Agreement:
    """Mean absolute error and quadratic weighted kappa (scores rounded to whole points)."""
    from sklearn.metrics import cohen_kappa_score

    a = np.asarray(ai, dtype=np.float64)
    h = np.asarray(hr, dtype=np.float64)
    if a.shape != h.shape:
        raise CalibrationError("ai and hr must have the same length")
    if a.size == 0:
        return Agreement(0, 0.0, None)
    mae = float(np.mean(np.abs(a - h)))
    ai_points = np.clip(np.rint(a), 0, 10).astype(int)
    hr_points = np.clip(np.rint(h), 0, 10).astype(int)
    if len(set(ai_points.tolist()) | set(hr_points.tolist())) < 2:
        qwk: float | None = None
    else:
        value = cohen_kappa_score(ai_points, hr_points, weights="quadratic", labels=list(range(11)))
        qwk = None if not math.isfinite(value) else round(float(value), 4) + 0.0
    return Agreement(int(a.size), round(mae, 4) + 0.0, qwk)


@dataclass(frozen=True)
class DimensionCalibration:
    """A fitted map from the AI's score (and features) to HR's, for one dimension."""

    dimension_id: str
    method: str
    n: int
    before: Agreement
    after: Agreement
    x_thresholds: tuple[float, ...] = ()
    y_thresholds: tuple[float, ...] = ()
    feature_names: tuple[str, ...] = ()
    coefficients: tuple[float, ...] = ()
    intercept: float = 0.0

    def apply(self, ai_score: float, features: Mapping[str, float] | None = None) -> float:
        """The calibrated score (0–10)."""
        if self.method == "isotonic":
            value = float(np.interp(ai_score, self.x_thresholds, self.y_thresholds))
        else:
            features = features or {}
            row = [
                ai_score if name == "ai_score" else float(features.get(name, 0.0))
                for name in self.feature_names
            ]
            value = self.intercept + math.fsum(
                c * x for c, x in zip(self.coefficients, row, strict=True)
            )
        return round(min(10.0, max(0.0, value)), 4) + 0.0


@dataclass(frozen=True)
class CompanyCalibration:
    """All of a company's dimension calibrations, versioned; inactive until activated."""

    company_id: str
    version: str
    method: str
    min_corrections: int
    corrections: int
    dimensions: dict[str, DimensionCalibration]
    skipped: dict[str, str]
    active: bool = False
    schema_version: str = CALIBRATION_SCHEMA

    def activate(self) -> CompanyCalibration:
        """A copy that the engine applies (HR has reviewed the before/after figures)."""
        return replace(self, active=True)

    def deactivate(self) -> CompanyCalibration:
        return replace(self, active=False)

    def apply(
        self, dimension_id: str, ai_score: float, features: Mapping[str, float] | None = None
    ) -> float | None:
        """Calibrated score, or None when inactive or when this dimension has no calibration."""
        if not self.active:
            return None
        calibration = self.dimensions.get(dimension_id)
        if calibration is None:
            return None
        return calibration.apply(ai_score, features)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CompanyCalibration:
        """Rebuild from :meth:`to_dict`; :class:`CalibrationError` names a bad field."""
        try:
            if str(data["schema_version"]).split(".")[0] != CALIBRATION_SCHEMA.split(".")[0]:
                raise CalibrationError(f"schema_version: unsupported {data['schema_version']!r}")
            dims = {}
            for key, raw in data["dimensions"].items():
                dims[key] = DimensionCalibration(
                    dimension_id=raw["dimension_id"],
                    method=raw["method"],
                    n=int(raw["n"]),
                    before=Agreement(**raw["before"]),
                    after=Agreement(**raw["after"]),
                    x_thresholds=tuple(raw.get("x_thresholds", ())),
                    y_thresholds=tuple(raw.get("y_thresholds", ())),
                    feature_names=tuple(raw.get("feature_names", ())),
                    coefficients=tuple(raw.get("coefficients", ())),
                    intercept=float(raw.get("intercept", 0.0)),
                )
            return cls(
                company_id=data["company_id"],
                version=str(data["version"]),
                method=data["method"],
                min_corrections=int(data["min_corrections"]),
                corrections=int(data["corrections"]),
                dimensions=dims,
                skipped=dict(data.get("skipped", {})),
                active=bool(data.get("active", False)),
                schema_version=str(data["schema_version"]),
            )
        except KeyError as exc:
            raise CalibrationError(f"{exc.args[0]}: missing") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, CalibrationError):
                raise
            raise CalibrationError(str(exc)) from None

    @classmethod
    def from_json(cls, text: str) -> CompanyCalibration:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise CalibrationError(f"line {exc.lineno}: {exc.msg}") from None


def _fit_one(
    method: str, x_ai: np.ndarray, x_feat: np.ndarray, y: np.ndarray, alpha: float
) -> tuple[Any, ...]:
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        model = IsotonicRegression(y_min=0.0, y_max=10.0, out_of_bounds="clip", increasing=True)
        model.fit(x_ai, y)
        return tuple(float(v) for v in model.X_thresholds_), tuple(
            float(v) for v in model.y_thresholds_
        )
    from sklearn.linear_model import Ridge

    model = Ridge(alpha=alpha)
    model.fit(x_feat, y)
    return tuple(float(c) for c in model.coef_), float(model.intercept_)


def _predict(
    method: str, params: tuple[Any, ...], x_ai: np.ndarray, x_feat: np.ndarray
) -> np.ndarray:
    if method == "isotonic":
        xs, ys = params
        return np.clip(np.interp(x_ai, xs, ys), 0.0, 10.0)
    coefs, intercept = params
    return np.clip(x_feat @ np.asarray(coefs) + intercept, 0.0, 10.0)


def fit_calibration(
    corrections: Iterable[Correction],
    company_id: str,
    *,
    method: str = "isotonic",
    min_corrections: int = DEFAULT_MIN_CORRECTIONS,
    folds: int = DEFAULT_FOLDS,
    version: str = "1",
    alpha: float = 1.0,
    seed: int = 0,
) -> CompanyCalibration:
    """Fit one calibration per dimension that has at least ``min_corrections`` corrections.

    The result is inactive. Dimensions with too few corrections are listed in ``skipped``
    with the reason. Folds are shuffled with a fixed seed, so the same corrections give the
    same calibration and the same figures.
    """
    if method not in METHODS:
        raise CalibrationError(f"method: must be one of {', '.join(METHODS)}, not {method!r}")
    if min_corrections < 2:
        raise CalibrationError("min_corrections: must be at least 2")
    if folds < 2:
        raise CalibrationError("folds: must be at least 2")
    mine = [c for c in corrections if c.company_id == company_id]
    by_dimension: dict[str, list[Correction]] = {}
    for correction in mine:
        by_dimension.setdefault(correction.dimension_id, []).append(correction)

    fitted: dict[str, DimensionCalibration] = {}
    skipped: dict[str, str] = {}
    for dim_id in sorted(by_dimension):
        # A stable order makes the folds, and so the reported figures, reproducible.
        items = sorted(
            by_dimension[dim_id], key=lambda c: (c.interview_ref, c.ai_score, c.hr_score, c.reason)
        )
        n = len(items)
        if n < min_corrections:
            noun = "correction" if n == 1 else "corrections"
            skipped[dim_id] = f"{n} {noun}, {min_corrections} needed"
            continue
        fitted[dim_id] = _fit_dimension(dim_id, items, method, folds, alpha, seed)
    return CompanyCalibration(
        company_id=company_id,
        version=str(version),
        method=method,
        min_corrections=min_corrections,
        corrections=len(mine),
        dimensions=fitted,
        skipped=skipped,
    )


def _fit_dimension(
    dim_id: str,
    items: Sequence[Correction],
    method: str,
    folds: int,
    alpha: float,
    seed: int,
) -> DimensionCalibration:
    """One dimension's calibration, with the agreement before it and, out of fold, after."""
    from sklearn.model_selection import KFold

    n = len(items)
    names = ("ai_score", *RIDGE_FEATURES) if method == "ridge" else ("ai_score",)
    x_ai = np.array([c.ai_score for c in items], dtype=np.float64)
    x_feat = np.array(
        [
            [c.ai_score if k == "ai_score" else float(c.features.get(k, 0.0)) for k in names]
            for c in items
        ],
        dtype=np.float64,
    )
    y = np.array([c.hr_score for c in items], dtype=np.float64)
    out_of_fold = np.zeros(n)
    splitter = KFold(n_splits=min(folds, n), shuffle=True, random_state=seed)
    for train, test in splitter.split(x_ai):
        params = _fit_one(method, x_ai[train], x_feat[train], y[train], alpha)
        out_of_fold[test] = _predict(method, params, x_ai[test], x_feat[test])
    params = _fit_one(method, x_ai, x_feat, y, alpha)
    before = agreement(x_ai, y)
    after = agreement(out_of_fold, y)
    if method == "isotonic":
        xs, ys = params
        return DimensionCalibration(
            dim_id,
            method,
            n,
            before,
            after,
            x_thresholds=tuple(round(v, 6) for v in xs),
            y_thresholds=tuple(round(v, 6) for v in ys),
        )
    else:
        coefs, intercept = params
        return DimensionCalibration(
            dim_id,
            method,
            n,
            before,
            after,
            feature_names=names,
            coefficients=tuple(round(v, 6) for v in coefs),
            intercept=round(intercept, 6),
        )


def corrections_from_report(
    report: Any,
    company_id: str,
    hr_scores: Mapping[str, tuple[float, str]],
    interview_ref: str = "",
) -> list[Correction]:
    """Corrections for the dimensions HR re-scored: ``{dimension_id: (hr_score, reason)}``.

    The AI score stored is the uncalibrated one, so calibrations never feed on themselves.
    """
    out = []
    for dim_id in sorted(hr_scores):
        hr_score, reason = hr_scores[dim_id]
        dimension = report.dimension(dim_id)
        if dimension.raw_score is None:
            raise CalibrationError(f"{dim_id}: the AI did not assess this dimension")
        features = {k: float(v) for k, v in dimension.components.items() if k in RIDGE_FEATURES}
        out.append(
            Correction(
                company_id=company_id,
                dimension_id=dim_id,
                ai_score=float(dimension.raw_score),
                hr_score=float(hr_score),
                reason=reason,
                features=features,
                interview_ref=interview_ref or report.candidate_ref,
            )
        )
    return out
