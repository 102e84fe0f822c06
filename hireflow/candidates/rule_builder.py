"""The screening-rule form builder: structured filters (minimum education, majors, years in an
industry, skills, scores...) turned into rule text, for HR who do not write rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hireflow.candidates.resume_model import (
    normalise_degree,
)
from hireflow.candidates.screening_rules import format_number

# ---------------------------------------------------------------------------------------------
# Form builder
# ---------------------------------------------------------------------------------------------


def quote(value: str) -> str:
    """A rule-engine string literal for ``value``."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _num(value: float) -> str:
    return format_number(float(value))


@dataclass(slots=True)
class ScreeningForm:
    """Structured filters for HR who do not write rules; :meth:`to_rule` gives the text."""

    min_education: str | None = None
    majors: list[str] = field(default_factory=list)
    min_years: float | None = None
    industry: str | None = None
    min_industry_years: float | None = None
    required_skills: list[str] = field(default_factory=list)
    any_skills: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    min_scores: dict[str, float] = field(default_factory=dict)
    min_mentions: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningForm:
        known = set(cls.__slots__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown screening form fields: {sorted(unknown)}")
        return cls(**dict(data))

    def to_rule(self) -> str:
        """The rule text; every part is joined with ``and``. Raises ValueError on bad input."""
        parts: list[str] = []
        if self.min_education:
            degree = normalise_degree(self.min_education)
            if degree is None:
                raise ValueError(f"unknown degree {self.min_education!r}")
            parts.append(f"education >= {quote(degree)}")
        majors = [m for m in (x.strip() for x in self.majors) if m]
        if majors:
            parts.append("major in [" + ", ".join(quote(m) for m in majors) + "]")
        if self.min_years is not None:
            parts.append(f"years_experience >= {_num(self.min_years)}")
        if self.industry and self.min_industry_years is not None:
            parts.append(
                f"years_in_industry({quote(self.industry)}) >= {_num(self.min_industry_years)}"
            )
        parts.extend(f"has_skill({quote(s)})" for s in self.required_skills if s.strip())
        anys = [s for s in self.any_skills if s.strip()]
        if anys:
            parts.append("(" + " or ".join(f"has_skill({quote(s)})" for s in anys) + ")")
        parts.extend(f"has_certificate({quote(c)})" for c in self.certificates if c.strip())
        locations = [x for x in self.locations if x.strip()]
        if locations:
            parts.append(
                "(" + " or ".join(f"location =~~ {quote(re.escape(x))}" for x in locations) + ")"
            )
        parts.extend(f"keyword({quote(k)})" for k in self.keywords if k.strip())
        for dimension, minimum in self.min_scores.items():
            parts.append(f"score({quote(dimension)}) >= {_num(minimum)}")
        for phrase, count in self.min_mentions.items():
            parts.append(f"mentions({quote(phrase)}) >= {_num(count)}")
        if not parts:
            raise ValueError("the form sets no filter")
        return " and ".join(parts)


def build_rule(form: ScreeningForm | Mapping[str, Any]) -> str:
    """Rule text from structured filters (a :class:`ScreeningForm` or its dict)."""
    if not isinstance(form, ScreeningForm):
        form = ScreeningForm.from_dict(form)
    return form.to_rule()
