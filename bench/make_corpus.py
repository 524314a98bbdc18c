#!/usr/bin/env python3
"""Write a synthetic news corpus of N unique articles as JSON Lines.

    python bench/make_corpus.py N OUT.jsonl [--seed S] [--check]

The corpus is built by cycling over the Guardian sample in
``../shared/corpus/guardian/guardian.jsonl`` (resolved relative to the
repository root, i.e. the parent of this script's folder).  Line ``j`` of
the output is copy ``k = j // A`` of article ``i = j % A`` (A = number of
source articles, 233 for the Guardian sample) and has id ``f"{orig_id}-r{k}"``.

* Copy 0 is the original text, unchanged.
* Copy k >= 1 is the original with exactly three words replaced by other
  words taken from the same article (nothing is appended, punctuation and
  whitespace are untouched).

Uniqueness is guaranteed by construction, not by luck: word positions are
split into three interleaved zones (word index mod 3).  The change in zone 0
is an injective function of k (a seeded affine bijection over
"position x replacement word"), so two copies of one article always differ
in zone 0, and every copy differs from the original (replacement words always
differ from the word they replace, case-insensitively).  The changes in
zones 1 and 2 are drawn from a seeded RNG.  ``--check`` additionally verifies
uniqueness of every written text with a set of digests (O(N) memory, for
testing only).

The output is streamed: only the source articles are kept in memory, so
memory use is flat whatever N is.  Each article is JSON-escaped and encoded
once; copies are assembled from byte slices, which is why 200,000 lines
(~1.2 GB) take seconds rather than minutes.  The output is deterministic for
a given seed, and the corpus for N is a prefix of the corpus for any M > N.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = REPO_ROOT.parent / "shared" / "corpus" / "guardian" / "guardian.jsonl"

WORD_RE = re.compile(r"[A-Za-z]+")
ZONES = 3  # one change per zone, i.e. three words changed per copy


def _esc(s: str) -> str:
    """JSON string escaping without the surrounding quotes.

    JSON escaping is per character, so escaping the pieces of a string and
    concatenating gives the same result as escaping the whole string.
    """
    return json.dumps(s, ensure_ascii=False)[1:-1]


class Template:
    """One source article, pre-escaped, with the byte offsets of its words."""

    def __init__(self, index: int, art: dict, seed: int):
        self.index = index
        self.orig_id = str(art["id"])
        text = art["text"]
        header = {k: v for k, v in art.items() if k not in ("id", "text")}
        # Line layout: {"id": "<id>", <other fields...>, "text": "<text>"}
        self.head_pre = b'{"id": "'
        rest = "".join(
            f", {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in header.items()
        )
        self.head_post = ('"' + rest + ', "text": "').encode("utf-8")
        self.tail = b'"}\n'
        self.id_esc = _esc(self.orig_id).encode("utf-8")

        # Escape the text piecewise to learn where each word lands in the
        # escaped, UTF-8 encoded bytes.  Words are pure ASCII letters, so
        # their escaped form is themselves and one char == one byte.
        spans = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
        parts: list[bytes] = []
        offsets: list[tuple[int, int]] = []
        pos = 0
        nbytes = 0
        for s, e in spans:
            gap = _esc(text[pos:s]).encode("utf-8")
            parts.append(gap)
            nbytes += len(gap)
            parts.append(text[s:e].encode("ascii"))
            offsets.append((nbytes, nbytes + (e - s)))
            nbytes += e - s
            pos = e
        parts.append(_esc(text[pos:]).encode("utf-8"))
        self.body = b"".join(parts)
        self.offsets = offsets
        self.words_lc = [text[s:e].lower() for s, e in spans]

        # Vocabulary: distinct words (case-insensitive), first spelling seen.
        first: dict[str, str] = {}
        for (s, e), lc in zip(spans, self.words_lc, strict=True):
            first.setdefault(lc, text[s:e])
        self.vocab_lc = sorted(first)
        self.vocab = [first[lc].encode("ascii") for lc in self.vocab_lc]
        self.vocab_index = {lc: n for n, lc in enumerate(self.vocab_lc)}

        n_words = len(spans)
        if n_words < ZONES or len(self.vocab) < 2:
            raise ValueError(f"article {self.orig_id}: too few words to vary")
        self.zones = [list(range(z, n_words, ZONES)) for z in range(ZONES)]

        self.rng = random.Random(f"dossier-bench:{seed}:{index}")
        # Injective map k-1 -> (zone-0 position, replacement word).
        self.capacity = len(self.zones[0]) * (len(self.vocab) - 1)
        a = self.rng.randrange(1, self.capacity) if self.capacity > 1 else 1
        while math.gcd(a, self.capacity) != 1:
            a = self.rng.randrange(1, self.capacity)
        self.aff_a = a
        self.aff_b = self.rng.randrange(self.capacity)

    def _replacement(self, word_pos: int, r: int) -> bytes:
        """The r-th vocabulary word (0 <= r < V-1) skipping the original."""
        orig = self.vocab_index[self.words_lc[word_pos]]
        return self.vocab[r if r < orig else r + 1]

    def line(self, k: int) -> bytes:
        head = self.head_pre + self.id_esc + b"-r%d" % k + self.head_post
        if k == 0:
            return head + self.body + self.tail
        if k > self.capacity:
            raise ValueError(f"article {self.orig_id}: cannot make more than {self.capacity} unique copies")
        x = (self.aff_a * (k - 1) + self.aff_b) % self.capacity
        slot, r = divmod(x, len(self.vocab) - 1)
        changes = [(self.zones[0][slot], self._replacement(self.zones[0][slot], r))]
        rng = self.rng  # consumed in order of k: copy k is the same for any N
        for zone in self.zones[1:]:
            p = zone[rng.randrange(len(zone))]
            changes.append((p, self._replacement(p, rng.randrange(len(self.vocab) - 1))))
        changes.sort()
        out = [head]
        pos = 0
        body = self.body
        for p, word in changes:
            s, e = self.offsets[p]
            out.append(body[pos:s])
            out.append(word)
            pos = e
        out.append(body[pos:])
        out.append(self.tail)
        return b"".join(out)


def load_templates(source: Path, seed: int) -> list[Template]:
    templates = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                templates.append(Template(len(templates), json.loads(line), seed))
    if not templates:
        raise SystemExit(f"no articles in {source}")
    return templates


def write_corpus(n: int, out: Path, seed: int = 0, source: Path = SOURCE, check: bool = False) -> int:
    """Write n lines to out; return the number of bytes written."""
    templates = load_templates(source, seed)
    a = len(templates)
    seen: set[bytes] | None = set() if check else None
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb", buffering=1 << 20) as fh:
        for j in range(n):
            k, i = divmod(j, a)
            line = templates[i].line(k)
            if seen is not None:
                text = json.loads(line)["text"]
                digest = hashlib.sha256(text.encode("utf-8")).digest()
                if digest in seen:
                    raise SystemExit(f"duplicate text at line {j + 1}")
                seen.add(digest)
            fh.write(line)
            written += len(line)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles to write")
    ap.add_argument("out", type=Path, help="output .jsonl file")
    ap.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    ap.add_argument("--source", type=Path, default=SOURCE, help=f"source JSON Lines file (default {SOURCE})")
    ap.add_argument("--check", action="store_true", help="verify that every text is unique (keeps N digests in memory)")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    t0 = time.perf_counter()
    nbytes = write_corpus(args.n, args.out, args.seed, args.source, args.check)
    if not args.quiet:
        dt = time.perf_counter() - t0
        print(
            f"wrote {args.n} articles, {nbytes / 1e6:.1f} MB to {args.out} in {dt:.1f}s"
            + (" (all texts unique)" if args.check else ""),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
