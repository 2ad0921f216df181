"""The `crosswire` command: a thin shell over the pipeline, the store and the
outputs. Every command that reads the store takes --db (default
crosswire.duckdb in the working directory, or CROSSWIRE_DB)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import click

from .config import Settings

DB_HELP = "DuckDB file or postgresql:// URL (default: crosswire.duckdb here, or $CROSSWIRE_DB)."


def _db_option(fn):
    return click.option("--db", default=None, help=DB_HELP)(fn)


def _settings(db: Optional[str] = None, **overrides: Any) -> Settings:
    return Settings.load(db=db, **overrides)


def _open(db: Optional[str]):
    from .store import open_store

    return open_store(_settings(db).db)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
@click.version_option(package_name="crosswire")
def main() -> None:
    """crosswire: news articles to a deduplicated, evidenced record of political events."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# ------------------------------------------------------------------------ run
@main.command()
@click.argument("paths", nargs=-1, required=True)
@_db_option
@click.option("--out", "out_dir", default=None, help="Write events.json, events.csv and briefing.md here.")
@click.option("--outlet", default=None, help="Outlet name for articles whose metadata names none.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True)
@click.option("--master", default="local[*]", show_default=True, help="Spark master (with --engine spark).")
@click.option("--partitions", type=int, default=None, help="Spark partitions (with --engine spark).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--verbose", is_flag=True, help="One line per stored article (instead of a progress bar).")
def run(paths, db, out_dir, outlet, engine, master, partitions, quiet, verbose) -> None:
    """Read articles from PATHS (files, directories, globs) into the store."""
    from .outputs.summary import print_summary

    settings = _settings(db, default_outlet=outlet)
    if engine == "spark":
        from .scale.spark import run_spark

        summary = run_spark(list(paths), settings, master=master, partitions=partitions, out_dir=None,
                            store=settings.db)
    else:
        from .pipeline import Pipeline
        from .runner import run_paths
        from .store import open_store

        with open_store(settings.db) as store:
            progress = _log_progress if verbose else (not quiet and sys.stderr.isatty())
            summary = run_paths(paths, store, Pipeline(settings), progress=progress)
    print_summary(summary)
    if out_dir:
        from .outputs.files import write_outputs

        with _open(settings.db) as store:
            written = write_outputs(store, Path(out_dir))
        click.echo("wrote " + ", ".join(str(p) for p in written))
    if getattr(summary, "interrupted", False):
        click.echo("interrupted: everything processed so far is stored; run again to continue.", err=True)
        sys.exit(130)


def _log_progress(done: int, total: int, label: str) -> None:
    click.echo(f"stored {done}/{total}: {label}", err=True)


# --------------------------------------------------------------------- events
@main.command()
@_db_option
@click.option("--actor", help="Actor name (substring) or code (USA, NATO, ...).")
@click.option("--type", "event_type", help="PLOVER event type, e.g. CONSULT.")
@click.option("--status", help="occurred, planned, ongoing, hypothetical, negated, denied, claimed.")
@click.option("--from", "date_from", help="Events on or after this ISO date.")
@click.option("--to", "date_to", help="Events on or before this ISO date.")
@click.option("--outlet", help="Reported by this outlet (substring).")
@click.option("--story", help="Story id (or prefix).")
@click.option("--country", help="ISO3 code of the event's place, e.g. UKR.")
@click.option("--min-reports", type=int, default=1, show_default=True,
              help="Only events reported by at least this many articles.")
@click.option("--limit", type=int, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def events(db, actor, event_type, status, date_from, date_to, outlet, story, country, min_reports, limit,
           as_json) -> None:
    """List canonical events, filtered."""
    from .outputs.tables import print_events
    from .records import to_dict

    with _open(db) as store:
        found = store.events(actor=actor, event_type=event_type, status=status, date_from=date_from,
                             date_to=date_to, outlet=outlet, story=story, country=country)
    found = [e for e in found if len({m.article for m in e.mentions}) >= min_reports][:limit]
    if as_json:
        _echo_json([to_dict(e) for e in found])
    else:
        print_events(found)


@main.command()
@click.argument("event_id")
@_db_option
@click.option("--json", "as_json", is_flag=True)
def show(event_id, db, as_json) -> None:
    """Every sentence, from every article, behind one event; its quotes and sources."""
    from .outputs.tables import event_detail, print_event_detail

    with _open(db) as store:
        event = store.event(event_id)
        if event is None:
            raise click.ClickException(f"no event {event_id!r} in {store.location}")
        detail = event_detail(store, event)
    if as_json:
        _echo_json(detail)
    else:
        print_event_detail(detail)


@main.command()
@_db_option
@click.option("--json", "as_json", is_flag=True)
def stories(db, as_json) -> None:
    """List stories with their articles, outlets and events."""
    from .outputs.tables import print_stories
    from .records import to_dict

    with _open(db) as store:
        found = store.stories()
    if as_json:
        _echo_json([to_dict(s) for s in found])
    else:
        print_stories(found)


@main.command()
@_db_option
@click.option("--speaker", help="Speaker name (substring) or code.")
@click.option("--article", help="Article id.")
@click.option("--json", "as_json", is_flag=True)
def quotes(db, speaker, article, as_json) -> None:
    """List quotes with speakers, media and provenance."""
    from .outputs.tables import print_quotes
    from .records import to_dict

    with _open(db) as store:
        found = store.quotes(article=article, speaker=speaker)
    if as_json:
        _echo_json([to_dict(q) for q in found])
    else:
        print_quotes(found)


@main.command()
@click.argument("story_id")
@_db_option
@click.option("--json", "as_json", is_flag=True)
def compare(story_id, db, as_json) -> None:
    """Where the outlets of a story agree and differ, field by field."""
    from .outputs.tables import print_comparison, story_comparison

    with _open(db) as store:
        story = store.story(story_id)
        if story is None:
            raise click.ClickException(f"no story {story_id!r} in {store.location}")
        rows = story_comparison(store, story)
    if as_json:
        _echo_json(rows)
    else:
        print_comparison(story, rows)


@main.command(name="resolve")
@_db_option
@click.option("--full", is_flag=True,
              help="Resolve every stored article again (after changing thresholds or models); "
                   "stored events are still never split.")
def resolve_command(db, full) -> None:
    """Resolve stored articles no run has resolved yet (or all, with --full)."""
    from .pipeline import Pipeline
    from .runner import resolve_store

    settings = _settings(db)
    with _open(db) as store:
        update = resolve_store(store, Pipeline(settings), full)
        counts = store.counts()
    click.echo(f"resolved {len(update.resolved_articles)} articles "
               f"({'all again' if update.full else 'incrementally'}): "
               f"{counts['events']} events, {counts['stories']} stories stored")
    for note in update.log:
        click.echo(note)


@main.command()
@_db_option
def quarantine(db) -> None:
    """Inputs that were refused, and why."""
    with _open(db) as store:
        rows = store.quarantined()
    if not rows:
        click.echo("nothing quarantined")
    for r in rows:
        click.echo(f"{r.path}: {r.reason}" + (f" ({r.detail})" if r.detail else ""))


@main.command()
@click.argument("fmt", type=click.Choice(["json", "csv", "briefing", "plover", "parquet", "ics", "geojson"]))
@click.option("--out", "out_path", required=True, help="File to write.")
@_db_option
def export(fmt, out_path, db) -> None:
    """Export the store: events.json, CSV, briefing, PLOVER JSONL, Parquet, iCalendar or GeoJSON."""
    from .outputs.files import export_one

    with _open(db) as store:
        path = export_one(store, fmt, Path(out_path))
    click.echo(f"wrote {path}")


# ----------------------------------------------------------------------- eval
EVAL_TASKS = ("seeds", "timex", "quotes", "events", "coref", "geo")


@main.command(name="eval")
@click.argument("task", type=click.Choice(EVAL_TASKS))
@click.argument("data", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object of metrics (fractions 0-1).")
@click.option("--split", default=None, help="Task-specific split name (e.g. dev).")
@click.option("--limit", type=int, default=None, help="Score only the first N documents/items.")
def evaluate(task, data, as_json, split, limit) -> None:
    """Score crosswire on a benchmark: seeds, timex, quotes, events, coref, geo."""
    import importlib

    module = importlib.import_module(f"crosswire.evaluate.{task}")
    if data is None and task != "seeds":
        raise click.UsageError(f"crosswire eval {task} needs DATA (a file or directory)")
    metrics = module.run(data, argparse.Namespace(split=split, limit=limit))
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False, sort_keys=True))
    else:
        extra = getattr(module, "format_report", None)
        if extra:
            click.echo(extra(metrics))
        click.echo(module.format_line(metrics))


# ---------------------------------------------------------------------- serve
@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--token", default=None, envvar="CROSSWIRE_TOKEN",
              help="Token required for writes (also $CROSSWIRE_TOKEN).")
@click.option("--read-token-required", is_flag=True, help="Require the token for reads too.")
def serve(db, host, port, token, read_token_required) -> None:
    """Serve the REST API and the web desk on the store."""
    from .web import serve as serve_app

    serve_app(db=_settings(db).db, host=host, port=port, token=token, read_token_required=read_token_required)


if __name__ == "__main__":  # pragma: no cover
    main()
