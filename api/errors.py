"""api.errors — every failure becomes a Problem JSON (or a small HTML page for browsers);
never a stack trace."""

from __future__ import annotations

import html
import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.middleware import BodyTooLargeError
from api.schemas import FieldError, Problem
from api.services.annotations import NotFoundError, RefusedError
from api.services.sparql import SparqlError
from api.services.tables import NotReadyError
from kg.store import QueryError, StoreError

log = logging.getLogger("a2p.api")

TITLES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    406: "not acceptable",
    413: "request too large",
    415: "unsupported media type",
    422: "invalid request",
    500: "internal error",
    503: "service unavailable",
}


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and request.method == "GET"


def problem(
    request: Request,
    status: int,
    detail: str = "",
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    p = Problem(status=status, title=title or TITLES.get(status, "error"), detail=detail,
                errors=errors or [])
    if _wants_html(request):
        body = (
            "<!doctype html><meta charset=utf-8>"
            f"<title>{html.escape(p.title)}</title><link rel=stylesheet href=/static/style.css>"
            f"<main class=page><h1>{status} — {html.escape(p.title)}</h1>"
            f"<p>{html.escape(detail)}</p><p><a href=/>assess2plan home</a></p></main>"
        )
        return HTMLResponse(body, status_code=status, headers=headers)
    return JSONResponse(p.model_dump(), status_code=status, headers=headers,
                        media_type="application/problem+json")


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for e in exc.errors():
        msg = str(e.get("msg", ""))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        out.append(FieldError(field=_loc(e.get("loc", ())), message=msg, type=str(e.get("type", ""))))
    return out


TOO_LARGE = {"string_too_long", "too_long", "bytes_too_long"}


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _field_errors(exc)
        status = 413 if any(e.type in TOO_LARGE for e in errors) else 422
        if status == 413:
            errors = [e for e in errors if e.type in TOO_LARGE]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem(request, status, detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return problem(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(SparqlError)
    async def sparql_problem(request: Request, exc: SparqlError) -> Response:
        return problem(request, exc.status, exc.detail, title=exc.title)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return problem(request, 404, str(exc))

    @app.exception_handler(RefusedError)
    async def refused(request: Request, exc: RefusedError) -> Response:
        return problem(request, 422, str(exc))

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        return problem(request, 400, str(exc), title="malformed query")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        msg = str(exc)
        if "read-only" in msg:
            return problem(request, 403, msg, title="store is read-only")
        log.error("store error: %s", msg)
        return problem(request, 503, "the graph store failed; see the server log",
                       title="store error")

    @app.exception_handler(NotReadyError)
    async def not_ready(request: Request, exc: NotReadyError) -> Response:
        return problem(request, 503, str(exc), title="not ready yet",
                       headers={"Retry-After": "30"})

    @app.exception_handler(BodyTooLargeError)
    async def too_large(request: Request, exc: BodyTooLargeError) -> Response:
        return problem(request, 413, str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        ref = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", ref, request.method, request.url.path)
        return problem(request, 500, f"an internal error occurred (reference {ref}); "
                       "it has been logged")
