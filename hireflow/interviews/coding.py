"""Coding questions in the AI interview (SPEC E8): the plan entry, the candidate's runs and
submissions, their results, and what the report and the scoring engine read of them.

A coding question is an ordinary ``technical`` plan question tagged ``coding:<bank id>``
(``coding.plans``), so plans, the engine and the record read it like any other; the
statement, starter code and examples come from the bank (``hireflow.coding``). The code never
runs here: a run or a submission is stored (:class:`InterviewCodeRun`) and sent by name to
``coding.grade_submission`` on the ``sandbox`` queue after the commit; its result is read back
from the result backend (:func:`collect`) when the page asks, or when scoring needs it. A run
sent while no sandbox worker is up waits in the queue and is graded when one comes back (the
row is kept, and resent should the broker have lost it), and the interview's scoring waits for
the submissions' results.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.coding.plans import PLAN_LANGUAGES, coding_id_of
from hireflow.coding.questions import Question, get_question
from hireflow.coding.runner import MAX_CODE_BYTES
from hireflow.core.db import on_commit, retry_when_busy, utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import gettext_for
from hireflow.core.logging import log_error
from hireflow.core.rows import shaped
from hireflow.core.tasks import celery_app, registered_task
from hireflow.interviews import schemas
from hireflow.interviews.errors import QuestionDone
from hireflow.interviews.models import InterviewCodeRun, InterviewSession
from hireflow.interviews.sessions import add_event, answer_for_writing, run_clock
from hireflow.scoring.coding import CodingOutcome, coding_grade, outcome_from_dict

log = logging.getLogger(__name__)

TASK = "coding.grade_submission"
MAX_RUNS = 40  # runs per question (a submission is one more)
# A run not graded by then: the page says the code runner is not available right now.
WAITING_AFTER = timedelta(seconds=20)
# Results stay in the backend for an hour; a run still waiting after this is sent again
# (grading is a pure function of the code, so a second run is harmless).
RESEND_AFTER = timedelta(minutes=30)

STATUS_TEXT = {
    "accepted": N_("passed"),
    "compile_error": N_("compile error"),
    "wrong_answer": N_("wrong answer"),
    "runtime_error": N_("runtime error"),
    "time_limit": N_("time limit exceeded"),
    "memory_limit": N_("memory limit exceeded"),
    "output_limit": N_("output limit exceeded"),
    "sandbox_violation": N_("stopped by the sandbox"),
}
LANGUAGE_LABELS = {
    "python": "Python",
    "javascript": "JavaScript",
    "cpp": "C++",
    "java": "Java",
    "go": "Go",
}


class NotCoding(NotFound):
    """The question is not a coding question (same answer as a missing one)."""


class CodeLanguage(AppError):
    status = 422
    code = "code_language"
    message = N_("This question cannot be answered in %(language)s. Choose one of: %(offered)s.")


class CodeTooLarge(AppError):
    status = 413
    code = "code_too_large"
    message = N_("Your code is larger than %(limit)s KiB. Please shorten it.")


class CodeEmpty(AppError):
    status = 422
    code = "code_empty"
    message = N_("Write some code first.")


class TooManyRuns(AppError):
    status = 429
    code = "too_many_runs"
    message = N_("You have run this question %(count)s times, the most allowed. Submit your code.")


# --------------------------------------------------------------------------- runs


def _send(run_id: int, bank_id: str, language: str, code: str, mode: str, task_id: str) -> None:
    try:
        registered_task(TASK).apply_async(args=(bank_id, language, code, mode), task_id=task_id)
    except Exception as exc:  # the broker is down: the row is kept and resent by collect()
        log_error(
            log,
            "code run not sent",
            exc,
            event="interviews.code_send_failed",
            level=logging.WARNING,
            run_id=run_id,
        )


def _runs(
    session: Session, interview: InterviewSession, question_id: str
) -> list[InterviewCodeRun]:
    return list(
        session.scalars(
            select(InterviewCodeRun)
            .where(
                InterviewCodeRun.interview_id == interview.id,
                InterviewCodeRun.question_id == question_id,
            )
            .order_by(InterviewCodeRun.id)
        )
    )


def _check_code(question: Question, data: schemas.CodeRunIn) -> None:
    if data.language not in question.languages:
        offered = ", ".join(LANGUAGE_LABELS[key] for key in question.languages)
        raise CodeLanguage(
            params={"language": data.language[:20], "offered": offered},
            fields={"language": "unknown"},
        )
    if not data.code.strip():
        raise CodeEmpty(fields={"code": "required"})
    if len(data.code.encode("utf-8")) > MAX_CODE_BYTES:
        raise CodeTooLarge(params={"limit": MAX_CODE_BYTES // 1024}, fields={"code": "too_large"})


@retry_when_busy
def start_run(
    session: Session,
    interview: InterviewSession,
    question_id: str,
    data: schemas.CodeRunIn,
    now: datetime | None = None,
) -> schemas.CodeRunOut:
    """Run the candidate's code (``run``: the examples) or hand it in (``submit``: the hidden
    tests too). The row is committed before the grading is queued, so nothing is lost when no
    sandbox worker is up."""
    now = now or utcnow()
    answer, plan_question_ = answer_for_writing(session, interview, question_id, data.tab, now)
    bank_id = coding_id_of(plan_question_)
    if bank_id is None:
        raise NotCoding()
    if answer.status in ("answered", "skipped"):
        raise QuestionDone()
    run_clock(answer, plan_question_, now)
    _check_code(get_question(bank_id), data)
    runs = _runs(session, interview, question_id)
    if data.mode == "run" and sum(1 for r in runs if r.mode == "run") >= MAX_RUNS:
        raise TooManyRuns(params={"count": MAX_RUNS})
    run = InterviewCodeRun(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        question_id=question_id,
        coding_id=bank_id,
        mode=data.mode,
        language=data.language,
        code=data.code,
        status="queued",
        task_id=uuid.uuid4().hex,
        sent_at=now,
        created_at=now,
    )
    session.add(run)
    if data.mode == "submit":
        answer.status = "answered"
        answer.mode = "code"
        answer.answered_at = now
        add_event(
            session,
            interview,
            "code_submitted",
            question_id=question_id,
            data={"language": data.language},
            now=now,
        )
    interview.current_question = question_id
    session.flush()
    args = (run.id, bank_id, data.language, data.code, data.mode, run.task_id)
    on_commit(session, lambda: _send(*args))
    session.commit()
    return run_view(run, now)


def collect(session: Session, run: InterviewCodeRun, now: datetime) -> bool:
    """Copy a finished grading's result into the row (True when the row changed); a run
    waiting longer than the backend keeps results is sent again."""
    if run.status != "queued":
        return False
    result = celery_app.AsyncResult(run.task_id)
    try:
        ready = result.ready()
        value = result.result if ready else None
    except Exception as exc:  # the result backend is unreachable: ask again later
        log_error(
            log,
            "code result unreadable",
            exc,
            event="interviews.code_result_failed",
            level=logging.WARNING,
            run_id=run.id,
        )
        return False
    if not ready:
        if now - run.sent_at > RESEND_AFTER:
            run.sent_at = now
            args = (run.id, run.coding_id, run.language, run.code, run.mode, run.task_id)
            on_commit(session, lambda: _send(*args))
            return True
        return False
    if isinstance(value, dict) and "error" not in value:
        run.status = "done"
        run.result = json.dumps(value, ensure_ascii=False)
    else:
        # the grader refused it as sent, or the sandbox failed after its retries
        run.status = "refused"
        message = value.get("error") if isinstance(value, dict) else type(value).__name__
        run.error = str(message)[:300]
    run.finished_at = now
    return True


def result_of(run: InterviewCodeRun) -> dict[str, Any] | None:
    return json.loads(run.result) if run.result else None


def _candidate_result(result: dict[str, Any]) -> dict[str, Any]:
    """What the candidate sees of a grading: the status, the counts, the visible examples
    (hidden tests only as a count) and the efficiency verdict, never the hidden inputs."""
    visible = [c for c in result.get("cases", []) if c.get("visible")]
    return {
        "status": result.get("status", ""),
        "compile_ok": bool(result.get("compile_ok")),
        "compile_message": result.get("compile_message", ""),
        "passed": int(result.get("passed", 0)),
        "total": int(result.get("total", 0)),
        "cases": [
            {
                k: c.get(k)
                for k in ("id", "status", "time_ms", "message", "input", "expected", "output")
            }
            for c in visible
        ],
    }


def run_view(run: InterviewCodeRun, now: datetime) -> schemas.CodeRunOut:
    result = result_of(run)
    return shaped(
        schemas.CodeRunOut,
        run,
        waiting=run.status == "queued" and now - run.sent_at > WAITING_AFTER,
        result=_candidate_result(result) if result else None,
    )


@retry_when_busy
def poll_run(
    session: Session, interview: InterviewSession, run_id: int, now: datetime | None = None
) -> schemas.CodeRunOut:
    """The state of one of this interview's runs (its result once graded)."""
    now = now or utcnow()
    run = session.get(InterviewCodeRun, run_id)
    if run is None or run.interview_id != interview.id:
        raise NotFound()
    if collect(session, run, now):
        session.commit()
    return run_view(run, now)


