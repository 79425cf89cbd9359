"""Owners rolled up once: an item's own, its actions' and its updates' (latest round first), each with ``via``."""

from __future__ import annotations

from pathlib import Path

import pytest

import crossplan
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.questions.gaps import find_gaps
from crossplan.graph.questions.owners import RolledOwner, find_owners, owner_labels, owners_of
from crossplan.graph.questions.show import describe_node
from crossplan.graph.stores.embedded import memory_store


@pytest.fixture(scope="module")
def shipped():
    return memory_store(load_dataset(Path(crossplan.__file__).parent / "data"))


def test_an_owner_printed_on_an_update_is_the_recommendations(store):
    assert owners_of(store, "north/r1") == [RolledOwner("housing-team", "North Housing Team", "north/r1-update-1")]
    assert owners_of(store, "north/r3") == [RolledOwner("board", "North Board", "north/r3")]
    # printed words that name no organisation are the owner, as printed
    assert owners_of(store, "north/r2") == [RolledOwner(None, "Training Lead", "north/r2")]


def test_find_owners_of_a_plan_agrees_with_owners_of_each(store):
    owners = find_owners(store, "north")
    assert owners and all(item.startswith("north/") for item in owners)
    assert all(owners_of(store, item) == rolled for item, rolled in owners.items())
    assert owner_labels(owners["north/r1"]) == "North Housing Team"


def test_latest_round_first(shipped):
    vias = [owner.via for owner in owners_of(shipped, "hmip-resettlement/r2")]
    assert vias == sorted(vias, key=lambda via: via.endswith("update-1"))  # the December 2020 round first
    assert vias[0] == "hmip-resettlement/r2-update-2"


def test_show_and_gaps_agree_on_who_owns_a_recommendation(shipped):
    r6 = describe_node(shipped, "hmip-resettlement/r6")
    assert ("ycs", "hmip-resettlement/r6-update-1") in [(owner.id, owner.via) for owner in r6.owners]
    unowned = {gap.id for gap in find_gaps(shipped) if "owner" in gap.missing}
    owned = find_owners(shipped)
    recommendations = {
        row["id"] for row in shipped.select("SELECT ?id WHERE { ?r a cp:Recommendation ; dcterms:identifier ?id }")
    }
    for rec in recommendations:
        if rec in unowned:
            assert not owned.get(rec), rec
        if owned.get(rec):
            assert rec not in unowned, rec
    assert "hmip-resettlement/r6" not in unowned
