"""The SPARQL 1.1 Protocol at ``/sparql``: read a query from a request, run it as ``crossplan query`` does, answer.

A query arrives as ``GET ?query=``, a ``POST`` of an HTML form (``application/x-www-form-urlencoded``) or a ``POST``
of the query itself (``application/sparql-query``), with optional ``default-graph-uri``/``named-graph-uri``. It is
checked and run by ``graph.query.run_query`` — the same read-only rules (no update, no SERVICE, no FROM), row limit
and time limit as the command line — and the result is written in the format the ``Accept`` header prefers:
SPARQL results as JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE graphs as Turtle, N-Triples or JSON-LD.

The default graph is the union of every crossplan graph (as for the embedded store); a request that names graphs
with ``default-graph-uri`` gets their union instead. An update (``update=`` or ``application/sparql-update``) is
refused with 403 and a sentence saying the endpoint is read-only.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from ..errors import QueryError
from ..questions.query import run_query
from ..sparql.guard import DEFAULT_TIMEOUT, check_query, check_read_only, syntax_error
from ..sparql.results import MAX_ROWS, QueryResult, collect_result, format_result, json_term

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore, ServedGraph

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MAX_QUERY_BYTES = 256 * 1024
"""Largest query text (or request body) accepted."""

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
FORMAT_NAMES = {
    # the names clients put in format= or output= (SPARQLWrapper sends both), by result kind
    "select": {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"},
    "graph": {
        "turtle": "turtle",
        "ttl": "turtle",
        "n3": "turtle",
        "ntriples": "ntriples",
        "nt": "ntriples",
        "n-triples": "ntriples",
        "jsonld": "jsonld",
        "json-ld": "jsonld",
        "json": "jsonld",
        "xml": "rdfxml",
        "rdf": "rdfxml",
        "rdfxml": "rdfxml",
        "rdf+xml": "rdfxml",
    },
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class ProtocolError(Exception):
    """A request the endpoint refuses: its HTTP status and a sentence for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SparqlRequest:
    """A query and its dataset, read from an HTTP request."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()  # format= and output= values, as clients name the result format they want


def read_request(method: str, content_type: str, query_string: str, body: bytes) -> SparqlRequest:
    """Return the query a Protocol request carries; raise ProtocolError for an update, a missing or doubled query."""
    media_type = content_type.split(";")[0].strip().lower()
    fields = parse_qsl(query_string, keep_blank_values=True)
    if method == "POST":
        if media_type == "application/sparql-update":
            raise _read_only()
        if not body and not media_type:
            pass  # an empty POST: no query (said below)
        elif media_type == "application/x-www-form-urlencoded":
            fields += parse_qsl(_text(body), keep_blank_values=True)
        elif media_type == "application/sparql-query":
            fields.append(("query", _text(body)))
        else:
            raise ProtocolError(
                415,
                "send the query as application/sparql-query, as a form "
                "(application/x-www-form-urlencoded), or with GET ?query=",
            )
    elif method != "GET":
        raise ProtocolError(405, "use GET or POST")
    if any(name in ("update", "using-graph-uri", "using-named-graph-uri") for name, _ in fields):
        raise _read_only()
    queries = [value for name, value in fields if name == "query"]
    if not queries:
        raise ProtocolError(
            400, "no query: send one as ?query=, a form field 'query' or an application/sparql-query body"
        )
    if len(queries) > 1:
        raise ProtocolError(400, "more than one query in the request")
    if len(queries[0].encode("utf-8")) > MAX_QUERY_BYTES:
        raise ProtocolError(413, f"the query is longer than {MAX_QUERY_BYTES // 1024} KiB")
    return SparqlRequest(
        queries[0],
        tuple(value for name, value in fields if name == "default-graph-uri"),
        tuple(value for name, value in fields if name == "named-graph-uri"),
        tuple(value for name, value in fields if name in ("format", "output") and value),
    )


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8") from None


def _read_only() -> ProtocolError:
    return ProtocolError(
        403,
        "refused: this endpoint is read-only (SPARQL Update is not accepted); "
        "change the data in its YAML files, or accept suggestions in the review queue",
    )


def answer_query(
    store: ServedGraph, request: SparqlRequest, timeout: float = DEFAULT_TIMEOUT, in_worker: bool = False
) -> QueryResult:
    """Check and run a Protocol query over a store generation (QueryError when refused, malformed or too slow).

    The same rules as ``crossplan query`` (``graph.sparql.guard``). ``in_worker``: the caller is a worker of the
    server (``graph.sparql.workers``), whose thread already has the large stack, no network, and a parent that kills
    it past its time or memory: the query is checked once (one tokenisation) and parsed once, by the run itself,
    instead of in a thread of its own after a separate parse; a syntax error is then worded by the full check.
    """
    if _is_saved_query_name(request.query):
        raise QueryError("syntax error: not a SPARQL query (saved queries run at /queries/NAME)")
    if not in_worker:
        return run_query(_dataset(store, request), request.query, timeout=timeout, max_rows=MAX_ROWS)
    text = request.query
    if not text.strip():
        raise QueryError("the query is empty")
    check_read_only(text)
    try:
        return collect_result(_dataset(store, request).query(text), threading.Event(), MAX_ROWS)
    except SyntaxError as error:
        check_query(text, timeout)  # raises the located, worded error (an unknown prefix named)
        raise syntax_error(text, str(error)) from None
    except PermissionError as error:  # only the network guard refuses a query this way
        raise QueryError(
            f"refused: the query tried to reach the network ({error}); queries only read this graph"
        ) from None
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(f"the query failed: {error}") from None


def _dataset(store: ServedGraph, request: SparqlRequest) -> GraphStore:
    return store.with_dataset(request.default_graphs, request.named_graphs)


def _is_saved_query_name(text: str) -> bool:
    return re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.strip()) is not None


def choose_format(accept: str, kind: str, requested: tuple[str, ...] | str | None = None) -> str:
    """Pick the result format for a result kind from ``format=``/``output=`` values, else the ``Accept`` header.

    A requested name or media type the endpoint knows wins; one it does not know is ignored (clients such as
    SPARQLWrapper send their own names), and the ``Accept`` header decides. Raises ProtocolError 406 when nothing
    acceptable can be written.
    """
    offered = GRAPH_TYPES if kind == "graph" else SELECT_TYPES
    names = FORMAT_NAMES["graph" if kind == "graph" else "select"]
    for wanted in (requested,) if isinstance(requested, str) else requested or ():
        wanted = wanted.strip().lower()
        if wanted in names:
            return names[wanted]
        media_type = wanted.split(";")[0].strip()
        if media_type in offered:
            return offered[media_type]
    ranges = _accepted(accept)
    if not ranges:
        return "turtle" if kind == "graph" else "json"
    for media_type, _ in ranges:
        if media_type in offered:
            return offered[media_type]
        if media_type in ("*/*", "application/*", "text/*"):
            return "turtle" if kind == "graph" else ("csv" if media_type == "text/*" else "json")
    wanted = ", ".join(media for media, _ in ranges)
    raise ProtocolError(
        406, f"cannot write a {kind.upper()} result as {wanted}; offered: {', '.join(media for media in offered)}"
    )


def _accepted(header: str) -> list[tuple[str, float]]:
    """Parse an Accept header into media types, most wanted first (ties keep their order)."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [piece.strip() for piece in part.split(";")]
        if not pieces[0]:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((pieces[0].lower(), quality, position))
    ranges.sort(key=lambda item: (-item[1], item[2]))
    return [(media, quality) for media, quality, _ in ranges]


