"""Syndicated copies and storylines with the truth known by construction, from ../shared/corpus/guardian.

    python bench/make_copies.py OUT.jsonl [--split dev|test|all] [--seed 0]
    python bench/make_copies.py OUT.jsonl --scale 100000 [--seed 0]

**Copies and storylines** (default). Articles are split in halves by ``sha1(id)`` (``dev``: even, ``test``: odd); tune
on dev, report on test. For each Guardian article of the half:

- half of the long ones (>= 24 sentences) become a *developing story* of 2-3 episodes: consecutive parts of the
  article published 1-4 days apart, each later episode recapping 1-2 sentences of the one before (as follow-ups do).
  Episodes are different documents (not copies) of one storyline;
- every episode or article (an *original*) gets 0-4 syndicated copies, made the way outlets make them: other
  boilerplate (bylines, agency credits, copyright and share lines), trimmed from the bottom, a paragraph cut or
  added (from another article on the same topic), retitled, light edits (U.S./US, says/said, weekday "on", number
  formats, a word dropped; or half the sentences so edited, twice, as another agency's wording), a later update
  (a new lead, a day later) and paragraph order changes.

Each line: ``{"id", "outlet", "date", "title", "text", "copy_of", "story"}``: ``copy_of`` is the truth of the version
group (the original's id), ``story`` of the storyline. The other Guardian articles of the half are the unrelated
articles on the same topic (Syria, Iraq, Islamic State). Caveat: the Guardian itself sometimes follows a story over
days (g014/g015 share ten sentences); such natural pairs count as different storylines and different groups here.

**Scale** (``--scale N``): N documents for the speed and memory run. "World" k is the Guardian corpus with its
vocabulary permuted (each word swapped for another of similar frequency, the same map for every article of the
world, so each world has its own names and topics) and its dates shifted by k x 700 days; 15% of the lines are
syndicated copies (as above) of an earlier line. Deterministic for a seed; streamed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GUARDIAN = ROOT.parent / "shared" / "corpus" / "guardian" / "guardian.jsonl"

from dossier.dedup import sentences  # noqa: E402

OUTLETS = ["Reuters", "The Jakarta Post", "Gulf Times", "Daily Sabah", "The National", "Dawn", "Arab News",
           "Kurdistan 24", "Hurriyet Daily News", "The Times of Israel", "Al Arabiya", "France 24", "Yahoo News",
           "MSN", "Euronews"]
AGENCIES = ["Reuters", "AFP", "AP", "Agencies", "dpa"]
HEADERS = ["By {agency} staff", "{outlet} | {day}", "Published on {day}", "Share this article",
           "Follow us on Twitter", "Listen to this article", "Advertisement"]
FOOTERS = ["Reporting by {agency}; editing by the {outlet} desk.", "© {year} {outlet}. All rights reserved.",
           "Additional reporting by {agency}.", "This article was first published by {agency}.",
           "Read more: the latest from our Middle East desk.", "Sign up for our daily newsletter."]
EDITS = [(r"\bUS\b", "U.S."), (r"\bUK\b", "U.K."), (r"\bsaid\b", "says"), (r"\bsays\b", "said"),
         (r" on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", r" \1"),
         (r"(\d),(\d\d\d)\b", r"\1\2"), (r"\bper cent\b", "percent"), (r"\borganisation", "organization"),
         (r"\bIsis\b", "ISIS"), (r"\bIslamic State\b", "IS"), (r"\bthe Syrian\b", "Syria's")]
UPDATES = ["The number of people killed has risen, officials said on {weekday}, as the situation developed.",
           "Officials gave new details on {weekday}, a day after the first reports.",
           "The latest developments came as officials met again on {weekday} to discuss the next steps.",
           "More information emerged on {weekday} as {agency} spoke to people familiar with the matter."]


def split(doc_id: str) -> str:
    return "dev" if int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def sents(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]


def paragraphs(ss: list[str], rng: random.Random) -> list[list[str]]:
    out, i = [], 0
    while i < len(ss):
        n = rng.choice((1, 2, 2, 3))
        out.append(ss[i:i + n])
        i += n
    return out


def render(title: str | None, head: list[str], paras: list[list[str]], foot: list[str]) -> str:
    blocks = ([title] if title else []) + head + [" ".join(p) for p in paras] + foot
    return "\n\n".join(blocks)


def light_edit(s: str, rng: random.Random) -> str:
    for rx, rep in rng.sample(EDITS, len(EDITS)):
        t = re.sub(rx, rep, s)
        if t != s:
            return t
    words = s.split()
    if len(words) > 8:  # drop one word in the middle
        del words[rng.randrange(2, len(words) - 2)]
        return " ".join(words)
    return s


def retitle(ss: list[str], rng: random.Random) -> str:
    words = re.findall(r"[\w’'-]+", ss[0])[:rng.randint(6, 11)]
    t = " ".join(words)
    return rng.choice(["", "UPDATE 1-", "Exclusive: ", "Analysis: "]) + t[:1].upper() + t[1:]


def make_copy(orig: dict, ss: list[str], pool: list[list[str]], rng: random.Random, n: int) -> dict:
    """One syndicated copy of an original (its sentences ``ss``); ``pool``: other articles' sentences."""
    outlet = rng.choice(OUTLETS)
    agency = rng.choice(AGENCIES)
    day = date.fromisoformat(orig["date"]) + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2)))
    paras = paragraphs(list(ss), rng)
    ops = rng.sample(["trim", "cut", "add", "edit", "update", "order", "title", "rewrite"], rng.randint(2, 4))
    fill = {"agency": agency, "outlet": outlet, "day": day.isoformat(), "year": day.year,
            "weekday": day.strftime("%A")}
    if "trim" in ops and len(paras) > 4:
        paras = paras[: max(3, int(len(paras) * rng.uniform(0.45, 0.9)))]
    if "cut" in ops and len(paras) > 5:
        del paras[rng.randrange(2, len(paras))]
    if "add" in ops:
        other = rng.choice(pool)
        k = rng.randrange(0, max(1, len(other) - 2))
        paras.insert(rng.randrange(2, len(paras) + 1) if len(paras) > 2 else len(paras), other[k:k + 2])
    if "edit" in ops:
        paras = [[light_edit(s, rng) if rng.random() < 0.25 else s for s in p] for p in paras]
    if "rewrite" in ops:  # another agency's wording of the same story: half the sentences edited, twice
        paras = [[light_edit(light_edit(s, rng), rng) if rng.random() < 0.5 else s for s in p] for p in paras]
    if "update" in ops:
        day += timedelta(days=1)
        fill["weekday"], fill["day"] = day.strftime("%A"), day.isoformat()
        paras.insert(0, [rng.choice(UPDATES).format(**fill)])
    if "order" in ops and len(paras) > 4:
        i = rng.randrange(2, len(paras) - 1)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
    title = retitle(ss, rng) if "title" in ops else orig.get("title")
    head = [h.format(**fill) for h in rng.sample(HEADERS, rng.randint(0, 2))]
    foot = [f.format(**fill) for f in rng.sample(FOOTERS, rng.randint(0, 2))]
    return {"id": f"{orig['id']}-c{n}", "outlet": outlet, "date": day.isoformat(), "title": title,
            "text": render(title, head, paras, foot), "copy_of": orig["copy_of"], "story": orig["story"],
            "ops": sorted(ops)}


