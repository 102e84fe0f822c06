"""The AI interview's refusals: each an ``AppError`` with its status, code and message."""

from __future__ import annotations

from datetime import datetime

from hireflow.core.errors import N_, AppError, Conflict
from hireflow.interviews import state


class InterviewClosed(AppError):
    status = 409
    code = "interview_closed"
    message = N_("This interview was submitted. Answers can no longer be changed.")


class InterviewNotStarted(AppError):
    status = 409
    code = "not_started"
    message = N_("Please read the notice and give your consent before the first question.")


class DeadlinePassed(AppError):
    status = 410
    code = "deadline_passed"
    message = N_(
        "The deadline for this interview has passed, so answers are no longer accepted. "
        "Please contact the recruiter if you need more time."
    )


class TabSuperseded(AppError):
    status = 409
    code = "tab_superseded"
    message = N_(
        "This interview is open in another tab or window, which continues it. "
        "Use that one, or press “Continue here”."
    )


class TimeUp(AppError):
    status = 409
    code = "time_up"
    message = N_("The time for this question is over.")


class QuestionDone(AppError):
    status = 409
    code = "question_done"
    message = N_("This question is already answered.")


class NoRerecords(AppError):
    status = 409
    code = "no_rerecords"
    message = N_("You have used all re-recordings for this question.")


class UploadOffset(AppError):
    """A chunk at the wrong offset: the client resumes from ``received``."""

    status = 409
    code = "upload_offset"
    message = N_("Part of the recording is missing; the upload resumes from where it stopped.")

    def __init__(self, received: int) -> None:
        super().__init__(fields={"received": str(received)})
        self.received = received


class UploadsPending(AppError):
    status = 409
    code = "uploads_pending"
    message = N_("A recording is still being uploaded. Please wait until it is complete.")


class ReportErased(AppError):
    """The interview's report went with the person's personal data (an erasure request):
    gone for good, and said so with the date, never as a server error."""

    status = 410
    code = "erased"
    message = N_("This report was erased on request on %(date)s.")

    def __init__(self, erased_at: datetime) -> None:
        super().__init__(params={"date": erased_at.date().isoformat()})
        self.erased_at = erased_at


# Media refusals in the candidate's language (the media library's codes).
MEDIA_MESSAGES = {
    "empty": N_("The recording is empty. Please record again."),
    "too_large": N_("The recording is too large. Please record a shorter answer."),
    "not_media": N_("This file is not an audio or video recording."),
    "type_mismatch": N_("The recording's type does not match its content. Please record again."),
    "truncated": N_("The recording was cut off before anything could be played. Record again."),
    "damaged": N_("The recording is damaged. Please record again."),
    "no_audio": N_("The recording has no sound. Check your microphone and record again."),
    "no_video": N_("The recording has no picture. Check your camera and record again."),
    "too_long": N_("The recording is longer than allowed. Please record a shorter answer."),
}
WARNINGS = {
    "silent": N_(
        "We could not hear anything in this recording. Check your microphone and record "
        "again if you can, or continue."
    ),
    "truncated": N_(
        "The end of the recording was cut off; what was received is saved. Record again if you can."
    ),
}


class MediaRefused(AppError):
    status = 422
    code = "media_refused"

    def __init__(self, media_code: str) -> None:
        message = MEDIA_MESSAGES.get(media_code, MEDIA_MESSAGES["damaged"])
        super().__init__(message, code=f"media_{media_code}")
        self.media_code = media_code


def transition_error(exc: state.InvalidTransition) -> AppError:
    if exc.state in (state.State.INVITED, state.State.VERIFIED):
        return InterviewNotStarted()
    if exc.state in (state.State.SUBMITTED, state.State.SCORED, state.State.REVIEWED):
        return InterviewClosed()
    return Conflict(N_("This interview is not in a state that allows this."))


class ScoringInProgress(AppError):
    status = 409
    code = "scoring_in_progress"
    message = N_("The interview is being scored right now; the report appears shortly.")


class CalibrationEmpty(AppError):
    status = 409
    code = "calibration_empty"
    message = N_(
        "This calibration version has no fitted competency (each needs at least %(needed)s "
        "adjustments), so switching it on would change no score. Collect more adjustments "
        "and fit a new version."
    )


class ScorecardFirst(AppError):
    """Blind scorecards: a panel interviewer rates the candidate before seeing the AI (F6)."""

    status = 403
    code = "scorecard_first"
    message = N_(
        "Submit your scorecard for this candidate first: until then the AI's scores stay "
        "hidden from you, so that your rating is your own."
    )


class TranslationUnavailable(AppError):
    status = 409
    code = "translation_unavailable"
    message = N_(
        "No translator is configured. IT can set one up (HIREFLOW_TRANSLATOR, see "
        "docs/translation.md); the original answers are shown meanwhile."
    )


class TranslationFailed(AppError):
    status = 502
    code = "translation_failed"
    message = N_("The translation service did not answer (%(error)s). The originals are unchanged.")
