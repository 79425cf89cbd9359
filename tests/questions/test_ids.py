"""Resolving the ids users type (graph/questions/ids.py): global ids, unambiguous short forms, and helpful refusals.

The ``store`` fixture (conftest.py) holds tests/fixtures/query: plans north (r1…r8) and south (housing-1, …).
"""

from __future__ import annotations

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import UnknownIdError
from crossplan.graph.questions.ids import resolve_id
from crossplan.graph.stores.embedded import memory_store


def _message(store, text) -> str:
    with pytest.raises(UnknownIdError) as caught:
        resolve_id(store, text)
    return str(caught.value)


def test_a_global_id_or_registry_id_resolves_to_itself(store):
    assert resolve_id(store, "north/r1") == "north/r1"
    assert resolve_id(store, "south/housing-1-update-1") == "south/housing-1-update-1"
    assert resolve_id(store, "board") == "board"
    assert resolve_id(store, "north") == "north"


def test_a_short_form_resolves_to_the_one_item_of_that_id(store):
    assert resolve_id(store, "r6") == "north/r6"
    assert resolve_id(store, "r6-action-1") == "north/r6-action-1"
    assert resolve_id(store, "  health-2\n") == "south/health-2"  # surrounding space is ignored


def test_a_short_form_matches_a_whole_local_id_only(store):
    # 'action-1' is the end of north/r6-action-1 but not its local id
    assert _message(store, "action-1").startswith("no node with id 'action-1'")


def test_an_unknown_id_suggests_the_closest(store):
    assert _message(store, "nroth/r1") == "no node with id 'nroth/r1' (did you mean 'north/r1'?)"
    assert _message(store, "r6-acton-2") == "no node with id 'r6-acton-2' (did you mean 'north/r6-action-2'?)"
    assert _message(store, "housing-fnd") == "no node with id 'housing-fnd' (did you mean 'housing-fund'?)"
    assert _message(store, "nothing-like-it-at-all") == "no node with id 'nothing-like-it-at-all'"


def test_an_empty_id_is_refused(store):
    assert _message(store, "") == "an id is needed"
    assert _message(store, "  \t") == "an id is needed"


def test_an_id_is_bound_as_a_value_never_read_as_query_syntax(store):
    hostile = 'r1" ) } UNION { ?n ?p ?o } #'
    assert _message(store, hostile).startswith(f"no node with id '{hostile}'")


def test_a_short_form_in_two_plans_is_ambiguous_and_names_both(mini_data):
    beta = mini_data / "plans" / "beta.yaml"
    beta.write_text(
        beta.read_text(encoding="utf-8").replace(
            "\nlinks:", "\n  - id: r1\n    workstream: resettlement\n    text: Another first recommendation.\n\nlinks:"
        ),
        encoding="utf-8",
    )
    store = memory_store(load_dataset(mini_data))
    assert _message(store, "r1") == "'r1' is ambiguous: it could be alpha/r1, beta/r1"
    assert resolve_id(store, "beta/r1") == "beta/r1"