def question_payload(
    session: Session, interview: InterviewSession, question: dict[str, Any], now: datetime
) -> dict[str, Any] | None:
    """The coding part of a question's view: the bank's public question in the interview's
    language and the candidate's latest run (so a reload shows their code and result)."""
    bank_id = coding_id_of(question)
    if bank_id is None:
        return None
    try:
        public = get_question(bank_id).public(interview.language)
    except LookupError:
        return None
    runs = _runs(session, interview, str(question.get("id")))
    public["languages"] = [
        {"key": key, "label": LANGUAGE_LABELS[key]} for key in public["languages"]
    ]
    public["last_run"] = run_view(runs[-1], now).model_dump() if runs else None
    public["last_code"] = {"language": runs[-1].language, "code": runs[-1].code} if runs else None
    return public


# --------------------------------------------------------------------------- scoring, report


def pending_submissions(session: Session, interview_id: int, now: datetime) -> int:
    """Collect the results of the interview's submissions; how many are still waiting."""
    runs = session.scalars(
        select(InterviewCodeRun).where(
            InterviewCodeRun.interview_id == interview_id,
            InterviewCodeRun.mode == "submit",
            InterviewCodeRun.status == "queued",
        )
    ).all()
    waiting = 0
    for run in runs:
        collect(session, run, now)
        waiting += run.status == "queued"
    return waiting


