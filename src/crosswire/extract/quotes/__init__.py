"""Extract stage 'quotes': direct and indirect speech with speaker, cue,
content, medium and when it was said.

The spans come from `spans.attribution_spans` (models trained on PolNeAR;
see docs/quotes.md). An attribution becomes a records.Quote when its cue is
a speech cue (data/quotes/cues.json) or its content is a quotation. Then:

- speaker: the source span coded through the actors stage
  (`actors.lookup.resolve_mention`, guarded), pronouns and role nouns ("he",
  "the spokesperson") resolved to the most recent compatible speaker or
  person, a bare surname widened to the full name seen earlier;
- medium: "told the RIA Novosti news agency", "Speaking to the ... YouTube
  channel", "in a press statement" -> the outlet/channel name or the kind of
  statement;
- said_on: the TIMEX3 value of the time expression the parse attaches to the cue
- chain: publishing outlet -> every sources-stage attribution covering the
  quote -> the speaker.
"""
from __future__ import annotations

from typing import Optional

from ...records import Participant, Quote, SourceLink, stable_id
from .. import ArticleContext, register_stage
from .spans import SpanAttribution, attribution_spans
from .speakers import SpeakerResolver
from .medium import medium_of

def tagger_on(settings) -> bool:
    """The quotes stage reads the transformer pass when its tagger is on."""
    return bool(settings.quotes_tagger)


@register_stage("quotes", needs=("time", "actors", "sources"), provides=("quotes",), reads_encoding=tagger_on)
def quotes_stage(ctx: ArticleContext) -> None:
    doc = ctx.doc
    if doc is None or not ctx.article.text:
        return
    from ..sources.outlets import cue_lexicon

    speech = set(cue_lexicon()["speech_cues"])
    resolver = SpeakerResolver(ctx)
    # the pass may be there for the events stage alone: the tagger's spans only when it is on
    tags = ctx.encoding.token_logits if ctx.encoding is not None and ctx.settings.quotes_tagger else None
    for att in attribution_spans(doc, tags=tags, use_tagger=ctx.settings.quotes_tagger):
        cue_tok = doc[att.cue_head]
        if not (att.direct or cue_tok.lemma_.lower() in speech or cue_tok.lower_ in speech):
            continue
        _keep_quotations(ctx, att)
        if _is_outlet_claim(ctx, att):
            continue  # "According to AFP, ...": an Attribution (sources stage), not speech
        quote = _make_quote(ctx, att, resolver)
        if quote is not None:
            ctx.result.quotes.append(quote)
            resolver.note_speaker(quote.speaker)


def _is_outlet_claim(ctx: ArticleContext, att: SpanAttribution) -> bool:
    from ..sources.outlets import find_outlet

    if not att.source:
        return False
    s, e = att.source[0]
    words = ctx.article.text[s:e]
    return find_outlet(words) is not None and len(words.split()) <= 4


def _keep_quotations(ctx: ArticleContext, att: SpanAttribution) -> None:
    """A direct quote's content is its quotations, not the words around
    them. (A quotation continuing in the next sentence, '"...," he said.
    "Additionally, ..."', is already a fragment: spans._continue_quotations.)"""
    if not att.direct or not att.content:
        return
    text = ctx.article.text
    quoted = [(s, e) for s, e in att.content if text[s] in "\"“‘`'"]
    if quoted:
        att.content = quoted


def _strip_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """Content without the surrounding quotation marks."""
    while start < end and (text[start] in "\"“”‘'`" or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in "\"“”’'" or text[end - 1].isspace()):
        end -= 1
    return start, end


