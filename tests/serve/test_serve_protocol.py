"""The pieces of `crossplan serve` that need no running server (fast tier): reading a SPARQL Protocol request,
content negotiation, the write checks, the answer cache and the ASGI app itself through Starlette's test client."""

from __future__ import annotations

import pytest

from crossplan.graph.serve.auth import Refusal, check_write, edit_token, own_origins
from crossplan.graph.serve.sparql import (
    ProtocolError,
    SparqlRequest,
    choose_format,
    read_request,
)
from crossplan.graph.serve.workspace import AnswerCache

ORIGINS = own_origins("127.0.0.1:8765", "127.0.0.1", 8765)
GOOD = {"authorization": "Bearer a-good-token-of-some-length", "content-type": "application/json"}


def test_a_query_arrives_by_get_form_or_body():
    assert read_request("GET", "", "query=ASK%7B%7D", b"") == SparqlRequest("ASK{}")
    form = read_request(
        "POST",
        "application/x-www-form-urlencoded; charset=utf-8",
        "",
        b"query=ASK%7B%7D&default-graph-uri=x%3Ag&named-graph-uri=x%3Ah",
    )
    assert form == SparqlRequest("ASK{}", ("x:g",), ("x:h",))
    assert read_request("POST", "application/sparql-query", "default-graph-uri=x%3Ag", b"ASK {}") == SparqlRequest(
        "ASK {}", ("x:g",)
    )


@pytest.mark.parametrize(
    "method, content_type, query_string, body, status",
    [
        ("POST", "application/sparql-update", "", b"DROP ALL", 403),
        ("POST", "application/x-www-form-urlencoded", "", b"update=DROP+ALL", 403),
        ("GET", "", "update=DROP+ALL", b"", 403),
        ("POST", "application/x-www-form-urlencoded", "", b"using-graph-uri=x%3Ag&query=ASK%7B%7D", 403),
        ("GET", "", "", b"", 400),
        ("GET", "", "query=a&query=b", b"", 400),
        ("POST", "text/plain", "", b"ASK {}", 415),
        ("POST", "application/sparql-query", "", b"\xff\xfe", 400),
        ("PUT", "", "query=ASK%7B%7D", b"", 405),
    ],
)
def test_what_is_not_a_read_only_query_is_refused(method, content_type, query_string, body, status):
    with pytest.raises(ProtocolError) as refused:
        read_request(method, content_type, query_string, body)
    assert refused.value.status == status


