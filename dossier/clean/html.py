"""Main text of an HTML page.

1. The page is parsed by lxml as UTF-8 (the markup reaches us already decoded, so a ``<meta charset>`` that disagrees
   must not re-decode it), with deep nesting allowed.
2. trafilatura extracts the main text with ``favor_precision``: on the article-extraction benchmark it drops more
   page furniture (headers, link blocks, teaser boxes) than the balanced setting and loses almost no article text.
3. Precision mode has none of trafilatura's rescues for pages where its main extractor finds little (the baseline
   pass and the recall retry run only in balanced mode). So when the text is short (under trafilatura's own
   ``MIN_EXTRACTED_SIZE``) or covers little of the page (trafilatura's escalation gate), the balanced extraction runs
   too and wins when it is clearly longer (trafilatura's own acceptance ratio).
4. Each extracted block (paragraph, heading, list, table, quote) becomes one paragraph; paragraphs are separated by
   a blank line, the lines of a list or table by a line break.
5. A few kinds of lines that are never article text go (``dossier/data/html_boilerplate.json``): the headline
   repeated at the top (it is the document's title already), link lists under a "Related" / "Read more" header,
   "Advertisement" / "Share" markers, reader prompts (subscribe, newsletter, follow us), a reporter's contact line,
   agency staff credits ("Reporting by ...; Editing by ..."), photo credits and copyright lines, and publication
   stamps ("Updated at 1:23 p.m."). If that would leave nothing, the unfiltered text is kept.
6. When trafilatura finds nothing, lxml's plain text of the page is the fallback.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from ..errors import Rejected

META_KEYS = ("title", "author", "date", "sitename", "url")

# trafilatura 2.3.1's own gates (settings.cfg MIN_EXTRACTED_SIZE, core.ESCALATION_*), reused rather than tuned
MIN_EXTRACTED_SIZE = 250
ESCALATION_MAX_LENGTH = 3000
ESCALATION_PAGE_SHARE = 0.2
ESCALATION_ACCEPT_RATIO = 1.5

_WORDS = re.compile(r"\w+(?:['’]\w+)*")
_LIST_ITEM = re.compile(r"^\s*(?:[-–•*·▪►»›]|\d{1,2}[.)])\s+")
_TERMINAL = tuple('.!?"”»\'’)…:;')
_LINKISH = re.compile(r"https?://|www\.|\b[\w.+-]+@[\w-]+\.[\w.]+|(?<![\w@])@\w{2,}")
_TIME_OF_DAY = re.compile(r"\b\d{1,2}[:h]\d{2}\b")
_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")


def html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata (``title``, ``author``, ``date``, ``sitename``, ``url``) of an HTML page. Paragraphs
    are separated by blank lines. Raises Rejected when the page has no text."""
    blocks, meta = extract_blocks(parse_html(html))
    text = "\n\n".join(filter_blocks(blocks, meta.get("title")))
    if not text.strip():
        text = "\n\n".join(blocks)  # the filter never empties a page: better the furniture than nothing
    if not text.strip():
        text = _plain_text(parse_html(html))  # parsed again: the fallback prunes the tree
    if not text or not text.strip():
        raise Rejected("no article text found in the HTML")
    return text, meta


def extract_blocks(tree, precision: bool = True) -> tuple[list[str], dict]:
    """trafilatura's blocks of main text (precision mode, balanced mode when that finds little) and the page's
    metadata (every key of META_KEYS, None when not found)."""
    meta: dict = dict.fromkeys(META_KEYS)
    result = _extract(tree, favor_precision=precision, with_metadata=True)  # trafilatura copies the tree
    if result is not None:
        meta = {k: getattr(result, k, None) for k in META_KEYS}
    blocks = _blocks(result)
    if not precision:
        return blocks, meta
    size = _size(blocks)
    if size < MIN_EXTRACTED_SIZE or (size < ESCALATION_MAX_LENGTH
                                     and size < ESCALATION_PAGE_SHARE * len(_page_text(tree))):
        other = _extract(tree, favor_precision=False, with_metadata=result is None)
        if other is not None and result is None:
            meta = {k: getattr(other, k, None) for k in META_KEYS}
        other_blocks = _blocks(other)
        if _size(other_blocks) > ESCALATION_ACCEPT_RATIO * size:
            blocks = other_blocks
    return blocks, meta


