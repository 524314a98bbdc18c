"""``ask``: an extractive answer from the best sentences and events, each claim cited."""

from __future__ import annotations

import json
import re
import sqlite3

import numpy as np

from ..errors import UsageError
from .index import Index, load
from .query import _Opened, search
from .terms import _WORD, SearchError, _stopwords, _term, query_terms


def question_entities(conn: sqlite3.Connection, question: str) -> dict[str, str]:
    """Entities named in the question (longest word n-grams first, matched on folded aliases), in the order the
    question names them: id -> name. The first is the question's subject ("What did Russia say ...")."""
    from ..actors.kb import fold as kb_fold

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entity_aliases'").fetchone():
        return {}
    words = re.findall(r"[\w.'-]+", question)
    used, found = set(), []
    stop = _stopwords()
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            span = set(range(i, i + n))
            if span & used:
                continue
            gram = " ".join(words[i:i + n]).strip(".'-")
            if not gram[:1].isupper() or (n == 1 and gram.lower() in stop and not gram.isupper()):
                continue
            rows = conn.execute("SELECT a.entity, e.name FROM entity_aliases a JOIN entities e ON e.id = a.entity "
                                "WHERE a.folded = ? ORDER BY e.mention_count DESC LIMIT 1",
                                (kb_fold(gram),)).fetchall()
            if rows:
                used |= span
                found.append((i, rows[0][0], rows[0][1]))
    out: dict[str, str] = {}
    for _, eid, name in sorted(found):
        out.setdefault(eid, name)
    return out


def _norm_text(t: str) -> str:
    return " ".join(_WORD.findall(t.lower()))


def _same_sentence_groups(conn, text: str, limit: int = 300) -> set[str]:
    """Version groups of every stored document carrying this very sentence (FTS5 phrase, then exact check)."""
    words = _WORD.findall(text.lower())
    if len(words) < 4:
        return set()
    key = _norm_text(text)
    phrase = '"' + " ".join(w for w in words[:24] if w.isalnum()) + '"'
    try:
        rows = conn.execute(
            "SELECT a.text, coalesce(d.version_of, d.id) FROM sentences_fts f JOIN annotations a ON a.rowid = f.rowid "
            "JOIN documents d ON d.id = a.doc_id WHERE sentences_fts MATCH ? LIMIT ?", (phrase, limit)).fetchall()
    except sqlite3.OperationalError:
        return set()
    return {g for t, g in rows if _norm_text(t) == key}


def _sentence_entities(conn, hits: list[dict], ents: dict[str, str]) -> dict[tuple, set[str]]:
    """(doc, start) of each hit -> the question entities mentioned (or acted for) inside its sentence."""
    out: dict[tuple, set[str]] = {}
    if not ents or not hits:
        return out
    ids = list(ents)
    for d in {h["doc"] for h in hits}:
        ms = conn.execute(f"SELECT span_start, entity, acts_for FROM entity_mentions WHERE doc = ? AND "
                          f"(entity IN ({','.join('?' * len(ids))}) OR acts_for IN ({','.join('?' * len(ids))}))",
                          (d, *ids, *ids)).fetchall()
        for h in hits:
            if h["doc"] == d:
                out[(d, h["start"])] = {e for s, ent, af in ms if h["start"] <= s < h["end"]
                                        for e in (ent, af) if e in ents}
    return out


def _doc_coverage(conn, ix: Index, hits: list[dict], question: str) -> dict[str, float]:
    """Share of the question's weight (idf of its terms) that each hit's whole document holds: a sentence from
    an article about every part of the question beats an equally good sentence from an article about one part."""
    indptr = ix.bm25.scores["indptr"]
    weights = {}
    for t in dict.fromkeys(query_terms(question)):
        if t in ix.vocab:
            df = int(indptr[ix.vocab[t] + 1] - indptr[ix.vocab[t]])
            weights[t] = float(np.log(1 + (ix.n - df + 0.5) / (df + 0.5)))
    total = sum(weights.values()) or 1.0
    out = {}
    for d in list(dict.fromkeys(h["doc"] for h in hits))[:40]:
        r = conn.execute("SELECT text, title FROM documents WHERE id = ?", (d,)).fetchone()
        have = {_term(t) for t in set(_WORD.findall(f"{r[1] or ''} {r[0]}"))} if r else set()
        out[d] = sum(w for t, w in weights.items() if t in have) / total
    return out


def _topic_day(conn, hits: list[dict], others: set[str]) -> str | None:
    """The date of what the question is about: the first dated event, among those reported by the best hits,
    whose actors include the question's other entities ("the US capture of Maduro")."""
    if not others or not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_mentions'").fetchone():
        return None
    for h in sorted(hits, key=lambda x: -x["score"])[:10]:
        for row in conn.execute(
                "SELECT e.source_entity, e.source_acts_for, e.target_entity, e.target_acts_for, e.first_day "
                "FROM event_mentions m JOIN events e ON e.id = m.event WHERE m.doc = ? AND m.start < ? "
                "AND m.\"end\" > ? AND e.first_day IS NOT NULL AND e.negated = 0", (h["doc"], h["end"], h["start"])):
            if len(set(row[:4]) & others) >= min(2, len(others)):
                return row[4]
    return None


