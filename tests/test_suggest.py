"""Suggesting links (graph.suggest) and writing what a person decides (graph.review), on hand-written data.

``tests/fixtures/suggest`` holds two small made-up plans, ``north`` and ``south``, written so that the right link
of each north recommendation is known: n1 and s1 are about accommodation before release, n2 and s2 about young
people moving to adult probation services (both name the Probation Service and the Transitions Guidance), n3 is
word for word s5, n5's update says it "will inform" the school attendance that s3 is about, and n4 is already
linked to s4 (constructive resettlement).
"""

import difflib
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import CrossplanError, DataError, UnknownIdError
from crossplan.graph.model.nodes import NodeType, Relation
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.suggest.review import (
    Rejection,
    add_list_entry,
    check_rejections,
    read_rejections,
    record_rejection,
)
from crossplan.graph.suggest.similar import explain_pair, split_sentences, suggest_links

SUGGEST = Path(__file__).parent / "fixtures" / "suggest"
SHIPPED = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def store():
    return memory_store(load_dataset(SUGGEST))


def targets_of(suggestions) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for suggestion in suggestions:
        out.setdefault(suggestion.source_id, []).append(suggestion.target_id)
    return out


def find(suggestions, source, target):
    matches = [s for s in suggestions if (s.source_id, s.target_id) == (source, target)]
    assert len(matches) == 1, f"{source} -> {target} not suggested once"
    return matches[0]


# --------------------------------------------------------------------------------------------
# Ranking


def test_each_recommendation_finds_its_counterpart_first(store):
    found = suggest_links(store, "north", "south", top=1, min_score=0.1, item_types=("recommendation",))
    assert {s.source_id: s.target_id for s in found} == {
        "north/n1": "south/s1",
        "north/n2": "south/s2",
        "north/n3": "south/s5",
        "north/n5": "south/s3",
    }


def test_suggestions_are_numbered_best_first_and_scored_between_0_and_1(store):
    found = suggest_links(store, "north", "south", top=5)
    assert [s.number for s in found] == list(range(1, len(found) + 1))
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert all(0 < s.score <= 1 for s in found)


def test_the_proposed_relation_follows_the_wording(store):
    found = suggest_links(store, "north", "south", top=3)
    assert find(found, "north/n3", "south/s5").relation is Relation.DUPLICATE_OF  # the same text
    assert find(found, "north/n5", "south/s3").relation is Relation.FEEDS_INTO  # "The report will inform ..."
    assert find(found, "north/n2", "south/s2").relation is Relation.RELATED_TO
    assert find(found, "north/n3", "south/s3").relation is Relation.RELATED_TO  # similar, not the same


def test_the_evidence_names_what_is_shared_and_quotes_each_side(store):
    evidence = find(suggest_links(store, "north", "south"), "north/n2", "south/s2").evidence
    assert (
        evidence.from_sentence
        == "The Probation Service has refreshed the Transitions Guidance and its training on maturity."
    )
    assert evidence.from_sentence_item == "north/n2-update-1"
    assert evidence.to_sentence == "Work with the Probation Service to refresh the Transitions Guidance."
    assert evidence.to_sentence_item == "south/s2-action-1"
    # n2 is addressed to the Probation Service and references the guidance; s2's action names both
    assert {(e.id, e.type) for e in evidence.shared_entities} == {
        ("transitions-guidance", "document"),
        ("probation-service", "organisation"),
    }
    assert "moving to adult probation services" in evidence.shared_phrases
    assert {"probation", "adult", "moving"} <= set(evidence.shared_terms)


def test_the_json_form_has_the_documented_keys(store):
    record = json.loads(json.dumps(suggest_links(store, "north", "south")[0].to_json()))
    assert {"number", "from", "to", "score", "relation", "existing", "evidence"} <= set(record)
    assert {"shared_terms", "shared_phrases", "shared_entities", "from_sentence", "to_sentence"} <= set(
        record["evidence"]
    )
    assert record["from"].startswith("north/") and record["to"].startswith("south/")


