"""Ingest: files, directories and globs -> Article records (or Rejections).

`read_inputs` is the single entry point. It never raises on bad input: every
file that cannot be read becomes a `Rejection` naming the file and the reason,
and the rest of the batch goes on.
"""
from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Iterable, Iterator, Union

from ..config import Settings
from ..records import Article, Rejection


def expand_paths(paths: Iterable[str]) -> Iterator[str]:
    """Files named, found under directories (recursively, sorted) or by globs."""
    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            yield raw  # reported as missing by read_file
        for path in matches:
            if os.path.isdir(path):
                for root, dirs, files in os.walk(path):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in sorted(files):
                        if not name.startswith("."):
                            yield os.path.join(root, name)
            else:
                yield path


def read_inputs(paths: Iterable[str], settings: Settings | None = None) -> Iterator[Union[Article, Rejection]]:
    settings = settings or Settings()
    for path in expand_paths(paths):
        yield from read_file(path, settings)


def read_file(path: str, settings: Settings) -> Iterator[Union[Article, Rejection]]:
    p = Path(path)
    if not p.exists():
        yield Rejection(path, "not found")
        return
    data = p.read_bytes()
    text = data.decode("utf-8", errors="replace").strip()
    if len(text) < settings.min_article_chars:
        yield Rejection(path, "empty")
        return
    lines = text.splitlines()
    body = "\n".join(lines[1:]).strip()
    yield Article(id=Article.make_id(body), text=body, title=lines[0].strip(), path=path,
                  outlet=settings.default_outlet)


def article_from_fields(fields: dict, path: str, settings: Settings | None = None) -> Article:
    """An Article from JSONL-style fields: text, title, published, url, outlet."""
    settings = settings or Settings()
    text = str(fields.get("text") or "").strip()
    title = str(fields.get("title") or "").strip()
    published = fields.get("published") or fields.get("date")
    published = str(published)[:10] if published else None
    return Article(
        id=Article.make_id(text), text=text, title=title, path=path,
        outlet=fields.get("outlet") or settings.default_outlet, url=fields.get("url"),
        byline=fields.get("byline"), published=published,
        published_basis="metadata" if published else None,
        meta={k: v for k, v in fields.items() if k not in {"text", "title", "published", "url", "outlet", "byline"}},
    )
