"""PLOVER events: who did what to whom, when, according to whom (per sentence).

- :mod:`.classify`: readings of a sentence's predicates over spaCy's dependency parse (frames, action types,
  negation, hypothetical/future, attribution) and the ranked PLOVER types with modes and confidences;
- :mod:`.extract`: source and target actors, date and place as written, events of a sentence / Doc / Document,
  and ``extract_jsonl`` (``dossier extract events``);
- :mod:`.coding`: ``code_actor(text) -> (country, sector)``, a stand-in for the actors stage's coder;
- :mod:`.model`: the small hashed linear model (``data/events_model.json``) and its trainer;
- :mod:`.training`: training data (ngec_synthetic, plover_gsr dev folds), used by ``scripts/train_events.py``.

- :mod:`.stage`: the per-document stage ``events`` (reports dated through the timex stage, in
  ``doc.annotations["events"]``);
- :mod:`.store`: the corpus-level half: reports merged into events across documents and wire copies, the store
  tables, events.jsonl and the queries behind ``dossier events``.

Knowledge lives in ``data/events_lexicon.json``, ``data/events_actors.json`` and ``data/events_merge.json``.
"""

from .classify import attributions, classify_sentence, is_hypothetical, is_negated
from .coding import code_actor
from .extract import Event, events_for_document, extract_doc, extract_jsonl, extract_sentence, extract_text
from .stage import events_stage, reports
from .store import events_table, export_events

__all__ = ["Event", "attributions", "classify_sentence", "code_actor", "events_for_document", "extract_doc",
           "events_stage", "events_table", "export_events", "extract_jsonl", "extract_sentence", "extract_text",
           "is_hypothetical", "is_negated", "reports"]
