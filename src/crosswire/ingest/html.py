"""HTML pages through trafilatura (main text + metadata), offline.

trafilatura is given the page as a string, so it never fetches anything; the
URL it is told (a WARC target URI) is only used to resolve metadata. Its text
has one paragraph per line; we separate paragraphs with a blank line, as the
other readers do, and drop a first line that merely repeats the title.
"""
from __future__ import annotations

import logging
import re
import warnings
from typing import Optional

from ..config import Settings
from ..records import Article
from .article import build_article
from .dates import normalise_date
from .detect import IngestError, human_size, normalise_newlines

NO_TEXT = "no article text found in HTML"
# Ask htmldate for the original publication date from markup only (fast, offline).
DATE_PARAMS = {"extensive_search": False, "original_date": True}
BLOCK_TAGS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "tr", "table", "section", "article", "header", "footer", "pre", "figure")
PARAGRAPH_BREAK = "\u2029"  # marks block boundaries while the fragment's own newlines are collapsed
_LOOKS_LIKE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+$")

for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def extract_html(html: str, url: Optional[str] = None):
    """trafilatura's Document for a page, or None when it finds no main text."""
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return trafilatura.bare_extraction(
                html, url=url, with_metadata=True, include_comments=False, include_images=False,
                include_tables=False, date_extraction_params=DATE_PARAMS,
            )
        except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
            raise IngestError(NO_TEXT, f"{type(exc).__name__}: {exc}") from None


def paragraphs_text(text: str, title: str = "") -> str:
    """Paragraph lines -> paragraphs separated by a blank line; a leading
    line equal to the title is dropped (it is Article.title already)."""
    lines = [" ".join(line.split()) for line in normalise_newlines(text).split("\n")]
    lines = [line for line in lines if line]
    if lines and title and lines[0].casefold() == " ".join(title.split()).casefold():
        lines = lines[1:]
    return "\n\n".join(lines)


def _named_site(sitename: Optional[str], hostname: Optional[str]) -> Optional[str]:
    """The site name when the page states one; trafilatura falls back to the
    host name, which the URL-host rule handles better (known outlet names)."""
    if not sitename:
        return None
    if hostname and sitename.lower() == hostname.lower():
        return None
    if _LOOKS_LIKE_HOST.match(sitename):
        return None
    return sitename


def article_from_html(html: str, path: str, settings: Settings, url: Optional[str] = None,
                      meta: Optional[dict] = None) -> Article:
    """An Article from a page: trafilatura's main text, title, author, date,
    site name and canonical URL (falling back to `url`, e.g. from a WARC).
    Pages over `Settings.max_html_chars` are refused before parsing, which
    costs time in proportion to their size."""
    if len(html) > settings.max_html_chars:
        raise IngestError(f"HTML page too large to parse ({human_size(len(html))} > "
                          f"{human_size(settings.max_html_chars)} limit)", "raise CROSSWIRE_MAX_HTML_CHARS")
    doc = extract_html(html, url)
    if doc is None or not (doc.text or "").strip():
        raise IngestError(NO_TEXT)
    title = doc.title or ""
    text = paragraphs_text(doc.text, title)
    if not text:
        raise IngestError(NO_TEXT)
    published = normalise_date(doc.date)
    meta = dict(meta or {})
    meta.setdefault("format", "html")
    return build_article(
        text=text, path=path, settings=settings, title=title, url=doc.url or url,
        outlet=_named_site(doc.sitename, doc.hostname), byline=doc.author,
        published=published, published_basis="metadata", meta=meta,
    )


def fragment_to_text(fragment: str) -> str:
    """Plain paragraphs from an HTML fragment (a feed entry's content): block
    elements become paragraph breaks, scripts and styles are dropped."""
    import lxml.html

    if "<" not in fragment:
        return paragraphs_text(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises ParserError and friends on junk
        return ""
    for bad in list(root.iter("script", "style")):
        bad.drop_tree()
    for element in root.iter(*BLOCK_TAGS):
        element.tail = PARAGRAPH_BREAK + (element.tail or "")
        if element.tag != "br":
            element.text = PARAGRAPH_BREAK + (element.text or "")
    parts = (" ".join(part.split()) for part in root.text_content().split(PARAGRAPH_BREAK))
    return "\n\n".join(part for part in parts if part)
