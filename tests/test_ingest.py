"""Ingest: every input format, metadata, header stripping with offsets intact,
outlets, content-hash ids, and one clear Rejection per bad input while the
good files of the same batch still come through. No network is touched.

Fixtures: tests/fixtures/ingest/ (small hand-written files); binary, huge,
mis-encoded and WARC inputs are generated in tmp_path at test time.
"""
from __future__ import annotations

import io
import json
import os
import random
import socket
from pathlib import Path

import pytest

from crosswire.ingest.article import body_of

from crosswire.config import Settings
from crosswire.ingest import DUPLICATE, article_from_fields, expand_paths, read_inputs
from crosswire.ingest.dates import dateline_date, normalise_date
from crosswire.ingest.outlets import outlet_from_url
from crosswire.ingest.text import byline_name
from crosswire.records import Article, Rejection

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

BODY = ("The foreign ministers of the two countries met in the capital on Tuesday and agreed to "
        "resume talks on the disputed border next month, officials said.\n\n"
        "\"We expect progress,\" one of the ministers told reporters after the meeting.")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Ingest must never reach the network: any connection attempt fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("ingest tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def read(*paths, settings=None, **kwargs):
    items = list(read_inputs([str(p) for p in paths], settings or Settings(), **kwargs))
    articles = [i for i in items if isinstance(i, Article)]
    rejections = [i for i in items if isinstance(i, Rejection)]
    return articles, rejections


def only_article(path, settings=None) -> Article:
    articles, rejections = read(path, settings=settings)
    assert not rejections, rejections
    assert len(articles) == 1
    return articles[0]


# ------------------------------------------------------------------ plain text
def test_text_title_dateline_byline_stripped_with_offsets_intact():
    path = FIXTURES / "dated_byline.txt"
    article = only_article(path)
    assert article.title == "Ministers agree to resume border talks next month"
    assert article.byline == "Maria Lopez"
    assert article.published == "2023-03-14"
    assert article.published_basis == "dateline"
    # the text is the headline, a blank line, then the body as in the file
    body_start = article.meta["headline_chars"]
    assert article.text[:body_start] == "Ministers agree to resume border talks next month\n\n"
    body = article.text[body_start:]
    assert body.startswith("The talks will cover trade corridors")
    assert "By Maria Lopez" not in article.text and "Updated" not in article.text
    raw = path.read_text(encoding="utf-8")
    start = article.meta["body_offset"]
    assert raw[start:start + len(body)] == body
    # a span of the body in Article.text is the same span of the file, shifted by body_offset - headline_chars
    quote = article.text.index('"We expect progress,"')
    assert raw[start + quote - body_start:].startswith('"We expect progress,"')


def test_text_lede_dateline_prefix_removed():
    article = only_article(FIXTURES / "lede_dateline.txt")
    assert article.title == "Parliament passes budget after all-night session"
    assert article.published == "2022-03-03"
    assert article.published_basis == "dateline"
    body = article.text[article.meta["headline_chars"]:]
    assert body.startswith("Lawmakers passed the annual budget")
    raw = (FIXTURES / "lede_dateline.txt").read_text(encoding="utf-8")
    assert raw[article.meta["body_offset"]:].startswith(body)


def test_text_without_date_is_still_an_article():
    article = only_article(FIXTURES / "undated.txt")
    assert article.title == "Protesters gather outside the ministry"
    assert article.published is None and article.published_basis is None
    assert article.text.startswith("Protesters gather outside the ministry\n\nSeveral hundred protesters")
    assert article.outlet is None


def test_single_paragraph_text_has_no_title(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("Officials in the capital said on Monday that the election would go ahead as planned.\n")
    article = only_article(path)
    assert article.title == ""
    assert article.text.startswith("Officials in the capital")


def test_crlf_newlines_are_normalised(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"A title\r\n\r\nFriday, January 4, 2019\r\n\r\n" + BODY.replace("\n", "\r\n").encode())
    article = only_article(path)
    assert "\r" not in article.text
    assert article.published == "2019-01-04"
    assert article.text == "A title\n\n" + BODY


@pytest.mark.parametrize("line, expected", [
    ("28 Dec, 2021 09:16 / Updated 3 years ago", "2021-12-28"),
    ("Friday, January 4, 2019", "2019-01-04"),
    ("2021-12-28", "2021-12-28"),
    ("2021-12-28T09:16:00+03:00", "2021-12-28"),
    ("December 28, 2021", "2021-12-28"),
    ("Published: Jan. 5, 2020 at 10:30 a.m. ET", "2020-01-05"),
    ("Sat 4th January 2020 | 5 min read", "2020-01-04"),
    ("Updated 3 hours ago", None),  # no date in it
    ("January 10 talks", None),  # not a date line
    ("31 February 2020", None),  # not a real day
    ("Talks will be held on January 10, 2022 in Geneva.", None),  # a sentence, not a date line
])
def test_date_lines(line, expected):
    assert dateline_date(line) == expected


@pytest.mark.parametrize("line, expected", [
    ("By Maria Lopez", "Maria Lopez"),
    ("BY MARIA LOPEZ", "MARIA LOPEZ"),
    ("By Ann-Marie O'Neil and Tom Baker", "Ann-Marie O'Neil and Tom Baker"),
    ("By Maria Lopez, Example Wire", "Maria Lopez"),
    ("By the end of the week, talks had stalled.", None),
    ("By then", None),
])
def test_bylines(line, expected):
    assert byline_name(line) == expected


def test_byline_and_date_on_one_line(tmp_path):
    path = tmp_path / "combined.txt"
    path.write_text("Talks resume\nBy Maria Lopez | March 14, 2023\n" + BODY)
    article = only_article(path)
    assert (article.byline, article.published) == ("Maria Lopez", "2023-03-14")
    assert body_of(article) == BODY


# ------------------------------------------------------------------------ HTML
def test_html_metadata_through_trafilatura():
    article = only_article(FIXTURES / "page_meta.html")
    assert article.title == "Coalition talks collapse after two weeks"
    assert article.byline == "Sam Carter"
    assert article.published == "2022-05-17"
    assert article.published_basis == "metadata"
    assert article.outlet == "The Daily Example"
    assert article.meta["outlet_basis"] == "metadata"
    assert article.url == "https://www.dailyexample.com/politics/coalition-talks-collapse"
    # the <h1> is the title, and the text's headline; then the body
    assert article.text.startswith("Coalition talks collapse after two weeks\n\nCoalition negotiations between")
    assert "Home" not in article.text and "Copyright" not in article.text  # boilerplate removed
    assert "\n\n" in article.text  # paragraphs kept apart


def test_html_outlet_from_url_host(tmp_path):
    page = (FIXTURES / "page_meta.html").read_text()
    page = page.replace('<meta property="og:site_name" content="The Daily Example">', "")
    for host, outlet in [("www.theguardian.com", "The Guardian"), ("www.rt.com", "rt.com")]:
        path = tmp_path / f"{host}.html"
        path.write_text(page.replace("www.dailyexample.com", host))
        article = only_article(path)
        assert article.outlet == outlet
        assert article.meta["outlet_basis"] == "url"


@pytest.mark.parametrize("url, outlet", [
    ("https://www.rt.com/news/1/", "rt.com"),
    ("https://en.wikinews.org/wiki/X", "Wikinews"),
    ("https://news.bbc.co.uk/2/hi/x.stm", "BBC News"),
    ("https://m.example.co.uk/a", "example.co.uk"),
    ("not a url", None),
    (None, None),
])
def test_outlet_from_url(url, outlet):
    assert outlet_from_url(url) == outlet


def test_default_outlet_fills_in_but_never_overrides(tmp_path):
    settings = Settings(default_outlet="Given Outlet")
    text_article = only_article(FIXTURES / "undated.txt", settings)
    assert (text_article.outlet, text_article.meta["outlet_basis"]) == ("Given Outlet", "default")
    html_article = only_article(FIXTURES / "page_meta.html", settings)
    assert html_article.outlet == "The Daily Example"


# ----------------------------------------------------------------- JSON / JSONL
def test_jsonl_bad_lines_rejected_good_lines_kept():
    path = FIXTURES / "mixed_lines.jsonl"
    articles, rejections = read(path)
    assert [a.title for a in articles] == ["Envoys meet in Geneva", "Senate confirms new ambassador"]
    first, second = articles
    assert (first.outlet, first.published, first.meta["line"]) == ("Example Wire", "2021-06-02", 1)
    # aliases: headline/date/link/body; outlet from a known host; RFC 822 date
    assert (second.outlet, second.published, second.url) == (
        "Associated Press", "2021-06-08", "https://apnews.com/article/ambassador")
    reasons = [r.reason for r in rejections]
    assert reasons[0].startswith("invalid JSON on line 2: ")
    assert reasons[1] == "line 3: not a JSON object (found list)"
    assert reasons[2].startswith("line 4: no article text")
    assert all(r.path == str(path) for r in rejections)


def test_corpus_style_jsonl_fields():
    line = {"id": "x-1", "title": "T", "published": "2019-01-04", "outlet": "Wikinews",
            "url": "https://en.wikinews.org/wiki/T", "licence": "CC BY 2.5", "text": BODY}
    article = article_from_fields(line, "corpus.jsonl")
    assert (article.title, article.published, article.published_basis, article.outlet) == (
        "T", "2019-01-04", "metadata", "Wikinews")
    assert article.meta["licence"] == "CC BY 2.5" and article.meta["id"] == "x-1"
    assert article.id == Article.make_id(BODY)


def test_json_list_and_wrapped_list(tmp_path):
    records = [{"title": f"Story {i}", "text": f"{BODY} Number {i}."} for i in range(3)]
    plain, wrapped = tmp_path / "list.json", tmp_path / "wrapped.json"
    plain.write_text(json.dumps(records))
    wrapped.write_text(json.dumps({"articles": records[:2] + [42]}))
    articles, rejections = read(plain, wrapped, dedupe=False)
    assert [a.title for a in articles] == ["Story 0", "Story 1", "Story 2", "Story 0", "Story 1"]
    assert [r.reason for r in rejections] == ["entry 3: not a JSON object (found int)"]


def test_malformed_json_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"title": "a", "text": "b"},\n  {oops}]')
    articles, rejections = read(path)
    assert not articles
    assert [(r.path, r.reason) for r in rejections] == [
        (str(path), "invalid JSON on line 2: Expecting property name enclosed in double quotes")]


