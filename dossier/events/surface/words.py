"""The words of a sentence for the surface reader: tokens with what the stages found in them (entity mentions,
time expressions), lemmas the lexicon knows, verbs told from nouns by their neighbours, clause boundaries."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from ..coding import _singular, _tables
from ..extract import ACTOR_ENTS, PLACE_ENTS, PRONOUNS, TextSpan, _irregular_lemmas, _surface_lemmas
from ..lexicon import lexicon

TOKEN = re.compile(r"\d+(?:[.,]\d+)+|(?:[A-Za-z]\.){2,}"
                   r"|(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sen|Rep|Gov|Jr|Sr|Inc|Corp|Co|Ltd|Prof|Capt)\."
                   r"|\w+(?:[’'\-]\w+)*|[^\w\s]")


CLAUSE_END = frozenset({";", ":", "(", ")", "{", "}", "[", "]", "—", "–", "who", "which", "whom", "whose", "while",
                        "whereas", "although", "though", "because", "but", "where", "since", "whether"})


WH = frozenset({"when", "what", "where", "how", "why", "whether", "if", "because", "as", "while", "after", "before",
                "once", "until", "unless", "although", "though", "since", "so", "than"})


QUOTES = frozenset({'"', "“", "”", "‘", "’", "'"})


DETS = frozenset({"the", "a", "an", "its", "their", "his", "her", "our", "this", "these", "those", "that", "some",
                  "any", "every", "each", "another", "such", "no", "my", "your"})


AUX = frozenset({"has", "have", "had", "is", "are", "was", "were", "be", "been", "being", "will", "would", "shall",
                 "could", "can", "may", "might", "should", "must", "did", "does", "do", "'ll", "'d", "get", "got",
                 "gets", "also", "already", "then", "now", "still", "just", "later", "again", "jointly", "reportedly",
                 "allegedly", "repeatedly", "not", "n't", "never", "to", "ever", "once", "first", "finally", "soon",
                 "since", "recently", "previously", "earlier", "even", "further", "immediately", "apparently"})


BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "get", "got", "gets", "getting"})


PREPS = frozenset({"to", "of", "in", "on", "at", "for", "with", "from", "by", "against", "into", "onto", "over",
                   "about", "after", "before", "during", "amid", "under", "between", "through", "toward", "towards",
                   "across", "than", "as", "like", "upon", "within", "without", "despite", "near", "via"})


NOT_TARGET_PREPS = frozenset({"amid", "during", "after", "before", "since", "despite", "as", "like", "about",
                              "under", "within", "without", "through", "via", "between", "among", "over", "by",
                              "because", "while", "until"})


PARTICLES = frozenset({"out", "off", "up", "down", "over", "back", "away", "in", "on", "into", "to", "against",
                       "with", "from", "for", "by", "at", "through"})


NEG = frozenset({"not", "n't", "never", "no"})


SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "it", "who", "which", "that"})


AUXILIARY = frozenset({"has", "have", "had", "having", "do", "does", "did", "get", "got", "gets", "getting"})


@lru_cache(maxsize=1)
def _known() -> frozenset:
    lex = lexicon()
    return frozenset(lex.trigger_words | lex.reporting_verbs | set(lex.frame_verbs) | lex.light_verbs)


@lru_cache(maxsize=65536)
def lemmas_of(form: str) -> tuple[str, ...]:
    """The lexicon lemmas a lower-case word form can be ("withdrew" -> withdraw, "talks" -> talk)."""
    known = _known()
    out = [x for x in _surface_lemmas(form) if x in known]
    out += [x for x in _irregular_lemmas().get(form, ()) if x not in out]
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=65536)
def noun_lemma(form: str) -> str:
    """The singular of a noun as the lexicon writes it ("relations" -> relation)."""
    lex = lexicon()
    for s in _singular(form):
        if s in lex.noun_types or s in lex.hostile_nouns or s in lex.cooperative_nouns or s in lex.generic_heads \
                or s in lex.quantity_heads:
            return s
    return form


@lru_cache(maxsize=1)
def _sector_words() -> frozenset:
    return frozenset(k for k in _tables()[1] if " " not in k)


@lru_cache(maxsize=65536)
def is_sector_word(w: str) -> bool:
    words = _sector_words()
    return any(s in words for s in _singular(w))


@lru_cache(maxsize=1)
def verb_words() -> frozenset:
    """Lemmas that can head an event as a verb (or an intent adjective: "ready to")."""
    lex = lexicon()
    return frozenset(set(lex.verb_types) | set(lex.frame_verbs) | {k.split()[0] for k in lex.verb_particles}
                     | {k.split()[0] for k in lex.verb_objects} | lex.reverse_verbs | lex.impose_verbs
                     | lex.light_verbs | lex.intent_adjs | lex.motion_verbs)


class Sentence:
    """The words of one sentence with what the stages found in them."""

    __slots__ = ("text", "start", "toks", "low", "ent", "time", "place", "ends")

    def __init__(self, text: str, start: int, mentions: list[dict], times: list[dict]):
        self.text, self.start = text, start
        words = [(m.start(), m.group()) for m in TOKEN.finditer(text)]
        self.toks = [(a + start, a + start + len(w)) for a, w in words]
        self.low = [w.lower() for _, w in words]
        n = len(words)
        self.ent: list[dict | None] = [None] * n   # the actor mention a word is in
        self.time: list[dict | None] = [None] * n  # the time expression a word is in
        self.place: list[dict | None] = [None] * n
        self.ends: list[int] | None = None
        starts = [a for a, _ in self.toks]
        for m in mentions:
            lab = m.get("label")
            slot = self.ent if lab in ACTOR_ENTS else self.place if lab in PLACE_ENTS else None
            if slot is not None:
                self._mark(slot, starts, m, True)
        for t in times:
            if t.get("type") in ("DATE", "TIME"):
                self._mark(self.time, starts, t, False)

    def _mark(self, slot: list, starts: list[int], m: dict, shortest: bool) -> None:
        """Put ``m`` on the words inside it (the shortest mention wins where mentions nest)."""
        a, b = m["start"], m["end"]
        i = bisect_left(starts, a)
        while i < len(starts) and self.toks[i][1] <= b:
            cur = slot[i]
            if not shortest or cur is None or b - a < cur["end"] - cur["start"]:
                slot[i] = m
            i += 1

    def span(self, i: int, j: int) -> TextSpan:
        a, b = self.toks[i][0], self.toks[j - 1][1]
        return TextSpan(self.text[a - self.start:b - self.start], a - self.start, b - self.start, a, b)

    def is_actor_word(self, i: int) -> bool:
        return self.ent[i] is not None or self.low[i] in PRONOUNS or is_sector_word(self.low[i])

    def boundary(self, i: int) -> bool:
        w = self.low[i]
        return w in CLAUSE_END or w in (",", ".", "that") or w in QUOTES


def before_participle(s: Sentence, k: int) -> bool:
    j = k + 1
    while j < len(s.low) and j <= k + 3 and (s.low[j] in NEG or s.low[j].endswith("ly") or s.low[j] in
                                            ("also", "already", "still", "just", "since", "now", "been")):
        j += 1
    if j >= len(s.low):
        return False
    w = s.low[j]
    return s.low[j - 1] == "been" or (w.endswith(("ed", "en")) and bool(lemmas_of(w)) or w in _irregular_lemmas()) \
        or (s.low[k] in ("do", "does", "did") and bool(lemmas_of(w)))


def is_verb(s: Sentence, k: int, lemma: str) -> bool:
    """Whether the word at ``k`` is used as a verb (or an intent adjective), from its neighbours: nouns follow
    determiners, possessives, numbers and prepositions; verbs follow auxiliaries, "to", pronouns and subjects."""
    lex = lexicon()
    if lemma not in verb_words():
        return False
    w = s.low[k]
    p = k - 1
    while p >= 0 and (s.low[p].endswith("ly") and s.low[p] not in DETS or s.time[p] is not None
                      or s.low[p] in ("on", "in", "at") and p + 1 < k and s.time[p + 1] is not None):
        p -= 1
    prev = s.low[p] if p >= 0 else ""
    if lemma in lex.intent_adjs:
        return prev in BE or prev in ("not", "n't", "also", "more", "less")
    if w in BE:
        return False  # "be" makes an event only as "are in talks" (read before this)
    if w.endswith("ed") and (k == 0 or (prev in DETS and k + 1 < len(s.low) and s.text[
            s.toks[k + 1][0] - s.start:][:1].isupper())):
        return False  # "Ousted president Aristide", "the banned Movement": an adjective
    if prev in DETS or prev.endswith(("'s", "’s")) or (prev in PREPS and prev != "to") or prev[:1].isdigit():
        return False
    if p >= 0 and p == k - 1 and s.ent[p] is not None and s.ent[p].get("label") == "NORP" and k + 1 < len(s.low) \
            and not s.ent[p]["text"].endswith("s") and s.low[k + 1][:1].isalpha() and not lemmas_of(s.low[k + 1]) \
            and s.low[k + 1] not in PREPS and s.low[k + 1] not in DETS:
        return False  # "Afghan rebel leaders" (not "Iraqi Kurds demonstrated in")
    ambiguous = lemma in lex.noun_types or w.endswith("s") and not w.endswith("ss")
    if not ambiguous or prev in AUX or prev in SUBJECT_PRONOUNS or prev in lex.modals:
        return not (w.endswith("ing") and prev not in BE and prev in ("", ",")) or True
    if w.endswith("ed"):
        return True
    nxt = s.low[k + 1] if k + 1 < len(s.low) else ""
    if w.endswith("ing"):  # "a declaration demanding that ...", "..., killing five"; not "the meeting"
        return prev in BE or prev == "," or nxt in ("that", "to") or nxt in DETS or nxt in PARTICLES \
            or (k + 1 < len(s.low) and s.ent[k + 1] is not None)
    subject = p >= 0 and (s.ent[p] is not None and s.ent[p].get("label") != "NORP" or is_sector_word(prev))
    if not subject:
        return False
    if nxt in DETS or nxt in ("out", "off", "up", "down", "back", "away") or (k + 1 < len(s.low) and s.ent[k + 1]):
        return True
    return nxt in PREPS and not w.endswith("s")  # "negotiators return to Geneva"; not "US forces in Caracas"


def clause_start(s: Sentence, k: int, floor: int) -> int:
    i = k
    while i > floor and not (s.low[i - 1] in CLAUSE_END or s.low[i - 1] == ";"):
        i -= 1
    return i


def clause_end(s: Sentence, k: int) -> int:
    ends = s.ends
    if ends is None:  # the next clause boundary after each word, computed once per sentence
        ends = [len(s.low)] * len(s.low)
        nxt = len(s.low)
        for j in range(len(s.low) - 1, -1, -1):
            ends[j] = nxt
            if s.low[j] in CLAUSE_END or s.low[j] in (";", "."):
                nxt = j
        s.ends = ends
    return ends[k]


@lru_cache(maxsize=1)
def _pair_nouns() -> frozenset:
    from ..store import settings

    return frozenset(settings()["pair_nouns"])


def may_have_actor(s: Sentence) -> bool:
    if any(e is not None for e in s.ent):
        return True
    pairs = _pair_nouns()
    return any(w in PRONOUNS or w in pairs or is_sector_word(w) for w in s.low)
