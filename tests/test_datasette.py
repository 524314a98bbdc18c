"""The store in Datasette (the pinned 0.65.5): readable tables and views, facets and descriptions from
dossier/data/datasette.json, full-text search on sentences."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import run_cli
from tests.test_search import build_seeds


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory) -> str:
    return build_seeds(tmp_path_factory)


def _get(db: str, *paths: str) -> list:
    from datasette.app import Datasette

    from dossier.search import datasette_metadata

    async def go():
        ds = Datasette([db], metadata=datasette_metadata(db))
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(go())


def test_tables_and_views_are_readable(seeds_db):
    names = ["documents", "document_list", "entities", "mentions", "events", "events_named", "event_reports",
             "quantities", "times", "storylines", "sources", "sentences"]
    responses = _get(seeds_db, "/dossier.json", *(f"/dossier/{n}.json?_shape=objects" for n in names))
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    db = responses[0].json()
    hidden = {t["name"] for t in db["tables"] if t["hidden"]}
    assert {"raw", "dedup_bands", "search_state"} <= hidden
    by = dict(zip(names, (r.json() for r in responses[1:]), strict=True))
    assert len(by["documents"]["rows"]) == 5
    assert by["sources"]["rows"] and by["storylines"]["rows"][0]["title"]
    assert by["events_named"]["rows"] and by["mentions"]["rows"][0]["entity_name"]
    fks = next(t for t in db["tables"] if t["name"] == "annotations")["foreign_keys"]["outgoing"]
    assert any(fk["other_table"] == "documents" for fk in fks)


def test_metadata_facets_descriptions_and_sentence_search(seeds_db):
    docs, search, html = _get(seeds_db, "/dossier/documents.json?_size=1",
                              "/dossier/sentences.json?_search=Lavrov&_shape=objects", "/dossier/entities")
    assert docs.status_code == 200
    facets = docs.json()["facet_results"]
    assert "outlet" in facets
    rows = search.json()["rows"]
    assert len(rows) == 1 and "Lavrov" in rows[0]["text"] and rows[0]["outlet"] == "Izvestia"
    assert "Real-world referents" in html.text  # the table's description from the metadata


def test_datasette_command_prints_metadata(seeds_db):
    import json

    r = run_cli("datasette", "--db", seeds_db, "--print")
    assert r.returncode == 0, r.stderr.decode()
    meta = json.loads(r.stdout)
    assert "dossier" in meta["databases"] and "datasette" in r.stderr.decode()
