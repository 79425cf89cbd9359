"""Count what the graph holds: nodes by type, links by relation and basis, items by plan, statuses, responses."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from ..model.nodes import Basis, NodeType, Relation, Response, Status

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


def compute_stats(store: GraphStore) -> dict[str, dict]:
    """Return counts by node type, relation, basis, plan, status and response (zero counts included).

    The result maps a section name to ``{key: count}``; ``plans`` maps each plan id to counts by node type.
    """
    facts = store.facts()
    columns = facts.columns
    nodes = {member.value: 0 for member in NodeType} | Counter(columns["type"])
    statuses = {member.value: 0 for member in Status} | Counter(value for value in columns["status"] if value)
    responses = {member.value: 0 for member in Response} | Counter(value for value in columns["response"] if value)
    known = set(columns["id"])
    plans: dict[str, dict[str, int]] = {}
    for (plan, kind), count in Counter(pair for pair in facts.rows("plan", "type") if pair[0] in known).items():
        plans.setdefault(plan, {})[kind] = count
    relations = {member.value: 0 for member in Relation}
    bases = {member.value: 0 for member in Basis}
    for _iri, relation, basis in set(facts.link_rows("iri", "relation", "basis")):
        relations[relation] += 1
        bases[basis] += 1
    return {
        "nodes": nodes,
        "relations": relations,
        "basis": bases,
        "plans": {plan: plans[plan] for plan in sorted(plans)},
        "status": statuses,
        "response": responses,
    }


def format_stats(stats: dict[str, dict], output_format: str = "table") -> str:
    """Render stats as aligned plain-text sections, or as JSON."""
    if output_format == "json":
        return json.dumps(stats, indent=2) + "\n"
    titles = {
        "nodes": "Nodes by type",
        "relations": "Links by relation",
        "basis": "Links by basis",
        "status": "Items by status",
        "response": "Recommendations by response",
    }
    lines: list[str] = []
    for key in ("nodes", "relations", "basis"):
        lines += _section(titles[key], stats[key])
    for plan, counts in stats["plans"].items():
        ordered = {kind.value: counts.get(kind.value, 0) for kind in NodeType if kind.value in counts}
        lines += _section(f"Plan {plan}", ordered)
    for key in ("status", "response"):
        lines += _section(titles[key], stats[key])
    return "\n".join(lines).rstrip() + "\n"


def _section(title: str, counts: dict[str, int]) -> list[str]:
    width = max((len(key) for key in counts), default=0)
    return [title] + [f"  {key:<{width}}  {value:>6}" for key, value in counts.items()] + [""]
