"""Search the knowledge base: BM25 (bm25s) over every stored sentence, with filters; and ``ask``, an extractive
answer assembled from the best sentences and events, each claim cited.

The index lives next to the store (``<db>.search/``): the bm25s files (score matrix, vocabulary, parameters,
memory-mapped on load), per-sentence arrays (annotations rowid, document rowid, span, date bounds, event-type bits),
entity postings (entity -> sentences mentioning it) and the term counts per sentence, so documents added later
*extend* the index (only the new sentences are tokenised; the BM25 weights are recomputed from the counts in
numpy). A marker tells at O(1) cost whether the index is current: counters kept by triggers (table
``search_state``, made by migration 006 with the FTS5 index and the readable views: sentences inserted, deleted,
event reports changed) and the largest rowids of annotations and entity_mentions. A deletion means a full rebuild;
changed event reports or mentions alone recompute only the event-type bits and the entity postings.

Tokens: words of two or more characters, lowercased, English stopwords out (an upper-case acronym that is a
stopword in lower case, "US", stays), "U.S." read as "US", a light suffix fold (PyStemmer's English stemmer when
it is installed).
"""

from __future__ import annotations

from .ask import ask, llm_answer, question_entities
from .index import _CACHE, Index, index_dir, load, refresh  # _CACHE: the process-wide cache (tests clear it)
from .query import event_types, search
from .schema import datasette_metadata, migration
from .terms import SearchError, Terms, _stopwords, query_terms  # _stopwords: read by the benchmark

__all__ = ["_CACHE", "_stopwords", "Index", "SearchError", "Terms", "ask", "datasette_metadata", "event_types",
           "index_dir", "llm_answer", "load", "migration", "query_terms", "question_entities", "refresh", "search"]
