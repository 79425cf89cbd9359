"""Writing bound values into a query as terms: the same answers as Oxigraph's substitutions, and no way in for syntax."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable

from crossplan.graph.errors import QueryError
from crossplan.graph.model.vocabulary import PREFIXES, node_iri
from crossplan.graph.sparql.text import inline_terms, names_graphs
from crossplan.graph.stores.embedded import open_store

FIXTURES = Path(__file__).parents[1] / "fixtures"

HOSTILE = [
    Literal('say "hi" } } DROP ALL ; INSERT DATA { <x:a> <x:b> <x:c> } #'),
    Literal('x" ) } #'),
    Literal("line\nbreak\r\nand \\ backslash \\u0022 and ' and ''' and \"\"\""),
    Literal("naïve 日本語 😀 \x07 \x7f"),
    Literal("Hello", language="en-gb"),
    Literal("2020-03", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
    Literal("alpha/r1"),
    Literal("/r1"),
    NamedNode(node_iri("alpha/r1")),
]

# Each query uses ?value in its projection and in its WHERE group (as the questions do).
QUERIES = [
    "SELECT ?value ?n WHERE { ?n dcterms:identifier ?value } ORDER BY ?n",
    "SELECT ?id ?value WHERE { ?n dcterms:identifier ?id . FILTER(STRENDS(STR(?id), STR(?value))) } ORDER BY ?id",
    "SELECT DISTINCT ?value ?p ?o WHERE { { ?value ?p ?o } UNION { ?o cp:hasAction ?value } } ORDER BY ?p ?o",
    # braces, variables and keywords inside strings, IRIs and comments are left alone
    'SELECT ?x ?value # { ?value }\nWHERE { ?x ?p ?value . FILTER(?value != "?value { }") } ORDER BY ?x',
    "SELECT (COUNT(?n) AS ?count) WHERE { ?n dcterms:identifier ?value }",
    "ASK { ?n dcterms:identifier ?value }",
]


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory):
    return open_store(FIXTURES / "mini", tmp_path_factory.mktemp("mini-store"))


def _rows(results):
    if isinstance(results, bool) or type(results).__name__ == "QueryBoolean":
        return bool(results)
    names = [variable.value for variable in results.variables]
    return names, [tuple(solution[name] for name in names) for solution in results]


@pytest.mark.parametrize("query", QUERIES)
def test_written_in_terms_give_the_same_answers_as_substitutions(mini_store, query):
    for term in HOSTILE:
        substitutions = {Variable("value"): term}
        projected = "?value" in query.split("WHERE")[0]
        expected = mini_store.oxigraph.query(
            query, prefixes=PREFIXES, substitutions=substitutions if projected else None
        )
        if not projected:  # Oxigraph substitutes only projected variables: compare with the constant written by hand
            expected = mini_store.oxigraph.query(query.replace("?value", str(term)), prefixes=PREFIXES)
        written = inline_terms(query, substitutions)
        assert _rows(mini_store.oxigraph.query(written, prefixes=PREFIXES)) == _rows(expected), (query, term)


def test_a_hostile_value_stays_one_literal():
    text = inline_terms("SELECT ?id WHERE { ?n dcterms:identifier ?id }", {Variable("id"): Literal('x" ) } #')})
    assert text == 'SELECT ("x\\" ) } #" AS ?id) WHERE { ?n dcterms:identifier "x\\" ) } #" }'


def test_select_answers_a_question_with_a_hostile_id(mini_store):
    rows = mini_store.select("SELECT ?id ?n WHERE { ?n dcterms:identifier ?id }", {Variable("id"): HOSTILE[0]})
    assert rows == []
    rows = mini_store.select("SELECT ?id ?n WHERE { ?n dcterms:identifier ?id }", {Variable("id"): Literal("alpha/r1")})
    assert rows == [{"id": "alpha/r1", "n": node_iri("alpha/r1")}]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o",
        "SELECT ?s WHERE { ?s ?p ?x BIND(?x AS ?o) }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p ?x } GROUP BY ?s ?o",
    ],
)
def test_a_bound_variable_where_no_term_can_stand_is_refused(query):
    with pytest.raises(QueryError, match=r"\?o is bound but also stands where a term cannot"):
        inline_terms(query, {Variable("o"): NamedNode("x:o")})


def test_no_substitutions_leave_the_query_as_it_is():
    assert inline_terms("SELECT * WHERE { ?s ?p ?o }", None) == "SELECT * WHERE { ?s ?p ?o }"
    assert inline_terms("SELECT * WHERE { ?s ?p ?o }", {}) == "SELECT * WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("select * from named <x:a> where { graph ?g { ?s ?p ?o } }", True),
        ("SELECT * FROM <x:a> WHERE { ?s ?p ?o }", True),
        ("SELECT * WHERE{GRAPH<x:g>{?s ?p ?o}}", True),
        ("SELECT ?from ?to WHERE { ?l cp:from ?from ; cp:to ?to }", False),  # a variable, a prefixed name
        ('SELECT ?graph WHERE { ?s cp:graph "GRAPH" }', False),  # in a string
        ("SELECT * WHERE { ?s ?p ?o } # FROM a graph", False),  # in a comment
        ("SELECT * WHERE { ?s <x:from> ?o }", False),  # in an IRI
    ],
)
def test_a_query_names_graphs_only_with_the_keywords(query, expected):
    assert names_graphs(query) is expected
