"""A SparkSession configured for crosswire.

Defaults that matter: executors run the driver's Python (so `crosswire` and
the spaCy model resolve to the same installed packages), Python workers are
reused across tasks (so the per-process pipeline cache survives between
partitions), and in local mode failed tasks are retried as on a cluster
(plain `local[N]` never retries; `local[N,F]` allows F attempts).
"""
from __future__ import annotations

import os
import re
import sys
from typing import Optional

TASK_ATTEMPTS = 4  # Spark's own default for spark.task.maxFailures on a cluster

DEFAULT_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.python.worker.reuse": "true",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "false",
    "spark.driver.memory": "2g",
    "spark.log.level": "ERROR",
}
LOCAL_CONFIG = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}

_LOCAL = re.compile(r"^local(\[(?P<threads>\*|\d+)(,(?P<attempts>\d+))?\])?$")


def with_retries(master: str, attempts: int = TASK_ATTEMPTS) -> str:
    """`local[N]` -> `local[N,attempts]` so a failed task is retried locally
    exactly as a cluster would retry it; other masters are left alone."""
    match = _LOCAL.match(master.strip())
    if not match or match.group("attempts"):
        return master
    threads = match.group("threads") or "1"
    return f"local[{threads},{attempts}]"


def is_local(master: str) -> bool:
    return bool(_LOCAL.match(master.strip()))


def get_spark(master: Optional[str] = "local[*]", app_name: str = "crosswire", partitions: Optional[int] = None,
              config: Optional[dict[str, str]] = None):
    """The active SparkSession, or a new one for `master` (None: the master
    spark-submit was given, whose environment then also names the Python)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        builder = builder.master(with_retries(master))
    settings = dict(DEFAULT_CONFIG)
    if master and is_local(master):
        settings.update(LOCAL_CONFIG)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if partitions:
        settings["spark.sql.shuffle.partitions"] = str(partitions)
    settings.update(config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
