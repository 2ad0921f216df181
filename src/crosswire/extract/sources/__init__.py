"""Extract stage 'sources': claims attributed to outlets, agencies and bodies.

"According to AFP, ...", "X reported", "..., reports X", "told the RIA
Novosti news agency", "in a statement cited by the Atlanta-based
broadcaster", "according to a representative for the US National Security
Council". Each becomes a records.Attribution whose `chain` runs from the
publishing outlet (ctx.article.outlet, when known) to the cited outlet or
body; `covers_start/covers_end` is the text the attribution scopes over: its
sentence, widened to the end of a quotation running on from it and to
following sentences that are quotations continuing the cited statement.

The quotes stage (next) appends the speaker to a chain that ends in an
outlet ("Ryabkov told RIA Novosti": publisher -> RIA Novosti -> Ryabkov) and
copies the chain of every attribution that covers a quote.
"""
from __future__ import annotations

from typing import Optional

from ...records import Attribution, Evidence, SourceLink, stable_id
from .. import ArticleContext, register_stage
from .outlets import OutletMention, outlet_mentions

# How an outlet mention is tied to the claim, by the word governing it.
# (relation of the outlet to the governing word, lemma of that word) -> cue kind
REPORTING_VERBS = {"report", "say", "write", "quote", "cite", "claim", "publish", "learn", "broadcast",
                   "reveal", "air", "state", "add", "note", "confirm", "allege"}
TELLING_VERBS = {"tell", "speak", "talk", "say", "explain", "confirm", "give", "reveal", "interview"}
CITING_PREP_HEADS = {"cite", "report", "quote", "publish", "obtain", "see", "air", "broadcast", "reveal"}
BODY_WORDS = {"council", "ministry", "department", "office", "agency", "committee", "commission", "government",
              "kremlin", "pentagon", "white house", "service", "administration", "parliament", "police",
              "army", "military", "command", "embassy", "mission", "secretariat", "organization",
              "organisation", "alliance", "union", "bank", "court", "party", "spokesperson", "spokesman",
              "spokeswoman", "representative", "official", "member", "source", "statement", "report", "data"}
UNNAMED_HEADS = {"representative", "member", "spokesperson", "spokesman", "spokeswoman", "official",
                 "officials", "source", "sources", "aide", "diplomat", "person", "people"}


@register_stage("sources", provides=("attributions",))
def sources_stage(ctx: ArticleContext) -> None:
    doc, text = ctx.doc, ctx.article.text
    if doc is None or not text:
        return
    seen: set[tuple[int, int]] = set()
    for mention in outlet_mentions(text):
        if mention.outlet is None:
            continue
        cue = _outlet_cue(doc, text, mention)
        if cue is None:
            continue
        _add(ctx, seen, cue, [_link_for_outlet(ctx, mention)])
    for cue_tok, body in _according_to_bodies(doc, text):
        link = _body_link(ctx, doc, body)
        if link is not None:
            _add(ctx, seen, (cue_tok.idx, body.start_char, "according to"), [link])


# ------------------------------------------------------------ detection
def _outlet_head(doc, mention: OutletMention):
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    head = span.root
    while head.dep_ in ("compound", "amod", "nmod", "appos", "poss") and head.head.i != head.i:
        head = head.head  # "the RIA Novosti news agency": the phrase's head is "agency"
    return head


def _outlet_cue(doc, text: str, mention: OutletMention) -> Optional[tuple[int, int, str]]:
    """(cue start, cue end, cue text) when the outlet is cited for a claim."""
    head = _outlet_head(doc, mention)
    if head is None:
        return None
    before = text[max(0, mention.start - 40):mention.start].lower()
    if before.rstrip().endswith("according to"):
        start = mention.start - (len(before) - before.rfind("according to"))
        return start, start + len("according to"), "according to"
    gov = head.head
    if head.dep_ in ("nsubj", "nsubjpass") and gov.lemma_.lower() in REPORTING_VERBS:
        return gov.idx, gov.idx + len(gov.text), gov.text
    if head.dep_ == "pobj" and gov.lower_ in ("by", "to", "with"):
        verb = gov.head
        lemma = verb.lemma_.lower()
        if gov.lower_ == "by" and lemma in CITING_PREP_HEADS:
            return verb.idx, gov.idx + len(gov.text), text[verb.idx:gov.idx + len(gov.text)]
        if gov.lower_ in ("to", "with") and lemma in TELLING_VERBS | {"interview", "speaking"}:
            return verb.idx, verb.idx + len(verb.text), verb.text
    if head.dep_ in ("dative", "dobj") and gov.lemma_.lower() in TELLING_VERBS | {"cite", "quote"}:
        return gov.idx, gov.idx + len(gov.text), gov.text
    if gov.lower_ == "citing" or (head.i > 0 and doc[head.i - 1].lower_ == "citing"):
        tok = gov if gov.lower_ == "citing" else doc[head.i - 1]
        return tok.idx, tok.idx + len(tok.text), tok.text
    return None


