"""`crossplan serve`, driven for real: the server in a subprocess on 127.0.0.1, asked over HTTP by real clients.

The SPARQL 1.1 Protocol is checked with SPARQLWrapper, rdflib's SPARQLStore and `crossplan --endpoint` (whose
answers must equal the local store's); the refusals (update, SERVICE, no token, bad token, cross-site, foreign
Host, path traversal, oversize) each with their status and message; edits through the review queue's API land in
the YAML and in the graph without a restart; a changed data file is picked up, a broken one never half-way.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from serve_support import TOKEN, copy_shipped_data, start_serve, wait_for

pytestmark = pytest.mark.server

PLAN_COUNT = "SELECT (COUNT(DISTINCT ?plan) AS ?plans) WHERE { ?plan a cp:Plan }"
RECOMMENDATIONS = "SELECT ?r ?number WHERE { ?r a cp:Recommendation ; cp:inPlan ?p ; cp:number ?number } ORDER BY ?r"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-cache")


@pytest.fixture(scope="module")
def readonly(tmp_path_factory, cache):
    """A read-only server on a copy of the shipped data."""
    data = copy_shipped_data(tmp_path_factory.mktemp("readonly") / "data")
    served = start_serve(data, cache)
    yield served
    assert served.stop() == 0
    assert served.lines[-1] == "Stopped"


@pytest.fixture(scope="module")
def editable(tmp_path_factory, cache):
    """A server with --allow-edits (token TOKEN) on its own copy of the shipped data."""
    data = copy_shipped_data(tmp_path_factory.mktemp("editable") / "data")
    served = start_serve(data, cache, allow_edits=True)
    yield served
    assert served.stop() == 0


def local(data_dir: Path, cache: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess on a data directory (with the servers' cache)."""
    environ = {**os.environ, "CROSSPLAN_CACHE": str(cache), "COLUMNS": "120"}
    environ.pop("CROSSPLAN_ENDPOINT", None)
    return subprocess.run(
        [sys.executable, "-m", "crossplan", "--data", str(data_dir), *arguments],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        check=False,
    )


def local_rows(data_dir: Path, query: str) -> list[dict]:
    from crossplan.graph.questions.query import run_query
    from crossplan.graph.stores.embedded import open_store

    return run_query(open_store(data_dir), query).as_dicts()


# -- starting and stopping ------------------------------------------------------------------------


def test_prints_its_url_and_is_read_only_by_default(readonly):
    assert readonly.url.startswith("http://127.0.0.1:")
    url = readonly.url
    assert f"SPARQL endpoint: {url}sparql   query console: {url}console   review queue: {url}review" in readonly.lines
    assert "Read-only (start with --allow-edits to accept or reject suggestions)" in readonly.lines
    status = readonly.get("status.json").json()
    assert status["edits"] is False and status["in_memory"] is True and status["generation"] == 1


def test_a_generated_token_is_printed_and_the_server_stops_cleanly(tmp_path, cache):
    data = copy_shipped_data(tmp_path / "data")
    served = start_serve(data, cache, allow_edits=True, token=None)
    try:
        line = next(line for line in served.lines if line.startswith("Edits are on; the edit token is: "))
        token = line.rsplit(" ", 1)[1]
        assert len(token) >= 24
        refused = served.post(
            "review/reject", json={"from": "r1", "to": "x"}, headers={"Authorization": "Bearer wrong"}
        )
        assert refused.status_code == 401
    finally:
        assert served.stop() == 0
    assert served.lines[-1] == "Stopped"


def test_a_taken_port_is_a_one_line_error(readonly, cache):
    done = local(readonly.data_dir, cache, "serve", "--port", str(readonly.port))
    assert done.returncode == 1
    assert (
        done.stderr
        == f"Error: cannot listen on 127.0.0.1:{readonly.port}: Address already in use (choose another --port)\n"
    )


