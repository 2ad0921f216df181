"""Scale benchmark: the local runner against Spark local[1] and local[2].

    .venv/bin/python bench/scale.py [--articles 400] [--files 8] [--keep DIR]

Generates a corpus from the bundled examples (examples/articles.jsonl) and
the seed articles, repeated with varied ids and dates (each copy shifts the
publication date by whole weeks and carries a copy tag in its title and text,
so every copy is a new article to crosswire), written as JSON Lines files.
Then runs the same pipeline three times, each into a fresh DuckDB store:
the local runner (`crosswire.runner.run_paths`), and `run_spark` with
local[1] and local[2] (each with its own SparkSession, its start and stop
included). Spark's JVM is launched once, before the timed runs, by a
throwaway session: pyspark keeps that JVM for every later session of the
process, so without this the first Spark run alone would pay its launch
(~10 s here) and the speed-up would be inflated by it. Times are
wall-clock for the whole run (ingest, extract, store writes, resolution).
Prints a line per run (with its phases: `SparkRunSummary.phases`, plus
`session`, the SparkSession's start and stop) and, as the last line,

    scale: local X/s, spark[1] Y/s, spark[2] Z/s, speedup S

where S = spark[2] / spark[1] articles per second. The driver's serial
share (sorting out the ingested items, storing into DuckDB, resolution:
mention clustering stays on the driver below
`Settings.spark_resolve_min_items` mentions) bounds the speed-up.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def base_records() -> list[dict]:
    """The bundled JSONL examples and the seed articles, as JSONL records."""
    records = [json.loads(line) for line in (REPO / "examples" / "articles.jsonl").read_text().splitlines()
               if line.strip()]
    seeds = REPO.parent / "shared" / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").strip().splitlines()
        records.append({"title": lines[0], "text": "\n".join(lines[1:]).strip(), "published": "2021-12-28",
                        "outlet": "seed"})
    return records


def vary(record: dict, copy: int) -> dict:
    """Copy `copy` of a record: a new id (its text changes), a date `copy` weeks later."""
    out = dict(record)
    out["id"] = f"{record.get('id', 'seed')}-c{copy}"
    out["title"] = f"{record.get('title', '')} (copy {copy})"
    out["text"] = f"{record['text']}\n\n(Copy {copy} of this report.)"
    if record.get("published"):
        day = dt.date.fromisoformat(str(record["published"])[:10]) + dt.timedelta(weeks=copy)
        out["published"] = day.isoformat()
    return out


def write_corpus(target: Path, n_articles: int, n_files: int) -> list[str]:
    records = base_records()
    rows = [vary(records[i % len(records)], i // len(records)) for i in range(n_articles)]
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(n_files):
        path = target / f"corpus-{f:03d}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for row in rows[f::n_files]:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        paths.append(str(path))
    return paths


def run_local(paths: list[str], db: str, settings) -> tuple[float, dict]:
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    started = time.perf_counter()
    with open_store(db) as store:
        summary = run_paths(paths, store, Pipeline(settings))
        counts = store.counts()
    return time.perf_counter() - started, {"new": summary.articles_new, **counts}


def run_spark_mode(paths: list[str], db: str, settings, master: str, partitions: int) -> tuple[float, dict]:
    from crosswire.scale.spark import run_spark
    from crosswire.store import open_store

    started = time.perf_counter()
    summary = run_spark(paths, settings, master=master, partitions=partitions, store=db)
    elapsed = time.perf_counter() - started
    with open_store(db) as store:
        counts = store.counts()
    phases = {**summary.phases, "session": round(elapsed - summary.seconds, 2)}  # start + stop of Spark
    return elapsed, {"new": summary.articles_new, "phases": phases, "resolution": summary.resolution, **counts}


def launch_jvm() -> float:
    """Launch Spark's JVM with a throwaway session (the runs' own settings);
    seconds taken."""
    from crosswire.scale.session import get_spark

    started = time.perf_counter()
    get_spark("local[1]").stop()
    return time.perf_counter() - started


def warm_driver(work: Path, settings) -> float:
    """With --skip-local, run the local runner on a few articles first,
    untimed: the driver's one-time loads (the pipeline's models and tables,
    which resolution and the stores also use) would otherwise be charged to
    spark[1] alone, as the local run pays them in a full bench."""
    started = time.perf_counter()
    run_local(write_corpus(work / "warm", 4, 1), str(work / "warm.duckdb"), settings)
    return time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400, help="corpus size (articles)")
    parser.add_argument("--files", type=int, default=8, help="JSONL files the corpus is split into")
    parser.add_argument("--partitions", type=int, default=8, help="Spark partitions for the extract stage")
    parser.add_argument("--keep", default=None, help="write corpus and stores here and keep them")
    parser.add_argument("--skip-local", action="store_true",
                        help="only the Spark runs (the driver is warmed on 4 articles, untimed, instead)")
    args = parser.parse_args(argv)

    from crosswire.config import Settings

    settings = Settings.load(progress=False)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crosswire-scale-"))
    try:
        paths = write_corpus(work / "corpus", args.articles, args.files)
        n = args.articles
        print(f"corpus: {n} articles in {len(paths)} JSONL files under {work / 'corpus'}; "
              f"cpus={os.cpu_count()}", flush=True)
        rates = {}
        if args.skip_local:
            print(f"driver: warmed in {warm_driver(work, settings):.1f} s (untimed)", flush=True)
        runs = [] if args.skip_local else [("local", lambda db: run_local(paths, db, settings))]
        runs += [(f"spark[{k}]", lambda db, k=k: run_spark_mode(paths, db, settings, f"local[{k}]",
                                                                 args.partitions)) for k in (1, 2)]
        for name, fn in runs:
            if name == "spark[1]":
                print(f"jvm: launched in {launch_jvm():.1f} s (untimed)", flush=True)
            db = str(work / f"{name.replace('[', '').replace(']', '')}.duckdb")
            for leftover in (db, db + ".wal"):
                if os.path.exists(leftover):
                    os.remove(leftover)
            seconds, counts = fn(db)
            rates[name] = n / seconds
            print(f"{name}: {seconds:.1f} s, {rates[name]:.2f} articles/s, store {counts}", flush=True)
        local = f"{rates['local']:.2f}/s" if "local" in rates else "n/a"
        speedup = rates["spark[2]"] / rates["spark[1]"]
        print(f"scale: local {local}, spark[1] {rates['spark[1]']:.2f}/s, spark[2] {rates['spark[2]']:.2f}/s, "
              f"speedup {speedup:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