def _according_to_bodies(doc, text: str):
    """("according", object span) for "according to <a body or its spokesperson>"."""
    for tok in doc:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        objs = [c for c in doc[tok.i + 1].children if c.dep_ == "pobj"]
        if not objs:
            continue
        obj = objs[0]
        span = _up_to_comma(doc, obj.left_edge.i, obj.right_edge.i + 1)
        words = span.text.lower()
        if any(e.label_ == "PERSON" for e in span.ents) and obj.lower_ not in UNNAMED_HEADS:
            continue  # a named person: indirect speech, the quotes stage's business
        if obj.lemma_.lower() in UNNAMED_HEADS or any(w in words for w in BODY_WORDS) or \
                any(e.label_ in ("ORG", "NORP") for e in span.ents):
            yield tok, span


def _up_to_comma(doc, start: int, end: int):
    """A noun phrase cut at its first comma: the parser often hangs the
    claim's subject off 'according to X,'."""
    for i in range(start, end):
        if doc[i].text in (",", ";", ":", "\n"):
            return doc[start:i]
    return doc[start:end]


# ------------------------------------------------------------ records
def _evidence(ctx: ArticleContext, start: int, end: int) -> Evidence:
    return Evidence(article=ctx.article.id, sentence=ctx.sentence_at(start), start=start, end=end,
                    text=ctx.article.text[start:end])


def publisher_link(ctx: ArticleContext) -> list[SourceLink]:
    """The chain's first link: the publishing outlet, when the article names it."""
    outlet = ctx.article.outlet
    return [SourceLink(name=outlet, kind="outlet")] if outlet else []


def _link_for_outlet(ctx: ArticleContext, mention: OutletMention) -> SourceLink:
    kind = "agency" if mention.outlet.type == "agency" else "outlet"
    return SourceLink(name=mention.outlet.name, kind=kind, code=mention.outlet.country,
                      evidence=_evidence(ctx, mention.start, mention.end))


def _body_link(ctx: ArticleContext, doc, span) -> Optional[SourceLink]:
    """'a representative for the US National Security Council' -> an unnamed
    speaker of that body; 'the Ministry of Defence' -> the body itself."""
    root = span.root
    name_span = span
    kind = "speaker"
    if root.lemma_.lower() in UNNAMED_HEADS:
        kind = "unnamed"
        inner = [c for c in root.children if c.dep_ == "prep" and c.lower_ in ("for", "of", "from", "at", "in")]
        if inner:
            objs = [c for c in inner[0].children if c.dep_ == "pobj"]
            if objs:
                obj = objs[0]
                name_span = _up_to_comma(doc, obj.left_edge.i, obj.right_edge.i + 1)
    name = name_span.text
    for det in ("the ", "a ", "an "):
        if name.lower().startswith(det):
            name = name[len(det):]
    if not name:
        return None
    return SourceLink(name=name, kind=kind, evidence=_evidence(ctx, span.start_char, span.end_char))


def _add(ctx: ArticleContext, seen: set, cue: tuple[int, int, str], cited: list[SourceLink]) -> None:
    start, end, cue_text = cue
    key = (start, cited[0].evidence.start if cited[0].evidence else 0)
    if key in seen:
        return
    seen.add(key)
    sent_i = ctx.sentence_at(start)
    covers_start, covers_end = _coverage(ctx, sent_i, start)
    ev = cited[0].evidence
    ctx.result.attributions.append(Attribution(
        id=stable_id("p", ctx.article.id, start, ev.start if ev else 0),
        article=ctx.article.id, sentence=sent_i, start=start, end=end,
        chain=publisher_link(ctx) + cited, covers_start=covers_start, covers_end=covers_end, cue=cue_text))


QUOTE_OPENERS = ('"', "“", "``", "‘")


def _coverage(ctx: ArticleContext, sent_i: int, cue_start: int) -> tuple[int, int]:
    """The cue's sentence (its own line of it), widened back to the opening
    of a quotation the cue closes and forward over following sentences
    that continue a quotation (open with a quotation mark or sit inside one
    left open)."""
    sents, text = ctx.sentences, ctx.article.text
    start, end = sents[sent_i].start, sents[sent_i].end
    start = max(start, text.rfind("\n", 0, cue_start) + 1)
    before = text[start:cue_start]
    if before.count("”") > before.count("“") or (before.count('"') % 2 == 1 and '"' not in before.lstrip()[:1]):
        paragraph_start = text.rfind("\n", 0, start) + 1
        opener = max(text.rfind("“", paragraph_start, start), text.rfind('"', paragraph_start, start))
        if opener >= 0:
            start = opener
    j = sent_i + 1
    while j < len(sents):
        body = sents[j].text.lstrip()
        if not (_unbalanced(text[start:end]) or body.startswith(QUOTE_OPENERS)):
            break
        end = sents[j].end
        j += 1
        if not _unbalanced(text[start:end]):
            break
    return start, end


def _unbalanced(chunk: str) -> bool:
    return chunk.count("“") > chunk.count("”") or chunk.count('"') % 2 == 1
