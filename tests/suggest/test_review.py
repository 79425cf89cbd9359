"""Listing, accepting, rejecting and reviewing suggested links (graph.suggest.review), without the CLI.

On a writable copy of the hand-written north/south plans (tests/fixtures/suggest): with ``top=1``,
``min_score=0.05`` (as ``crossplan suggest``) and recommendations only, the suggestions are n3 -> s5, n2 -> s2, n1 -> s1 and n5 -> s3, in that order.
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import CrossplanError, DataError, LocalOnlyError
from crossplan.graph.model.nodes import Relation
from crossplan.graph.resources import shipped_data_dir
from crossplan.graph.stores.embedded import CrossplanStore, memory_store
from crossplan.graph.suggest.review import (
    accept_suggestion,
    format_card,
    format_suggestions,
    list_suggestions,
    reject_suggestion,
    review_suggestions,
    suggested_edges,
    write_suggested_link,
)
from crossplan.graph.suggest.similar import Evidence, SharedEntity, Suggestion

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
DAY = datetime.date(2024, 5, 2)
RECOMMENDATIONS = {"top": 1, "min_score": 0.05, "item_types": ("recommendation",)}
EXPECTED = [("north/n3", "south/s5"), ("north/n2", "south/s2"), ("north/n1", "south/s1"), ("north/n5", "south/s3")]


@pytest.fixture
def fx(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SUGGEST, tmp_path / "fx")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "fx"


@pytest.fixture
def store(fx):
    return memory_store(load_dataset(fx))


def pairs(suggestions) -> list[tuple[str, str]]:
    return [(s.source_id, s.target_id) for s in suggestions]


def made_up(**changes) -> Suggestion:
    evidence = Evidence(
        ["school"],
        ["school attendance"],
        [SharedEntity("dfe", "organisation", "DfE")],
        "From \x1b[31mred\x1b[0m text.",
        "To text.",
        "a/x",
        "b/y",
        {},
    )
    values = dict(
        source_id="a/x", target_id="b/y", score=0.5, relation=Relation.RELATED_TO, evidence=evidence, number=7
    )
    return Suggestion(**{**values, **changes})


def test_formats_of_no_suggestions():
    assert format_suggestions([]) == "No suggestions.\n"
    assert format_suggestions([], "json") == "[]\n"
    assert format_suggestions([], "csv").splitlines() == [
        "number,from,to,score,relation,existing,shared_terms,shared_phrases,shared_entities,from_sentence,to_sentence"
    ]


def test_a_card_shows_the_evidence_and_no_terminal_control(store):
    card = format_card(made_up(existing=["feeds-into"]))
    lines = card.splitlines()
    assert lines[0] == "  7  0.500  related-to    a/x -> b/y  (already linked: feeds-into)"
    assert lines[1] == '     shared: school; "school attendance"; DfE (organisation)'
    assert "\x1b" not in card and lines[2].endswith("  [a/x]")
    assert lines[3] == "     to:     “To text.”  [b/y]"


def test_long_quotes_are_cut_at_a_word_unless_asked_not_to():
    long = "word " * 60
    card = format_card(made_up(evidence=Evidence([], [], [], long.strip(), "To.", "a/x", "b/y", {})), quote_width=20)
    assert card.splitlines()[1] == "     from:   “word word word…”  [a/x]"
    assert long.strip() in format_card(
        made_up(evidence=Evidence([], [], [], long.strip(), "To.", "a/x", "b/y", {})), quote_width=None
    )


def test_an_item_with_no_text_of_its_own_is_said_so_not_quoted_empty():
    card = format_card(made_up(evidence=Evidence([], [], [], "", " ", "a/x", "b/y", {})))
    assert card.splitlines()[1:] == [
        "     from:   (no text of its own)  [a/x]",
        "     to:     (no text of its own)  [b/y]",
    ]


def test_listing_numbers_the_suggestions_for_accept(store, fx):
    listed = list_suggestions(store, "north", "south", **RECOMMENDATIONS)
    assert pairs(listed) == EXPECTED and [s.number for s in listed] == [1, 2, 3, 4]
    written = accept_suggestion(store, ("2",), today=DAY)
    assert written.description == "north/n2 related-to south/s2"
    assert written.path == fx / "plans/north.yaml"
    link = load_dataset(fx).links[-1]
    assert (link.source_id, link.target_id, link.relation, link.basis.value) == (
        "north/n2",
        "south/s2",
        Relation.RELATED_TO,
        "suggested",
    )
    text = (fx / "plans/north.yaml").read_text(encoding="utf-8")
    assert (
        f'    method: "crossplan suggest: TF-IDF of item texts, shared entities and distinctive phrases (score '
        f'{listed[1].score:.3f})"\n    date: "2024-05-02"\n' in text
    )


def test_accept_by_number_needs_a_listing_with_that_number(store):
    with pytest.raises(CrossplanError, match=r"^there are no numbered suggestions yet: run `crossplan suggest"):
        accept_suggestion(store, ("1",))
    list_suggestions(store, "north", "south", **RECOMMENDATIONS)
    for number in ("0", "5"):
        with pytest.raises(CrossplanError) as error:
            accept_suggestion(store, (number,))
        assert str(error.value) == f"there is no suggestion {number}: the last `crossplan suggest` listed 1-4"


def test_accept_by_ids_with_another_relation_and_a_note(store, fx):
    written = accept_suggestion(store, ("n1", "s1"), relation="feeds-into", note="Both about housing.", today=DAY)
    assert written.description == "north/n1 feeds-into south/s1"
    link = load_dataset(fx).links[-1]
    assert (link.source_id, link.target_id, link.relation) == ("north/n1", "south/s1", Relation.FEEDS_INTO)
    assert (fx / "plans/north.yaml").read_text(encoding="utf-8").endswith('    note: "Both about housing."\n')


def test_accept_writes_nothing_that_would_not_validate(store, fx):
    before = (fx / "plans/north.yaml").read_text(encoding="utf-8")
    with pytest.raises(DataError) as error:
        accept_suggestion(store, ("n1", "s1"), quote="Words that are not in the source.")
    assert "is not in its source north.txt" in str(error.value)
    assert (fx / "plans/north.yaml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    "choice, message",
    [
        (("1", "2", "3"), "give a suggestion number (from the last `crossplan suggest`) or two item ids FROM TO"),
        (("n1",), "give a suggestion number (from the last `crossplan suggest`) or two item ids FROM TO"),
        (("n1", "north/n1"), "a link from 'north/n1' to itself"),
    ],
)
def test_choices_that_name_no_link(store, choice, message):
    for act in (accept_suggestion, reject_suggestion):
        with pytest.raises(CrossplanError) as error:
            act(store, choice)
        assert str(error.value) == message


def test_rejected_links_are_left_out_afterwards(store, fx):
    written = reject_suggestion(store, ("n2", "s2"), note="Not the same staff.", today=DAY)
    assert (written.path, written.line, written.description) == (
        fx / "suggestions/rejected.yaml",
        3,
        "north/n2 -> south/s2",
    )
    assert ("north/n2", "south/s2") not in pairs(list_suggestions(store, "north", "south", top=5))
    assert ("north/n2", "south/s2") not in {(e.source, e.target) for e in suggested_edges(store, "north", "south")}
    with pytest.raises(
        CrossplanError, match=r"^south/s2 -> north/n2 is already rejected \(fx/suggestions/rejected.yaml:3\)$"
    ):
        reject_suggestion(store, ("south/s2", "north/n2"))


def test_suggested_edges_are_drawn_as_suggested_and_leave_the_numbered_list(store):
    listed = list_suggestions(store, "north", "south", **RECOMMENDATIONS)
    edges = suggested_edges(store, "north", "south")
    assert edges and {edge.basis for edge in edges} == {"suggested"}
    assert set(pairs(listed)) <= {(edge.source, edge.target) for edge in edges}
    assert all(edge.evidence.startswith("score ") for edge in edges)
    written = accept_suggestion(store, ("4",), today=DAY)  # still the list of list_suggestions
    assert written.description == "north/n5 feeds-into south/s3"


def test_review_walks_the_suggestions_in_turn(store, fx):
    answers = iter(["a", "r", "s", "q"])
    told: list[str] = []
    summary = review_suggestions(
        store, "north", "south", ask=lambda: next(answers), tell=told.append, today=DAY, **RECOMMENDATIONS
    )
    assert str(summary) == "Accepted 1, rejected 1, skipped 1, not reviewed 1"
    assert [line for line in told if not line.startswith("\n[")] == [
        "Added north/n3 duplicate-of south/s5 at fx/plans/north.yaml:65",
        "Rejected north/n2 -> south/s2 (remembered in fx/suggestions/rejected.yaml:3)",
        "Skipped",
    ]
    assert [line.splitlines()[1] for line in told if line.startswith("\n[")] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert ("north/n3", "south/s5") in {(link.source_id, link.target_id) for link in load_dataset(fx).links}


def test_review_goes_on_after_a_link_that_would_not_validate(store, fx):
    accept_suggestion(store, ("n3", "s5"), relation="duplicate-of", today=DAY)  # the store does not know it yet
    told: list[str] = []
    summary = review_suggestions(store, "north", "south", ask=lambda: "a", tell=told.append, **RECOMMENDATIONS)
    assert (summary.accepted, summary.skipped, summary.left) == (3, 1, 0)
    assert told[1].startswith("Not added: ") and "duplicate link north/n3 duplicate-of south/s5" in told[1]


def test_review_with_nothing_to_review(store):
    told: list[str] = []
    summary = review_suggestions(
        store, "north", "south", ask=lambda: pytest.fail("asked"), tell=told.append, min_score=2.0
    )
    assert told == ["No suggestions."]
    assert str(summary) == "Accepted 0, rejected 0, skipped 0, not reviewed 0"


def test_the_shipped_data_and_sparql_servers_are_never_written():
    from pyoxigraph import Store

    shipped = CrossplanStore(Store(), shipped_data_dir(), None)
    for act in (
        lambda: accept_suggestion(shipped, ("1",)),
        lambda: reject_suggestion(shipped, ("1",)),
        lambda: review_suggestions(shipped, "a", "b", ask=str, tell=print),
    ):
        with pytest.raises(CrossplanError, match="is the shipped data, which is not changed"):
            act()

    class Endpoint:
        data_dir = None

    with pytest.raises(LocalOnlyError):
        accept_suggestion(Endpoint(), ("1",))


def test_the_numbered_list_is_kept_outside_the_data_directory(store, fx):
    before = sorted(path.relative_to(fx) for path in fx.rglob("*"))
    list_suggestions(store, "north", "south", **RECOMMENDATIONS)
    assert sorted(path.relative_to(fx) for path in fx.rglob("*")) == before
    json.dumps([s.to_json() for s in list_suggestions(store, "north", "south")])  # what is saved is JSON


def test_a_suggestion_from_an_item_with_no_text_is_accepted_only_with_a_quote(store, fx):
    proposal = made_up(evidence=Evidence([], [], [], "", "To text.", "north/n1", "south/s1", {})).to_json()
    proposal.update({"from": "north/n1", "to": "south/s1"})
    before = (fx / "plans/north.yaml").read_text(encoding="utf-8")
    with pytest.raises(
        CrossplanError, match="north/n1 has no text of its own to quote: accept it with `crossplan accept` and --quote"
    ):
        write_suggested_link(fx, proposal, today=DAY)
    assert (fx / "plans/north.yaml").read_text(encoding="utf-8") == before
