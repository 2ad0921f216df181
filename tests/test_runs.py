"""The run contract of issue 3: idempotent re-runs, incremental batches equal
to one batch, bad input quarantined while the batch goes on, and Ctrl-C or a
kill mid-run losing nothing. Real spaCy, real DuckDB, the real CLI."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crosswire import Pipeline
from crosswire.records import to_dict
from crosswire.runner import run_paths
from crosswire.store import open_store

CLI = [sys.executable, "-m", "crosswire.cli"]


def _corpus_records(shared_dir: Path, n: int) -> list[dict]:
    rows = [json.loads(line) for line in (shared_dir / "corpus" / "articles.jsonl").open(encoding="utf-8")]
    story = [r for r in rows if r.get("story") == "us-iran-soleimani-2020"]
    others = [r for r in rows if r.get("story") is None]
    return (story + others)[:n]


def _write_txt(folder: Path, records: list[dict]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for r in records:
        path = folder / f"{r['id']}.txt"
        # a title line, a date line, then the body: the plain-text shape ingest reads
        path.write_text(f"{r['title']}\n{r['published']}\n\n{r['text']}\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(progress=False)


@pytest.fixture(scope="module")
def articles(tmp_path_factory, shared_dir) -> list[Path]:
    return _write_txt(tmp_path_factory.mktemp("articles"), _corpus_records(shared_dir, 6))


def _snapshot(db: str) -> dict:
    """Everything derived, as comparable JSON (ids included)."""
    with open_store(db) as store:
        return {
            "articles": sorted(a.id for a in store.articles()),
            "events": sorted((json.dumps(to_dict(e), sort_keys=True) for e in store.events())),
            "quotes": sorted(q.id for q in store.quotes()),
            "stories": sorted(json.dumps(to_dict(s), sort_keys=True) for s in store.stories()),
            "counts": store.counts(),
        }


def test_rerun_adds_nothing(tmp_path, articles, pipeline):
    db = str(tmp_path / "x.duckdb")
    with open_store(db) as store:
        first = run_paths([str(p) for p in articles], store, pipeline)
    before = _snapshot(db)
    with open_store(db) as store:
        second = run_paths([str(p) for p in articles], store, pipeline)
    assert first.articles_new == len(articles)
    assert second.articles_new == 0 and second.articles_known == len(articles)
    assert _snapshot(db) == before
    assert before["counts"]["articles"] == len(articles)


def test_same_text_from_two_paths_is_one_article(tmp_path, articles, pipeline):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(articles[0].read_bytes())
    db = str(tmp_path / "x.duckdb")
    with open_store(db) as store:
        summary = run_paths([str(articles[0]), str(copy)], store, pipeline)
        assert summary.articles_new == 1 and summary.articles_known == 1
        assert store.counts()["articles"] == 1


def test_incremental_batches_equal_one_batch(tmp_path, articles, pipeline):
    together, split = str(tmp_path / "together.duckdb"), str(tmp_path / "split.duckdb")
    with open_store(together) as store:
        run_paths([str(p) for p in articles], store, pipeline)
    with open_store(split) as store:
        run_paths([str(p) for p in articles[3:]], store, pipeline)
        run_paths([str(p) for p in articles[:3]], store, pipeline)
    a, b = _snapshot(together), _snapshot(split)
    assert a["events"] == b["events"]
    assert a["stories"] == b["stories"]
    assert a == b


def test_bad_input_is_quarantined_and_batch_goes_on(tmp_path, articles, pipeline):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 200)
    (bad / "broken.jsonl").write_text('{"text": "unterminated\n', encoding="utf-8")
    db = str(tmp_path / "x.duckdb")
    with open_store(db) as store:
        summary = run_paths([str(articles[0]), str(bad), str(tmp_path / "missing.txt")], store, pipeline)
        quarantined = {Path(r.path).name: r.reason for r in store.quarantined()}
        assert store.counts()["articles"] == 1
    assert summary.articles_new == 1
    rejected = {Path(r.path.split(":")[0]).name for r in summary.rejections}
    assert {"empty.txt", "binary.txt", "missing.txt"} <= rejected
    assert any("broken.jsonl" in r.path for r in summary.rejections)
    assert all(r.reason and "Traceback" not in r.reason for r in summary.rejections)
    assert "empty.txt" in quarantined and "binary.txt" in quarantined


def test_cli_reports_bad_files_by_name(tmp_path, articles):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    db = tmp_path / "x.duckdb"
    out = subprocess.run(CLI + ["run", str(articles[0]), str(empty), "--db", str(db), "--quiet"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "empty.txt" in out.stdout and "Traceback" not in out.stdout + out.stderr
    assert "articles read" in out.stdout


def _interrupted_run(tmp_path: Path, files: list[Path], sig: int) -> tuple[str, int]:
    db = str(tmp_path / "x.duckdb")
    # one article per spaCy batch: each store then waits for the next article's extraction, so
    # the signal lands mid-run (with a batch of 32 the six stores follow each other within
    # milliseconds and a busy machine delivered the signal after the run had ended)
    # and Ctrl-C's default action in the child, whatever this test process inherited (an ignored
    # SIGINT would be inherited by the child, which would then finish and exit 0)
    env = {**os.environ, "CROSSWIRE_SPACY_BATCH_SIZE": "1"}
    proc = subprocess.Popen(CLI + ["run", *map(str, files), "--db", db, "--verbose"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while time.time() < deadline:  # wait until at least one article is stored
        line = proc.stderr.readline()
        if line.startswith("stored 1/"):
            break
        if proc.poll() is not None:
            break
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return db, proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_interrupted_run_loses_nothing_and_resumes(tmp_path, articles, sig, pipeline):
    db, code = _interrupted_run(tmp_path, articles, sig)
    assert code != 0
    with open_store(db) as store:
        stored = store.counts()["articles"]
        assert 1 <= stored <= len(articles)
        # what was stored is whole: each stored article has its results row
        assert len(store.load_results()) == stored
    with open_store(db) as store:
        resumed = run_paths([str(p) for p in articles], store, pipeline)
    assert resumed.articles_new == len(articles) - stored
    clean = str(tmp_path / "clean.duckdb")
    with open_store(clean) as store:
        run_paths([str(p) for p in articles], store, pipeline)
    assert _snapshot(db) == _snapshot(clean)


def test_ctrl_c_exit_message(tmp_path, articles):
    db, code = _interrupted_run(tmp_path, articles, signal.SIGINT)
    assert code == 130


def test_cli_queries_and_outputs(tmp_path, articles):
    db = str(tmp_path / "x.duckdb")
    out_dir = tmp_path / "out"
    done = subprocess.run(CLI + ["run", *map(str, articles[:3]), "--db", db, "--out", str(out_dir), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((out_dir / "events.json").read_text())
    assert set(data) == {"run", "articles", "events", "quotes", "stories"}
    assert {"producer", "crosswire_version", "stages", "models"} <= set(data["run"])
    assert data["run"]["stages"] == ["time", "actors", "sources", "quotes", "events", "places"]
    assert all(m["loaded"] and len(m["fingerprint"]) == 16 for m in data["run"]["models"])
    assert len(data["articles"]) == 3
    for article in data["articles"]:
        assert {"id", "path", "outlet", "title", "published", "published_basis"} <= set(article)
    assert (out_dir / "events.csv").read_text().startswith("id,")
    assert (out_dir / "briefing.md").read_text().startswith("# crosswire briefing")
    listed = subprocess.run(CLI + ["events", "--db", db, "--json"], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    events = json.loads(listed.stdout)
    assert len(events) == len(data["events"])
    stories = subprocess.run(CLI + ["stories", "--db", db, "--json"], capture_output=True, text=True, timeout=120)
    assert len(json.loads(stories.stdout)) == len(data["stories"])
    if events:
        e = events[0]
        shown = subprocess.run(CLI + ["show", e["id"], "--db", db, "--json"], capture_output=True, text=True,
                               timeout=120)
        detail = json.loads(shown.stdout)
        assert detail["event"]["id"] == e["id"]
        assert len(detail["evidence"]) == len(e["mentions"])
        by_status = subprocess.run(CLI + ["events", "--db", db, "--json", "--status", e["status"]],
                                   capture_output=True, text=True, timeout=120)
        assert all(x["status"] == e["status"] for x in json.loads(by_status.stdout))
    missing = subprocess.run(CLI + ["show", "nonexistent", "--db", db], capture_output=True, text=True,
                             timeout=120)
    assert missing.returncode != 0 and "no event" in missing.stderr


def test_python_api_returns_records_and_frames(pipeline):
    out = pipeline.process(["Russia and the United States will hold talks in Geneva on January 10, 2022. "
                            "Lavrov said the talks would be difficult."])
    assert len(out.articles) == 1 and out.articles[0].sentences
    frame = out.events_df()
    assert len(frame) == len(out.events)
    assert out.to_json()["articles"][0]["id"] == out.articles[0].article.id
