"""The web desk: server-rendered pages over the same view models as the API.
Every value reaches the page through an autoescaping Jinja2 template."""
from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..records import PLOVER_TYPES, STATUSES
from . import maps, views
from .api import MAX_OFFSET, EventFilters, require_read
from .security import TOKEN_COOKIE, matches_any

router = APIRouter(include_in_schema=False)
guarded = APIRouter(include_in_schema=False, dependencies=[Depends(require_read)])

NAV: tuple[tuple[str, str], ...] = (("/", "Stories"), ("/events", "Events"), ("/actors", "Actors"),
                                    ("/search", "Search"), ("/upload", "Upload"))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    config = request.app.state.config
    page = request.app.state.templates.get_template(template)
    html = page.render(request=request, nav=NAV, path=request.url.path, writable=config.writable,
                       statuses=STATUSES, plover_types=PLOVER_TYPES, **context)
    return HTMLResponse(html, status_code=status_code)


def store_of(request: Request):
    return request.app.state.store


@guarded.get("/", response_class=HTMLResponse)
def stories_page(request: Request) -> HTMLResponse:
    store = store_of(request)
    stories = [views.story_summary(store, s) for s in store.stories()]
    stories.sort(key=lambda s: (-s["n_events"], -s["n_articles"], s["title"]))
    return render(request, "stories.html", stories=stories, counts=store.counts())


@guarded.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> HTMLResponse:
    story = store_of(request).story(story_id)
    if story is None:
        raise HTTPException(404, f"no story {story_id!r}")
    detail = views.story_detail(store_of(request), story)
    return render(request, "story.html", map=maps.event_map(detail["timeline"]), **detail)


@guarded.get("/events", response_class=HTMLResponse)
def events_page(request: Request, filters: EventFilters = Depends(),
                limit: int = Query(200, ge=1, le=5000),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> HTMLResponse:
    events = [views.event_summary(e) for e in store_of(request).events(**filters.values, limit=limit, offset=offset)]
    query = filters.query()
    outlets = store_of(request).outlets()
    return render(request, "events.html", events=events, map=maps.event_map(events), filters=filters.values,
                  query=urlencode(query), bbox=query.get("bbox"), outlets=outlets, limit=limit, offset=offset)


@guarded.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str) -> HTMLResponse:
    event = store_of(request).event(event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id!r}")
    detail = views.event_detail(store_of(request), event)
    return render(request, "event.html", map=maps.event_map([detail["summary"]]), **detail)


@guarded.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request) -> HTMLResponse:
    return render(request, "actors.html", actors=store_of(request).actors())


@guarded.get("/actors/{key}", response_class=HTMLResponse)
def actor_page(request: Request, key: str) -> HTMLResponse:
    detail = views.actor_detail(store_of(request), key)
    if not detail["events"] and not detail["quotes"]:
        raise HTTPException(404, f"no actor {key!r}")
    return render(request, "actor.html", **detail)


@guarded.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    article = store_of(request).article(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return render(request, "article.html", **views.article_detail(store_of(request), article))


@guarded.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Optional[str] = Query(None, max_length=200)) -> HTMLResponse:
    hits = views.search_hits(store_of(request).search_articles(q), q) if q else []
    return render(request, "search.html", q=q or "", hits=hits)


@guarded.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    config = request.app.state.config
    return render(request, "upload.html", max_body=config.max_body_bytes, max_items=config.max_items)


# ------------------------------------------------------------------ login
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", failed=False)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, token: str = Form(..., max_length=500)):
    """Read access for browsers when reads need a token: keep it in an
    HttpOnly, same-site cookie (writes never accept the cookie)."""
    readers = request.app.state.config.tokens.readers()
    if not readers or not matches_any(token, readers):
        return render(request, "login.html", status_code=403, failed=True)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
    return response


router.include_router(guarded)
