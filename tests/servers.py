"""Real SPARQL servers for the tests: Virtuoso (Debian) and Oxigraph (PyPI), started by the scripts in scripts/.

Each server is started once per test session, on free loopback ports, in its own temporary directory,
waited for with a bounded timeout and always stopped (Virtuoso with a checkpoint). A server that is not
installed fails the tests that need it, with the command that installs it: nothing is skipped.

``conftest.py`` registers this module as a plugin (``pytest_plugins``; ``tests/`` is on pytest's ``pythonpath``), so
any test can ask for ``oxigraph_server``, ``virtuoso_server`` or ``server``; the started servers are shared by every
module of the session.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crossplan.graph.model.vocabulary import GRAPH_BASE
from crossplan.graph.stores.endpoint import PASSWORD_VARIABLE, USER_VARIABLE, Connection, Credentials, EndpointStore

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
START_TIMEOUT = 180  # seconds for a script to start its server, creation included (CI has two cores)


@dataclass
class Server:
    """A running server: its query endpoint, directory and, where it has users, a user allowed to write."""

    name: str
    url: str
    directory: Path
    credentials: Credentials | None = None
    ports: tuple[int, ...] = ()
    stop_command: list[str] = field(default_factory=list)

    @property
    def environ(self) -> dict[str, str]:
        """Environment variables that give the CLI this server's write credentials."""
        if self.credentials is None:
            return {USER_VARIABLE: "", PASSWORD_VARIABLE: ""}
        return {USER_VARIABLE: self.credentials.user, PASSWORD_VARIABLE: self.credentials.password}

    def store(self, **options) -> EndpointStore:
        return EndpointStore(self.url, connection=Connection(self.credentials, **options))

    def clear(self) -> None:
        """Drop every crossplan graph (and the tests' example.org graphs) from the server."""
        from crossplan.graph.stores.push import service_urls

        connection = Connection(self.credentials, timeout=60)
        found = connection.send(
            "POST",
            self.url,
            what="query",
            headers={"Accept": "application/sparql-results+json"},
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        ).json()
        graphs = [row["g"]["value"] for row in found["results"]["bindings"]]
        mine = [g for g in graphs if g.startswith((GRAPH_BASE, "https://example.org/", "http://example.org/"))]
        _, update = service_urls(self.url, self.credentials is not None)
        for graph in mine:
            connection.send("POST", update, what="update", data={"update": f"DROP SILENT GRAPH <{graph}>"})


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_script(
    command: list[str], environ: dict | None = None, timeout: float = START_TIMEOUT
) -> subprocess.CompletedProcess:
    """Run one of the server scripts; fail the test with its output when it fails."""
    # WATCH_PID: the scripts stop their server once this test process is gone, even if it is killed
    environ = {**os.environ, "WATCH_PID": str(os.getpid()), **(environ or {})}
    try:
        done = subprocess.run(["bash", *command], capture_output=True, text=True, timeout=timeout, env=environ)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)} did not finish within {timeout} s")
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


_RUNNING: dict[str, Server] = {}


@atexit.register
def _stop_leftovers() -> None:
    # The fixtures' finalizers stop the servers; this catches a session that ends without running them.
    for server in list(_RUNNING.values()):
        subprocess.run(["bash", *server.stop_command], capture_output=True, timeout=120)


def oxigraph_binary() -> str:
    """The `oxigraph` command of the Python environment running the tests (the test extra installs it)."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    return found


def start_virtuoso(directory: Path) -> Server:
    http_port, sql_port = free_port(), free_port()
    while sql_port == http_port:
        sql_port = free_port()
    script = str(SCRIPTS / "virtuoso.sh")
    run_script([script, "start", str(directory), str(http_port), str(sql_port)])
    password = (directory / "crossplan-password").read_text().strip()
    return Server(
        "virtuoso",
        f"http://127.0.0.1:{http_port}/sparql",
        directory,
        Credentials("crossplan", password, "the test set-up"),
        (http_port, sql_port),
        [script, "stop", str(directory)],
    )


def start_oxigraph(directory: Path) -> Server:
    port = free_port()
    script = str(SCRIPTS / "oxigraph-server.sh")
    run_script([script, "start", str(directory), str(port)], {"OXIGRAPH": oxigraph_binary()})
    return Server(
        "oxigraph", f"http://127.0.0.1:{port}/query", directory, None, (port,), [script, "stop", str(directory)]
    )


def _shared(name: str, request, tmp_path_factory, start) -> Server:
    if name not in _RUNNING:
        server = start(tmp_path_factory.mktemp(name))
        _RUNNING[name] = server

        def stop():
            _RUNNING.pop(name, None)
            subprocess.run(["bash", *server.stop_command], capture_output=True, timeout=120)

        request.addfinalizer(stop)
    return _RUNNING[name]


@pytest.fixture(scope="session")
def virtuoso_server(request, tmp_path_factory) -> Server:
    """A private Virtuoso on 127.0.0.1, started once for the session and stopped with a checkpoint."""
    return _shared("virtuoso", request, tmp_path_factory, start_virtuoso)


@pytest.fixture(scope="session")
def oxigraph_server(request, tmp_path_factory) -> Server:
    """A private Oxigraph server on 127.0.0.1, started once for the session."""
    return _shared("oxigraph", request, tmp_path_factory, start_oxigraph)


@pytest.fixture(params=["virtuoso", "oxigraph"])
def server(request) -> Server:
    """Each server in turn, emptied of crossplan graphs."""
    running = request.getfixturevalue(f"{request.param}_server")
    running.clear()
    return running