def test_a_host_other_than_loopback_is_warned_about():
    from crossplan.graph.serve.app import host_warning

    assert host_warning("127.0.0.1") is None and host_warning("::1") is None and host_warning("localhost") is None
    assert host_warning("0.0.0.0") == (
        "serving on 0.0.0.0, not loopback: anyone who can reach this address "
        "can read the graph (and, with the token, write); requests must name this machine (or an --allowed-host) "
        "in their Host header"
    )


def test_a_query_past_the_time_limit_is_stopped_with_503(tmp_path, cache):
    data = copy_shipped_data(tmp_path / "data")
    served = start_serve(data, cache, extra=("--timeout", "0.5"))
    try:
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
        response = served.post("sparql", data={"query": heavy})
        assert response.status_code == 503
        assert response.text.startswith("the query was stopped after 0.5 s")
        assert served.get("status.json").status_code == 200  # and the server goes on answering
    finally:
        assert served.stop() == 0


# -- the SPARQL 1.1 Protocol ----------------------------------------------------------------------


def test_get_post_form_and_post_query_give_the_same_answer(readonly):
    accept = {"Accept": "application/sparql-results+json"}
    by_get = readonly.get("sparql", params={"query": RECOMMENDATIONS}, headers=accept)
    by_form = readonly.post("sparql", data={"query": RECOMMENDATIONS}, headers=accept)
    by_body = readonly.post(
        "sparql", data=RECOMMENDATIONS.encode(), headers={**accept, "Content-Type": "application/sparql-query"}
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert by_get.json() == by_form.json() == by_body.json()
    rows = [
        {name: value["value"] for name, value in binding.items()} for binding in by_get.json()["results"]["bindings"]
    ]
    assert rows == local_rows(readonly.data_dir, RECOMMENDATIONS)
    assert len(rows) > 10


def test_results_in_json_xml_csv_and_tsv_by_accept(readonly):
    expected = local_rows(readonly.data_dir, RECOMMENDATIONS)
    xml = readonly.get(
        "sparql", params={"query": RECOMMENDATIONS}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert xml.headers["Content-Type"].startswith("application/sparql-results+xml")
    namespace = {"s": "http://www.w3.org/2005/sparql-results#"}
    results = ElementTree.fromstring(xml.content).findall("s:results/s:result", namespace)
    assert [
        {b.get("name"): b[0].text for b in result.findall("s:binding", namespace)} for result in results
    ] == expected
    csv_text = readonly.get("sparql", params={"query": RECOMMENDATIONS}, headers={"Accept": "text/csv"})
    assert csv_text.headers["Content-Type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(csv_text.text))) == expected
    tsv = readonly.get("sparql", params={"query": RECOMMENDATIONS}, headers={"Accept": "text/tab-separated-values"})
    lines = tsv.text.splitlines()
    assert lines[0] == "?r\t?number" and len(lines) == len(expected) + 1
    assert lines[1].split("\t")[0] == f"<{expected[0]['r']}>"
    # quality values are honoured; with no Accept at all, JSON
    preferred = readonly.get(
        "sparql", params={"query": PLAN_COUNT}, headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"}
    )
    assert preferred.headers["Content-Type"].startswith("application/sparql-results+xml")
    plain = requests.get(readonly.sparql, params={"query": "ASK { ?p a cp:Plan }"}, headers={"Accept": ""}, timeout=30)
    assert plain.json() == {"head": {}, "boolean": True}
    unacceptable = readonly.get("sparql", params={"query": PLAN_COUNT}, headers={"Accept": "image/png"})
    assert unacceptable.status_code == 406


def test_construct_as_turtle_ntriples_and_jsonld(readonly):
    import rdflib
    from rdflib.compare import isomorphic

    query = "CONSTRUCT { ?plan dcterms:title ?title } WHERE { ?plan a cp:Plan ; dcterms:title ?title }"
    graphs = {}
    for media_type, rdflib_format in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ):
        response = readonly.get("sparql", params={"query": query}, headers={"Accept": media_type})
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)
        graphs[media_type] = rdflib.Graph().parse(data=response.text, format=rdflib_format)
    assert len(graphs["text/turtle"]) >= 2
    assert isomorphic(graphs["text/turtle"], graphs["application/n-triples"])
    assert isomorphic(graphs["text/turtle"], graphs["application/ld+json"])
    describe = readonly.get(
        "sparql",
        params={"query": "DESCRIBE <https://w3id.org/crossplan/id/yj-blueprint>"},
        headers={"Accept": "application/n-triples"},
    )
    assert describe.status_code == 200 and "<https://w3id.org/crossplan/id/yj-blueprint>" in describe.text


def test_sparqlwrapper_and_rdflib_sparqlstore_read_it(readonly):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    from crossplan.graph.model.vocabulary import PREFIXES

    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    wrapper = SPARQLWrapper(readonly.sparql)
    wrapper.setQuery(prologue + RECOMMENDATIONS)
    wrapper.setReturnFormat(JSON)
    bindings = wrapper.query().convert()["results"]["bindings"]
    expected = local_rows(readonly.data_dir, RECOMMENDATIONS)
    assert [{name: value["value"] for name, value in row.items()} for row in bindings] == expected
    store = SPARQLStore(readonly.sparql, returnFormat="json")
    rows = list(store.query(prologue + RECOMMENDATIONS))
    assert [{"r": str(row[0]), "number": str(row[1])} for row in rows] == expected
    assert store.query(prologue + "ASK { ?p a cp:Plan }").askAnswer is True


@pytest.mark.parametrize(
    "arguments",
    [
        ("mapping", "hmip-resettlement", "yj-blueprint"),
        ("mapping", "hmip-resettlement", "yj-blueprint", "--format", "json"),
        ("show", "hmip-resettlement/r6"),
        ("gaps", "--format", "json"),
        ("query", "recommendations", "--param", "plan=yj-blueprint", "--format", "csv"),
    ],
)
def test_crossplan_endpoint_answers_exactly_as_locally(readonly, cache, arguments):
    here = local(readonly.data_dir, cache, *arguments)
    there = local(readonly.data_dir, cache, "--endpoint", readonly.sparql, *arguments)
    assert here.returncode == 0, here.stderr
    assert there.returncode == 0, there.stderr
    assert there.stdout == here.stdout
    assert there.stderr == ""


def test_named_default_graphs_narrow_the_dataset(readonly):
    plan_graph = "https://w3id.org/crossplan/graph/yj-blueprint"
    query = "SELECT (COUNT(DISTINCT ?plan) AS ?plans) WHERE { ?plan a cp:Plan }"
    both = readonly.post("sparql", data={"query": query}).json()["results"]["bindings"][0]["plans"]["value"]
    one = readonly.post("sparql", data={"query": query, "default-graph-uri": plan_graph}).json()
    assert int(both) >= 2
    assert one["results"]["bindings"][0]["plans"]["value"] == "1"


# -- refusals on /sparql --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_options, status, message",
    [
        (
            {"data": {"query": "INSERT DATA { <x:a> <x:b> <x:c> }"}},
            403,
            "refused: INSERT would change the graph; queries are read-only",
        ),
        ({"data": {"update": "DROP ALL"}}, 403, "refused: this endpoint is read-only (SPARQL Update is not accepted)"),
        (
            {"data": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
            403,
            "refused: this endpoint is read-only",
        ),
        (
            {"data": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
            403,
            "refused: SERVICE would query another server",
        ),
        (
            {"data": {"query": "SELECT * FROM <x:g> WHERE { ?s ?p ?o }"}},
            403,
            "refused: FROM chooses the graphs to read",
        ),
        ({"data": {"query": "SELECT ?s WHERE { ?s ?p }"}}, 400, "syntax error"),
        ({"data": {"query": "SELECT ?s WHERE { ?s ex:p ?o }"}}, 400, "unknown prefix 'ex:'"),
        ({"data": {}}, 400, "no query"),
        (
            {"data": {"query": "SELECT * WHERE { ?s ?p ?o } # " + "x" * 300_000}},
            413,
            "the query is longer than 256 KiB",
        ),
        (
            {"data": b"SELECT * WHERE { ?s ?p ?o }", "headers": {"Content-Type": "text/plain"}},
            415,
            "application/sparql-query",
        ),
    ],
)
def test_refused_requests_get_a_4xx_and_a_sentence(readonly, request_options, status, message):
    response = readonly.post("sparql", **request_options)
    assert response.status_code == status, response.text
    assert message in response.text


def test_an_oversized_body_is_refused_before_it_is_read(readonly):
    import socket

    with socket.create_connection(("127.0.0.1", readonly.port), timeout=10) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 900000000\r\n\r\nSELECT"
        )
        answer = connection.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")


def test_no_path_outside_the_assets_and_no_foreign_host(readonly):
    import socket

    def raw(path: str, host: str = "127.0.0.1") -> str:
        with socket.create_connection(("127.0.0.1", readonly.port), timeout=10) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            return connection.recv(65536).decode("latin-1")

    for path in (
        "/assets/../cli.py",
        "/assets/..%2F..%2Fcli.py",
        "/assets/yasgui/../../../cli.py",
        "/assets/%2e%2e/store.py",
        "/assets//etc/passwd",
        "/assets/yasgui/yasgui.min.js.map",
        "/../../etc/passwd",
        "/assets/serve.css/..",
    ):
        answer = raw(path)
        assert answer.split("\r\n")[0] in ("HTTP/1.1 404 Not Found", "HTTP/1.1 400 Bad Request"), (path, answer[:200])
        assert "import" not in answer and "root:" not in answer
    assert raw("/assets/serve.css").startswith("HTTP/1.1 200")
    assert raw("/", host="attacker.example:80").startswith("HTTP/1.1 421")


def test_every_page_has_a_content_security_policy_and_no_sniffing(readonly):
    for path in ("", "console", "questions", "review", "questions/mapping?from=hmip-resettlement&to=yj-blueprint"):
        response = readonly.get(path)
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in response.text  # only script files, never inline code
    home = readonly.get("")
    assert home.status_code == 200 and '<iframe id="graph" title="The browser graph" src="/graph">' in home.text
    assert "frame-ancestors 'self'" in home.headers["Content-Security-Policy"]
    graph = readonly.get("graph", params={"mapping": "hmip-resettlement,yj-blueprint"})
    assert graph.status_code == 200 and "Content-Security-Policy" in graph.text  # the page's own (hash-based) policy
    assert "Content-Security-Policy" not in graph.headers and "X-Crossplan-Own-Policy" not in graph.headers
    assert graph.headers["X-Frame-Options"] == "SAMEORIGIN"
    framed = readonly.get("", params={"mapping": "hmip-resettlement,yj-blueprint"})
    assert 'src="/graph?mapping=hmip-resettlement%2Cyj-blueprint"' in framed.text


# -- pages and their JSON twins -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, arguments",
    [
        ("questions/mapping", ("mapping", "hmip-resettlement", "yj-blueprint")),
        ("questions/show?id=hmip-resettlement/r6", ("show", "hmip-resettlement/r6")),
        ("questions/impact?id=hmip-resettlement/r6&direction=downstream", ("impact", "hmip-resettlement/r6")),
        (
            "questions/path?a=hmip-resettlement/r6&b=yj-blueprint&max_length=6&limit=10",
            ("path", "hmip-resettlement/r6", "yj-blueprint"),
        ),
        ("questions/overdue?as_of=2024-01-01", ("overdue", "--as-of", "2024-01-01")),
        ("questions/gaps?plan=yj-blueprint", ("gaps", "--plan", "yj-blueprint")),
        ("questions/duplicates", ("duplicates",)),
    ],
)
def test_each_question_is_a_page_and_its_json_is_the_commands(readonly, cache, path, arguments):
    if path == "questions/mapping":
        path += "?from=hmip-resettlement&to=yj-blueprint"
    name, _, query = path.partition("?")
    twin = readonly.get(f"{name}.json" + (f"?{query}" if query else ""))
    assert twin.status_code == 200, twin.text
    cli = local(readonly.data_dir, cache, *arguments, "--format", "json")
    assert cli.returncode == 0, cli.stderr
    assert twin.json() == json.loads(cli.stdout)
    page = readonly.get(path)
    assert page.status_code == 200
    assert '<form class="question" method="get"' in page.text and f'href="/{name}.json' in page.text


