"""REST API under /api: list, filter and get articles, events, quotes,
stories and actors; add articles (token); follow upload jobs; export."""
from __future__ import annotations

import json
from typing import Any, Callable, Optional, Union

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator

from ..ingest import article_from_fields
from ..ingest.article import article_or_rejection
from ..ingest.dates import normalise_date
from ..ingest.jsonl import JSONTooDeep, load_json
from ..outputs import article_json
from ..outputs.renderers import RENDERERS, ExportSource, Renderer
from ..records import STATUSES, Rejection, to_dict
from ..sanitize import redact_url
from . import views
from .security import check_feed, check_read, check_write


def require_read(request: Request) -> None:
    """Reads are open unless the operator set a read token (or asked for a token on reads)."""
    check_read(request, request.app.state.config.tokens)


def require_feed(request: Request) -> None:
    """The calendar feed: the feed token in its URL, or read access."""
    check_feed(request, request.app.state.config.tokens)


router = APIRouter(prefix="/api", dependencies=[Depends(require_read)])
MAX_OFFSET = 1_000_000_000  # past any store; larger values would overflow the database's integers


def store_of(request: Request):
    return request.app.state.store


# ----------------------------------------------------------------- filters
DATE_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"  # YYYY, YYYY-MM or YYYY-MM-DD; empty (a blank form field) = none
# a number from 0 to 1, or empty: the desk's filter form sends every field, filled or not
CONFIDENCE_PATTERN = r"^((0?\.\d+)|0|1|1\.0*|0\.)?$"


