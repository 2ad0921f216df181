"""spark-submit entry point: `spark-submit ... crosswire/scale/submit.py PATH... [options]`.

The same run as `crosswire run --engine spark`, with the master taken from
spark-submit (docs/scale.md shows a full command), plus `--out DIR` for the
Parquet tables (any Hadoop-compatible URI pyarrow can write: local, s3://,
gs://, hdfs://).
"""
from __future__ import annotations

import argparse
import json
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="crosswire-spark", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="files, directories, globs or Hadoop URIs")
    parser.add_argument("--db", default=None, help="store: DuckDB file on the driver or postgresql:// URL")
    parser.add_argument("--out", default=None, help="write the store's tables as Parquet here")
    parser.add_argument("--partitions", type=int, default=None, help="partitions of the extract stage")
    parser.add_argument("--outlet", default=None, help="outlet for articles whose metadata names none")
    args = parser.parse_args(argv)

    from crosswire.config import Settings
    from crosswire.scale.session import get_spark
    from crosswire.scale.spark import run_spark

    settings = Settings.load(db=args.db, default_outlet=args.outlet, progress=False)
    spark = get_spark(master=None, partitions=args.partitions)
    try:
        summary = run_spark(args.paths, settings, partitions=args.partitions, out_dir=args.out,
                            store=args.db, spark=spark)
    finally:
        spark.stop()
    print(json.dumps(summary.as_dict(), indent=2))
    return 1 if summary.interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
