"""The built-in pipeline a company starts with, and its rejection reasons (SPEC H1).

The lists are data (``defaults.toml``): companies edit their own copies, and names are per
language (``zh``, ``en``, ``ja``); a company's own list may give only some.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from hireflow.core.errors import N_

_LISTS = tomllib.loads(
    resources.files("hireflow.workflow").joinpath("defaults.toml").read_text(encoding="utf-8")
)
DEFAULT_STAGES: tuple[dict[str, Any], ...] = tuple(_LISTS["stages"])
DEFAULT_REASONS: tuple[dict[str, Any], ...] = tuple(_LISTS["reasons"])

# What the candidates domain's coarse ``Application.stage`` reads for each kind of stage, so
# lists that filter on it (the worklist, the talent pool) follow the pipeline.
APPLICATION_STAGE = {
    "applied": "applied",
    "screened": "screening",
    "ai_interview": "interview",
    "interview": "interview",
    "offer": "offer",
    "hired": "hired",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}

# The person's record status (``hireflow.records.models.STATUSES``) a move into a stage of this
# kind sets. The AI interview's statuses belong to the interviews domain, which sets them.
RECORD_STATUS = {
    "applied": "applied",
    "screened": "screening",
    "interview": "interviewing",
    "offer": "offer",
    "hired": "hired",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}


def pick(name: dict[str, Any] | None, language: str) -> str:
    """A stage or reason name in ``language`` (zh-CN → zh), else English, else any."""
    if not name:
        return ""
    short = language.split("-")[0].lower()
    for code in (short, "en", "zh"):
        value = name.get(code)
        if isinstance(value, str) and value:
            return value
    return next((v for v in name.values() if isinstance(v, str) and v), "")


# What the record's timeline shows for this domain's entries (sources, keys and codes of their
# facts), looked up by the record pages in the merged catalogues: without them a Chinese page
# read "Previous stage: round_2".
RECORD_WORDS = (
    N_("pipeline"),
    N_("scorecards"),
    N_("stage"),
    N_("previous_stage"),
    N_("days_in_stage"),
    N_("final_conclusion"),
    N_("recommendations"),
    N_("disagreements"),
    N_("job_match"),
    N_("screened"),
    N_("ai_interview"),
    N_("round_1"),
    N_("round_2"),
    N_("strong_yes"),
    N_("strong_no"),
)
