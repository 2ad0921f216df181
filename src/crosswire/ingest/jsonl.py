"""JSON Lines (one article object per line) and JSON files (a list of such
objects, one object, or {"articles": [...]}).

JSON Lines files are streamed, so a large corpus is never held in memory and
the size limit applies to each line rather than the whole file (a longer line
is skipped without being held). A bad line becomes one Rejection naming the
line and the reason; the lines after it are read all the same.
"""
from __future__ import annotations

import json
from typing import Any, BinaryIO, Iterator, Optional, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_from_fields, article_or_rejection
from .detect import IngestError, decode_bytes, human_size

ArticleOrRejection = Union[Article, Rejection]
LIST_KEYS = ("articles", "items", "records", "data")  # wrappers around a list of records
SKIP_BLOCK = 1 << 20  # bytes read at a time while skipping the rest of an over-long line


def read_jsonl(path: str, settings: Settings) -> Iterator[ArticleOrRejection]:
    """Articles from a JSON Lines file, one Rejection per bad line (naming
    it); whatever is wrong with a line, the next line is read."""
    good = bad = 0
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise IngestError("cannot read file", f"{type(exc).__name__}: {exc}") from None
    with handle:
        for number, raw, size in bounded_lines(handle, settings.max_file_bytes):
            if number == 1 and raw is not None:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if raw is not None and not raw.strip():
                continue
            result = _line_item(raw, size, number, path, settings)
            good += isinstance(result, Article)
            bad += isinstance(result, Rejection)
            yield result
    if not good and not bad:
        raise IngestError("empty file", "no JSON records")


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[tuple[int, Optional[bytes], int]]:
    """(line number, bytes, size) of each line of a binary file, holding at most
    `limit` + 1 bytes at a time: a longer line is skipped to its end in blocks
    and given as None (with its size), so one huge line cannot exhaust memory."""
    number = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield number, raw, len(raw)
            continue
        size = len(raw)
        del raw
        while True:
            block = handle.readline(SKIP_BLOCK)
            size += len(block)
            if not block or block.endswith(b"\n"):
                break
        yield number, None, size


def _line_item(raw: Optional[bytes], size: int, number: int, path: str,
               settings: Settings) -> ArticleOrRejection:
    """One line's Article or Rejection; never raises, so no line costs the next."""
    where = f"line {number}"
    try:
        item = _line_record(raw, size, number, path, settings)
        if isinstance(item, Rejection):
            return item
        return article_or_rejection(lambda: _from_record(item, path, settings, line=number),
                                    path, settings, where)
    except Exception as exc:  # a reader bug on one line must not lose the others
        return Rejection(path, f"{where}: could not read ({type(exc).__name__})", str(exc)[:300])


def _line_record(raw: Optional[bytes], size: int, number: int, path: str,
                 settings: Settings) -> Union[dict, Rejection]:
    if raw is None or size > settings.max_file_bytes:
        return Rejection(path, f"line {number}: too large ({human_size(size)} > "
                               f"{human_size(settings.max_file_bytes)} limit)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(path, f"line {number}: not valid UTF-8", str(exc))
    try:
        record = load_json(text)
    except json.JSONDecodeError as exc:
        return Rejection(path, f"invalid JSON on line {number}: {exc.msg.removesuffix(' at')}",
                         f"column {exc.colno}: {text.strip()[:120]}")
    except JSONTooDeep as exc:
        return Rejection(path, f"invalid JSON on line {number}: {exc}", text.strip()[:120])
    if not isinstance(record, dict):
        return Rejection(path, f"line {number}: not a JSON object (found {type(record).__name__})",
                         text.strip()[:120])
    return record


class JSONTooDeep(ValueError):
    """JSON nested deeper than the interpreter's recursion limit lets it be read."""


def load_json(text: Union[str, bytes]) -> Any:
    """json.loads, with nesting too deep to read (thousands of `[`) raised as
    JSONTooDeep instead of RecursionError, so callers can refuse it by name."""
    try:
        return json.loads(text)
    except RecursionError:
        raise JSONTooDeep("nested too deeply") from None


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
        document = load_json(text)
    except JSONTooDeep as exc:
        raise IngestError(f"invalid JSON: {exc}") from None
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
