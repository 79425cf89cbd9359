"""Measure how well `crossplan suggest` finds the curated cross-plan links between recommendations.

Run from the repository root (it is not part of the unit tests)::

    python bench/suggest_quality.py                     # the shipped data, HMIP -> Blueprint
    python bench/suggest_quality.py --data DIR --from-plan A --to-plan B --verbose

The curated links are the links in the data, of basis explicit or judged, between a recommendation of one plan and
a recommendation of the other (either way round; a Blueprint -> HMIP link counts as HMIP -> Blueprint).
Two protocols, both ranking only recommendation -> recommendation candidates:

- leave one out (the protocol of issue 9): each curated link in turn is removed from the data and the suggestions
  are ranked; the link is found at k when its target is among the first k suggestions for its source.
  recall@k is the share of links found; precision@k is the number found divided by k times the number of links
  (each query has exactly one hidden answer, so precision@k is at most 1/k);
- all hidden: every curated link is removed at once and each source item of a curated link is one query;
  precision@k = relevant among its first k / k and recall@k = relevant among its first k / its curated links,
  averaged over the queries.

It also times `suggest` on the on-disk store of the data (imports and the store build excluded).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossplan.graph.datafiles.loading import load_dataset  # noqa: E402
from crossplan.graph.model.nodes import Basis, NodeType  # noqa: E402
from crossplan.graph.stores.embedded import memory_store, open_store  # noqa: E402
from crossplan.graph.suggest.similar import suggest_links  # noqa: E402

KS = (1, 5, 10)


def curated_links(dataset, from_plan: str, to_plan: str) -> list[tuple[str, str, object]]:
    """Return (from item, to item, link) for each curated cross-plan link between recommendations."""
    found = []
    for link in dataset.links:
        if link.basis not in (Basis.EXPLICIT, Basis.JUDGED):
            continue
        source, target = dataset.nodes.get(link.source_id), dataset.nodes.get(link.target_id)
        if source is None or target is None or {source.type, target.type} != {NodeType.RECOMMENDATION}:
            continue
        if (source.plan, target.plan) == (from_plan, to_plan):
            found.append((source.id, target.id, link))
        elif (source.plan, target.plan) == (to_plan, from_plan):
            found.append((target.id, source.id, link))
    return found


def without_links(dataset, hidden: list) -> object:
    """Return a copy of the dataset without some links (the Link objects themselves)."""
    hidden_ids = {id(link) for link in hidden}
    files = [
        dataclasses.replace(parsed, links=[link for link in parsed.links if id(link) not in hidden_ids])
        for parsed in dataset.files
    ]
    return dataclasses.replace(
        dataset, files=files, links=[link for link in dataset.links if id(link) not in hidden_ids]
    )


def ranking(dataset, from_plan: str, to_plan: str) -> dict[str, list[str]]:
    """Return, for each recommendation of from_plan, its suggested recommendation targets in order."""
    store = memory_store(dataset)
    kinds = (NodeType.RECOMMENDATION,)
    ranked: dict[str, list[tuple[float, str]]] = {}
    for suggestion in suggest_links(store, from_plan, to_plan, top=max(KS), item_types=kinds):
        ranked.setdefault(suggestion.source_id, []).append((-suggestion.score, suggestion.target_id))
    return {source: [target for _, target in sorted(pairs)] for source, pairs in ranked.items()}


def leave_one_out(dataset, links, from_plan, to_plan, verbose: bool) -> dict[int, tuple[float, float]]:
    found = {k: 0 for k in KS}
    for source, target, link in links:
        order = ranking(without_links(dataset, [link]), from_plan, to_plan).get(source, [])
        rank = order.index(target) + 1 if target in order else None
        for k in KS:
            found[k] += rank is not None and rank <= k
        if verbose:
            print(f"  {source} -> {target}: rank {rank or '>' + str(max(KS))}")
    n = len(links)
    return {k: (found[k] / (k * n), found[k] / n) for k in KS}


def all_hidden(dataset, links, from_plan, to_plan) -> dict[int, tuple[float, float]]:
    order = ranking(without_links(dataset, [link for _, _, link in links]), from_plan, to_plan)
    relevant: dict[str, set[str]] = {}
    for source, target, _ in links:
        relevant.setdefault(source, set()).add(target)
    scores = {}
    for k in KS:
        precision = [len(set(order.get(s, [])[:k]) & wanted) / k for s, wanted in relevant.items()]
        recall = [len(set(order.get(s, [])[:k]) & wanted) / len(wanted) for s, wanted in relevant.items()]
        scores[k] = (statistics.mean(precision), statistics.mean(recall))
    return scores


def time_suggest(data_dir, from_plan: str, to_plan: str, runs: int = 5) -> float:
    """Return the median wall time of opening the (already built) store and ranking with the default options."""
    open_store(data_dir)  # build once, outside the timing
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        suggest_links(open_store(data_dir), from_plan, to_plan)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: the shipped data)")
    parser.add_argument("--from-plan", default="hmip-resettlement")
    parser.add_argument("--to-plan", default="yj-blueprint")
    parser.add_argument("--verbose", action="store_true", help="print the rank of each hidden link")
    options = parser.parse_args()
    dataset = load_dataset(options.data)
    links = curated_links(dataset, options.from_plan, options.to_plan)
    if not links:
        sys.exit(f"no curated recommendation links between {options.from_plan} and {options.to_plan}")
    sources = len({source for source, _, _ in links})
    print(
        f"{len(links)} curated links between recommendations of {options.from_plan} and {options.to_plan} "
        f"({sources} source recommendations)"
    )
    for title, scores in (
        ("leave one out", leave_one_out(dataset, links, options.from_plan, options.to_plan, options.verbose)),
        ("all hidden", all_hidden(dataset, links, options.from_plan, options.to_plan)),
    ):
        print(f"{title}:")
        for k, (precision, recall) in scores.items():
            print(f"  k={k:<2}  precision@k {precision:.3f}  recall@k {recall:.3f}")
    seconds = time_suggest(dataset.data_dir, options.from_plan, options.to_plan)
    print(f"suggest {options.from_plan} {options.to_plan} (default options, store built): {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