def test_top_keeps_at_most_k_per_item_and_min_score_drops_weak_ones(store):
    for top in (1, 2):
        assert (
            max(len(targets) for targets in targets_of(suggest_links(store, "north", "south", top=top)).values()) == top
        )
    everything = suggest_links(store, "north", "south", top=10)
    strong = suggest_links(store, "north", "south", top=10, min_score=0.5)
    assert strong and all(s.score >= 0.5 for s in strong)
    assert [(s.source_id, s.target_id) for s in strong] == [
        (s.source_id, s.target_id) for s in everything if s.score >= 0.5
    ]


def test_links_already_in_the_data_are_left_out_unless_asked_for(store):
    default = targets_of(suggest_links(store, "north", "south", top=10))
    assert "south/s4" not in default.get("north/n4", [])
    # nor the workstream of s4, which the existing link already covers
    assert "south/resettlement" not in default.get("north/n4", [])
    with_existing = suggest_links(store, "north", "south", top=10, include_existing=True)
    # the other way round too, with the workstream of s4, which is broader than the linked pair
    backwards = {(s.source_id, s.target_id) for s in suggest_links(store, "south", "north", top=10)}
    assert not backwards & {
        ("south/s4", "north/n4"),
        ("south/resettlement", "north/n4"),
        ("south/s4-update-1", "north/n4"),
    }
    flagged = [s for s in with_existing if s.existing]
    assert [(s.source_id, s.target_id, s.existing) for s in flagged] == [("north/n4", "south/s4", ["related-to"])]
    assert flagged[0].to_json()["existing"] is True


def test_only_the_better_of_an_item_and_an_item_inside_it_is_kept(store):
    n2 = targets_of(suggest_links(store, "north", "south", top=10))["north/n2"]
    assert "south/s2" in n2
    assert "south/s2-action-1" not in n2 and "south/transitions" not in n2


def test_excluded_pairs_are_left_out_either_way_round(store):
    for pair in (("north/n2", "south/s2"), ("south/s2", "north/n2")):
        found = targets_of(suggest_links(store, "north", "south", top=10, excluded={pair}))
        assert "south/s2" not in found["north/n2"]


def test_item_types_limit_what_is_compared(store):
    found = suggest_links(store, "north", "south", top=10, item_types=(NodeType.RECOMMENDATION,))
    assert {s.target_type for s in found} == {"recommendation"}


def test_within_one_plan_each_pair_is_suggested_once(store):
    found = suggest_links(store, "south", "south", top=10)
    pairs = [frozenset((s.source_id, s.target_id)) for s in found]
    assert len(pairs) == len(set(pairs))
    assert frozenset(("south/s5", "south/s3")) in pairs  # both about school attendance
    # never an item and its own workstream, action or update, nor two parts of one recommendation
    assert frozenset(("south/s2", "south/s2-action-1")) not in pairs
    assert frozenset(("south/s4-update-1", "south/s4")) not in pairs
    assert frozenset(("south/learning", "south/s3")) not in pairs


def test_an_unknown_plan_is_an_error_with_a_likely_fix(store):
    with pytest.raises(UnknownIdError, match=r"^no plan with id 'nort' \(did you mean 'north'\?\)$"):
        suggest_links(store, "nort", "south")


def test_explain_pair_scores_a_pair_that_was_not_suggested(store):
    pair = explain_pair(store, "north/n1", "south/s3")
    assert pair.existing == [] and pair.evidence.from_sentence
    assert explain_pair(store, "north/n4", "south/s4").existing == ["related-to"]
    with pytest.raises(UnknownIdError, match="'housing-department' is not an item of a plan"):
        explain_pair(store, "north/n1", "housing-department")


def test_sentences_are_verbatim_pieces_of_the_text():
    text = (
        "The MoJ agrees that children should have accommodation in place before they leave custody. In too many "
        "cases accommodation is identified late; it is • often unsuitable."
    )
    pieces = split_sentences(text)
    assert pieces == [
        "The MoJ agrees that children should have accommodation in place before they leave custody.",
        "In too many cases accommodation is identified late",
        "it is",
        "often unsuitable.",
    ]
    assert all(piece in text for piece in pieces)


# --------------------------------------------------------------------------------------------
# Writing: adding one entry to a YAML list without touching the rest


ENTRY = {
    "from": "r1",
    "to": "yj-blueprint/custody-1",
    "relation": "related-to",
    "basis": "suggested",
    "quote": "a “quoted”: text, with # and 'marks'",
    "date": "2024-05-02",
}


