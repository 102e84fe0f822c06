"""Refusals of competency models, plans and screening rules, with every problem listed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hireflow.core.errors import N_, ValidationFailed


class RulesRejected(ValidationFailed):
    """Screening rules that do not compile; ``fields`` holds each problem with its position."""

    code = "rules_invalid"
    message = N_("A screening rule has an error: %(detail)s")


class ModelRejected(ValidationFailed):
    """A competency model, dictionary or plan that does not validate (every problem listed)."""

    code = "model_invalid"
    message = N_("The competency model or plan is not valid: %(detail)s")


def problem_list(errors: Iterable[Any]) -> str:
    return "; ".join(str(e) for e in list(errors)[:8])
