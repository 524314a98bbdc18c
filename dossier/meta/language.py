"""Language of a text (lingua, restricted to the languages in data/languages.json) and stopword lists (jusText's).

A fast path answers ``en`` without the detector when a sample is clearly English by its share of stopwords.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

_WORD_RE = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _config() -> dict:
    return json.loads(resources.files("dossier").joinpath("data/languages.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, name) for name in _config()["detect"]]
    return LanguageDetectorBuilder.from_languages(*langs).build()


@lru_cache(maxsize=64)
def stopwords(code: str | None) -> frozenset[str]:
    """jusText's stoplist for an ISO 639-1 code (lower case words); empty for unknown languages."""
    import justext
    from lingua import IsoCode639_1, Language

    if not code:
        return frozenset()
    try:
        name = Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.title()
        return frozenset(w.lower() for w in justext.get_stoplist(name))
    except (AttributeError, ValueError, KeyError):
        return frozenset()


def sample(text: str, size: int | None = None) -> str:
    """A sample of the body: the longest lines first (menus and footers are short), up to ``size`` characters."""
    size = size or _config()["sample_chars"]
    lines = sorted((ln for ln in text.splitlines() if ln.strip()), key=len, reverse=True)
    out, n = [], 0
    for ln in lines:
        out.append(ln[: size - n])
        n += len(out[-1])
        if n >= size:
            break
    return " ".join(out)


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    s = sample(text)
    words = _WORD_RE.findall(s.lower())
    if not words:
        return None
    if len(words) >= 20:
        share = sum(w in stopwords("en") for w in words) / len(words)
        if share >= _config()["english_fast_path_stopword_share"]:
            return "en"
    lang = _detector().detect_language_of(s)
    return lang.iso_code_639_1.name.lower() if lang is not None else None


def detect_short(text: str) -> str | None:
    """Language of a short text (a footer, a line), by the detector alone."""
    lang = _detector().detect_language_of(text)
    return lang.iso_code_639_1.name.lower() if lang is not None else None
