"""The categories of voluntary self-identification, per regional set.

``ll144`` follows the categories NYC Local Law 144's rules take from the EEO-1 report (sex;
race/ethnicity; the age bands are ours, in ten-year steps). ``cn`` asks sex and age band only:
Chinese employment forms do not ask race, and PIPL treats it as sensitive. Every question
offers "prefer not to say" (``declined``), which the audit counts as unknown.

Codes are stored; labels are msgids translated where shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from hireflow.core.errors import N_

DECLINED = "declined"
UNKNOWN = "unknown"
FIELDS = ("sex", "race", "age_band")

SEX = (("male", N_("Male")), ("female", N_("Female")))
RACE = (
    ("hispanic_latino", N_("Hispanic or Latino")),
    ("white", N_("White (not Hispanic or Latino)")),
    ("black", N_("Black or African American (not Hispanic or Latino)")),
    ("pacific_islander", N_("Native Hawaiian or Pacific Islander (not Hispanic or Latino)")),
    ("asian", N_("Asian (not Hispanic or Latino)")),
    ("native_american", N_("Native American or Alaska Native (not Hispanic or Latino)")),
    ("two_or_more", N_("Two or more races (not Hispanic or Latino)")),
)
AGE_BAND = (
    ("under_30", N_("Under 30")),
    ("30_39", N_("30–39")),
    ("40_49", N_("40–49")),
    ("50_59", N_("50–59")),
    ("60_plus", N_("60 or over")),
)
QUESTIONS = {
    "sex": (N_("Sex"), SEX),
    "race": (N_("Race/ethnicity"), RACE),
    "age_band": (N_("Age band"), AGE_BAND),
}
LABELS = {
    DECLINED: N_("Prefer not to say"),
    UNKNOWN: N_("Unknown (not given)"),
    **{code: label for _title, options in QUESTIONS.values() for code, label in options},
}


@dataclass(frozen=True)
class CategorySet:
    key: str
    name: str  # msgid
    fields: tuple[str, ...]

    def options(self, field: str) -> tuple[str, ...]:
        """The codes a person may answer for ``field``, "prefer not to say" last."""
        return (*(code for code, _label in QUESTIONS[field][1]), DECLINED)


SETS = {
    "ll144": CategorySet(
        "ll144", N_("United States: NYC Local Law 144 / EEO-1"), ("sex", "race", "age_band")
    ),
    "cn": CategorySet("cn", N_("China: sex and age band, no race"), ("sex", "age_band")),
}
DEFAULT_SET = "ll144"
