"""The test servers themselves (Virtuoso's known traps, checked rather than trusted), and the ready-made
questions: the same answers from Virtuoso and from Oxigraph's server as from the embedded store."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from servers import SCRIPTS, Server, run_script  # noqa: E402

pytestmark = pytest.mark.server

from crossplan.graph.errors import EndpointError  # noqa: E402
from crossplan.graph.stores.embedded import open_store  # noqa: E402
from crossplan.graph.stores.endpoint import Connection, EndpointStore  # noqa: E402
from crossplan.graph.stores.push import push_graph  # noqa: E402


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on, read from /proc (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.add(address)
    return found


# -- Virtuoso: set up as the traps require --------------------------------------------------------


def test_virtuoso_listens_on_loopback_only(virtuoso_server):
    for port in virtuoso_server.ports:  # HTTP and SQL
        assert listening_addresses(port) == {"127.0.0.1"}, port


def test_virtuoso_never_listened_with_dba_dba(virtuoso_server):
    directory = virtuoso_server.directory
    created = (directory / "create.log").read_text()
    # the creating run changes the password and exits without ever going online
    assert "The DBA password is changed." in created and "online" not in created
    password = (directory / "dba-password").read_text()
    assert 8 <= len(password) <= 20
    sql_port = virtuoso_server.ports[1]

    def login(user_password: str) -> str:
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql_port}", "dba", user_password, "exec=select 1;"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        return done.stdout + done.stderr

    assert "Bad login" in login("dba")
    assert "1 Rows." in login(password)


def test_virtuoso_keeps_its_pid_in_the_foreground(virtuoso_server):
    pid = int((virtuoso_server.directory / "virtuoso.pid").read_text())
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert command[0].endswith(b"virtuoso-t") and b"+foreground" in command


def test_anonymous_users_cannot_write_to_virtuoso(virtuoso_server):
    connection = Connection(None, timeout=30)
    base = virtuoso_server.url.rsplit("/", 1)[0]
    insert = "INSERT DATA { GRAPH <https://example.org/graph/anonymous> { <https://example.org/a> <https://example.org/b> 1 } }"
    with pytest.raises(EndpointError, match=r"No permission to execute procedure DB\.DBA\.SPARQL_INSERT_DICT_CONTENT"):
        connection.send("POST", virtuoso_server.url, what="update", data={"update": insert})
    with pytest.raises(EndpointError, match=r"refused the upload: 403 Forbidden"):
        connection.send(
            "PUT",
            base + "/sparql-graph-crud",
            what="upload",
            params={"graph": "https://example.org/graph/anonymous"},
            data=b"<https://example.org/a> <https://example.org/b> 1 .",
            headers={"Content-Type": "application/n-triples"},
        )
    asked = connection.send(
        "POST",
        virtuoso_server.url,
        what="query",
        headers={"Accept": "application/sparql-results+json"},
        data={"query": "ASK { GRAPH <https://example.org/graph/anonymous> { ?s ?p ?o } }"},
    )
    assert asked.json()["boolean"] is False


def test_virtuoso_auth_endpoints_take_digest_not_basic(virtuoso_server):
    import requests
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    user, password = virtuoso_server.credentials.user, virtuoso_server.credentials.password
    url = virtuoso_server.url.rsplit("/", 1)[0] + "/sparql-graph-crud-auth"
    params = {"graph": "https://example.org/graph/digest"}
    body = b"<https://example.org/a> <https://example.org/b> 1 ."
    headers = {"Content-Type": "application/n-triples"}
    anonymous = requests.put(url, params=params, data=body, headers=headers, timeout=30)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].lower().startswith("digest ")
    basic = requests.put(url, params=params, data=body, headers=headers, auth=HTTPBasicAuth(user, password), timeout=30)
    assert basic.status_code == 401
    digest = requests.put(
        url, params=params, data=body, headers=headers, auth=HTTPDigestAuth(user, password), timeout=30
    )
    assert digest.status_code in (200, 201)
    virtuoso_server.clear()


def test_virtuoso_stops_with_a_checkpoint_and_keeps_the_data(virtuoso_server, tmp_path):
    store = open_store(Path(__file__).parents[1] / "fixtures" / "mini", tmp_path / "store")
    virtuoso_server.clear()
    push_graph(store, virtuoso_server.url, connection=Connection(virtuoso_server.credentials))
    directory = virtuoso_server.directory
    pid = int((directory / "virtuoso.pid").read_text())
    stopped = run_script([str(SCRIPTS / "virtuoso.sh"), "stop", str(directory)])
    assert stopped.stdout == "virtuoso.sh: stopped after a checkpoint\n"
    assert not Path(f"/proc/{pid}").exists()
    log = (directory / "virtuoso.log").read_text().splitlines()
    assert log[-1].endswith("Server shutdown complete")
    assert any("Checkpoint finished" in line for line in log[-4:])
    # started again on the same ports, the data is there
    http_port, sql_port = virtuoso_server.ports
    run_script([str(SCRIPTS / "virtuoso.sh"), "start", str(directory), str(http_port), str(sql_port)])
    restarted = EndpointStore(virtuoso_server.url)
    assert restarted.data_graphs() == store.data_graphs()
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    assert restarted.select(query) == store.select(query)


def test_the_scripts_refuse_bad_arguments():
    done = subprocess.run(
        ["bash", str(SCRIPTS / "virtuoso.sh"), "start", "/tmp/x", "80", "81"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stderr) == (1, "virtuoso.sh: ports must be numbers from 1024 to 65535\n")
    done = subprocess.run(
        ["bash", str(SCRIPTS / "oxigraph-server.sh"), "restart"], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stderr) == (2, f"usage: {SCRIPTS / 'oxigraph-server.sh'} start DIR PORT | stop DIR\n")


def test_oxigraph_listens_on_loopback_only(oxigraph_server):
    assert listening_addresses(oxigraph_server.ports[0]) == {"127.0.0.1"}


# -- the ready-made questions: the same answers everywhere ------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return open_store(None, tmp_path_factory.mktemp("shipped-store"))


@pytest.fixture(scope="module", params=["virtuoso", "oxigraph"])
def remote(request, shipped) -> EndpointStore:
    """A server holding the shipped data, pushed the way a user pushes it."""
    server: Server = request.getfixturevalue(f"{request.param}_server")
    server.clear()
    push_graph(shipped, server.url, connection=Connection(server.credentials))
    return server.store()


def sample_ids(store) -> list[str]:
    """The first node of each kind, and the items the shipped data is known for."""
    rows = store.select("SELECT ?type ?id WHERE { ?n a ?type ; dcterms:identifier ?id } ORDER BY ?type ?id")
    by_type: dict[str, list[str]] = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row["id"])
    chosen = {ids[0] for ids in by_type.values()}
    chosen |= {"hmip-resettlement/a4", "hmip-resettlement/r6", "yj-blueprint/resettlement-and-transitions", "yjb"}
    return sorted(chosen)


def test_show_gives_the_same_answers(shipped, remote):
    from crossplan.graph.questions.show import describe_node

    ids = sample_ids(shipped)
    assert len(ids) >= 10
    for node in ids:
        assert describe_node(remote, node) == describe_node(shipped, node), node
    assert describe_node(remote, "a4") == describe_node(shipped, "a4")  # a short id, resolved on the server


def test_mapping_overdue_and_gaps_give_the_same_answers(shipped, remote):
    from crossplan.graph.questions.gaps import find_gaps
    from crossplan.graph.questions.mapping import find_mapping
    from crossplan.graph.questions.overdue import find_overdue

    assert find_mapping(remote, "hmip-resettlement", "yj-blueprint") == find_mapping(
        shipped, "hmip-resettlement", "yj-blueprint"
    )
    assert find_mapping(remote, "yj-blueprint", "hmip-resettlement") == find_mapping(
        shipped, "yj-blueprint", "hmip-resettlement"
    )
    for as_of in ("2020-06-30", "2021-12-31", "2030-01-01"):
        assert find_overdue(remote, as_of) == find_overdue(shipped, as_of), as_of
    assert find_overdue(remote, "2030-01-01", "yj-blueprint") == find_overdue(shipped, "2030-01-01", "yj-blueprint")
    assert find_gaps(remote) == find_gaps(shipped)
    assert find_gaps(remote, "hmip-resettlement") == find_gaps(shipped, "hmip-resettlement")


def test_impact_paths_and_duplicates_give_the_same_answers(shipped, remote):
    from crossplan.graph.questions.duplicates import find_duplicate_groups
    from crossplan.graph.questions.network import find_impact, find_paths

    for node in ("hmip-resettlement/r1", "hmip-resettlement/r6", "yj-blueprint/resettlement-and-transitions"):
        for direction in ("downstream", "upstream"):
            assert find_impact(remote, node, direction) == find_impact(shipped, node, direction), (node, direction)
    assert find_paths(remote, "hmip-resettlement/r1", "yj-blueprint/custody") == find_paths(
        shipped, "hmip-resettlement/r1", "yj-blueprint/custody"
    )
    assert find_duplicate_groups(remote) == find_duplicate_groups(shipped)


def test_saved_queries_give_the_same_answers(shipped, remote):
    from crossplan.graph.questions.query import run_query, saved_queries

    parameters = {"organisation": "yjb", "basis": "judged", "plan": "hmip-resettlement", "phrase": "accommodation"}
    queries = saved_queries()
    assert len(queries) >= 5
    for query in queries:
        values = {parameter.name: parameters[parameter.name] for parameter in query.parameters}
        local, served = run_query(shipped, query.name, values), run_query(remote, query.name, values)
        assert served.variables == local.variables, query.name
        assert served.as_dicts() == local.as_dicts(), query.name
        assert local.rows or local.boolean is not None, (
            query.name
        )  # every saved query finds something in the shipped data
