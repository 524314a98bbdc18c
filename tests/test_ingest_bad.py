"""Bad inputs: each one gets one line naming the file (and line) and the reason, the run goes on, and the store keeps
everything it had. Exit codes: 0 when anything was stored, 1 when nothing was, 2 on usage errors; ``--strict`` stops
at the first problem and keeps what was stored before it.

Everything here is real: files in tmp_path, an SQLite store file, the Python API, the CLI through CliRunner and as
subprocesses. Tests that watch memory run the CLI in a child process and read its peak RSS there.
"""

from __future__ import annotations

import builtins
import codecs
import errno
import gzip
import json
import os
import random
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

import dossier
from dossier.cli import app
from dossier.errors import StrictStop
from dossier.ingest import MB, Limits

from .conftest import run_cli, shared

GOOD = "The minister said on Monday that industrial output rose five percent in March."


# -- helpers --------------------------------------------------------------------------------------------------------

def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def docs_of(db: str) -> list[dossier.document.Document]:
    with dossier.open(db) as store:
        return list(store.documents())


def snapshot(db: str) -> tuple[dict, list[tuple]]:
    """What a user could lose: table sizes, and every document's id, source, text and changes."""
    with dossier.open(db) as store:
        counts = {k: v for k, v in store.counts().items() if k in ("documents", "raw")}
        docs = sorted((d.id, d.source, d.text, [(c.kind, c.detail) for c in d.changes]) for d in store.documents())
    return counts, docs


def one_line(stderr: str, where: str | Path, *words: str) -> str:
    """The single line on stderr about ``where`` (``path`` or ``path line N``): ``where: reason, skipped``."""
    assert "Traceback" not in stderr, stderr
    hits = [ln for ln in stderr.splitlines() if ln.startswith(f"{where}: ")]
    assert len(hits) == 1, f"expected one line about {where}, got {hits}\n{stderr}"
    line = hits[0]
    assert line.endswith(", skipped") and not line.endswith("skipped, skipped"), line
    for w in words:
        assert w in line, f"{w!r} not in {line!r}"
    return line


def ingest_cli(runner, *args: str):
    r = runner.invoke(app, ["ingest", *map(str, args)])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output, r.output
    return r


_MEASURED = textwrap.dedent("""
    import json, resource, sys
    import dossier
    from dossier.cli import app
    warm, args = sys.argv[1], sys.argv[2:]
    dossier.ingest([warm], db=warm + ".db")  # import and cache what ingest uses before measuring
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        app(args, prog_name="dossier")
        code = 0
    except SystemExit as e:
        code = e.code
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"code": code, "grew_mb": grew / 1024}))
""")


def run_measured(tmp_path: Path, *args: str, timeout: float = 600) -> tuple[dict, str]:
    """Run ``dossier ARGS`` in a child process; return its exit code and peak-memory growth (MB), and stderr.
    (No time limit is asserted: speed belongs to the benchmarks; ``timeout`` only stops a hang.)"""
    warm = tmp_path / "warm"
    write(warm / "w.txt", "The ministry said on Tuesday that exports fell.")
    write(warm / "w.txt.gz", gzip.compress(b"The ministry said on Wednesday that imports rose."))
    write(warm / "w.html", "<html><body><p>The ministry said on Thursday that prices were stable.</p></body></html>")
    p = subprocess.run([sys.executable, "-c", _MEASURED, str(warm), *map(str, args)], capture_output=True,
                       text=True, timeout=timeout)
    assert p.returncode == 0 and p.stdout.strip(), p.stderr
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert "Traceback" not in p.stderr, p.stderr
    return result, p.stderr


