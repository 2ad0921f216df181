"""Scale: the same pipeline as a Spark job, for corpora beyond one machine.

`crosswire run PATH... --engine spark [--master ...] [--partitions N]` calls
`crosswire.scale.spark.run_spark`. The per-article stages (ingest, annotate,
extract) run on the executors with the very functions a local run uses
(`crosswire.ingest.read_file`, `Pipeline.extract`), spaCy loaded once per
executor process; results are written as Parquet (the store's tables,
partitioned by publication date) and/or into the store; resolution follows.
docs/scale.md explains cluster use.

Modules: session (SparkSession with sane defaults), inputs (listing files on
the driver, reading them on executors), executor (per-partition work and the
per-process pipeline cache), tables (Parquet schemas from schema.sql),
resolve (blocking-key components, union-find), spark (the driver).
"""
from __future__ import annotations

__all__ = ["run_spark"]


def run_spark(*args, **kwargs):
    """See crosswire.scale.spark.run_spark (imported lazily: pyspark is optional)."""
    from .spark import run_spark as _run_spark
    return _run_spark(*args, **kwargs)
