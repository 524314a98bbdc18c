"""Bytes to text, and an input item to a :class:`~dossier.document.Document`.

Encoding: byte-order marks, then strict UTF-8, then charset-normalizer. Mojibake (UTF-8 read as Windows-1252, as in
the Times of India pages) is repaired with ftfy plus the table in ``dossier/data/mojibake.json``. Each repair is
recorded in ``Document.changes``. Nothing here keeps state between documents.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

from ..document import Change, Document, Item, Published, content_id
from ..errors import Rejected

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_LANG_RE = re.compile(r"^[a-z]{2}$")
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@lru_cache(maxsize=1)
def _mojibake() -> tuple[dict[str, str], re.Pattern]:
    data = json.loads(resources.files("dossier").joinpath("data/mojibake.json").read_text("utf-8"))
    return data["replace"], re.compile(data["suspect"])


@lru_cache(maxsize=1)
def _ftfy_config():
    from ftfy import TextFixerConfig

    # Only undo encoding damage: keep typographic quotes, ligatures and widths as the outlet wrote them.
    return TextFixerConfig(uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False,
                           unescape_html=False, fix_line_breaks=False, normalization=None, explain=False)


def decode_bytes(data: bytes) -> tuple[str, list[Change]]:
    """Decode bytes whose encoding is not declared. Raises Rejected when no encoding fits."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            changes = [] if enc == "utf-8-sig" else [Change("encoding", enc)]
            try:
                return data.decode(enc), changes
            except UnicodeDecodeError as e:
                raise Rejected(f"invalid {enc.upper()} text ({e.reason} at byte {e.start})") from e
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    best = from_bytes(sample).best()
    if best is None or not best.encoding.startswith(("cp1252", "utf")):
        # On short texts charset-normalizer often ranks a DOS, Mac or CJK code page first (curly quotes and a euro
        # sign read as cp852 or cp775). Windows-1252, which covers Latin-1, is the usual legacy encoding of news
        # text: it wins unless the other is clearly better. Against another Windows or ISO code page (cp1250,
        # cp1254, ...) it must be less messy, or as messy and at least as coherent (charset-normalizer's scores).
        western = from_bytes(sample, cp_isolation=["cp1252"]).best()
        if western is not None and (best is None or _prefer_western(western, best)):
            best = western
    if best is None:
        raise Rejected("cannot tell the text encoding (not UTF-8, no other encoding fits)")
    enc = codecs.lookup(best.encoding).name
    label = {"cp1252": "windows-1252", "iso8859-1": "latin-1", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
             "latin-1": "latin-1"}.get(enc, enc)
    try:
        return data.decode(enc), [Change("encoding", label)]
    except UnicodeDecodeError as e:
        raise Rejected(f"cannot decode as {label} ({e.reason} at byte {e.start})") from e


def _prefer_western(western, other) -> bool:
    """Whether charset-normalizer's Windows-1252 match should beat its best match ``other``."""
    if other.encoding.startswith(("cp125", "iso8859", "koi8")):  # another Windows or ISO code page: when better
        return western.chaos < other.chaos or (western.chaos == other.chaos and western.coherence >= other.coherence)
    return western.chaos <= other.chaos + 0.05  # a DOS, Mac or CJK code page: when about as clean


def repair(text: str) -> tuple[str, list[Change]]:
    """Normalise newlines and Unicode (NFC), drop control characters, undo mojibake. Returns the text and the
    changes worth telling a user about."""
    changes: list[Change] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    replace, suspect = _mojibake()
    if suspect.search(text):  # most texts have none: counting only when there is one keeps this cheap
        found = len(suspect.findall(text))
        from ftfy import fix_text

        fixed = text
        for bad, good in replace.items():
            fixed = fixed.replace(bad, good)
        fixed = fix_text(fixed, _ftfy_config())
        if fixed != text:
            left = len(suspect.findall(fixed))
            changes.append(Change("mojibake", f"ftfy repaired {found - left} of {found} mojibake sequences"))
            text = fixed
    if _CONTROL_RE.search(text):
        n = len(_CONTROL_RE.findall(text))
        text = _CONTROL_RE.sub("", text)
        changes.append(Change("control_characters", f"removed {n} control characters"))
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text, changes


def _day(value: Any) -> str | None:
    """A YYYY-MM-DD day from a date or ISO date-time string, or None."""
    if not isinstance(value, str):
        return None
    m = _DATE_RE.match(value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def to_document(item: Item) -> Document:
    """Decode one item into a Document with what the input itself gives (no guessing: that is the meta stage)."""
    doc_id, digest = content_id(item.content)
    if item.format in ("jsonl", "json", "feed"):
        text, changes = item.content.decode("utf-8", errors="surrogatepass"), []
    else:
        text, changes = decode_bytes(item.content)
    text, repairs = repair(text)
    changes += repairs
    if not text.strip():
        raise Rejected("empty file" if not text else "only whitespace", item.source)

    g = dict(item.given)
    fmt = "jsonl" if item.format == "json" else item.format
    doc = Document(id=doc_id, hash=digest, source=item.source, format=fmt)
    input_id = g.pop("id", None) if item.format in ("jsonl", "json") else None
    doc.input_id = input_id if isinstance(input_id, (str, int)) and not isinstance(input_id, bool) else (
        None if input_id is None else json.dumps(input_id))
    doc.url = _str(g.pop("url", None))
    doc.title = _str(g.pop("title", None))
    doc.outlet = _str(g.pop("outlet", None))
    lang = _str(g.pop("language", None))
    if lang and _LANG_RE.match(lang.lower()):
        doc.language = lang.lower()
    elif lang:
        g["language"] = lang
    authors = g.pop("authors", None)
    if isinstance(authors, str):
        authors = [authors]
    if isinstance(authors, list):
        doc.authors = [a.strip() for a in authors if isinstance(a, str) and a.strip()]
    day = _day(g.get("date"))
    if day:
        g.pop("date")
        doc.published = Published(date=day, basis="metadata")
    elif _day(g.get("warc_date")):  # a capture date bounds publication from above
        doc.published = Published(before=_day(g["warc_date"]), basis="metadata")
    doc.metadata = g
    doc.changes = changes
    if item.media == "html":
        doc.html = text
    else:
        doc.text = text.strip()
    return doc
