"""Glob patterns (`data/**/*.html`) expanded with bounds.

`glob.glob(recursive=True)` follows symbolic links under `**` and lists a
directory again each time another path leads to it, so two links back up a
tree (`loop/a/up -> ..`, `loop/b/up -> ..`) make it walk an exponential number
of paths, for minutes, with nothing to show. Here each real directory is listed
once per `**` of the pattern (links are still followed, loops are not), and the
walk stops with an `IngestError` after `max_entries` directory entries or
`max_seconds`, so a pattern over a huge or hostile tree fails quickly with a
reason instead of hanging. Otherwise the semantics are glob's: `*`, `?` and
`[...]` match within one name, `**` matches any number of directories (zero
included), names starting with a dot match only a pattern part that starts
with one, and matches come back sorted.
"""
from __future__ import annotations

import glob
import os
import time
from fnmatch import fnmatchcase

from .detect import IngestError

RECURSIVE = "**"


class _Walk:
    """The state of one expansion: matches, directories seen, the budget."""

    def __init__(self, parts: list[str], max_entries: int, max_seconds: float) -> None:
        self.parts = parts
        self.max_entries = max_entries
        self.deadline = time.monotonic() + max_seconds
        self.max_seconds = max_seconds
        self.entries = 0
        self.found: set[str] = set()
        self.seen: set[tuple[int, int, int]] = set()

    def listing(self, directory: str) -> list[tuple[str, bool]]:
        """(name, is a directory (links followed)) of a directory's entries;
        [] when it cannot be listed (as glob does)."""
        try:
            with os.scandir(directory or os.curdir) as entries:
                listed = []
                for entry in entries:
                    self.spend()
                    listed.append((entry.name, _is_dir(entry)))
                return listed
        except OSError:
            return []

    def spend(self) -> None:
        self.entries += 1
        if self.entries > self.max_entries:
            raise IngestError(f"glob too large (over {self.max_entries:,} entries walked)",
                              "narrow the pattern or raise CROSSWIRE_GLOB_MAX_ENTRIES")
        if self.entries % 256 == 0 and time.monotonic() > self.deadline:
            raise IngestError(f"glob too slow (over {self.max_seconds:g} s)",
                              "narrow the pattern or raise CROSSWIRE_GLOB_MAX_SECONDS")

    def first_visit(self, directory: str, index: int) -> bool:
        """Whether this real directory is listed for the first time at part `index`."""
        try:
            st = os.stat(directory or os.curdir)
        except OSError:
            return False
        key = (st.st_dev, st.st_ino, index)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def visit(self, prefix: str, index: int) -> None:
        """Match parts[index:] below the directory `prefix` ("" = here)."""
        if index == len(self.parts):
            self.found.add(prefix)
            return
        part, last = self.parts[index], index == len(self.parts) - 1
        if part == RECURSIVE:
            if not self.first_visit(prefix, index):
                return
            if prefix or not last:
                self.visit(prefix, index + 1)  # `**` matching no directory
            for name, is_dir in self.listing(prefix):
                if name.startswith("."):
                    continue
                path = os.path.join(prefix, name)
                if last:
                    self.found.add(path)
                if is_dir:
                    self.visit(path, index)
            return
        for name, is_dir in self.listing(prefix):
            if name.startswith(".") and not part.startswith("."):
                continue
            if fnmatchcase(name, part):
                path = os.path.join(prefix, name)
                if last:
                    self.found.add(path)
                elif is_dir:
                    self.visit(path, index + 1)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def bounded_glob(pattern: str, max_entries: int, max_seconds: float) -> list[str]:
    """The sorted paths `pattern` matches (see the module docstring); raises
    IngestError when the walk passes `max_entries` entries or `max_seconds`."""
    parts = pattern.split(os.sep)
    fixed = 0
    while fixed < len(parts) and not glob.has_magic(parts[fixed]):
        fixed += 1
    base = os.sep.join(parts[:fixed]) if fixed else ""
    if fixed and not base:  # the pattern starts at the root: "/x/*"
        base = os.sep
    walk = _Walk([p for p in parts[fixed:] if p], max_entries, max_seconds)
    if base and not os.path.isdir(base):
        return []
    walk.visit(base, 0)
    return sorted(walk.found)
