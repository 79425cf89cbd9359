"""Suggesting links (graph.suggest.similar), on hand-written data.

``tests/fixtures/suggest`` holds two small made-up plans, ``north`` and ``south``, written so that the right link
of each north recommendation is known: n1 and s1 are about accommodation before release, n2 and s2 about young
people moving to adult probation services (both name the Probation Service and the Transitions Guidance), n3 is
word for word s5, n5's update says it "will inform" the school attendance that s3 is about, and n4 is already
linked to s4 (constructive resettlement).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import UnknownIdError
from crossplan.graph.model.nodes import NodeType, Relation
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.suggest import similar
from crossplan.graph.suggest.similar import explain_pair, suggest_links

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
SHIPPED = Path(__file__).parents[2] / "data"


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


def test_duplicate_wording_is_decided_as_difflibs_ratio_decides_it():
    # the matching blocks summed only as far as the verdict needs, after a longest-common-subsequence bound
    import difflib
    import random

    chosen = random.Random(30)
    words = "the plan will develop a national strategy for custody and digital services to improve it".split()
    for turn in range(600):
        left = " ".join(chosen.choice(words) for _ in range(chosen.randint(1, 50)))
        changed = left.split()
        for _ in range(chosen.randint(0, 8)):
            at = chosen.randint(0, len(changed))
            if chosen.random() < 0.5:
                changed.insert(at, chosen.choice(words))
            elif changed:
                del changed[min(at, len(changed) - 1)]
        right = " ".join(changed) if chosen.random() < 0.8 else "".join(chosen.sample(left, len(left)))
        if not left and not right:
            continue
        ratio = difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()
        assert similar._nearly_matching(left, right) is (ratio >= similar.DUPLICATE_RATIO), (left, right)
        if turn % 20:
            continue
        common = [[0] * (len(right) + 1) for _ in range(2)]
        for place, character in enumerate(left):
            for at, other in enumerate(right):
                common[(place + 1) % 2][at + 1] = (
                    common[place % 2][at] + 1
                    if character == other
                    else max(common[place % 2][at + 1], common[(place + 1) % 2][at])
                )
        assert similar._common_subsequence(left, right) == common[len(left) % 2][len(right)]


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


# --------------------------------------------------------------------------------------------
# Pruning by an upper bound of the score


@pytest.fixture(scope="module")
def shipped():
    return memory_store(load_dataset(SHIPPED))


def _everything(monkeypatch):
    """Score every target (what the ranking did before the bounds): the bounds' order, but nothing left out."""
    original = similar._Bounds.ranked

    def ranked(self, source, best_sentences):
        original(self, source, best_sentences)
        self.bound = np.full(len(self.everything), 2.0)
        return list(range(len(self.everything)))

    original_init = similar._Bounds.__init__

    def init(self, targets, sentence_count, entity_idf):
        original_init(self, targets, sentence_count, entity_idf)
        self.everything = targets

    monkeypatch.setattr(similar._Bounds, "ranked", ranked)
    monkeypatch.setattr(similar._Bounds, "__init__", init)


def _ranked(found):
    return [(s.source_id, s.target_id, s.score, s.relation, s.existing) for s in found]


@pytest.mark.parametrize(
    ("from_plan", "to_plan", "options"),
    [
        ("yj-blueprint", None, {"top": 1}),
        ("yj-blueprint", None, {"top": 3}),
        ("hmip-resettlement", None, {"top": 2, "include_existing": True}),
        ("hmip-resettlement", "yj-blueprint", {"top": 3, "min_score": 0.05}),
        ("hmip-resettlement", "hmip-resettlement", {"top": 2}),
    ],
)
def test_bounds_leave_out_only_targets_that_cannot_be_kept(shipped, monkeypatch, from_plan, to_plan, options):
    pruned = suggest_links(shipped, from_plan, to_plan, **options)
    scored = []
    real = similar.score_pair

    def counting(*args):
        scored.append(args[2].id)
        return real(*args)

    with monkeypatch.context() as patch:
        patch.setattr(similar, "score_pair", counting)
        assert _ranked(suggest_links(shipped, from_plan, to_plan, **options)) == _ranked(pruned)
        pruned_count = len(scored)
        scored.clear()
        _everything(patch)
        assert _ranked(suggest_links(shipped, from_plan, to_plan, **options)) == _ranked(pruned)
        assert pruned and pruned_count < len(scored)  # the bounds did leave some out


def _best_matches_in_python(corpus, numbers, source):
    """The sentence index's matches as a loop over Python floats (what it was before numpy)."""
    postings = {}
    for number in sorted(numbers):
        for term, value in corpus.sentences[number][2].items():
            postings.setdefault(term, []).append((number, value))
    best = {}
    for left in source.sentences:
        scores = {}
        for term, value in corpus.sentences[left][2].items():
            for number, weight in postings.get(term, ()):
                scores[number] = scores.get(number, 0.0) + value * weight
        for number, similarity in scores.items():
            if similarity > best.get(number, (0.0, -1))[0]:
                best[number] = (similarity, left)
    return best


def test_the_sentence_index_gives_exactly_the_cosines_of_a_python_loop(shipped):
    from crossplan.graph.suggest.corpus import Corpus

    corpus = Corpus(shipped)
    items = list(corpus.items.values())
    for item in items:
        corpus.prepare(item)
    numbers = set(range(0, len(corpus.sentences), 2))
    index = similar._SentenceIndex(corpus, numbers)
    matched = 0
    for source in items:
        found = index.best_matches(source)
        assert found == _best_matches_in_python(corpus, numbers, source)  # the same floats, not nearly
        matched += len(found)
    assert matched


_RANK_IN_A_PROCESS = """
import sys
from pathlib import Path
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.suggest.similar import suggest_links
store = memory_store(load_dataset(Path(sys.argv[1])))
for plan in ("hmip-resettlement", "yj-blueprint"):
    for s in suggest_links(store, plan, None, top=5):
        print(s.source_id, s.target_id, repr(s.score), *map(repr, s.evidence.signals.values()))
"""


def test_the_ranking_is_the_same_in_every_process():
    """Sums run in an order that string hashing (``PYTHONHASHSEED``, random per process) cannot change: the same
    floats to the last bit, so near-ties print in one order."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2", "3"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RANK_IN_A_PROCESS, str(SHIPPED)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0].count("\n") > 10
    assert outputs[0] == outputs[1] == outputs[2]
