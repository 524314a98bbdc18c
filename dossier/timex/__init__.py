"""Time expressions: the timex stage (TIMEX3 values read against the publication date) and the first pass the
meta stage uses to read and bound publication dates.

- :func:`annotate` / the ``timex`` stage (``stage.py``): every time expression of a text with its TIMEX3 type,
  value, mod and the anchor it was read against; :func:`extract_jsonl` is ``dossier extract times``.
- :func:`bounds_of`: the first and last day a TIMEX3 value covers (for timelines and event dates).
- :func:`find` / :class:`TimeMention` / :func:`publication_words` (``first.py``): explicit dates and the clues that
  bound a publication date, for dossier.meta.

Knowledge lives in data/timex.json (first pass), data/timex_lexicon.json (words), data/timex_grammar.json
(patterns) and data/timex_policy.json (reading choices).
"""

from .first import TimeMention, find, publication_words
from .normalise import bounds_of
from .stage import annotate, extract_jsonl, timex

__all__ = ["TimeMention", "annotate", "bounds_of", "extract_jsonl", "find", "publication_words", "timex"]
