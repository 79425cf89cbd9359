"""Load the graph into a SPARQL 1.1 server: one named graph per plan, one per registry, and the ontology's.

The Graph Store HTTP Protocol is used where the server offers it (``PUT``, then ``POST`` for further
batches of a large graph); otherwise SPARQL Update ``INSERT DATA`` in batches small enough for every
server (Virtuoso's SPARQL compiler runs out of memory on a few thousand triples in one request). Where the
Graph Store and Update endpoints are is derived from the query endpoint's address, by each server's
convention (``service_urls``):

- Virtuoso, ``…/sparql``: Graph Store ``…/sparql-graph-crud-auth`` and Update ``…/sparql-auth`` (HTTP
  Digest) when there are credentials, else ``…/sparql-graph-crud`` and ``…/sparql``;
- Oxigraph and Fuseki, ``…/query``: Graph Store ``…/store`` (Oxigraph), else ``…/data`` (Fuseki); Update ``…/update``;
- GraphDB, ``…/repositories/ID``: Graph Store ``…/rdf-graphs/service``, Update ``…/statements``;
- anything else: no Graph Store; Update at the endpoint itself.

``graph_store=`` and ``update=`` name them outright. Without ``replace`` nothing is overwritten: a push
into graphs that already hold triples is refused. After loading, the triples of every graph are counted
on the server and compared with what was sent.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import EndpointError
from ..model.vocabulary import GRAPH_BASE, graph_iri
from ..sparql.text import sparql_term
from .endpoint import (
    SELECT_RESULTS,
    Connection,
    checked_url,
    endpoint_timeout,
    find_credentials,
    read_results,
    shown_url,
)

if TYPE_CHECKING:
    from pyoxigraph import Triple

    from .embedded import CrossplanStore

GRAPH_STORE_BATCH = 50_000
"""Triples per Graph Store request."""

UPDATE_BATCH = 1_000
"""Triples per INSERT DATA request (Virtuoso 7 refuses much over 1,500)."""

_NO_GRAPH_STORE = (404, 405, 501)


@dataclass
class PushReport:
    """What a push did: the graphs and their triple counts, how they were sent, what was dropped."""

    endpoint: str
    method: str = ""
    target: str = ""
    graphs: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def summary(self) -> str:
        """Return the report as the push command prints it."""
        lines = [
            f"Pushed {len(self.graphs)} graphs ({self.triples} triples) to {self.target} "
            f"with {self.method} in {self.requests} requests, {self.seconds:.2f} s"
        ]
        width = max(len(name) for name in self.graphs) if self.graphs else 0
        lines += [f"  {name:<{width}}  {count:>7} triples" for name, count in self.graphs.items()]
        lines += [f"  {name:<{width}}  dropped (no longer in the data)" for name in self.dropped]
        return "\n".join(lines) + "\n"


def service_urls(endpoint: str, authenticated: bool) -> tuple[list[str], str]:
    """Return the Graph Store endpoints to try and the Update endpoint, by the server's conventions.

    >>> service_urls("http://127.0.0.1:8890/sparql", authenticated=True)
    (['http://127.0.0.1:8890/sparql-graph-crud-auth'], 'http://127.0.0.1:8890/sparql-auth')
    >>> service_urls("http://127.0.0.1:7878/query", authenticated=False)
    (['http://127.0.0.1:7878/store', 'http://127.0.0.1:7878/data'], 'http://127.0.0.1:7878/update')
    """
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    parent, _, last = path.rpartition("/")

    def at(new_path: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if last in ("sparql", "sparql-auth"):
        graph_store = parent + ("/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud")
        return [at(graph_store)], at(parent + "/sparql-auth") if authenticated else at(path)
    if last == "query":
        return [at(parent + "/store"), at(parent + "/data")], at(parent + "/update")
    if parent.endswith("/repositories") and last:
        return [at(path + "/rdf-graphs/service")], at(path + "/statements")
    return [], endpoint


def graphs_to_push(store: CrossplanStore, graph: str | None = None) -> dict[str, list[Triple]]:
    """Return the triples to send by named graph: each data graph and the ontology's, or all in ``graph``."""
    names = [*store.data_graphs(), graph_iri("ontology")]
    triples = {name: store.graph_triples(name) for name in names}
    if graph is None:
        return triples
    merged = {triple for content in triples.values() for triple in content}
    return {graph: sorted(merged, key=str)}


def push_graph(
    store: CrossplanStore,
    endpoint: str,
    *,
    graph: str | None = None,
    replace: bool = False,
    graph_store: str | None = None,
    update: str | None = None,
    connection: Connection | None = None,
) -> PushReport:
    """Load the embedded store's graphs into a SPARQL server; return what was done.

    ``graph`` puts everything into that one named graph instead of one per plan and registry. ``replace``
    replaces graphs that already hold triples (and drops the graphs of plans no longer in the data);
    without it such a push is refused. Raises EndpointError, with the server's message, when it fails.
    """
    started = time.perf_counter()
    endpoint = checked_url(endpoint)
    if graph is not None:
        _check_iri(graph)
    if connection is None:
        connection = Connection(find_credentials(endpoint), endpoint_timeout())
    candidates, update_url = service_urls(endpoint, connection.credentials is not None)
    if graph_store is not None:
        candidates = [checked_url(graph_store)]
    if update is not None:
        update_url = checked_url(update)
    report = PushReport(shown_url(endpoint))
    pusher = _Pusher(connection, endpoint, report)
    content = graphs_to_push(store, graph)
    held = {name: count for name, count in pusher.count(list(content)).items() if count}
    if held and not replace:
        name = sorted(held)[0]
        raise EndpointError(
            f"the server already holds {held[name]} triples in <{name}>"
            + (f" and {len(held) - 1} more of the graphs" if len(held) > 1 else "")
            + ": pass --replace to replace them"
        )
    stale = pusher.stale_plan_graphs(set(content)) if replace and graph is None else []
    target = next((candidate for candidate in candidates if pusher.with_graph_store(candidate, content)), None)
    if target is not None:
        report.method = "the Graph Store Protocol"
    else:
        target = update_url
        pusher.with_update(update_url, content, replace)
        report.method = "SPARQL Update"
    report.target = shown_url(target)
    for name in stale:
        pusher.drop(target, name, report.method)
    report.dropped = stale
    expected = {name: len(triples) for name, triples in content.items()}
    found = pusher.count(list(content))
    for name, count in expected.items():
        if found.get(name, 0) != count:
            raise EndpointError(
                f"after the push the server holds {found.get(name, 0)} triples in <{name}>, not the {count} sent"
            )
    report.graphs = expected
    report.seconds = time.perf_counter() - started
    return report


