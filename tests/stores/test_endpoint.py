"""EndpointStore and push: the same answers from a SPARQL server as from the embedded store, and clear failures."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Store, Variable
from rdflib.compare import isomorphic
from servers import free_port  # noqa: E402

from crossplan.graph.errors import EndpointError, LocalOnlyError  # noqa: E402
from crossplan.graph.model.vocabulary import GRAPH_BASE, PREFIXES, graph_iri, node_iri  # noqa: E402
from crossplan.graph.sparql.text import bind_values, with_prefixes  # noqa: E402
from crossplan.graph.stores import push as push_module  # noqa: E402
from crossplan.graph.stores.embedded import open_store, require_local  # noqa: E402
from crossplan.graph.stores.endpoint import (  # noqa: E402
    Connection,
    Credentials,
    EndpointStore,
    find_credentials,
)
from crossplan.graph.stores.push import push_graph, service_urls  # noqa: E402

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory):
    return open_store(FIXTURES / "mini", tmp_path_factory.mktemp("mini-store"))


@pytest.fixture(scope="module")
def nasty_store(tmp_path_factory):
    return open_store(FIXTURES / "export_nasty", tmp_path_factory.mktemp("nasty-store"))


# -- binding values and prefixes, checked on the embedded store itself --------------------------------

HOSTILE = [
    Literal('say "hi" } } DROP ALL ; INSERT DATA { <x:a> <x:b> <x:c> } #'),
    Literal("line\nbreak\r\nand \\ backslash \\u0022 and ' and ''' and \"\"\""),
    Literal("alpha/r1"),
    Literal("/r1"),
    Literal("naïve 日本語 😀 \x07 \x7f"),
    NamedNode(node_iri("alpha/r1")),
    Literal("2020-03", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
    Literal("1", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    Literal("Hello", language="en-gb"),
]

QUERIES = [
    "SELECT ?id ?n WHERE { ?n dcterms:identifier ?id } ORDER BY ?n",
    "SELECT ?id ?suffix WHERE { ?n dcterms:identifier ?id . FILTER(STRENDS(STR(?id), ?suffix)) } ORDER BY ?id",
    # braces and keywords inside strings, IRIs and comments must not be mistaken for the WHERE group
    "PREFIX select: <http://example.org/select#>\nSELECT ?x ?value # { not a group }\nWHERE { ?x ?p ?value . "
    'OPTIONAL { ?x rdfs:label ?label } FILTER(?label != "{ }" || !BOUND(?label)) } ORDER BY ?x ?value LIMIT 40',
    "SELECT ?r ?id (COUNT(?u) AS ?updates) WHERE { ?r cp:hasUpdate ?u . ?r dcterms:identifier ?id } GROUP BY ?r ?id ORDER BY ?r",
    "ASK { ?n dcterms:identifier ?id }",
    "ASK WHERE { ?n ?p ?value }",
    "CONSTRUCT { ?n rdfs:label ?label } WHERE { ?n dcterms:identifier ?id ; rdfs:label ?label }",
    "CONSTRUCT WHERE { ?n dcterms:identifier ?id }",
    "DESCRIBE ?n ?id WHERE { ?n dcterms:identifier ?id }",
    "SELECT ?n ?id WHERE { { SELECT ?n ?id WHERE { ?n dcterms:identifier ?id } } }",
]


def as_comparable(results):
    if isinstance(results, pyoxigraph.QueryBoolean):
        return bool(results)
    if isinstance(results, pyoxigraph.QuerySolutions):
        names = [variable.value for variable in results.variables]
        return names, [tuple(solution[name] for name in names) for solution in results]
    return sorted(str(triple) for triple in results)


@pytest.mark.parametrize("query", QUERIES)
def test_bound_values_give_the_same_answers_as_substitutions(mini_store, query):
    variable = "suffix" if "?suffix" in query else ("value" if "?value" in query else "id")
    for term in HOSTILE:
        substitutions = {Variable(variable): term}
        expected = as_comparable(mini_store.query(query, substitutions))
        bound = with_prefixes(bind_values(query, substitutions))
        assert as_comparable(mini_store.oxigraph.query(bound)) == expected, (query, term)
    # and the values that do match something
    substitutions = {Variable(variable): Literal("/r1" if variable == "suffix" else "alpha/r1")}
    expected = as_comparable(mini_store.query(query, substitutions))
    assert as_comparable(mini_store.oxigraph.query(with_prefixes(bind_values(query, substitutions)))) == expected


def test_a_hostile_value_cannot_become_syntax():
    text = bind_values("SELECT ?id WHERE { ?n dcterms:identifier ?id }", {Variable("id"): HOSTILE[0]})
    assert text == (
        'SELECT ?id WHERE { VALUES (?id) { ("say \\"hi\\" } } DROP ALL ; INSERT DATA { <x:a> <x:b> <x:c> } #") }'
        " ?n dcterms:identifier ?id }"
    )


def test_blank_nodes_cannot_be_sent_as_values():
    with pytest.raises(Exception, match="cannot send a BlankNode"):
        bind_values("SELECT ?id WHERE { ?n ?p ?id }", {Variable("id"): pyoxigraph.BlankNode()})


def test_prefixes_go_on_the_first_line_and_a_query_keeps_its_own():
    query = "PREFIX cp: <http://example.org/other#>\nSELECT ?x\nWHERE { ?x a cp:Plan }"
    text = with_prefixes(query)
    assert text.count("\n") == query.count("\n")  # the server's line numbers are the user's
    assert text.endswith(query)
    assert "PREFIX cp:" not in text[: -len(query)]
    assert all(f"PREFIX {name}: <{namespace}>" in text for name, namespace in PREFIXES.items() if name != "cp")


# -- credentials -------------------------------------------------------------------------------------


def test_credentials_from_the_environment_and_never_shown():
    found = find_credentials(
        "http://example.org/sparql",
        {"CROSSPLAN_ENDPOINT_USER": "u", "CROSSPLAN_ENDPOINT_PASSWORD": "s3cret", "NETRC": "/nonexistent"},
    )
    assert (found.user, found.password) == ("u", "s3cret")
    assert "s3cret" not in repr(found) and "s3cret" not in str(found)
    with pytest.raises(
        EndpointError,
        match=r"^CROSSPLAN_ENDPOINT_PASSWORD is not set: set both CROSSPLAN_ENDPOINT_USER and CROSSPLAN_ENDPOINT_PASSWORD, or neither$",
    ):
        find_credentials("http://example.org/sparql", {"CROSSPLAN_ENDPOINT_USER": "u"})


def test_credentials_from_netrc(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text(
        "machine other.example login nobody password nothing\nmachine 127.0.0.1 login crossplan password s3cret\n"
    )
    netrc.chmod(0o600)
    found = find_credentials("http://127.0.0.1:8890/sparql", {"NETRC": str(netrc)})
    assert (found.user, found.password, found.source) == ("crossplan", "s3cret", str(netrc))
    assert find_credentials("http://elsewhere.example/sparql", {"NETRC": str(netrc)}) is None
    netrc.write_text("machine 127.0.0.1 login crossplan password s3cret\nmachine\n")
    with pytest.raises(EndpointError) as caught:
        find_credentials("http://127.0.0.1/sparql", {"NETRC": str(netrc)})
    assert str(caught.value).startswith(f"{netrc}:") and "s3cret" not in str(caught.value)


def test_an_address_with_a_password_is_refused_without_showing_it():
    with pytest.raises(EndpointError) as caught:
        EndpointStore("http://user:s3cret@127.0.0.1:1/sparql")
    assert str(caught.value) == (
        "put the user name and password in CROSSPLAN_ENDPOINT_USER and CROSSPLAN_ENDPOINT_PASSWORD (or a netrc entry), not in the address"
    )
    with pytest.raises(
        EndpointError, match=r"^'ftp://example.org/sparql' is not an http:// or https:// address of a SPARQL endpoint$"
    ):
        EndpointStore("ftp://example.org/sparql")


def test_basic_authentication_over_plain_http_to_another_host_is_warned_about():
    warned = []
    connection = Connection(Credentials("u", "p", "test"), warn=warned.append)

    class Challenge:
        headers = {"WWW-Authenticate": 'Basic realm="x"'}

    assert type(connection._auth_for(Challenge, "http://sparql.example.org/sparql")).__name__ == "HTTPBasicAuth"
    assert warned == [
        "http://sparql.example.org/sparql asks for Basic authentication over plain http: the password travels unencrypted"
    ]
    assert type(connection._auth_for(Challenge, "https://sparql.example.org/sparql")).__name__ == "HTTPBasicAuth"
    assert len(warned) == 1


# -- servers that fail: refused, hanging, trickling, erroring ------------------------------------------


def test_a_server_that_is_not_running_is_named():
    port = free_port()
    with pytest.raises(
        EndpointError,
        match=rf"^cannot connect to http://127\.0\.0\.1:{port}/sparql: connection refused \(is the server running\?\)$",
    ):
        EndpointStore(f"http://127.0.0.1:{port}/sparql", timeout=2).select("SELECT * WHERE { ?s ?p ?o }")


class _SilentServer:
    """Accepts connections on loopback and then says nothing (or trickles bytes); stops by itself."""

    def __init__(self, trickle: bool = False, lifetime: float = 10.0):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(4)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.trickle = trickle
        self.until = time.monotonic() + lifetime
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        clients = []
        while time.monotonic() < self.until:
            try:
                client, _ = self.socket.accept()
                clients.append(client)
                if self.trickle:
                    client.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 100000\r\n\r\n"
                    )
            except (TimeoutError, OSError):
                pass
            for client in clients if self.trickle else ():
                try:
                    client.sendall(b" ")
                except OSError:
                    pass
        for client in clients:
            client.close()
        self.socket.close()


@pytest.mark.parametrize("trickle", [False, True])
def test_a_hanging_server_is_given_up_on(trickle):
    silent = _SilentServer(trickle=trickle)
    started = time.monotonic()
    with pytest.raises(EndpointError) as caught:
        EndpointStore(f"http://127.0.0.1:{silent.port}/sparql", timeout=1).select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        f"the server at http://127.0.0.1:{silent.port}/sparql did not answer within 1 s and was given up on "
        "(it may be overloaded; allow longer with CROSSPLAN_ENDPOINT_TIMEOUT=SECONDS)"
    )


class _ErrorHandler(http.server.BaseHTTPRequestHandler):
    body = b""
    status = 500
    content_type = "text/plain"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    "status, content_type, body, message",
    [
        (
            500,
            "text/html",
            b"<html><head><title>Error</title></head><body><h1>Oops</h1>\n\n<p>database &amp; index are locked</p></body></html>",
            "500 Internal Server Error: Oops database & index are locked",
        ),
        (
            400,
            "text/plain",
            b"Parse error: line 1\n\nSPARQL query:\nSELECT ...",
            "400 Bad Request: Parse error: line 1",
        ),
        (503, "text/plain", b"", "503 Service Unavailable"),
    ],
)
def test_an_http_error_shows_the_status_and_the_servers_message(status, content_type, body, message):
    handler = type("Handler", (_ErrorHandler,), {"status": status, "content_type": content_type, "body": body})
    httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_port}/sparql"
    try:
        with pytest.raises(EndpointError) as caught:
            EndpointStore(url, timeout=5).select("SELECT * WHERE { ?s ?p ?o }")
    finally:
        thread.join(5)
        httpd.server_close()
    assert str(caught.value) == f"the server at {url} refused the query: {message}"


def test_what_needs_the_local_data_says_so():
    store = EndpointStore("http://127.0.0.1:1/sparql")
    with pytest.raises(
        LocalOnlyError,
        match=r"^this works on the local data, not on a SPARQL server: drop --endpoint \(or unset CROSSPLAN_ENDPOINT\)$",
    ):
        require_local(store)
    assert store.data_dir is None


def test_where_graph_store_and_update_endpoints_are():
    assert service_urls("http://h:8890/sparql", authenticated=False) == (
        ["http://h:8890/sparql-graph-crud"],
        "http://h:8890/sparql",
    )
    assert service_urls("http://h:8890/sparql-auth", authenticated=True) == (
        ["http://h:8890/sparql-graph-crud-auth"],
        "http://h:8890/sparql-auth",
    )
    assert service_urls("http://h:3030/ds/query", authenticated=True) == (
        ["http://h:3030/ds/store", "http://h:3030/ds/data"],
        "http://h:3030/ds/update",
    )
    assert service_urls("http://h:7200/repositories/plans", authenticated=False) == (
        ["http://h:7200/repositories/plans/rdf-graphs/service"],
        "http://h:7200/repositories/plans/statements",
    )
    assert service_urls("https://h/ds", authenticated=False) == ([], "https://h/ds")


# -- against the real servers ---------------------------------------------------------------------------

SAME_ANSWERS = [
    ("SELECT ?r ?label WHERE { ?r a cp:Recommendation ; rdfs:label ?label } ORDER BY ?r", None),
    ("SELECT * WHERE { ?s cp:inPlan ?plan } ORDER BY ?s", None),
    (
        "SELECT ?id ?suffix WHERE { ?n dcterms:identifier ?id . FILTER(STRENDS(STR(?id), ?suffix)) }",
        {Variable("suffix"): Literal("/r1")},
    ),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", None),
    ("SELECT ?label WHERE { cp:PartlyAgreed rdfs:label ?label }", None),  # the ontology is there too
    ("SELECT ?date WHERE { ?n cp:targetDate ?date } ORDER BY ?date", None),
    ("ASK { ?x a cp:Plan }", None),
    ("ASK { ?x a cp:Action ; cp:inPlan ?plan }", {Variable("plan"): NamedNode(node_iri("alpha"))}),
]


def test_push_then_ask_the_same_questions(server, mini_store):
    report = push_graph(mini_store, server.url, connection=Connection(server.credentials))
    assert report.method == "the Graph Store Protocol"
    assert report.graphs == {
        graph: len(mini_store.graph_triples(graph)) for graph in [*mini_store.data_graphs(), graph_iri("ontology")]
    }
    remote = server.store()
    assert remote.data_graphs() == mini_store.data_graphs()
    for query, substitutions in SAME_ANSWERS:
        assert as_comparable(remote.query(query, substitutions)) == as_comparable(
            mini_store.query(query, substitutions)
        ), query
        if query.startswith("SELECT"):
            assert remote.select(query, substitutions) == mini_store.select(query, substitutions)
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a cp:Recommendation ; ?p ?o }"
    assert as_comparable(remote.query(construct)) == as_comparable(mini_store.query(construct))
    assert isinstance(remote.query(construct), pyoxigraph.QueryTriples)


def test_a_syntax_error_is_found_before_anything_is_sent(server):
    with pytest.raises(SyntaxError) as caught:
        EndpointStore(server.url).query("SELECT ?x WHERE { ?x a }")
    with pytest.raises(SyntaxError) as local:
        Store().query("SELECT ?x WHERE { ?x a }")
    assert str(caught.value) == str(local.value)


def test_push_refuses_to_overwrite_without_replace(server, mini_store):
    push_graph(mini_store, server.url, connection=Connection(server.credentials))
    with pytest.raises(EndpointError) as caught:
        push_graph(mini_store, server.url, connection=Connection(server.credentials))
    assert str(caught.value) == (
        f"the server already holds 52 triples in <{GRAPH_BASE}alpha> and 5 more of the graphs: pass --replace to replace them"
    )


def test_push_replace_leaves_exactly_the_data_on_the_server(server, mini_store, nasty_store):
    push_graph(mini_store, server.url, connection=Connection(server.credentials))
    report = push_graph(nasty_store, server.url, replace=True, connection=Connection(server.credentials))
    assert report.dropped == [graph_iri("alpha"), graph_iri("beta")]
    remote = server.store()
    assert remote.data_graphs() == nasty_store.data_graphs()
    # every text survives the trip: quotes, <>, %, non-ASCII, DEL and C1 control characters
    for graph in remote.data_graphs():
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        assert as_comparable(remote.query(query)) == as_comparable(nasty_store.query(query)), graph


def test_push_into_one_graph(server, mini_store):
    report = push_graph(
        mini_store, server.url, graph="https://example.org/graph/everything", connection=Connection(server.credentials)
    )
    assert list(report.graphs) == ["https://example.org/graph/everything"]
    remote = server.store()
    assert remote.graphs() == ["https://example.org/graph/everything"]
    query = "SELECT ?r ?plan WHERE { ?r a cp:Recommendation ; cp:inPlan ?plan } ORDER BY ?r"
    assert remote.select(query) == mini_store.select(query)
    with pytest.raises(EndpointError, match=r"^'not an iri' is not an IRI"):
        push_graph(mini_store, server.url, graph="not an iri", connection=Connection(server.credentials))


def test_push_falls_back_to_sparql_update_in_batches(server, mini_store, monkeypatch):
    monkeypatch.setattr(push_module, "UPDATE_BATCH", 40)
    missing = server.url.rsplit("/", 1)[0] + "/no-graph-store-here"
    report = push_graph(mini_store, server.url, graph_store=missing, connection=Connection(server.credentials))
    assert report.method == "SPARQL Update"
    # one INSERT DATA per 40 triples of each graph, and the queries that check before and after
    inserts = sum(-(-count // 40) for count in report.graphs.values())
    assert report.requests >= inserts + 3
    remote = server.store()
    for graph in remote.graphs():
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        assert as_comparable(remote.query(query)) == as_comparable(mini_store.query(query)), graph
    report = push_graph(
        mini_store, server.url, replace=True, graph_store=missing, connection=Connection(server.credentials)
    )
    assert report.triples == sum(report.graphs.values()) == 409


def test_a_server_without_crossplan_graphs_says_how_to_load_them(server):
    with pytest.raises(EndpointError) as caught:
        server.store().select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert str(caught.value) == (
        f"the server at {server.url} holds no crossplan graphs: load them with `crossplan push --endpoint {server.url}`"
    )


# -- Virtuoso's particular ways ----------------------------------------------------------------------------


def test_virtuoso_cuts_results_at_10000_rows_and_it_is_reported(virtuoso_server, mini_store):
    virtuoso_server.clear()
    push_graph(mini_store, virtuoso_server.url, connection=Connection(virtuoso_server.credentials))
    warned = []
    remote = virtuoso_server.store(warn=warned.append)
    rows = remote.select("SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y } LIMIT 20000")
    assert len(rows) == 10000
    assert warned == [
        "the server cut the result at 10000 rows (its ResultSetMaxRows limit); "
        "narrow the query or page through it with LIMIT and OFFSET"
    ]
    remote.select("SELECT ?a WHERE { ?a cp:inPlan ?x }")
    assert len(warned) == 1


def test_virtuoso_wants_digest_and_a_wrong_password_is_named_not_shown(virtuoso_server, mini_store):
    virtuoso_server.clear()
    wrong = Credentials("crossplan", "not-the-password", "CROSSPLAN_ENDPOINT_USER/CROSSPLAN_ENDPOINT_PASSWORD")
    with pytest.raises(EndpointError) as caught:
        push_graph(mini_store, virtuoso_server.url, connection=Connection(wrong))
    graph_store = virtuoso_server.url + "-graph-crud-auth"
    assert str(caught.value).startswith(
        f"the server at {graph_store} refused the graph store request: 401 Unauthorized"
    )
    assert str(caught.value).endswith(
        "(the user name and password from CROSSPLAN_ENDPOINT_USER/CROSSPLAN_ENDPOINT_PASSWORD were not accepted)"
    )
    assert "not-the-password" not in str(caught.value)


def test_virtuoso_refuses_anonymous_writes(virtuoso_server, mini_store):
    virtuoso_server.clear()
    with pytest.raises(EndpointError) as caught:
        push_graph(mini_store, virtuoso_server.url, connection=Connection(None))
    host = "127.0.0.1"
    assert str(caught.value) == (
        f"the server at {virtuoso_server.url}-graph-crud refused the upload: 403 Forbidden: HTTP/1.1 403 Forbidden "
        "Error 42000 SQ110:SECURITY: Permission denied for delete from DB.DBA.RDF_QUAD (user ID = 107) "
        f"(it needs a user name and password: set CROSSPLAN_ENDPOINT_USER and CROSSPLAN_ENDPOINT_PASSWORD, or add a netrc entry for {host})"
    )


def test_virtuoso_error_messages_come_through(virtuoso_server):
    connection = Connection(None)
    with pytest.raises(EndpointError) as caught:
        connection.send("POST", virtuoso_server.url, what="query", data={"query": "SELEC * WHERE { ?s ?p ?o }"})
    assert str(caught.value) == (
        f"the server at {virtuoso_server.url} refused the query: 400 Bad Request: "
        "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at 'SELEC' before '*'"
    )


def test_rdflib_can_read_what_the_server_holds(server, mini_store):
    # an independent client (rdflib's SPARQL results parser) sees the same graph as the embedded store
    push_graph(mini_store, server.url, connection=Connection(server.credentials))
    connection = Connection(None)
    response = connection.send(
        "POST",
        server.url,
        what="query",
        headers={"Accept": "application/n-triples"},
        data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri('alpha')}> {{ ?s ?p ?o }} }}"},
    )
    remote = rdflib.Graph().parse(data=response.content, format="nt")
    local = rdflib.Graph().parse(
        data=pyoxigraph.serialize(
            mini_store.graph_triples(graph_iri("alpha")),
            format=pyoxigraph.RdfFormat.N_TRIPLES,
        ),
        format="nt",
    )
    assert len(local) == 52 and isomorphic(remote, local)


def test_service_is_refused_before_anything_runs():
    from crossplan.graph.errors import QueryError

    with pytest.raises(
        QueryError, match=r"^1:7: refused: SERVICE would query another server; queries only read this graph"
    ):
        EndpointStore("http://127.0.0.1:1/sparql").query("ASK { SERVICE <http://127.0.0.1:1/elsewhere> { ?s ?p ?o } }")
