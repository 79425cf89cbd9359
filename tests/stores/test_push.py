"""What a push sends and how, against a stand-in server kept in memory (a real server: tests/stores/test_servers.py)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from pyoxigraph import NamedNode, Quad, QueryResultsFormat, RdfFormat, Store, parse

from crossplan.graph.errors import EndpointError
from crossplan.graph.model.vocabulary import graph_iri
from crossplan.graph.stores import push as push_module
from crossplan.graph.stores.push import PushReport, graphs_to_push, push_graph

ENDPOINT = "http://127.0.0.1:7878/query"
PLAN = NamedNode("https://w3id.org/crossplan/ontology#Plan")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class FakeServer:
    """A Connection whose server is an in-memory Oxigraph store: query at /query, update at /update, and a Graph
    Store at /store unless ``graph_store`` is False. ``lose`` drops that many triples of every upload."""

    credentials = None

    def __init__(self, graph_store: bool = True, lose: int = 0) -> None:
        self.store = Store()
        self.graph_store = graph_store
        self.lose = lose
        self.requests: list[tuple[str, str]] = []

    def send(self, method, url, *, what="request", allow=(), params=None, data=None, headers=None):
        path = url.rsplit("/", 1)[1]
        self.requests.append((method, path))
        if path == "query":
            results = self.store.query(data["query"])
            return SimpleNamespace(
                status_code=200,
                content=results.serialize(format=QueryResultsFormat.JSON),
                headers={"Content-Type": "application/sparql-results+json"},
            )
        if path == "update":
            self.store.update(data["update"].decode("utf-8"))
            return SimpleNamespace(status_code=204, content=b"", headers={})
        if path == "store" and self.graph_store:
            graph = NamedNode(params["graph"])
            if method in ("PUT", "DELETE"):
                self.store.remove_graph(graph)
            if method in ("PUT", "POST"):
                triples = [quad.triple for quad in parse(data, format=RdfFormat.N_TRIPLES)]
                self.store.extend(Quad(*triple, graph) for triple in triples[self.lose :])
            return SimpleNamespace(status_code=204, content=b"", headers={})
        if 404 in allow:
            return SimpleNamespace(status_code=404, content=b"", headers={})
        raise EndpointError(f"{url}: 404 Not Found")

    def graph(self, name: str) -> set:
        return {quad.triple for quad in self.store.quads_for_pattern(None, None, None, NamedNode(name))}


def test_a_report_counts_the_triples_and_lists_each_graph():
    report = PushReport("http://h/sparql", "SPARQL Update", "http://h/sparql", {"g/a": 3, "g/long": 12}, ["g/old"], 4)
    assert report.triples == 15
    assert report.summary() == (
        "Pushed 2 graphs (15 triples) to http://h/sparql with SPARQL Update in 4 requests, 0.00 s\n"
        "  g/a           3 triples\n"
        "  g/long       12 triples\n"
        "  g/old   dropped (no longer in the data)\n"
    )


def test_each_data_graph_and_the_ontologys_are_pushed_with_their_triples(mini):
    content = graphs_to_push(mini)
    assert list(content) == [*mini.data_graphs(), graph_iri("ontology")]
    for name, triples in content.items():
        stored = {quad.triple for quad in mini.oxigraph.quads_for_pattern(None, None, None, NamedNode(name))}
        assert triples and set(triples) == stored and len(triples) == len(stored), name


def test_one_graph_holds_every_triple_once(mini):
    every = {triple for triples in graphs_to_push(mini).values() for triple in triples}
    merged = graphs_to_push(mini, "https://example.org/graph/all")
    assert list(merged) == ["https://example.org/graph/all"]
    assert len(merged["https://example.org/graph/all"]) == len(every)
    assert set(merged["https://example.org/graph/all"]) == every


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"graph": "not an iri"}, "'not an iri' is not an IRI (give a graph name such as"),
        ({"graph": "plans"}, "'plans' is not an IRI (give a graph name such as https://example.org/graph/plans)"),
        ({"endpoint": "ftp://h/sparql"}, "'ftp://h/sparql' is not an http:// or https:// address of a SPARQL endpoint"),
    ],
)
def test_a_bad_graph_name_or_address_is_refused_before_anything_is_sent(mini, arguments, message):
    server = FakeServer()
    with pytest.raises(EndpointError) as caught:
        push_graph(mini, arguments.pop("endpoint", ENDPOINT), connection=server, **arguments)
    assert str(caught.value).startswith(message)
    assert server.requests == []


def test_a_push_through_the_graph_store_leaves_exactly_the_data_on_the_server(mini):
    server = FakeServer()
    report = push_graph(mini, ENDPOINT, connection=server)
    content = graphs_to_push(mini)
    assert (report.method, report.target) == ("the Graph Store Protocol", "http://127.0.0.1:7878/store")
    assert report.graphs == {name: len(triples) for name, triples in content.items()}
    for name, triples in content.items():
        assert server.graph(name) == set(triples)
    assert report.requests == len(server.requests) == 2 + len(content)  # count, upload each graph, count again


def test_a_large_graph_goes_in_several_graph_store_requests(mini, monkeypatch):
    monkeypatch.setattr(push_module, "GRAPH_STORE_BATCH", 10)
    server = FakeServer()
    push_graph(mini, ENDPOINT, connection=server)
    content = graphs_to_push(mini)
    uploads = [method for method, path in server.requests if path == "store"]
    assert uploads.count("PUT") == len(content)
    assert uploads.count("POST") == sum(math.ceil(len(triples) / 10) - 1 for triples in content.values())
    for name, triples in content.items():
        assert server.graph(name) == set(triples)


def test_without_a_graph_store_the_triples_go_as_sparql_update_in_batches(mini, monkeypatch):
    monkeypatch.setattr(push_module, "UPDATE_BATCH", 40)
    server = FakeServer(graph_store=False)
    report = push_graph(mini, ENDPOINT, connection=server)
    content = graphs_to_push(mini)
    assert (report.method, report.target) == ("SPARQL Update", "http://127.0.0.1:7878/update")
    updates = [path for _, path in server.requests if path == "update"]
    assert len(updates) == sum(math.ceil(len(triples) / 40) for triples in content.values())
    for name, triples in content.items():
        assert server.graph(name) == set(triples)


def test_graphs_already_on_the_server_are_not_overwritten_without_replace(mini):
    server = FakeServer()
    push_graph(mini, ENDPOINT, connection=server)
    before = len(server.store)
    with pytest.raises(EndpointError) as caught:
        push_graph(mini, ENDPOINT, connection=server)
    first = sorted(graphs_to_push(mini))[0]
    assert str(caught.value) == (
        f"the server already holds {len(server.graph(first))} triples in <{first}> and "
        f"{len(graphs_to_push(mini)) - 1} more of the graphs: pass --replace to replace them"
    )
    assert len(server.store) == before


def test_replace_drops_the_plan_graphs_the_data_no_longer_has_and_nothing_else(mini):
    server = FakeServer()
    old, foreign = graph_iri("old-plan"), "https://example.org/graph/theirs"
    for name in (old, foreign):
        server.store.add(Quad(NamedNode("https://example.org/p"), RDF_TYPE, PLAN, NamedNode(name)))
    report = push_graph(mini, ENDPOINT, replace=True, connection=server)
    assert report.dropped == [old]
    assert server.graph(old) == set() and len(server.graph(foreign)) == 1
    assert report.summary().splitlines()[-1].split() == [old, "dropped", "(no", "longer", "in", "the", "data)"]


def test_a_server_that_keeps_fewer_triples_than_were_sent_fails_the_push(mini):
    with pytest.raises(EndpointError) as caught:
        push_graph(mini, ENDPOINT, connection=FakeServer(lose=1))
    first = next(iter(graphs_to_push(mini).items()))
    assert str(caught.value) == (
        f"after the push the server holds {len(first[1]) - 1} triples in <{first[0]}>, not the {len(first[1])} sent"
    )
