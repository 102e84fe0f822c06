"""Competency models of openings (SPEC B2): job-type presets, chosen competencies, a whole
model or the company's dictionary file, each validated by ``hireflow.scoring``."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.permissions import Principal
from hireflow.openings import schemas, versions
from hireflow.openings.access import manageable_opening
from hireflow.openings.errors import ModelRejected, problem_list
from hireflow.openings.models import (
    Opening,
)
from hireflow.scoring.dictionary import import_dictionary as read_dictionary
from hireflow.scoring.models import (
    CompetencyModel,
    ModelError,
    load_preset,
    model_from_dict,
    model_to_dict,
)

MAX_DICTIONARY_BYTES = 5 * 1024 * 1024


DICTIONARY_SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml", ".json")


def build_model(
    data: schemas.CompetencyModelIn, opening_job_type: str, opening_industry: str | None
) -> CompetencyModel:
    """A validated ``CompetencyModel`` from the chosen source (raises ModelRejected)."""

    industry = data.industry or opening_industry
    try:
        if data.source == "model":
            if not data.model:
                raise ModelRejected(
                    params={"detail": "model: required"}, fields={"model": "required"}
                )
            return model_from_dict(data.model)
        if data.source == "competencies":
            if not data.competencies:
                raise ModelRejected(
                    params={"detail": "competencies: choose at least one"},
                    fields={"competencies": "required"},
                )
            return load_preset(list(dict.fromkeys(data.competencies)), industry=industry)
        return load_preset(job_type=data.job_type or opening_job_type, industry=industry)
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": problem_list(exc.errors)},
            fields={e.location or "model": e.message for e in exc.errors[:20]},
        ) from exc
    except (KeyError, ValueError) as exc:
        raise ModelRejected(params={"detail": str(exc)}, fields={"model": str(exc)}) from exc


def preset_model_dict(
    job_type: str, industry: str | None, competencies: Sequence[str] = ()
) -> dict[str, Any]:
    """``model_to_dict`` of a preset model (job type, or the chosen competencies)."""

    source = schemas.CompetencyModelIn(
        source="competencies" if competencies else "job_type",
        competencies=list(competencies),
        job_type=job_type,  # type: ignore[arg-type]
    )
    return model_to_dict(build_model(source, job_type, industry))


def opening_industry(opening: Opening) -> str | None:
    value = (opening.requirements or {}).get("industry")
    return value if isinstance(value, str) and value else None


def set_competency_model(
    session: Session, principal: Principal, opening_id: int, data: schemas.CompetencyModelIn
) -> Opening:
    """Replace the opening's competency model (preset, chosen competencies or a whole model)."""

    opening = manageable_opening(session, principal, opening_id)
    model = build_model(data, opening.job_type, opening_industry(opening))
    return _store_model(session, principal, opening, model_to_dict(model), data.source)


def import_dictionary(
    session: Session, principal: Principal, opening_id: int, filename: str, content: bytes
) -> Opening:
    """Use the company's competency dictionary (CSV, XLSX, YAML, JSON) for this opening."""

    opening = manageable_opening(session, principal, opening_id)
    suffix = Path(filename or "").suffix.lower()
    if suffix not in DICTIONARY_SUFFIXES:
        raise ModelRejected(
            params={"detail": "use a .csv, .xlsx, .yaml or .json file"},
            fields={"dictionary": "type"},
        )
    if not content:
        raise ModelRejected(params={"detail": "the file is empty"}, fields={"dictionary": "empty"})
    if len(content) > MAX_DICTIONARY_BYTES:
        raise ModelRejected(
            params={"detail": "the file is over 5 MB"}, fields={"dictionary": "size"}
        )
    stem = Path(filename).stem[:60] or "dictionary"
    with tempfile.TemporaryDirectory(prefix="hireflow-dictionary-") as folder:
        path = Path(folder) / f"{uuid.uuid4().hex}{suffix}"
        path.write_bytes(content)
        try:
            model = read_dictionary(path, model_id=None, name={"zh": stem, "en": stem})
        except ModelError as exc:
            raise ModelRejected(
                params={"detail": problem_list(exc.errors)},
                fields={e.location or "dictionary": e.message for e in exc.errors[:20]},
            ) from exc
    data = model_to_dict(model)
    data["id"] = f"dictionary-{opening.id}"
    return _store_model(session, principal, opening, data, "dictionary")


def _store_model(
    session: Session, principal: Principal, opening: Opening, model: dict[str, Any], source: str
) -> Opening:
    before = (opening.competency_model or {}).get("id")
    opening.competency_model = model
    versions.record_edit(session, principal, opening, model, source)
    audit.commit_recorded(
        session,
        "opening.competency_model_set",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"model": before},
        new={
            "model": model.get("id"),
            "source": source,
            "dimensions": [d.get("id") for d in model.get("dimensions", [])],
        },
    )
    return opening


def competency_model_of(opening: Opening) -> CompetencyModel:
    """The opening's model as a ``CompetencyModel`` (the job type's preset when none is set)."""

    if opening.competency_model:
        return model_from_dict(opening.competency_model)
    return load_preset(job_type=opening.job_type, industry=opening_industry(opening))
