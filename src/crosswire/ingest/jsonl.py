"""JSON Lines (one article object per line) and JSON files (a list of such
objects, one object, or {"articles": [...]}).

JSON Lines files are streamed, so a large corpus is never held in memory and
the size limit applies to each line rather than the whole file. A bad line
becomes one Rejection naming the line and the reason; good lines go on.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_from_fields, article_or_rejection
from .detect import IngestError, decode_bytes, human_size

ArticleOrRejection = Union[Article, Rejection]
LIST_KEYS = ("articles", "items", "records", "data")  # wrappers around a list of records


def read_jsonl(path: str, settings: Settings) -> Iterator[ArticleOrRejection]:
    """Articles from a JSON Lines file, one Rejection per bad line."""
    good = bad = 0
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise IngestError("cannot read file", f"{type(exc).__name__}: {exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            item = _line_record(raw, number, path, settings)
            if isinstance(item, Rejection):
                bad += 1
                yield item
                continue
            result = article_or_rejection(lambda: _from_record(item, path, settings, line=number),
                                          path, settings, f"line {number}")
            good += isinstance(result, Article)
            bad += isinstance(result, Rejection)
            yield result
    if not good and not bad:
        raise IngestError("empty file", "no JSON records")


def _line_record(raw: bytes, number: int, path: str, settings: Settings) -> Union[dict, Rejection]:
    if len(raw) > settings.max_file_bytes:
        return Rejection(path, f"line {number}: too large ({human_size(len(raw))} > "
                               f"{human_size(settings.max_file_bytes)} limit)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(path, f"line {number}: not valid UTF-8", str(exc))
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return Rejection(path, f"invalid JSON on line {number}: {exc.msg.removesuffix(' at')}",
                         f"column {exc.colno}: {text.strip()[:120]}")
    if not isinstance(record, dict):
        return Rejection(path, f"line {number}: not a JSON object (found {type(record).__name__})",
                         text.strip()[:120])
    return record


def _from_record(record: dict[str, Any], path: str, settings: Settings, **where: int) -> Article:
    article = article_from_fields(record, path, settings)
    article.meta.update(where)
    article.meta.setdefault("format", "jsonl" if "line" in where else "json")
    return article


def read_json(path: str, data: bytes, settings: Settings) -> Iterator[ArticleOrRejection]:
    """Articles from a JSON document; a file that turns out to hold JSON
    Lines (several objects) is read as JSON Lines."""
    text = decode_bytes(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            yield from read_jsonl(path, settings)
            return
        raise IngestError(f"invalid JSON on line {exc.lineno}: {exc.msg.removesuffix(' at')}",
                          f"column {exc.colno}") from None
    records = _records_of(document)
    if records is None:
        raise IngestError("no article records in JSON",
                          f"expected an object or a list of objects, found {type(document).__name__}")
    if not records:
        raise IngestError("no article records in JSON", "the list is empty")
    for number, record in enumerate(records, start=1):
        where = f"entry {number}"
        if not isinstance(record, dict):
            yield Rejection(path, f"{where}: not a JSON object (found {type(record).__name__})")
            continue
        yield article_or_rejection(lambda: _from_record(record, path, settings, entry=number),
                                   path, settings, where)


def _records_of(document: Any):
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
        return [document]
    return None
