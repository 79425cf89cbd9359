"""Trust: a query cannot escape the read-only check, reach the network, crash the parser or eat all memory."""

from __future__ import annotations

import http.server
import subprocess
import sys
import textwrap
import threading

import pytest

from crossplan.graph.errors import QueryError
from crossplan.graph.questions.query import (
    MAX_NESTING,
    MAX_QUERY_CHARACTERS,
    MAX_QUERY_TOKENS,
    check_query,
    run_guarded,
)


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets (none may arrive)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def refusal(text: str) -> str:
    with pytest.raises(QueryError) as caught:
        check_query(text)
    return caught.value.describe()


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


def test_run_query_words_a_blocked_service_as_a_refusal(listener, monkeypatch):
    from pyoxigraph import Store

    from crossplan.graph.questions import query as query_module
    from crossplan.graph.stores.embedded import CrossplanStore

    url, hits = listener
    monkeypatch.setattr(query_module, "check_query", lambda text, timeout=None: None)  # as if the check missed it
    with pytest.raises(QueryError, match=r"^refused: the query tried to reach the network"):
        query_module.run_query(
            CrossplanStore(Store(), None, None), f"SELECT * WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}"
        )
    assert hits == []


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


def test_the_largest_accepted_queries_do_not_crash():
    """Queries just inside every limit parse and run without overflowing the worker's stack (in a child process,
    so that a crash fails the test rather than the test run)."""
    script = textwrap.dedent("""
        from pyoxigraph import Store
        from crossplan.graph.questions.query import run_query, MAX_QUERY_TOKENS, MAX_NESTING
        from crossplan.graph.stores.embedded import CrossplanStore
        store = CrossplanStore(Store(), None, None)
        half = (MAX_QUERY_TOKENS - 40) // 2
        queries = [
            "SELECT ?x WHERE { BIND(" + "+".join(["1"] * half) + " AS ?x) }",
            "SELECT ?a WHERE { BIND(true AS ?a) FILTER(" + "||".join(["?a"] * (half * 2 // 3)) + ") }",
            "SELECT ?a WHERE { " + " UNION ".join(["{ BIND(1 AS ?a) }"] * ((MAX_QUERY_TOKENS - 40) // 9)) + " }",
            "SELECT ?x WHERE { BIND(" + "(" * (MAX_NESTING - 3) + "1" + ")" * (MAX_NESTING - 3) + " AS ?x) }",
            "SELECT * WHERE " + "{" * (MAX_NESTING - 1) + "}" * (MAX_NESTING - 1),
            "SELECT ?x WHERE { BIND(" + "STR(" * (MAX_NESTING - 3) + '"a"' + ")" * (MAX_NESTING - 3) + " AS ?x) }",
        ]
        for text in queries:
            run_query(store, text, timeout=60)
        print("survived")
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"


# -- memory -------------------------------------------------------------------------------------------------------


def test_a_query_that_eats_memory_is_stopped_with_a_message():
    """A sort of a cross product grows without a row to stop at: the memory bound stops the wait and says so."""
    script = textwrap.dedent("""
        import os
        from pyoxigraph import Literal, NamedNode, Quad, Store
        from crossplan.graph.errors import QueryError
        from crossplan.graph.questions.query import run_query
        from crossplan.graph.stores.embedded import CrossplanStore
        oxigraph = Store()
        oxigraph.extend([Quad(NamedNode(f"x:s{i}"), NamedNode("x:p"), Literal(f"value {i}" * 4)) for i in range(2000)])
        try:
            run_query(CrossplanStore(oxigraph, None, None),
                      "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?b ?d ?f", timeout=120)
        except QueryError as error:
            print(error)
        os._exit(0)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=200,
        env={**__import__("os").environ, "CROSSPLAN_QUERY_MEMORY": "200"},
    )
    assert "the query was stopped when it had taken 200 MB of memory" in done.stdout, done.stderr[-2000:]


def test_a_bad_memory_setting_is_named(monkeypatch):
    monkeypatch.setenv("CROSSPLAN_QUERY_MEMORY", "lots")
    with pytest.raises(QueryError, match="CROSSPLAN_QUERY_MEMORY='lots' is not a whole number of megabytes"):
        check_query("SELECT * WHERE { ?s ?p ?o }")


def test_without_the_network_guard_service_fails_closed_on_the_word(monkeypatch):
    """Where seccomp is unavailable (not Linux x86-64/arm64), any query that mentions 'service' is refused."""
    from crossplan.graph.questions import query as query_module

    monkeypatch.setattr(query_module, "network_guard_available", lambda: False)
    monkeypatch.setattr(query_module, "deny_network", lambda: False)
    for text in [
        'SELECT ?x WHERE { BIND("public service" AS ?x) }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE",
        r"SELECT * WHERE { ?s ?p <x:\u0073ervice> }",
    ]:
        assert "refused: on this system a query cannot be kept off the network" in refusal(text)
    assert check_query("SELECT ?x WHERE { BIND(6 * 7 AS ?x) }") == ["x"]


def test_the_guard_is_available_here():
    import platform

    from crossplan.graph.questions.query import network_guard_available

    if sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "aarch64"):
        assert network_guard_available()
