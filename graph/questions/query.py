"""Run SPARQL over the graph: a query's text or a saved query by name, with its parameters bound, within the guard.

Saved queries are ``graph/questions/saved/*.rq`` files whose leading comments describe them::

    # title: Recommendations of a plan
    # description: Every recommendation of one plan in plan order.
    # param plan (id): the plan, such as hmip-resettlement
    SELECT ?plan ?recommendation ... WHERE { ?recommendation cp:inPlan ?plan ... }

A parameter is bound as a value through SPARQL substitutions (never pasted into the text), so a value
cannot change the query. Types: ``id`` (a node id, resolved like every id the user types), ``string``,
``date`` (YYYY-MM-DD) and ``integer``. A SELECT query must project its parameters (Oxigraph requires it);
their columns are left out of the results.

``run_query`` checks a query first and runs it off the network, within a time and memory limit
(``graph/sparql/guard.py``); ``graph/sparql/results.py`` prints what it returns.

    >>> from crossplan.graph import open_store
    >>> run_query(open_store(), "SELECT ?answer WHERE { BIND(6 * 7 AS ?answer) }").as_dicts()
    [{'answer': '42'}]
"""

from __future__ import annotations

import datetime
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CrossplanError, QueryError
from ..model.vocabulary import XSD, node_iri
from ..output import render_json, render_table
from ..resources import queries_dir
from ..sparql.guard import DEFAULT_TIMEOUT, check_query, run_guarded, syntax_error
from ..sparql.results import MAX_ROWS, QueryResult, collect_result
from ..text import did_you_mean
from .ids import resolve_id

if TYPE_CHECKING:
    from pyoxigraph import Literal, NamedNode, Variable

    from ..sparql.text import Substitutions
    from ..stores.protocol import GraphStore

