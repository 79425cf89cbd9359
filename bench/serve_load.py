"""Load on `crossplan serve`: many readers at once while an edit lands, on loopback, bounded in count and time.

    python -m bench.serve_load [--clients 50] [--requests 40] [--max-seconds 120]
    python -m bench.serve_load --wrk [--seconds 8] [--connections 50] [--threads 2]

Starts the installed ``crossplan serve --allow-edits`` (in a new process, on 127.0.0.1, port chosen by the system)
on a copy of the shipped data, then runs ``--clients`` client threads at once, each sending ``--requests``
requests in turn to ``/sparql`` (a SELECT of every recommendation, JSON results; each request a different text, so
none is answered from the generation's answer cache) and to the mapping page
(``/questions/mapping?from=hmip-resettlement&to=yj-blueprint``, HTML: the same page each time, so after the first
(and after the edit's new generation) it is drawn from cache), stopping early at ``--max-seconds``. One
second in, an edit lands: a suggestion is accepted through ``/review/accept`` with the token (validated YAML
write, new store generation, swap). It prints p50/p95/max latency and errors per route (an error is any status
but 200, or a failed connection), the edit's own time, and — for issue 19 — the same query run directly on an
in-memory pyoxigraph store against one client's /sparql round trip. Results also go to bench/out/serve_load.json.

``--wrk`` (issue 29; also the ``serve`` row of ``python -m bench run``): throughput on uncached queries against the
Oxigraph server. The shipped data's quads (named graphs and their union as the default graph, as crossplan serve
holds them) are loaded into an Oxigraph store (``oxigraph load``, the ``oxigraph`` package of the test extra) served
by ``oxigraph serve-read-only``; ``crossplan serve`` serves the same data. Debian's ``wrk`` then sends each, one after
the other, the saved ``cross-plan-links`` SELECT (its prefixes declared) as ``application/sparql-query`` with a
distinct comment in every request, so that crossplan's answer cache never answers; it prints requests/s, latency and
the ratio crossplan / Oxigraph (issue 29 asks for at least 1). Results go to bench/out/serve_wrk.json.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
TOKEN = "bench-token-0123456789abcdef"
QUERY = (
    "SELECT ?recommendation ?number ?plan WHERE { ?recommendation a cp:Recommendation ; cp:inPlan ?plan ; "
    "cp:number ?number } ORDER BY ?plan ?recommendation"
)
HEAVY = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s ?q ?x } GROUP BY ?p ORDER BY ?p"
MAPPING = "questions/mapping?from=hmip-resettlement&to=yj-blueprint"


def start_server(data: Path, cache: Path) -> tuple[subprocess.Popen, str]:
    crossplan = shutil.which("crossplan") or str(Path(sys.executable).parent / "crossplan")
    environ = {**os.environ, "CROSSPLAN_CACHE": str(cache), "CROSSPLAN_SERVE_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [crossplan, "--data", str(data), "serve", "--port", "0", "--allow-edits"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environ,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        match = re.search(r" at (http://127\.0\.0\.1:\d+/)$", line.rstrip())
        if match:
            return process, match.group(1)
    process.kill()
    raise SystemExit("crossplan serve did not start")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_clients(url: str, clients: int, per_client: int, max_seconds: float) -> dict:
    import requests

    results: dict[str, list[float]] = {"sparql": [], "mapping": []}
    errors: dict[str, list[str]] = {"sparql": [], "mapping": []}
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(number: int) -> None:
        session = requests.Session()
        start.wait()
        for index in range(per_client):
            if time.monotonic() > deadline[0]:
                break
            kind = "sparql" if (index + number) % 2 == 0 else "mapping"
            began = time.perf_counter()
            try:
                if kind == "sparql":
                    # a different query text each time, so no answer comes from the generation's answer cache
                    text = (
                        f"{QUERY} OFFSET {(number * per_client + index) % 7} LIMIT {1000 + number * per_client + index}"
                    )
                    response = session.post(
                        url + "sparql",
                        data={"query": text},
                        headers={"Accept": "application/sparql-results+json"},
                        timeout=60,
                    )
                else:
                    response = session.get(url + MAPPING, timeout=60)
                ok = response.status_code == 200 and len(response.content) > 500
                problem = None if ok else f"{response.status_code}"
            except requests.RequestException as error:
                problem = type(error).__name__
            elapsed = time.perf_counter() - began
            with lock:
                (errors[kind].append(problem) if problem else results[kind].append(elapsed))

    edit: dict = {}

    def edit_lands() -> None:
        time.sleep(1.0)
        queue_answer = requests.get(url + "review.json", timeout=60).json()
        first = queue_answer["suggestions"][0]
        began = time.perf_counter()
        response = requests.post(
            url + "review/accept",
            json={"from": first["from"], "to": first["to"]},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        edit.update(
            status=response.status_code,
            seconds=time.perf_counter() - began,
            answer=response.json(),
            generation_before=queue_answer["generation"],
        )

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    editor = threading.Thread(target=edit_lands)
    deadline[0] = time.monotonic() + max_seconds
    began = time.perf_counter()
    start.wait()
    editor.start()
    for thread in threads:
        thread.join()
    editor.join()
    wall = time.perf_counter() - began
    summary = {
        "clients": clients,
        "requests_per_client": per_client,
        "max_seconds": max_seconds,
        "wall_seconds": round(wall, 2),
        "edit": edit,
        "routes": {},
    }
    for kind, values in results.items():
        summary["routes"][kind] = {
            "ok": len(values),
            "errors": len(errors[kind]),
            "error_kinds": sorted(set(errors[kind])),
            "p50_ms": round(1000 * percentile(values, 0.50), 1) if values else None,
            "p95_ms": round(1000 * percentile(values, 0.95), 1) if values else None,
            "max_ms": round(1000 * max(values), 1) if values else None,
        }
    summary["requests_per_second"] = round(sum(len(v) for v in results.values()) / wall, 1)
    return summary


def compare_with_memory(url: str, data: Path, runs: int = 30) -> dict:
    """One client's /sparql round trip against the same query on an in-memory pyoxigraph store (issue 19).

    Two queries: the light one of the load test (well under a millisecond in memory, so the round trip is mostly
    HTTP and the per-query checks) and a heavy aggregate (a self-join of the whole graph), where the engine's time
    dominates. Each run sends a new text (a different LIMIT) so that the server's answer cache never answers.
    """
    import http.client
    from urllib.parse import urlencode, urlsplit

    from crossplan.graph.model.vocabulary import PREFIXES
    from crossplan.graph.stores.embedded import open_store

    memory = open_store(data).memory_copy()  # what the server holds: the named graphs and their union
    # http.client on one kept-alive connection: requests' own overhead (a few ms) would swamp a sub-ms query
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    headers = {"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"}
    counter = iter(range(10**9))
    figures = {}
    for label, query, count in (("light", QUERY, runs), ("heavy", HEAVY, max(5, runs // 3))):

        def text(query=query) -> str:
            return f"{query} LIMIT {100000 + next(counter)}"

        def direct():
            return list(memory.query(text(), prefixes=PREFIXES))

        def served():
            connection.request("POST", "/sparql", body=urlencode({"query": text()}).encode("utf-8"), headers=headers)
            response = connection.getresponse()
            return json.loads(response.read())

        timings = {}
        for name, function in (("memory", direct), ("serve", served)):
            function()
            values = []
            for _ in range(count):
                began = time.perf_counter()
                function()
                values.append(time.perf_counter() - began)
            timings[name] = statistics.median(values)
        figures[label] = {
            "memory_ms": round(1000 * timings["memory"], 2),
            "serve_ms": round(1000 * timings["serve"], 2),
            "ratio": round(timings["serve"] / timings["memory"], 2),
        }
    connection.close()
    return figures


WRK_SCRIPT = r"""
-- one distinct query text per request (a counter in a comment), so that no answer comes from a cache
local counter = 0
local prefix = ""
function setup(thread)
  thread:set("tag", tostring(math.random(1, 1000000000)))
