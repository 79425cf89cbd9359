"""The read-only guard: what a query may not do is refused, located, before anything runs; and what runs stays off
the network, within its size, nesting, time and memory limits."""

from __future__ import annotations

import sys

import pytest

from crossplan.graph.errors import QueryError
from crossplan.graph.sparql import guard
from crossplan.graph.sparql.guard import (
    MAX_NESTING,
    MAX_QUERY_CHARACTERS,
    MAX_QUERY_TOKENS,
    check_query,
    network_guard_available,
    run_guarded,
)


def refusal(text: str) -> str:
    with pytest.raises(QueryError) as caught:
        check_query(text)
    return caught.value.describe()


# -- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, word",
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <file:///etc/passwd>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://g>", "DROP"),
        ("CREATE GRAPH <http://g>", "CREATE"),
        ("ADD DEFAULT TO <http://g>", "ADD"),
        ("MOVE DEFAULT TO <http://g>", "MOVE"),
        ("COPY DEFAULT TO <http://g>", "COPY"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("insert data { <http://a> <http://b> 1 }", "INSERT"),
    ],
)
def test_updates_are_refused_before_running(text, word):
    assert refusal(text) == (
        f"1:1: refused: {word} would change the graph; queries are read-only (use SELECT, CONSTRUCT, DESCRIBE or ASK)\n"
        f"  {text}\n  ^"
    )


def test_an_update_after_a_query_is_refused_where_it_stands():
    text = "SELECT * WHERE { ?s ?p ?o } ;\n  DELETE WHERE { ?s ?p ?o }"
    assert refusal(text).startswith("2:3: refused: DELETE would change the graph")


def test_service_is_refused():
    text = "SELECT * WHERE {\n  SERVICE <http://example.org/sparql> { ?s ?p ?o }\n}"
    assert refusal(text) == (
        "2:3: refused: SERVICE would query another server; queries only read this graph\n"
        "    SERVICE <http://example.org/sparql> { ?s ?p ?o }\n    ^"
    )


@pytest.mark.parametrize(
    "clause", ["FROM <file:///etc/passwd>", "FROM NAMED <file:///etc/passwd>", "from <http://example.org/g>"]
)
def test_from_clauses_are_refused(clause):
    assert refusal(f"SELECT * {clause} WHERE {{ ?s ?p ?o }}") == (
        "1:10: refused: FROM chooses the graphs to read; queries always read the whole graph "
        "(use GRAPH <…> { } to look inside one plan's graph)\n"
        f"  SELECT * {clause} WHERE {{ ?s ?p ?o }}\n           ^"
    )


def test_keywords_inside_strings_comments_iris_variables_and_names_are_not_refused():
    text = (
        "PREFIX delete: <http://example.org/delete#>\n"
        "# INSERT DATA { } SERVICE FROM\n"
        "SELECT ?from ?service WHERE {\n"
        '  ?from rdfs:label "DELETE FROM SERVICE" ; delete:load ?service .\n'
        "  ?service cp:text '''LOAD\nCLEAR''' .\n"
        "  FILTER(?from != <http://example.org/FROM>)\n"
        "}"
    )
    check_query(text)


def test_an_empty_query_is_refused():
    assert refusal("  \n ") == "the query is empty"


# -- prefixes and syntax errors ---------------------------------------------------------------------


def test_unknown_prefix_is_named_at_its_place():
    assert refusal("SELECT ?x WHERE {\n  ?x a foaf:Person\n}") == (
        "2:8: unknown prefix 'foaf:' (declare it with PREFIX foaf: <…>; "
        "pre-bound: cp, rdf, rdfs, xsd, owl, dcterms, skos, org, prov)\n"
        "    ?x a foaf:Person\n"
        "         ^"
    )


def test_a_declared_prefix_and_the_pre_bound_ones_are_accepted():
    check_query(
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT ?x WHERE { ?x a foaf:Person ; a cp:Plan ; prov:wasDerivedFrom ?d }"
    )
    check_query("PREFIX : <http://example.org/>\nSELECT ?x WHERE { ?x :p ?y }")


def test_the_empty_prefix_must_be_declared():
    assert refusal("SELECT ?x WHERE { ?x :p ?y }").startswith("1:22: unknown prefix ':' (declare it with PREFIX : <…>;")


def test_syntax_error_reports_line_column_the_line_and_a_caret():
    error = refusal("SELECT (COUNT(*) AS ?c\nWHERE { ?s ?p ?o }")
    assert error == "2:1: syntax error: unexpected 'WHERE'\n  WHERE { ?s ?p ?o }\n  ^"


def test_syntax_error_at_the_end_of_the_query():
    assert refusal("SELECT ?x WHERE { ?x a cp:Plan ") == (
        "1:32: syntax error: unexpected end of query\n  SELECT ?x WHERE { ?x a cp:Plan \n                                 ^"
    )


def test_syntax_error_keeps_oxigraphs_explanation_when_it_gives_one():
    assert refusal("SELECT ?x WHERE { ?x a cp:Plan } GROUP BY ?y").startswith(
        "1:45: syntax error: the SELECT contains a variable that is unbound"
    )


def test_syntax_error_line_shows_control_characters_escaped():
    error = refusal('SELECT ?x WHERE { ?x rdfs:label "a\x1bb" ?? }')
    assert "\\x1b" in error and "\x1b" not in error


