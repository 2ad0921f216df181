"""The PLOVER gold-standard records (openeventdata/PLOVER,
`PLOVER_GSR_CAMEO.txt`, CC BY-SA 4.0): a JSON list of coded sentences,
each with `text`, `event` (a PLOVER 0.5 type) and `source`/`target` actor
lists carrying CAMEO-era codes.

PLOVER 0.5 types are mapped to current PLOVER (DEMAND->REQUEST,
DISAPPROVE/INVESTIGATE->ACCUSE, FIGHT->ASSAULT); a record carrying a CAMEO
code instead of a type (`cameo`/`CAMEO`/`code`/`eventcode`, as other files of
this shape do) goes through CAMEO2PLOVER. Document-level records and records
without text are left out. Split with `hash_split.split` (by `id`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

DEFAULT_PATH = "eval/events/PLOVER_GSR_CAMEO.txt"
CAMEO_KEYS = ("cameo", "CAMEO", "code", "eventcode")


def gold_label(record: dict) -> Optional[str]:
    """The record's current PLOVER type, or None (a document-level record,
    or one without a type or CAMEO code)."""
    from ..extract.events.lexicon import PLOVER_05_TO_CURRENT, plover_of_cameo

    event = record.get("event")
    if event == "DOCUMENT":
        return None
    if event:
        return PLOVER_05_TO_CURRENT.get(event, event)
    for key in CAMEO_KEYS:
        if record.get(key):
            return plover_of_cameo(str(record[key]))[0]
    return None


def gsr_records(path: str | Path) -> list[dict]:
    """Every coded sentence of a GSR-shaped JSON file: the record with its
    PLOVER type in "label" and its split key ("id", else the text) in "key"."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for record in data:
        if not isinstance(record, dict) or not record.get("text"):
            continue
        label = gold_label(record)
        if label is not None:
            out.append({**record, "label": label, "key": record.get("id") or record["text"]})
    return out