def write_result(result: QueryResult, output_format: str) -> tuple[bytes, str]:
    """Return the body and content type of a result in one of the Protocol's formats."""
    if output_format == "xml":
        text = _results_xml(result)
    elif output_format == "json":
        text = _results_json(result)
    elif output_format == "rdfxml":
        text = _rdf_xml(result)
    else:
        text = format_result(result, output_format, terminal=False)
    media_type = CONTENT_TYPES[output_format]
    return text.encode("utf-8"), f"{media_type}; charset=utf-8"


def _results_json(result: QueryResult) -> str:
    """Write SELECT/ASK results in the SPARQL 1.1 Query Results JSON Format, compact (no indentation)."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
    names = result.variables
    bindings = [
        {name: json_term(term) for name, term in zip(names, row, strict=False) if term is not None}
        for row in result.rows
    ]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False) + "\n"


def _rdf_xml(result: QueryResult) -> str:
    from pyoxigraph import RdfFormat, serialize

    data = serialize(sorted(set(result.triples), key=str), format=RdfFormat.RDF_XML)
    return (data or b"").decode("utf-8")


def _results_xml(result: QueryResult) -> str:
    """Write SELECT/ASK results in the SPARQL Query Results XML Format (built as elements, so escaped by the writer)."""
    from xml.etree.ElementTree import Element, SubElement, tostring

    root = Element("sparql", xmlns="http://www.w3.org/2005/sparql-results#")
    head = SubElement(root, "head")
    for name in result.variables:
        SubElement(head, "variable", name=name)
    if result.kind == "ask":
        SubElement(root, "boolean").text = "true" if result.boolean else "false"
    else:
        results = SubElement(root, "results")
        for row in result.rows:
            solution = SubElement(results, "result")
            for name, term in zip(result.variables, row, strict=False):
                if term is not None:
                    _xml_term(SubElement(solution, "binding", name=name), term)
    return '<?xml version="1.0"?>\n' + tostring(root, encoding="unicode") + "\n"


def _xml_term(binding, term) -> None:
    from xml.etree.ElementTree import SubElement

    kind = type(term).__name__
    if kind in ("NamedNode", "BlankNode"):
        SubElement(binding, "uri" if kind == "NamedNode" else "bnode").text = term.value
        return
    literal = SubElement(binding, "literal")
    if kind != "Literal":
        literal.text = str(term)
        return
    literal.text = term.value
    if term.language:
        literal.set("xml:lang", term.language)
    elif term.datatype.value != _XSD_STRING:
        literal.set("datatype", term.datatype.value)


def error_status(error: QueryError) -> int:
    """The HTTP status of a refused query: 403 for what is not allowed, 503 for one stopped by the time limit."""
    text = str(error)
    if "stopped after" in text:
        return 503
    if "refused" in text or "not allowed" in text:
        return 403
    return 400
