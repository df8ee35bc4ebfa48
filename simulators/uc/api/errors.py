"""The UC API's errors: one JSON shape for every refusal, and messages that name the fix.

`ApiError` is what a route raises; `install_error_handlers` turns it, FastAPI's validation
errors (422, naming each field and what to do, with "did you mean" for unknown fields) and
Starlette's routing errors (404, 405 with the right Allow header) into an `ErrorBody`.
`HttpsOnly` refuses every /api/ request that did not arrive over TLS; `known_query_only`
refuses query parameters a route does not know (422, "did you mean"), as unknown body fields
are; `read_body` reads an upload up to a limit (413 beyond).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators import yamlcheck

from ..rules.verdict import Verdict
from . import models as m


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        violations: Sequence[str] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.violations = list(violations)
        self.headers = headers or {}

    @classmethod
    def refused(cls, status: int, code: str, verdict: Verdict) -> ApiError:
        return cls(status, code, verdict.message, verdict.codes)


def refuse_unless(verdict: Verdict, status: int, code: str) -> None:
    """Raise the verdict's refusal (`status`, `code`, its message and codes) unless it holds."""
    if not verdict.ok:
        raise ApiError.refused(status, code, verdict)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {
        400: "the request breaks a rule; the message says which",
        401: "not logged in, or wrong credentials",
        403: "not allowed (e.g. not over https, missing licence, wrong old password)",
        404: "no such user, contact, favorites group or picture",
        409: "conflicts with the current state (e.g. preassigned PIN not changed yet, personal contacts full)",
        413: "the upload is larger than the lab accepts",
        422: "the request is malformed; the message names the field and the fix",
        429: "too many failed logins from this address or for this user; Retry-After says when to try again",
        503: "the call core did not answer (call_core_unreachable) or could not do it; try again",
    }
    return {c: {"model": m.ErrorBody, "description": words[c]} for c in (403, *codes)}


REQUEST_FIELDS = yamlcheck.field_names(
    [
        m.LoginRequest,
        m.AdminLoginRequest,
        m.PasswordChange,
        m.PresenceUpdate,
        m.VisibilityUpdate,
        m.PinChange,
        m.PreassignedPinChange,
        m.VoipEnable,
        m.RegistrationClaim,
        m.RegistrationRelease,
        m.ContactData,
        m.OwnContactChange,
        m.GroupName,
        m.FavoriteAdd,
    ]
)


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The raw request body, refused with 413 beyond `limit` bytes (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(what, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, limit: int) -> ApiError:
    return ApiError(
        413,
        "upload_too_large",
        f"{what[0].upper()}{what[1:]} is larger than {limit // 1024 // 1024} MB; upload a smaller one.",
    )


def _validation_message(exc: RequestValidationError) -> tuple[str, list[str]]:
    parts, fields = [], []
    for err in exc.errors():
        loc = yamlcheck.clean_loc(err.get("loc", ()))
        where = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
        if err.get("type") == "missing" and tuple(loc) == ("body",):
            parts.append("send a JSON object in the request body")
            fields.append("body")
            continue
        text = yamlcheck.describe(dict(err), REQUEST_FIELDS, "see the OpenAPI spec at /openapi.json")
        if err.get("type") == "json_invalid":
            fields.append("body")
            parts.append(text)
            continue
        name = ".".join(where) or "body"
        fields.append(name)
        parts.append(f"{name}: {text}")
    return "Invalid request: " + "; ".join(parts) + ".", fields


def _query_names(dependant: Dependant) -> set[str]:
    names = {f.alias for f in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_query_only(request: Request) -> None:
    """An app-wide dependency: a query parameter the route does not know is a 422 (a typo gets
    "did you mean"), as unknown body fields are."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _query_names(route.dependant)
    unknown = [k for k in dict.fromkeys(request.query_params) if k not in allowed]
    if not unknown:
        return
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(allowed), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(sorted(allowed)) or 'none'}"
        parts.append(f"unknown query parameter {name!r}; {hint}")
    raise ApiError(422, "invalid_request", "Invalid request: " + "; ".join(parts) + ".", unknown)


class HttpsOnly:
    """Refuse every /api/ request that did not arrive over TLS (scope["scheme"] != "https")."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/api/") and scope.get("scheme") != "https":
            body = m.ErrorBody(
                error="https_required",
                message="The UC API only answers over an encrypted connection; connect with https:// "
                "(e.g. https://<system>:8802).",
            )
            await JSONResponse(body.model_dump(), status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    def body(code: str, message: str, violations: Sequence[str] = ()) -> dict[str, Any]:
        return m.ErrorBody(error=code, message=message, violations=list(violations)).model_dump()

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse(body(exc.code, exc.message, exc.violations), status_code=exc.status, headers=exc.headers)

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        message, fields = _validation_message(exc)
        return JSONResponse(body("invalid_request", message, fields), status_code=422)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:  # FastAPI could not decode the body at all (e.g. not UTF-8)
            return JSONResponse(
                body(
                    "invalid_request",
                    "Invalid request: the body could not be read; send a JSON object encoded as UTF-8.",
                    ["body"],
                ),
                status_code=422,
            )
        headers = dict(getattr(exc, "headers", None) or {})
        path = request.url.path
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"There is no {path}; see /openapi.json for the UC API."
        elif exc.status_code == 405:
            # Starlette names only the first matching route's methods; a path may have several routes
            allowed = sorted(
                {
                    method
                    for route in request.app.router.routes
                    if isinstance(route, APIRoute) and route.path_regex.match(path)
                    for method in route.methods or ()
                }
            )
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed on {path}; use {' or '.join(allowed)}."
        return JSONResponse(
            body("not_found" if exc.status_code == 404 else "http_error", message),
            status_code=exc.status_code,
            headers=headers or None,
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