def test_unknown_ids_and_missing_fields_are_4xx(readonly):
    unknown = readonly.get("questions/show.json", params={"id": "no-such-plan/r1"})
    assert unknown.status_code == 404 and "no-such-plan/r1" in unknown.json()["error"]
    missing = readonly.get("questions/mapping.json", params={"from": "yj-blueprint"})
    assert missing.status_code == 400 and missing.json() == {"error": "missing parameter: to"}
    assert readonly.get("questions/nonsense").status_code == 404


def test_saved_queries_bind_their_parameters(readonly):
    answer = readonly.get("queries/recommendations.json", params={"plan": "hmip-resettlement"}).json()
    assert answer["parameters"] == [
        {"name": "plan", "type": "id", "description": answer["parameters"][0]["description"]}
    ]
    assert "VALUES (?plan) { (<https://w3id.org/crossplan/id/hmip-resettlement>) }" in answer["bound"]
    assert len(answer["results"]["results"]["bindings"]) >= 10
    bad = readonly.get("queries/recommendations.json", params={"plan": "nope"})
    assert bad.status_code == 404


# -- writes: only with --allow-edits, the token, and from the server's own pages ------------------


def _first_suggestion(served) -> dict:
    queue = served.get("review.json", params={"from": "hmip-resettlement", "to": "yj-blueprint"}).json()
    assert queue["suggestions"], queue
    return queue["suggestions"][0]


