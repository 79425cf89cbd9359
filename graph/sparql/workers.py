"""Evaluations that can be stopped and may die: a supervised pool of forked workers, and a one-shot forked child.

Oxigraph cannot interrupt a query, and some queries abort the process that runs them (a Rust panic in its ORDER BY
comparator ends in SIGABRT: see docs/upstream/oxigraph-order-by-panic.md). A thread can only be abandoned, so a
runaway query keeps its core, and an abort takes every other request with it. A process can be killed, and its
death is seen by its parent: so evaluations run in forked children.

- ``WorkerPool`` (the server): a few worker processes forked from the server once its graph is loaded, so each
  holds the same in-memory graph (shared, copy-on-write) and the task functions. A task is sent by name with JSON
  arguments and answered with a JSON header and a body of bytes. A task past its time is killed (SIGKILL: the core
  is free at once) and its worker replaced; a worker that dies is replaced and its task fails with ``EngineError``;
  past ``max_evaluations`` tasks at once, ``BusyError`` at once instead of a queue that never empties.
- ``run_in_child`` (the command line): forks once, runs a function that returns text, and turns the child's death
  by a signal into ``EngineError``. Forking a command-line process that has not opened its store yet costs about a
  millisecond.

Nothing crosses between the processes but JSON and bytes: no pickle, so a child can never make its parent run code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import errors
from ..errors import BusyError, CrossplanError, EngineError, QueryError

if TYPE_CHECKING:
    import asyncio

Task = Callable[[dict], tuple[dict, bytes]]
"""A task function: JSON arguments in; a JSON header and a body out."""

_FRAME = struct.Struct("!IQ")  # header length, body length
_PR_SET_PDEATHSIG = 1
ENGINE_FAILED = "the query engine failed on this query"
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def default_workers() -> int:
    """Worker processes for this machine: one per core, at least two (so one stuck task never blocks the rest)."""
    return max(2, min(8, os.cpu_count() or 2))


# -- framing ----------------------------------------------------------------------------------------


def _frame(header: dict, body: bytes = b"") -> bytes:
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return _FRAME.pack(len(encoded), len(body)) + encoded + body


def _read_exactly(connection: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = connection.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(connection: socket.socket) -> tuple[dict, bytes] | None:
    head = _read_exactly(connection, _FRAME.size)
    if head is None:
        return None
    header_size, body_size = _FRAME.unpack(head)
    payload = _read_exactly(connection, header_size + body_size)
    if payload is None:
        return None
    return json.loads(payload[:header_size]), payload[header_size:]


async def _read_frame_async(loop: asyncio.AbstractEventLoop, connection: socket.socket) -> tuple[dict, bytes] | None:
    # asyncio is imported by the server's callers only: `crossplan query` must not pay for it (86 ms)
    async def exactly(size: int) -> bytes | None:
        buffer = bytearray()
        while len(buffer) < size:
            chunk = await loop.sock_recv(connection, min(size - len(buffer), 1 << 20))
            if not chunk:
                return None
            buffer += chunk
        return bytes(buffer)

    head = await exactly(_FRAME.size)
    if head is None:
        return None
    header_size, body_size = _FRAME.unpack(head)
    payload = await exactly(header_size + body_size)
    if payload is None:
        return None
    return json.loads(payload[:header_size]), payload[header_size:]


def _error_header(error: BaseException) -> dict:
    return {"error": type(error).__name__, "message": str(error)}


def rebuild_error(header: dict) -> Exception:
    """Return the exception a child reported: the library's own error type where it has one, else a RuntimeError."""
    kind, message = header.get("error", "RuntimeError"), header.get("message", "")
    known = getattr(errors, kind, None)
    if isinstance(known, type) and issubclass(known, CrossplanError) and kind != "DataError":
        try:
            return known(message)
        except TypeError:
            return CrossplanError(message)
    if kind == "ValueError":
        return ValueError(message)
    return RuntimeError(f"{kind}: {message}")