def write_gzip_bomb(path: Path, byte: bytes, total: int, chunk: int = 64 * MB) -> Path:
    """A real one-member gzip file that expands to ``total`` bytes of ``byte``, written in about a second.

    Streaming 5 GB through gzip.open takes 5 to 11 s; instead each chunk is deflated with a full flush, which makes
    every chunk after the first compress to the same bytes, so they are written as copies. The trailer holds the
    true CRC-32 and size, so gzip (and Python's gzip module) read it as valid (see test_gzip_bomb_builder)."""
    assert total % chunk == 0
    n = total // chunk
    block = byte * chunk
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(block) + c.flush(zlib.Z_FULL_FLUSH) == again
    end = c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")  # gzip header: deflate, no name, no mtime
        f.write(first)
        f.write(again * (n - 1))
        f.write(end)
        f.write(struct.pack("<II", crc, total & 0xFFFFFFFF))
    return path


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bombs")
    return {"zeros": write_gzip_bomb(d / "zeros.txt.gz", b"\0", 5 * 1024 * MB),
            "text": write_gzip_bomb(d / "letters.txt.gz", b"a", 5 * 1024 * MB)}


# -- binary, empty, whitespace ----------------------------------------------------------------------------------------

BINARIES = {
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "a PNG image"),
    "report.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"stream\n" * 50,
                   "a PDF file"),
    "program": (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(4000), "an executable (ELF)"),
    "noise.dat": (random.Random(7).randbytes(6000) + b"\x00" * 64, "NUL bytes"),
}


@pytest.mark.parametrize("name", list(BINARIES))
def test_binary_input_is_rejected_and_the_run_goes_on(runner, db, tmp_path, name):
    data, what = BINARIES[name]
    bad = write(tmp_path / "in" / name, data)
    write(tmp_path / "in" / "zgood.txt", GOOD)
    r = ingest_cli(runner, tmp_path / "in", "--db", db)
    assert r.exit_code == 0, r.output
    one_line(r.stderr, bad, "binary input", what, "not an article")
    assert [d.text for d in docs_of(db)] == [GOOD]

    report = dossier.ingest([str(bad)], db=db)
    assert (report.stored, dict(report.rejected), report.exit_code) == (0, {"binary input": 1}, 1)


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"   \n\t\n \r\n\n      \t ", "only whitespace"),
    ("\u00a0\u2003\n\u3000 \n".encode(), "only whitespace"),  # no-break, em and ideographic spaces
], ids=["empty", "whitespace", "unicode-whitespace"])
def test_empty_and_blank_files(runner, db, tmp_path, content, reason):
    bad = write(tmp_path / "blank.txt", content)
    r = ingest_cli(runner, bad, "--db", db)
    assert r.exit_code == 1, r.output                      # nothing stored
    one_line(r.stderr, bad, reason)
    assert docs_of(db) == []

    good = write(tmp_path / "good.txt", GOOD)
    r = ingest_cli(runner, bad, good, "--db", db)
    assert r.exit_code == 0, r.output                      # something stored
    one_line(r.stderr, bad, reason)
    assert [d.source for d in docs_of(db)] == [str(good)]


# -- encodings and mojibake -------------------------------------------------------------------------------------------

ENCODED = {
    "latin-1": ("Le ministre a déclaré lundi à Genève que la production a augmenté de cinq pour cent, très fort.",
                lambda t: t.encode("latin-1"), ("latin-1", "windows-1252")),
    "windows-1252": ("The minister said “we will act now” and the new bridge will cost €10 million, officials said.",
                     lambda t: t.encode("cp1252"), ("windows-1252",)),
    "utf-16-bom": ("The minister said “we act” on Monday in Zürich, and output rose 5%.",
                   lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), ("utf-16",)),
    "utf-16-be-bom": ("The minister said “we act” on Monday in Zürich, and output rose 5%.",
                      lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), ("utf-16",)),
    "utf-16-le-no-bom": ("The minister said on Monday in Zürich that output rose five percent.",
                         lambda t: t.encode("utf-16-le"), ("utf-16",)),
}


@pytest.mark.parametrize("case", list(ENCODED))
def test_legacy_encodings_are_decoded_and_recorded(runner, db, tmp_path, case):
    text, encode, labels = ENCODED[case]
    data = encode(text)
    if case == "windows-1252":
        assert b"\x93" in data and b"\x94" in data and b"\x80" in data
    path = write(tmp_path / f"{case}.txt", data)
    r = ingest_cli(runner, path, "--db", db)
    assert r.exit_code == 0, r.output
    assert str(path) not in r.stderr                       # no complaint about it
    [doc] = docs_of(db)
    assert doc.text == text
    encodings = [c.detail.lower().replace("_", "-") for c in doc.changes if c.kind == "encoding"]
    assert len(encodings) == 1 and encodings[0] in labels, doc.changes


