"""The refusals of live rooms."""

from __future__ import annotations

from hireflow.core.errors import N_, AppError


class ConsentRequired(AppError):
    """Audio before every participant agreed on screen: refused, and the refusal audited."""

    status = 409
    code = "consent_required"
    message = N_("Nothing is recorded or transcribed until every participant has agreed on screen.")


class RoomEnded(AppError):
    status = 409
    code = "room_ended"
    message = N_("This interview room has ended.")


class ChunkRefused(AppError):
    """An audio chunk that is too large, too long, empty or not audio."""

    status = 422
    code = "chunk_refused"
    message = N_("This audio could not be used: %(reason)s")


class ChunkTooLarge(ChunkRefused):
    status = 413
    code = "chunk_too_large"
    message = N_("An audio chunk may be at most %(limit)s.")


class ChunkWrongType(ChunkRefused):
    status = 415
    code = "chunk_wrong_type"
    message = N_("Only WebM, Ogg or WAV audio is accepted.")