def _subject_reports(conn, docs: list[str], subject: str, after: str | None) -> dict[str, list[tuple]]:
    """Spans of the event reports in these documents whose source, or whoever the report says said it, is the
    subject (or acts for it): what the subject did or said; each with a weight, lower when the report is dated
    before ``after`` (the question's topic: a reaction comes after)."""
    out: dict[str, list[tuple]] = {}
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_mentions'").fetchone():
        return out
    for d in docs:
        for start, end, said, src, acts, last in conn.execute(
                "SELECT m.start, m.\"end\", m.said_by, e.source_entity, e.source_acts_for, e.last_day "
                "FROM event_mentions m JOIN events e ON e.id = m.event WHERE m.doc = ? AND e.negated = 0", (d,)):
            speakers = {x.get("entity") for x in json.loads(said or "[]")} - {None}
            if speakers:
                marks = ",".join("?" * len(speakers))
                speakers |= {r[0] for r in conn.execute(
                    f"SELECT acts_for FROM entity_mentions WHERE doc = ? AND entity IN ({marks})",
                    (d, *speakers)) if r[0]}
            if subject in ({src, acts} | speakers):
                out.setdefault(d, []).append((start, end, 0.25 if after and last and last < after else 1.0))
    return out


def _with_sentences(conn, spans: dict[str, list[tuple[int, int]]], hits: list[dict]) -> list[dict]:
    """The stored sentences overlapping these spans, as extra candidates (score 0) when not among the hits."""
    have = {(h["doc"], h["start"]) for h in hits}
    extra = []
    for d, sp in spans.items():
        r = conn.execute("SELECT outlet, title, published_date, url, source, coalesce(version_of, id) "
                         "FROM documents WHERE id = ?", (d,)).fetchone()
        for a, b, *_ in sp:
            for s, e, t in conn.execute("SELECT start, \"end\", text FROM annotations WHERE doc_id = ? AND "
                                        "kind = 'sentences' AND start < ? AND \"end\" > ?", (d, b, a)):
                if (d, s) not in have:
                    have.add((d, s))
                    extra.append({"doc": d, "start": s, "end": e, "text": t, "score": 0.0, "outlet": r[0],
                                  "title": r[1], "date": r[2], "url": r[3], "source": r[4], "group": r[5]})
    return hits + extra


MAX_CITATIONS = 20


def _claims(conn, ix: Index, hits: list[dict], question: str, ents: dict[str, str], limit: int) -> list[dict]:
    """Rank the candidate sentences and merge copies: BM25 (relative to the best) + the share of the question's
    entities the sentence mentions + how much of the question its whole document covers + whether it reports
    what the question's subject (its first entity) did or said. The same sentence in several documents is one
    candidate (its copies become citations, at most MAX_CITATIONS listed; every version group is counted)."""
    reps: dict[str, dict] = {}
    for h in hits:
        key = _norm_text(h["text"])
        if key in reps:
            reps[key]["_copies"].append(h)
        elif len(reps) < 60:
            reps[key] = {**h, "_copies": [h]}
    hits = list(reps.values())
    docs = _doc_coverage(conn, ix, hits, question)
    subject = next(iter(ents), None)
    acts = {}
    if subject:
        best = sorted(docs, key=lambda d: -docs[d])[:5]
        acts = _subject_reports(conn, best, subject, _topic_day(conn, hits, set(ents) - {subject}))
        hits = _with_sentences(conn, acts, hits)
    top = max((h["score"] for h in hits), default=1.0) or 1.0
    found = _sentence_entities(conn, hits, ents)
    for h in hits:
        cov = len(found.get((h["doc"], h["start"]), ())) / len(ents) if ents else 0.0
        said = max((w for a, b, w in acts.get(h["doc"], ()) if a < h["end"] and b > h["start"]), default=0.0)
        h["rank"] = h["score"] / top + 0.6 * cov + 0.8 * docs.get(h["doc"], 0.0) + 0.8 * said
    claims: list[dict] = []
    for h in sorted(hits, key=lambda x: -x["rank"]):
        terms = set(query_terms(h["text"]))
        copies = h.get("_copies") or [h]
        for c in claims:  # nearly the same sentence (a copy edited): one claim, more citations
            if len(terms & c["_terms"]) >= 0.8 * max(1, min(len(terms), len(c["_terms"]))):
                c["_copies"] += copies
                break
        else:
            if len(claims) < limit:
                claims.append({"text": h["text"], "_copies": list(copies), "_terms": terms,
                               "score": round(h["rank"], 4)})
    for c in claims:
        copies, seen = c.pop("_copies"), set()
        c["citations"] = []
        for x in copies:
            if x["doc"] not in seen and len(c["citations"]) < MAX_CITATIONS:
                seen.add(x["doc"])
                c["citations"].append({k: x[k] for k in ("doc", "start", "end", "text", "outlet", "date", "title")})
        groups = {x["group"] for x in copies} | _same_sentence_groups(conn, c["text"])
        c.pop("_terms")
        c["independent_sources"] = max(1, len(groups))
    return [{"text": c["text"], "citations": c["citations"], "independent_sources": c["independent_sources"],
             "score": c["score"]} for c in claims]


