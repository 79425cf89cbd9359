"""Count what the graph holds: nodes by type, links by relation and basis, items by plan, statuses, responses."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..model.nodes import Basis, NodeType, Relation, Response, Status
from ..sparql.patterns import link_pattern
from ..stores.facts import GraphFacts, graph_facts

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

_NODES = "SELECT ?type (COUNT(?n) AS ?count) WHERE { ?n a ?type ; dcterms:identifier ?id } GROUP BY ?type"
_LINKS = (
    f"SELECT ?relation ?basis (COUNT(?l) AS ?count) WHERE {{ {link_pattern(None, None, link='?l', quote=None)} }}"
    " GROUP BY ?relation ?basis"
)
_PLANS = """SELECT ?plan ?type (COUNT(?item) AS ?count) WHERE {
  ?item cp:inPlan ?p ; a ?type . ?p dcterms:identifier ?plan
} GROUP BY ?plan ?type"""
_STATUS = "SELECT ?status (COUNT(?n) AS ?count) WHERE { ?n cp:status ?status } GROUP BY ?status"
_RESPONSE = "SELECT ?response (COUNT(?n) AS ?count) WHERE { ?n cp:response ?response } GROUP BY ?response"


def compute_stats(store: GraphStore) -> dict[str, dict]:
    """Return counts by node type, relation, basis, plan, status and response (zero counts included).

    The result maps a section name to ``{key: count}``; ``plans`` maps each plan id to counts by node type.
    """
    facts = graph_facts(store)
    if facts is not None:
        return _stats_from_facts(facts)
    nodes = {member.value: 0 for member in NodeType}
    for row in store.select(_NODES):
        try:
            nodes[NodeType.from_term(row["type"]).value] = row["count"]
        except ValueError:
            continue
    relations = {member.value: 0 for member in Relation}
    bases = {member.value: 0 for member in Basis}
    for row in store.select(_LINKS):
        relations[Relation.from_term(row["relation"]).value] += row["count"]
        bases[Basis.from_term(row["basis"]).value] += row["count"]
    plans: dict[str, dict[str, int]] = {}
    for row in store.select(_PLANS):
        try:
            kind = NodeType.from_term(row["type"]).value
        except ValueError:
            continue
        plans.setdefault(row["plan"], {}).update({kind: row["count"]})
    statuses = {member.value: 0 for member in Status}
    for row in store.select(_STATUS):
        statuses[Status.from_term(row["status"]).value] = row["count"]
    responses = {member.value: 0 for member in Response}
    for row in store.select(_RESPONSE):
        responses[Response.from_term(row["response"]).value] = row["count"]
    return _stats(nodes, relations, bases, plans, statuses, responses)


def _stats_from_facts(facts: GraphFacts) -> dict[str, dict]:
    """``compute_stats`` from the per-file tables: the same counts, no store read (columns only)."""
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
    return _stats(nodes, relations, bases, plans, statuses, responses)


def _stats(
    nodes: dict[str, int],
    relations: dict[str, int],
    bases: dict[str, int],
    plans: dict[str, dict[str, int]],
    statuses: dict[str, int],
    responses: dict[str, int],
) -> dict[str, dict]:
    """The one shape of ``compute_stats``'s answer, whether counted from the store or from the per-file tables."""
    return {
        "nodes": nodes,
        "relations": relations,
        "basis": bases,
        "plans": {plan: plans[plan] for plan in sorted(plans)},
        "status": statuses,
        "response": responses,
    }


def format_stats(stats: dict[str, dict]) -> str:
    """Render stats as aligned plain-text sections."""
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