def test_json_suffix_holding_json_lines(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text("\n".join(json.dumps({"title": f"S{i}", "text": f"{BODY} {i}"}) for i in range(2)))
    articles, rejections = read(path)
    assert [a.title for a in articles] == ["S0", "S1"] and not rejections


def test_shared_corpus_reads_cleanly(shared_dir):
    corpus = shared_dir / "corpus" / "articles.jsonl"
    articles, rejections = read(corpus)
    assert len(articles) == 105 and not rejections
    assert all(a.published and a.outlet == "Wikinews" for a in articles)


# ----------------------------------------------------------------------- feeds
def test_rss_feed_from_examples():
    articles, rejections = read(EXAMPLES / "feeds" / "wikinews-politics.rss")
    assert not rejections and len(articles) == 3
    first = articles[0]
    assert first.outlet == "Wikinews" and first.meta["outlet_basis"] == "metadata"
    assert first.published and first.published_basis == "metadata"
    assert first.url.startswith("https://en.wikinews.org/wiki/")
    assert "<p>" not in first.text and "\n\n" in first.text


def test_atom_feed_content_summary_author_and_local_date():
    articles, rejections = read(FIXTURES / "atom_feed.atom")
    assert not rejections
    treaty, summary = articles
    assert treaty.outlet == "Example Atom News"
    assert treaty.byline == "Lee Wong"
    assert treaty.published == "2020-02-02"  # the date as written, not shifted to UTC
    assert body_of(treaty) == ("The leaders of the two neighbouring states signed a water-sharing treaty on "
                               "Sunday, ending a decade-long dispute.\n\nThe treaty takes effect in March.")
    assert body_of(summary).startswith("The cabinet met on Saturday")
    assert summary.published == "2020-02-01"


def test_feed_without_title_uses_link_host(tmp_path):
    path = tmp_path / "untitled.rss"
    path.write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel><link>https://x.example.org/</link>
<item><title>A</title><link>https://www.reuters.com/world/a</link><description>{BODY}</description></item>
</channel></rss>""")
    article = only_article(path)
    assert article.outlet == "Reuters" and article.meta["outlet_basis"] == "url"


# ------------------------------------------------------------------------ WARC
def _warc(path: Path, pages: list[tuple[str, str]], extra_image: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=str(path).endswith(".gz"))
        for uri, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(html.encode()),
                                                          http_headers=headers))
            if extra_image:
                img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(uri + ".png", "response",
                                                              payload=io.BytesIO(b"\x89PNG..."),
                                                              http_headers=img))


def _page(title: str, paragraph: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{paragraph}</p><p>{BODY}</p></article></body></html>")


def test_warc_response_records_become_articles(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    _warc(path, [("https://www.example-times.com/a", _page("First page", "One.")),
                 ("https://www.aljazeera.com/news/b", _page("Second page", "Two."))])
    articles, rejections = read(path)
    assert not rejections
    assert [a.url for a in articles] == ["https://www.example-times.com/a", "https://www.aljazeera.com/news/b"]
    assert [a.outlet for a in articles] == ["example-times.com", "Al Jazeera"]
    assert articles[0].title == "First page" and articles[0].meta["format"] == "warc"
    assert articles[0].meta["captured"]


def test_truncated_warc_keeps_what_was_read(tmp_path):
    full = tmp_path / "full.warc.gz"
    pages = [(f"https://www.example-times.com/{i}", _page(f"Page {i}", f"Paragraph {i} " * 40)) for i in range(3)]
    _warc(full, pages, extra_image=False)
    data = full.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    articles, rejections = read(cut)
    assert 1 <= len(articles) < 3
    assert len(rejections) == 1 and rejections[0].reason.startswith("truncated")
    assert rejections[0].path == str(cut)


# ------------------------------------------------------------- identity/dedupe
def test_same_article_from_two_paths_has_one_id(tmp_path):
    text_file = tmp_path / "a.txt"
    text_file.write_text("Talks resume\n\nFriday, January 4, 2019\n\n" + BODY + "\n")
    jsonl_file = tmp_path / "b.jsonl"
    jsonl_file.write_text(json.dumps({"title": "Talks resume", "published": "2019-01-04", "text": BODY}) + "\n")
    copy = tmp_path / "sub" / "a-copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(text_file.read_bytes())
    articles, _ = read(text_file, jsonl_file, copy, dedupe=False)
    assert len({a.id for a in articles}) == 1 and len(articles) == 3
    articles, rejections = read(text_file, jsonl_file, copy)
    assert len(articles) == 1
    assert [(r.path, r.reason) for r in rejections] == [(str(jsonl_file), DUPLICATE), (str(copy), DUPLICATE)]
    assert str(text_file) in rejections[0].detail


# ------------------------------------------------------------------ bad inputs
def test_every_bad_input_is_one_clear_rejection_and_the_batch_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Good article\n\n" + BODY)
    bad: dict[str, str] = {}

    def add(name: str, data: bytes, reason: str) -> None:
        (tmp_path / name).write_bytes(data)
        bad[name] = reason

    add("empty.txt", b"", "empty file")
    add("blank.txt", b"  \n\n\t \n", "empty file")
    add("nul.txt", b"Some text\x00\x00\x00 with NUL bytes" * 10, "binary file (NUL bytes)")
    add("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), "binary file (PNG image)")
    random.seed(7)
    add("garbage.txt", bytes(random.randrange(0x80, 0x100) for _ in range(4000)),
        "not valid UTF-8 or a known encoding")
    add("tiny.txt", b"Title\n\nToo short.", "no article text (only 10 characters; minimum 40)")
    add("malformed.html", (FIXTURES / "malformed.html").read_bytes(), "no article text found in HTML")
    add("broken.rss", (FIXTURES / "broken_feed.rss").read_bytes(), "malformed feed (no entries)")
    add("broken.json", b'{"title": "x", "text": ', "invalid JSON on line 1: Expecting value")
    add("notwarc.warc", b"this is not a WARC file at all\n" * 5, "not a WARC file")
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:  # sparse: 25.3 MB on paper, nothing written
        fh.truncate(int(25.3 * 1024 * 1024))
    bad["huge.txt"] = "too large (25.3 MB > 20 MB limit)"
    missing = tmp_path / "missing.txt"
    bad["missing.txt"] = "not found"

    paths = sorted(tmp_path.iterdir()) + [missing]
    articles, rejections = read(*paths)
    assert [a.path for a in articles] == [str(good)]
    got = {Path(r.path).name: r.reason for r in rejections}
    assert got == bad
    assert len(rejections) == len(bad)  # one line per bad file
    assert all("Traceback" not in r.reason + r.detail for r in rejections)


def test_encodings_utf16_bom_and_cp1252(tmp_path):
    text = "Le président et la délégation\n\nLe président a déclaré que les négociations « très difficiles » " \
           "reprendraient à Genève lundi, a indiqué un porte-parole — « nous sommes prêts ».\n"
    utf16, cp1252, bom8 = tmp_path / "u16.txt", tmp_path / "cp.txt", tmp_path / "bom.txt"
    utf16.write_bytes(text.encode("utf-16"))
    cp1252.write_bytes(text.encode("cp1252"))
    bom8.write_bytes(text.encode("utf-8-sig"))
    articles, rejections = read(utf16, cp1252, bom8, dedupe=False)
    assert not rejections
    assert [a.title for a in articles] == ["Le président et la délégation"] * 3
    assert len({a.id for a in articles}) == 1


def test_directories_and_globs(tmp_path):
    (tmp_path / "a.txt").write_text("A\n\n" + BODY)
    (tmp_path / "README.md").write_text("# not an article\n\n" + BODY)
    (tmp_path / "script.py").write_text("print('not an article')\n")
    (tmp_path / ".hidden.txt").write_text("H\n\n" + BODY)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.html").write_text("<html></html>")
    (tmp_path / "noext").write_text("N\n\n" + BODY)
    found = [Path(p).name for p in expand_paths([str(tmp_path)])]
    assert found == ["a.txt", "noext", "b.html"]
    assert [Path(p).name for p in expand_paths([str(tmp_path / "*")])] == ["a.txt", "b.html", "noext"]
    assert [Path(p).name for p in expand_paths([str(tmp_path / "README.md")])] == ["README.md"]  # named: read
    assert list(expand_paths([str(tmp_path / "nothing-*.txt")])) == [str(tmp_path / "nothing-*.txt")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permissions are not enforced for root")
def test_unreadable_files_and_directories(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Good\n\n" + BODY)
    locked = tmp_path / "locked.txt"
    locked.write_text("Locked\n\n" + BODY)
    locked.chmod(0)
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "inside.txt").write_text("Inside\n\n" + BODY)
    closed.chmod(0)
    try:
        articles, rejections = read(tmp_path)
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)
    assert [a.path for a in articles] == [str(good)]
    assert sorted((Path(r.path).name, r.reason) for r in rejections) == [
        ("closed", "permission denied"), ("locked.txt", "permission denied")]


def test_normalise_metadata_dates():
    assert normalise_date("2019-01-04T23:30:00-05:00") == "2019-01-04"
    assert normalise_date("Fri, 04 Jan 2019 10:00:00 +0000") == "2019-01-04"
    assert normalise_date("January 4, 2019") == "2019-01-04"
    assert normalise_date("next Tuesday") is None  # no year: never guessed
    assert normalise_date("") is None


# -------------------------------------------------------------------- examples
def test_bundled_examples():
    """At least 30 real articles, 5+ stories with 3+ articles, unrelated ones,
    several formats, all read without a rejection, small enough for a demo."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_examples", EXAMPLES / "build_examples.py")
    plan = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plan)
    articles, rejections = read(EXAMPLES)
    assert not rejections
    planned = sum(len(ids) for ids in plan.STORIES.values()) + len(plan.UNRELATED)
    assert len(articles) == planned >= 30
    assert sum(1 for ids in plan.STORIES.values() if len(ids) >= 3) >= 5
    assert len(plan.UNRELATED) >= 5
    assert {a.meta.get("format") for a in articles} == {"jsonl", "text", "html", "feed"}
    assert sum(os.path.getsize(p) for p in expand_paths([str(EXAMPLES)])) < 400_000
    assert [a.title for a in articles if a.published is None] == [
        "Iraqi Parliament votes for expulsion of United States troops"]  # no date line, on purpose
