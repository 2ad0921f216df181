"""Rebuild the bundled examples from the Wikinews corpus (see SOURCES.md).

    python examples/build_examples.py /path/to/corpus/articles.jsonl

Writes examples/articles.jsonl, examples/text/*.txt, examples/html/*.html and
examples/feeds/wikinews-politics.rss. Article texts are copied unchanged; only
the container format differs. (crosswire itself skips this .py file when it
reads the examples directory.)
"""
from __future__ import annotations

import datetime as dt
import html
import json
import sys
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Story articles (7 stories with 3+ articles, 1 with 2) and unrelated ones.
STORIES = {
    "us-iran-soleimani-2020": ["wn-064", "wn-065", "wn-066", "wn-069", "wn-094"],
    "trump-impeachment-2019": ["wn-041", "wn-043", "wn-054", "wn-062", "wn-070"],
    "hong-kong-protests-2019": ["wn-018", "wn-028", "wn-032", "wn-044", "wn-051", "wn-057"],
    "brexit-uk-parliament-2019": ["wn-014", "wn-022", "wn-030", "wn-033", "wn-035", "wn-040", "wn-060"],
    "us-shutdown-border-wall-2019": ["wn-001", "wn-003", "wn-011"],
    "puerto-rico-governor-2019": ["wn-023", "wn-024", "wn-026"],
    "us-2020-election-result-dispute": ["wn-102", "wn-103", "wn-104", "wn-105"],
    "syria-turkey-offensive-2019": ["wn-046", "wn-050"],
}
UNRELATED = ["wn-005", "wn-020", "wn-029", "wn-048", "wn-053", "wn-071"]

# Which articles go into which non-JSONL format (the rest go to articles.jsonl).
TEXT_WITH_DATELINE = ["wn-064", "wn-041", "wn-023"]
TEXT_WITHOUT_DATELINE = ["wn-065"]  # shows an article with no stated publication date
HTML_PAGES = ["wn-018", "wn-030", "wn-102"]
FEED_ITEMS = ["wn-069", "wn-062", "wn-046"]


def slug(record: dict) -> str:
    return record["url"].rsplit("/", 1)[-1][:60].strip("_")


def dateline(iso: str) -> str:
    """Wikinews' own dateline style: "Sunday, January 5, 2020"."""
    day = dt.date.fromisoformat(iso)
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def write_text(record: dict, with_dateline: bool) -> None:
    head = [record["title"], ""] + ([dateline(record["published"]), ""] if with_dateline else [])
    path = HERE / "text" / f"{record['id']}_{slug(record)}.txt"
    path.write_text("\n".join(head) + record["text"] + "\n", encoding="utf-8")


def write_html(record: dict) -> None:
    e = html.escape
    paragraphs = "\n".join(f"      <p>{e(p)}</p>" for p in record["text"].split("\n\n"))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{e(record['title'])} - Wikinews, the free news source</title>
  <meta property="og:title" content="{e(record['title'])}">
  <meta property="og:site_name" content="Wikinews">
  <meta property="og:type" content="article">
  <meta property="og:url" content="{e(record['url'])}">
  <meta property="article:published_time" content="{record['published']}">
  <link rel="canonical" href="{e(record['url'])}">
  <link rel="license" href="https://creativecommons.org/licenses/by/2.5/">
</head>
<body>
  <nav><a href="https://en.wikinews.org/wiki/Main_Page">Main page</a> | <a href="https://en.wikinews.org/wiki/Portal:Politics_and_conflicts">Politics and conflicts</a></nav>
  <main>
    <article>
      <h1>{e(record['title'])}</h1>
      <p class="published"><time datetime="{record['published']}">{dateline(record['published'])}</time></p>
{paragraphs}
    </article>
  </main>
  <footer>Text from Wikinews (<a href="{e(record['url'])}">original article</a>), licensed under
  <a href="https://creativecommons.org/licenses/by/2.5/">CC BY 2.5</a>.</footer>
</body>
</html>
"""
    (HERE / "html" / f"{record['id']}_{slug(record)}.html").write_text(page, encoding="utf-8")


def write_feed(records: list[dict]) -> None:
    e = html.escape
    items = []
    for r in records:
        when = dt.datetime.fromisoformat(r["published"]).replace(hour=12, tzinfo=dt.timezone.utc)
        body = "".join(f"<p>{e(p)}</p>" for p in r["text"].split("\n\n"))
        items.append(f"""    <item>
      <title>{e(r['title'])}</title>
      <link>{e(r['url'])}</link>
      <guid isPermaLink="true">{e(r['url'])}</guid>
      <pubDate>{format_datetime(when)}</pubDate>
      <content:encoded><![CDATA[{body}]]></content:encoded>
    </item>""")
    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Wikinews</title>
    <link>https://en.wikinews.org/wiki/Main_Page</link>
    <description>Politics and conflicts articles from Wikinews (CC BY 2.5)</description>
    <language>en</language>
{chr(10).join(items)}
  </channel>
</rss>
"""
    (HERE / "feeds" / "wikinews-politics.rss").write_text(feed, encoding="utf-8")


def main(corpus: str) -> None:
    records = {r["id"]: r for r in map(json.loads, Path(corpus).read_text(encoding="utf-8").splitlines())}
    chosen = sorted({i for ids in STORIES.values() for i in ids} | set(UNRELATED))
    special = set(TEXT_WITH_DATELINE + TEXT_WITHOUT_DATELINE + HTML_PAGES + FEED_ITEMS)
    for folder in ("text", "html", "feeds"):
        (HERE / folder).mkdir(exist_ok=True)
    with open(HERE / "articles.jsonl", "w", encoding="utf-8") as out:
        for i in chosen:
            if i not in special:
                out.write(json.dumps(records[i], ensure_ascii=False) + "\n")
    for i in TEXT_WITH_DATELINE:
        write_text(records[i], with_dateline=True)
    for i in TEXT_WITHOUT_DATELINE:
        write_text(records[i], with_dateline=False)
    for i in HTML_PAGES:
        write_html(records[i])
    write_feed([records[i] for i in FEED_ITEMS])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/articles.jsonl")
