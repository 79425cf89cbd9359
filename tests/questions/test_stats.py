"""Counting what the graph holds (graph/questions/stats.py), on tests/fixtures/query (plans north and south).

Counted by hand from the YAML: north has 8 recommendations, 2 actions (r6) and 3 updates (r1 two, r2 one) and 6
links; south has 3 workstreams, 5 recommendations, 1 action, 1 update and 4 links.
"""

from __future__ import annotations

import pytest

from crossplan.graph.model.nodes import Basis, NodeType, Relation, Response, Status
from crossplan.graph.questions.stats import compute_stats, format_stats
from crossplan.graph.stores.protocol import BaseStore


class _Endpoint(BaseStore):
    """The store seen through ``select`` only, with no per-file tables: the tables read as a server's are."""

    def __init__(self, store):
        self.select = store.select


class _Empty(_Endpoint):
    def __init__(self):
        self.select = lambda sparql, substitutions=None: []


EXPECTED = {
    "nodes": {
        "plan": 2,
        "workstream": 3,
        "recommendation": 13,
        "action": 3,
        "update": 4,
        "organisation": 3,
        "document": 3,
        "programme": 1,
    },
    "relations": {
        "duplicate-of": 3,
        "feeds-into": 2,
        "delegated-to": 1,
        "supersedes": 0,
        "references": 1,
        "related-to": 3,
    },
    "basis": {"explicit": 6, "judged": 3, "suggested": 1},
    "plans": {
        "north": {"recommendation": 8, "action": 2, "update": 3},
        "south": {"workstream": 3, "recommendation": 5, "action": 1, "update": 1},
    },
    "status": {"complete": 4, "ongoing": 4, "not-applicable": 1, "removed": 1},
    "response": {"agreed": 1, "partly-agreed": 1, "not-agreed": 0},
}


@pytest.mark.parametrize("path", ["tables", "sparql"])
def test_the_counts_of_the_fixture_plans(store, path):
    assert store.fact_tables() is not None
    stats = compute_stats(store if path == "tables" else _Endpoint(store))
    assert stats == EXPECTED


def test_the_two_paths_agree_on_the_mini_plans_too(mini):
    assert compute_stats(mini) == compute_stats(_Endpoint(mini))


def test_every_section_lists_every_term_in_the_model_order_even_at_zero():
    stats = compute_stats(_Empty())
    assert list(stats) == ["nodes", "relations", "basis", "plans", "status", "response"]
    for section, enum in (
        ("nodes", NodeType),
        ("relations", Relation),
        ("basis", Basis),
        ("status", Status),
        ("response", Response),
    ):
        assert stats[section] == {spelling: 0 for spelling in enum.spellings()}, section
    assert stats["plans"] == {}


def test_plans_are_sorted_by_id(store):
    assert list(compute_stats(store)["plans"]) == ["north", "south"]


def test_format_stats_prints_aligned_sections_with_plan_counts_in_the_model_order():
    text = format_stats(EXPECTED)
    sections = text.split("\n\n")
    assert [section.splitlines()[0] for section in sections] == [
        "Nodes by type",
        "Links by relation",
        "Links by basis",
        "Plan north",
        "Plan south",
        "Items by status",
        "Recommendations by response",
    ]
    # north's counts were given recommendation, action, update: printed in NodeType's order, zero kinds left out
    assert sections[3].splitlines()[1:] == [
        "  recommendation       8",
        "  action               2",
        "  update               3",
    ]
    assert sections[2].splitlines()[1:] == ["  explicit        6", "  judged          3", "  suggested       1"]
    assert text.endswith("  not-agreed          0\n")


def test_format_stats_of_an_empty_graph_has_no_plan_section():
    text = format_stats(compute_stats(_Empty()))
    assert "Plan " not in text
    nodes = text.split("\n\n")[0].splitlines()
    assert nodes[-1] == "  programme" + " " * 12 + "0"  # padded to 'recommendation', counts right-aligned in 6
    assert len({len(line) for line in nodes[1:]}) == 1
    assert text.endswith("\n") and not text.endswith("\n\n")
