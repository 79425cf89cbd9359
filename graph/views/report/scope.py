"""A briefing of a few plans reads those plans, not the whole graph: ``plans_store`` and what it reads.

The questions a briefing asks of each plan (``overdue``, ``gaps``, the counts of ``stats``, ``duplicates``) read the
whole graph's tables (``store.facts()``). ``plans_store(store, plans)`` is the store seen through those plans: it
answers every query as the store does, but its tables are those of a small graph copied out of the store — the plans'
own nodes, every link with an end among them and the nodes at the far end, the chains of duplicate-of links that
start there, the items anywhere that print the very same text as one of theirs, and every plan's id. Each question
then answers about these plans what it answers over the whole graph, at the cost of these plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...model.vocabulary import CP, PREFIXES
from ...sparql.patterns import node_term
from ...sparql.results import solution_rows
from ...sparql.text import sparql_term
from ...stores.protocol import BaseStore

if TYPE_CHECKING:
    from pyoxigraph import Store

    from ...sparql.results import QueryResults
    from ...sparql.text import Substitutions
    from ...stores.protocol import GraphFacts, GraphStore, Row
    from ...stores.walk import Walk

# PLAN, NODES and TEXTS are written in as escaped terms (sparql_term), never as pasted text.
_PLAN_NODES = (
    "CONSTRUCT { ?plan a cp:Plan ; dcterms:identifier ?id } WHERE { ?plan a cp:Plan ; dcterms:identifier ?id }"
)
_PLAN = "CONSTRUCT { PLAN ?predicate ?object } WHERE { PLAN ?predicate ?object }"
_OWN = "CONSTRUCT { ?node ?predicate ?object } WHERE { ?node cp:inPlan PLAN ; ?predicate ?object }"
_LINKS = """SELECT DISTINCT ?link WHERE {
  { ?end cp:inPlan PLAN . ?link cp:from ?end ; a cp:Link } UNION { ?end cp:inPlan PLAN . ?link cp:to ?end ; a cp:Link }
  UNION { ?link cp:from PLAN ; a cp:Link } UNION { ?link cp:to PLAN ; a cp:Link }
}"""
# (one query per direction: Oxigraph plans a UNION beside a VALUES block as a scan of the whole store)
_DUPLICATES = [
    f"""CONSTRUCT {{ ?link ?predicate ?object }} WHERE {{
  VALUES ?end {{ NODES }} ?link {end} ?end ; a cp:Link ; cp:relation cp:duplicateOf ; ?predicate ?object }}"""
    for end in ("cp:from", "cp:to")
]
_SAME_TEXT = "SELECT DISTINCT ?node WHERE { VALUES ?text { TEXTS } ?node cp:text ?text }"
_NODES = "CONSTRUCT { ?node ?predicate ?object } WHERE { VALUES ?node { NODES } ?node ?predicate ?object }"
_ENDS = (CP.iri("from"), CP.to)
_RELATION, _DUPLICATE_OF, _TEXT = CP.relation, CP.duplicateOf, CP.text


def plans_store(store: GraphStore, plans: Iterable[str]) -> GraphStore:
    """Return ``store`` seen through ``plans``: the same answers to queries, the tables (``facts``) of those plans.

    What ``overdue``, ``gaps``, ``stats`` and ``duplicates`` answer about these plans from it is what they answer
    from the whole graph; a ``same text`` group finds the items of other plans that print exactly the same text.
    """
    return _PlansStore(store, list(dict.fromkeys(plans)))


class _PlansStore(BaseStore):
    """The store's answers, with tables read from a copy of the part of the graph a few plans reach."""

    def __init__(self, store: GraphStore, plans: list[str]) -> None:
        self._store = store
        self._plans = plans
        self._facts: GraphFacts | None = None
        self.data_dir = store.data_dir
        self.remote = store.remote

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResults:
        return self._store.query(sparql, substitutions)

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[Row]:
        return self._store.select(sparql, substitutions)

    def data_graphs(self) -> list[str]:
        return self._store.data_graphs()

    def walk(self) -> Walk:
        return self._store.walk()

    def file_digests(self) -> dict[str, str]:
        return self._store.file_digests()

    def facts(self) -> GraphFacts:
        if self._facts is None:
            self._facts = _Copy(_copy_plans(self._store, self._plans)).facts()
        return self._facts


class _Copy(BaseStore):
    """A small graph in memory, asked over SPARQL like any store (its tables: ``BaseStore.facts``)."""

    def __init__(self, database: Store) -> None:
        self._database = database

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[Row]:
        return solution_rows(self._database.query(sparql, prefixes=PREFIXES))


def _copy_plans(store: GraphStore, plans: list[str]) -> Store:
    """Copy out of ``store`` what the tables of ``plans`` need (see the module's docstring)."""
    from pyoxigraph import NamedNode, Quad, Store

    copy = Store()

    def add(query: str) -> list[tuple[str, str, str, Any]]:
        """Copy the triples a CONSTRUCT gives; return each as (subject, predicate, object) values and the object."""
        triples = [(triple.subject, triple.predicate, triple.object) for triple in store.query(query)]  # type: ignore[union-attr]
        copy.bulk_extend(Quad(*triple) for triple in triples)
        return [(subject.value, predicate.value, value.value, value) for subject, predicate, value in triples]

    def nodes(iris: Iterable[str]) -> str:
        return " ".join(sparql_term(NamedNode(iri)) for iri in sorted(iris))

    add(_PLAN_NODES)
    own = []
    link_iris: set[str] = set()
    for plan in plans:
        term = sparql_term(node_term(plan))
        own += add(_PLAN.replace("PLAN", term)) + add(_OWN.replace("PLAN", term))
        link_iris.update(row["link"] for row in store.select(_LINKS.replace("PLAN", term)))
    links = add(_NODES.replace("NODES", nodes(link_iris))) if link_iris else []
    have = {subject for subject, *_rest in own}
    duplicates = {link for link, predicate, value, _ in links if predicate == _RELATION and value == _DUPLICATE_OF}
    frontier = {value for link, predicate, value, _ in links if link in duplicates and predicate in _ENDS} - have
    reached = set(have)
    while frontier:  # chains of duplicate-of links, followed from the plans' items as far as they go
        reached |= frontier
        found = [triple for query in _DUPLICATES for triple in add(query.replace("NODES", nodes(frontier)))]
        frontier = {value for _link, predicate, value, _ in found if predicate in _ENDS} - reached
    texts = sorted({str(term) for _node, predicate, _value, term in own if predicate == _TEXT})
    same = {row["node"] for row in store.select(_SAME_TEXT.replace("TEXTS", " ".join(texts)))} if texts else set()
    others = (reached | same) - have
    if others:
        add(_NODES.replace("NODES", nodes(others)))
    return copy
