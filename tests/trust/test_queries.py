"""Trust: a query run over a store cannot reach the network, crash the parser or eat all memory (the guard's own
checks are tested in test_guard.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from crossplan.graph.errors import QueryError


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


def test_the_largest_accepted_queries_do_not_crash():
    """Queries just inside every limit parse and run without overflowing the worker's stack (in a child process,
    so that a crash fails the test rather than the test run)."""
    script = textwrap.dedent("""
        from pyoxigraph import Store
        from crossplan.graph.questions.query import run_query
        from crossplan.graph.sparql.guard import MAX_QUERY_TOKENS, MAX_NESTING
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
