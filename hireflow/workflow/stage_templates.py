"""Stage templates per job family (SPEC H1/H2: "editable per company, with templates per job
family").

A company may give openings of a job family (``openings.job_type``: technical, sales, ...) their
own stage list: an opening of that family that has no copy of its own reads the template (and
copies it at its first move, like the company list, see :mod:`hireflow.workflow.stages`); a
family without a template reads the company's list. Removing a template sends the family back
to the company's list; openings that already copied theirs keep them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, require
from hireflow.openings.models import JOB_TYPES
from hireflow.workflow import schemas
from hireflow.workflow.models import FamilyStage
from hireflow.workflow.stages import (
    Stage,
    _check_list,
    family_stages,
    replace_company_list,
    stage_out,
)


@dataclass(frozen=True)
class Template:
    """A job family's stages: ``custom`` when the company wrote a template for it (else they
    are the company's list)."""

    family: str
    custom: bool
    stages: list[Stage]


def _known(family: str) -> str:
    if family not in JOB_TYPES:
        raise ValidationFailed(
            N_("Unknown job family “%(family)s”; use one of: %(known)s"),
            params={"family": family[:40], "known": ", ".join(JOB_TYPES)},
            fields={"family": "unknown"},
        )
    return family


def _custom_families(session: Session, tenant_id: int) -> set[str]:
    return set(
        session.scalars(
            select(FamilyStage.job_family).where(FamilyStage.tenant_id == tenant_id).distinct()
        )
    )


def templates(session: Session, principal: Principal) -> list[Template]:
    """Every job family with the stages its new openings start with."""
    require(principal, "pipeline.configure")
    custom = _custom_families(session, principal.tenant_id)
    return [
        Template(family, family in custom, family_stages(session, principal.tenant_id, family))
        for family in JOB_TYPES
    ]


def template(session: Session, principal: Principal, family: str) -> Template:
    require(principal, "pipeline.configure")
    _known(family)
    custom = family in _custom_families(session, principal.tenant_id)
    return Template(family, custom, family_stages(session, principal.tenant_id, family))


def _replace(
    session: Session,
    principal: Principal,
    family: str,
    stages: list[schemas.StageIn],
    action: str,
) -> Template:
    """Replace the family's rows by ``stages`` (none: the template is removed), audited;
    commits."""
    before = template(session, principal, family)
    replace_company_list(
        session,
        principal,
        FamilyStage,
        [{"key": s.key, "kind": s.kind, "name": s.name.model_dump()} for s in stages],
        action,
        new={"family": family, "stages": [s.key for s in stages]},
        old={"family": family, "custom": before.custom, "stages": [s.key for s in before.stages]},
        part={"job_family": family},
    )
    return template(session, principal, family)


def set_template(
    session: Session, principal: Principal, family: str, data: schemas.StageListIn
) -> Template:
    """The family's template (checked like the company's list: unique keys, an open first
    stage, a rejection stage)."""
    require(principal, "pipeline.configure")
    _known(family)
    _check_list(data.stages)
    return _replace(session, principal, family, data.stages, "pipeline.family_stages_set")


def remove_template(session: Session, principal: Principal, family: str) -> Template:
    """Back to the company's list for the family's new openings."""
    require(principal, "pipeline.configure")
    _known(family)
    return _replace(session, principal, family, [], "pipeline.family_stages_removed")


def template_out(found: Template, language: str, label: str) -> schemas.StageTemplateOut:
    return schemas.StageTemplateOut(
        family=found.family,
        label=label,
        custom=found.custom,
        stages=[stage_out(s, language) for s in found.stages],
    )
