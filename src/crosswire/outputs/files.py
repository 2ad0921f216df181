"""File outputs of a run (`--out DIR`) and of `crosswire export`."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from ..pipeline import Results
from ..records import Event
from . import event_row, results_to_json
from .briefing import render_briefing


def results_from_store(store) -> Results:
    """The same Results a Pipeline returns, rebuilt from the store."""
    return Results(articles=store.load_results(), events=store.events(), stories=store.stories())


def write_json(results: Results, path: Path) -> Path:
    path.write_text(json.dumps(results_to_json(results), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_csv(results: Results, path: Path) -> Path:
    rows = [event_row(e) for e in results.events]
    fields = list(event_row(Event(id="", event_type="", status="")))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_briefing(results: Results, path: Path) -> Path:
    path.write_text(render_briefing(results), encoding="utf-8")
    return path


def write_outputs(store, out_dir: Path) -> list[Path]:
    """events.json, events.csv and briefing.md for everything in the store."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = results_from_store(store)
    return [write_json(results, out_dir / "events.json"), write_csv(results, out_dir / "events.csv"),
            write_briefing(results, out_dir / "briefing.md")]


def export_one(store, fmt: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    results = results_from_store(store)
    if fmt == "json":
        return write_json(results, path)
    if fmt == "csv":
        return write_csv(results, path)
    if fmt == "briefing":
        return write_briefing(results, path)
    from . import exports  # PLOVER JSONL, Parquet, iCalendar

    writer = {"plover": exports.write_plover_jsonl, "parquet": exports.write_parquet, "ics": exports.write_ics}[fmt]
    writer(results.events, path)
    return path
