"""Running SPARQL: saved queries and parameters, time limit, output formats (the checks before a query runs are in
test_guard.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import QueryError, UnknownIdError
from crossplan.graph.model.vocabulary import XSD
from crossplan.graph.output import escape_control, render_csv, render_markdown, render_rows, render_table
from crossplan.graph.questions.query import (
    bind_parameters,
    format_saved_queries,
    parse_header,
    parse_parameters,
    run_query,
    saved_queries,
    saved_query,
)
from crossplan.graph.sparql.guard import check_query
from crossplan.graph.sparql.results import QueryResult, format_result
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.stores.protocol import BaseStore

FIXTURES = Path(__file__).parents[1] / "fixtures"
ID = "https://w3id.org/crossplan/id/"


@pytest.fixture(scope="module")
def store():
    """The fixture data set with more shapes (plans north and south)."""
    return memory_store(load_dataset(FIXTURES / "query"))


# -- saved queries and parameters -------------------------------------------------------------------


def test_parse_header_reads_title_description_and_parameters():
    query = parse_header(
        "# title: Recommendations of a plan\n"
        "# description: Every recommendation\n"
        "#   in plan order.\n"
        "# param plan (id): the plan\n"
        "# param since (date): the first day\n"
        "SELECT ?plan ?since WHERE { ?r cp:inPlan ?plan }\n",
        "recs",
    )
    assert (query.name, query.title, query.description) == (
        "recs",
        "Recommendations of a plan",
        "Every recommendation in plan order.",
    )
    assert [(p.name, p.type, p.description) for p in query.parameters] == [
        ("plan", "id", "the plan"),
        ("since", "date", "the first day"),
    ]


def test_parse_header_refuses_a_parameter_of_unknown_type():
    with pytest.raises(QueryError) as caught:
        parse_header("# param plan (node): the plan\nSELECT ?plan WHERE { }", "bad")
    assert str(caught.value) == (
        "bad: bad parameter line '# param plan (node): the plan' "
        "(write: # param NAME (TYPE): description, TYPE one of id, string, date, integer)"
    )


def test_every_saved_query_has_a_title_and_description_and_runs(store):
    queries = saved_queries()
    assert len(queries) >= 6
    samples = {"id": "north", "string": "judged", "date": "2020-01-01", "integer": "1"}
    for query in queries:
        assert query.title and query.description, query.name
        check_query(query.text)
        values = {p.name: ("board" if p.name == "organisation" else samples[p.type]) for p in query.parameters}
        result = run_query(store, query.name, values)
        assert result.kind == "select"
        assert not set(values) & set(result.variables), f"{query.name} shows its parameters"


def test_saved_query_recommendations_lists_a_plan_in_order(store):
    result = run_query(store, "recommendations", {"plan": "north"})
    assert [row["recommendation"] for row in result.as_dicts()] == [f"{ID}north/r{n}" for n in range(1, 9)]
    assert result.variables == ["recommendation", "number", "workstream", "response", "status", "label"]
    assert result.parameters == {"plan": f"{ID}north"}


def test_saved_query_addressed_to_includes_sub_organisations(store):
    rows = run_query(store, "addressed-to", {"organisation": "board"}).as_dicts()
    assert [(row["recommendation"], row["addressee"]) for row in rows] == [
        (f"{ID}north/r1", f"{ID}board"),
        (f"{ID}north/r2", f"{ID}housing-team"),
    ]


def test_saved_query_links_by_basis(store):
    rows = run_query(store, "links-by-basis", {"basis": "judged"}).as_dicts()
    assert [(row["from"], row["to"]) for row in rows] == [
        (f"{ID}north/r1", f"{ID}south/housing-1"),
        (f"{ID}south/health-2", f"{ID}south/health-1"),
        (f"{ID}south/housing-1-update-1", f"{ID}north/r4"),
    ]


def test_saved_query_cross_plan_links(store):
    rows = run_query(store, "cross-plan-links").as_dicts()
    assert [(row["from"].removeprefix(ID), row["to"].removeprefix(ID)) for row in rows] == [
        ("north/r1", "south/housing-1"),
        ("north/r2", "south/health"),
        ("north/r6-action-1", "south/housing-2"),
        ("south/health-1", "north/r3"),
        ("south/housing-1-update-1", "north/r4"),
    ]


def test_saved_query_search_ignores_case(store):
    rows = run_query(store, "search", {"phrase": "TRANSITIONS protocol"}).as_dicts()
    assert [row["item"].removeprefix(ID) for row in rows] == [
        "north/r4",
        "south/housing-1-update-1",
        "south/oversight-1",
    ]


@pytest.mark.parametrize("value", ['x" ) } #', '") || true || ("', "') } UNION { ?item ?p ?o } #"])
def test_a_parameter_is_bound_as_a_value_and_cannot_change_the_query(store, value):
    result = run_query(store, "search", {"phrase": value})
    assert result.rows == []
    assert result.parameters == {"phrase": value}


def test_an_id_parameter_is_resolved_and_an_unknown_one_suggests(store):
    assert run_query(store, "updates", {"plan": "north"}).parameters == {"plan": f"{ID}north"}
    with pytest.raises(UnknownIdError) as caught:
        run_query(store, "updates", {"plan": "nort"})
    assert str(caught.value) == "no node with id 'nort' (did you mean 'north'?)"
    with pytest.raises(UnknownIdError):
        run_query(store, "updates", {"plan": 'north" ) } #'})


def test_parameters_are_checked_against_the_header(store):
    query = parse_header(
        "# param since (date): a day\n# param count (integer): how many\nSELECT ?since ?count WHERE { }", "q"
    )
    bound = bind_parameters(store, query, {"since": "2020-02-29", "count": " 12 "})
    assert bound == {
        Variable("since"): Literal("2020-02-29", datatype=NamedNode(XSD.date)),
        Variable("count"): Literal("12", datatype=NamedNode(XSD.integer)),
    }
    cases = [
        ({"since": "2020-02-30", "count": "1"}, "parameter since: '2020-02-30' is not a date YYYY-MM-DD"),
        ({"since": "2020-02", "count": "1"}, "parameter since: '2020-02' is not a date YYYY-MM-DD"),
        ({"since": "2020-02-01", "count": "many"}, "parameter count: 'many' is not a whole number"),
        ({"since": "2020-02-01"}, "missing parameter: --param count=<integer> (how many)"),
        ({"since": "2020-02-01", "count": "1", "plan": "x"}, "unknown parameter 'plan' (q takes: since, count)"),
    ]
    for values, message in cases:
        with pytest.raises(QueryError) as caught:
            bind_parameters(store, query, values)
        assert str(caught.value) == message


def test_a_query_without_parameters_takes_none(store):
    with pytest.raises(QueryError) as caught:
        run_query(store, "SELECT ?x WHERE { ?x a cp:Plan }", {"plan": "north"})
    assert str(caught.value) == "unknown parameter 'plan' (query takes: no parameters)"


def test_a_select_must_project_its_parameters(store):
    text = "# param plan (id): the plan\nSELECT ?r WHERE { ?r cp:inPlan ?plan }"
    with pytest.raises(QueryError) as caught:
        run_query(store, text, {"plan": "north"})
    assert (
        str(caught.value)
        == "parameter ?plan must appear in the SELECT clause of query (SPARQL substitution needs it there)"
    )


def test_unknown_saved_query_suggests_a_name():
    with pytest.raises(QueryError) as caught:
        saved_query("recommendation")
    assert (
        str(caught.value)
        == "no saved query 'recommendation' (did you mean 'recommendations'?) (see `crossplan queries`)"
    )


def test_parse_parameters():
    assert parse_parameters(["plan=north", "phrase=a = b", "empty="]) == {
        "plan": "north",
        "phrase": "a = b",
        "empty": "",
    }
    for pairs, message in (
        (["plan"], "--param needs KEY=VALUE, not 'plan'"),
        (["=x"], "--param needs KEY=VALUE, not '=x'"),
        (["a=1", "a=2"], "--param a is given twice"),
    ):
        with pytest.raises(QueryError) as caught:
            parse_parameters(pairs)
        assert str(caught.value) == message


def test_format_saved_queries_lists_names_parameters_and_titles():
    text = format_saved_queries(saved_queries(), width=100)
    assert "recommendations   plan (id)          Recommendations of a plan" in text
    assert text.endswith("Run one with: crossplan query NAME --param KEY=VALUE (see: crossplan queries NAME)\n")
    listed = json.loads(format_saved_queries(saved_queries(), "json"))
    assert {entry["name"] for entry in listed} == {query.name for query in saved_queries()}
    assert format_saved_queries([saved_query("removed")], full=True) == saved_query("removed").text


# -- running ----------------------------------------------------------------------------------------


def test_select_ask_and_construct_results(store):
    select = run_query(store, "SELECT ?id WHERE { ?p a cp:Plan ; dcterms:identifier ?id } ORDER BY ?id")
    assert (select.kind, select.variables, [row[0].value for row in select.rows]) == (
        "select",
        ["id"],
        ["north", "south"],
    )
    ask = run_query(store, "ASK { ?p a cp:Plan }")
    assert (ask.kind, ask.boolean) == ("ask", True)
    graph = run_query(store, "CONSTRUCT { ?w rdfs:label ?l } WHERE { ?w a cp:Workstream ; rdfs:label ?l }")
    assert graph.kind == "graph" and len(graph.triples) == 3


def test_a_runaway_query_is_stopped_with_a_clear_message(store):
    with pytest.raises(QueryError) as caught:
        run_query(store, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=0.2)
    assert (
        str(caught.value)
        == "the query was stopped after 0.2 s (it may be too broad; allow more time with --timeout SECONDS)"
    )


def test_a_large_result_is_cut_and_marked(store):
    result = run_query(store, "SELECT * WHERE { ?s ?p ?o }", max_rows=5)
    assert (len(result.rows), result.truncated) == (5, True)
    assert not run_query(store, "SELECT * WHERE { ?s a cp:Plan }", max_rows=5).truncated


def test_an_evaluation_error_is_a_query_error():
    class Failing(BaseStore):
        def query(self, sparql, substitutions=None):
            raise OSError("disk on fire")

    with pytest.raises(QueryError) as caught:
        run_query(Failing(), "SELECT ?x WHERE { ?x ?p ?o }")
    assert str(caught.value) == "the query failed: disk on fire"


# -- output -----------------------------------------------------------------------------------------


def result_of(variables, *rows):
    return QueryResult("select", list(variables), [tuple(row) for row in rows])


def test_json_output_parses_back_with_pyoxigraph(store):
    from pyoxigraph import QueryResultsFormat, parse_query_results

    result = run_query(store, "SELECT ?w ?label WHERE { ?w a cp:Workstream ; rdfs:label ?label } ORDER BY ?w")
    parsed = parse_query_results(format_result(result, "json").encode("utf-8"), QueryResultsFormat.JSON)
    assert [(s["w"], s["label"]) for s in parsed] == [row for row in result.rows]


def test_markdown_escapes_pipes_and_shows_line_breaks():
    result = result_of(["a"], [Literal("x | y\nz")])
    assert format_result(result, "markdown") == "| a |\n| --- |\n| x \\| y\\nz |\n"
    assert render_markdown(["a"], [["x | y\nz"]]) == "| a |\n| --- |\n| x \\| y<br>z |"


def test_construct_prints_turtle_ntriples_or_jsonld_and_round_trips(store):
    import rdflib
    from rdflib.compare import isomorphic

    result = run_query(
        store, "CONSTRUCT { ?w rdfs:label ?l ; a cp:Workstream } WHERE { ?w a cp:Workstream ; rdfs:label ?l }"
    )
    expected = rdflib.Graph()
    for workstream, title in (("housing", "Housing"), ("health", "Health and Wellbeing"), ("oversight", "Oversight")):
        node = rdflib.URIRef(f"{ID}south/{workstream}")
        expected.add((node, rdflib.RDFS.label, rdflib.Literal(title)))
        expected.add((node, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/crossplan/ontology#Workstream")))
    for output_format, parser in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        text = format_result(result, output_format)
        assert isomorphic(rdflib.Graph().parse(data=text, format=parser), expected), output_format
    assert format_result(result).startswith("@prefix")
    with pytest.raises(QueryError) as caught:
        format_result(result, "table")
    assert str(caught.value) == "a CONSTRUCT or DESCRIBE result prints as turtle, ntriples, jsonld, not table"
    with pytest.raises(QueryError) as caught:
        format_result(result_of(["a"]), "turtle")
    assert str(caught.value) == "a SELECT result prints as table, csv, tsv, json, markdown, not turtle"


def test_render_table_fits_the_width_and_wraps_long_cells():
    text = render_table(["id", "label"], [["r1", "one two three four five six seven"], ["r2", "short"]], width=20)
    assert text == ("id  label\n--  -------------\nr1  one two three\n    four five six\n    seven\n\nr2  short")
    assert max(len(line) for line in text.splitlines()) <= 20


def test_render_table_cuts_cells_after_max_lines_and_prints_headings_and_blank_rows():
    text = render_table(
        ["id", "label"],
        ["Group", ["r1", "one two three four five six seven"], None, ["r2", "x"]],
        width=20,
        max_lines=2,
        spacing=False,
    )
    assert text == "id  label\n--  --------------\nGroup\nr1  one two three\n    four five six…\n\nr2  x"


def test_escape_control_and_other_row_formats():
    assert escape_control("a\u2028b\x7f") == "a\\u2028b\\x7f"
    assert render_csv(["a", "b"], [["x,y", None]]) == 'a,b\r\n"x,y",\r\n'
    assert render_csv(["a"], [["x\ty\nz"]], delimiter="\t") == "a\nx\\ty\\nz\n"
    assert render_markdown(["a"], [[None]]) == "| a |\n| --- |\n|  |"
    assert json.loads(render_rows(["a", "b"], [[1, None]], "json")) == [{"a": 1, "b": None}]
    with pytest.raises(ValueError):
        render_rows(["a"], [], "xml")


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_an_error_from_the_store_leaves_no_result_iterator_to_the_wrong_thread():
    from pyoxigraph import Store

    from crossplan.graph.errors import EndpointError

    class Unreachable(BaseStore):
        def query(self, sparql, substitutions=None):
            parsed = Store().query(sparql)  # an iterator that belongs to this (worker) thread
            raise EndpointError(f"cannot connect ({len(parsed.variables)} variables)")

    with pytest.raises(EndpointError) as caught:
        run_query(Unreachable(), "SELECT ?x WHERE { ?x ?p ?o }")
    assert str(caught.value) == "cannot connect (1 variables)"
    import gc

    del caught
    gc.collect()


def test_saved_queries_are_package_data():
    """The .rq files are read through importlib.resources and declared as package data, so the wheel ships them."""
    import tomllib

    from crossplan.graph.resources import queries_dir

    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.rq" in config["tool"]["setuptools"]["package-data"]["crossplan.graph.questions.saved"]
    assert sorted(path.stem for path in queries_dir().glob("*.rq")) == [query.name for query in saved_queries()]
