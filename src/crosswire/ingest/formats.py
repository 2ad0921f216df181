"""Input formats, registered once: a format's name, its file-name suffixes,
how to recognise its first bytes, and its reader. `read_file` finds the
format of a file here (by suffix, else by sniffing in registration order) and
runs the checks and the reader the registration names; directories are
filtered by the same suffixes. A new format is one `register_format` call.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Union

from ..config import Settings
from ..records import Article, Rejection
from .article import article_or_rejection
from .detect import check_not_binary, decode_bytes, declared_html_charset, is_warc_head, text_head
from .feeds import read_feed
from .html import article_from_html
from .jsonl import read_json, read_jsonl
from .text import article_from_text
from .warc import check_warc_start, read_warc

ArticleOrRejection = Union[Article, Rejection]
StreamReader = Callable[[str, Settings], Iterator[ArticleOrRejection]]
BytesReader = Callable[[str, bytes, Settings], Iterator[ArticleOrRejection]]


@dataclass(frozen=True)
class InputFormat:
    """One input format. Exactly one reader: `read_stream(path, settings)`
    reads record by record (the size limit applies per record, not to the
    file); `read_bytes(path, data, settings)` gets the whole file, after the
    size limit and the empty-file check. `check_head` refuses a file from its
    first bytes (binary content by default)."""

    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]  # whether a file without a known suffix is this format
    read_stream: Optional[StreamReader] = None
    read_bytes: Optional[BytesReader] = None
    check_head: Callable[[bytes], None] = check_not_binary


INPUT_FORMATS: dict[str, InputFormat] = {}  # in sniffing order


def register_format(fmt: InputFormat) -> InputFormat:
    if (fmt.read_stream is None) == (fmt.read_bytes is None):
        raise ValueError(f"input format {fmt.name!r} needs exactly one of read_stream, read_bytes")
    INPUT_FORMATS[fmt.name] = fmt
    return fmt


def known_suffix(name: str) -> bool:
    """Whether a file name ends in a registered suffix."""
    lower = name.lower()
    return any(lower.endswith(suffix) for fmt in INPUT_FORMATS.values() for suffix in fmt.suffixes)


def format_of(path: str, head: bytes) -> InputFormat:
    """A file's format: by its longest matching suffix, else the first
    registered format whose sniffer accepts its first bytes."""
    name = path.lower()
    by_suffix = sorted(((suffix, fmt) for fmt in INPUT_FORMATS.values() for suffix in fmt.suffixes),
                       key=lambda pair: len(pair[0]), reverse=True)
    for suffix, fmt in by_suffix:
        if name.endswith(suffix):
            return fmt
    return next(fmt for fmt in INPUT_FORMATS.values() if fmt.sniff(head))


# --------------------------------------------------------- crosswire's formats
def _read_text(path: str, data: bytes, settings: Settings) -> Iterator[ArticleOrRejection]:
    yield article_or_rejection(lambda: article_from_text(decode_bytes(data), path, settings), path, settings)


def _read_html(path: str, data: bytes, settings: Settings) -> Iterator[ArticleOrRejection]:
    def build() -> Article:
        return article_from_html(decode_bytes(data, declared_html_charset(data)), path, settings)

    yield article_or_rejection(build, path, settings)


_XML_START = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body")

register_format(InputFormat("warc", (".warc", ".warc.gz"), is_warc_head, read_stream=read_warc,
                            check_head=check_warc_start))
register_format(InputFormat(
    "html", (".html", ".htm", ".xhtml"),
    lambda head: text_head(head).startswith(_HTML_START)
    or (text_head(head).startswith(_XML_START) and b"<html" in text_head(head)),
    read_bytes=_read_html))
register_format(InputFormat("feed", (".rss", ".atom", ".xml"), lambda head: text_head(head).startswith(_XML_START),
                            read_bytes=read_feed))
register_format(InputFormat("json", (".json",), lambda head: text_head(head).startswith(b"["), read_bytes=read_json))
register_format(InputFormat("jsonl", (".jsonl", ".ndjson", ".jsonlines"),
                            lambda head: text_head(head).startswith(b"{"), read_stream=read_jsonl))
register_format(InputFormat("text", (".txt", ".text"), lambda head: True, read_bytes=_read_text))  # the fallback