def _make_quote(ctx: ArticleContext, att: SpanAttribution, resolver: "SpeakerResolver") -> Optional[Quote]:
    text = ctx.article.text
    doc = ctx.doc
    cue_start, cue_end = min(s for s, _ in att.cue), max(e for _, e in att.cue)
    c_start, c_end = min(s for s, _ in att.content), max(e for _, e in att.content)
    pieces = [_strip_marks(text, s, e) for s, e in sorted(att.content)]
    content_text = " ".join(text[s:e] for s, e in pieces if e > s)
    start, end = pieces[0][0], pieces[-1][1]
    if not content_text:
        return None
    speaker = resolver.speaker_for(att)
    if speaker is None:
        return None
    sent_i = ctx.sentence_at(cue_start)
    medium = medium_of(doc, doc[att.cue_head], (c_start, c_end))
    said_on = _said_on(ctx, att.cue_head, sent_i, (c_start, c_end), (cue_start, cue_end))
    chain = _chain(ctx, cue_start, start, end, speaker)
    return Quote(
        id=stable_id("q", ctx.article.id, start, end, cue_start),
        article=ctx.article.id, sentence=ctx.sentence_at(start), start=start, end=end, text=content_text,
        speaker=speaker, direct=att.direct, cue=text[cue_start:cue_end], cue_span=(cue_start, cue_end),
        source_span=(min(s for s, _ in att.source), max(e for _, e in att.source)) if att.source else None,
        medium=medium, said_on=said_on, chain=chain)


CLAUSE_DEPS = {"ccomp", "xcomp", "advcl", "relcl", "acl", "parataxis", "conj", "csubj"}


def _said_on(ctx: ArticleContext, cue_head: int, sent_i: int, content: tuple[int, int],
             cue: tuple[int, int]) -> Optional[str]:
    """When the statement was made: the time expression attached to the cue
    in the parse ("On Monday, X stated", "X confirmed on Tuesday", "said at
    a briefing Monday"), else one right after the cue. A date elsewhere in
    the sentence, even before the cue, belongs to the reported claim ("...
    a meeting later that week, the officials confirmed on Tuesday") and is
    not when it was said."""
    candidates = [tx for tx in ctx.result.timexes
                  if tx.sentence == sent_i and tx.type in ("DATE", "TIME")
                  and not content[0] <= tx.start < content[1]]
    attached = [tx for tx in candidates if _attached_to_cue(ctx.doc, tx.start, tx.end, cue_head, content)]
    if attached:
        return min(attached, key=lambda tx: abs(tx.start - cue[1]) if tx.start >= cue[1] else cue[0] - tx.end).value
    after = [tx for tx in candidates if cue[1] <= tx.start <= cue[1] + 20]
    return after[0].value if after else None


def _attached_to_cue(doc, start: int, end: int, cue_head: int, content: tuple[int, int]) -> bool:
    """The expression's head reaches the cue through the parse without
    entering the content or another clause."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or cue_head < 0:
        return False
    node = span.root
    for _ in range(12):
        if node.i == cue_head:
            return True
        if node.head.i == node.i or content[0] <= node.idx < content[1]:
            return False
        if node.dep_ in CLAUSE_DEPS and node.head.i != cue_head:
            return False
        node = node.head
    return False


def _chain(ctx: ArticleContext, cue_start: int, start: int, end: int, speaker: Participant) -> list[SourceLink]:
    """Publisher -> cited links of covering attributions -> speaker. A
    covering chain that ends in an outlet and sits in this quote's sentence
    also gets the speaker appended (the outlet is the speaker's medium)."""
    chain: list[SourceLink] = [SourceLink(name=ctx.article.outlet, kind="outlet")] if ctx.article.outlet else []
    speaker_link = SourceLink(name=speaker.name, kind="speaker", code=speaker.code, evidence=speaker.mention)
    for att in ctx.result.attributions:
        covers = att.covers_start <= cue_start < att.covers_end or att.covers_start <= start < att.covers_end
        if not covers:
            continue
        for link in att.chain:
            if link.kind != "outlet" or link.name != ctx.article.outlet:
                if all(link.name != c.name for c in chain):
                    chain.append(link)
        if att.chain and att.chain[-1].kind in ("agency", "outlet") and att.chain[-1].name != speaker.name \
                and att.sentence == ctx.sentence_at(cue_start):
            att.chain.append(speaker_link)
    if all(link.name != speaker.name for link in chain):
        chain.append(speaker_link)
    return chain
