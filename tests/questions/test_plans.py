"""Which plan a user means (graph/questions/plans.py), on tests/fixtures/query: plans north and south."""

from __future__ import annotations

import pytest

from crossplan.graph.errors import CrossplanError, UnknownIdError
from crossplan.graph.questions.plans import plan_titles, resolve_plan

PLANS = "(plans: north, south)"


def test_plan_titles_are_every_plan_in_id_order(store):
    titles = plan_titles(store)
    assert titles == {"north": "The North Plan", "south": "The South Strategy"}
    assert list(titles) == ["north", "south"]


def test_a_plan_id_resolves_to_the_plan_and_its_title(store):
    assert resolve_plan(store, "south") == ("south", "The South Strategy")
    assert resolve_plan(store, " north\n") == ("north", "The North Plan")


def test_the_titles_given_are_used_instead_of_looking_them_up(store):
    assert resolve_plan(store, "north", {"north": "Given title"}) == ("north", "Given title")


def test_the_start_of_a_plan_id_suggests_that_plan(store):
    with pytest.raises(UnknownIdError) as caught:
        resolve_plan(store, "nor")
    assert str(caught.value) == f"no plan with id 'nor' (did you mean 'north'?) {PLANS}"


def test_a_near_spelling_suggests_a_plan_and_never_another_kind_of_node(store):
    with pytest.raises(UnknownIdError) as caught:
        resolve_plan(store, "sooth")
    assert str(caught.value) == f"no plan with id 'sooth' (did you mean 'south'?) {PLANS}"
    # 'north-sourc' is close to the document north-source, but a plan is wanted
    with pytest.raises(UnknownIdError) as caught:
        resolve_plan(store, "north-sourc")
    assert "north-source" not in str(caught.value)


def test_an_empty_name_names_no_plan(store):
    with pytest.raises(UnknownIdError) as caught:
        resolve_plan(store, "  ")
    assert str(caught.value) == f"no plan with id '' {PLANS}"


@pytest.mark.parametrize("text, node", [("north/r1", "north/r1"), ("r2", "north/r2"), ("board", "board")])
def test_a_node_that_is_not_a_plan_is_refused_by_its_global_id(store, text, node):
    with pytest.raises(CrossplanError) as caught:
        resolve_plan(store, text)
    assert not isinstance(caught.value, UnknownIdError)
    assert str(caught.value) == f"'{node}' is not a plan {PLANS}"