LEGACY = [  # short texts are where encoding detection guesses wrong (Windows-1252 read as cp852, cp775, Shift-JIS)
    ("“Yes,” he said.", "cp1252"),
    ("The budget will rise to €2 billion, the minister’s office said on Tuesday.", "cp1252"),
    ("Der Minister sagte am Montag, die Produktion sei um fünf Prozent gestiegen. Größe, Straße.", "cp1252"),
    ("El ministro dijo el lunes que la producción aumentó un cinco por ciento en España.", "latin-1"),
    ("Vláda v pondělí oznámila, že ekonomika rostla o pět procent. Příliš žluťoučký kůň.", "cp1250"),
    ("Bakan pazartesi günü üretimin yüzde beş arttığını söyledi. Şişli'de ığdır.", "cp1254"),
    ("Министр заявил в понедельник, что производство выросло на пять процентов.", "cp1251"),
    ("大臣は月曜日、生産が5パーセント増加したと述べた。政府は新しい政策を発表した。", "shift_jis"),
]


def test_short_legacy_texts_decode_to_what_was_written(db, tmp_path):
    """Windows-1252 is preferred for Western text, and other code pages still win where they fit better."""
    for i, (text, enc) in enumerate(LEGACY):
        write(tmp_path / "in" / f"{i}.txt", text.encode(enc))
    report = dossier.ingest([str(tmp_path / "in")], db=db)
    assert (report.stored, dict(report.rejected)) == (len(LEGACY), {})
    got = {Path(d.source).stem: d for d in docs_of(db)}
    assert [got[str(i)].text for i in range(len(LEGACY))] == [text for text, _ in LEGACY]
    assert all(any(c.kind == "encoding" for c in d.changes) for d in got.values())


def test_mojibake_is_repaired_and_recorded(db, tmp_path):
    corpus = shared("corpus", "india_police", "india_police.jsonl")
    lines = [ln for ln in corpus.read_text("utf-8").splitlines() if "â€" in ln][:3]
    assert len(lines) == 3
    path = write(tmp_path / "toi.jsonl", "\n".join(lines) + "\n")
    report = dossier.ingest([str(path)], db=db)
    assert (report.stored, dict(report.rejected)) == (3, {})
    docs = docs_of(db)
    assert len(docs) == 3
    for doc in docs:
        assert "â€" not in doc.text and "Ã" not in doc.text, doc.source
        assert any(c.kind == "mojibake" for c in doc.changes), doc.changes
    assert any(q in doc.text for doc in docs for q in "’‘“”")


# -- size: huge files, gzip bombs ---------------------------------------------------------------------------------

