"""The read-only guard around every SPARQL query: what is refused before it runs, and the limits it runs within.

A query is checked before anything runs (``check_query``): updates (INSERT, DELETE, LOAD, CLEAR, DROP…), ``SERVICE``
and ``FROM``/``FROM NAMED`` are refused, a query too long or too deeply nested to parse safely is refused, an
undeclared prefix is named, and a syntax error is reported at its ``line:column`` with the offending line and a
caret. Then ``run_guarded`` runs it in a worker thread on a large stack that cannot open a network socket (a
seccomp filter, ``deny_network``), abandoned after ``timeout`` seconds or when it takes too much memory.

The embedded store's queries and those sent to a SPARQL server (``stores/endpoint.py``) pass the same guard.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ..errors import QueryError
from ..model.vocabulary import PREFIXES
from ..output import escape_control
from ..settings import QUERY_MEMORY
from .text import Token, decode_escapes, tokenize

T = TypeVar("T")

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

MEMORY_VARIABLE = QUERY_MEMORY.name
"""Megabytes a query may add to the process before it is stopped (default 1024). A sort of everything over the shipped
data reached 1.7 GB within the default time limit."""


_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


# -- checking ---------------------------------------------------------------------------------------


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
    return escape_control(line.replace("\t", " "))


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_query(text: str, timeout: float | None = DEFAULT_TIMEOUT) -> list[str] | None:
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
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:  # a byte that is not UTF-8 (an argument is decoded with surrogateescape): not text
        raise _error_at(
            text, surrogate.start(), "the query holds a byte that is not UTF-8 (or half of a character): remove it"
        )
    check_read_only(text)
    tokens = tokenize(text)
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
        for index, token in enumerate(tokenize(reading)):
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


def _refuse_word(text: str, token: Token) -> None:
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


def _parse(text: str, timeout: float | None = DEFAULT_TIMEOUT) -> list[str] | None:
    """Parse the query with Oxigraph against an empty store (a syntax check that reads nothing), off the network.

    Returns the projected variable names of a SELECT, else None. Oxigraph plans the query as it parses it, which
    can take long (a join of hundreds of patterns), so the time limit applies here too.
    """
    from pyoxigraph import QuerySolutions, Store

    def parse() -> list[str] | QueryError | None:
        try:
            parsed = Store().query(text, prefixes=PREFIXES)
        except SyntaxError as error:
            return syntax_error(text, str(error))
        return [variable.value for variable in parsed.variables] if isinstance(parsed, QuerySolutions) else None

    outcome = run_guarded(parse, timeout)
    if isinstance(outcome, QueryError):
        raise outcome
    return outcome


# -- running off the network, within time, stack and memory ------------------------------------------


_STACK_LOCK = threading.Lock()


def run_guarded(
    work: Callable[[], T], timeout: float | None, stop: threading.Event | None = None, offline: bool = True
) -> T:
    """Call ``work()`` in a worker thread on a large stack, that cannot open a network socket (unless not
    ``offline``); return its result.

    The worker is abandoned (``stop`` is set) when it takes longer than ``timeout`` seconds or the process grows
    by more than ``CROSSPLAN_QUERY_MEMORY`` megabytes meanwhile: Oxigraph cannot be interrupted, so this bounds
    how long the caller waits and how much it lets a query take before giving up, and the abandoned query stops
    at its next row or when the process exits. Raises QueryError then; an error of ``work`` is raised as is.
    """
    outcome: dict[str, Any] = {}
    stop = stop or threading.Event()

    def target() -> None:
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
    return cast(T, outcome.get("result"))


def _memory_limit() -> int:
    return QUERY_MEMORY.value(error=QueryError) << 20


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


def syntax_error(text: str, message: str) -> QueryError:
    """Word Oxigraph's syntax error (``error at LINE:COLUMN: expected …``) as a QueryError at that place."""
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
    word = re.match(r"[?$]?\w+|\S", rest)
    return f"'{word.group() if word else rest[0]}'"


def _reason(detail: str) -> str | None:
    """Pick a sentence out of Oxigraph's list of expected tokens (its keyword lists mislead more than help)."""
    for item in re.split(r",\s+(?=[^\]]*(?:\[|$))", detail.removeprefix("expected").removeprefix(" one of")):
        item = item.strip()
        if " " in item and re.search(r"[a-z]{3}", item) and not item.startswith(("[", '"', "'")):
            return item[0].lower() + item[1:] if not item[:2].isupper() else item
    return None


def _without_frames(error: BaseException) -> BaseException:
    """Drop the tracebacks of an error and of its causes: their frames hold pyoxigraph iterators that must
    be freed on the worker thread that made them, not on the caller's."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error
