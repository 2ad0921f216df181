"""ECB+ 1.0 (Cybulska & Vossen, LREC 2014): event coreference across
documents. A split directory holds topic folders of CAT-format XML: tokens
(`<token t_id sentence>`), markables (`<Markables>`: each a tag such as
ACTION_OCCURRENCE with `m_id` and its `<token_anchor t_id>`s) and relations
(`<Relations>`: CROSS_DOC_COREF and INTRA_DOC_COREF, each with `<source
m_id>`s and a `<target m_id>`; a cross-document relation's `note` names its
cluster).

Only sentences listed in ECBplus_coreference_sentences.csv (found in the split
directory or its parent) are used, as is standard. Event mentions are the
ACTION_* and NEG_ACTION_* markables; gold clusters come from the relations; a
mention in no relation is a singleton. Parsed with `xml.etree.ElementTree`.
"""
from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

DEFAULT_PATH = "eval/ecbplus/dev"
EVENT_TAG = re.compile(r"^(ACTION_|NEG_ACTION_)")
SENTENCE_LIST = "ECBplus_coreference_sentences.csv"
COREF_RELATIONS = ("CROSS_DOC_COREF", "INTRA_DOC_COREF")


@dataclass
class GoldMention:
    key: str  # doc/m_id
    doc: str
    sentence: int
    token_ids: list[int]
    cluster: str


@dataclass
class EcbDoc:
    name: str
    tokens: dict[int, tuple[int, str]]  # t_id -> (sentence, word)
    mentions: list[GoldMention] = field(default_factory=list)
    listed: set[int] = field(default_factory=set)  # sentence numbers in the csv

    def sentence_words(self, sent: int) -> list[tuple[int, str]]:
        return sorted((t, w) for t, (s, w) in self.tokens.items() if s == sent)

    def text(self) -> str:
        return " ".join(w for _, (_, w) in sorted(self.tokens.items()))

    def sentences(self) -> list[list[str]]:
        """Every sentence's words, in order."""
        out: dict[int, list[str]] = defaultdict(list)
        for _, (s, w) in sorted(self.tokens.items()):
            out[s].append(w)
        return [out[s] for s in sorted(out)]

    def lead(self, words: int = 40) -> str:
        """The document's first words (headline and first sentence): which
        instance of an event type the document is about."""
        return " ".join(w for _, (_, w) in sorted(self.tokens.items())[:words])


def find_sentence_list(path: str) -> Optional[str]:
    for d in (path, os.path.dirname(os.path.abspath(path.rstrip("/")))):
        cand = os.path.join(d, SENTENCE_LIST)
        if os.path.exists(cand):
            return cand
    return None


def read_sentence_list(csv_path: Optional[str]) -> Optional[dict[str, set[int]]]:
    if not csv_path:
        return None
    listed: dict[str, set[int]] = defaultdict(set)
    with open(csv_path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            listed[f"{row['Topic']}_{row['File']}.xml"].add(int(row["Sentence Number"]))
    return listed


def read_doc(path: str, listed: Optional[set[int]]) -> EcbDoc:
    """One document: its tokens and its event mentions with gold clusters
    (in sentences of `listed`; every sentence when None)."""
    root = ET.parse(path).getroot()
    name = os.path.basename(path)
    tokens = {int(t.get("t_id", "")): (int(t.get("sentence", "")), t.text or "") for t in root.iter("token")}
    doc = EcbDoc(name=name, tokens=tokens, listed=set(listed) if listed is not None else {s for s, _ in tokens.values()})
    anchored: dict[str, tuple[str, list[int]]] = {}
    for markables in root.iter("Markables"):
        for markable in markables:
            anchors = [int(a.get("t_id", "")) for a in markable.iter("token_anchor")]
            if anchors and markable.get("m_id"):
                anchored[markable.get("m_id", "")] = (markable.tag, anchors)
    cluster_of: dict[str, str] = {}
    for relation in (r for kind in COREF_RELATIONS for r in root.iter(kind)):
        note = relation.get("note")
        targets = [t.get("m_id") for t in relation.iter("target")]
        cid = note if (relation.tag == "CROSS_DOC_COREF" and note) else \
            f"{name}:{targets[0] if targets else relation.get('r_id')}"
        for source in relation.iter("source"):
            cluster_of[source.get("m_id", "")] = cid
    for mid, (tag, tids) in sorted(anchored.items(), key=lambda kv: int(kv[0])):
        if not EVENT_TAG.match(tag):
            continue
        sent = tokens[tids[0]][0]
        if sent not in doc.listed:
            continue
        key = f"{name}/{mid}"
        doc.mentions.append(GoldMention(key, name, sent, sorted(tids), cluster_of.get(mid, "single:" + key)))
    return doc


def read_ecb(path: str) -> list[EcbDoc]:
    """Every document of a split directory (topic folders in numeric order)."""
    listed = read_sentence_list(find_sentence_list(path))
    docs = []
    for topic in sorted(os.listdir(path), key=lambda t: (len(t), t)):
        tdir = os.path.join(path, topic)
        if not os.path.isdir(tdir):
            continue
        for fname in sorted(os.listdir(tdir)):
            if fname.endswith(".xml"):
                docs.append(read_doc(os.path.join(tdir, fname), None if listed is None else listed.get(fname, set())))
    return docs
