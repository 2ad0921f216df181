"""Inputs for a Spark run: list files on the driver, read them on executors.

Local paths (files, directories, globs) are expanded on the driver exactly as
a local run expands them (`crosswire.ingest.expand_paths`), so file order, and
with it which copy of a duplicated article counts as the first, is the same.
Hadoop URIs (hdfs://, s3a://, gs://, abfs://, file://...) are listed with the
Hadoop FileSystem API through the JVM and read as bytes by Spark
(`binaryFiles`); each executor then hands the bytes to the same ingest code,
through a temporary file that keeps the original name (formats are detected
by name and content), and puts the original URI back into every path.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Iterator, Sequence, Union

from ..config import Settings
from ..records import Article, Rejection

URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class InputFile:
    index: int  # position in the run's file order
    path: str  # local path or URI
    remote: bool  # True: read through Spark/Hadoop, False: a local path the executors can open


def is_uri(path: str) -> bool:
    return bool(URI.match(path))


def list_inputs(paths: Sequence[str], sc=None) -> list[InputFile]:
    """Every input file, in the order a local run reads them."""
    from ..ingest import expand_paths

    files: list[InputFile] = []
    for raw in paths:
        raw = str(raw)
        if is_uri(raw):
            found = hadoop_list(sc, raw) if sc is not None else []
            if not found:  # read as a (missing) local path: rejected "not found", as locally
                files.append(InputFile(len(files), raw, False))
            for uri in found:
                files.append(InputFile(len(files), uri, True))
        else:
            for path in expand_paths([raw]):
                files.append(InputFile(len(files), path, False))
    return files


def hadoop_list(sc, uri: str) -> list[str]:
    """Files under a Hadoop URI (a file, a directory walked recursively, or a
    glob), sorted, hidden names (.x, _SUCCESS) skipped; [] when nothing matches."""
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(conf)
    statuses = fs.globStatus(path) or []
    found: list[str] = []
    for status in statuses:
        if status.isDirectory():
            files = fs.listFiles(status.getPath(), True)
            while files.hasNext():
                found.append(files.next().getPath().toString())
        else:
            found.append(status.getPath().toString())
    visible = [f for f in found if not any(part.startswith((".", "_")) for part in f.split("://", 1)[-1].split("/"))]
    return sorted(visible)


def read_local(path: str, settings: Settings) -> list[Union[Article, Rejection]]:
    """A local file through the same reader a local run uses."""
    from ..ingest import read_file

    return list(read_file(path, settings))


def read_bytes_as(uri: str, data: bytes, settings: Settings) -> list[Union[Article, Rejection]]:
    """Bytes read by Spark, through the same reader, as if they were the file
    at `uri`: written to a temporary file of the same name, read, and every
    path that names the temporary file renamed back to `uri`."""
    from ..ingest import read_file

    tmpdir = tempfile.mkdtemp(prefix="crosswire-in-")
    try:
        local = os.path.join(tmpdir, os.path.basename(uri.rstrip("/")) or "input")
        with open(local, "wb") as handle:
            handle.write(data)
        return [_renamed(item, local, uri) for item in read_file(local, settings)]
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _renamed(item: Union[Article, Rejection], local: str, uri: str) -> Union[Article, Rejection]:
    if item.path.startswith(local):
        item.path = uri + item.path[len(local):]
    if isinstance(item, Rejection) and local in item.detail:
        item.detail = item.detail.replace(local, uri)
    return item


def iter_items(file: InputFile, settings: Settings, data: bytes | None = None
               ) -> Iterator[tuple[tuple[int, int], Union[Article, Rejection]]]:
    """(order key, item) for each article or rejection of one file."""
    items = read_bytes_as(file.path, data, settings) if data is not None else read_local(file.path, settings)
    for i, item in enumerate(items):
        yield (file.index, i), item
