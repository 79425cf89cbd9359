"""The shared SPARQL pieces (graph/sparql/patterns.py): the link pattern, ids and spellings read back from IRIs."""

from __future__ import annotations

from pyoxigraph import NamedNode, Variable

from crossplan.graph.model.nodes import Basis, Relation, Response, Status
from crossplan.graph.model.vocabulary import CP, node_iri
from crossplan.graph.sparql.patterns import (
    LINK,
    id_of,
    known_spelling,
    link_pattern,
    node_term,
    spelling,
    variable,
)


def test_link_pattern_names_the_variables_and_leaves_out_what_is_none():
    assert LINK == link_pattern()
    assert LINK == (
        "?link a cp:Link ; cp:from ?source ; cp:to ?target ; cp:relation ?relation ; cp:basis ?basis ; cp:quote ?quote ."
    )
    assert link_pattern("?f", "?t", link="?l", basis=None, quote=None) == (
        "?l a cp:Link ; cp:from ?f ; cp:to ?t ; cp:relation ?relation ."
    )
    assert link_pattern(None, None, relation=None, basis=None, quote=None) == "?link a cp:Link ."
    assert link_pattern("<x:a>", relation="cp:feedsInto") == (
        "?link a cp:Link ; cp:from <x:a> ; cp:to ?target ; cp:relation cp:feedsInto ; cp:basis ?basis ; "
        "cp:quote ?quote ."
    )


def test_the_link_pattern_finds_every_link_of_the_fixture_plans(store):
    rows = store.select(f"SELECT ?source ?relation ?target ?basis ?quote WHERE {{ {LINK} }}")
    assert len(rows) == 10  # the links written in north.yaml (6) and south.yaml (4)
    feeds = store.select(
        f"SELECT ?source ?target WHERE {{ {link_pattern(relation='cp:feedsInto', basis=None, quote=None)} }}"
    )
    assert sorted((id_of(row["source"]), id_of(row["target"])) for row in feeds) == [
        ("north/r1", "north/r2"),
        ("north/r2", "south/health"),
    ]


def test_id_of_reads_a_node_iri_and_passes_anything_else_through():
    assert id_of(node_iri("north/r1")) == "north/r1"
    assert id_of(node_iri("board")) == "board"
    assert id_of(CP.Plan) == CP.Plan
    assert id_of("x:y") == "x:y"
    assert id_of(None) is None


def test_spelling_reads_controlled_terms_and_shows_other_iris_compactly():
    assert spelling(Response, Response.PARTLY_AGREED.term) == "partly-agreed"
    assert spelling(Relation, CP.feedsInto) == "feeds-into"
    assert spelling(Relation, CP.Plan) == "cp:Plan"  # a crossplan term, but not a relation
    assert spelling(Status, "http://example.org/done") == "<http://example.org/done>"
    assert spelling(Status, None) is None


def test_known_spelling_is_none_for_anything_not_in_the_vocabulary():
    assert known_spelling(Basis, Basis.JUDGED.term) == "judged"
    assert known_spelling(Basis, Status.COMPLETE.term) is None
    assert known_spelling(Basis, "judged") is None  # a spelling is not a term
    assert known_spelling(Basis, None) is None


def test_node_term_and_variable_bind_a_node_into_a_query(store):
    assert node_term("north/r1") == NamedNode(node_iri("north/r1"))
    assert variable("node") == Variable("node")
    rows = store.select("SELECT ?label WHERE { ?node rdfs:label ?label }", {variable("node"): node_term("north/r1")})
    assert rows == [{"label": "Find homes for children before they leave custody."}]