def submissions(session: Session, interview_id: int) -> dict[str, InterviewCodeRun]:
    """The submission of each coding question (the last one, should there be several)."""
    rows = session.scalars(
        select(InterviewCodeRun)
        .where(InterviewCodeRun.interview_id == interview_id, InterviewCodeRun.mode == "submit")
        .order_by(InterviewCodeRun.id)
    )
    return {row.question_id: row for row in rows}


def run_counts(session: Session, interview_id: int) -> dict[str, int]:
    rows = session.execute(
        select(InterviewCodeRun.question_id, func.count())
        .where(InterviewCodeRun.interview_id == interview_id, InterviewCodeRun.mode == "run")
        .group_by(InterviewCodeRun.question_id)
    )
    return {qid: int(count) for qid, count in rows}


def outcome_of(run: InterviewCodeRun) -> CodingOutcome | None:
    """A submission's grading as the scoring engine takes it: hidden tests passed, the
    first failure, the efficiency verdict and its measurements (None: not graded)."""
    result = result_of(run)
    if result is None:
        return None
    hidden = [c for c in result.get("cases", []) if not c.get("visible")]
    first = next((c.get("status", "") for c in hidden if c.get("status") != "passed"), "")
    efficiency = result.get("efficiency") or {}
    return outcome_from_dict(
        {
            "language": LANGUAGE_LABELS.get(run.language, run.language),
            "status": result.get("status", ""),
            "compile_ok": bool(result.get("compile_ok")),
            "hidden_passed": sum(1 for c in hidden if c.get("status") == "passed"),
            "hidden_total": len(hidden),
            "first_failure": first,
            "efficiency": efficiency.get("verdict") or "not_measured",
            "ratio": efficiency.get("ratio"),
            "growth": efficiency.get("growth"),
            "reference_growth": efficiency.get("reference_growth"),
            "points": efficiency.get("points") or [],
        }
    )


def result_line(run: InterviewCodeRun, language: str) -> str:
    """One sentence on a submission's grading, in ``language``: the evidence the engine
    quotes for the technical competency (``scoring.coding``), also the first line of the
    answer's text."""
    outcome = outcome_of(run)
    if outcome is None:
        _ = gettext_for(PLAN_LANGUAGES["zh" if language.startswith("zh") else "en"])
        return _("Code in %(language)s could not be graded: %(error)s") % {
            "language": LANGUAGE_LABELS.get(run.language, run.language),
            "error": run.error or _("no result"),
        }
    return coding_grade(outcome).evidence["zh" if language.startswith("zh") else "en"]


def answer_text(run: InterviewCodeRun | None, language: str) -> str:
    """The engine's text of a coding answer: the result line, then the code."""
    if run is None:
        return ""
    return f"{result_line(run, language)}\n\n{run.code}"


def report_items(
    session: Session, interview: InterviewSession, questions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per coding question of the interview, what HR's report shows: the result (tests
    passed, errors, efficiency per input size against the reference), the code, the runs."""
    subs = submissions(session, interview.id)
    counts = run_counts(session, interview.id)
    items = []
    for question in questions:
        bank_id = coding_id_of(question)
        if bank_id is None:
            continue
        qid = str(question.get("id"))
        run = subs.get(qid)
        result = result_of(run) if run is not None else None
        outcome = outcome_of(run) if run is not None else None
        failing = [
            c
            for c in (result or {}).get("cases", [])
            if c.get("status") not in ("passed", "skipped")
        ]
        items.append(
            {
                "question_id": qid,
                "bank_id": bank_id,
                "title": question.get("text") or {},
                "run": run,
                "result": result,
                "line": result_line(run, interview.language) if run is not None else "",
                "failing": failing[:5],
                "grade": coding_grade(outcome) if outcome is not None else None,
                "runs": counts.get(qid, 0),
            }
        )
    return items


# Codes the report shows as words (case and efficiency statuses), for the catalogues.
REPORT_LABELS = (
    N_("passed"),
    N_("wrong_answer"),
    N_("runtime_error"),
    N_("time_limit"),
    N_("memory_limit"),
    N_("output_limit"),
    N_("skipped"),
    N_("efficient"),
    N_("slower"),
    N_("too_slow"),
    N_("incorrect"),
    N_("not_measured"),
)
