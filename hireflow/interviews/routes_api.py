"""The AI interview under ``/api/v1``: HR's interviews, reports, live pushes, adjustments,
conclusions, FAQ and questions inbox; and the candidate's interview through the personal link
(public: the signed link is the credential, with the identity check's access value in
``X-Link-Access``, exactly like the scheduling domain's link API)."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from hireflow.core.db import utcnow
from hireflow.interviews import (
    calibration,
    candidate,
    coding,
    drafts,
    faq,
    hr,
    queries,
    reading,
    schemas,
    sessions,
    state,
    uploads,
)
from hireflow.interviews.errors import TranslationFailed, TranslationUnavailable
from hireflow.interviews.models import CompanyCalibration, InterviewSession
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.routes_link import PersonalLink as Link
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id, Offset, audit_read, run_in_thread

router = APIRouter(tags=["interviews"])
api = ServiceRoutes(router, __name__)

# --------------------------------------------------------------------------- the candidate


def _json(model: BaseModel, status: int = 200) -> Response:
    """The route's response model as JSON, serialised here in the endpoint's worker thread:
    returned as a model, FastAPI would validate and serialise it again in a second trip
    through the thread pool (same bytes: the model is the route's ``response_model``)."""
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _interview(session: DbSession, link: Link, *, grace: bool = False) -> InterviewSession:
    """The interview behind a link whose identity check passed; errors from here on speak
    the candidate's chosen language, whatever the client's Accept-Language."""
    inv, interview = _resolve(session, link, grace=grace)
    drafts.remember(link.settings, link.token, inv, interview)
    return interview


def _resolve(
    session: DbSession, link: Link, *, grace: bool = False, commit: bool = True
) -> tuple[Invitation, InterviewSession]:
    """The link's invitation and interview (``commit``: see ``sessions.ensure_session``)."""
    now = utcnow() - state.UPLOAD_GRACE if grace else None
    # open_link's own checks (ownership, status, expiry) still run on the rows read ahead
    known = sessions.read_link_ahead(session, link.token, link.settings)
    inv = link.verified(session, now, mark_opened=False)
    return inv, sessions.ensure_session(session, inv, known=known, commit=commit)


# The candidate's interview behind the personal link, one question of it, one recording upload.
LINK = "/links/{link_token}/interview"
QUESTION = f"{LINK}/questions/{{interview_question_id}}"
UPLOAD = f"{LINK}/uploads/{{interview_upload_token}}"


@router.get(LINK, response_model=schemas.CandidateStateOut)
def link_interview(session: DbSession, link: Link) -> Any:
    # the first load creates the interview: committed with the state read after it, and
    # only then remembered for the drafts (never an interview that did not commit)
    inv, interview = _resolve(session, link, grace=True, commit=False)
    out = candidate.state_then_commit(session, interview)
    drafts.remember(link.settings, link.token, inv, interview)
    return _json(out)


@router.post(f"{LINK}/consent", response_model=schemas.CandidateStateOut)
def link_consent(data: schemas.ConsentIn, session: DbSession, link: Link) -> Any:
    interview = _interview(session, link)
    return _json(candidate.consent_and_state(session, interview, data))


@router.post(f"{LINK}/human-review", response_model=schemas.CandidateStateOut)
def link_human_review(session: DbSession, link: Link) -> Any:
    interview = _interview(session, link)
    candidate.request_human_review(session, interview)
    return candidate.candidate_state(session, interview)


@router.post(f"{QUESTION}/open", response_model=schemas.QuestionView)
def link_open(
    interview_question_id: str, data: schemas.TabIn, session: DbSession, link: Link
) -> Any:
    interview = _interview(session, link)
    return _json(candidate.open_question(session, interview, interview_question_id, data.tab))


@router.put(f"{QUESTION}/text", response_model=schemas.AnswerOut)
def link_text(
    interview_question_id: str, data: schemas.TextAnswerIn, session: DbSession, link: Link
) -> Any:
    # an autosave of a link this process already resolved: one UPDATE (see drafts.py)
    saved = drafts.save_draft(
        session, link.settings, link.token, link.access, interview_question_id, data
    )
    if saved is not None:
        return _json(saved)
    interview = _interview(session, link)
    return _json(candidate.save_text(session, interview, interview_question_id, data))


@router.post(
    f"{QUESTION}/code",
    response_model=schemas.CodeRunOut,
    status_code=202,
    responses={
        404: {"description": "no such question, or not a coding question"},
        409: {
            "description": "the question was already handed in (`question_done`) or its "
            "time is up (`time_up`)"
        },
        410: {"description": "the interview's deadline passed (`deadline_passed`)"},
        413: {"description": "code over 64 KiB (`code_too_large`)"},
        422: {
            "description": "a language the question does not offer (`code_language`), "
            "empty code (`code_empty`) or a malformed body"
        },
        429: {"description": "too many runs of this question (`too_many_runs`)"},
    },
)
def link_code(
    interview_question_id: str, data: schemas.CodeRunIn, session: DbSession, link: Link
) -> Any:
    """Run the code on the question's visible examples (``mode=run``) or hand it in
    (``mode=submit``: the examples, the hidden tests and the efficiency sizes; once). The code
    is graded in the sandbox queue, never here: poll the returned run for its result."""
    interview = _interview(session, link)
    return coding.start_run(session, interview, interview_question_id, data)


@router.get(
    f"{LINK}/code-runs/{{interview_code_run_id}}",
    response_model=schemas.CodeRunOut,
    responses={404: {"description": "no such run in this interview"}},
)
def link_code_run(interview_code_run_id: Id, session: DbSession, link: Link) -> Any:
    """A run's state: ``queued`` (``waiting`` once no sandbox worker took it for 20 s),
    ``done`` with the result the candidate may see (visible examples, hidden tests only as a
    count), or ``refused`` with the grader's reason."""
    interview = _interview(session, link, grace=True)
    return coding.poll_run(session, interview, interview_code_run_id)


@router.post(f"{QUESTION}/uploads", response_model=schemas.UploadOut, status_code=201)
def link_upload_start(
    interview_question_id: str, data: schemas.UploadStartIn, session: DbSession, link: Link
) -> Any:
    interview = _interview(session, link)
    return uploads.start_upload(session, interview, interview_question_id, data)


@router.get(UPLOAD, response_model=schemas.UploadOut)
def link_upload_status(interview_upload_token: str, session: DbSession, link: Link) -> Any:
    interview = _interview(session, link, grace=True)
    return uploads.upload_status(session, interview, interview_upload_token)


@router.put(UPLOAD, response_model=schemas.UploadOut)
async def link_upload_chunk(
    interview_upload_token: str,
    request: Request,
    session: DbSession,
    link: Link,
    offset: Offset = 0,
) -> Any:
    """One chunk of the recording (raw bytes) at ``offset``; a 409 names where to resume."""
    chunk = await request.body()

    def work() -> Any:
        interview = _interview(session, link, grace=True)
        return uploads.put_chunk(session, interview, interview_upload_token, offset, chunk)

    return await run_in_thread(work)


@router.post(f"{UPLOAD}/complete", response_model=schemas.AnswerOut)
def link_upload_complete(interview_upload_token: str, session: DbSession, link: Link) -> Any:
    interview = _interview(session, link, grace=True)
    return uploads.complete_upload(session, interview, interview_upload_token)


@router.post(f"{LINK}/events", status_code=204)
def link_event(data: schemas.ClientEventIn, session: DbSession, link: Link) -> Response:
    interview = _interview(session, link)
    candidate.client_event(session, interview, data)
    return Response(status_code=204)


@router.post(f"{LINK}/ask", response_model=schemas.AskOut, status_code=201)
def link_ask(data: schemas.AskIn, session: DbSession, link: Link) -> Any:
    interview = _interview(session, link, grace=True)
    return faq.ask(session, interview, data)


@router.post(f"{LINK}/submit", response_model=schemas.CandidateStateOut)
def link_submit(data: schemas.TabIn, session: DbSession, link: Link) -> Any:
    interview = _interview(session, link, grace=True)
    return _json(candidate.submit_and_state(session, interview, data.tab))


# --------------------------------------------------------------------------- HR


@router.get("/interviews", response_model=list[schemas.InterviewOut])
def list_interviews(
    session: DbSession,
    principal: ApiUser,
    opening_id: Id | None = None,
    status: str | None = None,
    sort: Literal["activity", "match"] = "activity",
    limit: int = Query(100, ge=1, le=500),
    offset: Offset = 0,
) -> Any:
    """``sort=match`` ranks by the job match in effect (HR's overrides count)."""
    rows = queries.interviews(
        session,
        principal,
        opening_id=opening_id,
        status=status,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    audit_read(session, principal, "interviews.listed", "interview", [r.id for r in rows])
    return rows


@router.get("/interviews/live", response_model=list[schemas.LiveOut])
def live_interviews(session: DbSession, principal: ApiUser) -> Any:
    rows = queries.live(session, principal)
    audit_read(session, principal, "interviews.live_listed", "interview", [r.id for r in rows])
    return rows


@router.get("/interviews/{interview_id}", response_model=schemas.ReportOut)
def get_interview(interview_id: Id, session: DbSession, principal: ApiUser) -> Any:
    interview = hr.view_report(session, principal, interview_id)
    sessions.refuse_if_erased(session, interview)
    return queries.report_out(queries.detail(session, interview))


@router.get(
    "/interviews/{interview_id}/translation",
    response_model=schemas.TranslationOut,
    responses={
        409: {"description": "no translator is configured (`translation_unavailable`)"},
        502: {"description": "the translation provider failed (`translation_failed`)"},
    },
)
def get_translation(
    interview_id: Id,
    session: DbSession,
    principal: ApiUser,
    to: Literal["zh", "en", "ja"] | None = None,
) -> Any:
    """The report's answers, highlights and evidence translated into ``to`` (default: the
    caller's language). Texts already in that language are left out."""
    interview = hr.view_report(session, principal, interview_id)
    sessions.refuse_if_erased(session, interview)
    found = reading.translate(queries.detail(session, interview), to or principal.language)
    if found is None:
        raise TranslationUnavailable()
    if found.error:
        raise TranslationFailed(params={"error": found.error})
    return schemas.TranslationOut(
        target=found.target,
        provider=found.provider,
        texts=[schemas.TranslatedText(original=o, translation=t) for o, t in found.texts.items()],
    )


@router.post("/interviews/{interview_id}/questions", status_code=201)
def push_question(
    interview_id: Id, data: schemas.PushQuestionIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    return hr.push_question(session, principal, interview_id, data)


api.create(
    "/interviews/{interview_id}/adjustments",
    hr.adjust_score,
    schemas.AdjustIn,
    name="adjust",
    model=schemas.AdjustmentOut,
)


@router.post("/interviews/{interview_id}/conclusion", response_model=schemas.InterviewOut)
def conclude(
    interview_id: Id, data: schemas.ConclusionIn, session: DbSession, principal: ApiUser
) -> Any:
    hr.conclude(session, principal, interview_id, data)
    interview = hr.view_report(session, principal, interview_id)
    return queries.report_out(queries.detail(session, interview)).interview


@router.post("/interviews/{interview_id}/retry-scoring", status_code=202)
def retry_scoring(interview_id: Id, session: DbSession, principal: ApiUser) -> dict[str, Any]:
    """Queue the scoring of a submitted interview that waits for its report (see
    ``waiting`` in the interview list: a worker was down, speech recognition missing)."""
    interview = hr.retry_scoring(session, principal, interview_id)
    return {"id": interview.id, "status": interview.status, "queued": True}


@router.get("/interview-questions", response_model=list[schemas.CandidateQuestionOut])
def candidate_questions(
    session: DbSession, principal: ApiUser, status: str | None = "forwarded"
) -> Any:
    return queries.forwarded_questions(session, principal, status=status)


api.post(
    "/interview-questions/{candidate_question_id}/answer",
    faq.answer_forwarded,
    schemas.HrAnswerIn,
    name="answer_candidate_question",
    model=schemas.CandidateQuestionOut,
    out=lambda row, *_context: schemas.CandidateQuestionOut.model_validate(row),
)
api.get("/interview-faqs", queries.faqs, name="list_faqs", model=list[schemas.FaqOut])
api.create("/interview-faqs", faq.save_faq, schemas.FaqIn, name="create_faq", model=schemas.FaqOut)
api.put(
    "/interview-faqs/{interview_faq_id}",
    lambda session, principal, faq_id, data: faq.save_faq(session, principal, data, faq_id),
    schemas.FaqIn,
    name="update_faq",
    model=schemas.FaqOut,
)
api.delete("/interview-faqs/{interview_faq_id}", faq.delete_faq)


# --------------------------------------------------------------------------- calibration (F4)


def _versions_out(rows: list[CompanyCalibration], *_context: Any) -> list[Any]:
    return [schemas.CalibrationVersionOut.of(row) for row in rows]


def _version_out(row: CompanyCalibration, *_context: Any) -> Any:
    return schemas.CalibrationVersionOut.of(row)


calibrations = ServiceRoutes(router, __name__, schemas.CalibrationVersionOut, out=_version_out)
calibrations.get(
    "/interview-calibrations",
    queries.calibrations,
    name="list_calibrations",
    model=list[schemas.CalibrationVersionOut],
    out=_versions_out,
    doc="The company's calibration versions, newest first, with agreement before and after.",
)
calibrations.create(
    "/interview-calibrations",
    lambda session, principal, data: calibration.fit_company_calibration(
        session, principal, method=data.method
    ),
    schemas.CalibrationFitIn,
    name="fit_calibration",
    doc="Fit a new version from the company's adjustments; it stays off until activated.",
)
VERSION = "/interview-calibrations/{interview_calibration_id}"
calibrations.get(VERSION, queries.calibration, name="get_calibration")
calibrations.post(
    f"{VERSION}/activate",
    partial(calibration.activate_calibration, active=True),
    name="activate_calibration",
    doc="Switch this version on (409 ``calibration_empty`` when it fitted no competency).",
)
calibrations.post(
    f"{VERSION}/deactivate",
    partial(calibration.activate_calibration, active=False),
    name="deactivate_calibration",
)
