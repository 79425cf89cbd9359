"""Query results (graph/sparql/results.py): collecting pyoxigraph's results, plain values, and every output format."""

from __future__ import annotations

import json
import threading

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Store

from crossplan.graph.errors import QueryError
from crossplan.graph.model.vocabulary import PREFIXES, XSD
from crossplan.graph.sparql.results import (
    QueryResult,
    collect_result,
    compact_iri,
    display_term,
    format_result,
    plain_value,
    solution_rows,
)

ID = "https://w3id.org/crossplan/id/"


def result_of(variables, *rows):
    return QueryResult("select", list(variables), [tuple(row) for row in rows])


def _query(store, sparql):
    return store.query(sparql)


# -- collecting -------------------------------------------------------------------------------------


def test_collect_result_keeps_at_most_max_rows_and_marks_the_cut(store):
    stop = threading.Event()
    whole = collect_result(_query(store, "SELECT ?id WHERE { ?p a cp:Plan ; dcterms:identifier ?id }"), stop)
    assert (whole.kind, whole.variables, sorted(row[0].value for row in whole.rows)) == (
        "select",
        ["id"],
        ["north", "south"],
    )
    assert not whole.truncated
    exact = collect_result(_query(store, "SELECT ?p WHERE { ?p a cp:Plan }"), stop, max_rows=2)
    assert (len(exact.rows), exact.truncated) == (2, False)  # exactly max_rows is not cut
    cut = collect_result(_query(store, "SELECT * WHERE { ?s ?p ?o }"), stop, max_rows=3)
    assert (len(cut.rows), cut.truncated) == (3, True)
    graph = collect_result(_query(store, "CONSTRUCT WHERE { ?s a cp:Recommendation }"), stop, max_rows=4)
    assert (graph.kind, len(graph.triples), graph.truncated) == ("graph", 4, True)


def test_collect_result_reads_nothing_more_once_stopped(store):
    stop = threading.Event()
    stop.set()
    result = collect_result(_query(store, "SELECT * WHERE { ?s ?p ?o }"), stop)
    assert (result.rows, result.truncated) == ([], False)
    ask = collect_result(_query(store, "ASK { ?p a cp:Plan }"), stop)
    assert (ask.kind, ask.boolean) == ("ask", True)


def test_plain_values_and_as_dicts():
    integer = NamedNode(XSD.integer)
    assert plain_value(Literal("42", datatype=integer)) == 42
    assert plain_value(Literal("4.5", datatype=NamedNode(XSD.base + "decimal"))) == "4.5"
    assert plain_value(Literal("42")) == "42"
    assert plain_value(NamedNode(f"{ID}north/r1")) == f"{ID}north/r1"
    assert plain_value(None) is None
    result = result_of(["a", "b"], [NamedNode("http://example.org/x"), None], [Literal("7", datatype=integer), None])
    assert result.as_dicts() == [{"a": "http://example.org/x", "b": None}, {"a": "7", "b": None}]


def test_solution_rows_are_plain_values_and_refuse_other_query_forms():
    store = Store()
    rows = solution_rows(store.query("SELECT ?n ?unbound WHERE { VALUES ?n { 1 2 } }"))
    assert rows == [{"n": 1, "unbound": None}, {"n": 2, "unbound": None}]
    with pytest.raises(QueryError, match="select\\(\\) takes a SELECT query"):
        solution_rows(store.query("ASK { ?s ?p ?o }"))
    with pytest.raises(QueryError):
        solution_rows(store.query("CONSTRUCT WHERE { ?s ?p ?o }"))


# -- showing ----------------------------------------------------------------------------------------


def test_compact_iri_only_writes_prefixed_names_that_parse_back():
    assert compact_iri(PREFIXES["cp"] + "feedsInto") == "cp:feedsInto"
    assert compact_iri(PREFIXES["xsd"] + "gYearMonth") == "xsd:gYearMonth"
    assert compact_iri(PREFIXES["cp"] + "3things") == f"<{PREFIXES['cp']}3things>"  # a local name starts with a letter
    assert compact_iri(PREFIXES["cp"] + "a.") == f"<{PREFIXES['cp']}a.>"  # nor may it end with a dot
    assert compact_iri(PREFIXES["cp"]) == f"<{PREFIXES['cp']}>"
    assert compact_iri(ID) == f"<{ID}>"  # the base of the ids is no node