def originals(row: dict, rng: random.Random) -> list[tuple[dict, list[str]]]:
    """The original documents made of one Guardian article: the article, or its episodes."""
    ss = sents(row["text"])
    base = date.fromisoformat(row["date"])
    if len(ss) >= 24 and rng.random() < 0.5:
        k = rng.choice((2, 3))
        size = len(ss) // k
        out, day, prev = [], base, None
        for e in range(k):
            part = ss[e * size: (e + 1) * size if e < k - 1 else len(ss)]
            if prev:  # a follow-up recaps the story so far, after its own lead
                recap = prev[1: 1 + rng.choice((1, 2))]
                part = part[:2] + recap + part[2:]
            oid = f"{row['id']}-e{e}"
            doc = {"id": oid, "outlet": "The Guardian", "date": day.isoformat(), "title": None,
                   "text": " ".join(part), "copy_of": oid, "story": row["id"]}
            out.append((doc, part))
            prev = part
            day += timedelta(days=rng.randint(1, 4))
        return out
    oid = f"{row['id']}-e0"
    return [({"id": oid, "outlet": "The Guardian", "date": row["date"], "title": None, "text": row["text"],
              "copy_of": oid, "story": row["id"]}, ss)]


def copies_corpus(rows: list[dict], seed: int) -> list[dict]:
    rng = random.Random(seed)
    pool = [sents(r["text"]) for r in rows]
    out = []
    for row in rows:
        for orig, ss in originals(row, rng):
            out.append(orig)
            for n in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
                out.append(make_copy(orig, ss, pool, rng, n))
    rng.shuffle(out)  # ingest order must not matter
    return out