PARAMETER_TYPES = ("id", "string", "date", "integer")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# -- saved queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A parameter of a saved query: bound to the query variable of the same name."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class SavedQuery:
    """A query with its header: name (the file name), title, description and parameters."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str


_HEADER = re.compile(r"#\s*(title|description|param)\b\s*(.*)", re.IGNORECASE)
_PARAM = re.compile(r"([A-Za-z_]\w*)\s*\(\s*(\w+)\s*\)\s*:?\s*(.*)")


def parse_header(text: str, name: str = "query") -> SavedQuery:
    """Read the leading comment header of a query (title, description, ``param NAME (TYPE): text`` lines).

    >>> parse_header("# title: Plans\\n# param plan (id): a plan\\nSELECT ?plan WHERE { ?plan a cp:Plan }").parameters
    (Parameter(name='plan', type='id', description='a plan'),)
    """
    fields: dict[str, str] = {"title": "", "description": ""}
    parameters: list[Parameter] = []
    last = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match:
            key, value = match.group(1).lower(), match.group(2).lstrip(":").strip()
            if key == "param":
                parameter = _PARAM.fullmatch(value)
                if not parameter or parameter.group(2) not in PARAMETER_TYPES:
                    raise QueryError(
                        f"{name}: bad parameter line '{stripped}' (write: # param NAME (TYPE): description, TYPE one of {', '.join(PARAMETER_TYPES)})"
                    )
                parameters.append(Parameter(parameter.group(1), parameter.group(2), parameter.group(3)))
                last = None
            else:
                fields[key] = value
                last = key
        elif last and stripped.lstrip("#").strip():
            fields[last] += " " + stripped.lstrip("#").strip()
    return SavedQuery(name, fields["title"], fields["description"], tuple(parameters), text)


def saved_queries() -> list[SavedQuery]:
    """Return the saved queries shipped in ``graph/questions/saved``, sorted by name."""
    return [parse_header(path.read_text(encoding="utf-8"), path.stem) for path in sorted(queries_dir().glob("*.rq"))]


def saved_query(name: str) -> SavedQuery:
    """Return one saved query by name; raise QueryError (with a did-you-mean) when there is none."""
    path = queries_dir() / f"{name}.rq"
    if _SLUG.fullmatch(name) and path.is_file():
        return parse_header(path.read_text(encoding="utf-8"), name)
    names = [query.name for query in saved_queries()]
    raise QueryError(f"no saved query '{name}'{did_you_mean(name, names)} (see `crossplan queries`)")


def bind_parameters(
    store: GraphStore, query: SavedQuery, values: dict[str, str]
) -> dict[Variable, NamedNode | Literal]:
    """Turn ``--param`` values into SPARQL substitutions, checking each against its declared type."""
    from pyoxigraph import Literal, NamedNode, Variable

    declared = {parameter.name: parameter for parameter in query.parameters}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise QueryError(f"unknown parameter '{unknown[0]}' ({query.name} takes: {takes})")
    missing = [parameter for parameter in query.parameters if parameter.name not in values]
    if missing:
        first = missing[0]
        raise QueryError(f"missing parameter: --param {first.name}=<{first.type}> ({first.description})")
    bound: dict[Variable, NamedNode | Literal] = {}
    for name, value in values.items():
        term: NamedNode | Literal
        kind = declared[name].type
        if kind == "id":
            term = NamedNode(node_iri(resolve_id(store, value)))
        elif kind == "date":
            term = Literal(_checked(value, name, _iso_date, "a date YYYY-MM-DD"), datatype=NamedNode(XSD.date))
        elif kind == "integer":
            term = Literal(
                _checked(value, name, lambda v: str(int(v)), "a whole number"), datatype=NamedNode(XSD.integer)
            )
        else:
            term = Literal(value)
        bound[Variable(name)] = term
    return bound


def _iso_date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    return datetime.date.fromisoformat(value).isoformat()


def _checked(value: str, name: str, convert: Callable[[str], str], what: str) -> str:
    try:
        return convert(value.strip())
    except ValueError:
        raise QueryError(f"parameter {name}: '{value}' is not {what}") from None


def parse_parameters(pairs: Iterable[str]) -> dict[str, str]:
    """Split ``KEY=VALUE`` strings (``--param`` values) into a dictionary; raise QueryError on a malformed one.

    >>> parse_parameters(["plan=hmip-resettlement", "phrase=a=b"])
    {'plan': 'hmip-resettlement', 'phrase': 'a=b'}
    """
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise QueryError(f"--param needs KEY=VALUE, not '{pair}'")
        if key.strip() in values:
            raise QueryError(f"--param {key.strip()} is given twice")
        values[key.strip()] = value
    return values


def format_saved_queries(
    queries: list[SavedQuery], output_format: str = "table", width: int | None = None, full: bool = False
) -> str:
    """List saved queries (name, parameters, title) as a table or JSON; ``full`` prints their whole text instead."""
    if output_format == "json":
        return (
            render_json(
                [
                    {
                        "name": q.name,
                        "title": q.title,
                        "description": q.description,
                        "parameters": [
                            {"name": p.name, "type": p.type, "description": p.description} for p in q.parameters
                        ],
                        "text": q.text,
                    }
                    for q in queries
                ]
            )
            + "\n"
        )
    if full:
        return "\n".join(q.text.rstrip("\n") + "\n" for q in queries)
    rows = [[q.name, ", ".join(f"{p.name} ({p.type})" for p in q.parameters), q.title] for q in queries]
    table = render_table(["name", "parameters", "title"], rows, width)
    return table + "\n\nRun one with: crossplan query NAME --param KEY=VALUE (see: crossplan queries NAME)\n"


# -- running ----------------------------------------------------------------------------------------


def run_query(
    store: GraphStore,
    text: str,
    parameters: dict[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int = MAX_ROWS,
) -> QueryResult:
    """Check and run a SPARQL query (or a saved query given by name) over ``store``; return its result.

    ``store`` is the embedded store or a SPARQL endpoint.
    ``parameters`` (name to text) are bound as declared by the query's header. Raises QueryError when the
    query is refused, malformed, takes longer than ``timeout`` seconds or fails; UnknownIdError for an
    ``id`` parameter that names no node. Oxigraph cannot cancel a query: one that times out is abandoned
    to a background thread, which stops at its next result row (or when the process exits).
    """
    query = saved_query(text.strip()) if _SLUG.fullmatch(text.strip()) else parse_header(text)
    projected = check_query(query.text, timeout)
    substitutions = bind_parameters(store, query, dict(parameters or {}))
    hidden = {variable.value for variable in substitutions}
    if hidden and projected is not None:
        missing = sorted(hidden - set(projected))
        if missing:
            raise QueryError(
                f"parameter ?{missing[0]} must appear in the SELECT clause of {query.name} (SPARQL substitution needs it there)"
            )
    started = time.perf_counter()
    result = _run_with_timeout(store, query.text, substitutions or None, timeout, max_rows)
    result.seconds = time.perf_counter() - started
    result.parameters = {variable.value: term.value for variable, term in substitutions.items()}
    if hidden and result.kind == "select":
        keep = [index for index, name in enumerate(result.variables) if name not in hidden]
        result.variables = [result.variables[index] for index in keep]
        result.rows = [tuple(row[index] for index in keep) for row in result.rows]
    return result


def _run_with_timeout(
    store: GraphStore, text: str, substitutions: Substitutions | None, timeout: float | None, max_rows: int
) -> QueryResult:
    # pyoxigraph releases the GIL while it evaluates, and its result iterators belong to the thread that made
    # them: so the query runs and is read in one worker thread, which stops between rows once abandoned.
    stop = threading.Event()
    offline = not store.remote  # a server's store must reach its server (and parses offline)
    try:
        return run_guarded(
            lambda: collect_result(store.query(text, substitutions), stop, max_rows), timeout, stop, offline
        )
    except QueryError:
        raise
    except SyntaxError as error:
        raise syntax_error(text, str(error)) from None
    except PermissionError as error:
        # only the network guard refuses a query this way (a SERVICE the checks did not see)
        raise QueryError(
            f"refused: the query tried to reach the network ({error}); queries only read this graph"
        ) from None
    except Exception as error:
        if isinstance(error, CrossplanError):
            raise
        raise QueryError(f"the query failed: {error}") from None