def test_200mb_file_is_rejected_as_too_large_with_flat_memory(db, tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        block = b"a" * (8 * MB)
        for _ in range(25):
            f.write(block)
    assert big.stat().st_size == 200 * MB
    good = write(tmp_path / "good.txt", GOOD)
    result, stderr = run_measured(tmp_path, "ingest", big, good, "--db", db)
    assert result["code"] == 0, stderr
    one_line(stderr, big, "too large", "32 MB", "--max-size")
    assert result["grew_mb"] < 150, result
    assert [d.source for d in docs_of(db)] == [str(good)]


def test_200mb_json_line_is_skipped_and_the_next_line_stored(db, tmp_path):
    big = tmp_path / "huge.jsonl"
    with open(big, "wb") as f:
        f.write(b'{"text": "')
        block = b"a" * (8 * MB)
        for _ in range(25):
            f.write(block)
        f.write(b'"}\n')
        f.write(json.dumps({"text": GOOD}).encode() + b"\n")
    result, stderr = run_measured(tmp_path, "ingest", big, "--db", db)
    assert result["code"] == 0, stderr
    one_line(stderr, f"{big} line 1", "line too long", "32 MB")
    assert result["grew_mb"] < 150, result
    assert [(d.source, d.text) for d in docs_of(db)] == [(f"{big}#L2", GOOD)]


def test_huge_max_size_does_not_allocate_it(db, tmp_path):
    """--max-size is a bound, not a buffer size: a limit far beyond RAM still reads a small file."""
    path = write(tmp_path / "small.txt", GOOD)
    report = dossier.ingest([str(path)], db=db, limits=Limits(max_item=10**6 * MB))
    assert report.stored == 1


@pytest.mark.parametrize("chunk", [MB, 4 * MB])
def test_gzip_bomb_builder(tmp_path, chunk):
    """The bomb the next test uses is a valid gzip file (small version checked end to end)."""
    path = write_gzip_bomb(tmp_path / "small.gz", b"a", 5 * chunk, chunk=chunk)
    assert gzip.decompress(path.read_bytes()) == b"a" * (5 * chunk)


@pytest.mark.parametrize(("kind", "extra", "words"), [
    ("zeros", (), ()),                                       # NULs: refused from its first bytes (or at a limit)
    ("text", (), ("too large", "32 MB")),                    # the article limit stops it
    ("text", ("--max-size", "8192"), ("gzip", "bomb")),      # with the limit raised, the expansion ratio stops it
], ids=["zeros", "letters", "letters-max-size-8GB"])
def test_gzip_bomb_stops_quickly_with_flat_memory(bombs, db, tmp_path, kind, extra, words):
    bomb = bombs[kind]
    assert bomb.stat().st_size < 10 * MB                     # 5 GB inside
    good = write(tmp_path / "good.txt", GOOD)
    result, stderr = run_measured(tmp_path, "ingest", bomb, good, "--db", db, *extra)
    assert result["code"] == 0, stderr
    line = one_line(stderr, bomb, *words)
    assert any(w in line for w in ("binary", "too large", "bomb")), line
    assert result["grew_mb"] < 150, result
    assert [d.source for d in docs_of(db)] == [str(good)]


# -- HTML --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("closed", [True, False], ids=["closed", "unclosed"])
def test_deeply_nested_html_is_stored_or_rejected_cleanly(db, tmp_path, closed):
    depth = 100_000
    page = ("<html><head><title>Deep</title></head><body>" + "<div>" * depth
            + "<p>The minister said on Monday that output rose.</p>" + ("</div>" * depth if closed else "")
            + "</body></html>")
    path = write(tmp_path / "deep.html", page)
    r = run_cli("ingest", str(path), "--db", db, timeout=300)  # a hang would be a failure; speed is the bench's
    stderr = r.stderr.decode()
    assert "Traceback" not in stderr and "RecursionError" not in stderr, stderr
    docs = docs_of(db)
    if r.returncode == 0:
        assert len(docs) == 1 and docs[0].source == str(path)
    else:
        assert r.returncode == 1 and docs == []
        one_line(stderr, path)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_html_is_never_stored_without_its_text(db, tmp_path, depth):
    page = ("<html><head><title>Deep</title></head><body>" + "<div>" * depth
            + "<p>The minister said on Monday that output rose.</p>" + "</div>" * depth + "</body></html>")
    path = write(tmp_path / "deep.html", page)
    report = dossier.ingest([str(path)], db=db)
    docs = docs_of(db)
    assert report.rejected or (len(docs) == 1 and "minister said on Monday" in docs[0].text), docs[0].text


def test_broken_html_with_text_is_stored(runner, db, tmp_path):
    page = ("<html><body><div class=x><p>The minister said on Monday that industrial output rose five percent."
            "<p>Factories in the north <b>reported <i>strong orders<table><tr><td>cell &amp; &bogus; <<>> "
            "</scr ipt> <div <span>>> \x7f garbage ]]> <![CDATA[ <!-- a comment that never ends")
    path = write(tmp_path / "broken.html", page)
    r = ingest_cli(runner, path, "--db", db)
    assert r.exit_code == 0, r.output
    assert str(path) not in r.stderr
    [doc] = docs_of(db)
    assert "industrial output rose five percent" in doc.text
    assert "<p>" not in doc.text


# -- JSON ---------------------------------------------------------------------------------------------------------

def test_malformed_json_line_is_skipped_and_named(runner, db, tmp_path):
    path = write(tmp_path / "feed.jsonl",
                 '{"id": 1, "text": "First article: the minister said output rose."}\n'
                 '{"id": 2, "text": "Second article, cut off\n'
                 '{"id": 3, "text": "Third article: the ministry said exports fell."}\n')
    r = ingest_cli(runner, path, "--db", db)
    assert r.exit_code == 0, r.output
    one_line(r.stderr, f"{path} line 2", "not valid JSON")
    assert not [ln for ln in r.stderr.splitlines() if "line 1" in ln or "line 3" in ln]
    docs = {d.source: d for d in docs_of(db)}
    assert sorted(docs) == [f"{path}#L1", f"{path}#L3"]
    assert docs[f"{path}#L3"].text.startswith("Third article")


@pytest.mark.parametrize(("name", "content", "where", "words", "stored"), [
    ("object.json", '{"foo": 1}', "", ("JSON object is not an article", '"text"'), []),
    ("list-line.jsonl", '{"text": "One: the minister spoke."}\n[1, 2, 3]\n{"text": "Three: the ministry spoke."}\n',
     " line 2", ("JSON list is not an article",), ["#L1", "#L3"]),
    ("list-first.jsonl", '["a", "b"]\n{"text": "Two: the minister spoke."}\n{"text": "Three: the ministry spoke."}\n',
     " line 1", ("JSON list is not an article",), ["#L2", "#L3"]),
    ("number.jsonl", '{"text": "One: the minister spoke."}\n42\n', " line 2", ("JSON int is not an article",),
     ["#L1"]),
    ("no-text.jsonl", '{"title": "A headline only", "url": "https://example.com/a"}\n', " line 1",
     ("not an article", '"text"'), []),
    ("empty-text.jsonl", '{"text": "   "}\n', " line 1", ("empty text",), []),
], ids=["json-object", "jsonl-list-line", "jsonl-list-first-line", "jsonl-number", "jsonl-no-text",
        "jsonl-empty-text"])
def test_json_that_is_not_an_article(runner, db, tmp_path, name, content, where, words, stored):
    path = write(tmp_path / name, content)
    r = ingest_cli(runner, path, "--db", db)
    assert r.exit_code == (0 if stored else 1), r.output
    one_line(r.stderr, f"{path}{where}", *words)
    assert sorted(d.source for d in docs_of(db)) == [f"{path}{s}" for s in stored]


def test_truncated_gzip_keeps_the_complete_lines_before_the_cut(runner, db, tmp_path):
    rng = random.Random(3)
    lines = [json.dumps({"id": i, "text": f"Article {i}: the minister said on Monday that output rose {i} percent; "
                                          + " ".join(rng.choice(["steel", "grain", "coal", "oil", "rice", "tea"])
                                                     for _ in range(30))}) for i in range(50)]
    packed = gzip.compress(("\n".join(lines) + "\n").encode())
    cut = packed[: len(packed) // 2]
    path = write(tmp_path / "feed.jsonl.gz", cut)
    complete = zlib.decompressobj(31).decompress(cut).count(b"\n")  # whole lines a reader can get out of the cut
    assert 5 < complete < 50

    r = ingest_cli(runner, path, "--db", db)
    assert r.exit_code == 0, r.output
    bad = [ln for ln in r.stderr.splitlines() if ln.startswith(str(path))]
    assert len(bad) == 1, r.stderr
    assert "truncated or corrupt" in bad[0] and bad[0].endswith(", skipped"), bad
    docs = docs_of(db)
    assert [d.source for d in docs] == [f"{path}#L{i}" for i in range(1, complete + 1)]
    assert [d.input_id for d in docs] == list(range(complete))


# -- paths that cannot be read ----------------------------------------------------------------------------------

def test_missing_and_dangling_paths(runner, db, tmp_path):
    missing = tmp_path / "missing.txt"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    pattern = tmp_path / "nothing-*.txt"
    good = write(tmp_path / "good.txt", GOOD)
    r = ingest_cli(runner, missing, dangling, pattern, good, "--db", db)
    assert r.exit_code == 0, r.output
    one_line(r.stderr, missing, "no such file")
    line = one_line(r.stderr, dangling)
    assert "broken symlink" in line or "no such file" in line
    one_line(r.stderr, pattern, "no file matches")
    assert [d.source for d in docs_of(db)] == [str(good)]

    r = ingest_cli(runner, missing, "--db", db)
    assert r.exit_code == 1
    one_line(r.stderr, missing, "no such file")


def test_permission_denied(runner, db, tmp_path, monkeypatch):
    """Tests run as root, so chmod cannot make a file unreadable: open() raises for that one path instead."""
    locked = write(tmp_path / "in" / "locked.txt", "The secret memo said output fell.")
    good = write(tmp_path / "in" / "open.txt", GOOD)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    r = ingest_cli(runner, tmp_path / "in", "--db", db)
    assert r.exit_code == 0, r.output
    one_line(r.stderr, locked, "permission denied")
    assert [d.source for d in docs_of(db)] == [str(good)]

    report = dossier.ingest([str(locked)], db=db)
    assert (report.stored, dict(report.rejected), report.exit_code) == (0, {"permission denied": 1}, 1)


def test_symlink_loops_in_a_folder(db, tmp_path):
    folder = tmp_path / "in"
    write(folder / "good.txt", GOOD)
    (folder / "a").symlink_to("b")
    (folder / "b").symlink_to("a")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")               # a folder loop: symlinked folders are not followed
    r = run_cli("ingest", str(folder), "--db", db, timeout=60)
    stderr = r.stderr.decode()
    assert r.returncode == 0, stderr
    one_line(stderr, folder / "a", "symlink loop")
    one_line(stderr, folder / "b", "symlink loop")
    assert [d.source for d in docs_of(db)] == [str(folder / "good.txt")]

    r = run_cli("ingest", str(folder / "a"), "--db", db, timeout=60)   # the loop given by name
    assert r.returncode == 1
    one_line(r.stderr.decode(), folder / "a", "symlink loop")


# -- many files ---------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_folder_of_10000_tiny_files(db, tmp_path):
    folder = tmp_path / "many"
    for i in range(10_000):
        write(folder / f"{i // 1000:02d}" / f"a{i:05d}.txt",
              f"Article {i}: the minister said on Monday that output rose {i} percent.")
    report = dossier.ingest([str(folder)], db=db, stages=["clean", "meta"])  # ingest's mechanics, not the stages
    assert (report.stored, report.duplicates, dict(report.rejected), report.exit_code) == (10_000, 0, {}, 0)
    with dossier.open(db) as store:
        assert store.document_count() == 10_000
        texts = {d.text for d in store.documents()}
    assert len(texts) == 10_000 and "Article 9999: the minister said on Monday that output rose 9999 percent." in texts


# -- strict, exit codes, usage errors -------------------------------------------------------------------------------

def test_strict_stops_at_the_first_problem_and_keeps_what_came_before(runner, db, tmp_path):
    folder = tmp_path / "in"
    first = write(folder / "a.txt", GOOD)
    bad = write(folder / "b.txt", b"")
    later = write(folder / "c.txt", "The ministry said on Tuesday that exports fell.")
    r = ingest_cli(runner, folder, "--db", db, "--strict")
    assert r.exit_code == 1, r.output
    one_line(r.stderr, bad, "empty file")
    stop = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert len(stop) == 1 and "--strict" in stop[0] and str(bad) in stop[0], r.stderr
    assert str(later) not in r.stderr
    assert [d.source for d in docs_of(db)] == [str(first)]

    with pytest.raises(StrictStop, match="empty file"):    # the API the same way
        dossier.ingest([str(bad), str(later)], db=db, strict=True)
    assert [d.source for d in docs_of(db)] == [str(first)]

    r = ingest_cli(runner, folder, "--db", db)              # without --strict the rest goes in
    assert r.exit_code == 0
    assert [d.source for d in docs_of(db)] == [str(first), str(later)]


def test_strict_in_a_subprocess_keeps_documents_before_a_bad_line(db, tmp_path):
    path = write(tmp_path / "feed.jsonl", "".join(
        json.dumps({"text": f"Article {i}: the minister said output rose {i} percent."}) + "\n" for i in range(5))
        + "{broken\n" + json.dumps({"text": "After the bad line."}) + "\n")
    r = run_cli("ingest", "--strict", str(path), "--db", db, timeout=60)
    stderr = r.stderr.decode()
    assert r.returncode == 1, stderr
    one_line(stderr, f"{path} line 6", "not valid JSON")
    [stop] = [ln for ln in stderr.splitlines() if ln.startswith("error: ")]
    assert stop == f"error: stopped at the first problem (--strict): {path} line 6: not valid JSON", stderr
    assert [d.source for d in docs_of(db)] == [f"{path}#L{i}" for i in range(1, 6)]


def test_exit_codes_as_a_subprocess(db, tmp_path):
    good = write(tmp_path / "good.txt", GOOD)
    empty = write(tmp_path / "empty.txt", b"")
    r = run_cli("ingest", str(empty), str(good), "--db", db, timeout=60)
    assert r.returncode == 0, r.stderr
    one_line(r.stderr.decode(), empty, "empty file")
    r = run_cli("ingest", str(empty), "--db", db, timeout=60)
    assert r.returncode == 1
    one_line(r.stderr.decode(), empty, "empty file")
    r = run_cli("ingest", str(good), "--db", db, timeout=60)    # already stored: nothing new, still a success
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("args", [["ingest"], ["ingest", "{good}", "--no-such-option"], ["ingest", "{good}",
                                  "--max-size", "0"], ["ingest", "{good}", "--max-size", "lots"]],
                         ids=["no-path", "unknown-option", "max-size-0", "max-size-not-a-number"])
def test_usage_errors_exit_2_and_change_nothing(db, tmp_path, args):
    good = write(tmp_path / "good.txt", GOOD)
    other = write(tmp_path / "other.txt", "The ministry said on Tuesday that exports fell.")
    assert dossier.ingest([str(other)], db=db).stored == 1
    before = snapshot(db)
    r = run_cli(*[a.format(good=good) for a in args], "--db", db, timeout=60)
    stderr = r.stderr.decode()
    assert r.returncode == 2, stderr
    assert "Usage:" in stderr and "Traceback" not in stderr
    assert snapshot(db) == before


# -- the store survives bad inputs ----------------------------------------------------------------------------------

def test_failed_inputs_leave_the_store_intact(runner, db, tmp_path, bombs):
    good = tmp_path / "good"
    write(good / "one.txt", GOOD)
    write(good / "two.txt", "Le ministre a déclaré à Genève que la hausse était forte.".encode("latin-1"))
    write(good / "feed.jsonl", "".join(json.dumps({"id": i, "text": f"Line article {i}: exports rose {i}%."}) + "\n"
                                       for i in range(3)))
    first = dossier.ingest([str(good)], db=db)
    assert (first.stored, dict(first.rejected)) == (5, {})
    before = snapshot(db)

    bad = tmp_path / "bad"
    write(bad / "image.png", BINARIES["image.png"][0])
    write(bad / "empty.txt", b"")
    write(bad / "broken.jsonl", '{"text": \n[1]\n')
    write(bad / "object.json", '{"foo": 1}')
    packed = gzip.compress(b"".join(json.dumps({"text": f"Gz {i} " + "x y z " * 50}).encode() + b"\n"
                                    for i in range(40)))
    write(bad / "cut.jsonl.gz", packed[:40])
    r = ingest_cli(runner, bad, bombs["text"], tmp_path / "missing.txt", "--db", db)
    assert r.exit_code == 1, r.output
    assert snapshot(db) == before

    with pytest.raises(StrictStop):
        dossier.ingest([str(bad)], db=db, strict=True)
    assert snapshot(db) == before

    # a stored file that has since been damaged: its document stays as it was
    write(good / "one.txt", b"\x89PNG\r\n\x1a\n" + bytes(100))
    again = dossier.ingest([str(good), str(bad)], db=db)
    assert (again.stored, again.unchanged) == (0, 4)
    assert again.rejected["binary input"] == 2
    assert again.exit_code == 0
    assert snapshot(db) == before
    assert GOOD in {d.text for d in docs_of(db)}
