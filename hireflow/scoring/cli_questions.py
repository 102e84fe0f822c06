"""``hireflow questions --job JOB.yaml``: print the interview plan for a job.

The job file holds ``title``, ``description``, ``job_type``, ``skills``, ``industry`` and
``language`` (see :class:`hireflow.scoring.plan_model.JobSpec`). The competency model is the
preset for the job type unless ``model`` names a model file (YAML/JSON) or a competency
dictionary (CSV/XLSX, imported with :mod:`hireflow.scoring.dictionary`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hireflow.scoring.models import CompetencyModel, ModelError, load_model, load_preset, localised
from hireflow.scoring.plan import generate_plan
from hireflow.scoring.plan_model import InterviewPlan, JobSpec, load_job
from hireflow.scoring.text import engine_language

__all__ = ["questions_command"]

FORMATS = ("table", "json")
_SECTION_NAMES = {
    "warmup": {"zh": "开场", "en": "Warm-up"},
    "behavioural": {"zh": "行为", "en": "Behavioural"},
    "situational": {"zh": "情境", "en": "Situational"},
    "technical": {"zh": "技术", "en": "Technical"},
    "closing": {"zh": "结束", "en": "Closing"},
}


def _model_for(job: JobSpec, model: Path | None) -> CompetencyModel:
    if model is None:
        return load_preset(job_type=job.job_type, industry=job.industry)
    if model.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".tsv"):
        from hireflow.scoring.dictionary import import_dictionary

        return import_dictionary(model, industry=job.industry)
    return load_model(model)


def questions_command(
    job: Path,
    lang: str = "zh",
    budget_minutes: int = 30,
    format: str = "table",
    model: Path | None = None,
) -> InterviewPlan:
    """Generate and print the interview plan for ``job``; returns the plan.

    Invalid input is reported field by field on stderr and ends with exit code 2.
    """
    err = Console(stderr=True)
    if format not in FORMATS:
        err.print(f"[red]--format must be one of {', '.join(FORMATS)} (got {format!r})[/red]")
        raise typer.Exit(code=2)
    try:
        spec = load_job(job)
        competency_model = _model_for(spec, model)
        plan = generate_plan(spec, competency_model, budget_minutes, engine_language(lang))
    except ModelError as exc:
        err.print(f"[red]{exc.args[0].splitlines()[0]}[/red]")
        for error in exc.errors:
            err.print(f"  • {error}")
        raise typer.Exit(code=2) from None
    if format == "json":
        sys.stdout.write(plan.to_json() + "\n")
        return plan
    _print_table(plan, competency_model, Console())
    return plan


def _print_table(plan: InterviewPlan, model: CompetencyModel, console: Console) -> None:
    lang = plan.language
    zh = lang == "zh"
    minutes = plan.total_seconds / 60
    title = (
        f"{plan.job_title} · 面试题目（{minutes:.0f}/{plan.budget_minutes} 分钟）"
        if zh
        else f"{plan.job_title} · interview plan ({minutes:.0f} of {plan.budget_minutes} min)"
    )
    # Chinese has no spaces to wrap at: "fold" breaks long text instead of cutting it off.
    table = Table(title=title, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("环节" if zh else "Section", overflow="fold")
    table.add_column("问题" if zh else "Question", ratio=3, overflow="fold")
    table.add_column("维度" if zh else "Dimensions", overflow="fold")
    table.add_column("时长" if zh else "Time", justify="right")
    table.add_column("选择原因" if zh else "Why", ratio=2, overflow="fold")
    known = set(model.dimension_ids)
    for number, item in enumerate(plan.items, start=1):
        dims = ", ".join(
            localised(model.dimension(d).name, lang) for d in item.question.dimensions if d in known
        )
        table.add_row(
            str(number),
            localised(_SECTION_NAMES[item.section], lang),
            localised(item.question.text, lang),
            dims or "—",
            f"{item.question.time_limit_s // 60}:{item.question.time_limit_s % 60:02d}",
            localised(item.reason, lang),
        )
    console.print(table)
    for note in plan.notes:
        console.print(f"[yellow]• {localised(note, lang)}[/yellow]")
    for warning in plan.check(model):
        console.print(f"[yellow]• {warning}[/yellow]")
