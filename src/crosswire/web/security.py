"""The server's guards: the operator's token, request body limits, and
security headers.

Token rule: writes always need the token the operator started the server
with (`--token` / CROSSWIRE_TOKEN); with no token configured, writes are
refused outright. Reads are open unless the server was started with
`read_token_required`. A request without a token gets 401, a wrong token 403.
The token may come as `Authorization: Bearer TOKEN`, `X-Crosswire-Token`,
and, for reads only, the `crosswire_token` cookie the web login sets or a
`token` query parameter (for calendar clients that cannot send headers).
"""
from __future__ import annotations

import hmac
import json
from typing import Any, Optional

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "crosswire_token"
TOKEN_HEADER = "x-crosswire-token"

# Content-Security-Policy: no inline scripts, no third-party anything. Even if
# some text escaped the templates, the browser would refuse to run it.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class AuthError(Exception):
    """401 (no token) or 403 (wrong token / writes disabled), answered as JSON or a page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def presented_token(request: Request, allow_query: bool, allow_cookie: bool) -> Optional[str]:
    """The token a request carries. Writes never read the cookie or the query
    (so another site cannot make a browser write with it)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if request.headers.get(TOKEN_HEADER):
        return request.headers[TOKEN_HEADER].strip()
    if allow_cookie and request.cookies.get(TOKEN_COOKIE):
        return request.cookies[TOKEN_COOKIE]
    if allow_query and request.query_params.get("token"):
        return request.query_params["token"]
    return None


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def check_write(request: Request, token: Optional[str]) -> None:
    if not token:
        raise AuthError(403, "writes are disabled: start `crosswire serve` with --token or CROSSWIRE_TOKEN")
    _check(request, token, allow_query=False, allow_cookie=False)


def check_read(request: Request, token: Optional[str], required: bool) -> None:
    if required and token:
        _check(request, token, allow_query=True, allow_cookie=True)


def _check(request: Request, token: str, allow_query: bool, allow_cookie: bool) -> None:
    given = presented_token(request, allow_query, allow_cookie)
    if given is None:
        raise AuthError(401, "a token is required: send 'Authorization: Bearer TOKEN' or 'X-Crosswire-Token'")
    if not token_matches(given, token):
        raise AuthError(403, "the token is not valid")


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413 and a JSON error,
    by Content-Length up front and by counting streamed (chunked) bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": f"request body too large (limit {self.max_bytes} bytes)",
                           "limit": self.max_bytes}).encode("utf-8")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode("ascii"))]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Add SECURITY_HEADERS to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers") or []) + self.headers
            await send(message)
        await self.app(scope, receive, with_headers)


def error_body(message: str, **extra: Any) -> dict[str, Any]:
    return {"error": message, **extra}
