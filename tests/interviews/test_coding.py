"""Coding questions in the AI interview: runs and submissions graded in the real sandbox, the
report's section, the engine's evidence, and bad input (unknown language, code over the size
limit, no sandbox worker, the deadline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from hireflow.coding.plans import plan_question, technical_dimension
from hireflow.coding.runner import MAX_CODE_BYTES
from hireflow.core.db import utcnow
from hireflow.core.errors import AppError
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app, configure_celery
from hireflow.interviews import candidate, coding, pipeline, schemas
from hireflow.interviews.engine_adapter import interview_input, report_of
from hireflow.interviews.models import InterviewCodeRun, InterviewSession
from hireflow.interviews.sessions import answers_of
from hireflow.scoring.plan_model import InterviewPlan
from tests.conftest import login
from tests.interviews.factories import TAB, make_setup, started
from tests.interviews.test_pages import _candidate

PAIR_SUM = (
    "import sys\nfrom collections import Counter\nd=sys.stdin.read().split()\n"
    "n,k=int(d[0]),int(d[1])\nc=Counter();p=0\nfor v in map(int,d[2:2+n]):\n"
    "    p+=c[k-v];c[v]+=1\nprint(p)\n"
)
QID = "coding-pair-sum"


@pytest.fixture
def eager() -> Iterator[None]:
    """Gradings run at once in this process, through the real sandbox (as tests/coding does),
    and their results go to the real result backend the page reads them from."""
    import hireflow.coding.tasks  # noqa: F401 - registers the grading task in this process

    conf = celery_app.conf
    saved = {key: conf.get(key) for key in ("task_always_eager", "task_store_eager_result")}
    configure_celery(task_always_eager=True, task_store_eager_result=True)
    yield
    configure_celery(**saved)


def _coding_setup(session, org, **kwargs):
    setup = make_setup(session, org, **kwargs)
    plan = InterviewPlan.from_dict(setup.opening.interview_plan)
    dims = tuple(d["id"] for d in setup.opening.competency_model["dimensions"])
    dimension = technical_dimension(dims)
    plan = plan.add_question(plan_question("pair-sum", dimension), 0)
    setup.opening.interview_plan = plan.to_dict()
    session.commit()
    return setup


def _code(mode: str, code: str = PAIR_SUM, language: str = "python") -> schemas.CodeRunIn:
    return schemas.CodeRunIn(tab=TAB, mode=mode, language=language, code=code)


def _refusal(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


def test_a_coding_question_is_shown_run_submitted_and_scored(session, org, db, eager):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    view = candidate.candidate_state(session, interview).questions[0]
    assert view.id == QID and view.coding is not None
    public = view.coding
    assert {lang["key"] for lang in public["languages"]} >= {"python", "javascript", "cpp", "java"}
    assert public["examples"] and "tests" not in public and "reference" not in public
    assert "def " in public["starter"]["python"] or public["starter"]["python"]

    candidate.open_question(session, interview, QID, TAB)
    wrong = coding.start_run(session, interview, QID, _code("run", "print(0)\n"))
    polled = coding.poll_run(session, interview, wrong.id)
    assert polled.status == "done"
    assert polled.result["status"] == "wrong_answer"
    assert polled.result["cases"] and all("input" in c for c in polled.result["cases"])

    out = coding.start_run(session, interview, QID, _code("submit"))
    result = coding.poll_run(session, interview, out.id).result
    assert result["status"] == "accepted" and result["passed"] == result["total"] > 2
    # the candidate sees the visible examples only, never a hidden test
    assert len(result["cases"]) == len(public["examples"])
    assert answers_of(session, interview)[QID].status == "answered"
    assert answers_of(session, interview)[QID].mode == "code"

    # the engine scores the result line and the code
    runs = coding.submissions(session, interview.id)
    engine_in = interview_input(interview, answers_of(session, interview), runs)
    text = next(a.text for a in engine_in.answers if a.question_id == QID)
    assert "个隐藏测试" in text and "Counter" in text

    candidate.submit(session, interview, TAB)  # eager: the scoring task runs here
    assert pipeline.score(db, interview.id) in ("scored", "done")
    session.expire_all()
    report = report_of(session, session.get(InterviewSession, interview.id))
    quotes = [e.quote for d in report.dimensions for e in d.evidence if e.question_id == QID]
    assert quotes, "the coding answer is quoted as evidence"
    # what is quoted is the result line or the code, word for word
    assert all(q.strip("。. ") in text for q in quotes), quotes


def test_report_page_shows_tests_efficiency_and_code(session, org, db, eager, client):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, QID, TAB)
    coding.start_run(session, interview, QID, _code("run", "print(0)\n"))
    out = coding.start_run(session, interview, QID, _code("submit"))
    coding.poll_run(session, interview, out.id)
    candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) in ("scored", "done")
    login(client, org.users["recruiter"])
    page = client.get(f"/interviews/{interview.id}")
    assert page.status_code == 200
    html = page.text
    assert 'id="coding-pair-sum"' in html and 'data-status="accepted"' in html
    stored = json.loads(session.get(InterviewCodeRun, out.id).result)
    assert f"{stored['passed']} / {stored['total']}" in html
    for point in stored["efficiency"]["points"]:
        assert "{:,}".format(point["n"]) in html
    assert "Counter()" in html  # the code itself


def test_bad_input_is_refused_with_a_clear_message(session, org, eager):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, QID, TAB)
    err = _refusal(
        lambda: coding.start_run(session, interview, QID, _code("run", language="cobol"))
    )
    assert err.code == "code_language" and "Python" in str(err)
    big = "# " + "x" * MAX_CODE_BYTES + "\nprint(1)\n"
    err = _refusal(lambda: coding.start_run(session, interview, QID, _code("run", big)))
    assert err.code == "code_too_large" and err.status == 413
    err = _refusal(lambda: coding.start_run(session, interview, QID, _code("run", "  \n")))
    assert err.code == "code_empty"
    # not a coding question: the same answer as a missing one
    other = candidate.candidate_state(session, interview).questions[1].id
    err = _refusal(lambda: coding.start_run(session, interview, other, _code("run")))
    assert err.status == 404
    assert session.query(InterviewCodeRun).count() == 0  # nothing refused was stored or sent
    # handed in once: a second submission is refused
    coding.start_run(session, interview, QID, _code("submit"))
    assert _refusal(lambda: coding.start_run(session, interview, QID, _code("submit"))).code == (
        "question_done"
    )


def test_submitting_after_the_deadline_is_refused(session, org, eager):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, QID, TAB)
    late = interview.deadline + timedelta(minutes=1)
    err = _refusal(lambda: coding.start_run(session, interview, QID, _code("submit"), now=late))
    assert err.code == "deadline_passed" and err.status == 410


def test_web_routes_check_the_link_and_the_size(session, org, client, eager):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, QID, TAB)
    _candidate(client, setup)
    base = f"/i/{setup.token}/interview"
    headers: dict[str, str] = {}
    body = {"tab": TAB, "mode": "run", "language": "python", "code": PAIR_SUM}
    sent = client.post(f"{base}/questions/{QID}/code", json=body, headers=headers)
    assert sent.status_code == 202, sent.text
    run = client.get(f"{base}/code-runs/{sent.json()['id']}").json()
    assert run["status"] == "done" and run["result"]["status"] == "accepted"
    big = {**body, "code": "x" * (MAX_CODE_BYTES + 1)}
    refused = client.post(f"{base}/questions/{QID}/code", json=big, headers=headers)
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "code_too_large"
    # another interview's run is not reachable through this link
    other = _coding_setup(session, org)
    other_interview = started(session, other)
    candidate.open_question(session, other_interview, QID, TAB)
    foreign = coding.start_run(session, other_interview, QID, _code("run"))
    assert client.get(f"{base}/code-runs/{foreign.id}").status_code == 404


@pytest.mark.slow
def test_without_a_sandbox_worker_the_code_is_kept_and_run_when_one_comes_back(
    session, org, db, tmp_path
):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, QID, TAB)
    out = coding.start_run(session, interview, QID, _code("submit"))
    later = utcnow() + timedelta(seconds=30)
    waiting = coding.poll_run(session, interview, out.id, now=later)
    assert waiting.status == "queued" and waiting.waiting
    candidate.submit(session, interview, TAB)
    # scoring waits for the code's result, and HR is told why
    assert pipeline.score(db, interview.id) == "code_pending"
    session.expire_all()
    assert session.get(InterviewSession, interview.id).scoring_error == "code_pending"

    settings = get_settings()
    env = {
        **os.environ,
        "HIREFLOW_BROKER_URL": settings.broker_url,
        "HIREFLOW_RESULT_BACKEND": settings.result_backend,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        view = waiting
        while view.status == "queued" and time.monotonic() < deadline:
            assert worker.poll() is None
            time.sleep(1)
            view = coding.poll_run(session, interview, out.id)
        assert view.status == "done" and view.result["status"] == "accepted"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    session.expire_all()
    row = session.get(InterviewSession, interview.id)
    row.scoring_lease_until = None
    session.commit()
    assert pipeline.score(db, interview.id) == "scored"


def test_hr_is_told_a_report_waits_for_the_code_runner():
    from types import SimpleNamespace

    from hireflow.interviews.progress import waiting_for_report

    now = utcnow()
    interview = SimpleNamespace(
        status="submitted",
        submitted_at=now - timedelta(minutes=5),
        scoring_attempts=2,
        scoring_lease_until=now + timedelta(seconds=40),
        scoring_error="code_pending",
        speech_pending=False,
    )
    waiting = waiting_for_report(interview, now)
    assert waiting.state == "code_pending" and waiting.refresh and not waiting.can_retry
    assert "sandbox-worker" in waiting.action
