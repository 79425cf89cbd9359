"""Compare the answers on a bench data set with answers captured before a change (``bench/answers.py``'s JSON).

    python -m bench.compare_answers DATA_DIR STORE_DIR BEFORE.json [--sample N]
    python -m bench.compare_answers DATA_DIR STORE_DIR --against-sparql [--sample N]

Prints each question and whether every answer is the same; exits 1 if any differs. Used at 100k and 1M, where the
captured answers are too large to keep in the repository (``tests/questions/test_answers.py`` covers the fixtures and 10k).
``--against-sparql`` compares instead with the same store seen only through SPARQL ``select``, as a SPARQL endpoint
is: the questions then take the generic path (the tables and the walk read over SPARQL, `stores/protocol.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .answers import collect_answers


def _sparql_only(store):
    """The store seen only through ``select`` and ``query``, as the questions see a SPARQL endpoint."""
    from crossplan.graph.stores.protocol import BaseStore

    class SparqlOnly(BaseStore):
        def __init__(self, store):
            self.select = store.select
            self.query = store.query

    return SparqlOnly(store)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare_answers", description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("store", type=Path)
    parser.add_argument("before", type=Path, nargs="?")
    parser.add_argument("--against-sparql", action="store_true")
    parser.add_argument("--sample", type=int, default=40)
    arguments = parser.parse_args(argv)
    from crossplan.graph.stores.embedded import open_store

    store = open_store(arguments.data, arguments.store)
    now = json.loads(json.dumps(collect_answers(store, arguments.sample)))
    if arguments.against_sparql:
        before = json.loads(json.dumps(collect_answers(_sparql_only(store), arguments.sample)))
    else:
        before = json.loads(arguments.before.read_text(encoding="utf-8"))
    differing = 0
    for question in sorted(before):
        if question not in now:
            print(f"{question}: not asked now")
            continue
        old, new = before[question], now[question]
        if isinstance(old, dict) and question != "stats":
            bad = [key for key in old if old[key] != new.get(key)]
            print(f"{question}: {len(old) - len(bad)}/{len(old)} the same" + (f"; differ: {bad[:3]}" if bad else ""))
        else:
            bad = old != new
            print(f"{question}: {'DIFFERENT' if bad else 'the same'}")
        differing += bool(bad)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
