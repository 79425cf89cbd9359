"""Every ready-made question's answer on one data set, as JSON: to check that a faster way gives the same answers.

    python -m bench.answers DATA_DIR OUT.json [--store DIR] [--sample N]

The answers cover ``show`` and ``impact`` (both directions) for a fixed sample of nodes, ``path`` for pairs of
them, ``mapping`` for pairs of plans, and the whole-graph questions (``duplicates``, ``overdue`` on two dates,
``gaps``, ``stats``). The sample is chosen from the sorted ids alone, so the same data gives the same sample
whatever code answers. ``tests/questions/test_answers.py`` compares its output with answers captured before a change.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict, is_dataclass
from itertools import pairwise
from pathlib import Path

OVERDUE_DATES = ("2021-06-30", "2024-01-01")


def _plain(value):
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _sample(ids: list[str], size: int, seed: int = 7) -> list[str]:
    ids = sorted(ids)
    if len(ids) <= size:
        return ids
    return sorted(random.Random(seed).sample(ids, size))


def collect_answers(store, sample: int = 40) -> dict:
    """Return every question's answers on ``store`` (a JSON-ready dict); an error is kept as its message."""
    from crossplan.graph.errors import CrossplanError
    from crossplan.graph.questions.duplicates import find_duplicate_groups
    from crossplan.graph.questions.gaps import find_gaps
    from crossplan.graph.questions.mapping import find_mapping
    from crossplan.graph.questions.network import find_impact, find_paths
    from crossplan.graph.questions.overdue import find_overdue
    from crossplan.graph.questions.plans import plan_titles
    from crossplan.graph.questions.show import describe_node
    from crossplan.graph.questions.stats import compute_stats

    def answer(function, *arguments):
        try:
            return _plain(function(*arguments))
        except CrossplanError as error:
            return {"error": str(error)}

    ids = sorted(
        {row["id"] for row in store.select("SELECT ?id WHERE { ?n a ?t ; dcterms:identifier ?id ; rdfs:label ?l }")}
    )
    nodes = _sample(ids, sample)
    sources = sorted(
        {
            row["id"]
            for row in store.select(
                "SELECT ?id WHERE { ?l cp:from ?n ; cp:relation ?r . ?n dcterms:identifier ?id . FILTER(?r IN (cp:feedsInto, cp:delegatedTo)) }"
            )
        }
    )
    flowing = _sample(sources, sample // 2)
    plans = sorted(plan_titles(store))
    pairs = list(zip(nodes, nodes[1:] + nodes[:1], strict=False))
    plan_pairs = [(a, b) for a in plans[:4] for b in plans[:4] if a != b]
    return {
        "show": {node: answer(describe_node, store, node) for node in nodes},
        "impact-downstream": {node: answer(find_impact, store, node, "downstream") for node in nodes},
        "impact-upstream": {node: answer(find_impact, store, node, "upstream") for node in nodes},
        "impact-linked": {node: answer(find_impact, store, node, "downstream") for node in flowing},
        "impact-linked-upstream": {node: answer(find_impact, store, node, "upstream") for node in flowing},
        "path-linked": {f"{a} {b}": answer(find_paths, store, a, b) for a, b in pairwise(flowing)},
        "impact-depth-2": {
            node: answer(find_impact, store, node, "downstream", 2, ("feeds-into", "related-to")) for node in nodes[:10]
        },
        "path": {f"{a} {b}": answer(find_paths, store, a, b) for a, b in pairs},
        "path-short": {f"{a} {b}": answer(find_paths, store, a, b, 3, 2) for a, b in pairs[:10]},
        "mapping": {f"{a} {b}": answer(find_mapping, store, a, b) for a, b in plan_pairs},
        "duplicates": answer(find_duplicate_groups, store),
        "overdue": {date: answer(find_overdue, store, date) for date in OVERDUE_DATES},
        "gaps": answer(find_gaps, store),
        "stats": answer(compute_stats, store),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answers", description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--store", type=Path, help="the store directory (default: an in-memory store)")
    parser.add_argument("--sample", type=int, default=40)
    arguments = parser.parse_args(argv)
    if arguments.store:
        from crossplan.graph.stores.embedded import open_store

        store = open_store(arguments.data, arguments.store)
    else:
        from crossplan.graph.datafiles.loading import load_dataset
        from crossplan.graph.stores.embedded import memory_store

        store = memory_store(load_dataset(arguments.data))
    answers = collect_answers(store, arguments.sample)
    arguments.out.write_text(json.dumps(answers, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
