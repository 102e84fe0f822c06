"""JSON routes whose whole work is one service call, declared in one line each.

Most ``/api/v1`` operations take the ids in their path, perhaps a body, the request's session
and principal, and hand them all to a service that checks the role and scope, does the work and
answers the row (or raises ``AppError``, which ``web.errors`` turns into the error body). Written
out, every such route is the same seven lines with other names; ``ServiceRoutes`` writes them.

The endpoint it builds is an ordinary FastAPI endpoint: the path ids (``Id``, in the order of the
path), then ``data`` when there is a body, then ``session``, ``principal`` and, if asked for,
``settings``. It carries the route's ``name`` (hence the OpenAPI ``operationId`` and summary;
the service's own name unless given) and its ``doc`` (the operation's description), so the API
description reads as it would were the function written out.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from hireflow.core.permissions import Principal
from hireflow.web.deps import ApiUser, AppSettings, DbSession, Id

_PATH_PARAMETER = re.compile(r"{(\w+)}")
_KEYWORD = inspect.Parameter.KEYWORD_ONLY
_GROUP = object()  # a route's ``out`` when it has none of its own


def _parameter(name: str, annotation: Any) -> inspect.Parameter:
    return inspect.Parameter(name, _KEYWORD, annotation=annotation)


class ServiceRoutes:
    """Declares ``router``'s routes that call ``call(session, principal, *path ids[, data])``.

    ``module`` is the declaring module's ``__name__``: the endpoints are named as its own.
    ``model`` is the response model of every route unless one says otherwise; ``out``, when
    given, turns what the service answered into what the route answers (it is passed the
    session and the principal too, for answers that read more rows or speak the caller's
    language).
    """

    def __init__(
        self,
        router: APIRouter,
        module: str,
        model: Any = None,
        out: Callable[[Any, Session, Principal], Any] | None = None,
    ) -> None:
        self.router = router
        self.module = module  # the routes module, named as the endpoints' home
        self.model = model
        self.out = out

    def route(
        self,
        method: str,
        path: str,
        call: Callable[..., Any],
        *,
        name: str = "",
        body: Any = None,
        model: Any = None,
        status_code: int | None = None,
        doc: str | None = None,
        out: Any = _GROUP,
        settings: bool = False,
    ) -> None:
        """Add one route; its own ``out`` (``None``: the service's answer as it is) replaces the
        group's; with ``settings`` the service gets the settings after its other arguments."""
        ids = _PATH_PARAMETER.findall(path)
        name = name or call.__name__
        if out is _GROUP:
            out = self.out

        def endpoint(**kwargs: Any) -> Any:
            session = kwargs["session"]
            args = [kwargs[i] for i in ids]
            if body is not None:
                args.append(kwargs["data"])
            if settings:
                args.append(kwargs["settings"])
            result = call(session, kwargs["principal"], *args)
            if status_code == 204:
                return Response(status_code=204)
            return out(result, session, kwargs["principal"]) if out is not None else result

        parameters = [_parameter(i, Id) for i in ids]
        if body is not None:
            parameters.append(_parameter("data", body))
        parameters += [_parameter("session", DbSession), _parameter("principal", ApiUser)]
        if settings:
            parameters.append(_parameter("settings", AppSettings))
        endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        endpoint.__name__ = endpoint.__qualname__ = name
        endpoint.__module__ = self.module
        endpoint.__doc__ = doc
        extra: dict[str, Any] = {"status_code": status_code} if status_code else {}
        if status_code != 204:
            extra["response_model"] = model if model is not None else self.model
        self.router.add_api_route(path, endpoint, methods=[method], name=name, **extra)

    def get(self, path: str, call: Callable[..., Any], **options: Any) -> None:
        self.route("GET", path, call, **options)

    def post(self, path: str, call: Callable[..., Any], body: Any = None, **options: Any) -> None:
        self.route("POST", path, call, body=body, **options)

    def put(self, path: str, call: Callable[..., Any], body: Any = None, **options: Any) -> None:
        self.route("PUT", path, call, body=body, **options)

    def patch(self, path: str, call: Callable[..., Any], body: Any = None, **options: Any) -> None:
        self.route("PATCH", path, call, body=body, **options)

    def create(self, path: str, call: Callable[..., Any], body: Any = None, **options: Any) -> None:
        """A POST that answers 201 Created."""
        self.route("POST", path, call, body=body, status_code=201, **options)

    def delete(self, path: str, call: Callable[..., Any], **options: Any) -> None:
        """A 204 route: the service's answer is dropped."""
        self.route("DELETE", path, call, status_code=204, **options)