def test_terms_display_as_ids_prefixed_names_or_text():
    assert display_term(NamedNode(f"{ID}north/r1")) == "north/r1"
    assert display_term(NamedNode("http://purl.org/dc/terms/identifier")) == "dcterms:identifier"
    assert display_term(NamedNode("http://example.org/x")) == "<http://example.org/x>"
    assert display_term(Literal("hello", language="en")) == "hello"
    assert display_term(BlankNode("b1")) == "_:b1"
    assert display_term(None) == ""
    assert compact_iri("https://w3id.org/crossplan/graph/north") == "<https://w3id.org/crossplan/graph/north>"


def test_table_shows_ids_and_escapes_control_characters():
    result = result_of(["item", "text"], [NamedNode(f"{ID}north/r1"), Literal("line one\nline\ttwo \x1b[31mred")])
    shown = "line one\\nline\\ttwo \\x1b[31mred"
    assert format_result(result, "table", width=100) == (
        f"item      text\n--------  {'-' * len(shown)}\nnorth/r1  {shown}\n(1 row)\n"
    )


def test_csv_tsv_and_json_follow_the_sparql_results_formats():
    integer = NamedNode(XSD.integer)
    result = result_of(
        ["s", "o"],
        [NamedNode(f"{ID}north/r1"), Literal('say "hi", then go')],
        [BlankNode("b1"), Literal("3", datatype=integer)],
        [NamedNode("http://example.org/x"), Literal("chat", language="fr")],
        [NamedNode("http://example.org/y"), None],
    )
    assert format_result(result, "csv") == (
        f's,o\r\n{ID}north/r1,"say ""hi"", then go"\r\n_:b1,3\r\nhttp://example.org/x,chat\r\nhttp://example.org/y,\r\n'
    )
    assert format_result(result, "tsv") == (
        "?s\t?o\n"
        f'<{ID}north/r1>\t"say \\"hi\\", then go"\n'
        '_:b1\t"3"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
        '<http://example.org/x>\t"chat"@fr\n'
        "<http://example.org/y>\t\n"
    )
    assert json.loads(format_result(result, "json")) == {
        "head": {"vars": ["s", "o"]},
        "results": {
            "bindings": [
                {
                    "s": {"type": "uri", "value": f"{ID}north/r1"},
                    "o": {"type": "literal", "value": 'say "hi", then go'},
                },
                {
                    "s": {"type": "bnode", "value": "b1"},
                    "o": {"type": "literal", "value": "3", "datatype": XSD.integer},
                },
                {
                    "s": {"type": "uri", "value": "http://example.org/x"},
                    "o": {"type": "literal", "value": "chat", "xml:lang": "fr"},
                },
                {"s": {"type": "uri", "value": "http://example.org/y"}},
            ]
        },
    }


def test_default_format_is_a_table_on_a_terminal_and_csv_otherwise():
    result = result_of(["a"], [Literal("1")])
    assert format_result(result, terminal=True).startswith("a\n-")
    assert format_result(result, terminal=False) == "a\r\n1\r\n"


def test_ask_prints_true_or_false_and_standard_json():
    result = QueryResult("ask", boolean=False)
    assert format_result(result, "table") == "false\n"
    assert json.loads(format_result(result, "json")) == {"head": {}, "boolean": False}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_table_counts_its_rows():
    assert format_result(result_of(["a"]), "table").endswith("(0 rows)\n")
    assert format_result(result_of(["a"], [Literal("1")], [Literal("2")]), "table").endswith("(2 rows)\n")


def test_a_select_result_refuses_a_graph_format_and_a_graph_result_a_table():
    with pytest.raises(QueryError, match="^an ASK result prints as table, csv, tsv, json, markdown, not ntriples$"):
        format_result(QueryResult("ask", boolean=True), "ntriples")
    graph = QueryResult("graph")
    with pytest.raises(QueryError, match="not csv"):
        format_result(graph, "csv")
    assert format_result(graph) == ""  # an empty graph prints nothing


def test_csv_shows_ids_and_prefixed_names_unless_full_iris():
    result = result_of(
        ["s", "o"], [NamedNode(f"{ID}north/r1"), NamedNode(PREFIXES["cp"] + "Plan")], [BlankNode("b"), None]
    )
    assert format_result(result, "csv", full_iris=False) == "s,o\r\nnorth/r1,cp:Plan\r\n_:b,\r\n"
    assert format_result(result, "csv") == f"s,o\r\n{ID}north/r1,{PREFIXES['cp']}Plan\r\n_:b,\r\n"
