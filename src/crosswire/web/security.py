"""The server's guards: the operator's tokens, request body limits, security
headers, and logs without tokens.

Token rule (docs/security.md): three tokens, each opening only its own door.

- the **write token** (`--token` / CROSSWIRE_TOKEN) adds articles, and reads;
  with none configured, writes are refused outright;
- the **read token** (`--read-token` / CROSSWIRE_READ_TOKEN) reads, never
  writes. Reads are open unless a read token is set or `--read-token-required`
  (then the write token is the only key);
- the **feed token** (`--feed-token` / CROSSWIRE_FEED_TOKEN) opens the
  calendar feed and nothing else. It is the only token accepted in a query
  string (`?token=`), because calendar clients cannot send headers.

Tokens come as `Authorization: Bearer TOKEN` or `X-Crosswire-Token`; for reads
also the HttpOnly `crosswire_token` cookie the web login sets. Writes never
read the cookie or the query. A request without a token gets 401, a wrong
token 403. Access logs show `token=***` for any query token.
"""
from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any, Optional

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..sanitize import redact_query_tokens

TOKEN_COOKIE = "crosswire_token"
TOKEN_HEADER = "x-crosswire-token"
FEED_QUERY = "token"
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn")  # whose records may carry a request target

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


@dataclass(frozen=True)
class Tokens:
    """The operator's tokens (None: not set). See the module docstring."""

    write: Optional[str] = None
    read: Optional[str] = None
    feed: Optional[str] = None
    read_required: bool = False  # reads need a token even without a read token (the write token then)

    def __post_init__(self) -> None:
        if self.read_required and not (self.read or self.write):
            raise ValueError("reads that need a token need one to be set: give --read-token "
                             "(or CROSSWIRE_READ_TOKEN), or --token")

    @property
    def reads_closed(self) -> bool:
        return bool(self.read or self.read_required)

    def readers(self) -> tuple[str, ...]:
        """The tokens that open reads."""
        return tuple(t for t in (self.read, self.write) if t)


def header_token(request: Request) -> Optional[str]:
    """The token a request carries in its headers."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if request.headers.get(TOKEN_HEADER):
        return request.headers[TOKEN_HEADER].strip()
    return None


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def matches_any(given: str, expected: tuple[str, ...]) -> bool:
    return any([token_matches(given, token) for token in expected])  # a list: no early exit, same time


def check_write(request: Request, tokens: Tokens) -> None:
    if not tokens.write:
        raise AuthError(403, "writes are disabled: start `crosswire serve` with --token or CROSSWIRE_TOKEN")
    _check(header_token(request), (tokens.write,))


def check_read(request: Request, tokens: Tokens) -> None:
    if tokens.reads_closed:
        _check(header_token(request) or request.cookies.get(TOKEN_COOKIE), tokens.readers())


def check_feed(request: Request, tokens: Tokens) -> None:
    """The calendar feed: its own token in the query string, or any read access."""
    given = request.query_params.get(FEED_QUERY)
    if given is not None and tokens.feed:
        _check(given, (tokens.feed,))
        return
    check_read(request, tokens)


def _check(given: Optional[str], expected: tuple[str, ...]) -> None:
    if not given:
        raise AuthError(401, "a token is required: send 'Authorization: Bearer TOKEN' or 'X-Crosswire-Token'")
    if not matches_any(given, expected):
        raise AuthError(403, "the token is not valid")


class RedactTokens(logging.Filter):
    """Hide query-string tokens in log records (uvicorn's access log writes
    the whole request target)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_query_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_tokens_in_logs() -> None:
    """Install RedactTokens on the server's loggers (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


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
