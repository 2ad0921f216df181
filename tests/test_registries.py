"""Each plug-in kind is registered once and that registration is what every
caller reads: stages declare what they need and provide (and the Pipeline
refuses an order that lacks an upstream stage), output renderers feed the CLI
choices, the web export routes and `run --out`, input formats feed directory
walking, suffix detection and sniffing. Real spaCy, real DuckDB, the real app."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosswire import Pipeline
from crosswire.extract import RESULT_FIELDS, StageOrderError, check_stages, registered_stages, stage_info

# ------------------------------------------------------------------- stages


def test_a_stage_without_its_upstream_stage_is_an_error_naming_both():
    with pytest.raises(StageOrderError, match=r"stage 'quotes' needs stage 'time', which is not configured"):
        Pipeline(stages=("actors", "sources", "quotes", "events"), progress=False)
    with pytest.raises(StageOrderError, match=r"stage 'events' needs stage 'time', which is after it"):
        Pipeline(stages=("events", "time", "actors", "sources", "quotes"), progress=False)
    assert [s.name for s in check_stages(("time", "actors"))] == ["time", "actors"]


def test_builtin_stages_declare_every_result_field_once():
    provided = [field for name in registered_stages() for field in stage_info(name).provides]
    assert sorted(provided) == sorted(RESULT_FIELDS)
    assert stage_info("events").needs == ("time", "actors", "sources", "quotes")


def test_the_transformer_pass_is_made_only_for_a_stage_that_declares_reading_it():
    """Stages say whether they read `ArticleContext.encoding` under given
    settings; the pipeline makes the pass only when a configured one does."""
    from crosswire.config import Settings

    tagger_off = Settings.load(progress=False, quotes_tagger=False)
    assert stage_info("quotes").reads_encoding(Settings.load(progress=False)) is True
    assert stage_info("quotes").reads_encoding(tagger_off) is False
    assert not any(stage_info(name).reads_encoding(tagger_off) for name in ("time", "actors", "sources"))
    assert Pipeline(stages=("time", "actors", "sources"), progress=False).encoder is None
    assert Pipeline(stages=("time", "actors", "sources", "quotes"), progress=False).encoder is not None


def test_each_stage_appends_only_what_it_declares(nlp):
    """Run the stages one by one on a real article: after each, only the
    fields it declares have grown (the declarations tell the truth)."""
    from crosswire.extract import Anchor, ArticleContext
    from crosswire.records import Article, ArticleResult

    text = ("Russia and the United States will hold talks in Geneva on January 10, 2022, "
            "Foreign Minister Sergei Lavrov told the TASS news agency on Monday. "
            '"We expect a difficult conversation," Lavrov said, according to Reuters.')
    article = Article(id="a1", path="<test>", text=text, published="2021-12-27")
    doc = nlp(text)
    from crosswire.annotate import sentences_of

    result = ArticleResult(article=article, sentences=sentences_of(doc))
    ctx = ArticleContext(article=article, doc=doc, sentences=result.sentences, settings=Pipeline().settings,
                         result=result, anchor=Anchor("2021-12-27", "publication"))
    for name in ("time", "actors", "sources", "quotes", "events", "places"):
        before = {f: len(getattr(result, f)) for f in RESULT_FIELDS}
        stage_info(name).run(ctx)
        grown = {f for f in RESULT_FIELDS if len(getattr(result, f)) != before[f]}
        assert grown <= set(stage_info(name).provides), (name, grown)
        assert grown, f"stage {name} found nothing in an article made for it"


# ---------------------------------------------------------------- renderers


@pytest.fixture
def extra_renderer():
    """A renderer registered by a test, removed afterwards."""
    from crosswire.outputs.renderers import RENDERERS, register_renderer

    @register_renderer("event-ids", filename="event-ids.txt", media_type="text/plain; charset=utf-8",
                       description="One event id a line", in_run_out=True)
    def _ids(source):
        return "".join(e.id + "\n" for e in source.events)

    yield "event-ids"
    RENDERERS.pop("event-ids")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, examples_dir):
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    db = str(tmp_path_factory.mktemp("registries") / "x.duckdb")
    files = sorted((examples_dir / "text").glob("*.txt"))[:2]
    with open_store(db) as store:
        run_paths([str(f) for f in files], store, Pipeline(progress=False))
    return db


def test_cli_export_choices_are_the_registered_renderers():
    from crosswire.cli import export
    from crosswire.outputs.renderers import RENDERERS

    choice = next(p for p in export.params if p.name == "fmt")
    assert list(choice.type.choices) == list(RENDERERS)


def test_one_registration_feeds_web_routes_and_run_outputs(small_store, extra_renderer, tmp_path):
    from fastapi.testclient import TestClient

    from crosswire.outputs.files import export_one, write_outputs
    from crosswire.outputs.renderers import RENDERERS, run_out_renderers
    from crosswire.store import open_store
    from crosswire.web import create_app

    with open_store(small_store) as store:
        written = write_outputs(store, tmp_path / "out")
        events = store.events()
        export_one(store, "event-ids", tmp_path / "ids.txt")
    assert [p.name for p in written] == [r.filename for r in run_out_renderers()]
    assert {"events.json", "events.csv", "briefing.md", "event-ids.txt"} == {p.name for p in written}
    assert (tmp_path / "ids.txt").read_text().split() == [e.id for e in events]
    with TestClient(create_app(db=small_store)) as client:
        for renderer in RENDERERS.values():
            response = client.get(renderer.web_path)
            assert response.status_code == 200, (renderer.name, response.text[:200])
            assert response.headers["content-type"].split(";")[0] == renderer.media_type.split(";")[0]
            assert f'filename="crosswire-{renderer.filename}"' in response.headers["content-disposition"]
        assert client.get("/api/export/event-ids.txt").text.split() == [e.id for e in events]
        data = client.get("/api/export/events.json").json()
        assert data["run"]["producer"] and [e["id"] for e in data["events"]] == [e.id for e in events]
        paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/api/export/plover.jsonl", "/api/export/events.csv", "/api/export/events.parquet",
            "/api/export/planned.ics"} <= paths


# ------------------------------------------------------------------ formats


@pytest.fixture
def markdown_format():
    """A format registered by a test (Markdown read as text), removed afterwards."""
    from crosswire.ingest.formats import INPUT_FORMATS, InputFormat, register_format

    text = INPUT_FORMATS["text"]
    register_format(InputFormat("markdown", (".md",), lambda head: False, read_bytes=text.read_bytes))
    yield "markdown"
    INPUT_FORMATS.pop("markdown")


def test_one_format_registration_feeds_walking_and_reading(tmp_path, markdown_format):
    from crosswire.ingest import expand_paths, read_inputs
    from crosswire.records import Article

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "talks.md").write_text("Talks in Geneva\n\nRussia and the United States will hold talks in "
                                     "Geneva on January 10, 2022, officials said.\n", encoding="utf-8")
    (folder / "notes.xyz").write_text("not an input", encoding="utf-8")
    assert [Path(p).name for p in expand_paths([str(folder)])] == ["talks.md"]
    items = list(read_inputs([str(folder)]))
    assert len(items) == 1 and isinstance(items[0], Article) and items[0].title == "Talks in Geneva"


@pytest.mark.parametrize("head, expected", [
    (b"WARC/1.0\r\n", "warc"), (b"<?xml version='1.0'?><rss>", "feed"), (b"<?xml version='1.0'?><html>", "html"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"), (b"  [{\"text\": 1}]", "json"), (b"{\"text\": 1}\n", "jsonl"),
    (b"Plain title\n\nBody.", "text"),
])
def test_sniffing_follows_registration_order(head, expected):
    from crosswire.ingest.formats import format_of

    assert format_of("no-suffix", head).name == expected
    assert format_of("x.warc.gz", b"").name == "warc" and format_of("page.HTM", b"").name == "html"


def test_events_json_keys(small_store, tmp_path):
    from crosswire.outputs.files import export_one
    from crosswire.store import open_store

    with open_store(small_store) as store:
        path = export_one(store, "json", tmp_path / "events.json")
    assert list(json.loads(path.read_text())) == ["run", "articles", "events", "quotes", "stories"]
