"""The store's tables as Parquet: schemas read from schema.sql (the one schema
definition), rows built by the store's own row builders
(`crosswire.store.result_rows` / `resolution_rows`).

Layout under the output directory: one directory per table. Per-article
tables are partitioned by the article's publication date (Hive style,
`published=2022-01-09/`, undated articles under
`published=__HIVE_DEFAULT_PARTITION__/`); each per-article table that lacks a
`published` column gets it as its partition column. Derived tables (events,
stories, ...) and the quarantine are small and unpartitioned.

Why pyarrow on the executors rather than Spark's DataFrame writer: the rows
are written in the same task that extracts them (no second pass, no nine
extra Spark jobs), and file names are a function of the Spark partition
(`part-00003-0.parquet`), so a retried task overwrites its own files and a
failed attempt never leaves duplicate rows. pyarrow's filesystems cover local
paths, s3://, gs:// and hdfs://.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

from ..records import ArticleResult
from ..store import result_rows, resolution_rows
from ..store.arrow import arrow_table, table_columns

PARTITION_COLUMN = "published"
ARTICLE_TABLES = ("articles", "article_paths", "results", "sentences", "timexes", "actor_mentions",
                  "event_mentions", "quotes", "attributions")
DRIVER_TABLES = ("events", "event_participants", "event_places", "event_members", "stories", "story_articles",
                 "quarantine")

def write_article_tables(out_dir: str, part: int, results: Sequence[ArticleResult],
                         stored: Optional[Sequence[dict[str, list[tuple]]]] = None) -> None:
    """One Spark partition's rows of every per-article table (`stored`: each
    result's `result_rows`, when already built)."""
    import pyarrow.dataset as ds

    rows: dict[str, list[tuple]] = {t: [] for t in ARTICLE_TABLES}
    built: Sequence[Optional[dict[str, list[tuple]]]] = stored if stored else [None] * len(results)
    for result, result_table_rows in zip(results, built):
        published = result.article.published
        for table, table_rows in (result_table_rows or result_rows(result)).items():
            extra = () if PARTITION_COLUMN in dict(table_columns()[table]) else (published,)
            rows[table].extend(tuple(row) + extra for row in table_rows)
    for table, table_rows in rows.items():
        if not table_rows:
            continue
        ds.write_dataset(arrow_table(table, table_rows, PARTITION_COLUMN), f"{out_dir.rstrip('/')}/{table}",
                         format="parquet",
                         partitioning=[PARTITION_COLUMN], partitioning_flavor="hive",
                         basename_template=f"part-{part:05d}-{{i}}.parquet",
                         existing_data_behavior="overwrite_or_ignore")


def write_driver_tables(out_dir: str, events=(), stories=(), rejections: Optional[Iterable] = None,
                        now: str = "") -> None:
    """Derived tables (events, stories, ...) and the run's quarantine."""
    import pyarrow.parquet as pq
    from pyarrow import fs

    tables = resolution_rows(list(events), list(stories))
    if rejections is not None:
        tables["quarantine"] = [(r.path, r.reason, r.detail, now, now) for r in rejections]
    filesystem, root = fs.FileSystem.from_uri(_as_uri(out_dir))
    for table, rows in tables.items():
        filesystem.create_dir(f"{root}/{table}", recursive=True)
        pq.write_table(arrow_table(table, rows), f"{root}/{table}/part-00000.parquet", filesystem=filesystem)


def clear_tables(out_dir: str) -> None:
    """Remove this layout's table directories before a run writes them anew,
    so files of an earlier run (with other partitions) cannot linger."""
    from pyarrow import fs

    filesystem, root = fs.FileSystem.from_uri(_as_uri(out_dir))
    for table in ARTICLE_TABLES + DRIVER_TABLES:
        info = filesystem.get_file_info(f"{root}/{table}")
        if info.type != fs.FileType.NotFound:
            filesystem.delete_dir(f"{root}/{table}")


def _as_uri(path: str) -> str:
    import os

    return path if "://" in path else "file://" + os.path.abspath(path)
