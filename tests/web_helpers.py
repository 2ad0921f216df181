"""Shared fixtures for the API and browser tests: a small store written from
hand-made records (fast and deterministic, independent of the extract
stages), and a real uvicorn server on a free port in a background thread.

The fixture story is invented (fictional countries and outlets): two outlets
report three planned meetings and one proposal whose date they disagree on.
A third, hostile article carries script tags, an onerror image and odd
Unicode in every field a page shows.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Optional

import httpx

from crosswire.records import (Article, ArticleResult, Attribution, Event, EventMention, Evidence, Mention,
                               Participant, Place, Quote, Sentence, SourceLink, Story, stable_id)
from crosswire.store import open_store

TOKEN = "s3cret-operator-token"  # the write token
READ_TOKEN = "r3ad-only-token"
FEED_TOKEN = "f33d-only-token"

XSS_TEXT = ('Officials <script>window.__xss=1</script> met the envoy <img src=x onerror="window.__xss=2"> '
            'in the capital. '
            'Rtl\u200f mark, zero\u200bwidth, emoji 🇺🇳😀, combining e\u0301 and <b>bold</b> survive. '
            'The envoy said "<script>window.__xss=3</script> we are ready" on Friday.')

ARTICLE_A = ("Valdoria and Estmark will hold talks in Geneva on March 10, officials said. "
             "The Alliance council will meet on March 12 to discuss the dispute. "
             "A session of the regional forum is planned for March 13. "
             "Last week Valdoria sent draft proposals to Estmark. "
             "\"We expect a frank exchange,\" deputy minister Ana Brel told the Daily Courier.")

ARTICLE_B = ("Talks between Valdoria and Estmark are set for March 10 in Geneva. "
             "The Alliance council meets on March 12, according to the Harbour Agency. "
             "The regional forum will convene on March 13. "
             "Valdoria published its draft proposals in Lakeport on February 23. "
             "Minister Tomas Vey said the drafts were \"a serious offer\".")


@dataclass
class Fixture:
    """Ids the tests look for."""

    story: str
    meetings: list[str]
    proposal: str
    xss_event: str
    xss_story: str
    article_a: str
    article_b: str
    article_x: str


def _sentences(text: str) -> list[Sentence]:
    """Split on '. ' (the fixture texts are written for it), keeping offsets."""
    out, start = [], 0
    while start < len(text):
        end = text.find(". ", start)
        end = len(text) if end == -1 else end + 1
        out.append(Sentence(len(out), start, end, text[start:end]))
        start = end + 1
    return out


def _mention(article: Article, sentences: list[Sentence], contains: str, trigger: str, event_type: str,
             status: str, date: Optional[str], actors: list[Participant], quote: Optional[str] = None,
             sources: Optional[list[SourceLink]] = None) -> EventMention:
    sentence = next(s for s in sentences if contains in s.text)
    t_start = article.text.index(trigger, sentence.start)
    return EventMention(id=stable_id("m", article.id, sentence.index, trigger), article=article.id,
                        sentence=sentence.index, start=t_start, end=t_start + len(trigger), trigger=trigger,
                        text=sentence.text, event_type=event_type, status=status, date=date,
                        date_basis="explicit" if date else "none", actors=actors, quote=quote,
                        sources=sources or [])


def _place(article: Article, sentences: list[Sentence], name: str, gid: int, code: str, country: str,
           admin1: str, lat: float, lon: float) -> Place:
    start = article.text.index(name)
    sentence = next(s.index for s in sentences if s.start <= start < s.end)
    return Place(name=name, geonames_id=gid, feature_class="P", feature_code=code, country=country, admin1=admin1,
                 lat=lat, lon=lon, basis="explicit", evidence=Evidence(article.id, sentence, start, start + len(name), name))


def _agreement(mentions: list[EventMention], outlets: dict[str, str]) -> dict:
    """Event.agreement in the compare stage's shape, for the date field."""
    reported_by = sorted({outlets[m.article] for m in mentions})
    values: dict[str, list[str]] = {}
    for m in mentions:
        values.setdefault(m.date, []).append(outlets[m.article])
    only_in = {v: os[0] for v, os in values.items() if len(os) == 1 and len(reported_by) > 1}
    return {"reported_by": reported_by, "single_source": len(reported_by) == 1,
            "date": {"values": values, "missing": [], "agree": len(values) == 1, "only_in": only_in}}


