"""The store's tables as Parquet: schemas read from schema.sql (the one schema
definition), rows built by the store's own row builders
(`crosswire.store.result_rows` / `resolution_rows`).

Per-article tables are partitioned by the article's publication date: each
gets a `published` partition column (the articles table has one already);
rows of undated articles land in `published=__HIVE_DEFAULT_PARTITION__`.
Derived tables (events, stories, ...) and the quarantine are small and are
written unpartitioned. Each run overwrites the tables it writes; Spark's
output committer keeps only the files of successful task attempts, so a
retried task never leaves duplicate rows behind.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Iterable, Iterator, Optional

from ..records import ArticleResult, from_dict
from ..store import result_rows, resolution_rows, schema_statements

PARTITION_COLUMN = "published"
ARTICLE_TABLES = ("articles", "article_paths", "results", "sentences", "timexes", "actor_mentions",
                  "event_mentions", "quotes", "attributions")

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS\s+(\w+)\s*\((.*)\)\s*$", re.S | re.I)
SQL_TO_SPARK = {"TEXT": "string", "INTEGER": "bigint", "BIGINT": "bigint", "DOUBLE PRECISION": "double",
                "BOOLEAN": "boolean"}


@lru_cache(maxsize=1)
def table_columns() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, spark type)]} from schema.sql, in column order."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for statement in schema_statements():
        match = _CREATE.match(statement.strip())
        if not match:
            continue
        columns = []
        for line in match.group(2).split(",\n"):
            line = line.strip().rstrip(",")
            if not line or line.upper().startswith("PRIMARY KEY"):
                continue
            name, rest = line.split(None, 1)
            sql_type = next(t for t in SQL_TO_SPARK if rest.upper().startswith(t))  # drop constraints
            columns.append((name, SQL_TO_SPARK[sql_type]))
        tables[match.group(1)] = columns
    return tables


def spark_schema(table: str, partitioned: bool):
    from pyspark.sql.types import _parse_datatype_string

    columns = list(table_columns()[table])
    if partitioned and PARTITION_COLUMN not in dict(columns):
        columns.append((PARTITION_COLUMN, "string"))
    return _parse_datatype_string(", ".join(f"`{name}`: {kind}" for name, kind in columns))


def article_table_rows(payload: str) -> Iterator[tuple[str, tuple]]:
    """(table, row + published) for every row one ArticleResult JSON yields."""
    result = from_dict(ArticleResult, json.loads(payload))
    published = result.article.published
    for table, rows in result_rows(result).items():
        has_column = PARTITION_COLUMN in dict(table_columns()[table])
        for row in rows:
            yield table, tuple(row) + (() if has_column else (published,))


def write_article_tables(spark, results_rdd, out_dir: str) -> None:
    """Per-article tables from an RDD of (key, ArticleResult JSON)."""
    rows = results_rdd.flatMap(lambda kv: article_table_rows(kv[1])).persist()
    try:
        for table in ARTICLE_TABLES:
            frame = spark.createDataFrame(rows.filter(lambda tr, t=table: tr[0] == t).map(lambda tr: tr[1]),
                                          spark_schema(table, partitioned=True))
            frame.write.mode("overwrite").partitionBy(PARTITION_COLUMN).parquet(f"{out_dir}/{table}")
    finally:
        rows.unpersist()


def write_driver_tables(spark, out_dir: str, events=(), stories=(), rejections: Optional[Iterable] = None,
                        now: str = "") -> None:
    """Derived tables (events, stories, ...) and the quarantine, from the driver."""
    tables = resolution_rows(list(events), list(stories))
    if rejections is not None:
        tables["quarantine"] = [(r.path, r.reason, r.detail, now, now) for r in rejections]
    for table, rows in tables.items():
        frame = spark.createDataFrame(rows, spark_schema(table, partitioned=False))
        frame.coalesce(1).write.mode("overwrite").parquet(f"{out_dir}/{table}")
