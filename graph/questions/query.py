"""Run SPARQL over the graph: read-only checks, pre-bound prefixes, saved queries, a time limit, and output.

A query is checked before anything runs: updates (INSERT, DELETE, LOAD, CLEAR, DROP…), ``SERVICE`` and
``FROM``/``FROM NAMED`` are refused, an undeclared prefix is named, and a syntax error is reported at its
``line:column`` with the offending line and a caret. The store runs it in a worker thread so that a runaway
query is abandoned after ``timeout`` seconds.

Saved queries are ``graph/queries/*.rq`` files whose leading comments describe them::

    # title: Recommendations of a plan
    # description: Every recommendation of one plan in plan order.
    # param plan (id): the plan, such as hmip-resettlement
    SELECT ?plan ?recommendation ... WHERE { ?recommendation cp:inPlan ?plan ... }

A parameter is bound as a value through SPARQL substitutions (never pasted into the text), so a value
cannot change the query. Types: ``id`` (a node id, resolved like every id the user types), ``string``,
``date`` (YYYY-MM-DD) and ``integer``. A SELECT query must project its parameters (Oxigraph requires it);
their columns are left out of the results.

    >>> from pyoxigraph import Store
    >>> from crossplan.graph.stores.embedded import CrossplanStore
    >>> run_query(CrossplanStore(Store(), None, None), "SELECT ?answer WHERE { BIND(6 * 7 AS ?answer) }").as_dicts()
    [{'answer': '42'}]
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from dataclasses import dataclass, field

from ..errors import QueryError
from ..model.vocabulary import PREFIXES, XSD, global_id_of
from ..sparql.text import decode_escapes

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run before it is abandoned."""

MAX_QUERY_CHARACTERS = 1_000_000
"""Longest query text accepted. Oxigraph's parser recurses; a 19 MB query crashed the process (SIGSEGV)."""

MAX_QUERY_TOKENS = 20_000
"""Most words, names, values and symbols in one query. A chain of operators (``1+1+…``, ``{…} UNION {…} …``) is
as deep for Oxigraph as it is long: 6,600 of them overflowed a thread's usual 8 MiB stack. On the 256 MiB stack
a query runs on (``QUERY_STACK``), 20,000 tokens (at most 10,000 operators) stay far inside it."""

MAX_NESTING = 256
"""Deepest nesting of ``( [ {`` in a query: 3,000 braces overflowed an 8 MiB stack."""

QUERY_STACK = 256 << 20
"""Bytes of stack for the thread that parses and runs a query (reserved address space, touched only as used)."""

MEMORY_VARIABLE = "CROSSPLAN_QUERY_MEMORY"
DEFAULT_MEMORY_MB = 1024
"""Megabytes a query may add to the process before it is stopped (``CROSSPLAN_QUERY_MEMORY`` overrides). A sort of
everything over the shipped data reached 1.7 GB within the default time limit."""

MAX_ROWS = 100_000
"""Rows kept from one result; a larger result is cut here and marked ``truncated``."""

SELECT_FORMATS = ("table", "csv", "tsv", "json", "markdown")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
QUERY_FORMATS = SELECT_FORMATS + GRAPH_FORMATS
PARAMETER_TYPES = ("id", "string", "date", "integer")