def _event(key: str, mentions: list[EventMention], outlets: dict[str, str], story: str,
           event_type: str, status: str, date: Optional[str], actors: list[Participant],
           recipients: list[Participant], text: str) -> Event:
    return Event(id=stable_id("e", key), event_type=event_type, status=status, date=date,
                 date_basis="explicit" if date else "none", actors=actors, recipients=recipients,
                 story=story, event_text=text,
                 plover_export_type="AGREE" if status == "planned" else event_type,
                 mentions=[Mention(m.id, m.article, m.sentence, m.start, m.end, m.text, outlets[m.article],
                                   m.status, m.date) for m in mentions],
                 sources=[{"outlet": o, "cites": []} for o in sorted({outlets[m.article] for m in mentions})],
                 agreement=_agreement(mentions, outlets))


def build_store(db: str) -> Fixture:
    """Write the fixture articles, mentions, quotes and resolved events into `db`."""
    val = Participant("Valdoria", "VAL", kind="country")
    est = Participant("Estmark", "EST", kind="country")
    alliance = Participant("Alliance", "ALLIANCE", kind="igo")
    forum = Participant("Regional Forum", "FORUM", kind="igo")
    a = Article(id=Article.make_id(ARTICLE_A), text=ARTICLE_A, title="Talks set for March", path="a.txt",
                outlet="Northern Wire", published="2024-03-01", published_basis="metadata",
                url="https://northern.example/talks")
    b = Article(id=Article.make_id(ARTICLE_B), text=ARTICLE_B, title="A week of diplomacy", path="b.txt",
                outlet="Southern Post", published=None, url="javascript:window.__xss=9")
    x = Article(id=Article.make_id(XSS_TEXT), text=XSS_TEXT, title='<script>window.__xss=4</script> Héadline \u202e',
                path="x.txt", outlet='<img src=x onerror="window.__xss=5">', published="2024-03-02")
    outlets = {a.id: a.outlet, b.id: b.outlet, x.id: x.outlet}
    sa, sb, sx = _sentences(a.text), _sentences(b.text), _sentences(x.text)

    brel = Participant("Ana Brel", "VAL", office="deputy minister", kind="person")
    q_a = Quote(id=stable_id("q", a.id, 1), article=a.id, sentence=4,
                start=a.text.index("We expect"), end=a.text.index("We expect") + len("We expect a frank exchange,"),
                text="We expect a frank exchange,", speaker=brel, direct=True, cue="told", medium="Daily Courier",
                chain=[SourceLink("Northern Wire", "outlet"), SourceLink("Daily Courier", "outlet"),
                       SourceLink("Ana Brel", "speaker")])
    vey = Participant("Tomas Vey", "VAL", office="minister", kind="person")
    q_b = Quote(id=stable_id("q", b.id, 1), article=b.id, sentence=4, start=b.text.index("a serious"),
                end=b.text.index("a serious") + len("a serious offer"), text="a serious offer", speaker=vey,
                direct=True, cue="said")
    evil = Participant('<img src=x onerror="window.__xss=6">', "<b>X</b>", kind="person")
    q_x = Quote(id=stable_id("q", x.id, 1), article=x.id, sentence=len(sx) - 1,
                start=x.text.index("<script>window.__xss=3"), end=x.text.index(" we are ready") + 13,
                text="<script>window.__xss=3</script> we are ready", speaker=evil, direct=True, cue="said",
                medium="<script>window.__xss=7</script>")
    agency = [SourceLink("Southern Post", "outlet"), SourceLink("Harbour Agency", "agency")]
    attribution = Attribution(id=stable_id("t", b.id, 1), article=b.id, sentence=1,
                              start=b.text.index("according"), end=b.text.index("Harbour Agency") + 14,
                              chain=agency, covers_start=0, covers_end=b.text.index("The regional"),
                              cue="according to")

    ma = [_mention(a, sa, "hold talks", "talks", "CONSULT", "planned", "2024-03-10", [val, est]),
          _mention(a, sa, "Alliance council", "meet", "CONSULT", "planned", "2024-03-12", [alliance, val]),
          _mention(a, sa, "regional forum", "session", "CONSULT", "planned", "2024-03-13", [forum, val]),
          _mention(a, sa, "draft proposals", "sent", "COOPERATE", "occurred", "2024-02-23", [val])]
    mb = [_mention(b, sb, "Talks between", "Talks", "CONSULT", "planned", "2024-03-10", [val, est]),
          _mention(b, sb, "Alliance council", "meets", "CONSULT", "planned", "2024-03-12", [alliance, val],
                   sources=agency),
          _mention(b, sb, "regional forum", "convene", "CONSULT", "planned", "2024-03-13", [forum, val]),
          _mention(b, sb, "draft proposals", "published", "COOPERATE", "occurred", "2024-02-23", [val],
                   quote=q_b.id)]
    mb[3].date = "2024-02-23"
    ma[3].date = "2024-02-22"  # "last week": the outlets disagree on the date
    mx = [_mention(x, sx, "met the envoy", "met", "CONSULT", "occurred", "2024-03-01",
                   [Participant('<script>window.__xss=8</script>', "XSS")])]

    store = open_store(db)
    try:
        store.write_result(ArticleResult(article=a, sentences=sa, event_mentions=ma, quotes=[q_a]))
        store.write_result(ArticleResult(article=b, sentences=sb, event_mentions=mb, quotes=[q_b],
                                         attributions=[attribution]))
        store.write_result(ArticleResult(article=x, sentences=sx, event_mentions=mx, quotes=[q_x]))
        story = stable_id("s", "valdoria-estmark")
        xss_story = stable_id("s", "xss")
        titles = ["Valdoria–Estmark talks", "Alliance council", "Regional forum session"]
        meetings = [_event(f"meeting-{i}", [ma[i], mb[i]], outlets, story, "CONSULT", "planned", ma[i].date,
                           ma[i].actors[:1], ma[i].actors[1:], titles[i]) for i in range(3)]
        proposal = _event("proposal", [ma[3], mb[3]], outlets, story, "COOPERATE", "occurred", "2024-02-23",
                          [val], [est], "Valdoria puts forward draft proposals")
        xss_event = _event("xss", mx, outlets, xss_story, "CONSULT", "occurred", "2024-03-01",
                           mx[0].actors, [], '<img src=x onerror="window.__xss=10">')
        # places: the talks' announced venue (planned) and the invented town the proposal was published in
        meetings[0].location = _place(a, sa, "Geneva", 2660646, "PPLA", "CHE", "Geneva", 46.20222, 6.14569)
        proposal.location = _place(b, sb, "Lakeport", 900001, "PPL", "VAL", "Lakeland", 12.5, 40.0)
        events = meetings + [proposal, xss_event]
        stories = [Story(id=story, title="Valdoria and Estmark talks", articles=[a.id, b.id],
                         events=[e.id for e in meetings + [proposal]], outlets=[a.outlet, b.outlet],
                         agreement={"outlets": [a.outlet, b.outlet], "events": 4,
                                    "corroborated": sorted(e.id for e in meetings + [proposal]),
                                    "single_source": {},
                                    "conflicts": [{"event": proposal.id, "field": "date",
                                                   "values": proposal.agreement["date"]["values"]}]}),
                   Story(id=xss_story, title='<script>window.__xss=11</script> story', articles=[x.id],
                         events=[xss_event.id], outlets=[x.outlet])]
        store.write_resolution(events, stories)
    finally:
        store.close()
    return Fixture(story=story, meetings=[e.id for e in meetings], proposal=proposal.id, xss_event=xss_event.id,
                   xss_story=xss_story, article_a=a.id, article_b=b.id, article_x=x.id)


# ------------------------------------------------------------------ server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real uvicorn server for `app` in a daemon thread, stopped on exit."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/openapi.json", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def wait_for_job(base: str, status_url: str, token: str = TOKEN, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = httpx.get(base + status_url, headers={"X-Crosswire-Token": token}).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise TimeoutError(status_url)