def _is_iri(text: str) -> bool:
    return re.fullmatch(r"[^<>\"{}|^`\\\x00-\x20]+", text) is not None


def _check_iri(graph: str) -> None:
    from pyoxigraph import NamedNode

    try:
        NamedNode(graph)
    except ValueError:
        raise EndpointError(
            f"'{graph}' is not an IRI (give a graph name such as https://example.org/graph/plans)"
        ) from None
    if ":" not in graph:
        raise EndpointError(
            f"'{graph}' is not an absolute IRI (give a graph name such as https://example.org/graph/plans)"
        )


class _Pusher:
    def __init__(self, connection: Connection, endpoint: str, report: PushReport) -> None:
        self.connection = connection
        self.endpoint = endpoint
        self.report = report

    def send(self, method: str, url: str, what: str, allow: tuple[int, ...] = (), **kwargs: Any) -> Any:
        self.report.requests += 1
        return self.connection.send(method, url, what=what, allow=allow, **kwargs)

    def query(self, text: str, columns: tuple[str, ...] = ()) -> list[Any]:
        response = self.send("POST", self.endpoint, "query", data={"query": text}, headers={"Accept": SELECT_RESULTS})
        return read_results(response, self.endpoint, columns=columns)

    def count(self, graphs: list[str]) -> dict[str, int]:
        """Count the triples of each graph on the server."""
        values = " ".join(f"<{name}>" for name in graphs)
        rows = self.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
            ("g", "n"),
        )
        counts: dict[str, int] = {}
        for row in rows:
            try:
                counts[row["g"].value] = int(row["n"].value)
            except ValueError:
                raise EndpointError(
                    f"the server at {self.report.endpoint} sent a count that is not a number: '{row['n'].value[:40]}'"
                ) from None
        return counts

    def stale_plan_graphs(self, pushed: set[str]) -> list[str]:
        """The plan graphs on the server that the data no longer has."""
        rows = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?plan a <https://w3id.org/crossplan/ontology#Plan> } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }}',
            ("g",),
        )
        # the names come from the server and are sent back in DROP GRAPH <…>: only well-formed crossplan graph IRIs
        return sorted(
            row["g"].value
            for row in rows
            if type(row["g"]).__name__ == "NamedNode"
            and row["g"].value.startswith(GRAPH_BASE)
            and _is_iri(row["g"].value)
            and row["g"].value not in pushed
        )

    def with_graph_store(self, url: str, content: dict[str, list[Triple]]) -> bool:
        """Send every graph with the Graph Store Protocol; False if the server has no such endpoint at ``url``."""
        from pyoxigraph import RdfFormat, serialize

        if self.connection.credentials is not None:
            # one small request first, so that the server's challenge is answered before a large body is sent
            self.send(
                "GET",
                url,
                "graph store request",
                allow=(404,),
                params={"graph": next(iter(content))},
                headers={"Accept": "application/n-triples"},
            )
        headers = {"Content-Type": "application/n-triples"}
        for position, (name, triples) in enumerate(content.items()):
            for start in range(0, max(len(triples), 1), GRAPH_STORE_BATCH):
                body = serialize(triples[start : start + GRAPH_STORE_BATCH], format=RdfFormat.N_TRIPLES)
                verb = "PUT" if start == 0 else "POST"
                response = self.send(
                    verb,
                    url,
                    "upload",
                    allow=_NO_GRAPH_STORE if position == start == 0 else (),
                    params={"graph": name},
                    data=body,
                    headers=headers,
                )
                if response.status_code in _NO_GRAPH_STORE:
                    return False
        return True

    def with_update(self, url: str, content: dict[str, list[Triple]], replace: bool) -> None:
        for name, triples in content.items():
            if replace:
                self.update(url, f"DROP SILENT GRAPH <{name}>")
            for start in range(0, len(triples), UPDATE_BATCH):
                lines = " .\n".join(
                    f"{sparql_term(t.subject)} {sparql_term(t.predicate)} {sparql_term(t.object)}"
                    for t in triples[start : start + UPDATE_BATCH]
                )
                self.update(url, f"INSERT DATA {{ GRAPH <{name}> {{\n{lines} .\n}} }}")

    def update(self, url: str, text: str) -> None:
        self.send("POST", url, "update", data={"update": text.encode("utf-8")})

    def drop(self, url: str, name: str, method: str) -> None:
        if method == "SPARQL Update":
            self.update(url, f"DROP SILENT GRAPH <{name}>")
        else:
            self.send("DELETE", url, "deletion", allow=(404,), params={"graph": name})
