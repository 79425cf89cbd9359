"""Evaluations in forked processes: a worker that aborts or runs away costs its task, never its parent."""

from __future__ import annotations

import asyncio
import faulthandler
import os
import signal
import subprocess
import sys
import time

import pytest

from crossplan.graph.errors import BusyError, EngineError, QueryError, UnknownIdError
from crossplan.graph.sparql.workers import WorkerPool, engine_failure, run_in_child

# An ORDER BY over integers and xsd:gYearMonth values together: Oxigraph's comparator calls the two incomparable
# kinds equal, Rust's sort detects that the order is not total, panics, and the panic aborts the process (SIGABRT).
# pyoxigraph 0.5.13; deterministic (see docs/upstream/oxigraph-order-by-panic.md).
_YM = "^^<http://www.w3.org/2001/XMLSchema#gYearMonth>"
CRASH = (
    "SELECT ?x WHERE { VALUES ?x { "
    + " ".join(
        f'"{value}"{_YM}' if "-" in value else value
        for value in (
            "2021-12 816 2010-08 286 73 2016-07 2025-04 2022-09 2030-09 186 784 1 2017-11 888 938 163 142 780 398 "
            "455 2017-01 2013-10 632 2011-03 129 632 2013-06 2029-05 135"
        ).split()
    )
    + " } }\nORDER BY ?x"
)


def _crash_in_oxigraph() -> str:
    from pyoxigraph import Store

    return str(len(list(Store().query(CRASH))))


def test_the_reproducer_aborts_a_bare_process():
    """The reproducer still aborts pyoxigraph when it runs unprotected (else the tests below prove nothing)."""
    pid = os.fork()
    if pid == 0:
        faulthandler.disable()  # pytest's stack dump on SIGABRT
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # the panic's message
        try:
            _crash_in_oxigraph()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT


def test_run_in_child_returns_the_text_or_the_error():
    assert run_in_child(lambda: "answer", lambda number: EngineError(str(number))) == "answer"

    def refused() -> str:
        raise UnknownIdError("no node with id 'x'")

    with pytest.raises(UnknownIdError, match="no node with id 'x'"):
        run_in_child(refused, lambda number: EngineError(str(number)))


