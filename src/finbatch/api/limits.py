"""Request body size limit (413), rendered in the error shape of the API surface that owns the path.

A declared ``Content-Length`` over the limit is refused before the application runs; a body
streamed without one is counted as it arrives. (Starlette's own limiter answers in plain text,
which would break every dialect's error contract.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finbatch.kit.errors import FinbatchError, PayloadTooLarge

Reject = Callable[[Scope, Receive, Send, FinbatchError], Awaitable[None]]


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: FastAPI lets ``HTTPException``s through its body parsing (other
    errors there become a generic 400), so the error handler renders it as a 413."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="the request body exceeds the size limit")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, reject: Reject) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self.reject(scope, receive, send, PayloadTooLarge(
                    f"the request body exceeds the limit of {self.max_bytes} bytes"))
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)