end
function init(args)
  prefix = tag or tostring(math.random(1, 1000000000))
end
function request()
  counter = counter + 1
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/sparql-query",
    ["Accept"] = "application/sparql-results+json"}, QUERY .. "\n# " .. prefix .. "-" .. counter .. "\n")
end
function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"seconds\": %f, \"non2xx\": %d, \"errors\": %d, " ..
    "\"p50_ms\": %f, \"p99_ms\": %f}\n", summary.requests, summary.duration / 1e6,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_query() -> str:
    """The saved cross-plan-links query with its prefixes declared (the Oxigraph server knows none)."""
    from crossplan.graph.model.vocabulary import PREFIXES
    from crossplan.graph.questions.query import saved_query

    text = saved_query("cross-plan-links").text
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()) + text


def run_wrk(url: str, query: str, seconds: float, connections: int, threads: int, scratch: Path) -> dict:
    """Run wrk against a SPARQL endpoint URL with one distinct query text per request; return its figures."""
    script = scratch / "distinct.lua"
    script.write_text(f"QUERY = {json.dumps(query)}\n" + WRK_SCRIPT, encoding="utf-8")
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((line for line in done.stdout.splitlines() if line.startswith("JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures: {done.stdout}{done.stderr}")
    figures = json.loads(line[5:])
    ok = figures["requests"] - figures["non2xx"]
    figures["ok_per_second"] = round(ok / figures["seconds"], 1)
    return figures


def start_oxigraph(data: Path, scratch: Path) -> tuple[subprocess.Popen, str]:
    """Load the data's quads (as crossplan serve holds them) into an Oxigraph store and serve it read-only."""
    import socket

    from crossplan.graph.stores.embedded import open_store

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    quads = scratch / "quads.nq"
    from pyoxigraph import RdfFormat

    memory = open_store(data, scratch / "crossplan-store").memory_copy()
    memory.dump(str(quads), RdfFormat.N_QUADS)
    location = scratch / "oxigraph"
    subprocess.run(
        [oxigraph, "load", "--location", str(location), "--file", str(quads)], check=True, capture_output=True
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import requests

    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("oxigraph serve-read-only did not start")


def compare_with_oxigraph(seconds: float = 8, connections: int = 50, threads: int = 2) -> dict:
    """Serve the shipped data with both servers and measure each with wrk, one after the other; return figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (scripts/install-system-deps.sh installs Debian's wrk)")
    from crossplan.graph.resources import shipped_data_dir

    query = wrk_query()
    figures: dict = {"seconds": seconds, "connections": connections, "threads": threads}
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        data = scratch / "data"
        shutil.copytree(shipped_data_dir(), data, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
        process, url = start_oxigraph(data, scratch)
        try:
            run_wrk(url, query, 1, connections, threads, scratch)  # warm up
            time.sleep(1)  # let the warm-up's abandoned requests finish
            figures["oxigraph"] = run_wrk(url, query, seconds, connections, threads, scratch)
        finally:
            process.terminate()
            process.wait(timeout=30)
        process, url = start_server(data, scratch / "cache")
        try:
            run_wrk(url + "sparql", query, 1, connections, threads, scratch)
            time.sleep(1)
            figures["crossplan"] = run_wrk(url + "sparql", query, seconds, connections, threads, scratch)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    figures["ratio"] = round(figures["crossplan"]["ok_per_second"] / figures["oxigraph"]["ok_per_second"], 2)
    return figures


def format_wrk(figures: dict) -> str:
    """The wrk comparison as a small table."""
    lines = [
        f"wrk, {figures['connections']} connections, {figures['threads']} threads, {figures['seconds']:g} s, "
        "cross-plan-links SELECT, a distinct text per request (uncached)",
        f"{'server':<28} {'ok req/s':>9} {'non-2xx':>8} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    for name, label in (("crossplan", "crossplan serve"), ("oxigraph", "oxigraph serve-read-only")):
        row = figures[name]
        lines.append(
            f"{label:<28} {row['ok_per_second']:>9} {row['non2xx']:>8} {row['errors']:>7} "
            f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f}"
        )
    lines.append(f"ratio crossplan / oxigraph: {figures['ratio']}")
    return "\n".join(lines)


def bench_rows(bench) -> list[dict]:
    """The ``serve`` rows of ``python -m bench run``: both servers under wrk, and their ratio."""
    figures = compare_with_oxigraph()
    print(format_wrk(figures), flush=True)
    rows = []
    for name, label in (("crossplan", "crossplan serve"), ("oxigraph", "oxigraph serve-read-only")):
        row = figures[name]
        rows.append(
            {
                "name": f"wrk uncached SELECT: {label}",
                "scale": "shipped",
                "seconds": row["p50_ms"] / 1000,
                "note": f"{row['ok_per_second']} req/s (p50 latency shown)"
                + (f"; ratio to Oxigraph {figures['ratio']}" if name == "crossplan" else ""),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_load", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="Requests per client (default 40).")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="Stop sending after this long (default 120).")
    parser.add_argument("--wrk", action="store_true", help="Compare with the Oxigraph server under wrk instead.")
    parser.add_argument("--seconds", type=float, default=8.0, help="wrk: seconds per server (default 8).")
    parser.add_argument("--connections", type=int, default=50, help="wrk: connections (default 50).")
    parser.add_argument("--threads", type=int, default=2, help="wrk: threads (default 2).")
    options = parser.parse_args(argv)
    if options.wrk:
        figures = compare_with_oxigraph(options.seconds, options.connections, options.threads)
        OUT.mkdir(exist_ok=True)
        (OUT / "serve_wrk.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(format_wrk(figures))
        return 0 if figures["ratio"] >= 1 else 1
    from crossplan.graph.resources import shipped_data_dir

    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"
        shutil.copytree(shipped_data_dir(), data, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
        process, url = start_server(data, Path(scratch) / "cache")
        try:
            summary = run_clients(url, options.clients, options.requests, options.max_seconds)
            summary["single_client_vs_memory"] = compare_with_memory(url, data)
        finally:
            process.send_signal(signal.SIGTERM)
            summary_exit = process.wait(timeout=30)
    summary["server_exit_status"] = summary_exit
    OUT.mkdir(exist_ok=True)
    (OUT / "serve_load.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(
        f"{summary['clients']} clients × {summary['requests_per_client']} requests, {summary['wall_seconds']} s, "
        f"{summary['requests_per_second']} requests/s; server stopped with status {summary_exit}"
    )
    print(f"{'route':<10} {'ok':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, route in summary["routes"].items():
        print(
            f"{kind:<10} {route['ok']:>6} {route['errors']:>6} {route['p50_ms']:>8} {route['p95_ms']:>8} {route['max_ms']:>8}"
        )
    edit = summary["edit"]
    print(
        f"edit: status {edit.get('status')} in {edit.get('seconds', 0):.2f} s, generation "
        f"{edit.get('generation_before')} -> {edit.get('answer', {}).get('generation')}"
    )
    for label, figure in summary["single_client_vs_memory"].items():
        print(
            f"one client, {label} query: /sparql {figure['serve_ms']} ms vs in-memory pyoxigraph "
            f"{figure['memory_ms']} ms ({figure['ratio']}×)"
        )
    errors = sum(route["errors"] for route in summary["routes"].values())
    return 0 if errors == 0 and edit.get("status") == 200 and summary_exit == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
