"""Moving along the graph (graph/stores/walk.py): ``IndexWalk`` on the embedded store's indexes, and ``GraphWalk``
(the generic walk over the whole graph's tables a SPARQL server gets), on tests/fixtures/query.

north/r1 feeds into north/r2 and is related to south/housing-1; north/r5 duplicates it; it has two updates.
north/r6 has two actions; south/housing-1 is in the housing workstream and has an action and an update.
"""

from __future__ import annotations

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.vocabulary import node_iri
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.stores.protocol import BaseStore
from crossplan.graph.stores.walk import PART_OF, GraphWalk, IndexWalk, links_between, neighbours


class _Endpoint(BaseStore):
    def __init__(self, store):
        self.select = store.select


@pytest.fixture(scope="module", params=["index", "tables"])
def walk(request, store):
    return store.walk() if request.param == "index" else _Endpoint(store).walk()


R1_EDGES = [
    ("north/r1", "feeds-into", "north/r2"),
    ("north/r1", "related-to", "south/housing-1"),
    ("north/r1-update-1", PART_OF, "north/r1"),
    ("north/r1-update-2", PART_OF, "north/r1"),
    ("north/r5", "duplicate-of", "north/r1"),
]


def test_facts_give_type_label_plan_and_status(walk):
    assert walk.about("north/r6-action-1") == {
        "type": "action",
        "label": "Open a virtual campus.",
        "plan": "north",
        "status": "ongoing",
    }
    assert walk.about("board") == {"type": "organisation", "label": "North Board", "plan": None, "status": None}
    assert walk.about("north/r5")["status"] == "removed"
    assert walk.about("north/r99") == {}


def test_both_walks_see_the_same_nodes_and_edges(store):
    index, tables = store.walk(), _Endpoint(store).walk()
    assert isinstance(index, IndexWalk) and isinstance(tables, GraphWalk)
    for node in store.facts().columns["id"]:
        assert index.about(node) == tables.about(node), node
        assert index.edges(node) == tables.edges(node), node
        assert index.parts_of(node) == tables.parts_of(node), node
        for relation in ("feeds-into", "duplicate-of", "delegated-to"):
            assert sorted(index.targets(node, relation)) == sorted(tables.targets(node, relation)), node
            assert sorted(index.sources(relation, node)) == sorted(tables.sources(relation, node)), node


def test_edges_neighbours_and_links_between(walk):
    assert walk.edges("north/r1") == R1_EDGES
    assert neighbours(walk, "north/r1") == {
        "north/r2",
        "south/housing-1",
        "north/r1-update-1",
        "north/r1-update-2",
        "north/r5",
    }
    assert links_between(walk, "north/r1", "north/r5") == [("north/r5", "duplicate-of", "north/r1")]
    assert links_between(walk, "north/r5", "north/r1") == [("north/r5", "duplicate-of", "north/r1")]
    assert links_between(walk, "north/r1", "north/r3") == []
    assert ("south/housing-1", PART_OF, "south/housing") in walk.edges("south/housing-1")


def test_parts_are_the_actions_and_updates_below_a_node(walk):
    assert walk.parts_of("north/r6") == ["north/r6-action-1", "north/r6-action-2"]
    assert walk.parts_of("north/r1") == ["north/r1-update-1", "north/r1-update-2"]
    assert walk.parts_of("south/housing-1") == ["south/housing-1-action-1", "south/housing-1-update-1"]
    assert walk.parts_of("north/r4") == []


def test_basis_of_a_link_and_none_without_one(walk):
    assert walk.basis("north/r1", "feeds-into", "north/r2") == "explicit"
    assert walk.basis("north/r1", "related-to", "south/housing-1") == "judged"
    assert walk.basis("north/r6-action-1", "related-to", "south/housing-2") == "suggested"
    assert walk.basis("north/r2", "feeds-into", "north/r1") is None  # the other way round
    assert walk.basis("north/r1", "duplicate-of", "north/r2") is None  # another relation


def test_a_node_is_named_by_global_id_or_full_iri(store):
    walk = store.walk()
    assert walk.targets(node_iri("north/r1"), "feeds-into") == walk.targets("north/r1", "feeds-into") == ["north/r2"]
    assert walk.sources("feeds-into", "north/r2") == ["north/r1"]


def test_links_to_an_organisation_are_followed_but_not_an_items_edges(mini_data):
    alpha = mini_data / "plans" / "alpha.yaml"
    alpha.write_text(
        alpha.read_text(encoding="utf-8")
        + "  - from: r1\n    to: alpha-board\n    relation: delegated-to\n    basis: explicit\n"
        "    quote: The Board will work with partners.\n",
        encoding="utf-8",
    )
    store = memory_store(load_dataset(mini_data))
    for walk in (store.walk(), _Endpoint(store).walk()):
        assert walk.targets("alpha/r1", "delegated-to") == ["alpha-board"]
        assert walk.is_organisation("alpha-board") and not walk.is_organisation("alpha/r1")
        assert "alpha-board" not in neighbours(walk, "alpha/r1")
        assert walk.basis("alpha/r1", "delegated-to", "alpha-board") == "explicit"
