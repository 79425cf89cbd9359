"""`crossplan serve` survives its engine: queries and page computations run in worker processes (graph/serve/tasks.py).

Driven for real: the server in a subprocess on 127.0.0.1. A query that aborts Oxigraph costs one 500 and the next
request is answered; a runaway query or page is stopped at its time limit with its worker killed (the core free
within a second); SIGTERM ends the server within 5 s whatever runs; silent sockets are dropped and deny nobody;
foreign Hosts and cross-site queries are refused; question parameters are checked and bounded.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
import requests
from serve_support import TOKEN, copy_shipped_data, start_serve

from crossplan.graph.serve.app import host_names
from tests.sparql.test_workers import CRASH

pytestmark = pytest.mark.server

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PATHS = "questions/path.json?a=hmip-resettlement/r1&b=hmip-resettlement/r2"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = copy_shipped_data(tmp_path_factory.mktemp("tasks") / "data")
    server = start_serve(
        data,
        tmp_path_factory.mktemp("tasks-cache"),
        allow_edits=True,
        extra=("--timeout", "2", "--allowed-host", "plans.example"),
    )
    yield server
    assert server.stop() == 0


def _workers(pid: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text(encoding="ascii")
        children |= {int(number) for number in text.split()}
    return children


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_query_that_aborts_the_engine_costs_one_answer(served):
    before = _workers(served.process.pid)
    answer = served.post("sparql", data={"query": CRASH})
    assert answer.status_code == 500
    assert answer.text.startswith("2:1: the query engine failed on this query")
    assert "ORDER BY ?x" in answer.text
    assert served.get("sparql", params={"query": "ASK { ?s a cp:Plan }"}).json()["boolean"] is True
    assert served.process.poll() is None
    assert len(_workers(served.process.pid)) == len(before)  # the dead worker was replaced


def test_a_runaway_query_is_stopped_and_its_core_freed(served):
    before = _workers(served.process.pid)
    began = time.monotonic()
    answer = served.post("sparql", data={"query": CROSS_JOIN + " # 1"})
    assert answer.status_code == 503 and "stopped after 2 s" in answer.text
    assert time.monotonic() - began < 5
    time.sleep(1.0)
    gone = before - _workers(served.process.pid)
    assert len(gone) == 1 and all(_cpu_seconds(pid) is None for pid in gone)
    spent = {pid: _cpu_seconds(pid) for pid in _workers(served.process.pid)}
    time.sleep(1.0)
    assert all((_cpu_seconds(pid) or 0) - (seconds or 0) < 0.2 for pid, seconds in spent.items())


def test_unknown_and_unbounded_parameters_are_400_naming_them(served):
    misspelt = served.get(PATHS + "&max_lenght=3")
    assert misspelt.status_code == 400
    assert "unknown parameter 'max_lenght' (did you mean 'max_length'?)" in misspelt.json()["error"]
    upstream = served.get("questions/impact?id=hmip-resettlement/r1&upstream=1")
    assert upstream.status_code == 400 and "unknown parameter &#39;upstream&#39;" in upstream.text
    too_long = served.get(PATHS + "&max_length=40&limit=1000000")
    assert too_long.status_code == 400 and "max_length must be at most 12" in too_long.json()["error"]
    too_many = served.get(PATHS + "&limit=1000000")
    assert too_many.status_code == 400 and "limit must be at most 1000" in too_many.json()["error"]
    assert served.get(PATHS + "&max_length=4&limit=5").status_code == 200


def test_silent_and_trickling_clients_deny_nobody(served):
    silent = []
    try:
        for _ in range(300):
            silent.append(socket.create_connection(("127.0.0.1", served.port), timeout=5))
        assert served.get("status.json").status_code == 200
        trickler = silent[0]
        trickler.sendall(b"GET /status.json HTTP/1.1\r\n")
        began = time.monotonic()
        for _ in range(14):
            try:
                trickler.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
            time.sleep(1)
        try:
            closed = trickler.recv(100) == b""
        except ConnectionResetError:
            closed = True
        assert closed  # by the server: the request's head did not arrive within 10 s
        assert time.monotonic() - began < 13
    finally:
        for connection in silent:
            connection.close()


def test_a_foreign_host_is_refused_and_named_ones_answered(served):
    status = served.url + "status.json"
    assert requests.get(status, headers={"Host": "evil.example"}, timeout=10).status_code == 421
    assert requests.get(status, headers={"Host": f"plans.example:{served.port}"}, timeout=10).status_code == 200
    names = host_names("0.0.0.0", 8765)
    assert socket.gethostname().lower() in names and "localhost:8765" in names
    assert "evil.example" not in names and "0.0.0.0" not in names


def test_a_cross_site_query_is_refused_unless_cors(served):
    query = {"query": "ASK { ?s ?p ?o }"}
    refused = served.get("sparql", params=query, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and "--cors" in refused.text
    assert served.get("sparql", params=query, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_deeply_nested_json_on_a_write_route_is_400(served):
    body = "[" * 100_000 + "]" * 100_000
    answer = served.post(
        "review/accept",
        data=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 413) and "error" in answer.json()
    nested = "[" * 5_000 + "]" * 5_000
    answer = served.post(
        "review/accept",
        data=nested,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and "nested too deeply" in answer.json()["error"]


def test_sigterm_ends_the_server_within_5_s_whatever_runs(tmp_path):
    data = copy_shipped_data(tmp_path / "data")
    server = start_serve(data, tmp_path / "cache")
    workers = _workers(server.process.pid)
    pending = []

    def ask(path: str, **options) -> None:
        try:
            pending.append(requests.get(server.url + path, timeout=60, **options))
        except requests.RequestException as error:
            pending.append(error)

    import threading

    threads = [
        threading.Thread(target=ask, args=(PATHS + "&max_length=12&limit=1000",)),
        threading.Thread(target=ask, args=("sparql",), kwargs={"params": {"query": CROSS_JOIN}}),
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    began = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - began < 5
    for thread in threads:
        thread.join(10)
    assert all(_cpu_seconds(pid) is None for pid in workers)


def test_status_says_how_the_workers_are(served):
    status = served.get("status.json").json()
    assert status["workers"]["size"] >= 2 and status["workers"]["restarts"] >= 0
    assert json.dumps(status)


SELECT_PLANS = "PREFIX cp: <https://w3id.org/crossplan/ontology#> SELECT ?p WHERE { ?p a cp:Plan }"
CONSTRUCT_PLANS = "PREFIX cp: <https://w3id.org/crossplan/ontology#> CONSTRUCT { ?p a cp:Plan } WHERE { ?p a cp:Plan }"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # SPARQLWrapper warns when it asks a SELECT for a graph format
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_gets_200_for_every_return_format(served, method):
    from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

    everything = [JSON, XML, CSV, TSV, TURTLE, N3, RDF, RDFXML, JSONLD]
    for query in (SELECT_PLANS, CONSTRUCT_PLANS):
        for return_format in everything:
            wrapper = SPARQLWrapper(served.sparql)
            wrapper.setQuery(query)
            wrapper.setMethod(method)
            wrapper.setReturnFormat(return_format)
            answer = wrapper.query()  # raises on any status but 200
            converted = answer.convert()
            if hasattr(converted, "getElementsByTagName"):  # SPARQL results XML, as a DOM
                assert len(converted.getElementsByTagName("result")) == 2
            else:
                assert len(converted) > 0, (query, return_format)


def test_rdflib_sparqlstore_works_unchanged(served):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(served.sparql))
    assert len(list(graph.query(SELECT_PLANS))) == 2
    assert len(graph.query(CONSTRUCT_PLANS).graph) == 2
    assert len(list(graph.triples((None, None, None)))) > 1000


def test_with_cors_pages_on_other_sites_may_query(tmp_path):
    server = start_serve(copy_shipped_data(tmp_path / "data"), tmp_path / "cache", extra=("--cors",))
    try:
        preflight = requests.options(server.sparql, headers={"Origin": "https://other.example"}, timeout=10)
        assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
        answer = server.get("sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Sec-Fetch-Site": "cross-site"})
        assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    finally:
        assert server.stop() == 0
