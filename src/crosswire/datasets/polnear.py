"""PolNeAR (Newell, Margolin & Ruths, LREC 2018): attributions in political
news as brat stand-off. A split directory holds `text/<name>.txt` and
`attributions/<name>[_<annotator>].ann`; each attribution is a Source, a Cue
and a Content span linked by one `E` line. A span may be discontinuous
("start end;start end").

Several annotators: most articles have one .ann file; the few annotated by
several people have one per annotator. We keep the file whose annotator id
sorts first, so the choice is deterministic and independent of predictions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

DEFAULT_PATH = "eval/polnear/dev"
ROLES = ("source", "cue", "content")
_ANN_NAME = re.compile(r"^(?P<stem>.+)_(?P<annotator>[0-9a-f]{4})\.ann$")
ANNOTATOR_CHOICE = "one .ann file per article: the lowest annotator id (deterministic, prediction-blind)"


@dataclass
class GoldAttribution:
    """One PolNeAR attribution: each role is a list of (start, end) fragments."""

    id: str
    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class PolnearDoc:
    name: str
    text: str
    attributions: list[GoldAttribution]


def pick_annotation_files(ann_dir: Path) -> dict[str, Path]:
    """One .ann file per article: the lowest annotator id (deterministic)."""
    chosen: dict[str, Path] = {}
    for path in sorted(ann_dir.glob("*.ann")):
        m = _ANN_NAME.match(path.name)
        stem = m.group("stem") if m else path.stem
        chosen.setdefault(stem, path)  # sorted: the first is the lowest annotator id
    return chosen


def several_annotators(path: str | Path) -> int:
    """How many articles of a split have more than one annotator's file."""
    stems = [(m.group("stem") if (m := _ANN_NAME.match(p.name)) else p.stem)
             for p in (Path(path) / "attributions").glob("*.ann")]
    return sum(1 for stem in set(stems) if stems.count(stem) > 1)


def parse_brat(ann_text: str) -> list[GoldAttribution]:
    """Read Source/Cue/Content text-bound spans and the E lines linking them."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[tuple[str, dict[str, str]]] = []
    for line in ann_text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            head = parts[1].split(" ", 1)
            if len(head) < 2:
                continue
            label, offsets = head
            frags = []
            for piece in offsets.split(";"):
                nums = piece.split()
                if len(nums) == 2 and nums[0].isdigit() and nums[1].isdigit():
                    frags.append((int(nums[0]), int(nums[1])))
            spans[parts[0]] = (label, frags)
        elif parts[0].startswith("E"):
            args = {}
            for arg in parts[1].split():
                if ":" in arg:
                    role, ref = arg.split(":", 1)
                    args[role] = ref
            events.append((parts[0], args))
    out = []
    for eid, args in events:
        att = GoldAttribution(id=eid)
        for role_label, ref in args.items():
            role = role_label.lower()
            if role in ROLES and ref in spans:
                setattr(att, role, spans[ref][1])
        out.append(att)
    return out


def read_polnear(path: str | Path) -> Iterator[PolnearDoc]:
    """Documents of a PolNeAR split directory (with text/ and attributions/)."""
    root = Path(path)
    text_dir, ann_dir = root / "text", root / "attributions"
    for stem, ann_path in sorted(pick_annotation_files(ann_dir).items()):
        text_path = text_dir / f"{stem}.txt"
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf-8")
        yield PolnearDoc(stem, text, parse_brat(ann_path.read_text(encoding="utf-8")))


def span_units(text: str, fragments: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """A span's units as PolNeAR is scored and trained on: fragments separated
    only by whitespace are joined, whitespace at both ends trimmed."""
    merged: list[list[int]] = []
    for start, end in sorted(fragments):
        if merged and not text[merged[-1][1]:start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    units = []
    for start, end in merged:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            units.append((start, end))
    return units


def doc_units(text: str, attributions: Iterable[Any]) -> dict[str, set[tuple[int, int]]]:
    """All span units of each role in one document (scoring and training alike)."""
    out: dict[str, set[tuple[int, int]]] = {r: set() for r in ROLES}
    for att in attributions:
        for role in ROLES:
            out[role].update(span_units(text, getattr(att, role)))
    return out
