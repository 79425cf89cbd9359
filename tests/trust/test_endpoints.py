"""Trust: a hostile or broken SPARQL server cannot fill the memory, crash crossplan or pass its fault as the user's."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from urllib.parse import parse_qs

import pytest

from crossplan.graph.errors import EndpointError
from crossplan.graph.questions.query import run_query
from crossplan.graph.stores.endpoint import Connection, Credentials, EndpointStore

GRAPHS = json.dumps(
    {
        "head": {"vars": ["g"]},
        "results": {"bindings": [{"g": {"type": "uri", "value": "https://w3id.org/crossplan/graph/alpha"}}]},
    }
).encode()


class Script:
    """What the fake server answers to the user's query (the look-up of the crossplan graphs is answered well)."""

    def __init__(self):
        self.status = 200
        self.headers: dict[str, str] = {"Content-Type": "application/sparql-results+json"}
        self.body: bytes | None = b""
        self.chunks: int = 0  # stream this many 1 MB chunks instead of body, without a length
        self.challenge: str | None = None  # WWW-Authenticate for a first request without credentials
        self.graphs: bytes | None = GRAPHS  # None: the look-up is answered as scripted too
        self.requests: list[str] = []


@pytest.fixture
def hostile():
    script = Script()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
            query = (form.get("query") or [""])[0]
            script.requests.append(self.path)
            if script.challenge and "Authorization" not in self.headers:
                self._answer(401, {"WWW-Authenticate": script.challenge, "Content-Type": "text/plain"}, b"log in")
                return
            if "SELECT DISTINCT ?g" in query and script.graphs is not None:
                self._answer(200, {"Content-Type": "application/sparql-results+json"}, script.graphs)
                return
            if script.chunks:
                self.send_response(script.status)
                for name, value in script.headers.items():
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(script.chunks):
                        self.wfile.write(b" " * (1 << 20))
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            self._answer(script.status, script.headers, script.body)

        do_GET = do_POST

        def _answer(self, status, headers, body):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            try:
                self.wfile.write(body or b"")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    yield script
    server.shutdown()


def ask(script, query="SELECT ?s WHERE { ?s a cp:Plan }", credentials=None, timeout=20.0):
    store = EndpointStore(script.url, connection=Connection(credentials, timeout))
    return run_query(store, query)


# -- size ------------------------------------------------------------------------------------------------------


def test_an_endless_answer_is_cut_at_the_cap(hostile, monkeypatch):
    monkeypatch.setenv("CROSSPLAN_ENDPOINT_MAX_MB", "4")
    hostile.chunks = 64
    with pytest.raises(
        EndpointError, match=rf"^the server at {hostile.url} sent an answer larger than 4 MB and was cut off"
    ):
        ask(hostile)


def test_a_declared_huge_answer_is_refused_before_reading(hostile, monkeypatch):
    monkeypatch.setenv("CROSSPLAN_ENDPOINT_MAX_MB", "4")
    hostile.headers = {"Content-Type": "application/sparql-results+json", "Content-Length": str(1 << 40)}
    hostile.body = b"{}"
    with pytest.raises(EndpointError, match="sent an answer larger than 4 MB"):
        ask(hostile)


def test_a_compressed_bomb_is_cut_after_decompression(hostile, monkeypatch):
    monkeypatch.setenv("CROSSPLAN_ENDPOINT_MAX_MB", "4")
    hostile.headers = {"Content-Type": "application/sparql-results+json", "Content-Encoding": "gzip"}
    hostile.body = gzip.compress(b" " * (64 << 20))
    assert len(hostile.body) < 1 << 20
    with pytest.raises(EndpointError, match="sent an answer larger than 4 MB"):
        ask(hostile)


def test_a_bad_cap_setting_is_named(monkeypatch):
    monkeypatch.setenv("CROSSPLAN_ENDPOINT_MAX_MB", "-1")
    with pytest.raises(EndpointError, match="CROSSPLAN_ENDPOINT_MAX_MB='-1' is not a whole number of megabytes"):
        Connection()


# -- malformed answers are the server's fault -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/sparql-results+json", b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": '),
        ("application/sparql-results+json", b"not json at all"),
        ("text/html", b"<html><body><h1>Welcome to the hotel wifi</h1></body></html>"),
        (
            "application/sparql-results+json",
            b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri"}}]}}',
        ),
        ("application/sparql-results+json", b'{"head": {}, "boolean": true}'),
        ("application/sparql-results+json", b""),
    ],
)
def test_a_malformed_answer_is_worded_as_the_servers(hostile, content_type, body):
    hostile.headers = {"Content-Type": content_type}
    hostile.body = body
    with pytest.raises(EndpointError) as caught:
        ask(hostile)
    message = str(caught.value)
    assert message.startswith(f"the server at {hostile.url} sent an answer that cannot be read"), message
    assert "syntax error" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "query, body",
    [
        ("ASK { ?s a cp:Plan }", b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'),
        ("ASK { ?s a cp:Plan }", b"<html>oops</html>"),
        ("CONSTRUCT WHERE { ?s a cp:Plan }", b"<html> this is not turtle"),
    ],
)
def test_other_result_kinds_are_checked_too(hostile, query, body):
    hostile.body = body
    with pytest.raises(EndpointError, match=rf"^the server at {hostile.url} sent an answer that cannot be read"):
        ask(hostile, query)


