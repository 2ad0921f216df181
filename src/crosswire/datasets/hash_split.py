"""The fixed dev split of the sentence corpora (PLOVER GSR, ConfliBERT):
15% of the records by the MD5 of their id (or text). The event classifier
never trains on it; `crosswire eval events --split dev` scores it."""
from __future__ import annotations

import hashlib

DEV_PERCENT = 15
PARTS = ("train", "dev", "all")


def is_dev(key: str) -> bool:
    """Whether the record with this id or text is in the dev part."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % 100 < DEV_PERCENT


def split(records: list[dict], part: str) -> list[dict]:
    """The records of one part ("train", "dev" or "all") by their "key"."""
    if part not in PARTS:
        raise ValueError(f"unknown split {part!r}: one of {', '.join(PARTS)}")
    if part == "all":
        return records
    want_dev = part == "dev"
    return [r for r in records if is_dev(r["key"]) == want_dev]