def parse_html(html: str):
    """Parse a page with lxml, allowing deep nesting (libxml2's default stops at depth 256 and silently drops the
    rest). A page deeper than even that (2,048) is rejected rather than stored without its text. The text is
    already decoded, so it is handed over as UTF-8 whatever the page's ``<meta charset>`` says."""
    import lxml.html

    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, encoding="utf-8")
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except Exception as e:  # lxml.etree.ParserError on empty documents, ValueError on odd encodings
        raise Rejected(f"unreadable HTML ({type(e).__name__}: {str(e)[:60]})") from e
    if any(err.type_name == "ERR_RESOURCE_LIMIT" for err in parser.error_log):
        raise Rejected("HTML nested too deeply to read (over 2,048 levels)")
    return tree


def _extract(tree, *, favor_precision: bool, with_metadata: bool):
    import trafilatura

    try:
        return trafilatura.bare_extraction(tree, favor_precision=favor_precision, with_metadata=with_metadata,
                                           include_comments=False, include_tables=True, include_links=False,
                                           include_images=False, deduplicate=False)
    except Exception:  # trafilatura choking on a hostile page: the other pass or the plain text takes over
        return None


def _blocks(result) -> list[str]:
    """One string per top-level element of the extracted body (lines of lists and tables joined by newlines)."""
    if result is None or result.body is None:
        return []
    from trafilatura.xml import xmltotxt

    blocks = []
    for child in result.body:
        text = xmltotxt(child, False).strip()
        if text:
            blocks.append(text)
    if not blocks and result.text and result.text.strip():
        blocks = [b.strip() for b in result.text.split("\n") if b.strip()]
    return blocks


def _size(blocks: list[str]) -> int:
    return sum(len(b) for b in blocks) + max(0, len(blocks) - 1)


def _page_text(tree) -> str:
    from trafilatura import html2txt

    try:
        return html2txt(tree)
    except Exception:
        return ""


def _plain_text(root) -> str:
    for bad in root.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    return "\n\n".join(t.strip() for t in root.itertext() if t.strip())


# -- the line filter ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _rules() -> dict:
    data = json.loads(resources.files("dossier").joinpath("data/html_boilerplate.json").read_text("utf-8"))

    def alternation(phrases):
        return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))

    def cue(phrases):  # a phrase on word boundaries (phrases may start or end with punctuation), not in an address
        return re.compile(r"(?<![\w@])(?:" + alternation(phrases) + r")(?![\w@])")

    return {
        "limits": data["limits"],
        "header": re.compile(r"^(?:" + alternation(data["headers"]) + r")\s*(?::|\.\.\.|…)?$"),
        "markers": [(reason, re.compile(r"^(?:" + alternation(words) + r")\s*(?::|\.\.\.|…)?$"))
                    for reason, words in data["markers"].items()],
        "prefix": re.compile(r"^(?:" + alternation(data["prefixes"]) + r")\s*:\s*\S"),
        "prompt": cue(data["prompts"]),
        "contact": cue(data["contact"]),
        "contact_start": re.compile(r"^(?:" + alternation(data["contact_starts"]) + r")(?![\w@])"),
        "credit": cue(data["credits"]),
        "staff": re.compile(r"^\(?(?:" + alternation(data["staff_starts"]) + r")(?!\w)|(?<!\w)(?:"
                            + alternation(data["staff_cues"]) + r")(?!\w)"),
        "imperatives": frozenset(data["imperatives"]),
        "second": frozenset(data["second_person"]),
        "date_words": frozenset(data["date_words"]),
        "date_markers": frozenset(data["date_markers"]),
        "calendar": frozenset(data["calendar_words"]),
    }


def _norm(line: str) -> str:
    return " ".join(line.lower().replace("’", "'").split())


def _tokens(text: str) -> list[str]:
    return _WORDS.findall(text.lower().replace("’", "'"))


