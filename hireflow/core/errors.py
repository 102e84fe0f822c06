"""Errors that carry a stable code, an HTTP status and a translatable message.

The message is an English gettext msgid with ``%(name)s`` parameters; it is translated when
rendered, in the language of whoever sees it, so services stay free of request state.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a string for extraction into the catalogues without translating it yet."""
    return message


class AppError(Exception):
    """Base class of every error the product reports to a person or an API client."""

    status = 400
    code = "bad_request"
    message = N_("The request could not be processed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.params = params or {}
        self.fields = fields or {}
        super().__init__(self.message % self.params if self.params else self.message)

    def translated(self, gettext: Any) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = N_("The page or object you asked for does not exist.")


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = N_("Your role does not allow this.")


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = N_("Please sign in.")


class ValidationFailed(AppError):
    status = 422
    code = "invalid"
    message = N_("Some fields are not valid.")


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = N_("This conflicts with existing data.")


class TooLarge(AppError):
    status = 413
    code = "too_large"
    message = N_("The request is too large (limit %(limit)s).")


class TooManyAttempts(AppError):
    status = 429
    code = "too_many_attempts"
    message = N_("Too many attempts. Try again in %(seconds)s seconds.")


class CsrfFailed(AppError):
    status = 403
    code = "csrf_failed"
    message = N_("Your form expired or was sent from another site. Reload the page and try again.")


class BilingualError(ValueError):
    """An error of a pure library: a stable ``code`` for programs, zh/en text for people.

    Subclasses set ``MESSAGES = {code: (english, chinese)}`` with ``str.format`` fields.
    ``str(error)`` carries the code and both languages so that logs stay readable.
    """

    MESSAGES: dict[str, tuple[str, str]] = {}  # noqa: RUF012 - read-only, set per subclass

    def __init__(self, code: str, **params: object) -> None:
        en, zh = self.MESSAGES.get(code, (code, code))
        self.code = code
        self.params = dict(params)
        self.message_en = en.format(**params)
        self.message_zh = zh.format(**params)
        super().__init__(f"[{code}] {self.message_en} / {self.message_zh}")

    def message(self, language: str = "en") -> str:
        """The message in ``language`` (Chinese for any ``zh*`` tag, English otherwise)."""
        return self.message_zh if language.lower().startswith("zh") else self.message_en
