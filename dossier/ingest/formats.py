"""What an input is (detected by content as well as by name) and how to split it into items.

Readers turn one opened input into :class:`~dossier.document.Item` records (one per article) or
:class:`~dossier.errors.Rejected` records (one per problem, naming the file and line or record). Sniffing tables live
in ``dossier/data/formats.json``.
"""

from __future__ import annotations

import calendar
import json
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any, BinaryIO

from ..document import Item
from ..errors import Rejected, UsageError
from .sources import MB, Limits, read_bounded

HEAD = 8192
_HTML_RE = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<article[\s>]|<div[\s>]|<p>", re.I)
_FEED_RE = re.compile(rb"<rss[\s>]|<feed[\s>][^>]*?|<rdf:RDF[\s>]", re.I)
HTML_TYPES = ("text/html", "application/xhtml+xml")


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    data = json.loads(resources.files("dossier").joinpath("data/formats.json").read_text("utf-8"))
    data["binary"] = [(bytes.fromhex(h), what) for h, what in data["binary"]]
    return data


def strip_gz(name: str) -> str:
    low = name.lower()
    for ext in tables()["gzip_extensions"]:
        if low.endswith(ext):
            return low[: -len(ext)]
    return low


def binary_kind(head: bytes) -> str | None:
    """Name what a binary input is, or None when the bytes look like text (in any of the encodings we read)."""
    for magic, what in tables()["binary"]:
        if head.startswith(magic):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")) or _utf16_without_bom(head):
        return None
    sample = head[:4096]
    if b"\x00" in sample:
        return "it holds NUL bytes"
    controls = sum(1 for c in sample if c < 9 or 13 < c < 32)
    if sample and controls / len(sample) > 0.1:
        return "it holds control bytes"
    return None


