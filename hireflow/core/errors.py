"""Errors that carry a stable code, an HTTP status and a translatable message.

The message is an English gettext msgid with ``%(name)s`` parameters; it is translated when
rendered, in the language of whoever sees it, so services stay free of request state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hireflow.core.i18n import gettext_for


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


# A BilingualError table: code -> msgid (or a legacy (english, chinese) pair)
Messages = Mapping[str, str | tuple[str, str]]


class BilingualError(ValueError):
    """An error of a library layer: a stable ``code`` for programs, zh/en text for people.

    Subclasses set ``MESSAGES = {code: N_("English text with %(field)s")}``, the mechanism
    of every ``AppError`` message: the English text is the gettext msgid and the catalogues
    hold its Chinese (and Japanese), so each error is one msgid in code and one translation
    per language in the catalogue. ``str(error)`` carries the code and both languages so
    that logs stay readable.

    A legacy table entry ``(english, chinese)`` with ``str.format`` fields still works; new
    messages use msgids.
    """

    MESSAGES: Messages = {}  # noqa: RUF012 - read-only, per subclass

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = dict(params)
        super().__init__(code)

    def message(self, language: str = "en") -> str:
        """The message in ``language`` (Chinese for any ``zh*`` tag, English otherwise)."""
        chinese = language.lower().startswith("zh")
        entry = self.MESSAGES.get(self.code, self.code)
        if isinstance(entry, tuple):
            return entry[1 if chinese else 0].format(**self.params)
        text = gettext_for("zh-CN" if chinese else "en")(entry)
        return text % self.params if self.params else text

    @property
    def message_en(self) -> str:
        return self.message("en")

    @property
    def message_zh(self) -> str:
        return self.message("zh-CN")

    def __str__(self) -> str:
        return f"[{self.code}] {self.message_en} / {self.message_zh}"
