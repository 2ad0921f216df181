"""File outputs of a run (`--out DIR`) and of `crosswire export`."""
from __future__ import annotations

import json
from pathlib import Path

from ..pipeline import Results
from . import exports, results_to_json
from .briefing import render_briefing


def results_from_store(store) -> Results:
    """The same Results a Pipeline returns, rebuilt from the store."""
    return Results(articles=store.load_results(), events=store.events(), stories=store.stories())


def _articles(results: Results) -> dict:
    return {r.article.id: r.article for r in results.articles}


# format -> (renderer of Results to str or bytes)
RENDERERS = {
    "json": lambda r: json.dumps(results_to_json(r), ensure_ascii=False, indent=2),
    "csv": lambda r: exports.events_csv(r.events),
    "briefing": render_briefing,
    "plover": lambda r: exports.plover_jsonl(r.events, _articles(r)),
    "parquet": lambda r: exports.events_parquet(r.events),
    "ics": lambda r: exports.planned_ics(r.events, _articles(r)),
    "geojson": lambda r: exports.events_geojson(r.events),
}


def write(results: Results, fmt: str, path: Path) -> Path:
    content = RENDERERS[fmt](results)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_outputs(store, out_dir: Path) -> list[Path]:
    """events.json, events.csv and briefing.md for everything in the store."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = results_from_store(store)
    return [write(results, "json", out_dir / "events.json"), write(results, "csv", out_dir / "events.csv"),
            write(results, "briefing", out_dir / "briefing.md")]


def export_one(store, fmt: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(results_from_store(store), fmt, path)
