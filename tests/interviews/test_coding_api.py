"""The candidate's coding routes in the personal-link API (``/api/v1/links/{token}/interview``):
run, submit and poll through the real sandbox (Celery eager), the link's identity check, the
OpenAPI description, and bad input."""

from __future__ import annotations

import pytest

from hireflow.coding.runner import MAX_CODE_BYTES
from hireflow.interviews import candidate, coding
from hireflow.interviews.sessions import answers_of
from tests.interviews.factories import TAB, started
from tests.interviews.test_coding import (  # noqa: F401 - fixture
    PAIR_SUM,
    QID,
    _code,
    _coding_setup,
    eager,
)

pytestmark = pytest.mark.usefixtures("eager")


def _error(response) -> str:
    return response.json()["error"]["code"]


def test_the_candidate_runs_submits_and_polls_through_the_api(session, org, client):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    headers = setup.headers
    body = {"tab": TAB, "mode": "run", "language": "python", "code": "print(0)\n"}
    url = f"{base}/questions/{QID}/code"
    # the identity check's access value is required, as on every link route
    assert client.post(url, json=body).status_code == 403
    assert client.post(url, json=body, headers={"X-Link-Access": "forged"}).status_code == 403
    sent = client.post(url, json=body, headers=headers)
    assert sent.status_code == 202, sent.text
    assert sent.json()["mode"] == "run" and sent.json()["question_id"] == QID
    poll = f"{base}/code-runs/{sent.json()['id']}"
    assert client.get(poll).status_code == 403
    run = client.get(poll, headers=headers).json()
    assert run["status"] == "done" and run["result"]["status"] == "wrong_answer"
    assert all("input" in c for c in run["result"]["cases"])

    submitted = client.post(url, json={**body, "mode": "submit", "code": PAIR_SUM}, headers=headers)
    assert submitted.status_code == 202, submitted.text
    result = client.get(f"{base}/code-runs/{submitted.json()['id']}", headers=headers).json()
    assert result["result"]["status"] == "accepted"
    # hidden tests only as a count: the candidate sees the visible examples' cases alone
    assert result["result"]["total"] > len(result["result"]["cases"])
    session.expire_all()
    assert answers_of(session, interview)[QID].mode == "code"
    # handed in: a second submission or a run answers 409
    again = client.post(url, json={**body, "mode": "submit", "code": PAIR_SUM}, headers=headers)
    assert again.status_code == 409 and _error(again) == "question_done"
    run_after = client.post(url, json=body, headers=headers)
    assert run_after.status_code == 409 and _error(run_after) == "question_done"


def test_bad_input_through_the_api(session, org, client):
    setup = _coding_setup(session, org)
    interview = started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    headers = setup.headers
    url = f"{base}/questions/{QID}/code"
    body = {"tab": TAB, "mode": "run", "language": "python", "code": PAIR_SUM}

    cobol = client.post(url, json={**body, "language": "cobol"}, headers=headers)
    assert cobol.status_code == 422 and _error(cobol) == "code_language"
    assert "Python" in cobol.json()["error"]["message"]
    big = client.post(url, json={**body, "code": "x" * (MAX_CODE_BYTES + 1)}, headers=headers)
    assert big.status_code == 413 and _error(big) == "code_too_large"
    empty = client.post(url, json={**body, "code": " \n"}, headers=headers)
    assert empty.status_code == 422 and _error(empty) == "code_empty"
    mode = client.post(url, json={**body, "mode": "debug"}, headers=headers)
    assert mode.status_code == 422
    # a question that is not a coding question answers like a missing one
    other = candidate.candidate_state(session, interview).questions[1].id
    typed = client.post(f"{base}/questions/{other}/code", json=body, headers=headers)
    assert typed.status_code == 404
    missing = client.post(f"{base}/questions/no-such-question/code", json=body, headers=headers)
    assert missing.status_code == 404
    session.expire_all()
    assert not coding.submissions(session, interview.id)
    assert coding.run_counts(session, interview.id) == {}  # nothing refused was stored

    # another interview's run is not reachable through this link
    other_setup = _coding_setup(session, org)
    other_interview = started(session, other_setup)
    candidate.open_question(session, other_interview, QID, TAB)
    foreign = coding.start_run(session, other_interview, QID, _code("run"))
    assert client.get(f"{base}/code-runs/{foreign.id}", headers=headers).status_code == 404
    assert client.get(f"{base}/code-runs/999999999", headers=headers).status_code == 404


def test_the_coding_routes_are_documented(client):
    spec = client.get("/api/v1/openapi.json")
    if spec.status_code == 404:
        spec = client.get("/openapi.json")
    paths = spec.json()["paths"]
    code = paths["/api/v1/links/{link_token}/interview/questions/{interview_question_id}/code"]
    post = code["post"]
    assert {"202", "409", "413", "422"} <= set(post["responses"])
    assert "CodeRunIn" in str(post["requestBody"])
    assert "CodeRunOut" in str(post["responses"]["202"])
    poll = paths["/api/v1/links/{link_token}/interview/code-runs/{interview_code_run_id}"]["get"]
    assert "CodeRunOut" in str(poll["responses"]["200"])
    assert "X-Link-Access" in str(post["parameters"])
