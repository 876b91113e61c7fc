"""api.middleware — pure ASGI middleware: the request-body limit (413) and security headers."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas import Problem


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 (Content-Length or streamed);
    `path_limits` sets a smaller limit for some paths (the write endpoints)."""

    def __init__(self, app: ASGIApp, limit: int, path_limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_limit = limit
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope.get("path", ""), self.default_limit)
        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = size = int(value)
                except ValueError:
                    size = 0
                if size > limit:
                    await self._reject(send, size, limit)
                    return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            # a streamed body (no Content-Length): read it here, up to the limit, so the
            # client gets 413 (raised inside the app, a JSON route would turn it into 400)
            buffered: list[Message] = []
            total = 0
            while True:
                message = await receive()
                buffered.append(message)
                if message["type"] != "http.request":
                    break
                total += len(message.get("body", b""))
                if total > limit:
                    await self._reject(send, total, limit)
                    return
                if not message.get("more_body", False):
                    break

            async def replay() -> Message:
                return buffered.pop(0) if buffered else await receive()

            await self.app(scope, replay, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(f"request body over {limit} bytes ({self._var(limit)})")
            return message

        await self.app(scope, limited, send)

    def _var(self, limit: int) -> str:
        return "A2P_MAX_BODY_BYTES" if limit == self.default_limit else "A2P_MAX_WRITE_BODY_BYTES"

    async def _reject(self, send: Send, size: int, limit: int) -> None:
        body = Problem(
            status=413,
            title="request too large",
            detail=f"request body of {size} bytes or more is over the limit of {limit} bytes "
            f"({self._var(limit)})",
        ).model_dump_json().encode()
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """nosniff and same-origin referrer on every response."""

    HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + self.HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
