"""WARC files (plain or gzipped) through warcio.

Each `response` (or `resource`) record whose payload is HTML goes through the
HTML reader with its WARC-Target-URI as the URL; other records (requests,
metadata, images, robots.txt) are skipped. WARC files are streamed, so the
size limit applies to each record, not the file. A truncated or corrupt file
keeps the articles read before the damage and adds one Rejection saying so.
WARC-Date (when the page was captured) is kept in `meta["captured"]`: it is not
the publication date, but the article cannot have been published after it.
"""
from __future__ import annotations

import zlib
from typing import Iterator, Optional, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_or_rejection
from .dates import normalise_date
from .detect import IngestError, decode_bytes, declared_html_charset, human_size
from .html import article_from_html

ArticleOrRejection = Union[Article, Rejection]
HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_RECORD_TYPES = ("response", "resource")


def _content_type(record) -> str:
    if record.http_headers is not None:
        return (record.http_headers.get_header("Content-Type") or "").lower()
    return (record.rec_headers.get_header("Content-Type") or "").lower()


def _http_ok(record) -> bool:
    if record.http_headers is None:
        return True
    status = record.http_headers.get_statuscode() or "200"
    return status.startswith("2")


def read_warc(path: str, settings: Settings) -> Iterator[ArticleOrRejection]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pages = 0
    number = 0
    try:
        with open(path, "rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type not in PAGE_RECORD_TYPES or not _http_ok(record):
                    continue
                if not any(t in _content_type(record) for t in HTML_TYPES):
                    continue
                pages += 1
                yield _page(record, number, path, settings)
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
        where = f"after record {number}" if number else "at the start"
        yield Rejection(path, f"truncated or malformed WARC ({where})", f"{type(exc).__name__}: {exc}")
        return
    if not pages:
        raise IngestError("no HTML pages in WARC", f"{number} records, none an HTML response")


def _page(record, number: int, path: str, settings: Settings) -> ArticleOrRejection:
    uri: Optional[str] = record.rec_headers.get_header("WARC-Target-URI")
    where = f"record {number}" + (f" ({uri})" if uri else "")
    data = record.content_stream().read(settings.max_file_bytes + 1)
    if len(data) > settings.max_file_bytes:
        return Rejection(path, f"{where}: too large (> {human_size(settings.max_file_bytes)} limit)")
    meta = {"format": "warc", "record": number}
    captured = normalise_date(record.rec_headers.get_header("WARC-Date"))
    if captured:
        meta["captured"] = captured

    def build() -> Article:
        html = decode_bytes(data, declared_html_charset(data))
        return article_from_html(html, path, settings, url=uri, meta=meta)

    return article_or_rejection(build, path, settings, where)
