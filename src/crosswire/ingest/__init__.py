"""Ingest: files, directories and globs -> Article records (or Rejections).

`read_inputs` is the single entry point. It never raises on bad input: every
file (or record of a file) that cannot be read becomes a `Rejection` naming
the file and a short reason, and the rest of the batch goes on. Nothing here
touches the network. docs/ingest.md describes formats, fields and reasons.

Modules: formats (the one registry of input formats: suffixes, sniffing,
readers), detect (size, permissions, binary sniffing, encoding), text, html,
jsonl (JSON Lines and JSON), feeds (RSS/Atom), warc; article (the one place
Articles are built: outlet and date rules), dates, outlets.
"""
from __future__ import annotations

import glob
import os
from typing import Iterable, Iterator, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_from_fields
from .detect import IngestError, check_readable, read_bytes, read_head
from .formats import format_of, known_suffix
from .globbing import bounded_glob

__all__ = ["expand_paths", "read_inputs", "read_file", "article_from_fields", "DUPLICATE"]

ArticleOrRejection = Union[Article, Rejection]
DUPLICATE = "duplicate article"  # reason given to a later copy of an article already read


def expand_paths(paths: Iterable[str], settings: Settings | None = None) -> Iterator[str]:
    """Files named, found under directories (recursively, sorted) or matched
    by globs (each file once, within the limits of ingest.globbing). Directories
    and globs skip hidden and non-input files (see _article_file_name); a file
    named explicitly is always read. A path that matches nothing is passed on
    so that read_file reports it as "not found". A glob over the limits raises
    IngestError (read_inputs reports it as a Rejection of the pattern)."""
    settings = settings or Settings()
    for raw in paths:
        raw = str(raw)
        if glob.has_magic(raw):
            matches = [m for m in bounded_glob(raw, settings.glob_max_entries, settings.glob_max_seconds)
                       if os.path.isdir(m) or _article_file_name(os.path.basename(m))]
        else:
            matches = [raw]
        if not matches:
            yield raw
        given: set[str] = set()  # real paths: a file reached through links is read once
        for path in matches:
            for found in _walk(path) if os.path.isdir(path) else [path]:
                real = os.path.realpath(found)
                if real not in given:
                    given.add(real)
                    yield found


def _walk(directory: str) -> Iterator[str]:
    """Files under a directory; a subdirectory that cannot be listed is
    yielded itself so that read_file reports it ("permission denied")."""
    errors: list[OSError] = []
    for root, dirs, files in os.walk(directory, onerror=errors.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if _article_file_name(name):
                yield os.path.join(root, name)
    for error in errors:
        yield error.filename or directory


def _article_file_name(name: str) -> bool:
    """Inside directories, only files that look like inputs: a known suffix
    (.txt, .html, .jsonl, .json, .xml, .rss, .atom, .warc[.gz], ...) or none at
    all. README.md, SOURCES.md, scripts and spreadsheets are left alone; a file
    named explicitly is always read, whatever its name."""
    if name.startswith("."):
        return False
    return known_suffix(name) or "." not in name


def read_inputs(paths: Iterable[str], settings: Settings | None = None,
                dedupe: bool = True) -> Iterator[ArticleOrRejection]:
    """Every article in `paths`, in order, and a Rejection for everything that
    could not be read. With `dedupe`, a second copy of an article already read
    (same text, any path or format) becomes Rejection(path, DUPLICATE)."""
    settings = settings or Settings()
    seen: dict[str, str] = {}
    for path in _expanded(paths, settings):
        if isinstance(path, Rejection):
            yield path
            continue
        for item in read_file(path, settings):
            if dedupe and isinstance(item, Article):
                if item.id in seen:
                    yield Rejection(item.path, DUPLICATE, f"same text as {seen[item.id]}")
                    continue
                seen[item.id] = _where(item)
            yield item


def _expanded(paths: Iterable[str], settings: Settings) -> Iterator[Union[str, Rejection]]:
    """expand_paths, each argument on its own: a glob over the limits becomes
    a Rejection of that pattern and the other arguments are still read."""
    for raw in paths:
        try:
            found = list(expand_paths([raw], settings))
        except IngestError as exc:
            yield Rejection(str(raw), exc.reason, exc.detail)
            continue
        yield from found


def _where(article: Article) -> str:
    for key in ("line", "entry", "record"):
        if key in article.meta:
            return f"{article.path} ({key} {article.meta[key]})"
    return article.path


def read_file(path: str, settings: Settings | None = None) -> Iterator[ArticleOrRejection]:
    """The articles of one file, or Rejections; never raises."""
    settings = settings or Settings()
    try:
        yield from _read_file(path, settings)
    except IngestError as exc:
        yield Rejection(path, exc.reason, exc.detail)
    except MemoryError:
        yield Rejection(path, "too large to read", "out of memory")
    except Exception as exc:  # a reader bug must not stop the batch; say what happened
        yield Rejection(path, f"could not read ({type(exc).__name__})", str(exc)[:300])


def _read_file(path: str, settings: Settings) -> Iterator[ArticleOrRejection]:
    """Checks and reader of the file's registered format (formats.py)."""
    check_readable(path, settings.max_file_bytes, limit_size=False)
    head = read_head(path)
    fmt = format_of(path, head)
    if fmt.read_stream is not None:
        fmt.check_head(head)
        yield from fmt.read_stream(path, settings)
        return
    assert fmt.read_bytes is not None  # register_format guarantees one reader
    check_readable(path, settings.max_file_bytes)
    fmt.check_head(head)
    data = read_bytes(path)
    if not data.strip():
        raise IngestError("empty file", "only whitespace")
    yield from fmt.read_bytes(path, data, settings)
