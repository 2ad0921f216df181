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

import os
import zlib
from typing import Iterator, Optional, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_or_rejection
from .dates import normalise_date
from .detect import IngestError, decode_bytes, declared_html_charset, human_size, is_warc_head
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


def _quiet_iterator(stream):
    """warcio's ArchiveIterator, minus the warnings it prints to stderr: we
    count them (err_count) and report them as one Rejection instead."""
    from warcio.archiveiterator import ArchiveIterator

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""

    return QuietArchiveIterator(stream)


def _missing_bytes(record) -> int:
    """Bytes a record promised (Content-Length) but the file did not hold."""
    if record is None:
        return 0
    return max(0, int(getattr(record.raw_stream, "limit", 0) or 0))


def check_warc_start(head: bytes) -> None:
    if not is_warc_head(head):
        raise IngestError("not a WARC file", "it does not start with a WARC/1.x record")


def gzip_complete(path: str, block: int = 1 << 20) -> bool:
    """Whether every gzip member of the file ends properly. warcio stops
    quietly at a member cut short, so a truncated .warc.gz needs this check
    (one fast pass of zlib, output discarded)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    in_member = False
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(block), b""):
            while chunk:
                in_member = True
                try:
                    decompressor.decompress(chunk, block)
                except zlib.error:
                    return False
                if decompressor.eof:
                    chunk = decompressor.unused_data
                    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    in_member = False
                else:
                    chunk = decompressor.unconsumed_tail
    return not in_member


def _where(records_read: int) -> str:
    return f"after record {records_read}" if records_read else "at the start"


def _damage(path: str, records, last, number: int, gzipped: bool) -> Optional[str]:
    """Why the file is not a complete WARC, or None when it is."""
    if _missing_bytes(last):
        return f"truncated WARC (record {number} is cut short)"
    if records.offset < os.path.getsize(path) or (gzipped and not gzip_complete(path)):
        return f"truncated or malformed WARC ({_where(number)})"
    if records.err_count:
        return f"malformed WARC ({records.err_count} records with a wrong Content-Length)"
    return None


def read_warc(path: str, settings: Settings) -> Iterator[ArticleOrRejection]:
    pages = number = 0
    record = None
    try:
        with open(path, "rb") as stream:
            gzipped = stream.read(2) == b"\x1f\x8b"
            stream.seek(0)
            records = _quiet_iterator(stream)
            for number, record in enumerate(records, start=1):
                if record.rec_type not in PAGE_RECORD_TYPES or not _http_ok(record):
                    continue
                if not any(t in _content_type(record) for t in HTML_TYPES):
                    continue
                pages += 1
                page = _page(record, number, path, settings)
                yield page
                if isinstance(page, Rejection) and page.reason.startswith("truncated"):
                    return
            problem = _damage(path, records, record, number, gzipped)
    except Exception as exc:  # warcio fails in many ways on damaged input (EOFError, AttributeError, zlib.error)
        yield Rejection(path, f"truncated or malformed WARC ({_where(number)})", f"{type(exc).__name__}: {exc}")
        return
    if problem:
        yield Rejection(path, problem)
    elif not pages:
        raise IngestError("no HTML pages in WARC", f"{number} records, none an HTML response")


def _page(record, number: int, path: str, settings: Settings) -> ArticleOrRejection:
    uri: Optional[str] = record.rec_headers.get_header("WARC-Target-URI")
    where = f"record {number}" + (f" ({uri})" if uri else "")
    data = record.content_stream().read(settings.max_file_bytes + 1)
    if _missing_bytes(record):
        return Rejection(path, f"truncated WARC (record {number} is cut short)", uri or "")
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
