"""ConfliBERT's CAMEO pentaclass sentences (eventdata/ConfliBERT,
`conflibert_cameo_train.tsv`, GPL-3.0): one `sentence<TAB>label` per line,
the label the CAMEO quad/pentaclass 0-4 (0: public statements, CAMEO 01).
Lines without a tab or a numeric label are left out. Split with
`hash_split.split` (by the sentence)."""
from __future__ import annotations

from pathlib import Path

DEFAULT_PATH = "eval/events/conflibert_cameo_train.tsv"


def pentaclass_records(path: str | Path) -> list[dict]:
    """{"text", "label" (int), "key" (the text)} per labelled line."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        text, label = line.rsplit("\t", 1)
        if label.strip().isdigit():
            out.append({"text": text.strip(), "label": int(label), "key": text.strip()})
    return out
