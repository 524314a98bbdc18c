"""Tokens of the search index: words, stopwords, the light suffix fold; the index's constants."""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import DossierError

INDEX_VERSION = 4  # bump when the tokens change
K1, B = 1.5, 0.75
CHUNK = 20000
UNDATED_LO, UNDATED_HI = 2**31 - 1, 0  # an undated sentence fails every date filter
OPEN_HI = 2**31 - 1
_WORD = re.compile(r"(?u)\b\w\w+\b")
_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}")  # U.S. -> US


class SearchError(DossierError):
    """The search index cannot be built or read, or a query is not usable."""


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer: optional, not a dependency

        return Stemmer.Stemmer("english").stemWord
    except ImportError:
        return None


class Terms:
    """Surface token -> term id (-1: stopword); the vocabulary grows as new terms are seen."""

    def __init__(self, vocab: dict[str, int] | None = None):
        self.vocab = dict(vocab or {})
        self.cache: dict[str, int] = {}

    @property
    def stop(self) -> frozenset[str]:
        return _stopwords()

    @property
    def stem(self):
        return _stemmer()

    def norm(self, tok: str) -> str | None:
        """The term of a surface token: None for a stopword; an upper-case acronym that would be a stopword in
        lower case ("US", "IT") stays a term of its own; else a light English suffix fold (or PyStemmer)."""
        low = tok.lower()
        if low in self.stop:
            return low + "_" if tok.isupper() and len(tok) <= 3 else None
        if low.isdigit() and len(low) < 4:
            return None
        if self.stem is not None:
            return self.stem(low)
        return fold(low)

    def ids(self, text: str, grow: bool = True) -> list[int]:
        toks = _WORD.findall(_ACRONYM.sub(_undot, text) if "." in text else text)
        get = self.cache.get
        ids = [get(t, -2) for t in toks]
        if -2 in ids:
            ids = [i if i != -2 else self._new(t, grow) for t, i in zip(toks, ids, strict=True)]
        return [i for i in ids if i >= 0]

    def _new(self, tok: str, grow: bool) -> int:
        term = self.norm(tok)
        if term is None:
            t = -1
        elif term in self.vocab:
            t = self.vocab[term]
        elif grow:
            t = self.vocab[term] = len(self.vocab)
        else:
            return -1  # not cached: the term may be added later
        self.cache[tok] = t
        return t


_TERMS = Terms.__new__(Terms)  # norm() only: stopwords and stemmer, no vocabulary


def fold(w: str) -> str:
    """A light suffix fold, so that "captured", "capturing", "capture" and "captures" meet."""
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suf, keep in (("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if w.endswith(suf) and len(w) - len(suf) >= keep and not w.endswith(("ss", "us", "is")):
            w = w[:-len(suf)]
            break
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def _undot(m: re.Match) -> str:
    return m.group(0).replace(".", "")


@lru_cache(maxsize=200_000)
def _term(tok: str) -> str | None:
    return _TERMS.norm(tok)


def query_terms(text: str) -> list[str]:
    t = Terms()
    return [x for x in (t.norm(w) for w in _WORD.findall(_ACRONYM.sub(_undot, text))) if x]
