"""Which PLOVER events a sentence of a news article reports.

A coder reading a whole article records, per sentence, every political
event it reports, coded by what was done ("Schiff called it a non-starter"
is a REJECT; "Protesters, carrying placards, marched" a PROTEST). The
trigger lexicon alone finds the right type for about a third of them on
whole Wikinews articles, and a model trained on the annotated articles
alone (the benchmark's 41 train articles and 51 more the project annotated,
crosswire.training's annotations/) has too little text to learn from.

So the model is distilled. A teacher (all-mpnet-base-v2 sentence vectors and
logistic regressions, fitted on the annotated sentences) labels about 21,000
unannotated sentences of political news (PolNeAR's train texts, TempEval-3's
wire news, ConfliBERT's sentences and the Wikinews corpus minus the annotated
and dev articles) with its probability of each type;
this student learns those soft labels and the annotated ones from features
that cost almost nothing at run time:

- the sentence's word 1-2-grams, TF-IDF weighted (`model.TfidfFeatures`), its
  named people, organisations and places read as their kind (`masked_words`;
  a model trained without the mask, `about["entity_mask"]` false, reads the words);
- the trigger lexicon's view: the PLOVER types, CAMEO roots, lemmas and rule kinds of its triggers;
- the sentence classifier's probabilities (`model.py`: PLOVER types and CAMEO pentaclass, fitted on the PLOVER
  GSR and ConfliBERT records);
- the sentence's vector from the transformer pass the pipeline makes for the
  quotes stage (`ArticleContext.encoding`: the tagger's MiniLM, last layer,
  mean over the sentence's word pieces), on the first 128 principal axes of
  the training sentences (`vector_features`; a model trained with
  `--vector-axes 0` reads none). It raised out-of-fold recall on whole
  articles from 0.375 to 0.406 with precision 0.611 -> 0.627
  (docs/decisions/event-records.md).

One logistic regression per type (a sentence may report several). Out of
fold over the train articles this student kept most of the teacher's
precision at a fraction of a millisecond per sentence, where running mpnet
would cost about 100 ms per sentence on one CPU core (docs/events.md).
Trained by `python -m crosswire.training.events`; shipped as plain arrays in
data/events/sentence_types.npz, read with numpy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from ...loading import load_once
from .lexicon import EVENTS_DATA
from .model import TfidfFeatures

SENTENCE_TYPES_PATH = EVENTS_DATA / "sentence_types.npz"


def lexicon_features(triggers: list, main=None) -> dict[str, float]:
    """The trigger lexicon's view of a sentence as indicator features."""
    f: dict[str, float] = {}
    for t in triggers:
        for name in (f"lex={t.event_type}", f"lexc={t.cameo[:2]}", f"lexl={t.token.lemma_.lower()}",
                     f"lexr={t.rule.split(':')[0]}"):
            f[name] = 1.0
    if main is not None:
        f[f"lexmain={main.event_type}"] = 1.0
    if not triggers:
        f["lex=none"] = 1.0
    return f


def classifier_features(plover_probs: dict, penta_probs: dict) -> dict[str, float]:
    """The GSR/ConfliBERT sentence classifier's probabilities as features."""
    f = {f"p_plover={k}": float(v) for k, v in plover_probs.items()}
    f.update({f"p_penta={k}": float(v) for k, v in penta_probs.items()})
    return f


VECTOR_FEATURE = "tv={}"  # the name of the i-th projected sentence-vector feature

# Named entities the student reads as their kind only ("Soleimani" -> "entperson")
ENTITY_MASK = ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC")


def masked_words(span) -> str:
    """The sentence's text with each named person, organisation, place and
    nationality replaced by its kind ("entperson", "entgpe"). The words of a
    type are general ("condemned", "marched"); names belong to the stories a
    model learned from ("Soleimani" had become a word of ACCUSE). Out of
    fold with a story's articles in one fold it was ahead at the threshold
    (docs/decisions/event-records.md, "A story in one fold, names masked")."""
    text, start, parts = span.text, span.start_char, []
    last = 0
    for ent in span.ents:
        if ent.label_ in ENTITY_MASK:
            parts.append(text[last:ent.start_char - start])
            parts.append(f" ent{ent.label_.lower()} ")
            last = ent.end_char - start
    parts.append(text[last:])
    return "".join(parts)


def sentence_vectors(encoding, sents) -> Any:
    """Per sentence span, the mean of the encoding's last-layer rows of the
    word pieces that start inside it, scaled to length 1 (zeros for a
    sentence with no piece)."""
    import numpy as np

    starts = np.array([span[0] if span is not None else -1 for span in encoding.spans])
    out = np.zeros((len(sents), encoding.hidden.shape[1]), dtype=np.float64)
    for i, sent in enumerate(sents):
        inside = (starts >= sent.start_char) & (starts < sent.end_char)
        if inside.any():
            v = encoding.hidden[inside].mean(axis=0)
            out[i] = v / (np.linalg.norm(v) or 1.0)
    return out