# -- the child's side -------------------------------------------------------------------------------


def _quiet_abort() -> None:
    """An abort is reported by the parent in one sentence: no Python stack dump from the child beside it."""
    import faulthandler

    faulthandler.disable()


def _become_child(keep: socket.socket) -> None:
    """Settle a freshly forked child: default signals, death with the parent, no inherited listening sockets."""
    _quiet_abort()
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE, signal.SIGCHLD):
        with contextlib.suppress(OSError, ValueError):
            signal.signal(number, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    # Close every inherited socket but our own: a worker must never hold the server's port open or answer a client.
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            descriptor = int(name)
            if descriptor <= 2 or descriptor == keep.fileno():
                continue
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/self/fd/{descriptor}").startswith("socket:"):
                    os.close(descriptor)


@dataclass
class Limits:
    """How a worker runs its tasks: on one thread with ``stack_size`` bytes of stack, after ``prepare()`` (run on
    that thread: e.g. the network guard), ended when it grows by more than ``memory`` bytes during a task."""

    stack_size: int | None = None
    prepare: Callable[[], None] | None = None
    memory: int | None = None
    memory_message: str = "the answer was stopped when it had taken too much memory"


def _resident_bytes() -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/statm", "rb") as statm:
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")
    return 0


def _serve_tasks(connection: socket.socket, tasks: dict[str, Task], limits: Limits) -> None:
    """A worker's life: answer tasks on one long-lived thread until the parent goes, or until a task left a thread
    running behind it; meanwhile this (the main) thread watches the memory a task takes."""
    sending = threading.Lock()
    running = threading.Event()
    finished = threading.Event()
    baseline: list[int] = []

    def send(header: dict, body: bytes = b"") -> None:
        with sending:
            connection.sendall(_frame(header, body))

    def serve() -> None:
        try:
            if limits.prepare is not None:
                limits.prepare()
            threads = threading.active_count()
            while True:
                frame = _read_frame(connection)
                if frame is None:
                    return
                request, _ = frame
                baseline[:] = [_resident_bytes()]
                running.set()
                try:
                    header, body = tasks[request["task"]](request.get("arguments", {}))
                    header = {"ok": True, **header}
                except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent as a reply
                    header, body = _error_header(error), b""
                running.clear()
                # A thread a task left running still holds a core here: say so, end, and be replaced.
                leaving = threading.active_count() > threads
                send({**header, "leaving": leaving}, body)
                if leaving:
                    return
        finally:
            finished.set()

    previous = None
    if limits.stack_size:
        with contextlib.suppress(ValueError, RuntimeError):
            previous = threading.stack_size(limits.stack_size)
    server = threading.Thread(target=serve, name="crossplan-worker", daemon=True)
    server.start()
    if previous is not None:
        threading.stack_size(previous)
    while not finished.wait(0.05):
        if limits.memory and running.is_set() and baseline and _resident_bytes() - baseline[0] > limits.memory:
            send({"error": "QueryError", "message": limits.memory_message, "leaving": True})
            return


# -- the pool (the server's side) -------------------------------------------------------------------


@dataclass
class _Worker:
    pid: int
    connection: socket.socket


class WorkerPool:
    """Worker processes forked from this one that run named tasks; see the module docstring.

    ``tasks`` are the functions a worker can run (inherited at the fork, with everything they refer to). Call
    ``run`` from the event loop; ``close`` from anywhere (it kills every worker at once).
    """

    def __init__(
        self,
        tasks: dict[str, Task],
        workers: int | None = None,
        max_evaluations: int = 128,
        limits: Limits | None = None,
    ) -> None:
        self.tasks = tasks
        self.limits = limits or Limits()
        self.size = workers or default_workers()
        self.max_evaluations = max_evaluations
        self.in_flight = 0
        self.restarts = 0
        self.closed = False
        self._idle: list[_Worker] = []
        self._waiters: list[asyncio.Future] = []
        self._lock = threading.RLock()  # close() may run in a signal handler on the loop's thread
        self._living: dict[int, _Worker] = {}
        for _ in range(self.size):
            self._idle.append(self._fork())

    def _fork(self) -> _Worker:
        parent_end, child_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the worker
            status = 0
            try:
                parent_end.close()
                _become_child(child_end)
                _serve_tasks(child_end, self.tasks, self.limits)
            except BaseException:  # noqa: BLE001 - a worker never returns into its parent's code
                status = 1
            finally:
                os._exit(status)
        child_end.close()
        parent_end.setblocking(False)
        worker = _Worker(pid, parent_end)
        self._living[pid] = worker
        return worker

    def _end(self, worker: _Worker) -> int | None:
        """Kill a worker, reap it and return how it ended (a negative number: the signal that ended it)."""
        if self._living.pop(worker.pid, None) is None:
            return None  # already ended
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.connection.close()
        try:
            _, status = os.waitpid(worker.pid, 0)
        except ChildProcessError:
            return None
        return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.pop(0)
                if not waiter.done():
                    waiter.set_result(worker)
                    return
            if not self.closed:
                self._idle.append(worker)
                return
        self._end(worker)  # a closed pool's worker, once nobody waits for it

    async def _acquire(self) -> _Worker:
        import asyncio

        with self._lock:
            if self._idle:
                return self._idle.pop()
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            raise

    async def run(self, task: str, arguments: dict, timeout: float, stopped: str | None = None) -> tuple[dict, bytes]:
        """Run a task in a worker; return its header and body, or raise what it raised.

        Raises BusyError at once past ``max_evaluations``; QueryError "stopped after" when it takes longer than
        ``timeout`` seconds (waiting for a free worker included; the worker is killed), worded by ``stopped`` when
        given; EngineError when the worker dies on it.
        """
        if self.closed:
            raise BusyError("the data has just changed; ask again")
        if self.in_flight >= self.max_evaluations:
            raise BusyError(f"busy: {self.in_flight} questions and queries are being answered; try again in a moment")
        import asyncio

        self.in_flight += 1
        loop = asyncio.get_running_loop()
        worker: _Worker | None = None
        try:
            async with asyncio.timeout(timeout):
                worker = await self._acquire()
                await loop.sock_sendall(worker.connection, _frame({"task": task, "arguments": arguments}))
                frame = await _read_frame_async(loop, worker.connection)
        except TimeoutError:
            if worker is not None:
                self._replace(worker)
            raise QueryError(
                stopped
                or f"the answer was stopped after {timeout:g} s (it may be too broad; narrow it or allow more time)"
            ) from None
        except BaseException:  # cancelled (the client went away, the server stops): the worker's state is unknown
            if worker is not None:
                self._replace(worker)
            raise
        finally:
            self.in_flight -= 1
        if frame is None:
            ended = self._replace(worker)
            what = f"signal {-ended}" if ended is not None and ended < 0 else f"status {ended}"
            raise EngineError(f"{ENGINE_FAILED} (the worker process ended with {what}); nothing else was affected")
        header, body = frame
        if header.pop("leaving", False):
            self._replace(worker)
        else:
            self._release(worker)
        if header.pop("ok", False):
            return header, body
        raise rebuild_error(header)

    def _replace(self, worker: _Worker) -> int | None:
        ended = self._end(worker)
        if not self.closed or self._waiters:
            self.restarts += 1
            self._release(self._fork())
        return ended

    def close(self, now: bool = False) -> None:
        """Refuse new tasks and kill the idle workers now, the busy ones once their answer is sent (thread-safe);
        ``now``: the busy ones too (the server stops)."""
        with self._lock:
            self.closed = True
            idle, self._idle = self._idle, []
        for worker in [*idle, *(list(self._living.values()) if now else [])]:
            self._end(worker)

    def pids(self) -> list[int]:
        """The idle workers' process ids (for tests and status)."""
        return [worker.pid for worker in self._idle]


# -- one forked child (the command line) ------------------------------------------------------------


def _threads() -> int:
    """Threads of this process, the runtime's own (a database's background threads) included."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def run_in_child(work: Callable[[], str], failed: Callable[[int], Exception], timeout: float | None = None) -> str:
    """Run ``work()`` in a forked child and return the text it returns, or raise what it raised.

    A child that dies without answering (an abort inside the engine) raises ``failed(signal_number)``; one that has
    not answered within ``timeout`` seconds is killed (``failed(9)``). Call this before opening anything a fork should
    not share (a store's database): the child opens it itself. A process that already runs other threads (a test
    runner, a notebook) is not forked — a lock one of them holds would be held forever in the child — and ``work``
    runs here instead.
    """
    if _threads() > 1:
        return work()
    parent_end, child_end = socket.socketpair()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            parent_end.close()
            _quiet_abort()
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            relay = _capture_stderr()
            answer: dict[str, object]
            try:
                answer, text = {"ok": True}, work().encode("utf-8")
            except BaseException as error:  # noqa: BLE001 - handed to the parent
                answer, text = dict(_error_header(error)), b""
            if relay is not None:
                sys.stderr.flush()
                answer["stderr"] = relay.getvalue().decode("utf-8", "replace")
            child_end.sendall(_frame(answer, text))
        finally:
            os._exit(0)
    child_end.close()
    parent_end.settimeout(timeout)
    try:
        frame = _read_frame(parent_end)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        frame = None
    finally:
        parent_end.close()
        _, status = os.waitpid(pid, 0)
    if frame is None:
        number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        raise failed(number)
    header, body = frame
    if header.get("stderr"):
        sys.stderr.write(header["stderr"])
    if header.get("ok"):
        return body.decode("utf-8")
    raise rebuild_error(header)


def _capture_stderr():
    """In the child: when the parent's stderr is no file (a test runner's buffer), collect what the child writes to
    it (warnings) and hand it back with the answer; a real stderr is shared, so progress shows as it happens."""
    import io

    try:
        sys.stderr.fileno()
        return None
    except (AttributeError, OSError, ValueError):
        buffer = io.BytesIO()
        sys.stderr = io.TextIOWrapper(buffer, encoding="utf-8", write_through=True)
        return buffer


def engine_failure(query: str, number: int = 0) -> EngineError:
    """Return the error for a query the engine died on, located at its ORDER BY (the known abort) or first line.

    >>> print(engine_failure("SELECT ?x\\nWHERE { ?x ?p ?o }\\nORDER BY ?x", 6))
    3:1: the query engine failed on this query (it aborted with signal 6, a known Oxigraph bug when ORDER BY meets values it cannot compare); nothing else was affected
      ORDER BY ?x
      ^
    """
    lines = query.splitlines() or [query]
    if len(lines) == 1 and not any(character.isspace() for character in query.strip()):
        return EngineError(f"{ENGINE_FAILED} (saved query {query.strip()}); nothing else was affected")
    chosen = next((n for n, line in enumerate(lines) if _ORDER_BY.search(line)), None)
    if chosen is None:
        chosen = next((n for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), 0)
    match = _ORDER_BY.search(lines[chosen])
    column = match.start() + 1 if match else len(lines[chosen]) - len(lines[chosen].lstrip()) + 1
    how = f"it aborted with signal {number}" if number else "its process ended"
    hint = ", a known Oxigraph bug when ORDER BY meets values it cannot compare" if match else ""
    source = lines[chosen] if len(lines[chosen]) <= 160 else lines[chosen][max(0, column - 60) : column + 100]
    caret = column if len(lines[chosen]) <= 160 else column - max(0, column - 60)
    return EngineError(f"{ENGINE_FAILED} ({how}{hint}); nothing else was affected", chosen + 1, column, source, caret)