def only_added(before: str, after: str) -> list[str]:
    """Return the lines added; fail if any line of ``before`` changed or went."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    added = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), f"lines {i1 + 1}-{i2} changed"
        if tag == "insert":
            added += after.splitlines()[j1:j2]
    return added


def test_adding_a_link_to_a_shipped_plan_only_adds_its_lines():
    path = SHIPPED / "plans" / "hmip-resettlement.yaml"
    before = path.read_text(encoding="utf-8")
    after, line = add_list_entry(path, before, "links", ENTRY)
    added = only_added(before, after)
    assert [text.strip() for text in added if text.strip()][0] == "- from: r1"
    assert after.splitlines()[line - 1].strip() == "- from: r1"
    safe = YAML(typ="safe", pure=True)
    old_links, new_links = safe.load(before)["links"], safe.load(after)["links"]
    assert new_links == old_links + [ENTRY]


def test_a_file_without_links_gets_a_links_section(tmp_path):
    path = tmp_path / "plan.yaml"
    before = "plan:\n  id: x\n  title: X   # a comment\n"
    after, line = add_list_entry(path, before, "links", {"from": "a", "to": "b"})
    assert after == before + "\nlinks:\n  - from: a\n    to: b\n"
    assert line == 6


def test_an_empty_links_key_gets_its_first_entry(tmp_path):
    after, _ = add_list_entry(tmp_path / "p.yaml", "links:\n# the end\n", "links", {"from": "a", "to": "b"})
    assert after == "links:\n  - from: a\n    to: b\n# the end\n"


def test_an_inline_list_is_not_rewritten(tmp_path):
    with pytest.raises(DataError) as raised:
        add_list_entry(tmp_path / "p.yaml", "plan: {}\nlinks: [{from: a, to: b}]\n", "links", {"from": "c", "to": "d"})
    assert str(raised.value).endswith("p.yaml:2: 'links:' must be a block list (one '- ' entry per item) to add to it")


# --------------------------------------------------------------------------------------------
# Rejections


def test_rejections_are_recorded_once_and_read_back(tmp_path):
    first = record_rejection(tmp_path, Rejection("north/n1", "south/s3", "2024-05-02", "Different subjects."))
    record_rejection(tmp_path, Rejection("north/n2", "south/s5", "2024-05-03"))
    assert (first.path, first.line) == (tmp_path / "suggestions/rejected.yaml", 3)
    assert first.path.read_text(encoding="utf-8") == (
        "# Suggested links a person rejected: `crossplan suggest` never proposes them again.\n"
        "rejected:\n"
        "  - from: north/n1\n"
        "    to: south/s3\n"
        '    date: "2024-05-02"\n'
        '    note: "Different subjects."\n'
        "  - from: north/n2\n"
        "    to: south/s5\n"
        '    date: "2024-05-03"\n'
    )
    assert read_rejections(tmp_path) == [
        Rejection("north/n1", "south/s3", "2024-05-02", "Different subjects."),
        Rejection("north/n2", "south/s5", "2024-05-03"),
    ]
    with pytest.raises(CrossplanError, match=r"^south/s3 -> north/n1 is already rejected$"):
        record_rejection(tmp_path, Rejection("south/s3", "north/n1", "2024-05-04"))


def test_a_broken_rejections_file_is_reported_line_by_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suggestions").mkdir()
    (tmp_path / "suggestions/rejected.yaml").write_text(
        "rejected:\n  - from: north/n1\n    to: south/s9\n  - form: north/n2\n    to: south\n    date: May\n",
        encoding="utf-8",
    )
    assert [str(p) for p in check_rejections(tmp_path, {"north/n1", "north/n2", "south/s1"})] == [
        "suggestions/rejected.yaml:3: 'to' 'south/s9' is not an item of a plan (did you mean 'south/s1'?)",
        "suggestions/rejected.yaml:4: unknown key 'form' in a rejected link (did you mean 'from'?)",
        "suggestions/rejected.yaml:4: 'from' must be the global id of a plan item (plan/item)",
        "suggestions/rejected.yaml:5: 'to' must be the global id of a plan item (plan/item)",
        "suggestions/rejected.yaml:6: invalid date 'May': write YYYY-MM-DD",
    ]
    with pytest.raises(DataError):
        read_rejections(tmp_path)
