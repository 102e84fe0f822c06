"""Built-in competency presets and job-type templates.

``competencies/*.yaml`` each define one competency in Chinese and English: description,
4–6 behavioural indicators, a five-level behaviourally anchored rating scale, aliases (so a
company's "沟通能力" is recognised as ``communication``) and industry variants where the
meaning of the competency shifts (communication on a production line is about precise
instructions and shift hand-overs; in an internet company about proactive, written,
cross-team alignment). ``job_types.yaml`` says which competencies a job type assesses, with
weights (percent) and required levels (0–10).

The files are validated with :func:`hireflow.scoring.models.model_from_dict` with
``require_bilingual=True`` whenever a preset model is built.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from hireflow.scoring.models import (
    CompetencyModel,
    FieldError,
    ModelError,
    model_from_dict,
    read_yaml,
)

__all__ = [
    "INDUSTRIES",
    "JOB_TYPES",
    "build_preset",
    "competency_aliases",
    "describe_competencies",
    "describe_job_types",
    "normalise_industry",
    "preset_competency",
]

JOB_TYPES = ("technical", "sales", "management", "production", "customer_service", "other")

# Industry ids with their Chinese and English spellings as HR writes them.
INDUSTRIES: dict[str, dict[str, Any]] = {
    "manufacturing": {
        "name": {"zh": "制造业", "en": "Manufacturing"},
        "aliases": ["制造", "制造业", "工厂", "生产制造", "factory", "industrial", "automotive"],
    },
    "internet": {
        "name": {"zh": "互联网", "en": "Internet"},
        "aliases": ["互联网", "科技", "软件", "tech", "technology", "software", "it", "saas"],
    },
    "retail": {
        "name": {"zh": "零售", "en": "Retail"},
        "aliases": ["零售", "零售业", "门店", "商超", "连锁", "store", "e-commerce", "电商"],
    },
    "services": {
        "name": {"zh": "服务业", "en": "Services"},
        "aliases": ["服务", "服务业", "酒店", "餐饮", "hospitality", "service", "call center"],
    },
    "finance": {
        "name": {"zh": "金融", "en": "Finance"},
        "aliases": ["金融", "银行", "保险", "证券", "banking", "insurance", "financial"],
    },
}

# Bumped whenever the wording of an indicator or anchor changes, so that a stored model
# records which edition of the presets it was built from.
PRESET_VERSION = "2026.1"

_DATA = resources.files(__name__)


@functools.cache
def _competencies() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for item in sorted(_DATA.joinpath("competencies").iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        data = read_yaml(item.read_text(encoding="utf-8"), f"presets/competencies/{item.name}")
        entries[data["id"]] = data
    return entries


@functools.cache
def resume_industries() -> dict[str, dict[str, Any]]:
    """The industries a resume's employers are sorted into: zh/en names and the keywords that
    recognise them (read by the resume parser, the talent pool and the HR record)."""
    return json.loads(_DATA.joinpath("resume_industries.json").read_text(encoding="utf-8"))


def industry_labels() -> dict[str, dict[str, str]]:
    """Resume industry keys with their zh/en display names."""
    return {k: {"zh": v["zh"], "en": v["en"]} for k, v in resume_industries().items()}


@functools.cache
def _job_types() -> dict[str, dict[str, Any]]:
    text = _DATA.joinpath("job_types.yaml").read_text(encoding="utf-8")
    return read_yaml(text, "presets/job_types.yaml")


def normalise_industry(industry: str | None) -> str | None:
    """Map "制造业", "Manufacturing", "factory" ... to an industry id; unknown stays as given.

    An unknown industry is not an error: the general (cross-industry) definitions apply.
    """
    if industry is None or not industry.strip():
        return None
    key = industry.strip().lower()
    for ident, info in INDUSTRIES.items():
        if key == ident or key in (a.lower() for a in info["aliases"]):
            return ident
        if key in (n.lower() for n in info["name"].values()):
            return ident
    return key


def competency_aliases() -> dict[str, set[str]]:
    """For each preset competency, the lower-case names it is known by (ids, names, aliases)."""
    result: dict[str, set[str]] = {}
    for ident, data in _competencies().items():
        names = {ident, ident.replace("_", " ")}
        names.update(v.lower() for v in data["name"].values())
        for values in data.get("aliases", {}).values():
            names.update(v.lower() for v in values)
        result[ident] = names
    return result


def _variant(data: dict[str, Any], industry: str | None) -> dict[str, Any] | None:
    if industry is None:
        return None
    for variant in data.get("variants", []):
        if industry in variant["industries"]:
            return variant
    return None


def preset_competency(
    competency_id: str,
    industry: str | None = None,
    weight: float | None = None,
    required_level: float | None = None,
) -> dict[str, Any]:
    """One preset competency as dimension data (industry variant applied when it exists)."""
    data = _competencies().get(competency_id)
    if data is None:
        raise KeyError(competency_id)
    variant = _variant(data, normalise_industry(industry)) or {}
    return {
        "id": competency_id,
        "name": dict(variant.get("name", data["name"])),
        "weight": data["default_weight"] if weight is None else weight,
        "required_level": (
            data["default_required_level"] if required_level is None else required_level
        ),
        "description": dict(variant.get("description", data["description"])),
        "indicators": [dict(i) for i in variant.get("indicators", data["indicators"])],
        "anchors": {
            level: dict(text) for level, text in variant.get("anchors", data["anchors"]).items()
        },
    }


def build_preset(
    competency_ids: list[str] | None = None,
    industry: str | None = None,
    job_type: str | None = None,
) -> CompetencyModel:
    """Build a validated model from presets; see :func:`hireflow.scoring.models.load_preset`."""
    errors: list[FieldError] = []
    templates = _job_types()
    template: dict[str, Any] | None = None
    if job_type is not None:
        template = templates.get(job_type)
        if template is None:
            errors.append(
                FieldError("job_type", f"{job_type!r} must be one of {', '.join(JOB_TYPES)}")
            )
    if competency_ids is None:
        template = template or templates["other"]
        selected = [entry["id"] for entry in template["competencies"]]
    else:
        selected = list(competency_ids)
        if not selected:
            errors.append(FieldError("competency_ids", "choose at least one competency"))
    known = _competencies()
    seen: set[str] = set()
    for i, ident in enumerate(selected):
        if ident not in known:
            errors.append(
                FieldError(
                    f"competency_ids[{i}]",
                    f"unknown competency {ident!r} (known: {', '.join(sorted(known))})",
                )
            )
        elif ident in seen:
            errors.append(FieldError(f"competency_ids[{i}]", f"{ident!r} is listed twice"))
        seen.add(ident)
    if errors:
        raise ModelError(errors, "preset selection")

    if industry is None and template is not None:
        industry = template.get("default_industry")
    industry_id = normalise_industry(industry)
    overrides = {e["id"]: e for e in (template or {}).get("competencies", [])}
    dimensions = [
        preset_competency(
            ident,
            industry_id,
            weight=overrides.get(ident, {}).get("weight"),
            required_level=overrides.get(ident, {}).get("required_level"),
        )
        for ident in selected
    ]
    type_name = (template or {}).get("name", {"zh": "通用", "en": "General"})
    industry_name = INDUSTRIES.get(industry_id or "", {}).get("name")
    name = {
        "zh": f"{type_name['zh']}岗位胜任力模型",
        "en": f"{type_name['en']} competency model",
    }
    if industry_name:
        name = {
            "zh": f"{name['zh']}（{industry_name['zh']}）",
            "en": f"{name['en']} ({industry_name['en']})",
        }
    elif industry_id:
        name = {"zh": f"{name['zh']}（{industry_id}）", "en": f"{name['en']} ({industry_id})"}
    template_id = job_type if template is not None and job_type else "custom"
    if competency_ids is None and job_type is None:
        template_id = "other"
    model_id = f"preset-{template_id}" + (f"-{industry_id}" if industry_id else "")
    return model_from_dict(
        {
            "id": model_id.replace(" ", "-"),
            "name": name,
            "industry": industry_id,
            "version": PRESET_VERSION,
            "dimensions": dimensions,
        },
        require_bilingual=True,
    )


def describe_competencies() -> list[dict[str, Any]]:
    """Catalogue entries for the UI and the CLI: one per preset competency."""
    return [
        {
            "id": ident,
            "name": dict(data["name"]),
            "description": dict(data["description"]),
            "default_weight": data["default_weight"],
            "default_required_level": data["default_required_level"],
            "industries": sorted({i for v in data.get("variants", []) for i in v["industries"]}),
            "indicator_count": len(data["indicators"]),
        }
        for ident, data in _competencies().items()
    ]


def describe_job_types() -> list[dict[str, Any]]:
    """The job-type templates in a fixed order (technical, sales, ... other)."""
    templates = _job_types()
    return [
        {
            "id": ident,
            "name": dict(templates[ident]["name"]),
            "default_industry": templates[ident].get("default_industry"),
            "competencies": [dict(entry) for entry in templates[ident]["competencies"]],
        }
        for ident in JOB_TYPES
    ]