class EventFilters:
    """The event filters shared by /api/events, the exports and the events page."""

    def __init__(self,
                 actor: Optional[str] = Query(None, max_length=200, description="actor name (substring) or code"),
                 event_type: Optional[str] = Query(None, max_length=40, description="PLOVER type, e.g. CONSULT"),
                 status: Optional[str] = Query(None, max_length=20, description="|".join(STATUSES)),
                 date_from: Optional[str] = Query(None, max_length=10, pattern=DATE_PATTERN),
                 date_to: Optional[str] = Query(None, max_length=10, pattern=DATE_PATTERN),
                 outlet: Optional[str] = Query(None, max_length=200),
                 story: Optional[str] = Query(None, max_length=64),
                 country: Optional[str] = Query(None, max_length=3, pattern=r"^([A-Za-z]{3})?$",
                                                description="ISO3 code of the event's place, e.g. UKR"),
                 bbox: Optional[str] = Query(None, max_length=100,
                                             description="west,south,east,north in degrees (WGS84)"),
                 min_confidence: Optional[str] = Query(None, max_length=12, pattern=CONFIDENCE_PATTERN,
                                                       description="events whose best mention's confidence "
                                                                   "is at least this (0-1)")) -> None:
        if status and status.lower() not in STATUSES:
            raise HTTPException(422, f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        self.values = {"actor": actor or None, "event_type": event_type or None,
                       "status": status.lower() if status else None, "date_from": date_from or None,
                       "date_to": date_to or None, "outlet": outlet or None, "story": story or None,
                       "country": country.upper() if country else None, "bbox": parse_bbox(bbox) if bbox else None,
                       "min_confidence": float(min_confidence) if min_confidence else None}

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for export links and the map)."""
        out = {k: str(v) for k, v in self.values.items() if v and k != "bbox"}
        if self.values["bbox"]:
            out["bbox"] = ",".join(f"{v:g}" for v in self.values["bbox"])
        return out


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'west,south,east,north' -> floats, or 422 naming what is wrong."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise HTTPException(422, f"bbox {text!r}: give four numbers, west,south,east,north") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise HTTPException(422, f"bbox {text!r}: longitudes within -180..180, latitudes -90..90, south <= north")
    return west, south, east, north


def _page(items: list[Any], limit: int, offset: int) -> list[Any]:
    return items[offset:offset + limit]


# ---------------------------------------------------------------- articles
@router.get("/articles", tags=["articles"], summary="List articles (without their text)")
def list_articles(request: Request, outlet: Optional[str] = Query(None, max_length=200),
                  limit: int = Query(100, ge=1, le=1000),
                  offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> dict[str, Any]:
    articles = store_of(request).articles()
    if outlet:
        articles = [a for a in articles if outlet.lower() in (a.outlet or "").lower()]
    return {"total": len(articles), "limit": limit, "offset": offset,
            "articles": [article_json(a) for a in _page(articles, limit, offset)]}


@router.get("/articles/{article_id}", tags=["articles"], summary="One article with its text, events and quotes")
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    article = store_of(request).article(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id!r}")
    detail = views.article_detail(store_of(request), article)
    detail.pop("segments")
    return detail


class ArticleIn(BaseModel):
    """An article to add. Only `text` is required."""

    text: str = Field(..., min_length=1)
    title: str = Field("", max_length=1000)
    published: Optional[str] = Field(None, max_length=40, description="ISO date (YYYY-MM-DD)")
    outlet: Optional[str] = Field(None, max_length=200)
    url: Optional[str] = Field(None, max_length=2000)
    byline: Optional[str] = Field(None, max_length=300)

    @field_validator("published")
    @classmethod
    def _a_date(cls, value: Optional[str]) -> Optional[str]:
        """A date the CLI would read; anything else is refused, not dropped."""
        if value is None or not value.strip():
            return None
        if normalise_date(value) is None:
            raise ValueError(f"not a date: {value[:40]!r} (use YYYY-MM-DD)")
        return value


ARTICLES_IN = TypeAdapter(Union[ArticleIn, list[ArticleIn]])

POST_ARTICLES_BODY = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/ArticleIn"},
            {"type": "array", "items": {"$ref": "#/components/schemas/ArticleIn"}}]}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "article files (text, HTML, JSONL, RSS/Atom, WARC)"},
            "text": {"type": "string", "description": "pasted article text"},
            "title": {"type": "string"}, "published": {"type": "string"}, "outlet": {"type": "string"},
            "url": {"type": "string"}}}}}},
    "responses": {"202": {"description": "accepted: a job id to follow at /api/jobs/{id}"},
                  "401": {"description": "no token"}, "403": {"description": "wrong token or writes disabled"},
                  "413": {"description": "body too large"}},
}


@router.post("/articles", tags=["articles"], status_code=202, openapi_extra=POST_ARTICLES_BODY,
             summary="Add articles (JSON object or list, or multipart files/pasted text); needs the token")
async def post_articles(request: Request) -> JSONResponse:
    config = request.app.state.config
    check_write(request, config.tokens)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        items, files = await _json_articles(request), []
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        items, files = await _form_articles(request)
    else:
        raise HTTPException(415, "send application/json or multipart/form-data")
    if not items and not files:
        raise HTTPException(422, "no articles in the request (give `text` or files)")
    if len(items) > config.max_items:
        raise HTTPException(413, f"too many articles in one request (limit {config.max_items})")
    job = request.app.state.jobs.submit(items, files=files)
    body = {"job": job.id, "status_url": f"/api/jobs/{job.id}", "articles": len(items), "files": len(files),
            "rejected": job.rejections}
    return JSONResponse(body, status_code=202, headers={"Location": body["status_url"]})


async def _json_articles(request: Request) -> list[dict[str, Any]]:
    raw = await request.body()
    try:
        data = load_json(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, JSONTooDeep) as exc:
        raise HTTPException(400, f"malformed JSON in the request body: {exc}") from None
    try:
        parsed = ARTICLES_IN.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise HTTPException(422, f"invalid article at {where}: {first['msg']}") from None
    articles = parsed if isinstance(parsed, list) else [parsed]
    limit = request.app.state.settings.max_article_chars
    too_long = [i for i, a in enumerate(articles) if len(a.text) > limit]
    if too_long:
        raise HTTPException(413, f"article {too_long[0]} is longer than {limit} characters")
    items = [{**a.model_dump(exclude_none=True), "path": f"api:{a.title[:60] or 'article'}#{i}"}
             for i, a in enumerate(articles)]
    for i, item in enumerate(items):
        checked_text(request, item, f"article {i}")
    return items


def checked_text(request: Request, fields: dict[str, Any], where: str) -> None:
    """Refuse (422) an article `crosswire run` would refuse: too short, control
    characters, one thing repeated (the ingest checks, with the server's settings)."""
    settings = request.app.state.settings
    built = article_or_rejection(lambda: article_from_fields(fields, fields["path"], settings),
                                 fields["path"], settings)
    if isinstance(built, Rejection):
        raise HTTPException(422, f"{where}: {built.reason}")


async def _form_articles(request: Request) -> tuple[list[Any], list[tuple[str, bytes]]]:
    """Pasted text (checked now) and uploaded files (read later, by the job)."""
    form = await request.form(max_files=request.app.state.config.max_items, max_fields=50)
    files = [(f.filename or f"upload-{i}", await f.read()) for i, f in enumerate(form.getlist("files"))
             if hasattr(f, "read")]
    items: list[Any] = []
    text = str(form.get("text") or "").strip()
    if text:
        fields = {k: str(form.get(k)).strip() for k in ("title", "published", "outlet", "url")
                  if form.get(k) and str(form.get(k)).strip()}
        try:
            ArticleIn(text=text, **fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise HTTPException(422, f"invalid {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
        items.append({**fields, "text": text, "path": "upload:pasted"})
        checked_text(request, items[-1], "pasted text")
    return items, files


@router.get("/jobs/{job_id}", tags=["articles"], summary="Progress of an upload job")
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return job.as_dict()


# ------------------------------------------------------------------ events
@router.get("/events", tags=["events"], summary="Canonical events, filtered")
def list_events(request: Request, filters: EventFilters = Depends(),
                limit: int = Query(100, ge=1, le=5000),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> dict[str, Any]:
    events = store_of(request).events(**filters.values, limit=limit, offset=offset)
    return {"filters": filters.query(), "limit": limit, "offset": offset, "count": len(events),
            "events": [to_dict(e) for e in events]}


@router.get("/events/{event_id}", tags=["events"],
            summary="One event with its supporting sentences, quotes, provenance and comparison")
def get_event(request: Request, event_id: str) -> dict[str, Any]:
    event = store_of(request).event(event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id!r}")
    detail = views.event_detail(store_of(request), event)
    for article in detail["articles"]:
        article.pop("segments")
    return detail


class SplitBody(BaseModel):
    mentions: list[str] = Field(..., min_length=1, max_length=1000, description="mention ids (or unique prefixes)")
    note: str = Field("", max_length=500)


class JoinBody(BaseModel):
    other: str = Field(..., min_length=1, max_length=64, description="the id of the event to join with")
    note: str = Field("", max_length=500)


def _correct(request: Request, make: Callable[[Any], Any]) -> dict[str, Any]:
    """Store the correction `make(store)` builds (needs the write token) and
    resolve the store with it; the events that now hold its mentions."""
    from ..pipeline import Pipeline
    from ..resolve.corrections import CorrectionError, record_correction

    check_write(request, request.app.state.config.tokens)
    store = store_of(request)
    try:
        correction = make(store)
    except CorrectionError as exc:
        raise HTTPException(422, str(exc)) from None
    record_correction(store, correction, Pipeline(request.app.state.settings).resolve_update)
    holders = [store.event_of_mention(k) for k in correction.mentions[:1] + correction.others[:1]]
    return {"correction": to_dict(correction), "events": sorted({e.id for e in holders if e is not None})}


def _event_or_404(store: Any, event_id: str) -> Any:
    event = store.event(event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id!r}")
    return event


@router.post("/events/{event_id}/split", tags=["events"],
             summary="Take mentions out of an event for good (a stored correction); needs the token")
def split_event(request: Request, event_id: str, body: SplitBody) -> dict[str, Any]:
    from ..resolve.corrections import split_correction

    return _correct(request, lambda store: split_correction(_event_or_404(store, event_id), body.mentions, body.note))


@router.post("/events/{event_id}/join", tags=["events"],
             summary="Make two events one for good (a stored correction); needs the token")
def join_event(request: Request, event_id: str, body: JoinBody) -> dict[str, Any]:
    from ..resolve.corrections import join_correction

    return _correct(request, lambda store: join_correction(_event_or_404(store, event_id),
                                                           _event_or_404(store, body.other), body.note))


# ------------------------------------------------------------------ quotes
@router.get("/quotes", tags=["quotes"], summary="Quotes, by article or speaker (name substring or code)")
def list_quotes(request: Request, article: Optional[str] = Query(None, max_length=64),
                speaker: Optional[str] = Query(None, max_length=200),
                limit: int = Query(100, ge=1, le=5000),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> dict[str, Any]:
    quotes = store_of(request).quotes(article=article, speaker=speaker)
    return {"total": len(quotes), "limit": limit, "offset": offset,
            "quotes": [views.quote_view(q) for q in _page(quotes, limit, offset)]}


# ----------------------------------------------------------------- stories
@router.get("/stories", tags=["stories"], summary="Stories with their outlets and latest events")
def list_stories(request: Request) -> dict[str, Any]:
    store = store_of(request)
    return {"stories": [views.story_summary(store, s) for s in store.stories()]}


@router.get("/stories/{story_id}", tags=["stories"], summary="A story: its events by date and the coverage comparison")
def get_story(request: Request, story_id: str) -> dict[str, Any]:
    story = store_of(request).story(story_id)
    if story is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return views.story_detail(store_of(request), story)


# ------------------------------------------------------------------ actors
@router.get("/actors", tags=["actors"], summary="Canonical actors with their event counts")
def list_actors(request: Request) -> dict[str, Any]:
    return {"actors": store_of(request).actors()}


@router.get("/actors/{key}", tags=["actors"], summary="An actor (code or name): its events and quotes")
def get_actor(request: Request, key: str) -> dict[str, Any]:
    detail = views.actor_detail(store_of(request), key)
    if not detail["events"] and not detail["quotes"]:
        raise HTTPException(404, f"no actor {key!r}")
    return detail


# ------------------------------------------------------------------ search
@router.get("/search", tags=["articles"], summary="Full-text search over article titles and texts")
def search(request: Request, q: str = Query(..., min_length=1, max_length=200),
           limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    articles = store_of(request).search_articles(q, limit=limit)
    hits = views.search_hits(articles, q)
    for hit in hits:
        hit["snippet"] = "".join(s.get("text") or "".join(p["text"] for p in s["parts"]) for s in hit["snippet"])
    return {"q": q, "count": len(hits), "articles": hits}


@router.get("/stats", tags=["store"], summary="How many records the store holds")
def stats(request: Request) -> dict[str, Any]:
    config = request.app.state.config
    return {"db": redact_url(config.db), "counts": store_of(request).counts(), "writable": config.writable}


# ----------------------------------------------------------------- exports
def _export_route(chosen: Renderer) -> Callable[..., Response]:
    """The route of one registered renderer: the store's events under the
    request's filters, rendered, as a download named crosswire-<filename>."""
    def export(request: Request, filters: EventFilters = Depends()) -> Response:
        base = request.app.state.config.public_url  # never the Host header, which any client can set
        source = ExportSource(store=store_of(request), filters=filters.values,
                              event_url=base + "/events/{id}" if base else None)
        return Response(chosen.render(source), media_type=chosen.media_type,
                        headers={"Content-Disposition": f'{chosen.disposition}; filename="crosswire-{chosen.filename}"'})
    export.__name__ = f"export_{chosen.name}"
    return export


def export_router() -> APIRouter:
    """A route under /api/export/ for every renderer registered when the app
    is built (outputs/renderers.py: the one place an output format is added).
    A feed's route (the calendar) also opens with the feed token in its URL;
    every other route needs read access."""
    exports = APIRouter(prefix="/api")
    for chosen in RENDERERS.values():
        summary = chosen.description + ("; `?token=` takes the feed token" if chosen.feed else "")
        exports.add_api_route(chosen.web_path.removeprefix("/api"), _export_route(chosen), methods=["GET"],
                              dependencies=[Depends(require_feed if chosen.feed else require_read)],
                              tags=["exports"], summary=summary, response_class=Response)
    return exports