def _is_title(block: str, title: str | None) -> bool:
    """The block is the page's headline: the title itself, the title without the site's name, or another wording
    of the headline (h1 and og:title often differ by a word or two): no closing full stop, and at least half of the
    words of both together are common to both."""
    if not title:
        return False
    b, t = _tokens(block), _tokens(title)
    if not b or not t or len(b) > _rules()["limits"]["title_max_words"]:
        return False
    if b == t or (2 * len(b) >= len(t) and (t[: len(b)] == b or t[-len(b):] == b)):
        return True
    if block.rstrip("”’\"' ").endswith("."):  # a sentence, not a headline
        return False
    bs, ts = set(b), set(t)
    return len(bs & ts) >= _rules()["limits"]["title_overlap"] * len(bs | ts)


def _is_dateline(low: str, words: list[str]) -> bool:
    """A publication stamp: only date words and numbers, with a time of day and a date, or with 'updated' or
    'published' and a date or time. A bare date stays (it may head a part of a chronology)."""
    rules = _rules()
    if not words or len(words) > rules["limits"]["dateline_max_words"]:
        return False
    if not all(w.isdigit() or w in rules["date_words"] or w in rules["calendar"] or w in rules["date_markers"]
               for w in words):
        return False
    time_of_day = bool(_TIME_OF_DAY.search(low))
    date = bool(_DATE.search(low)) or any(w in rules["calendar"] for w in words)
    marker = any(w in rules["date_markers"] for w in words)
    return (time_of_day and date) or (marker and (time_of_day or date))


def line_reason(line: str) -> str | None:
    """Why a line is page furniture (a removal reason of the export contract), or None for article text."""
    rules, limits = _rules(), _rules()["limits"]
    low = _norm(line)
    if not low:
        return None
    words = _tokens(low)
    n = len(words)
    bare = _LIST_ITEM.sub("", low)
    if rules["header"].match(bare):
        return "related"
    for reason, rx in rules["markers"]:
        if rx.match(bare):
            return reason
    if rules["prefix"].match(bare) and n <= limits["link_line_max_words"] * 2:
        return "related"
    if n <= limits["prompt_max_words"] and rules["prompt"].search(low):
        addressed = (words and words[0] in rules["imperatives"]) or any(w in rules["second"] for w in words)
        if addressed or n <= limits["short_max_words"]:
            return "prompt"
    if (n <= limits["contact_max_words"] and not bare.startswith("|") and _LINKISH.search(line)
            and (rules["contact"].search(low) or rules["contact_start"].match(bare))):
        return "prompt"
    if n <= limits["staff_max_words"] and rules["staff"].search(low):
        return "other"
    if n <= limits["credit_max_words"] and rules["credit"].search(low):
        return "caption"
    if _is_dateline(low, words):
        return "other"
    return None


def _linkish(line: str, short_lines: bool) -> bool:
    """A line of a link list: a list item, or (under a header) a short line that does not end a sentence."""
    s = line.strip()
    if _LIST_ITEM.match(s):
        return True
    return short_lines and len(_tokens(s)) <= _rules()["limits"]["link_line_max_words"] and not s.endswith(_TERMINAL)


def filter_blocks(blocks: list[str], title: str | None = None) -> list[str]:
    """The blocks without the lines that are page furniture (see the module docstring)."""
    out: list[str] = []
    links = None  # after a "Related" header: "header" (list items and short lines go); after "Related: ...": "items"
    title_seen = False
    for i, block in enumerate(blocks):
        if i < 2 and not title_seen and _is_title(block, title):  # the headline, maybe after a kicker
            title_seen = True
            continue
        kept = []
        for line in block.split("\n"):
            if not line.strip():
                continue
            if links and _linkish(line, links == "header"):
                continue
            links = None
            reason = line_reason(line)
            if reason is None:
                kept.append(line)
            elif reason == "related":
                links = "header" if _rules()["header"].match(_LIST_ITEM.sub("", _norm(line))) else "items"
        if kept:
            out.append("\n".join(kept))
    return out