def test_graph_look_up_without_the_asked_column_is_the_servers_fault(hostile):
    hostile.graphs = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}'
    with pytest.raises(EndpointError, match=r"sent an answer that cannot be read .*: a row without \?g"):
        ask(hostile)


# -- redirects --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("challenge", [None, 'Basic realm="x"', 'Digest realm="x", nonce="abc", qop="auth"'])
def test_a_redirect_after_authentication_is_a_clear_message(hostile, challenge):
    hostile.challenge = challenge
    hostile.status = 302
    hostile.headers = {"Location": "http://elsewhere.example/sparql?token=1", "Content-Type": "text/plain"}
    hostile.graphs = None  # the look-up itself is redirected too
    with pytest.raises(EndpointError) as caught:
        ask(hostile, credentials=Credentials("user", "secret", "a test"))
    assert str(caught.value) == (
        f"the server at {hostile.url} sent a redirect (302) to http://elsewhere.example/sparql "
        "instead of an answer: give that address as the endpoint"
    )
    assert all(path.startswith("/sparql") for path in hostile.requests)


def test_redirects_are_never_followed(hostile):
    hostile.status = 307
    hostile.headers = {"Location": "/elsewhere", "Content-Type": "text/plain"}
    hostile.body = b""
    hostile.graphs = GRAPHS
    with pytest.raises(
        EndpointError,
        match=rf"^the server at {hostile.url} sent a redirect \(307\) to "
        r"http://127.0.0.1:\d+/elsewhere instead of an answer",
    ):
        ask(hostile)
    assert "/elsewhere" not in hostile.requests


# -- push -------------------------------------------------------------------------------------------------------


def test_push_words_a_garbled_count_as_the_servers(hostile, mini_data):
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.stores.push import push_graph

    hostile.body = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "x:g"}}]}}'
    store = memory_store(load_dataset(mini_data))
    with pytest.raises(
        EndpointError, match=r"^the server at .* sent an answer that cannot be read .*: a row without \?n"
    ):
        push_graph(store, hostile.url, connection=Connection(None, 10))


def test_terminal_escapes_from_a_server_are_shown_escaped(hostile):
    hostile.status = 500
    hostile.headers = {"Content-Type": "text/plain"}
    hostile.body = b"\x1b[2J\x1b]0;owned\x07 the server fell over"
    with pytest.raises(EndpointError) as caught:
        ask(hostile)
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "\\x1b[2J" in message


def test_push_never_sends_back_a_malformed_graph_name(hostile):
    from crossplan.graph.stores.push import PushReport, _Pusher

    injected = {
        "head": {"vars": ["g"]},
        "results": {
            "bindings": [{"g": {"type": "uri", "value": "https://w3id.org/crossplan/graph/x> } ; DROP ALL ; #"}}]
        },
    }
    hostile.body = json.dumps(injected).encode()
    hostile.graphs = None
    pusher = _Pusher(Connection(None, 10), hostile.url, PushReport(hostile.url))
    with pytest.raises(EndpointError, match=r"^the server at .* sent an answer that cannot be read .*Invalid IRI"):
        pusher.stale_plan_graphs(set())
    rows = {
        "head": {"vars": ["g"]},
        "results": {
            "bindings": [
                {"g": {"type": "literal", "value": "https://w3id.org/crossplan/graph/y"}},
                {"g": {"type": "uri", "value": "https://elsewhere.example/graph"}},
                {"g": {"type": "uri", "value": "https://w3id.org/crossplan/graph/old-plan"}},
            ]
        },
    }
    hostile.body = json.dumps(rows).encode()
    hostile.graphs = None
    pusher = _Pusher(Connection(None, 10), hostile.url, PushReport(hostile.url))
    assert pusher.stale_plan_graphs(set()) == ["https://w3id.org/crossplan/graph/old-plan"]


@pytest.mark.parametrize("value", ["a \ud800 b", "\ud83d\ude00", "\x1b[2J"])
def test_a_literal_a_server_sends_with_a_lone_surrogate_or_control_is_read_or_refused(hostile, value):
    from crossplan.graph.sparql.results import format_result

    hostile.body = json.dumps(
        {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "literal", "value": value}}]}}
    ).encode()
    try:
        result = ask(hostile)
    except EndpointError as error:
        assert "the server" in str(error)
        return
    for output_format in ("table", "csv", "json", "markdown", "tsv"):
        shown = format_result(result, output_format, terminal=False)
        shown.encode("utf-8")
        assert "\x1b" not in shown or output_format == "json"
