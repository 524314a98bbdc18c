"""Timelines (events in date order with their sources) and the actor graph (GraphML), through the API and the
real `dossier` command, on the seeds ingested with every stage."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.test_search import build_seeds


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory) -> str:
    return build_seeds(tmp_path_factory)


def test_timeline_of_venezuela_in_date_order(seeds_db):
    from dossier.timeline import timeline

    rows = timeline(seeds_db, entity="Venezuela")
    days = [r["first_day"] for r in rows if r["first_day"]]
    assert days == sorted(days)
    years = [d[:4] for d in days]
    for y in ("2019", "2022", "2026"):
        assert y in years
    assert years.index("2019") < years.index("2022") < years.index("2026")
    assert all(r["sources"] and r["sources"][0]["doc"] for r in rows)
    assert rows[-1]["first_day"] is None or all(r["first_day"] for r in rows)  # undated last
    only_2026 = timeline(seeds_db, entity="Venezuela", since="2026-01-01")
    assert only_2026 and all(r["first_day"] is None or r["first_day"] >= "2026" for r in only_2026)


def test_timeline_command(seeds_db):
    r = run_cli("timeline", "--entity", "Venezuela", "--db", seeds_db, env={"COLUMNS": "220"})
    assert r.returncode == 0, r.stderr.decode()
    dates = [line.split("│")[1].strip() for line in r.stdout.decode().splitlines() if line.startswith("│")]
    years = [d[:4] for d in dates if d[:4].isdigit()]
    assert years == sorted(years)
    assert years.index("2019") < years.index("2022") < years.index("2026")
    r = run_cli("timeline", "--entity", "Venezuela", "--db", seeds_db, "--json", "--since", "2022",
                "--until", "2022")
    rows = json.loads(r.stdout)
    assert rows and all(x["first_day"][:4] <= "2022" and x["sources"] for x in rows)


def test_actor_graph_graphml(seeds_db, tmp_path):
    import networkx as nx

    from dossier.graph import actor_graph

    g = actor_graph(seeds_db)
    assert g.number_of_edges() > 0
    out = tmp_path / "actors.graphml"
    r = run_cli("graph", "--out", str(out), "--db", seeds_db)
    assert r.returncode == 0, r.stderr.decode()
    back = nx.read_graphml(out)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    names = {d["name"] for _, d in back.nodes(data=True)}
    assert {"Russia", "Venezuela"} <= names
    for _, _, d in back.edges(data=True):
        assert d["events"] >= 1 and d["independent_sources"] >= 1 and d["type"]
