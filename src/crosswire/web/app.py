"""The FastAPI application: REST API under /api, the web desk at /, both thin
shells over the store and the runner. `create_app` builds it; `serve` runs
it with uvicorn (the CLI's `crosswire serve`)."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..config import Settings
from ..sanitize import redact_url
from ..store import AmbiguousId, open_store
from .jobs import JobQueue, LockedStore, QueueFull
from .security import (AuthError, BodyLimitMiddleware, SecurityHeadersMiddleware, Tokens, error_body,
                       redact_tokens_in_logs)

WEB_DIR = Path(__file__).resolve().parent
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024  # uploads of a few hundred articles; more goes through `crosswire run`


@dataclass
class WebConfig:
    db: str
    tokens: Tokens
    max_body_bytes: int
    max_items: int  # articles per POST
    public_url: Optional[str] = None  # the desk's address as its users reach it, for links in feeds

    @property
    def writable(self) -> bool:
        return bool(self.tokens.write)


def templates_env() -> jinja2.Environment:
    """Jinja2 with autoescaping on for every template: article text is untrusted."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(WEB_DIR / "templates")), autoescape=True,
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["http_url"] = http_url
    return env


def http_url(value: object) -> Optional[str]:
    """A link target only when it is an http(s) URL: article URLs are
    untrusted and `javascript:` links must never reach an href."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def create_app(db: str, token: Optional[str] = None, read_token_required: bool = False,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, max_items: int = 1000,
               settings: Optional[Settings] = None, read_token: Optional[str] = None,
               feed_token: Optional[str] = None, public_url: Optional[str] = None) -> FastAPI:
    """The API and the web desk on the store at `db` (a DuckDB file or a
    postgresql:// URL). `token` guards writes (with none, the server is
    read-only); `read_token` (or `read_token_required`) closes reads;
    `feed_token` opens the calendar feed alone (security.py). `public_url`
    (https://desk.example.org) is used for links in the calendar feed, which
    otherwise has none: the request's Host header is never trusted for them.
    Every registered renderer (outputs/renderers.py) gets its export route."""
    from .api import export_router
    from .api import router as api_router
    from .pages import router as pages_router

    tokens = Tokens(write=token or None, read=read_token or None, feed=feed_token or None,
                    read_required=read_token_required)
    redact_tokens_in_logs()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.jobs.shutdown()
        app.state.store.close()

    app = FastAPI(title="crosswire", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="News events, deduplicated and evidenced: REST API of the crosswire store. "
                              "Writes need the operator's token (Authorization: Bearer TOKEN or "
                              "X-Crosswire-Token); errors are JSON objects with an `error` message.")
    app.state.config = WebConfig(db=db, tokens=tokens, max_body_bytes=max_body_bytes, max_items=max_items,
                                 public_url=(public_url or "").rstrip("/") or None)
    app.state.settings = settings or Settings.load(db=db, progress=False)
    app.state.store = LockedStore(open_store(db))
    app.state.jobs = JobQueue(app.state.store, app.state.settings)
    app.state.templates = templates_env()

    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.include_router(api_router)
    app.include_router(export_router())
    app.include_router(pages_router)
    _install_error_handlers(app)
    return app


def wants_json(request: Request) -> bool:
    """API paths (and clients asking for JSON) get JSON errors; pages get HTML."""
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, message: str, **extra) -> JSONResponse | HTMLResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if wants_json(request):
        return JSONResponse(error_body(message, **extra), status_code=status, headers=headers)
    template = request.app.state.templates.get_template("error.html")
    html = template.render(request=request, status=status, message=message,
                           login=status in (401, 403) and request.app.state.config.tokens.reads_closed)
    return HTMLResponse(html, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError):
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(AmbiguousId)
    async def _ambiguous(request: Request, exc: AmbiguousId):
        return error_response(request, 400, str(exc))

    @app.exception_handler(QueueFull)
    async def _busy(request: Request, exc: QueueFull):
        response = error_response(request, 503, str(exc))
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        if exc.status_code == 405:
            message = f"method {request.method} not allowed on {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(request, 400, "malformed JSON in the request body")
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                   for e in errors]
        first = details[0] if details else {"where": "", "problem": "invalid request"}
        return error_response(request, 422, f"invalid {first['where']}: {first['problem']}", details=details)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        return error_response(request, 500, f"internal error ({exc.__class__.__name__})")


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, token: Optional[str] = None,
          read_token_required: bool = False, read_token: Optional[str] = None, feed_token: Optional[str] = None,
          public_url: Optional[str] = None) -> None:
    """Run the API and the web desk with uvicorn until interrupted. The
    startup line names the store without its password and no token."""
    import uvicorn

    app = create_app(db, token=token, read_token_required=read_token_required, read_token=read_token,
                     feed_token=feed_token, public_url=public_url)
    tokens = app.state.config.tokens
    mode = "writes need the write token" if token else "read-only (no --token given)"
    mode += "; reads need a token" if tokens.reads_closed else "; reads are open"
    print(f"crosswire serving {redact_url(db)} on http://{host}:{port}/ — {mode}; "
          "API at /api, OpenAPI at /openapi.json", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info")