_TOKEN_PATTERN = r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<variable>[?$]\w+)
  | (?P<blank>_:[\w.-]*)
  | (?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00c0-\U000effff][\w.-]*)?:(?:[\w:%.-]|\\.)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S)
    """
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


# -- checking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


@functools.cache
def _token_regex() -> re.Pattern:
    # Compiled on first use: it is the costliest part of importing this module.
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(match.lastgroup, match.group(), match.start())
        for match in _token_regex().finditer(text)
        if match.lastgroup != "comment"
    ]


def _position(text: str, offset: int) -> tuple[int, int, str]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return line, offset - start + 1, text[start : end if end != -1 else len(text)]


_SHOWN = 160  # characters of an offending line shown around the error (a minified query is one long line)


def _error_at(text: str, offset: int, message: str) -> QueryError:
    line, column, source = _position(text, offset)
    return _located(message, line, column, source)


def _located(message: str, line: int, column: int, source: str) -> QueryError:
    """Make a QueryError at ``line:column`` showing the line, or the part of a long line around the column."""
    if len(source) <= _SHOWN:
        return QueryError(message, line, column, _visible(source))
    start = max(0, min(column - 1 - _SHOWN // 2, len(source) - _SHOWN))
    shown = ("…" if start else "") + source[start : start + _SHOWN] + ("…" if start + _SHOWN < len(source) else "")
    return QueryError(message, line, column, _visible(shown), caret=column - start + (1 if start else 0))


def _visible(line: str) -> str:
    from ..output import escape_control

    return escape_control(line.replace("\t", " "))


def check_query(text: str, timeout: float | None = DEFAULT_TIMEOUT):
    """Refuse what a crossplan query may not do and report syntax errors, before anything runs.

    Raises QueryError for a query too long or too deeply nested to parse safely, an update, ``SERVICE``,
    ``FROM``/``FROM NAMED``, an undeclared prefix or a syntax error, located at ``line:column``. Returns the
    names of the variables a SELECT projects (None for another form).

    >>> check_query("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    crossplan.graph.errors.QueryError: 1:1: refused: DELETE would change the graph; queries are read-only (use SELECT, CONSTRUCT, DESCRIBE or ASK)
      DELETE WHERE { ?s ?p ?o }
      ^
    """
    if not text.strip():
        raise QueryError("the query is empty")
    check_read_only(text)
    tokens = _tokens(text)
    declared = set(PREFIXES)
    for index, token in enumerate(tokens):
        if (
            token.kind == "word"
            and token.text.upper() == "PREFIX"
            and index + 1 < len(tokens)
            and tokens[index + 1].kind == "pname"
        ):
            declared.add(tokens[index + 1].text.split(":", 1)[0])
        elif token.kind == "pname":
            prefix = token.text.split(":", 1)[0]
            previous = tokens[index - 1] if index else None
            if prefix not in declared and not (
                previous and previous.kind == "word" and previous.text.upper() == "PREFIX"
            ):
                known = ", ".join(PREFIXES)
                raise _error_at(
                    text,
                    token.start,
                    f"unknown prefix '{prefix}:' (declare it with PREFIX {prefix}: <…>; pre-bound: {known})",
                )
    return _parse(text, timeout)


def check_read_only(text: str) -> None:
    """Refuse a query that could change data, reach another server or choose its own graphs, or is too big to parse.

    The check reads the query twice: as Oxigraph tokenises it (``\\u`` escapes inside IRIs and strings), and
    with every ``\\uXXXX``/``\\UXXXXXXXX`` escape decoded first, as SPARQL 1.1 (section 19.2) has it. What
    either reading shows is refused, so an escape cannot hide a word from the check. Raises QueryError, located.
    """
    if len(text) > MAX_QUERY_CHARACTERS:
        raise QueryError(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARACTERS:,} are accepted "
            "(a longer one could crash the SPARQL parser)"
        )
    decoded = decode_escapes(text)
    for reading in (text, decoded) if decoded != text else (text,):
        depth = 0
        for index, token in enumerate(_tokens(reading)):
            if index == MAX_QUERY_TOKENS:
                raise _error_at(
                    reading,
                    token.start,
                    f"the query has more than {MAX_QUERY_TOKENS:,} words and symbols; "
                    "split it up (a longer one could crash the SPARQL parser)",
                )
            if token.kind == "other" and token.text in "([{":
                depth += 1
                if depth > MAX_NESTING:
                    raise _error_at(
                        reading,
                        token.start,
                        f"the query nests brackets more than {MAX_NESTING} deep; "
                        "simplify it (deeper nesting could crash the SPARQL parser)",
                    )
            elif token.kind == "other" and token.text in ")]}":
                depth = max(depth - 1, 0)
            elif token.kind == "word":
                _refuse_word(reading, token)
    if not network_guard_available():
        # No seccomp filter to stand behind the check: fail closed on the word itself, wherever it is written.
        found = re.search(r"service", decoded, re.IGNORECASE)
        if found:
            raise _error_at(
                decoded,
                found.start(),
                "refused: on this system a query cannot be kept off the network, "
                "so 'service' may not appear anywhere in it (not even in a string or comment)",
            )


def _refuse_word(text: str, token: _Token) -> None:
    word = token.text.upper()
    if word in _UPDATE_WORDS:
        raise _error_at(
            text,
            token.start,
            f"refused: {word} would change the graph; queries are read-only (use SELECT, CONSTRUCT, DESCRIBE or ASK)",
        )
    if word == "SERVICE":
        raise _error_at(text, token.start, "refused: SERVICE would query another server; queries only read this graph")
    if word == "FROM":
        raise _error_at(
            text,
            token.start,
            "refused: FROM chooses the graphs to read; queries always read the whole graph (use GRAPH <…> { } to look inside one plan's graph)",
        )


def _parse(text: str, timeout: float | None = DEFAULT_TIMEOUT):
    """Parse the query with Oxigraph against an empty store (a syntax check that reads nothing), off the network.

    Returns the projected variable names of a SELECT, else None. Oxigraph plans the query as it parses it, which
    can take long (a join of hundreds of patterns), so the time limit applies here too.
    """
    from pyoxigraph import QuerySolutions, Store

    def parse():
        try:
            parsed = Store().query(text, prefixes=PREFIXES)
        except SyntaxError as error:
            return _syntax_error(text, str(error))
        return [variable.value for variable in parsed.variables] if isinstance(parsed, QuerySolutions) else None

    outcome = run_guarded(parse, timeout)
    if isinstance(outcome, QueryError):
        raise outcome
    return outcome


# -- running off the network, within time, stack and memory ------------------------------------------


_STACK_LOCK = threading.Lock()


def run_guarded(work, timeout: float | None, stop: threading.Event | None = None, offline: bool = True):
    """Call ``work()`` in a worker thread on a large stack, that cannot open a network socket (unless not
    ``offline``); return its result.

    The worker is abandoned (``stop`` is set) when it takes longer than ``timeout`` seconds or the process grows
    by more than ``CROSSPLAN_QUERY_MEMORY`` megabytes meanwhile: Oxigraph cannot be interrupted, so this bounds
    how long the caller waits and how much it lets a query take before giving up, and the abandoned query stops
    at its next row or when the process exits. Raises QueryError then; an error of ``work`` is raised as is.
    """
    outcome: dict = {}
    stop = stop or threading.Event()

    def target():
        try:
            if offline and not deny_network() and network_guard_available():
                # the guard worked before and fails now: refuse rather than run unguarded
                outcome["error"] = QueryError(
                    "refused: the query could not be kept off the network (seccomp filter failed)"
                )
                return
            outcome["result"] = work()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = _without_frames(error)

    with _STACK_LOCK:
        try:
            previous = threading.stack_size(QUERY_STACK)
        except (ValueError, RuntimeError):  # a system that cannot size thread stacks: its default, and the limits
            previous = None
        try:
            worker = threading.Thread(target=target, name="crossplan-query", daemon=True)
            worker.start()
        finally:
            if previous is not None:
                threading.stack_size(previous)
    limit = _memory_limit()
    baseline = _resident_bytes()
    deadline = None if timeout is None else time.monotonic() + timeout
    while worker.is_alive():
        worker.join(0.02)
        if deadline is not None and time.monotonic() > deadline and worker.is_alive():
            stop.set()
            raise QueryError(
                f"the query was stopped after {timeout:g} s (it may be too broad; allow more time with --timeout SECONDS)"
            )
        if baseline is not None and worker.is_alive() and (_resident_bytes() or 0) - baseline > limit:
            stop.set()
            raise QueryError(
                f"the query was stopped when it had taken {limit >> 20:,} MB of memory (it may be too broad, "
                f"such as sorting everything; allow more with {MEMORY_VARIABLE}=MEGABYTES)"
            )
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def _memory_limit() -> int:
    text = os.environ.get(MEMORY_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MEMORY_MB << 20
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise QueryError(f"{MEMORY_VARIABLE}='{text}' is not a whole number of megabytes above 0")
    return value << 20


def _resident_bytes() -> int | None:
    """Return the memory the process holds now, or None where that cannot be read.

    On Linux, the resident pages that are not shared with a file: a store read through memory-mapped files
    does not count, what a query allocates does.
    """
    try:
        with open("/proc/self/statm", "rb") as statm:
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the peak: it only grows, which errs on safety
        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return None


_SECCOMP = {  # machine: (audit architecture, syscall numbers of socket and connect)
    "x86_64": (0xC000003E, (41, 42)),
    "amd64": (0xC000003E, (41, 42)),
    "aarch64": (0xC00000B7, (198, 203)),
    "arm64": (0xC00000B7, (198, 203)),
}


@functools.cache
def network_guard_available() -> bool:
    """Return whether a query thread can be kept off the network here (tried once, in a thread of its own)."""
    outcome = []
    probe = threading.Thread(target=lambda: outcome.append(deny_network()), name="crossplan-probe", daemon=True)
    probe.start()
    probe.join()
    return bool(outcome and outcome[0])


def deny_network() -> bool:
    """Forbid the calling thread (only it) to open or connect a socket, for the rest of its life; return success.

    Oxigraph evaluates ``SERVICE`` with its own HTTP client, and pyoxigraph has no switch to turn that off: this
    seccomp filter makes any such request fail with "Operation not permitted" whatever the query checks miss.
    Linux on x86-64 and arm64 only; elsewhere False (and a query that so much as mentions "service" is refused).
    """
    import platform
    import sys

    if getattr(_thread_state, "offline", False):
        return True
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _SECCOMP:
        return False
    import ctypes
    import errno

    class _Instruction(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]

    class _Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]

    architecture, calls = _SECCOMP[machine]
    load_word, jump_equal, jump_above_equal, give = 0x20, 0x15, 0x35, 0x06
    allow, refuse = 0x7FFF0000, 0x00050000 | errno.EPERM
    count = len(calls)
    program = [
        (load_word, 0, 0, 4),  # seccomp_data.arch
        (jump_equal, 0, count + 3, architecture),  # another architecture's system call: refused
        (load_word, 0, 0, 0),  # seccomp_data.nr
        (jump_above_equal, count + 1, 0, 0x40000000),  # the x32 numbering: refused
        *[(jump_equal, count - index, 0, number) for index, number in enumerate(calls)],
        (give, 0, 0, allow),
        (give, 0, 0, refuse),
    ]
    instructions = (_Instruction * len(program))(*[_Instruction(*step) for step in program])
    libc = ctypes.CDLL(None, use_errno=True)
    no_new_privileges, set_seccomp, filter_mode = 38, 22, 2
    if libc.prctl(no_new_privileges, 1, 0, 0, 0) != 0:
        return False
    if libc.prctl(set_seccomp, filter_mode, ctypes.byref(_Program(len(program), instructions)), 0, 0) != 0:
        return False
    _thread_state.offline = True
    return True


_thread_state = threading.local()


def _syntax_error(text: str, message: str) -> QueryError:
    match = _ERROR.match(message)
    if not match:
        return QueryError(f"syntax error: {message}")
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    reason = _reason(match.group(3))
    found = _found_at(source, column, last=line >= len(lines))
    return _located(f"syntax error: {reason or 'unexpected ' + found}", line, column, source)


def _found_at(line: str, column: int, last: bool) -> str:
    rest = line[column - 1 :].lstrip() if column - 1 < len(line) else ""
    if not rest:
        return "end of query" if last else "end of line"
    word = re.match(r"[?$]?\w+|\S", rest).group()
    return f"'{word}'"


def _reason(detail: str) -> str | None:
    """Pick a sentence out of Oxigraph's list of expected tokens (its keyword lists mislead more than help)."""
    for item in re.split(r",\s+(?=[^\]]*(?:\[|$))", detail.removeprefix("expected").removeprefix(" one of")):
        item = item.strip()
        if " " in item and re.search(r"[a-z]{3}", item) and not item.startswith(("[", '"', "'")):
            return item[0].lower() + item[1:] if not item[:2].isupper() else item
    return None


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
    """Return the saved queries shipped in ``graph/queries``, sorted by name."""
    from ..resources import queries_dir

    return [parse_header(path.read_text(encoding="utf-8"), path.stem) for path in sorted(queries_dir().glob("*.rq"))]


def saved_query(name: str) -> SavedQuery:
    """Return one saved query by name; raise QueryError (with a did-you-mean) when there is none."""
    from ..resources import queries_dir

    path = queries_dir() / f"{name}.rq"
    if _SLUG.fullmatch(name) and path.is_file():
        return parse_header(path.read_text(encoding="utf-8"), name)
    from ..text import did_you_mean

    names = [query.name for query in saved_queries()]
    raise QueryError(f"no saved query '{name}'{did_you_mean(name, names)} (see `crossplan queries`)")


def bind_parameters(store, query: SavedQuery, values: dict[str, str]) -> dict:
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
    bound = {}
    for name, value in values.items():
        kind = declared[name].type
        if kind == "id":
            from ..model.vocabulary import node_iri
            from .ids import resolve_id

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
    import datetime

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    return datetime.date.fromisoformat(value).isoformat()


def _checked(value: str, name: str, convert, what: str) -> str:
    try:
        return convert(value.strip())
    except ValueError:
        raise QueryError(f"parameter {name}: '{value}' is not {what}") from None


def parse_parameters(pairs) -> dict[str, str]:
    """Split ``KEY=VALUE`` strings (``--param`` values) into a dictionary; raise QueryError on a malformed one.

    >>> parse_parameters(["plan=hmip-resettlement", "phrase=a=b"])
    {'plan': 'hmip-resettlement', 'phrase': 'a=b'}
    """
    values = {}
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
    from ..output import render_json, render_table

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


@dataclass
class QueryResult:
    """What a query returned: rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE.

    ``rows`` hold pyoxigraph terms (None where a variable is unbound); ``as_dicts()`` gives plain values.
    """

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    truncated: bool = False
    parameters: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dicts(self) -> list[dict[str, str | None]]:
        """Return the rows as dictionaries of variable name to the term's value (IRI, lexical form or None)."""
        return [
            {name: (term.value if term is not None else None) for name, term in zip(self.variables, row, strict=False)}
            for row in self.rows
        ]


def run_query(
    store,
    text: str,
    parameters: dict[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int = MAX_ROWS,
) -> QueryResult:
    """Check and run a SPARQL query (or a saved query given by name) over ``store``; return its result.

    ``store`` is anything with ``query(sparql, substitutions)`` (the embedded store or a SPARQL endpoint).
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


def _run_with_timeout(store, text: str, substitutions, timeout, max_rows) -> QueryResult:
    # pyoxigraph releases the GIL while it evaluates, and its result iterators belong to the thread that made
    # them: so the query runs and is read in one worker thread, which stops between rows once abandoned.
    from ..stores.endpoint import EndpointStore

    stop = threading.Event()
    offline = not isinstance(store, EndpointStore)  # a server's store must reach its server (and parses offline)
    try:
        return run_guarded(lambda: _collect(store.query(text, substitutions), stop, max_rows), timeout, stop, offline)
    except QueryError:
        raise
    except SyntaxError as error:
        raise _syntax_error(text, str(error)) from None
    except PermissionError as error:
        # only the network guard refuses a query this way (a SERVICE the checks did not see)
        raise QueryError(
            f"refused: the query tried to reach the network ({error}); queries only read this graph"
        ) from None
    except Exception as error:
        from ..errors import CrossplanError

        if isinstance(error, CrossplanError):
            raise
        raise QueryError(f"the query failed: {error}") from None


def _without_frames(error: BaseException) -> BaseException:
    """Drop the tracebacks of an error and of its causes: their frames hold pyoxigraph iterators that must
    be freed on the worker thread that made them, not on the caller's."""
    seen = set()
    current = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error


def _collect(results, stop: threading.Event, max_rows: int) -> QueryResult:
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


# -- output -----------------------------------------------------------------------------------------


def display_term(term) -> str:
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
        raise QueryError(f"a {result.kind.upper()} result prints as {', '.join(SELECT_FORMATS)}, not {output_format}")
    if result.kind == "ask":
        return _format_boolean(result.boolean, output_format)
    if output_format == "json":
        return _sparql_json(result)
    if output_format == "csv":
        from ..output import render_csv

        value = _csv_value if full_iris else _csv_display
        return render_csv(result.variables, [[value(term) for term in row] for row in result.rows])
    if output_format == "tsv":
        lines = ["\t".join(f"?{name}" for name in result.variables)]
        lines += ["\t".join("" if term is None else str(term) for term in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    from ..output import escape_control, render_rows

    rows = [[escape_control(display_term(term)) for term in row] for row in result.rows]
    text = render_rows(result.variables, rows, output_format, width)
    if output_format == "table":
        text += f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
    return text


def _csv_display(term) -> str:
    return "" if term is None else display_term(term)


def _csv_value(term) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if type(term).__name__ == "BlankNode" else term.value


def _format_boolean(value: bool, output_format: str) -> str:
    if output_format == "json":
        from ..output import render_json

        return render_json({"head": {}, "boolean": value}) + "\n"
    return ("true" if value else "false") + "\n"


def _sparql_json(result: QueryResult) -> str:
    from ..output import render_json

    bindings = []
    for row in result.rows:
        bindings.append(
            {name: _json_term(term) for name, term in zip(result.variables, row, strict=False) if term is not None}
        )
    return render_json({"head": {"vars": result.variables}, "results": {"bindings": bindings}}) + "\n"


def _json_term(term) -> dict:
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
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
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
