"""One engine's side of the query benchmark, run in its own process so that its load time and peak memory are its own.

    python -m bench.steps ENGINE --data DIR --nt FILE --store DIR --meta FILE --repeat N --budget SECONDS

ENGINE is ``crossplan`` (the crossplan store, opened as every command opens it), ``pyoxigraph-memory`` (raw
pyoxigraph: N-Triples bulk-loaded into an in-memory store), ``pyoxigraph-disk`` (the same into an on-disk store)
or ``rdflib`` (rdflib's in-memory Graph); ``raw-load`` only bulk-loads and compacts an on-disk store (the
yardstick of ``crossplan build``) and prints nothing. Prints one JSON object: load seconds and, per query, the times of
each run and the number of rows. A query is run ``repeat`` times, or fewer once its runs have taken ``budget``
seconds in all (rdflib at a million triples).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from .queries import bench_queries


def _load_crossplan(args):
    from crossplan.graph.stores.embedded import open_store

    store = open_store(args.data, args.store)
    return lambda text: sum(1 for _ in store.query(text))


def _load_pyoxigraph_memory(args):
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(path=str(args.nt), format=RdfFormat.N_TRIPLES)
    return lambda text: sum(1 for _ in store.query(text))


def _load_pyoxigraph_disk(args):
    from pyoxigraph import RdfFormat, Store

    directory = Path(tempfile.mkdtemp(prefix="bench-oxigraph-", dir=args.scratch))
    store = Store(str(directory))
    store.bulk_load(path=str(args.nt), format=RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()  # compacted, as the crossplan store is after a bulk load: the strongest on-disk baseline
    del store
    args.cleanup.append(directory)
    reader = Store.read_only(str(directory))
    return lambda text: sum(1 for _ in reader.query(text))


def _load_rdflib(args):
    import rdflib

    graph = rdflib.Graph()
    graph.parse(str(args.nt), format="nt")
    list(graph.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))  # rdflib builds its SPARQL grammar on first use
    return lambda text: sum(1 for _ in graph.query(text))


class _TooLong(Exception):
    pass


def _give_up(signum, frame):
    raise _TooLong()


ENGINES = {
    "crossplan": _load_crossplan,
    "pyoxigraph-memory": _load_pyoxigraph_memory,
    "pyoxigraph-disk": _load_pyoxigraph_disk,
    "rdflib": _load_rdflib,
}


def raw_load(nt: Path, directory: Path) -> None:
    """The build's yardstick: raw pyoxigraph bulk-loads the same triples from N-Triples into an on-disk store and
    compacts it (as ``crossplan build`` compacts after a bulk load), then closes it."""
    from pyoxigraph import RdfFormat, Store

    store = Store(str(directory))
    store.bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()
    del store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    parser.add_argument("engine", choices=sorted(ENGINES) + ["raw-load"])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--nt", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--meta", type=Path, required=True)
    parser.add_argument("--scratch", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--limit", type=int, default=300, help="Give up on one run of a query after this many seconds.")
    args = parser.parse_args(argv)
    args.cleanup = []
    if args.engine == "raw-load":  # only the load, timed and measured from outside by the benchmark
        raw_load(args.nt, args.store)
        return 0
    signal.signal(signal.SIGALRM, _give_up)
    meta = json.loads(args.meta.read_text(encoding="utf-8"))
    started, started_cpu = time.perf_counter(), time.process_time()
    run = ENGINES[args.engine](args)
    loaded, loaded_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    queries = {}
    try:
        for name, text in bench_queries(meta).items():
            times, cpus, rows = [], [], None
            while len(times) < args.repeat and sum(times) < args.budget:
                begin, begin_cpu = time.perf_counter(), time.process_time()
                signal.alarm(args.limit)
                try:
                    rows = run(text)
                except _TooLong:
                    rows = None
                finally:
                    signal.alarm(0)
                times.append(time.perf_counter() - begin)
                cpus.append(time.process_time() - begin_cpu)
                if rows is None:
                    break
            queries[name] = {"times": times, "cpu": cpus, "rows": rows, "gave_up": rows is None}
    finally:
        for directory in args.cleanup:
            shutil.rmtree(directory, ignore_errors=True)
    json.dump({"engine": args.engine, "load": loaded, "load_cpu": loaded_cpu, "queries": queries}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