@pytest.mark.parametrize(
    "accept, kind, expected",
    [
        ("", "select", "json"),
        ("*/*", "graph", "turtle"),
        ("application/sparql-results+xml", "select", "xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "select", "tsv"),
        ("text/csv;q=0.9, application/sparql-results+json;q=0.1", "ask", "csv"),
        ("application/n-triples, text/turtle;q=0.9", "graph", "ntriples"),
        ("application/ld+json", "graph", "jsonld"),
        ("image/png;q=0, application/*", "select", "json"),
    ],
)
def test_the_format_follows_accept(accept, kind, expected):
    assert choose_format(accept, kind) == expected


def test_an_unacceptable_format_is_406():
    with pytest.raises(ProtocolError) as refused:
        choose_format("image/png", "select")
    assert refused.value.status == 406
    # a format= name the endpoint does not write for this kind is ignored, and the Accept header decides (issue 29)
    assert choose_format("", "graph", requested="csv") == "turtle"
    with pytest.raises(ProtocolError):
        choose_format("image/png", "graph", requested="csv")


@pytest.mark.parametrize(
    "headers, allow_edits, status",
    [
        (GOOD, False, 403),
        ({**GOOD, "authorization": ""}, True, 401),
        ({**GOOD, "authorization": "Bearer wrong"}, True, 401),
        ({**GOOD, "authorization": "Basic a-good-token-of-some-length"}, True, 401),
        ({**GOOD, "sec-fetch-site": "cross-site"}, True, 403),
        ({**GOOD, "sec-fetch-site": "same-site"}, True, 403),
        ({**GOOD, "origin": "http://evil.example"}, True, 403),
        ({**GOOD, "origin": "null"}, True, 403),
        ({**GOOD, "content-type": "application/x-www-form-urlencoded"}, True, 415),
    ],
)
def test_a_write_is_refused_unless_everything_holds(headers, allow_edits, status):
    with pytest.raises(Refusal) as refused:
        check_write(headers, allow_edits, "a-good-token-of-some-length", ORIGINS)
    assert refused.value.status == status


def test_a_write_from_the_servers_own_page_passes():
    headers = {**GOOD, "sec-fetch-site": "same-origin", "origin": "http://127.0.0.1:8765"}
    check_write(headers, True, "a-good-token-of-some-length", ORIGINS)
    check_write({**GOOD, "origin": "http://localhost:8765"}, True, "a-good-token-of-some-length", ORIGINS)


def test_the_token_comes_from_the_environment_or_is_generated():
    assert edit_token({"CROSSPLAN_SERVE_TOKEN": "x" * 20}) == ("x" * 20, False)
    token, generated = edit_token({})
    assert generated and len(token) >= 24 and token != edit_token({})[0]
    with pytest.raises(ValueError, match="shorter than 16 characters"):
        edit_token({"CROSSPLAN_SERVE_TOKEN": "short"})


def test_the_answer_cache_keeps_within_its_budget():
    cache = AnswerCache(budget=10, largest=6)
    cache.put("a", "aaaa", 4)
    cache.put("b", "bbbb", 4)
    assert cache.get("a") == "aaaa"  # now the most recent
    cache.put("c", "cccc", 4)  # over budget: the oldest (b) goes
    assert cache.get("b") is None and cache.get("a") == "aaaa" and cache.get("c") == "cccc"
    cache.put("d", "ddddddd", 7)  # larger than any single answer may be: not kept
    assert cache.get("d") is None


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated")
def test_the_app_answers_through_starlettes_test_client(mini_data, tmp_path, monkeypatch):
    from starlette.testclient import TestClient

    from crossplan.graph.serve.app import create_app
    from crossplan.graph.serve.workspace import Workspace

    monkeypatch.setenv("CROSSPLAN_CACHE", str(tmp_path / "cache"))
    workspace = Workspace(mini_data, None)
    client = TestClient(
        create_app(workspace, "a-good-token-of-some-length", "127.0.0.1", 8765), base_url="http://127.0.0.1:8765"
    )
    answer = client.get("/sparql", params={"query": "SELECT ?plan WHERE { ?plan a cp:Plan } ORDER BY ?plan"})
    assert answer.status_code == 200
    assert [row["plan"]["value"] for row in answer.json()["results"]["bindings"]] == [
        "https://w3id.org/crossplan/id/alpha",
        "https://w3id.org/crossplan/id/beta",
    ]
    assert client.get("/sparql", params={"query": "DROP ALL"}).status_code == 403
    assert client.get("/assets/../cli.py").status_code == 404
    assert client.get("/", headers={"host": "rebound.example"}).status_code == 421
    refused = client.post(
        "/review/accept",
        json={"from": "alpha/r1", "to": "beta/r1"},
        headers={"authorization": "Bearer a-good-token-of-some-length"},
    )
    assert refused.status_code == 403 and "--allow-edits" in refused.json()["error"]


def test_a_generation_too_large_for_memory_answers_graph_queries_from_disk(mini_data, tmp_path, monkeypatch):
    from crossplan.graph.model.vocabulary import graph_iri
    from crossplan.graph.serve import workspace

    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    in_memory = workspace.load_generation(mini_data, tmp_path / "store", 1)
    monkeypatch.setattr(workspace, "MEMORY_LIMIT", 0)
    on_disk = workspace.load_generation(mini_data, tmp_path / "store", 2)
    assert in_memory.in_memory and not on_disk.in_memory
    assert on_disk.store.data_graphs() == in_memory.store.data_graphs()
    counts = {row["g"]: row["n"] for row in on_disk.store.select(query)}
    assert counts == {row["g"]: row["n"] for row in in_memory.store.select(query)}
    assert set(counts) == {*in_memory.store.data_graphs(), graph_iri("ontology")}
