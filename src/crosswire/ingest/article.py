"""Building Article records: field names, outlet choice, length checks.

Every reader ends here, so outlet and date rules are the same for every format:

- outlet: the outlet named by the file's metadata (JSONL `outlet`, HTML site
  name, feed title), else the URL host (`outlets.outlet_from_url`), else
  `Settings.default_outlet` (`--outlet`). `--outlet` fills in; it never
  overrides what the file itself says. `meta["outlet_basis"]` records which.
- id: the hash of the body, so a report posted again under another headline
  (or none) is known.
- text: the headline, a blank line, then the body (`with_headline`); the
  body starts at `meta["headline_chars"]`.
- published: an ISO date from metadata (basis "metadata") or from a date line
  (basis "dateline"), else None (the time stage infers an anchor).
"""
from __future__ import annotations

import zlib
from typing import Any, Callable, Optional, Union

from ..config import Settings
from ..records import Article, Rejection
from .dates import normalise_date
from .detect import MAX_BAD_CHAR_RATIO, IngestError, bad_char_ratio, normalise_newlines
from .outlets import outlet_from_url

# Accepted names for each Article field in JSON/JSONL records, first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "maintext", "full_text"),
    "title": ("title", "headline"),
    "published": ("published", "date", "date_publish", "published_at", "pubdate", "datePublished",
                  "publication_date"),
    "url": ("url", "link", "canonical", "canonical_url", "source_url"),
    "outlet": ("outlet", "source", "site", "sitename", "site_name", "publisher", "source_domain"),
    "byline": ("byline", "author", "authors"),
}
_ALIASED = {name for names in FIELD_ALIASES.values() for name in names}


def pick(fields: dict[str, Any], name: str) -> Any:
    for key in FIELD_ALIASES[name]:
        value = fields.get(key)
        if value not in (None, "", []):
            return value
    return None


def as_text(value: Any) -> Optional[str]:
    """A clean one-line string from a metadata value (lists are joined)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v).strip() for v in value if str(v).strip())
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or ""
    text = " ".join(str(value).split())
    return text or None


def choose_outlet(named: Optional[str], url: Optional[str], settings: Settings) -> tuple[Optional[str], Optional[str]]:
    """(outlet, basis): metadata first, then the URL host, then --outlet."""
    named = as_text(named)
    if named:
        return named, "metadata"
    from_url = outlet_from_url(url)
    if from_url:
        return from_url, "url"
    if settings.default_outlet:
        return settings.default_outlet, "default"
    return None, None


def build_article(*, text: str, path: str, settings: Settings, title: Any = None, url: Any = None,
                  outlet: Any = None, byline: Any = None, published: Optional[str] = None,
                  published_basis: Optional[str] = None, meta: Optional[dict[str, Any]] = None) -> Article:
    """The one place an Article is made, so every format follows the same rules."""
    url = as_text(url)
    chosen, outlet_basis = choose_outlet(outlet, url, settings)
    meta = dict(meta or {})
    if outlet_basis:
        meta["outlet_basis"] = outlet_basis
    title = as_text(title) or ""
    body_id = Article.make_id(text)  # the body's hash: the same report under another headline is the same article
    text, headline_chars = with_headline(title, text)
    if headline_chars:
        meta["headline_chars"] = headline_chars
    return Article(
        id=body_id, text=text, title=title, path=path,
        outlet=chosen, url=url, byline=as_text(byline),
        published=published, published_basis=published_basis if published else None,
        meta=meta,
    )


def with_headline(title: str, body: str) -> tuple[str, int]:
    """The article text a reader sees: the headline, a blank line, the body.
    A headline reports the article's main event (coders code it as a
    sentence), so it is extracted like any sentence, and evidence may point
    into it. Returns (text, where the body starts in it); a body that already
    opens with its headline is left as it is (0)."""
    headline = " ".join(title.split())
    if not headline or " ".join(body[:len(title) + 40].split()).startswith(headline):
        return body, 0
    return f"{headline}\n\n{body}", len(headline) + 2


def article_from_fields(fields: dict, path: str, settings: Settings | None = None) -> Article:
    """An Article from JSONL-style fields (text, title, published, url, outlet,
    byline and their common aliases); other fields are kept in `meta`. The
    text is taken as given (newlines normalised, outer whitespace trimmed)."""
    settings = settings or Settings()
    text = normalise_newlines(str(pick(fields, "text") or "")).strip()
    raw_published = pick(fields, "published")
    published = normalise_date(raw_published)
    meta = {k: v for k, v in fields.items() if k not in _ALIASED and k != "path"}
    if raw_published is not None and published is None:
        meta["published_raw"] = str(raw_published)
    return build_article(
        text=text, path=path, settings=settings, title=pick(fields, "title"), url=pick(fields, "url"),
        outlet=pick(fields, "outlet"), byline=pick(fields, "byline"),
        published=published, published_basis="metadata", meta=meta,
    )


# Texts that deflate to under this share of their size repeat themselves: one
# byte or a few sentences over and over. News texts stay far above it (the 881
# PolNEAR-train and news-events-train texts: 0.33 at the least, 0.49 the median).
MIN_COMPRESSED_SHARE = 0.1


def check_length(article: Article, settings: Settings) -> Article:
    """Refuse near-empty, absurdly long and non-prose texts (control
    characters, one thing repeated) with a reason that says which. Every
    reader, the API and the Python API come through here. A headline alone
    is no article: the lengths are the body's."""
    n = len(body_of(article))
    if n < settings.min_article_chars:
        if n == 0:
            raise IngestError("no article text")
        raise IngestError(f"no article text (only {n} characters; minimum {settings.min_article_chars})")
    if n > settings.max_article_chars:
        raise IngestError(f"article too long ({n:,} characters > {settings.max_article_chars:,} limit)")
    control = bad_char_ratio(article.text)
    if control > MAX_BAD_CHAR_RATIO:
        raise IngestError(f"not text ({control:.0%} control or replacement characters)")
    share = compressed_share(article.text)
    if share < MIN_COMPRESSED_SHARE:
        raise IngestError(f"repetitive text (it compresses {1 / share:.0f} times)",
                          "one character or a few sentences repeated")
    return article


def body_of(article: Article) -> str:
    """The article's text after its headline."""
    return article.text[article.meta.get("headline_chars", 0):]


def compressed_share(text: str) -> float:
    """Deflated size over raw size (UTF-8): about 0.5 for prose, near 0 for repetition."""
    raw = text.encode("utf-8", "surrogatepass")
    return len(zlib.compress(raw, 6)) / max(1, len(raw))


def article_or_rejection(build: Callable[[], Article], path: str, settings: Settings,
                         where: Optional[str] = None) -> Union[Article, Rejection]:
    """Run one record's reader; a bad record becomes a Rejection naming the
    file and `where` in it ("line 3", "entry 2") so the rest still goes on."""
    try:
        return check_length(build(), settings)
    except IngestError as exc:
        reason, detail = exc.reason, exc.detail
    except Exception as exc:  # a reader bug on one record must not lose the others
        reason, detail = f"could not read ({type(exc).__name__})", str(exc)[:300]
    return Rejection(path, f"{where}: {reason}" if where else reason, detail)
