"""The six typical queries, written once in SPARQL and run on every engine (crossplan store, raw pyoxigraph, rdflib).

Each query names its prefixes itself so that it runs unchanged on engines without pre-bound prefixes.
``{lookup}``-style fields are filled from the data set's ``meta.json`` (ids chosen by the generator).
"""

from __future__ import annotations

PREFIXES = """PREFIX cp: <https://w3id.org/crossplan/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
ID = "https://w3id.org/crossplan/id/"

QUERIES = {
    # How one plan's recommendations map onto other plans: every qualified link whose ends are in different plans.
    "mapping": """SELECT ?fromPlan ?from ?relation ?basis ?to ?toPlan ?quote WHERE {
  ?link a cp:Link ; cp:from ?f ; cp:to ?t ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote .
  ?f cp:inPlan ?fp . ?t cp:inPlan ?tp .
  FILTER(?fp != ?tp)
  ?fp dcterms:identifier ?fromPlan . ?tp dcterms:identifier ?toPlan .
  ?f dcterms:identifier ?from . ?t dcterms:identifier ?to .
}""",
    # Everything one recommendation feeds into, directly or through others.
    "feeds-into+": """SELECT DISTINCT ?id WHERE {{
  <{ID}{feeds_start}> cp:feedsInto+ ?x . ?x dcterms:identifier ?id .
}}""",
    # Items by plan and progress status.
    "count-by-status": """SELECT ?plan ?status (COUNT(?item) AS ?items) WHERE {
  ?item cp:inPlan ?p ; cp:status ?status . ?p dcterms:identifier ?plan .
} GROUP BY ?plan ?status""",
    # Words in any item's text.
    "text-search": """SELECT ?item ?text WHERE {{
  ?item cp:text ?text . FILTER(CONTAINS(LCASE(?text), "{search}"))
}}""",
    # Every node within two links of a busy recommendation (dependency links and structure, not rdf:type).
    # Written with FILTER(IN) rather than VALUES: rdflib multiplies VALUES blocks out before joining (minutes).
    "2-hop": """SELECT DISTINCT ?n WHERE {{
  {{ <{ID}{neighbourhood}> ?p ?m }} UNION {{ ?m ?p <{ID}{neighbourhood}> }}
  FILTER(?p IN ({EDGES}))
  {{ ?m ?q ?n }} UNION {{ ?n ?q ?m }}
  FILTER(?q IN ({EDGES}))
}}""",
    # Everything stated about one node, found by its id.
    "lookup-id": """SELECT ?p ?o WHERE {{
  ?n dcterms:identifier "{lookup}" ; ?p ?o .
}}""",
}

EDGES = (
    "cp:feedsInto, cp:duplicateOf, cp:relatedTo, cp:delegatedTo, cp:supersedes, cp:references, cp:hasAction, "
    "cp:hasUpdate, cp:inWorkstream"
)
TEMPLATED = {"feeds-into+", "text-search", "2-hop", "lookup-id"}


def bench_queries(meta: dict) -> dict[str, str]:
    """Return the six queries, with prefixes, filled in with a data set's chosen ids."""
    filled = {}
    for name, text in QUERIES.items():
        if name in TEMPLATED:
            text = text.format(ID=ID, EDGES=EDGES, **meta)
        filled[name] = PREFIXES + text
    return filled
