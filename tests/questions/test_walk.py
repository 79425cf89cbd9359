"""Moving about the graph (graph/questions/walk.py): ``StoreWalk`` on the embedded store's indexes, and
``build_projection`` (the networkx graph used on a SPARQL endpoint), on tests/fixtures/query.

north/r1 feeds into north/r2 and is related to south/housing-1; north/r5 duplicates it; it has two updates.
north/r6 has two actions; south/housing-1 is in the housing workstream and has an action and an update.
"""

from __future__ import annotations

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.vocabulary import node_iri
from crossplan.graph.questions.walk import PART_OF, StoreWalk, build_projection
from crossplan.graph.stores.embedded import memory_store


@pytest.fixture(scope="module")
def walk(store):
    return StoreWalk(store)


@pytest.fixture(scope="module")
def projection(store):
    return build_projection(store)


R1_EDGES = [
    ("north/r1", "feeds-into", "north/r2"),
    ("north/r1", "related-to", "south/housing-1"),
    ("north/r1-update-1", PART_OF, "north/r1"),
    ("north/r1-update-2", PART_OF, "north/r1"),
    ("north/r5", "duplicate-of", "north/r1"),
]


def test_facts_give_type_label_plan_and_status(walk):
    assert walk.facts("north/r6-action-1") == {
        "type": "action",
        "label": "Open a virtual campus.",
        "plan": "north",
        "status": "ongoing",
    }
    assert walk.facts("board") == {"type": "organisation", "label": "North Board", "plan": None, "status": None}
    assert walk.facts("north/r5")["status"] == "removed"
    assert walk.facts("north/r99") == {}


def test_the_walk_sees_what_the_projection_sees(walk, projection):
    for node, attributes in projection.nodes(data=True):
        expected = {key: attributes[key] for key in ("type", "label", "plan", "status")}
        assert walk.facts(node) == expected, node
        if attributes["type"] == "organisation":
            continue
        touching = {
            (u, relation, v)
            for u, v, relation in projection.edges(keys=True)
            if node in (u, v) and projection.nodes[v if u == node else u]["type"] != "organisation"
        }
        assert set(walk.edges(node)) == touching, node


def test_edges_neighbours_and_links_between(walk):
    assert walk.edges("north/r1") == R1_EDGES
    assert walk.neighbours("north/r1") == {
        "north/r2",
        "south/housing-1",
        "north/r1-update-1",
        "north/r1-update-2",
        "north/r5",
    }
    assert walk.links_between("north/r1", "north/r5") == [("north/r5", "duplicate-of", "north/r1")]
    assert walk.links_between("north/r5", "north/r1") == [("north/r5", "duplicate-of", "north/r1")]
    assert walk.links_between("north/r1", "north/r3") == []
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


def test_a_node_is_named_by_global_id_or_full_iri(walk):
    assert walk.node("north/r1") == walk.node(node_iri("north/r1"))
    assert walk.objects(node_iri("north/r1"), walk.relation_terms["feeds-into"]) == ["north/r2"]
    assert walk.subjects(walk.relation_terms["feeds-into"], "north/r2") == ["north/r1"]


def test_item_texts_are_those_of_recommendations_and_actions_only(walk):
    texts = walk.item_texts()
    assert texts["north/r1"] == "Find homes for children before they leave custody."
    assert texts["south/housing-1-action-1"] == "Map the homes available."
    assert "north/r5" not in texts  # removed, with no text
    assert not [node for node in texts if "-update-" in node or node in ("south/housing", "north")]


def test_the_projection_holds_every_link_once_and_part_of_edges(projection):
    links = [(u, v, key) for u, v, key in projection.edges(keys=True) if key != PART_OF]
    assert len(links) == len(set(links)) == 10
    assert projection.edges["north/r5", "north/r1", "duplicate-of"]["quote"] == (
        "Recommendation 5 was removed as a duplicate of recommendation 1."
    )
    part = projection.edges["north/r6-action-2", "north/r6", PART_OF]
    assert (part["relation"], part["basis"], part["quote"]) == (PART_OF, None, None)


def test_links_to_an_organisation_are_in_the_projection_but_not_an_items_edges(mini_data):
    alpha = mini_data / "plans" / "alpha.yaml"
    alpha.write_text(
        alpha.read_text(encoding="utf-8")
        + "  - from: r1\n    to: alpha-board\n    relation: delegated-to\n    basis: explicit\n"
        "    quote: The Board will work with partners.\n",
        encoding="utf-8",
    )
    store = memory_store(load_dataset(mini_data))
    assert build_projection(store).has_edge("alpha/r1", "alpha-board", "delegated-to")
    walk = StoreWalk(store)
    assert walk.is_organisation("alpha-board") and not walk.is_organisation("alpha/r1")
    assert "alpha-board" not in walk.neighbours("alpha/r1")
    assert walk.basis("alpha/r1", "delegated-to", "alpha-board") == "explicit"