def _python(code: str, **environ: str) -> subprocess.CompletedProcess:
    """Run code in a fresh (single-threaded) Python, as the command line runs."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, **environ}
    )


def test_an_abort_in_the_child_is_an_engine_error_and_the_parent_lives(tmp_path):
    (tmp_path / "crash.rq").write_text(CRASH, encoding="utf-8")
    done = _python(
        "import sys\n"
        "from crossplan.graph.sparql.workers import engine_failure, run_in_child\n"
        "from pyoxigraph import Store\n"
        f"query = open({str(tmp_path / 'crash.rq')!r}).read()\n"
        "try:\n"
        "    run_in_child(lambda: str(len(list(Store().query(query)))), lambda n: engine_failure(query, n))\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
        "print('parent alive')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("EngineError 2:1: the query engine failed on this query (it aborted with signal 6")
    assert "\n  ORDER BY ?x\n  ^" in done.stdout and done.stdout.endswith("parent alive\n")


def test_a_process_with_other_threads_is_not_forked():
    import threading

    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait, daemon=True)
    other.start()
    try:
        assert run_in_child(lambda: str(os.getpid()), lambda number: EngineError(str(number))) == str(os.getpid())
    finally:
        waiting.set()


def test_a_child_past_its_time_is_killed():
    done = _python(
        "import time\n"
        "from crossplan.graph.errors import EngineError\n"
        "from crossplan.graph.sparql.workers import run_in_child\n"
        "began = time.monotonic()\n"
        "try:\n"
        "    run_in_child(lambda: time.sleep(60) or 'late', lambda n: EngineError(f'signal {n}'), timeout=0.5)\n"
        "except EngineError as error:\n"
        "    print(error, round(time.monotonic() - began) < 5)\n"
    )
    assert done.stdout == "signal 9 True\n", done.stderr


def test_engine_failure_is_located_at_order_by_or_the_first_line():
    assert engine_failure("# a comment\nSELECT * WHERE { ?s ?p ?o }").line == 2
    assert engine_failure("SELECT ?s WHERE { ?s ?p ?o } order  by ?s").column == 30
    assert "saved query cross-plan-links" in str(engine_failure("cross-plan-links"))


def test_the_query_command_turns_an_abort_into_one_line(tmp_path):
    query = tmp_path / "crash.rq"
    query.write_text(CRASH, encoding="utf-8")
    environ = {**os.environ, "CROSSPLAN_CACHE": str(tmp_path / "cache")}
    environ.pop("CROSSPLAN_ENDPOINT", None)
    command = [sys.executable, "-m", "crossplan", "query"]
    done = subprocess.run([*command, "-f", str(query)], capture_output=True, text=True, env=environ, timeout=300)
    assert done.returncode == 1
    assert "Error: 2:1: the query engine failed on this query" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    answered = subprocess.run(
        [*command, "SELECT (COUNT(*) AS ?n) WHERE { ?s a cp:Plan }", "--format", "csv"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )
    assert answered.returncode == 0 and answered.stdout.splitlines()[0] == "n"


def _pool_tasks() -> dict:
    def echo(arguments: dict):
        return {"seen": arguments["text"]}, arguments["text"].encode("utf-8")

    def crash(arguments: dict):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        return {}, _crash_in_oxigraph().encode("utf-8")

    def spin(arguments: dict):
        while True:
            pass

    def refuse(arguments: dict):
        raise QueryError("1:8: syntax error")

    def pid(arguments: dict):
        return {}, str(os.getpid()).encode("ascii")

    return {"echo": echo, "crash": crash, "spin": spin, "refuse": refuse, "pid": pid}


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_the_pool_answers_survives_an_abort_and_kills_a_runaway():
    pool = WorkerPool(_pool_tasks(), workers=2)

    async def scenario():
        header, body = await pool.run("echo", {"text": "héllo"}, 5)
        assert header == {"seen": "héllo"} and body == "héllo".encode()
        with pytest.raises(QueryError, match="1:8: syntax error"):
            await pool.run("refuse", {}, 5)
        with pytest.raises(EngineError, match="the query engine failed on this query .*signal 6"):
            await pool.run("crash", {}, 30)
        assert (await pool.run("echo", {"text": "after"}, 5))[1] == b"after"
        began = time.monotonic()
        spinner = asyncio.ensure_future(pool.run("spin", {}, 1.0))
        await asyncio.sleep(0.3)
        busy = [pid for pid in pool._living if pid not in pool.pids()]  # the worker spinning
        assert len(busy) == 1
        with pytest.raises(QueryError, match="stopped after 1 s"):
            await spinner
        assert time.monotonic() - began < 2.0
        await asyncio.sleep(0.2)
        assert _cpu_seconds(busy[0]) is None  # killed and reaped: its core is free
        answers = await asyncio.gather(*(pool.run("echo", {"text": str(n)}, 5) for n in range(10)))
        assert [body for _, body in answers] == [str(n).encode() for n in range(10)]
        assert pool.restarts == 2 and len(pool._living) == 2

    try:
        asyncio.run(scenario())
    finally:
        pool.close(now=True)
    assert pool._living == {}


def test_past_the_cap_the_pool_is_busy_at_once():
    pool = WorkerPool(_pool_tasks(), workers=1, max_evaluations=1)

    async def scenario():
        spinner = asyncio.ensure_future(pool.run("spin", {}, 2.0))
        await asyncio.sleep(0.2)
        began = time.monotonic()
        with pytest.raises(BusyError, match="busy"):
            await pool.run("echo", {"text": "x"}, 5)
        assert time.monotonic() - began < 0.1
        with pytest.raises(QueryError):
            await spinner

    try:
        asyncio.run(scenario())
    finally:
        pool.close(now=True)


def test_close_now_kills_busy_workers():
    pool = WorkerPool(_pool_tasks(), workers=2)
    pids = list(pool._living)

    async def scenario():
        spinner = asyncio.ensure_future(pool.run("spin", {}, 30))
        await asyncio.sleep(0.2)
        pool.close(now=True)
        with pytest.raises(BaseException):  # noqa: B017 - its socket is gone: any failure, at once
            await asyncio.wait_for(spinner, 2)

    asyncio.run(scenario())
    assert all(_cpu_seconds(pid) is None for pid in pids)
