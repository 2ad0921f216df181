"""File outputs of a run (`--out DIR`) and of `crosswire export`: the
registered renderers (outputs/renderers.py) written to disk."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .renderers import ExportSource, Renderer, renderer, run_out_renderers


def write(source: ExportSource, chosen: Renderer, path: Path) -> Path:
    content = chosen.render(source)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_outputs(store: Any, out_dir: Path) -> list[Path]:
    """Every renderer registered with `in_run_out` (events.json, events.csv,
    briefing.md), for everything in the store."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = ExportSource(store=store)
    return [write(source, r, out_dir / r.filename) for r in run_out_renderers()]


def export_one(store: Any, fmt: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(ExportSource(store=store), renderer(fmt), path)
