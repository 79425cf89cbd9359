"""Shared fixtures: a private store cache per test session, the small hand-written data set, a CLI runner, a listener
that records any request (none may arrive)."""

from __future__ import annotations

import http.server
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

# The real SPARQL servers (Virtuoso, Oxigraph) as session fixtures: oxigraph_server, virtuoso_server, server.
pytest_plugins = ["servers"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Keep every store the tests build out of the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("CROSSPLAN_CACHE", str(cache))
    patch.delenv("CROSSPLAN_DATA", raising=False)
    patch.delenv("CROSSPLAN_STORE", raising=False)
    yield cache
    patch.undo()


@pytest.fixture(scope="module")
def store():
    """The query fixture data set (plans north and south, tests/fixtures/query) in a memory store, read-only."""
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store

    return memory_store(load_dataset(FIXTURES / "query"))


@pytest.fixture(scope="module")
def mini():
    """The small two-plan fixture data set (tests/fixtures/mini) in a memory store, read-only."""
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store

    return memory_store(load_dataset(FIXTURES / "mini"))


@pytest.fixture
def mini_data(tmp_path) -> Path:
    """A writable copy of the small two-plan fixture data set (tests/fixtures/mini)."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the crossplan CLI with arguments; returns the click Result."""
    from crossplan.cli import main

    def run(*args, input=None, env=None):
        return runner.invoke(main, [str(arg) for arg in args], input=input, env=env, catch_exceptions=False)

    return run


# -- test tiers ---------------------------------------------------------------------------------------
# `pytest -m "not browser and not server"` is the fast tier: no Debian package needed. A test is in the
# browser tier when it drives Chromium, in the server tier when it starts a SPARQL server (or crossplan serve);
# tests mark themselves, and tests that use these fixtures are marked here so that none can be forgotten.
SERVER_FIXTURES = {"server", "virtuoso_server", "oxigraph_server", "servers", "live_server", "serve_server"}
BROWSER_FIXTURES = {"browser", "chromium", "playwright"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


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
