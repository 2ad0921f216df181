"""Plain-text articles: a title line, optional byline and date lines, the body.

    Date of Russia-US security talks revealed        <- title (first line)

    28 Dec, 2021 09:16 / Updated 3 years ago         <- date line -> published
    By Jonny Tickle                                  <- byline
    Russia and the US will hold talks ...            <- body: Article.text starts here

The header lines are removed: `Article.text` is the title, a blank line,
then the rest of the file from the first body character on, exactly as in
the file (newlines normalised). So a span of the body (from
`meta["headline_chars"]` on) shifted by `meta["body_offset"] -
meta["headline_chars"]` is the same span of the file. A date
line found a little further down (after a subtitle, say) still sets the
publication date but stays in the text, because cutting it out would break
that one-to-one mapping.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..config import Settings
from ..records import Article
from .article import build_article
from .dates import dateline_date, lede_date
from .detect import normalise_newlines

MAX_TITLE_CHARS = 250
MAX_HEADER_LINE_CHARS = 160
DATELINE_LOOKAHEAD = 3  # body paragraphs searched for a standalone date line

BYLINE = re.compile(
    r"^\s*(?:by|written\s+by|words\s+by|reporting\s+by|author:?)\s+"
    r"(?P<name>(?:[A-Z][\w'’.-]*|[A-Z]{2,}|de|van|von|der|la|le|al|bin|and|&|,|\s)+?)"
    r"(?:\s*(?:,|\||/|—|–|-)\s*(?P<role>[^.!?]{0,60}))?\s*$",
    re.I | re.U,
)
_NAME_WORD = re.compile(r"[A-Z][\w'’.-]*")


@dataclass
class Header:
    title: str = ""
    byline: Optional[str] = None
    published: Optional[str] = None
    body_start: int = 0
    header_lines: list[str] = field(default_factory=list)


def byline_name(line: str) -> Optional[str]:
    """"By Jonny Tickle" -> "Jonny Tickle"; None for lines that are not bylines
    ("By the end of the week, ..." has lower-case words and is prose)."""
    if len(line) > 100:
        return None
    match = BYLINE.match(line)
    if not match:
        return None
    name = " ".join(match.group("name").split()).strip(" ,&")
    words = [w for w in re.split(r"\s+|,", name) if w and w.lower() not in {"and", "&"}]
    if not words or len(words) > 8 or not all(_NAME_WORD.fullmatch(w) or w.lower() in
                                              {"de", "van", "von", "der", "la", "le", "al", "bin"} for w in words):
        return None
    if not any(w[0].isupper() for w in words):
        return None
    return name


def _lines_with_offsets(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _is_title(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= MAX_TITLE_CHARS and not stripped.endswith((".", '."', ".”", ".'"))


def parse_header(text: str) -> Header:
    """Find title, byline and date lines at the top and where the body starts."""
    header = Header()
    lines = [(pos, line) for pos, line in _lines_with_offsets(text) if line.strip()]
    if len(lines) < 2:  # one paragraph only: no room for a title
        header.body_start = lines[0][0] + _indent(lines[0][1]) if lines else 0
        return header
    i = 0
    while i < len(lines):
        pos, line = lines[i]
        stripped = line.strip()
        if len(stripped) <= MAX_HEADER_LINE_CHARS and _take_header_line(header, stripped):
            header.header_lines.append(stripped)
            i += 1
            continue
        if not header.title and i + 1 < len(lines) and _is_title(stripped):
            header.title = stripped.lstrip("#").strip()
            header.header_lines.append(stripped)
            i += 1
            continue
        lede = lede_date(line)
        if lede and not header.published:
            header.published = lede[0]
            header.body_start = pos + lede[1]
        else:
            header.body_start = pos + _indent(line)
        break
    else:
        header.body_start = len(text)
    if not header.published:
        header.published = _date_line_below(lines, i)
    return header


def _take_header_line(header: Header, line: str) -> bool:
    date = dateline_date(line)
    if date:
        header.published = header.published or date
        return True
    combined = _byline_with_date(line)
    if combined:
        header.byline = header.byline or combined[0]
        header.published = header.published or combined[1]
        return True
    name = byline_name(line)
    if name and not header.byline:
        header.byline = name
        return True
    return False


def _byline_with_date(line: str) -> Optional[tuple[str, str]]:
    """"By Jane Doe | January 4, 2019" and the like."""
    for sep in (" | ", " / ", " · ", " • ", " — ", " – "):
        if sep in line:
            first, rest = line.split(sep, 1)
            name, date = byline_name(first), dateline_date(rest)
            if name and date:
                return name, date
    return None


def _date_line_below(lines: list[tuple[int, str]], start: int) -> Optional[str]:
    for _pos, line in lines[start + 1: start + 1 + DATELINE_LOOKAHEAD]:
        stripped = line.strip()
        if len(stripped) <= MAX_HEADER_LINE_CHARS:
            date = dateline_date(stripped)
            if date:
                return date
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def article_from_text(raw: str, path: str, settings: Settings) -> Article:
    """An Article from the decoded contents of a plain-text file."""
    text = normalise_newlines(raw)
    header = parse_header(text)
    body = text[header.body_start:].rstrip()
    meta = {"body_offset": header.body_start, "format": "text"}
    if header.header_lines:
        meta["header_lines"] = header.header_lines
    return build_article(
        text=body, path=path, settings=settings, title=header.title, byline=header.byline,
        published=header.published, published_basis="dateline", meta=meta,
    )
