"""Versions (copies) of one wire story: grouping, canonical, what a version adds and lacks, honest source counts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

import dossier
from dossier import dedup
from dossier.cli import app

from .conftest import SHARED, run_cli, shared

SEEDS = ("000_83705deb358a5fc3.txt", "001_5e300edb8a850530.txt", "002_395e19d6ee48b133.txt",
         "003_8feb878d757c8972.txt", "004_cf66f6befb59e769.txt")


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def seeds_export(tmp_path_factory):
    """The seeds ingested once through the CLI (a subprocess) and exported."""
    tmp = tmp_path_factory.mktemp("seeds")
    db, out = str(tmp / "seeds.db"), str(tmp / "out")
    r = run_cli("ingest", str(shared("corpus", "seeds")), "--db", db, "--quiet")
    assert r.returncode == 0, r.stderr.decode()
    r = run_cli("export", out, "--db", db)
    assert r.returncode == 0, r.stderr.decode()
    docs = {os.path.basename(d["source"]): d for d in read_jsonl(os.path.join(out, "documents.jsonl"))}
    return db, out, docs


def test_sentences_keep_abbreviations_and_normalise_copies():
    text = "Senior U.S. officials met Mr. Smith in Caracas on Jan. 5. They left.\nWASHINGTON (Reuters) - Oil rose."
    spans = dedup.sentences(text)
    assert [text[a:b] for a, b in spans] == ["Senior U.S. officials met Mr. Smith in Caracas on Jan. 5.", "They left.",
                                             "WASHINGTON (Reuters) - Oil rose."]
    assert dedup.normalise("Senior U.S. officials’ talks") == dedup.normalise("Senior US officials' talks")
    assert dedup.normalise("WASHINGTON (Reuters) - Oil rose.") == dedup.normalise("Oil rose")
    f = dedup.features(text)
    assert f["n_sent"] == 1 and len(f["minhash"]) == 4 * dedup.config()["num_perm"]


def test_seed_copies_are_grouped_and_the_rest_kept_apart(seeds_export):
    _, out, docs = seeds_export
    group = {f: d["version_of"] or d["id"] for f, d in docs.items()}
    assert group[SEEDS[1]] == group[SEEDS[4]]  # one Reuters story, two outlets
    assert len({group[f] for f in SEEDS}) == 4
    canon = docs[SEEDS[1]]  # the Reuters copy has more sentences: the most complete is canonical
    assert canon["version_of"] is None and docs[SEEDS[4]]["version_of"] == canon["id"]
    (line,) = read_jsonl(os.path.join(out, "versions.jsonl"))
    assert line["document"] == docs[SEEDS[4]]["id"] and line["canonical"] == canon["id"]
    assert line["shared_sentences"] >= 6 and 0.5 <= line["similarity"] <= 1
    for key, owner in (("adds", docs[SEEDS[4]]), ("lacks", canon)):
        assert line[key]
        for sp in line[key]:
            assert sp["doc"] == owner["id"] and owner["text"][sp["start"]:sp["end"]] == sp["text"]
    assert any("AFP requests for comment" in sp["text"] for sp in line["adds"])
    assert any("Interfax" in sp["text"] for sp in line["lacks"])


def test_export_validates_and_scores_versions_and_storylines(seeds_export):
    _, out, _ = seeds_export
    r = subprocess.run([sys.executable, str(SHARED / "bench" / "score" / "dossier.py"), out,
                        str(SHARED / "gold" / "seeds.json"), "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    scores = json.loads(r.stdout.strip().splitlines()[-1])
    assert scores["versions"] == {"grouped": 1.0, "apart": 1.0}
    assert scores["storylines"] == {"share": 1.0, "apart": 1.0}
    with open(os.path.join(out, "manifest.json")) as fh:
        manifest = json.load(fh)
    assert "dedup" in manifest["stages"] and "stories" in manifest["stages"]


def test_independent_sources_count_copies_once(seeds_export):
    db, out, docs = seeds_export
    ids = [docs[f]["id"] for f in (SEEDS[0], SEEDS[1], SEEDS[4])]
    with dossier.open(db) as store:
        assert store.independent_sources(ids) == 2
        assert store.versions(docs[SEEDS[4]]["id"]) == [docs[SEEDS[1]]["id"], docs[SEEDS[4]]["id"]]
    assert dedup.independent_sources((docs[f]["id"], docs[f]["version_of"]) for f in SEEDS) == 4
    story = next(s for s in read_jsonl(os.path.join(out, "stories.jsonl")) if docs[SEEDS[1]]["id"] in s["documents"])
    assert story["independent_sources"] == 1 and len(story["documents"]) == 2


def test_show_prints_the_diff_against_the_canonical(seeds_export, runner):
    db, _, docs = seeds_export
    r = runner.invoke(app, ["show", docs[SEEDS[4]]["id"], "--db", db])
    assert r.exit_code == 0
    assert f"version of {docs[SEEDS[1]]['id']}" in r.output and "counts as 1 independent source" in r.output
    assert "+ adds" in r.output and "- lacks" in r.output and "AFP requests for comment" in r.output
    r = runner.invoke(app, ["show", docs[SEEDS[1]]["id"], "--db", db])
    assert "canonical; group of 2" in r.output and "+ adds" not in r.output


def _copies(tmp_path):
    """A Guardian article, a syndicated copy (retitled, trimmed, edited, other boilerplate, a day later) and an
    unrelated article on the same topic that recaps two of its sentences."""
    rows = [json.loads(x) for x in shared("corpus", "guardian", "guardian.jsonl").read_text().splitlines()[:12]]
    orig = max(rows, key=lambda r: len(r["text"]))
    other = next(r for r in rows if r is not orig)
    ss = [orig["text"][a:b] for a, b in dedup.sentences(orig["text"])]
    kept = ss[: int(len(ss) * 0.6)]
    kept[3] = kept[3].replace(" said", " says")
    copy = "\n\n".join(["Exclusive: " + " ".join(ss[0].split()[:8]), "By Reuters staff", *kept,
                        "© 2019 Gulf Times. All rights reserved."])
    follow = " ".join([*[other["text"][a:b] for a, b in dedup.sentences(other["text"])][:10], ss[5], ss[6]])
    lines = [{"id": "orig", "date": orig["date"], "text": orig["text"]},
             {"id": "copy", "date": orig["date"], "outlet": "Gulf Times", "text": copy},
             {"id": "other", "date": other["date"], "text": follow}]
    path = tmp_path / "copies.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_a_syndicated_copy_is_found_and_a_recap_is_not(db, tmp_path):
    dossier.ingest([str(_copies(tmp_path))], db=db)
    with dossier.open(db) as store:
        by = {d.input_id: d for d in store.documents()}
    assert by["copy"].version_of == by["orig"].id and by["orig"].version_of is None
    assert by["other"].version_of is None and by["orig"].id not in {by["other"].version_of}


def test_incremental_linking_gives_the_same_groups_in_any_order(tmp_path):
    path = _copies(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    once, parts = str(tmp_path / "once.db"), str(tmp_path / "parts.db")
    dossier.ingest([str(path)], db=once)
    for i, line in enumerate(reversed(lines)):  # one input at a time, the copy first: each ingest links what it adds
        p = tmp_path / f"part{i}.jsonl"
        p.write_text(line)
        dossier.ingest([str(p)], db=parts)
    for db in (once, parts):
        with dossier.open(db) as store:
            groups = {d.input_id: d.version_of or d.id for d in store.documents()}
            assert groups["copy"] == groups["orig"] != groups["other"]
            assert all("dedup" in d.stages and d.story for d in store.documents())
    with dossier.open(once) as a, dossier.open(parts) as b:
        assert {d.id: d.version_of for d in a.documents()} == {d.id: d.version_of for d in b.documents()}


def test_reprocess_relinks_versions(db, tmp_path):
    dossier.ingest([str(_copies(tmp_path))], db=db)
    with dossier.open(db) as store:
        before = {d.id: (d.version_of, d.story) for d in store.documents()}
    counts = dossier.reprocess(db)
    assert counts == {"updated": 3, "failed": 0}
    with dossier.open(db) as store:
        docs = list(store.documents())
        assert {d.id: (d.version_of, d.story) for d in docs} == before
        assert all({"dedup", "stories"} <= set(d.stages) for d in docs)


def _bridged(tmp_path):
    """Guardian articles with copies, and articles seen first in two parts (a first and a last 60%) that a later
    full version bridges: their groups, and their storylines, merge."""
    rows = [json.loads(x) for x in shared("corpus", "guardian", "guardian.jsonl").read_text().splitlines()[:30]]
    lines = []
    for i, r in enumerate(rows):
        ss = [r["text"][a:b] for a, b in dedup.sentences(r["text"])]
        if len(ss) < 10:
            lines.append({"id": r["id"], "date": r["date"], "text": r["text"]})
            continue
        k = len(ss) * 3 // 5
        if i % 3 == 0:  # two parts first, the whole a day later
            day = dt.date.fromisoformat(r["date"][:10])
            lines += [{"id": f"{r['id']}-a", "date": r["date"], "text": " ".join(ss[:k])},
                      {"id": f"{r['id']}-b", "date": r["date"], "text": " ".join(ss[-k:])},
                      {"id": r["id"], "date": (day + dt.timedelta(days=1)).isoformat(), "text": r["text"]}]
        else:  # the article and a trimmed, retitled copy
            lines += [{"id": r["id"], "date": r["date"], "text": r["text"]},
                      {"id": f"{r['id']}-c", "date": r["date"], "text": "\n\n".join(["Update: " + ss[0], *ss[1:k]])}]
    path = tmp_path / "bridged.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def _linked(db):
    with dossier.open(db) as store:
        c = store.conn
        return ([tuple(r) for r in c.execute("SELECT id, version_of, story, stages FROM documents ORDER BY id")],
                [tuple(r) for r in c.execute("SELECT doc, grp, score FROM dedup_docs ORDER BY doc")],
                [tuple(r) for r in c.execute("SELECT id, n, center, first_day, last_day FROM stories ORDER BY id")])


def test_linking_a_batch_at_a_time_is_linking_one_by_one(tmp_path):
    """The linkers read and write a batch at a time (lookups in key order, groups followed in memory): versions,
    canonicals and storylines are those of linking the documents one at a time."""
    from dossier import stories
    from dossier.store import transaction

    db = str(tmp_path / "b.db")
    dossier.ingest([str(_bridged(tmp_path))], db=db, stages=["dedup", "stories"])
    batched = _linked(db)
    with dossier.open(db) as store:
        group = {d.input_id: d.version_of or d.id for d in store.documents()}
    bridged = [k[:-2] for k in group if k.endswith("-a")]
    assert bridged and all(group[k + "-a"] == group[k + "-b"] == group[k] for k in bridged)  # merged groups
    assert sum(1 for k in group if k.endswith("-c") and group[k] == group[k[:-2]]) >= 5  # copies
    with dossier.open(db) as store:
        with transaction(store.conn):
            dedup.reset(store.conn)
            stories.reset(store.conn)
            store.conn.execute("UPDATE documents SET version_of = NULL, story = NULL")
        dedup.link(store, batch=1)
        stories.link(store, batch=1)
    assert _linked(db) == batched
