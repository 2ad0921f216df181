"""LGL and GeoVirus: news articles with their toponyms' spans and gold
points, in the XML of Gritta, Pilehvar & Collier 2019 ("A Pragmatic Guide to
Geoparsing Evaluation"), parsed with `xml.etree.ElementTree`:

* LGL (<article docid><text><toponyms><toponym><start><end><phrase><gaztag><lat><lon>);
* GeoVirus (<article><source><text><locations><location><name><start><end><lat><lon>).

Split: an article is in the `tune` part when the first hex digit of the
SHA-256 of its id (LGL's docid; GeoVirus has none, so its source URL and
text) is even, else in `check` (`crosswire eval geo --split`).
"""
from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Optional

DEFAULT_PATH = "eval/geo/lgl.xml"  # GeoVirus beside it: eval/geo/GeoVirus.xml


@dataclass
class GoldToponym:
    start: int
    end: int
    text: str
    lat: Optional[float]
    lon: Optional[float]


@dataclass
class GoldArticle:
    id: str
    text: str
    toponyms: list[GoldToponym] = field(default_factory=list)

    @property
    def part(self) -> str:
        return "tune" if int(hashlib.sha256(self.id.encode("utf-8")).hexdigest()[0], 16) % 2 == 0 else "check"


def _float(text: Optional[str]) -> Optional[float]:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def read_corpus(path: str) -> list[GoldArticle]:
    """LGL (<article docid><text><toponyms><toponym><start><end><phrase><gaztag><lat><lon>)
    or GeoVirus (<article><source><text><locations><location><name><start><end><lat><lon>)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise SystemExit(f"{path}: not a readable LGL/GeoVirus XML file ({exc})") from None
    out = []
    for art in root.iter("article"):
        text = art.findtext("text") or ""
        docid = art.get("docid") or hashlib.sha256(((art.findtext("source") or "") + text).encode("utf-8")).hexdigest()
        gold = GoldArticle(docid, text)
        for t in list(art.iter("toponym")) + list(art.iter("location")):
            start, end = _aligned(text, int(t.findtext("start", "")), int(t.findtext("end", "")),
                                  t.findtext("phrase") or t.findtext("name") or "")
            tag = t.find("gaztag")
            where = tag if tag is not None else t
            gold.toponyms.append(GoldToponym(start, end, text[start:end], _float(where.findtext("lat")),
                                             _float(where.findtext("lon"))))
        out.append(gold)
    return out


def _aligned(text: str, start: int, end: int, phrase: str) -> tuple[int, int]:
    """GeoVirus counts offsets from 1 (its phrases sit one character left of
    them); LGL from 0. Take the span where the phrase is."""
    for shift in (0, -1, 1):
        if text[start + shift:end + shift] == phrase:
            return start + shift, end + shift
    return start, end
