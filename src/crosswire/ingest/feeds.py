"""RSS and Atom files through feedparser: one article per entry.

feedparser is handed the file's bytes as a stream, so it never fetches
anything. An entry's text is its full content when present, else its
summary; the outlet is the feed's title (metadata), else the entry's or the
feed's link host. A feed that feedparser flags as malformed ("bozo") is still
read when it has entries; with none it is refused.
"""
from __future__ import annotations

import io
from typing import Any, Iterator, Optional, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_or_rejection, build_article
from .dates import normalise_date
from .detect import IngestError
from .html import fragment_to_text
from .outlets import outlet_from_url

ArticleOrRejection = Union[Article, Rejection]


def parse_feed(data: bytes):
    import feedparser

    return feedparser.parse(io.BytesIO(data))


def read_feed(path: str, data: bytes, settings: Settings) -> Iterator[ArticleOrRejection]:
    parsed = parse_feed(data)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            raise IngestError("malformed feed (no entries)", f"{type(problem).__name__}: {problem}")
        raise IngestError("feed has no entries")
    feed = parsed.get("feed") or {}
    feed_title = (feed.get("title") or "").strip() or None
    for number, entry in enumerate(entries, start=1):
        # an entry without a link falls back on the feed's own link host
        outlet = feed_title or (None if entry.get("link") else outlet_from_url(feed.get("link")))
        yield article_or_rejection(lambda: article_from_entry(entry, outlet, path, settings, number),
                                   path, settings, f"entry {number}")


def entry_text(entry: Any) -> str:
    """The fullest text an entry offers: content, else summary/description."""
    for content in entry.get("content") or []:
        text = _as_plain(content.get("value") or "", content.get("type"))
        if text:
            return text
    summary = entry.get("summary_detail") or {}
    return _as_plain(entry.get("summary") or "", summary.get("type"))


def _as_plain(value: str, mime: Optional[str]) -> str:
    if mime == "text/plain":
        return "\n\n".join(" ".join(p.split()) for p in value.split("\n\n") if p.strip())
    return fragment_to_text(value)


def entry_date(entry: Any) -> Optional[str]:
    """Publication date as written (local), else feedparser's parsed (UTC) one."""
    for key in ("published", "updated", "created"):
        date = normalise_date(entry.get(key))
        if date:
            return date
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        date = normalise_date(entry.get(key))
        if date:
            return date
    return None


def article_from_entry(entry: Any, feed_outlet: Optional[str], path: str, settings: Settings,
                       number: int) -> Article:
    meta = {"format": "feed", "entry": number}
    if entry.get("id"):
        meta["guid"] = entry.get("id")
    published = entry_date(entry)
    return build_article(
        text=entry_text(entry), path=path, settings=settings, title=entry.get("title"),
        url=entry.get("link"), outlet=feed_outlet, byline=entry.get("author"),
        published=published, published_basis="metadata", meta=meta,
    )
