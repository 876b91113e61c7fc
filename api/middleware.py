"""api.middleware — pure ASGI middleware: the request-body limit (413) and security headers."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas import Problem


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 (Content-Length or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = 0
                if size > self.limit:
                    await self._reject(scope, send, size)
                    return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLargeError(
                        f"request body over {self.limit} bytes (A2P_MAX_BODY_BYTES)"
                    )
            return message

        await self.app(scope, limited, send)

    async def _reject(self, scope: Scope, send: Send, size: int) -> None:
        body = Problem(
            status=413,
            title="request too large",
            detail=f"request body of {size} bytes is over the limit of {self.limit} bytes "
            "(A2P_MAX_BODY_BYTES)",
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