def test_query_error_carries_line_and_column():
    with pytest.raises(QueryError) as caught:
        check_query("SELECT ?x\nWHERE { ?x a cp:Plan .\n  FILTER(?x = }")
    error = caught.value
    assert (error.line, error.source_line) == (3, "  FILTER(?x = }")
    assert error.column >= 13


# -- what the check sees is what the engine sees ----------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden",
    [
        "SERVICE <{url}/y> {{ ?s ?p ?o }}",
        "SERVICE SILENT <{url}/y> {{ ?s ?p ?o }}",
        "service <{url}/y> {{ ?s ?p ?o }}",
    ],
)
@pytest.mark.parametrize("escape", [r"\u0041", r"\U00000041", r"\u0023"])
def test_an_escape_in_an_iri_does_not_hide_a_service(listener, hidden, escape):
    url, hits = listener
    text = f"SELECT * WHERE {{ ?s ?p <cp:x{escape}#> . {hidden.format(url=url)} }}"
    assert "refused: SERVICE would query another server" in refusal(text)
    assert hits == []


@pytest.mark.parametrize(
    "text",
    [
        r"SELECT * WHERE { ?s ?p <cp:x\u0041#> } FROM <http://example.org/g>",
        "SELECT * WHERE { ?s ?p <cp:x\\u0041#> . \nFROM NAMED <http://example.org/g> }",
        r"SELECT * \u0046ROM <http://example.org/g> WHERE { ?s ?p ?o }",
        r"SELECT * WHERE { ?s ?p <cp:x\u0041#> . } \u0053ERVICE <http://example.org/> { }",
        r"SELECT * WHERE { ?s ?p <x:\u003E DELETE WHERE { ?s ?p ?o } #> }",
    ],
)
def test_escapes_cannot_hide_a_refused_word(text):
    assert "refused:" in refusal(text)


def test_escapes_in_strings_and_comments_stay_harmless():
    text = 'SELECT ?x WHERE { BIND("service \\u00e9 from \\\\u0041" AS ?x) } # SERVICE \\u0041'
    assert check_query(text) == ["x"]


def test_the_engine_cannot_reach_the_network_even_if_the_check_misses(listener):
    """Defence in depth: the worker that parses and runs a query cannot open a socket (Linux seccomp)."""
    from pyoxigraph import Store

    url, hits = listener

    def ask_elsewhere():
        return bool(Store().query(f"ASK {{ SERVICE <{url}/leak> {{ ?s ?p ?o }} }}"))

    with pytest.raises(OSError, match="Operation not permitted"):
        run_guarded(ask_elsewhere, timeout=10)
    assert hits == []
    # the guard is the worker's alone: this thread can still use the network
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{url}/still-here", timeout=5)
    assert hits == ["/still-here"]


# -- size and nesting are bounded before the parser sees them ----------------------------------------------------


@pytest.mark.parametrize("opening, closing", [("(", ")"), ("{", "}"), ("[ <x:p> ", "]")])
def test_deep_nesting_is_refused_located(opening, closing):
    depth = 20_000
    if opening == "(":
        text = "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    elif opening == "{":
        text = "SELECT * WHERE " + "{" * depth + "}" * depth
    else:
        text = "SELECT * WHERE { ?s <x:p> " + opening * depth + "1" + closing * depth + " }"
    message = refusal(text)
    assert f"the query nests brackets more than {MAX_NESTING} deep" in message
    assert message.startswith("1:")


def test_nesting_at_the_limit_is_accepted():
    text = "SELECT * WHERE { FILTER(" + "(" * (MAX_NESTING - 2) + "1" + ")" * (MAX_NESTING - 2) + ") }"
    assert check_query(text) == []


def test_a_huge_query_is_refused_before_parsing():
    text = "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(['"x"'] * 5_000_000) + ")) }"
    assert len(text) > 19_000_000
    with pytest.raises(QueryError, match=rf"^the query is [\d,]+ characters long; at most {MAX_QUERY_CHARACTERS:,}"):
        check_query(text)


@pytest.mark.parametrize("chain", ["+".join(["1"] * 40_000), "||".join(["?a"] * 40_000)])
def test_a_long_operator_chain_is_refused_located(chain):
    message = refusal(f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER({chain}) }}")
    assert f"more than {MAX_QUERY_TOKENS:,} words and symbols" in message


# -- off the network, within memory ----------------------------------------------------------------------------


def test_a_bad_memory_setting_is_named(monkeypatch):
    monkeypatch.setenv("CROSSPLAN_QUERY_MEMORY", "lots")
    with pytest.raises(QueryError, match="CROSSPLAN_QUERY_MEMORY='lots' is not a whole number of megabytes"):
        check_query("SELECT * WHERE { ?s ?p ?o }")


def test_without_the_network_guard_service_fails_closed_on_the_word(monkeypatch):
    """Where seccomp is unavailable (not Linux x86-64/arm64), any query that mentions 'service' is refused."""
    monkeypatch.setattr(guard, "network_guard_available", lambda: False)
    monkeypatch.setattr(guard, "deny_network", lambda: False)
    for text in [
        'SELECT ?x WHERE { BIND("public service" AS ?x) }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE",
        r"SELECT * WHERE { ?s ?p <x:\u0073ervice> }",
    ]:
        assert "refused: on this system a query cannot be kept off the network" in refusal(text)
    assert check_query("SELECT ?x WHERE { BIND(6 * 7 AS ?x) }") == ["x"]


def test_the_guard_is_available_here():
    import platform

    if sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "aarch64"):
        assert network_guard_available()