def _snapshot(data_dir: Path) -> dict[str, bytes]:
    return {str(path.relative_to(data_dir)): path.read_bytes() for path in sorted(data_dir.rglob("*.yaml"))}


@pytest.mark.parametrize(
    "headers, status, message",
    [
        ({}, 401, "this needs the edit token"),
        ({"Authorization": "Bearer not-the-token-at-all"}, 401, "the edit token is wrong"),
        ({"Authorization": f"Basic {TOKEN}"}, 401, "this needs the edit token"),
        ({"Authorization": f"Bearer {TOKEN}", "Sec-Fetch-Site": "cross-site"}, 403, "cross-site"),
        ({"Authorization": f"Bearer {TOKEN}", "Sec-Fetch-Site": "same-site"}, 403, "cross-site"),
        ({"Authorization": f"Bearer {TOKEN}", "Origin": "http://attacker.example"}, 403, "another origin"),
        ({"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"}, 415, "application/json"),
    ],
)
def test_a_write_without_the_token_or_from_another_site_is_refused(editable, headers, status, message):
    before = _snapshot(editable.data_dir)
    suggestion = _first_suggestion(editable)
    body = json.dumps({"from": suggestion["from"], "to": suggestion["to"]})
    sent = {"Content-Type": "application/json", **headers}
    for action in ("accept", "reject"):
        response = editable.post(f"review/{action}", data=body, headers=sent)
        assert response.status_code == status, response.text
        assert message in response.json()["error"]
    assert _snapshot(editable.data_dir) == before


