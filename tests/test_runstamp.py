"""Versioned outputs: every run stamps what produced it (crosswire version,
stages, each model's fingerprint and whether it loaded), stored results name
their producer, an upgrade re-extracts what older producers stored (without
duplicating events, and surviving Ctrl-C), `crosswire doctor` reports models
and extras, and a model the configuration uses that is missing fails loudly.
Real spaCy, real DuckDB, the real CLI (in-process), the bundled examples."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire import Pipeline, runstamp
from crosswire.cli import main
from crosswire.records import to_dict
from crosswire.runner import reextract_store, run_paths
from crosswire.store import FULL_RESOLUTION_DUE, open_store


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(progress=False)


@pytest.fixture(scope="module")
def older():
    """An older configuration: the quotes tagger off (another producer, other spans)."""
    return Pipeline(progress=False, quotes_tagger=False)


@pytest.fixture(scope="module")
def files(examples_dir) -> list[str]:
    return sorted(map(str, (examples_dir / "text").glob("*.txt")))[:3]


def _snapshot(db: str) -> dict:
    with open_store(db) as store:
        return {"results": [json.dumps(to_dict(r), sort_keys=True) for r in store.load_results()],
                "events": [json.dumps(to_dict(e), sort_keys=True) for e in store.events()],
                "stories": [json.dumps(to_dict(s), sort_keys=True) for s in store.stories()],
                "counts": store.counts()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory, files, pipeline) -> dict:
    """What the current pipeline stores from the files in an empty store."""
    db = str(tmp_path_factory.mktemp("clean") / "clean.duckdb")
    with open_store(db) as store:
        run_paths(files, store, pipeline)
    return _snapshot(db)


def _assert_no_duplicates(db: str) -> None:
    with open_store(db) as store:
        members = [m for (m,) in store.execute("SELECT mention_id FROM event_members")]
        stored = {m for (m,) in store.execute("SELECT id FROM event_mentions")}
    assert len(members) == len(set(members)) and set(members) <= stored


def test_results_and_events_json_carry_the_run_stamp(pipeline):
    out = pipeline.process(["Russia and the United States will hold talks in Geneva on January 10, 2022, "
                            "Lavrov said."])
    stamp = out.to_json()["run"]
    assert stamp["producer"] == pipeline.producer == out.articles[0].producer
    assert stamp["crosswire_version"] and stamp["stages"] == list(pipeline.settings.stages)
    assert [m["name"] for m in stamp["models"]] == [m.name for m in runstamp.used_models(pipeline.settings)]
    assert all(m["loaded"] and len(m["fingerprint"]) == 16 for m in stamp["models"])
    assert "quotes-tagger" in {m["name"] for m in stamp["models"]}


def test_producer_changes_with_models_and_stages(pipeline, older):
    assert older.producer != pipeline.producer
    assert "quotes-tagger" not in {m["name"] for m in older.run_stamp()["models"]}
    assert Pipeline(progress=False).producer == pipeline.producer  # stable


def test_a_run_after_an_upgrade_re_extracts_its_stale_articles(tmp_path, files, pipeline, older, clean):
    db = str(tmp_path / "x.duckdb")
    with open_store(db) as store:
        run_paths(files, store, older)
        assert store.stale_articles(pipeline.producer) == sorted(store.known_article_ids())
        summary = run_paths(files, store, pipeline)
        assert summary.articles_reextracted == len(files) and summary.articles_new == 0
        assert summary.stale_left == 0 and store.producer_counts() == {pipeline.producer: len(files)}
        again = run_paths(files, store, pipeline)  # nothing stale any more: a plain re-run
        assert again.articles_reextracted == 0 and again.articles_known == len(files)
    assert _snapshot(db) == clean
    _assert_no_duplicates(db)


def test_reextract_reaches_stored_articles_and_resumes_after_ctrl_c(tmp_path, files, pipeline, older, clean):
    db = str(tmp_path / "x.duckdb")
    with open_store(db) as store:
        run_paths(files, store, older)

    def interrupt_after_first(done: int, total: int, label: str) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with open_store(db) as store:
        first = reextract_store(store, pipeline, progress=interrupt_after_first)
        assert first.interrupted and first.articles_reextracted == 1
        assert len(store.stale_articles(pipeline.producer)) == len(files) - 1
        assert store._state(FULL_RESOLUTION_DUE) == "1"  # the resolution it owes survives the interruption
    result = CliRunner().invoke(main, ["reextract", "--db", db, "--quiet"])
    assert result.exit_code == 0, result.output
    with open_store(db) as store:
        assert store.stale_articles(pipeline.producer) == [] and store._state(FULL_RESOLUTION_DUE) is None
    assert _snapshot(db) == clean
    _assert_no_duplicates(db)


def test_doctor_lists_models_extras_and_the_stores_producers(tmp_path, files, pipeline):
    db = str(tmp_path / "x.duckdb")
    with open_store(db) as store:
        run_paths(files[:1], store, pipeline)
    result = CliRunner().invoke(main, ["doctor", "--db", db])
    assert result.exit_code == 0, result.output
    for model in runstamp.RUNTIME_MODELS:
        assert model.name in result.output
    assert "quotes-tagger graph" in result.output
    for extra in ("web", "postgres", "spark", "embeddings", "test"):
        assert f"  {extra}" in result.output
    assert f"1 articles extracted by {pipeline.producer} (current)" in result.output


def test_a_missing_model_fails_loudly(monkeypatch, tmp_path, files):
    monkeypatch.setattr(runstamp, "DATA_DIR", tmp_path / "no-data")
    with pytest.raises(runstamp.ModelUnavailable, match=r"model time-dispatch \(stage 'time'\): missing"):
        Pipeline(progress=False)
    result = CliRunner().invoke(main, ["run", files[0], "--db", str(tmp_path / "x.duckdb"), "--quiet"])
    assert result.exit_code == 1 and "missing data/time/dispatch.json" in result.output
    assert "Traceback" not in result.output


def test_a_model_that_does_not_load_fails_loudly(monkeypatch):
    from crosswire.extract.quotes import tagger

    monkeypatch.setattr(tagger, "load_tagger", lambda *args: None)
    pipe = Pipeline(progress=False)
    with pytest.raises(runstamp.ModelUnavailable, match=r"quotes-tagger .*did not load.*CROSSWIRE_QUOTES_TAGGER=0"):
        pipe.process(["Officials said talks would resume."])
    # the events stage's sentence model reads the same pass: turning the tagger's spans off does not
    # make a run without it, and the run says which stage needs it rather than coding events without
    from crosswire.extract.events import EventModelMissing

    with pytest.raises(EventModelMissing, match="transformer pass"):
        Pipeline(progress=False, quotes_tagger=False).process(["Officials said talks would resume."])


def test_a_model_with_a_fallback_is_a_warning_not_an_error(monkeypatch, caplog):
    """The quotes tagger's int8 ONNX graph makes a run faster (torch runs
    the same merged weights in fp32): without onnxruntime, or when the
    graph does not load (an export that failed), the pipeline still builds
    and loads, the log says why, and the stamp says the graph did not load."""
    from crosswire.config import Settings
    from crosswire.extract.quotes import tagger
    from crosswire.loading import load_once

    graph = next(m for m in runstamp.RUNTIME_MODELS if m.fallback)
    assert graph.name == "quotes-tagger-onnx" and graph.package == "onnxruntime"
    settings = Settings.load()
    real_version = runstamp._package_version
    with monkeypatch.context() as patch:
        patch.setattr(runstamp, "_package_version", lambda d: None if d == "onnxruntime" else real_version(d))
        assert graph.missing() == ["the onnxruntime package"]
        runstamp.check_present(settings)  # no ModelUnavailable
        with caplog.at_level(logging.WARNING, logger=runstamp.__name__):
            runstamp.require_loaded(settings, stage="quotes")
        assert "quotes-tagger-onnx: missing the onnxruntime package; torch runs" in caplog.text
    caplog.clear()
    monkeypatch.setattr(tagger, "load_graph", load_once(lambda base, adapter: None))
    with caplog.at_level(logging.WARNING, logger=runstamp.__name__):
        runstamp.require_loaded(settings, stage="quotes")
    assert "model quotes-tagger-onnx did not load; torch runs" in caplog.text
    stamp = {m["name"]: m["loaded"] for m in runstamp.run_stamp(settings)["models"]}
    assert stamp["quotes-tagger-onnx"] is False and stamp["quotes-tagger"] is True


def test_the_stamp_is_in_the_wheel_data(tmp_path):
    """Every runtime model's files ship under data/ (what the wheel carries)."""
    for model in runstamp.RUNTIME_MODELS:
        assert model.missing() == [], model.name
        assert all((Path(runstamp.DATA_DIR) / f).stat().st_size > 0 for f in model.files)
