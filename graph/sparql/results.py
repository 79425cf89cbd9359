"""What a SPARQL query returned, and how it is shown: rows, a yes/no answer or triples, in every output format.

``collect_result`` reads pyoxigraph's results into a ``QueryResult`` (at most ``MAX_ROWS``); ``format_result``
prints one as a table, CSV, TSV, SPARQL JSON or Markdown (SELECT/ASK), or as Turtle, N-Triples or JSON-LD (graphs).
``display_term`` and ``compact_iri`` show a term as a person reads it (a node's global id, a prefixed name), and
``plain_value`` gives the Python value the questions work with (``GraphStore.select`` rows).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import QueryError
from ..model.vocabulary import PREFIXES, XSD, global_id_of
from ..output import escape_control, render_csv, render_json, render_rows

if TYPE_CHECKING:
    from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples

    #: what a query returns, as pyoxigraph gives it: solutions, a boolean or triples
    QueryResults = QuerySolutions | QueryBoolean | QueryTriples

MAX_ROWS = 100_000
"""Rows kept from one result; a larger result is cut here and marked ``truncated``."""

SELECT_FORMATS = ("table", "csv", "tsv", "json", "markdown")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
QUERY_FORMATS = SELECT_FORMATS + GRAPH_FORMATS


@dataclass
class QueryResult:
    """What a query returned: rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE.

    ``rows`` hold pyoxigraph terms (None where a variable is unbound); ``as_dicts()`` gives plain values.
    """

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    truncated: bool = False
    parameters: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dicts(self) -> list[dict[str, str | None]]:
        """Return the rows as dictionaries of variable name to the term's value (IRI, lexical form or None)."""
        return [
            {name: (term.value if term is not None else None) for name, term in zip(self.variables, row, strict=False)}
            for row in self.rows
        ]


def collect_result(results: QueryResults, stop: threading.Event, max_rows: int = MAX_ROWS) -> QueryResult:
    """Read pyoxigraph's results into a QueryResult: at most ``max_rows`` rows or triples (then ``truncated``),
    and none more once ``stop`` is set (the query was abandoned)."""
    from pyoxigraph import QueryBoolean, QuerySolutions

    if isinstance(results, QueryBoolean):
        return QueryResult("ask", boolean=bool(results))
    if isinstance(results, QuerySolutions):
        variables = [variable.value for variable in results.variables]
        result = QueryResult("select", variables)
        for solution in results:
            if stop.is_set():
                break
            if len(result.rows) >= max_rows:
                result.truncated = True
                break
            result.rows.append(tuple(solution[name] for name in variables))
        return result
    result = QueryResult("graph")
    for triple in results:
        if stop.is_set():
            break
        if len(result.triples) >= max_rows:
            result.truncated = True
            break
        result.triples.append(triple)
    return result


def plain_value(term: Any) -> str | int | None:
    """Return a term as a plain Python value: an ``xsd:integer`` as an int, any other term as its value (IRI,
    lexical form), an unbound one as None.

    >>> from pyoxigraph import Literal, NamedNode
    >>> plain_value(Literal("42", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    42
    """
    if term is None:
        return None
    value: str = term.value
    datatype = getattr(term, "datatype", None)
    if datatype is not None and datatype.value.endswith("#integer"):
        return int(value)
    return value


def solution_rows(results: QueryResults) -> list[dict[str, Any]]:
    """Return a SELECT's solutions as rows of plain values (``plain_value``), by variable name: what
    ``GraphStore.select`` returns. Raises QueryError for the results of another form of query."""
    from pyoxigraph import Literal, QuerySolutions

    if not isinstance(results, QuerySolutions):
        raise QueryError("select() takes a SELECT query; use query() for ASK, CONSTRUCT or DESCRIBE")
    names = [variable.value for variable in results.variables]

    def value(term: Any) -> str | int | None:  # ``plain_value``, without asking every term for a datatype
        if term is None:
            return None
        if type(term) is Literal and term.datatype.value.endswith("#integer"):
            return int(term.value)
        return term.value

    # a solution iterates over its values in the order of the variables
    return [dict(zip(names, map(value, solution), strict=True)) for solution in results]


# -- output -----------------------------------------------------------------------------------------


def display_term(term: Any) -> str:
    """Return a term as a person reads it: a node's global id, a prefixed name, or a literal's text.

    >>> from pyoxigraph import NamedNode, Literal
    >>> display_term(NamedNode("https://w3id.org/crossplan/id/yj-blueprint/community-3"))
    'yj-blueprint/community-3'
    >>> display_term(NamedNode("https://w3id.org/crossplan/ontology#feedsInto"))
    'cp:feedsInto'
    >>> display_term(Literal("2020-03", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")))
    '2020-03'
    """
    if term is None:
        return ""
    kind = type(term).__name__
    if kind == "NamedNode":
        return compact_iri(term.value)
    if kind == "BlankNode":
        return f"_:{term.value}"
    if kind == "Literal":
        return term.value
    return str(term)