def test_a_read_only_server_refuses_writes_even_with_the_token(readonly):
    before = _snapshot(readonly.data_dir)
    response = readonly.post(
        "review/accept",
        json={"from": "hmip-resettlement/r1", "to": "yj-blueprint/prevention-1"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 403
    assert "start the server with `crossplan serve --allow-edits`" in response.json()["error"]
    assert _snapshot(readonly.data_dir) == before


def test_accept_writes_the_yaml_and_the_graph_follows_without_a_restart(editable):
    suggestion = _first_suggestion(editable)
    plan_file = editable.data_dir / "plans" / f"{suggestion['from'].split('/')[0]}.yaml"
    before = plan_file.read_text(encoding="utf-8")
    generation = editable.get("status.json").json()["generation"]
    response = editable.post(
        "review/accept",
        json={"from": suggestion["from"], "to": suggestion["to"]},
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Origin": editable.url.rstrip("/"),
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["done"] == "accept" and answer["generation"] > generation
    after = plan_file.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # only lines added: comments and formatting kept
    assert "basis: suggested" in after[len(before.rstrip()) :]
    ask = (
        "ASK { ?link a cp:Link ; cp:from ?from ; cp:to ?to ; cp:basis cp:Suggested . "
        f'?from dcterms:identifier "{suggestion["from"]}" . ?to dcterms:identifier "{suggestion["to"]}" }}'
    )
    found = editable.post("sparql", data={"query": ask})
    assert found.status_code == 200, found.text
    assert found.json()["boolean"] is True
    remaining = editable.get("review.json", params={"from": "hmip-resettlement", "to": "yj-blueprint"}).json()[
        "suggestions"
    ]
    assert (suggestion["from"], suggestion["to"]) not in {(s["from"], s["to"]) for s in remaining if not s["existing"]}


def test_reject_records_the_rejection_and_the_queue_drops_it(editable):
    suggestion = _first_suggestion(editable)
    response = editable.post(
        "review/reject",
        json={"from": suggestion["from"], "to": suggestion["to"], "note": "<b>not</b> the same"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200, response.text
    rejected = (editable.data_dir / "suggestions" / "rejected.yaml").read_text(encoding="utf-8")
    assert f"from: {suggestion['from']}" in rejected and "<b>not</b> the same" in rejected
    remaining = editable.get("review.json", params={"from": "hmip-resettlement", "to": "yj-blueprint"}).json()[
        "suggestions"
    ]
    assert (suggestion["from"], suggestion["to"]) not in {(s["from"], s["to"]) for s in remaining}
    again = editable.post(
        "review/reject",
        json={"from": suggestion["from"], "to": suggestion["to"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert again.status_code == 400 and "already rejected" in again.json()["error"]


# -- reloading ------------------------------------------------------------------------------------


def test_a_changed_file_is_reloaded_and_a_broken_one_never_half_way(editable):
    registry = editable.data_dir / "organisations.yaml"
    original = registry.read_text(encoding="utf-8")
    title_query = 'SELECT ?name WHERE { ?o dcterms:identifier "yjb" ; rdfs:label ?name }'

    def names():
        response = editable.post("sparql", data={"query": title_query}, headers={"Accept": "text/csv"})
        return response.text.splitlines()[1:]

    first = names()
    assert first, "the shipped organisations include yjb"
    generation = editable.get("status.json").json()["generation"]
    registry.write_text(original.replace(first[0].strip('"'), "<script>alert(1)</script> Board", 1), encoding="utf-8")
    wait_for(lambda: names() == ["<script>alert(1)</script> Board"])
    status = editable.get("status.json").json()
    assert status["generation"] > generation and status["problem"] is None
    page = editable.get("questions/show", params={"id": "yjb"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Board" in page.text and "<script>alert(1)" not in page.text

    registry.write_text(original + "\n  - id: [broken\n", encoding="utf-8")  # a file saved half-way
    problem = wait_for(lambda: editable.get("status.json").json()["problem"])
    assert "organisations.yaml" in problem
    assert names() == ["<script>alert(1)</script> Board"]  # the previous generation still answers
    assert "could not be loaded, so the previous version is shown" in editable.get("questions").text

    registry.write_text(original, encoding="utf-8")
    wait_for(lambda: names() == first)
    assert editable.get("status.json").json()["problem"] is None


def test_only_package_assets_are_served_and_yasgui_ships_with_its_licence():
    from crossplan.graph.serve.app import asset_files

    names = set(asset_files())
    assert {
        "console.js",
        "review.js",
        "serve.css",
        "yasgui/yasgui.min.js",
        "yasgui/yasgui.min.css",
        "yasgui/LICENSE",
        "yasgui/VERSION",
    } <= names
    assert not any(name.endswith(".map") for name in names)
    files = asset_files()
    assert "MIT License" in files["yasgui/LICENSE"].read_text(encoding="utf-8")
    assert files["yasgui/VERSION"].read_text(encoding="utf-8").startswith("@zazuko/yasgui 4.6.2")
