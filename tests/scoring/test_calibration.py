"""Calibration from HR corrections: thresholds, held-out agreement, activation, JSON."""

from __future__ import annotations

import random

import pytest

from hireflow.scoring.calibration import (
    CalibrationError,
    CompanyCalibration,
    Correction,
    agreement,
    corrections_from_report,
    fit_calibration,
)
from hireflow.scoring.engine import score_interview
from tests.scoring.engine_helpers import STRONG_EN, VAGUE_EN, interview


def synthetic(
    n: int, dim: str = "communication", company: str = "acme", seed: int = 1
) -> list[Correction]:
    """HR is systematically harsher than the AI on the top of the scale, with some noise."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ai = rng.uniform(2.0, 10.0)
        hr = min(10.0, max(0.0, 0.6 * ai + 1.0 + rng.gauss(0, 0.4)))
        out.append(
            Correction(
                company_id=company,
                dimension_id=dim,
                ai_score=round(ai, 2),
                hr_score=round(hr, 2),
                reason="HR review",
                features={"specificity": ai / 10, "result_quality": ai / 12},
                interview_ref=f"i{i}",
            )
        )
    return out


def test_agreement_metrics() -> None:
    perfect = agreement([1, 5, 9], [1, 5, 9])
    assert perfect.mae == 0.0 and perfect.qwk == 1.0
    off = agreement([1, 5, 9], [2, 6, 10])
    assert off.mae == 1.0 and 0.8 < off.qwk < 1.0
    assert agreement([5, 5], [5, 5]).qwk is None  # undefined with one category
    with pytest.raises(CalibrationError):
        agreement([1, 2], [1])


@pytest.mark.parametrize("method", ["isotonic", "ridge"])
def test_calibration_improves_agreement_on_held_out_folds(method: str) -> None:
    calibration = fit_calibration(synthetic(60), "acme", method=method)
    dim = calibration.dimensions["communication"]
    assert dim.n == 60
    assert dim.after.n == dim.before.n == 60
    assert dim.after.mae < dim.before.mae
    assert dim.after.qwk is not None and dim.before.qwk is not None
    assert dim.after.qwk > dim.before.qwk
    assert not calibration.active


def test_too_few_corrections_are_skipped_with_a_reason() -> None:
    data = synthetic(25, "communication") + synthetic(5, "teamwork", seed=2)
    calibration = fit_calibration(data, "acme")
    assert set(calibration.dimensions) == {"communication"}
    assert "5 corrections, 20 needed" in calibration.skipped["teamwork"]
    lower = fit_calibration(data, "acme", min_corrections=5)
    assert set(lower.dimensions) == {"communication", "teamwork"}


def test_other_companies_corrections_are_ignored() -> None:
    data = synthetic(30, company="acme") + synthetic(30, company="globex", seed=3)
    calibration = fit_calibration(data, "acme")
    assert calibration.corrections == 30


def test_inactive_calibration_changes_nothing_until_activated() -> None:
    calibration = fit_calibration(synthetic(40), "acme", version="7")
    iv = interview({"comm_b": STRONG_EN})
    plain = score_interview(iv)
    inactive = score_interview(iv, calibration=calibration)
    assert inactive.to_json() == plain.to_json()
    active = score_interview(iv, calibration=calibration.activate())
    comm = active.dimension("communication")
    assert comm.calibrated
    assert comm.raw_score == plain.dimension("communication").score
    expected = calibration.dimensions["communication"].apply(comm.raw_score, comm.components)
    assert comm.score == pytest.approx(expected)
    assert comm.score < comm.raw_score  # HR is harsher at the top
    assert active.calibration == {"company_id": "acme", "version": "7"}
    assert any(n.code == "calibrated" for n in active.notes)
    # Uncalibrated dimensions are untouched.
    assert not active.dimension("teamwork").calibrated


def test_calibration_is_deterministic_and_round_trips() -> None:
    a = fit_calibration(synthetic(40), "acme", method="ridge")
    b = fit_calibration(list(reversed(synthetic(40))), "acme", method="ridge")
    assert a.to_json() == b.to_json()
    back = CompanyCalibration.from_json(a.activate().to_json())
    assert back.active and back == a.activate()
    assert back.apply("communication", 8.0, {"specificity": 0.8}) == a.activate().apply(
        "communication", 8.0, {"specificity": 0.8}
    )


def test_calibrated_scores_stay_in_range() -> None:
    dim = fit_calibration(synthetic(40), "acme").dimensions["communication"]
    assert 0.0 <= dim.apply(-5.0) <= 10.0
    assert 0.0 <= dim.apply(50.0) <= 10.0
    # Isotonic maps never reorder candidates.
    values = [dim.apply(x / 2) for x in range(21)]
    assert values == sorted(values)


def test_corrections_from_a_report() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN, "tw_b": VAGUE_EN}))
    corrections = corrections_from_report(
        report, "acme", {"communication": (6.0, "no measurable result for the team")}
    )
    (correction,) = corrections
    assert correction.ai_score == report.dimension("communication").raw_score
    assert correction.hr_score == 6.0
    assert "specificity" in correction.features
    with pytest.raises(CalibrationError, match="did not assess"):
        corrections_from_report(report, "acme", {"leadership": (5.0, "x")})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ai_score": 11.0}, "ai_score"),
        ({"hr_score": -1.0}, "hr_score"),
        ({"reason": " "}, "reason"),
        ({"ai_score": "7"}, "ai_score"),
    ],
)
def test_invalid_corrections(kwargs: dict, message: str) -> None:
    base = {
        "company_id": "acme",
        "dimension_id": "d",
        "ai_score": 5.0,
        "hr_score": 6.0,
        "reason": "r",
    }
    with pytest.raises(CalibrationError, match=message):
        Correction(**{**base, **kwargs})


def test_invalid_settings_and_documents() -> None:
    with pytest.raises(CalibrationError, match="method"):
        fit_calibration([], "acme", method="magic")
    with pytest.raises(CalibrationError, match="min_corrections"):
        fit_calibration([], "acme", min_corrections=1)
    data = fit_calibration(synthetic(30), "acme").to_dict()
    del data["dimensions"]["communication"]["before"]
    with pytest.raises(CalibrationError, match="before"):
        CompanyCalibration.from_dict(data)
    with pytest.raises(CalibrationError, match="line 1"):
        CompanyCalibration.from_json("{")
