"""The `crosswire` command: a thin shell over the pipeline, the store and the
outputs. Every command that reads the store takes --db (default
crosswire.duckdb in the working directory, or CROSSWIRE_DB). Commands that
only read open the store read-only (a missing store is an error, never a new
empty one); a store that cannot be opened or a file that cannot be written
ends the command with one line, never a traceback."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import click

from .config import Settings
from .sanitize import printable

if TYPE_CHECKING:
    from .runner import RunSummary

DB_HELP = "DuckDB file or postgresql:// URL (default: crosswire.duckdb here, or $CROSSWIRE_DB)."


def _db_option(fn):
    return click.option("--db", default=None, help=DB_HELP)(fn)


def _settings(db: Optional[str] = None, **overrides: Any) -> Settings:
    return Settings.load(db=db, **overrides)


def _open(db: Optional[str], read_only: bool = True):
    from .store import open_store

    settings = _settings(db)
    return open_store(settings.db, read_only=read_only, wait_seconds=settings.store_wait_seconds)


def _iso_date(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    """A date filter as the store compares it: YYYY, YYYY-MM or YYYY-MM-DD, and a real one."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise ValueError
        date.fromisoformat((value + "-01-01")[:10])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return value


def _iso3(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[str]:
    """A country filter as the store compares it: three letters (ISO 3166 alpha-3), upper case."""
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise click.BadParameter(f"{value!r} is not an ISO3 country code: use three letters, e.g. UKR")
    return value.upper()


class _Commands(click.Group):
    """Failures of configuration, models, stores and the file system end a
    command with one line (`Error: ...`, naming the model, stage, store or
    file) instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from .extract import StageOrderError
        from .runstamp import ModelUnavailable
        from .store import StoreError

        try:
            return super().invoke(ctx)
        except (ModelUnavailable, StageOrderError, StoreError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # e.g. --out names a folder, or a disk is full
            where = f"{printable(exc.filename)}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(cls=_Commands)
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

        summary: RunSummary = run_spark(list(paths), settings, master=master, partitions=partitions, out_dir=None,
                                        store=settings.db)
    else:
        from .pipeline import Pipeline
        from .runner import run_paths
        from .store import open_store

        with open_store(settings.db, wait_seconds=settings.store_wait_seconds) as store:
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
    click.echo(f"stored {done}/{total}: {printable(label)}", err=True)


# --------------------------------------------------------------------- events
@main.group(invoke_without_command=True)
@_db_option
@click.option("--actor", help="Actor name (substring) or code (USA, NATO, ...).")
@click.option("--type", "event_type", help="PLOVER event type, e.g. CONSULT.")
@click.option("--status", help="occurred, planned, ongoing, hypothetical, negated, denied, claimed.")
@click.option("--from", "date_from", callback=_iso_date, help="Events on or after this ISO date.")
@click.option("--to", "date_to", callback=_iso_date, help="Events on or before this ISO date.")
@click.option("--outlet", help="Reported by this outlet (substring).")
@click.option("--story", help="Story id (or prefix).")
@click.option("--country", callback=_iso3, help="ISO3 code of the event's place, e.g. UKR.")
@click.option("--min-reports", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only events reported by at least this many articles.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
              help="Only events whose best mention's confidence is at least this (0-1).")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many events.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def events(ctx, db, actor, event_type, status, date_from, date_to, outlet, story, country, min_reports,
           min_confidence, limit, as_json) -> None:
    """List canonical events, filtered; `events split` and `events join` correct merges."""
    if ctx.invoked_subcommand is not None:
        return
    from .outputs.tables import print_events
    from .records import to_dict

    with _open(db) as store:
        found = store.events(actor=actor, event_type=event_type, status=status, date_from=date_from,
                             date_to=date_to, outlet=outlet, story=story, country=country,
                             min_confidence=min_confidence)
    found = [e for e in found if len({m.article for m in e.mentions}) >= min_reports][:limit]
    if as_json:
        _echo_json([to_dict(e) for e in found])
    else:
        print_events(found)


def _correct(db: Optional[str], make: Callable[[Any], Any]) -> None:
    """Store the correction `make(store)` builds and resolve the store with it."""
    from .pipeline import Pipeline
    from .resolve.corrections import CorrectionError, record_correction

    settings = _settings(db)
    with _open(db, read_only=False) as store:
        try:
            correction = make(store)
        except CorrectionError as exc:
            raise click.ClickException(str(exc)) from None
        record_correction(store, correction, Pipeline(settings).resolve_update)
        found = [store.event_of_mention(k) for k in (correction.mentions[0], (correction.others or [None])[0]) if k]
    click.echo(f"stored {correction.kind} correction {correction.id}; later runs keep it")
    for event in found:
        if event is not None:
            click.echo(f"  {event.id}: {len(event.mentions)} mention(s), {event.event_type} {event.date or 'undated'}")


def _event_or_fail(store: Any, event_id: str) -> Any:
    event = store.event(event_id)
    if event is None:
        raise click.ClickException(f"no event {event_id!r} in {store.location}")
    return event


@events.command(name="split")
@click.argument("event_id")
@click.argument("mention_ids", nargs=-1, required=True)
@_db_option
@click.option("--note", default="", help="Why (kept with the correction).")
def split_event(event_id, mention_ids, db, note) -> None:
    """Take MENTION_IDS (ids or unique prefixes; `crosswire show EVENT_ID --json` lists them) out of
    EVENT_ID into an event of their own, for good."""
    from .resolve.corrections import split_correction

    _correct(db, lambda store: split_correction(_event_or_fail(store, event_id), mention_ids, note))


@events.command(name="join")
@click.argument("first_id")
@click.argument("second_id")
@_db_option
@click.option("--note", default="", help="Why (kept with the correction).")
def join_events(first_id, second_id, db, note) -> None:
    """Make two events one, for good."""
    from .resolve.corrections import join_correction

    _correct(db, lambda store: join_correction(_event_or_fail(store, first_id), _event_or_fail(store, second_id),
                                               note))


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


@main.command()
@_db_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
def reextract(db, quiet) -> None:
    """Re-extract the stored articles an older crosswire (or other stages or
    models) extracted, from their stored text, then resolve everything again.
    `crosswire run` re-extracts such articles among its own inputs."""
    from .outputs.summary import print_summary
    from .pipeline import Pipeline
    from .runner import reextract_store

    settings = _settings(db)
    with _open(db, read_only=False) as store:
        summary = reextract_store(store, Pipeline(settings), progress=not quiet and sys.stderr.isatty())
    print_summary(summary)
    if summary.interrupted:
        click.echo("interrupted: everything re-extracted so far is stored; run again to continue.", err=True)
        sys.exit(130)


@main.command()
@_db_option
def doctor(db) -> None:
    """Which models and optional extras are installed, which the configuration
    uses, and which producer extracted the store's articles (with --db)."""
    from .doctor import report

    ok = report(_settings(db), db is not None or bool(os.environ.get("CROSSWIRE_DB")))
    sys.exit(0 if ok else 1)


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
    with _open(db, read_only=False) as store:
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
    for r in rows:  # paths and details come from the inputs: no control characters reach the terminal
        click.echo(printable(f"{r.path}: {r.reason}" + (f" ({r.detail})" if r.detail else "")))


def _export_formats() -> list[str]:
    from .outputs.renderers import RENDERERS

    return list(RENDERERS)


@main.command()
@click.argument("fmt", type=click.Choice(_export_formats()))
@click.option("--out", "out_path", required=True, help="File to write.")
@_db_option
def export(fmt, out_path, db) -> None:
    """Export the store in one of the registered formats (outputs/renderers.py):
    events.json, CSV, briefing, PLOVER JSONL, Parquet, iCalendar or GeoJSON."""
    from .outputs.files import export_one

    with _open(db) as store:
        path = export_one(store, fmt, Path(out_path))
    click.echo(f"wrote {path}")


# ----------------------------------------------------------------------- eval
EVAL_TASKS = ("seeds", "timex", "quotes", "events", "coref", "geo", "news", "stories")


@main.command(name="eval")
@click.argument("task", type=click.Choice(EVAL_TASKS))
@click.argument("data", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object of metrics (fractions 0-1).")
@click.option("--split", default=None, help="Task-specific split name (e.g. dev).")
@click.option("--limit", type=int, default=None, help="Score only the first N documents/items.")
def evaluate(task, data, as_json, split, limit) -> None:
    """Score crosswire on a benchmark: seeds, timex, quotes, events, coref, geo, news, stories.
    DATA defaults to the corpus under the data root (crosswire.datasets,
    CROSSWIRE_DATA_ROOT) for every task but events."""
    import importlib

    module = importlib.import_module(f"crosswire.evaluate.{task}")
    if data is None and task == "events":
        raise click.UsageError("crosswire eval events needs DATA (a file or directory)")
    try:
        metrics = module.run(data, argparse.Namespace(split=split, limit=limit))
    except FileNotFoundError as exc:  # no DATA given and no data root found
        raise click.ClickException(str(exc)) from None
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
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", default=None, envvar="CROSSWIRE_TOKEN",
              help="Write token: adding articles needs it, and it reads too (better: $CROSSWIRE_TOKEN). "
                   "Without it the server is read-only.")
@click.option("--read-token", default=None, envvar="CROSSWIRE_READ_TOKEN",
              help="Read token: when set, reads need it (or the write token); it never writes "
                   "(also $CROSSWIRE_READ_TOKEN).")
@click.option("--feed-token", default=None, envvar="CROSSWIRE_FEED_TOKEN",
              help="Opens the calendar feed alone, as ?token= in its URL (also $CROSSWIRE_FEED_TOKEN).")
@click.option("--read-token-required", is_flag=True,
              help="Reads need a token even without --read-token (then the write token).")
@click.option("--public-url", default=None, envvar="CROSSWIRE_PUBLIC_URL",
              help="The desk's address as its users reach it (behind a reverse proxy), for links in the "
                   "calendar feed [default: http://HOST:PORT].")
def serve(db, host, port, token, read_token, feed_token, read_token_required, public_url) -> None:
    """Serve the REST API and the web desk on the store (docs/security.md)."""
    from .web import serve as serve_app

    if read_token_required and not (token or read_token):
        raise click.UsageError("--read-token-required needs a token to read with: give --read-token "
                               "(or CROSSWIRE_READ_TOKEN), or --token")
    if public_url is None and host not in ("0.0.0.0", "::", ""):
        public_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    serve_app(db=_settings(db).db, host=host, port=port, token=token, read_token_required=read_token_required,
              read_token=read_token, feed_token=feed_token, public_url=public_url)


if __name__ == "__main__":  # pragma: no cover
    main()