_LOCAL = re.compile(r"[A-Za-z_][\w.-]*")


def compact_iri(iri: str) -> str:
    """Return a node IRI as its global id, an IRI under a pre-bound prefix as a prefixed name, else ``<iri>``."""
    node = global_id_of(iri)
    if node is not None and node:
        return node
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and _LOCAL.fullmatch(iri[len(base) :]) and not iri.endswith("."):
            return f"{prefix}:{iri[len(base) :]}"
    return f"<{iri}>"


def format_result(
    result: QueryResult,
    output_format: str | None = None,
    width: int | None = None,
    terminal: bool = True,
    full_iris: bool = True,
) -> str:
    """Render a result: SELECT/ASK as table, csv, tsv, json (SPARQL 1.1 JSON) or markdown; graphs as turtle, ntriples or jsonld.

    ``output_format`` None picks turtle for graphs, and for SELECT/ASK a table on a ``terminal``, else CSV.
    CSV/TSV/JSON follow the SPARQL 1.1 results formats (full IRIs); table and markdown show ids and
    prefixed names, with control characters escaped. With ``full_iris`` False, CSV shows the table's ids and
    prefixed names too (what the command line prints unless ``--full-iris``).
    """
    if result.kind == "graph":
        return _format_graph(result, output_format or "turtle")
    output_format = output_format or ("table" if terminal else "csv")
    if output_format not in SELECT_FORMATS:
        raise QueryError(
            f"{'an' if result.kind == 'ask' else 'a'} {result.kind.upper()} result prints as {', '.join(SELECT_FORMATS)}, not {output_format}"
        )
    if result.kind == "ask":
        return _format_boolean(result.boolean, output_format)
    if output_format == "json":
        return _sparql_json(result)
    if output_format == "csv":
        value = _csv_value if full_iris else _csv_display
        return render_csv(result.variables, [[value(term) for term in row] for row in result.rows])
    if output_format == "tsv":
        lines = ["\t".join(f"?{name}" for name in result.variables)]
        lines += ["\t".join("" if term is None else str(term) for term in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    rows = [[escape_control(display_term(term)) for term in row] for row in result.rows]
    text = render_rows(result.variables, rows, output_format, width)
    if output_format == "table":
        text += f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
    return text


def _csv_display(term: Any) -> str:
    return "" if term is None else display_term(term)


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if type(term).__name__ == "BlankNode" else term.value


def _format_boolean(value: bool | None, output_format: str) -> str:
    if output_format == "json":
        return render_json({"head": {}, "boolean": value}) + "\n"
    return ("true" if value else "false") + "\n"


def _sparql_json(result: QueryResult) -> str:
    bindings = []
    for row in result.rows:
        bindings.append(
            {name: json_term(term) for name, term in zip(result.variables, row, strict=False) if term is not None}
        )
    return render_json({"head": {"vars": result.variables}, "results": {"bindings": bindings}}) + "\n"


def json_term(term: Any) -> dict[str, Any]:
    """Return one term as the SPARQL 1.1 JSON results format writes it (RDF-star triples included)."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return {"type": "uri", "value": term.value}
    if kind == "BlankNode":
        return {"type": "bnode", "value": term.value}
    if kind == "Literal":
        entry = {"type": "literal", "value": term.value}
        if term.language:
            entry["xml:lang"] = term.language
        elif term.datatype.value != XSD.string:
            entry["datatype"] = term.datatype.value
        return entry
    return {
        "type": "triple",
        "value": {
            "subject": json_term(term.subject),
            "predicate": json_term(term.predicate),
            "object": json_term(term.object),
        },
    }


def _format_graph(result: QueryResult, output_format: str) -> str:
    from pyoxigraph import RdfFormat, serialize

    formats = {
        "turtle": RdfFormat.TURTLE,
        "ntriples": RdfFormat.N_TRIPLES,
        "jsonld": RdfFormat.JSON_LD,
        "json": RdfFormat.JSON_LD,
    }
    if output_format not in formats:
        raise QueryError(f"a CONSTRUCT or DESCRIBE result prints as {', '.join(GRAPH_FORMATS)}, not {output_format}")
    triples = sorted(set(result.triples), key=str)
    if output_format == "turtle":
        data = serialize(triples, format=formats[output_format], prefixes=PREFIXES)
    else:
        data = serialize(triples, format=formats[output_format])
    text = data.decode("utf-8") if isinstance(data, bytes) else (data or "")
    return text if text.endswith("\n") or not text else text + "\n"