def _event_brief(conn, ev: dict) -> dict:
    names = {}
    for side in ("source", "target"):
        a = ev[side]
        eid = a.get("entity") or a.get("acts_for")
        r = conn.execute("SELECT name FROM entities WHERE id = ?", (eid,)).fetchone() if eid else None
        names[side] = r[0] if r else a.get("text") or a.get("country")
    m = ev["mentions"][0] if ev["mentions"] else None
    cite = None
    if m:
        d = conn.execute("SELECT outlet, published_date, title FROM documents WHERE id = ?", (m["doc"],)).fetchone()
        cite = {**m, "outlet": d[0], "date": d[1], "title": d[2]} if d else dict(m)
    return {"id": ev["id"], "type": ev["type"], "date": ev["date"].get("value"), "source": names["source"],
            "target": names["target"], "negated": ev["negated"], "hypothetical": ev["hypothetical"],
            "citation": cite, "independent_sources": ev["independent_sources"]}


def _events_for(conn, claims: list[dict], ents: dict[str, str], n: int = 5) -> list[dict]:
    from ..events.store import events_table

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
        return []
    docs = list(dict.fromkeys(c["doc"] for cl in claims for c in cl["citations"]))[:5]
    seen, picked = set(), []
    for d in docs:
        for ev in events_table(conn, doc=d, limit=200):
            if ev["id"] in seen:
                continue
            seen.add(ev["id"])
            actors = {ev[s].get(k) for s in ("source", "target") for k in ("entity", "acts_for")}
            hit = len(actors & set(ents)) if ents else 0
            if ents and not hit:
                continue
            told = any(m["doc"] == c["doc"] and m["start"] < c["end"] and m["end"] > c["start"]
                       for m in ev["mentions"] for cl in claims for c in cl["citations"])
            picked.append((-told, -hit, -ev["independent_sources"], ev["first_day"] or "9999", ev))
    picked.sort(key=lambda x: x[:4])
    return [_event_brief(conn, p[4]) for p in picked[:n]]


def _answer_text(claims: list[dict]) -> str:
    if not claims:
        return "No stored sentence answers this question."
    lines = []
    for i, c in enumerate(claims, 1):
        first = c["citations"][0]
        who = first["outlet"] or "an unnamed outlet"
        when = first["date"] or "undated"
        more = f"; {c['independent_sources']} independent sources" if c["independent_sources"] > 1 else ""
        lines.append(f"[{i}] {c['text']} ({who}, {when}{more})")
    return "\n".join(lines)


def ask(db, question: str, *, limit: int = 5, backend: dict | None = None) -> dict:
    """An extractive answer to ``question``: the best sentences (BM25, then reranked by the entities of the
    question they mention), copies of one sentence merged into one claim with every citation (doc, outlet, date,
    offsets) and its number of independent sources, plus the events these documents report about those entities.
    ``backend`` (``{"endpoint", "model", "key"}``, off by default) asks an OpenAI-compatible model to phrase the
    answer from the claims only; the claims and citations stay as they are."""
    if not question or not question.strip():
        raise UsageError("ask: the question is empty")
    with _Opened(db) as store:
        conn = store.conn
        ents = question_entities(conn, question)
        hits = search(store, question, limit=max(400, limit * 40))
        claims = _claims(conn, load(store), hits, question, ents, limit) if hits else []
        events = _events_for(conn, claims, ents)
    out = {"question": question, "answer": _answer_text(claims), "claims": claims, "events": events,
           "entities": [{"id": k, "name": v} for k, v in ents.items()]}
    if backend and claims:
        out["answer"] = llm_answer(question, claims, **backend)
        out["backend"] = backend.get("model")
    return out


def llm_answer(question: str, claims: list[dict], *, endpoint: str, model: str, key: str | None = None,
               timeout: float = 60) -> str:
    """Phrase an answer from the numbered claims with an OpenAI-compatible chat endpoint (stdlib urllib)."""
    import urllib.error
    import urllib.request

    ctx = "\n".join(f"[{i}] {c['text']} ({c['citations'][0]['outlet'] or 'unknown outlet'}, "
                    f"{c['citations'][0]['date'] or 'undated'})" for i, c in enumerate(claims, 1))
    body = {"model": model, "temperature": 0, "messages": [
        {"role": "system", "content": "Answer only from the numbered sentences; cite them as [n]. "
                                      "If they do not answer the question, say so."},
        {"role": "user", "content": f"Sentences:\n{ctx}\n\nQuestion: {question}"}]}
    req = urllib.request.Request(endpoint.rstrip("/") + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {key}"} if key else {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)["choices"][0]["message"]["content"].strip()
    except (urllib.error.URLError, OSError, KeyError, IndexError, ValueError) as e:
        raise SearchError(f"{endpoint}: the language model did not answer ({e})") from e
