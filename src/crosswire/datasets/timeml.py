"""TimeML (TempEval-3, UzZaman et al. 2013): news text with TIMEX3 time
expressions. Each .tml file has a creation-time TIMEX3
(functionInDocument="CREATION_TIME") that anchors the document, and TIMEX3
tags inside <TEXT>. `read_timeml` gives the plain text of <TEXT> with the gold
TIMEX3 spans as character offsets into it (parsed with
`xml.etree.ElementTree`).

Dev split: the 20 alphabetically last TimeBank files (`DEV_FILES`) are kept
aside for reporting; `train` is everything else, `all` both.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Optional, Sequence

DEFAULT_PATH = "eval/tempeval3/train"  # split with --split dev (the default of `crosswire eval timex`)
DEV_FILES: tuple[str, ...] = (
    "wsj_0981.tml", "wsj_0991.tml", "wsj_1003.tml", "wsj_1006.tml", "wsj_1008.tml",
    "wsj_1011.tml", "wsj_1013.tml", "wsj_1014.tml", "wsj_1025.tml", "wsj_1031.tml",
    "wsj_1033.tml", "wsj_1035.tml", "wsj_1038.tml", "wsj_1039.tml", "wsj_1040.tml",
    "wsj_1042.tml", "wsj_1073.tml", "wsj_0973.tml", "wsj_0950.tml", "wsj_0938.tml",
)


@dataclass
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class TimeMLDoc:
    path: str
    dct: Optional[str]
    text: str
    timexes: list[GoldTimex] = field(default_factory=list)


def read_timeml(path: str) -> TimeMLDoc:
    """Plain text of <TEXT> with the gold TIMEX3 spans as offsets into it
    (listed in the order their tags close)."""
    root = ET.parse(path).getroot()
    dct = next((t.get("value") for t in root.iter("TIMEX3") if t.get("functionInDocument") == "CREATION_TIME"),
               None)
    pieces: list[str] = []
    golds: list[GoldTimex] = []
    length = 0

    def add(text: Optional[str]) -> None:
        nonlocal length
        if text:
            pieces.append(text)
            length += len(text)

    def walk(element: ET.Element) -> None:
        start = length
        add(element.text)
        for child in element:
            walk(child)
            add(child.tail)
        if element.tag == "TIMEX3":
            golds.append(GoldTimex(start, length, "", element.get("type", ""), element.get("value", "")))

    body = root.find(".//TEXT")
    if body is not None:
        add(body.text)
        for child in body:
            walk(child)
            add(child.tail)
    text = "".join(pieces)
    for g in golds:
        g.text = text[g.start:g.end]
    return TimeMLDoc(path=path, dct=dct, text=text, timexes=golds)


def list_files(path: str, split: str = "all", files: Optional[Sequence[str]] = None) -> list[str]:
    """The .tml files under `path` (a file or a directory, recursive), filtered
    by split: dev = DEV_FILES, train = the rest, all = everything."""
    if os.path.isfile(path):
        found = [path]
    else:
        found = sorted(os.path.join(root, name) for root, _dirs, names in os.walk(path)
                       for name in names if name.endswith(".tml"))
    if files:
        wanted = set(files)
        found = [f for f in found if os.path.basename(f) in wanted]
    if split == "dev":
        found = [f for f in found if os.path.basename(f) in DEV_FILES]
    elif split == "train":
        found = [f for f in found if os.path.basename(f) not in DEV_FILES]
    return found