def projected_vectors(vectors, mean, basis) -> Any:
    """Sentence vectors on the model's principal axes (`basis` rows already
    scaled as trained): one row per sentence, one column per axis."""
    import numpy as np

    return (np.asarray(vectors, dtype=np.float64) - mean) @ np.asarray(basis, dtype=np.float64).T


def vector_features(vectors, mean, basis) -> list[dict[str, float]]:
    """`projected_vectors` as named extra features (how training reads them)."""
    z = projected_vectors(vectors, mean, basis)
    return [{VECTOR_FEATURE.format(i): float(x) for i, x in enumerate(row)} for row in z]


@dataclass
class SentenceTypeModel:
    """One logistic regression per PLOVER type over TF-IDF word n-grams plus
    named extra features."""

    types: list[str]
    words: TfidfFeatures
    word_coef: Any  # (types, vocabulary) float32
    extra_index: dict[str, int]
    extra_coef: Any  # (types, extras) float32
    intercept: Any  # (types,) float32
    about: dict
    vector_mean: Any = None  # (hidden,): the training sentences' mean vector; None: no vector features
    vector_basis: Any = None  # (axes, hidden): principal axes, scaled

    @property
    def masks_entities(self) -> bool:
        """Whether the model reads sentences with their names masked (`masked_words`)."""
        return bool(self.about.get("entity_mask"))

    def words_of(self, span) -> str:
        """The text of a sentence span as this model reads it."""
        return masked_words(span) if self.masks_entities else span.text

    @property
    def reads_encoding(self) -> bool:
        """Whether the model wants the article's transformer pass."""
        return self.vector_basis is not None

    def probabilities(self, texts: Sequence[str], extras: Sequence[dict[str, float]],
                      vectors: Any = None) -> list[dict[str, float]]:
        """P(type | sentence) for each sentence, all sentences in one product;
        `vectors`: the sentences' vectors (`sentence_vectors`) for a model that
        reads them, projected here as `vector_features` names them."""
        import numpy as np

        if not texts:
            return []
        X = self.words.transform(texts)
        scores = np.asarray(X @ self.word_coef.T, dtype=np.float64) + self.intercept
        if self.reads_encoding:
            if vectors is None:
                raise ValueError("this sentence-type model reads sentence vectors")
            projected = projected_vectors(vectors, self.vector_mean, self.vector_basis)
            columns = [self.extra_index[VECTOR_FEATURE.format(i)] for i in range(projected.shape[1])]
            scores += projected @ self.extra_coef[:, columns].T
        E: Any = np.zeros((len(texts), len(self.extra_index)), dtype=np.float64)
        for row, feats in enumerate(extras):
            for name, value in feats.items():
                j = self.extra_index.get(name)
                if j is not None:
                    E[row, j] = value
        scores += E @ self.extra_coef.T
        probs = 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))
        return [dict(zip(self.types, map(float, row))) for row in probs]


@load_once
def load_sentence_types(path: Optional[str] = None) -> Optional[SentenceTypeModel]:
    """The shipped model, or None when it has not been trained."""
    p = Path(path) if path else SENTENCE_TYPES_PATH
    if not p.exists():
        return None
    import numpy as np

    with np.load(p, allow_pickle=False) as a:
        words = TfidfFeatures("word", (int(a["word_ngrams"][0]), int(a["word_ngrams"][1])),
                              {str(t): i for i, t in enumerate(a["word_terms"])}, a["word_idf"].astype(np.float64))
        return SentenceTypeModel(
            types=[str(t) for t in a["types"]], words=words, word_coef=a["word_coef"].astype(np.float32),
            extra_index={str(t): i for i, t in enumerate(a["extra_names"])},
            extra_coef=a["extra_coef"].astype(np.float64), intercept=a["intercept"].astype(np.float64),
            about=json.loads(str(a["about"])),
            vector_mean=a["vector_mean"].astype(np.float64) if "vector_mean" in a.files else None,
            vector_basis=a["vector_basis"].astype(np.float64) if "vector_basis" in a.files else None)


def save_sentence_types(path: Path, types: list[str], vectorizer, word_coef, extra_names: list[str], extra_coef,
                        intercept, about: dict, vector_mean=None, vector_basis=None) -> None:
    """Write a fitted TfidfVectorizer (word analyzer) and coefficients as the arrays `load_sentence_types` reads."""
    import numpy as np

    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    arrays = {"types": np.array(types), "word_terms": np.array(terms), "word_idf": vectorizer.idf_.astype(np.float64),
              "word_ngrams": np.array(vectorizer.ngram_range), "word_coef": np.asarray(word_coef, dtype=np.float32),
              "extra_names": np.array(extra_names), "extra_coef": np.asarray(extra_coef, dtype=np.float32),
              "intercept": np.asarray(intercept, dtype=np.float32), "about": np.array(json.dumps(about))}
    if vector_basis is not None:
        arrays["vector_mean"] = np.asarray(vector_mean, dtype=np.float32)
        arrays["vector_basis"] = np.asarray(vector_basis, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)