def _utf16_without_bom(head: bytes) -> bool:
    sample = head[:2048]
    if len(sample) < 16:
        return False
    even, odd = sample[0::2].count(0) / (len(sample) // 2), sample[1::2].count(0) / (len(sample) // 2)
    return (even > 0.4 and odd < 0.05) or (odd > 0.4 and even < 0.05)  # zeros on one side only: UTF-16 text


def sniff(name: str, head: bytes) -> str:
    """Return the format of an input: ``text``, ``html``, ``jsonl``, ``json``, ``warc`` or ``feed``.

    Content wins where it is clear (a WARC header, a JSON object, an RSS root, an HTML root); otherwise the file
    name decides; otherwise plain text. Raises Rejected for binary content."""
    what = binary_kind(head)
    if what:
        raise Rejected(f"binary input ({what}), not an article")
    by_name = tables()["extensions"].get(os.path.splitext(strip_gz(name))[1]) if name != "-" else None
    probe = head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        probe = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    probe = probe.lstrip(b"\xef\xbb\xbf \t\r\n")
    if probe.startswith(b"WARC/"):
        return "warc"
    if probe.startswith(b"{"):
        return "json" if by_name == "json" else "jsonl"
    if probe.startswith(b"[") and by_name in ("json", "jsonl", None):
        # a JSON Lines file may open with a line that is an array: it is JSON Lines when that line is JSON on its
        # own and more lines follow (one array alone in a .jsonl file is still read as a JSON array of articles)
        first, _, rest = probe.partition(b"\n")
        return "jsonl" if by_name == "jsonl" and rest.strip() and _is_json(first) else "json"
    lead = probe[:2048]
    if lead.startswith(b"<") or by_name in ("feed", "html"):
        if _FEED_RE.search(lead) and by_name != "html":
            return "feed"
        if _HTML_RE.search(lead):
            return "html"
    if by_name in ("json", "jsonl", "warc"):  # the name says so but the content does not: read it as text
        return "text"
    return by_name or "text"


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


# -- readers ------------------------------------------------------------------------------------------------------

def read_items(source: str, stream: BinaryIO, fmt: str, limits: Limits) -> Iterator[Item | Rejected]:
    reader = {"text": _read_whole, "html": _read_whole, "jsonl": _read_jsonl, "json": _read_json,
              "warc": _read_warc, "feed": _read_feed}[fmt]
    yield from reader(source, stream, fmt, limits)


def _read_whole(source: str, stream: BinaryIO, fmt: str, limits: Limits) -> Iterator[Item | Rejected]:
    data = read_bounded(stream, limits.max_item, source)
    yield Item(source=source, format=fmt, content=data, media="html" if fmt == "html" else "text")


def article_from_json(obj: Any, source: str, fmt: str, where: str) -> Item:
    """One JSON object → one Item: ``text`` or ``html`` is the content, every other field is kept as given."""
    if not isinstance(obj, dict):
        raise Rejected(f"{where}JSON {type(obj).__name__} is not an article (expected an object)", source)
    body, media = obj.get("text"), "text"
    if not isinstance(body, str) or not body.strip():
        if isinstance(obj.get("html"), str) and obj["html"].strip():
            body, media = obj["html"], "html"
        elif "text" in obj or "html" in obj:
            raise Rejected(f"{where}empty text", source)
        else:
            raise Rejected(f'{where}JSON object is not an article (no "text" or "html" field)', source)
    given = {k: v for k, v in obj.items() if k not in ("text", "html")}
    return Item(source=source, format=fmt, content=body.encode("utf-8", errors="surrogatepass"), given=given,
                media=media)


def text_records(lines: Iterable[str | dict]) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` for each line of a ``dossier extract`` input: JSON objects with a string
    ``text``. Blank lines are skipped; a bad line raises UsageError naming it (one clear line at the CLI)."""
    for n, line in enumerate(lines, 1):
        if isinstance(line, dict):
            row = line
        elif not line.strip():
            continue
        else:
            try:
                row = json.loads(line)
            except ValueError as e:
                raise UsageError(f"line {n}: not valid JSON ({str(e).split(':')[0]})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise UsageError(f'line {n}: expected an object with a string field "text"')
        yield n, row


def _read_jsonl(source: str, stream: BinaryIO, fmt: str, limits: Limits) -> Iterator[Item | Rejected]:
    n = 0
    while True:
        try:
            line = stream.readline(limits.max_item + 1)
        except Rejected as r:  # a truncated or corrupt gzip: the lines before it are kept, name where it broke
            r.source = f"{source}#L{n + 1}"
            raise
        if not line:
            return
        n += 1
        src = f"{source}#L{n}"
        if len(line) > limits.max_item and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the over-long line, memory flat
                line = stream.readline(MB)
            yield Rejected(f"line too long (over {limits.max_item // MB} MB)", src)
            continue
        if not line.strip():
            continue
        if n == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        try:
            obj = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            yield Rejected("not valid JSON", src)
            continue
        try:
            yield article_from_json(obj, src, fmt, "")
        except Rejected as r:
            yield r


def _read_json(source: str, stream: BinaryIO, fmt: str, limits: Limits) -> Iterator[Item | Rejected]:
    data = read_bounded(stream, limits.max_item, source)
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as e:
        raise Rejected(f"not valid JSON ({str(e).split(':')[0]})", source) from e
    if isinstance(obj, list):
        for i, elem in enumerate(obj, 1):
            try:
                yield article_from_json(elem, f"{source}#{i}", fmt, "")
            except Rejected as r:
                yield r
    else:
        yield article_from_json(obj, source, fmt, "")


def _read_warc(source: str, stream: BinaryIO, fmt: str, limits: Limits) -> Iterator[Item | Rejected]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type not in ("response", "resource"):
                continue
            n += 1
            src = f"{source}#{n}"
            headers = record.rec_headers
            if record.rec_type == "response" and record.http_headers is not None:
                ctype = record.http_headers.get_header("Content-Type") or ""
                status = record.http_headers.get_statuscode()
            else:
                ctype, status = headers.get_header("Content-Type") or "", None
            mime = ctype.split(";")[0].strip().lower()
            if mime not in HTML_TYPES:
                yield Rejected(f"WARC record is not an HTML page ({mime or 'no content type'})", src)
                continue
            if status and not str(status).startswith("2"):
                yield Rejected(f"WARC record is an HTTP {status} response, not a page", src)
                continue
            body = record.content_stream().read(limits.max_item + 1)
            if len(body) > limits.max_item:
                yield Rejected(f"WARC record too large (over {limits.max_item // MB} MB)", src)
                continue
            given = {"url": headers.get_header("WARC-Target-URI"), "warc_date": headers.get_header("WARC-Date"),
                     "warc_record_id": headers.get_header("WARC-Record-ID"), "content_type": ctype}
            yield Item(source=src, format=fmt, content=body, given={k: v for k, v in given.items() if v},
                       media="html")
    except ArchiveLoadFailed as e:
        yield Rejected(f"not a readable WARC after record {n} ({str(e).strip()[:80]})", source)
    except (EOFError, OSError, ValueError) as e:
        yield Rejected(f"truncated or broken WARC after record {n} ({type(e).__name__})", source)


def _read_feed(source: str, stream: BinaryIO, fmt: str, limits: Limits) -> Iterator[Item | Rejected]:
    import feedparser

    data = read_bounded(stream, limits.max_item, source)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        why = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise Rejected(f"feed has no entries{why}"[:200], source)
    feed_title = parsed.feed.get("title")
    for i, entry in enumerate(parsed.entries, 1):
        src = f"{source}#{i}"
        body, media = "", "text"
        for c in entry.get("content") or []:
            if c.get("value", "").strip():
                body, media = c["value"], ("html" if "html" in c.get("type", "html") else "text")
                break
        if not body.strip():
            body = entry.get("summary", "") or ""
            media = "html" if "html" in (entry.get("summary_detail") or {}).get("type", "text/html") else "text"
        if not body.strip():
            yield Rejected("feed entry has no content", src)
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        given: dict[str, Any] = {
            "entry_id": entry.get("id"), "url": entry.get("link"), "title": entry.get("title"),
            "date": _date_of(stamp),
            "authors": [a.get("name") for a in entry.get("authors", []) if a.get("name")],
            "outlet": feed_title,
            "feed_date": entry.get("published") or entry.get("updated"),
        }
        yield Item(source=src, format=fmt, content=body.encode("utf-8"), media=media,
                   given={k: v for k, v in given.items() if v not in (None, [], "")})


def _date_of(stamp) -> str | None:
    if not stamp:
        return None
    try:
        ts = calendar.timegm(stamp)
    except (TypeError, ValueError, OverflowError):
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")
