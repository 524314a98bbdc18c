"""The actor graph: entities as nodes, events as edges aggregated by (source, target, type), with counts, first and
last day and the number of independent sources (copies of one wire story counted once). GraphML via networkx.

An event's actor is its entity (the person or organisation named), else the state it acts for. Negated and
hypothetical events (that did not happen, or only might) are left out unless asked for.
"""

from __future__ import annotations

import os

from .errors import DossierError
from .timeline import connection


class GraphError(DossierError):
    """The actor graph cannot be written."""


EDGES = """
    SELECT coalesce(e.source_entity, e.source_acts_for) AS s, coalesce(e.target_entity, e.target_acts_for) AS t,
           e.type, count(DISTINCT e.id) AS events, count(*) AS reports, min(e.first_day) AS first,
           max(e.last_day) AS last, count(DISTINCT coalesce(d.version_of, d.id)) AS independent_sources,
           count(DISTINCT m.doc) AS documents
    FROM events e JOIN event_mentions m ON m.event = e.id JOIN documents d ON d.id = m.doc
    WHERE e.reports > 0 AND coalesce(e.source_entity, e.source_acts_for) IS NOT NULL
      AND coalesce(e.target_entity, e.target_acts_for) IS NOT NULL {extra}
    GROUP BY 1, 2, 3"""


def actor_graph(conn, *, include_uncertain: bool = False, min_events: int = 1):
    """A ``networkx.MultiDiGraph``: one node per entity in an event (attributes name, type, country, sector,
    mentions), one edge per (source, target, event type) keyed by the type, with events, reports, documents,
    independent_sources, first and last (ISO days, or "" when undated)."""
    import networkx as nx

    g = nx.MultiDiGraph(name="dossier actor graph")
    with connection(conn) as c:
        if not c.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
            return g
        extra = "" if include_uncertain else "AND e.negated = 0 AND e.hypothetical = 0"
        nodes = set()
        for s, t, typ, events, reports, first, last, indep, docs in c.execute(EDGES.format(extra=extra)):
            if events < min_events:
                continue
            nodes.update((s, t))
            g.add_edge(s, t, key=typ, type=typ, events=events, reports=reports, documents=docs,
                       independent_sources=indep, first=first or "", last=last or "")
        ids = sorted(nodes)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            for eid, name, typ, country, sector, mentions in c.execute(
                    f"SELECT id, name, type, country, sector, mention_count FROM entities "
                    f"WHERE id IN ({','.join('?' * len(part))})", part):
                g.add_node(eid, name=name, label=name, type=typ, country=country or "", sector=sector or "",
                           mentions=mentions)
        for n in ids:  # an actor missing from the entities table keeps its id as its name
            g.nodes[n].setdefault("name", n)
            g.nodes[n].setdefault("label", n)
    return g


def write_graphml(conn, path: str, **kwargs) -> dict[str, int]:
    """Write the actor graph as GraphML (written to a temporary name, then moved). Returns node and edge counts."""
    import networkx as nx

    g = actor_graph(conn, **kwargs)
    tmp = os.fspath(path) + ".tmp"
    try:
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
        nx.write_graphml(g, tmp, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise GraphError(f"{path}: cannot write the graph ({e.strerror or e})") from e
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
