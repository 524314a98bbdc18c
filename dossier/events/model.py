"""A small multinomial logistic regression over hashed features, in numpy.

Features are strings with a value; each is hashed (CRC-32) into one of ``2**bits`` rows of a weight matrix with one
column per PLOVER type. Training (full-batch Adam, fixed number of steps, fixed order: deterministic) pulls the
weights toward a **prior** rather than toward zero: the lexicon's rule reading starts with a positive weight for
its own type, so what the training data does not show, the knowledge still decides.

The trained model lives in ``data/events_model.json``: the non-zero rows as zlib-compressed float16, base64-encoded,
with the training settings and data digests.
"""

from __future__ import annotations

import base64
import json
import zlib
from functools import lru_cache
from importlib import resources

import numpy as np

from .lexicon import TYPES

BITS = 18
PRIOR = {"rule=": 3.0, "ctype=": 0.5}  # feature prefix -> prior weight for the type the feature names


def hash_feature(name: str, bits: int = BITS) -> int:
    return zlib.crc32(name.encode("utf-8")) & ((1 << bits) - 1)


class LinearModel:
    def __init__(self, weights: np.ndarray, bias: np.ndarray, bits: int = BITS, meta: dict | None = None):
        self.W = weights          # (2**bits, n_types), float32 (or float16 when loaded)
        self.b = bias.astype(np.float32)
        self.bits = bits
        self.meta = meta or {}
        self._cache: dict[str, int] = {}

    def _index(self, feats) -> tuple[np.ndarray, np.ndarray]:
        cache = self._cache
        idx, vals = [], []
        for name, v in feats:
            h = cache.get(name)
            if h is None:
                h = hash_feature(name, self.bits)
                if len(cache) < 200_000:
                    cache[name] = h
            idx.append(h)
            vals.append(v)
        return np.asarray(idx, dtype=np.int64), np.asarray(vals, dtype=np.float32)

    def logits(self, feats) -> np.ndarray:
        idx, vals = self._index(feats)
        return vals @ self.W[idx].astype(np.float32) + self.b

    def predict(self, feats) -> np.ndarray:
        z = self.logits(feats)
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    # ------------------------------------------------------------------ persistence

    def to_json(self) -> dict:
        rows = np.flatnonzero(np.abs(self.W).max(axis=1) > 1e-3).astype(np.int32)
        w16 = self.W[rows].astype(np.float16)

        def pack(a: np.ndarray) -> str:
            return base64.b64encode(zlib.compress(a.tobytes(), 9)).decode("ascii")

        return {"format": "dossier-events-linear/1", "types": list(TYPES), "bits": self.bits,
                "hash": "crc32", "rows": pack(rows), "weights": pack(w16), "n_rows": int(len(rows)),
                "bias": [round(float(x), 6) for x in self.b], "meta": self.meta}

    @classmethod
    def from_json(cls, d: dict) -> LinearModel:
        if d.get("format") != "dossier-events-linear/1" or d.get("types") != list(TYPES):
            raise ValueError("not a dossier events model, or its types differ")
        bits = int(d["bits"])

        def unpack(s: str, dtype) -> np.ndarray:
            return np.frombuffer(zlib.decompress(base64.b64decode(s)), dtype=dtype)

        rows = unpack(d["rows"], np.int32)
        w = unpack(d["weights"], np.float16).reshape(len(rows), len(TYPES))
        W = np.zeros((1 << bits, len(TYPES)), dtype=np.float16)
        W[rows] = w
        return cls(W, np.asarray(d["bias"], dtype=np.float32), bits, d.get("meta"))


def read_model(path) -> LinearModel:
    """A model from a file written by ``scripts/train_events.py``."""
    with open(path, encoding="utf-8") as f:
        return LinearModel.from_json(json.load(f))


@lru_cache(maxsize=1)
def load_model() -> LinearModel:
    """The shipped model (loaded once per process)."""
    text = resources.files("dossier").joinpath("data/events_model.json").read_text("utf-8")
    return LinearModel.from_json(json.loads(text))


def prior_model(bits: int = BITS) -> LinearModel:
    """The untrained model: only the lexicon's prior (the rule reading decides)."""
    W = np.zeros((1 << bits, len(TYPES)), dtype=np.float32)
    _apply_prior(W, bits)
    return LinearModel(W, np.zeros(len(TYPES), dtype=np.float32), bits, {"trained_on": "nothing (prior only)"})


def _apply_prior(W: np.ndarray, bits: int) -> None:
    for prefix, value in PRIOR.items():
        for k, t in enumerate(TYPES):
            W[hash_feature(prefix + t, bits), k] += value


def train(examples, labels, weights=None, *, bits: int = BITS, l2: float = 1e-4, steps: int = 300,
          lr: float = 0.05, meta: dict | None = None) -> LinearModel:
    """Fit the model. ``examples``: lists of (feature, value); ``labels``: type names; ``weights``: per example.
    Minimises the weighted mean cross-entropy + ``l2`` * squared distance of the weights from the prior,
    by full-batch Adam for ``steps`` steps (deterministic)."""
    n_types = len(TYPES)
    y = np.asarray([TYPES.index(t) for t in labels], dtype=np.int64)
    sw = np.ones(len(y), dtype=np.float32) if weights is None else np.asarray(weights, dtype=np.float32)
    sw = sw / sw.sum()
    rows, idx, vals = [], [], []
    for i, feats in enumerate(examples):
        for name, v in feats:
            rows.append(i)
            idx.append(hash_feature(name, bits))
            vals.append(v)
    rows = np.asarray(rows, dtype=np.int64)
    idx = np.asarray(idx, dtype=np.int64)
    vals = np.asarray(vals, dtype=np.float32)
    used, inv = np.unique(idx, return_inverse=True)  # train only the rows that occur
    W0 = np.zeros((1 << bits, n_types), dtype=np.float32)
    _apply_prior(W0, bits)
    P0 = W0[used].copy()
    P = P0.copy()
    b = np.zeros(n_types, dtype=np.float32)
    m_p = np.zeros_like(P)
    v_p = np.zeros_like(P)
    m_b = np.zeros_like(b)
    v_b = np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    Y = np.zeros((len(y), n_types), dtype=np.float32)
    Y[np.arange(len(y)), y] = 1.0
    for step in range(1, steps + 1):
        contrib = P[inv] * vals[:, None]
        Z = np.zeros((len(y), n_types), dtype=np.float32)
        np.add.at(Z, rows, contrib)
        Z += b
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        S = E / E.sum(axis=1, keepdims=True)
        G = (S - Y) * sw[:, None]               # d loss / d logits
        gP = np.zeros_like(P)
        np.add.at(gP, inv, G[rows] * vals[:, None])
        gP += (2 * l2) * (P - P0)
        gb = G.sum(axis=0)
        m_p = beta1 * m_p + (1 - beta1) * gP
        v_p = beta2 * v_p + (1 - beta2) * gP * gP
        m_b = beta1 * m_b + (1 - beta1) * gb
        v_b = beta2 * v_b + (1 - beta2) * gb * gb
        c1, c2 = 1 - beta1 ** step, 1 - beta2 ** step
        P -= lr * (m_p / c1) / (np.sqrt(v_p / c2) + eps)
        b -= lr * (m_b / c1) / (np.sqrt(v_b / c2) + eps)
    W0[used] = P
    return LinearModel(W0, b, bits, meta)