# -- scale -------------------------------------------------------------------------------------------------------
_TOK = re.compile(r"[A-Za-z][a-z’'-]*")


def world_maps(rows: list[dict], seed: int):
    """Frequency-banded vocabulary permutations: world k maps each word to another of similar frequency."""
    freq = Counter(w.lower() for r in rows for w in _TOK.findall(r["text"]))
    ranked = [w for w, _ in freq.most_common()]
    bands = [ranked[i:i + 200] for i in range(150, len(ranked), 200)]  # the 150 commonest words stay

    def make(k: int) -> dict[str, str]:
        rng = random.Random(seed * 1_000_003 + k)
        m = {}
        for band in bands:
            perm = band[:]
            rng.shuffle(perm)
            m.update(zip(band, perm, strict=True))
        return m

    return make


def apply_map(text: str, m: dict[str, str]) -> str:
    def sub(mt: re.Match) -> str:
        w = mt.group(0)
        t = m.get(w.lower())
        if t is None:
            return w
        return t[:1].upper() + t[1:] if w[:1].isupper() else t

    return _TOK.sub(sub, text)


def scale_corpus(rows: list[dict], n: int, seed: int):
    rng = random.Random(seed)
    make = world_maps(rows, seed)
    pool = [sents(r["text"]) for r in rows[:50]]
    recent: list[tuple[dict, list[str]]] = []
    made, k = 0, 0
    while made < n:
        m = make(k) if k else {}
        for r in rows:
            if made >= n:
                return
            if recent and rng.random() < 0.15:
                orig, ss = rng.choice(recent)
                line = make_copy(orig, ss, pool, rng, made)
            else:
                day = date.fromisoformat(r["date"]) + timedelta(days=700 * k)
                text = apply_map(r["text"], m)
                line = {"id": f"{r['id']}-w{k}", "outlet": "The Guardian", "date": day.isoformat(), "title": None,
                        "text": text, "copy_of": f"{r['id']}-w{k}", "story": f"{r['id']}-w{k}"}
                recent.append((line, sents(text)))
                recent = recent[-500:]
            made += 1
            yield line
        k += 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=int, default=0, help="write N documents for the scale run instead")
    a = ap.parse_args(argv)
    rows = [json.loads(line) for line in GUARDIAN.read_text("utf-8").splitlines() if line.strip()]
    if a.scale:
        lines = scale_corpus(rows, a.scale, a.seed)
    else:
        lines = copies_corpus([r for r in rows if a.split == "all" or split(r["id"]) == a.split], a.seed)
    n = 0
    with open(a.out, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    print(f"{a.out}: {n} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
