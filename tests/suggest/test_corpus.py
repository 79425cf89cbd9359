"""The plan items of a data set, tokenised and weighed for ranking (graph.suggest.corpus).

On the hand-written north/south plans of tests/fixtures/suggest (see tests/suggest/test_similar.py).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.nodes import NodeType
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.suggest.corpus import Corpus, cosine, names_pattern, vector

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(memory_store(load_dataset(SUGGEST)))


def test_vectors_are_unit_length_tf_idf_with_sublinear_counts():
    weights = vector(Counter({"a": 1, "b": math.e**2, "unknown": 5}), {"a": 1.0, "b": 1.0})
    assert set(weights) == {"a", "b"}  # a term without an IDF is left out
    assert weights["b"] == pytest.approx(3 * weights["a"])  # 1 + log(e²) = 3 times 1 + log(1)
    assert sum(value * value for value in weights.values()) == pytest.approx(1.0)
    assert vector(Counter(), {"a": 1.0}) == {} and vector(Counter({"a": 2}), {"a": 0.0}) == {}


def test_cosine_of_unit_vectors():
    left = vector(Counter({"a": 1, "b": 1}), {"a": 1.0, "b": 1.0})
    assert cosine(left, left) == pytest.approx(1.0)
    assert cosine(left, {"c": 1.0}) == 0.0
    assert cosine(left, {"a": 1.0}) == cosine({"a": 1.0}, left) == pytest.approx(1 / math.sqrt(2))


def test_items_and_their_families(corpus):
    assert corpus.items["south/s2-action-1"].type is NodeType.ACTION
    assert corpus.items["south/s2-action-1"].parent == "south/s2"
    assert corpus.family("south/s2") == ["south/s2", "south/s2-action-1"]
    assert corpus.family("north/n2") == ["north/n2", "north/n2-update-1"]
    # a workstream's family is its recommendations, in their order, with what is under them
    assert corpus.family("south/learning") == ["south/learning", "south/s3", "south/s5"]
    assert corpus.family("south/housing") == ["south/housing", "south/s1", "south/s1-action-1"]
    assert corpus.family("north/n3") == ["north/n3"]


def test_parts_of_one_recommendation_are_never_worth_a_link(corpus):
    assert corpus.same_recommendation("south/s2", "south/s2-action-1")
    assert corpus.same_recommendation("south/s4-update-1", "south/s4")
    assert corpus.same_recommendation("south/learning", "south/s3")  # nested in the workstream
    assert not corpus.same_recommendation("south/s3", "south/s5")
    assert not corpus.same_recommendation("north/n1", "south/s1")
    assert not corpus.same_recommendation("south/housing", "south/learning")


def test_own_text_of_a_workstream_is_its_title(corpus):
    assert corpus.own_text("south/learning") == "Learning"
    assert corpus.own_text("north/n3") == "Improve school attendance for children on community orders."


def test_entities_are_found_in_texts_by_name(corpus):
    assert corpus.texts["south/s2-action-1"].entities == {"probation-service", "transitions-guidance"}
    assert corpus.texts["south/s1-action-1"].entities == {"housing-department"}
    assert corpus.texts["north/n3"].entities == set()


def test_prepare_gathers_the_family_once_with_parent_organisations(corpus):
    item = corpus.items["north/n4"]
    corpus.prepare(item)
    corpus.prepare(item)
    assert item.members == ["north/n4", "north/n4-update-1"]
    # n4 is addressed to the Custody Service, which is part of the Justice Ministry
    assert {"custody-service", "justice-ministry"} <= item.entities
    assert sum(value * value for value in item.vector.values()) == pytest.approx(1.0)
    assert [corpus.sentences[number][0] for number in item.sentences] == ["north/n4", "north/n4-update-1"]


def test_entities_named_by_fewer_recommendations_weigh_more(corpus):
    recommendations = sum(1 for item in corpus.items.values() if item.type is NodeType.RECOMMENDATION)
    assert recommendations == 10
    # the Department for Education: n3 only; the Probation Service: n2 (addressed) and s2 (its action names it)
    assert corpus.entity_idf["education-department"] == pytest.approx(math.log(11 / 2))
    assert corpus.entity_idf["probation-service"] == pytest.approx(math.log(11 / 3))


def test_distinctive_phrases_are_shared_by_a_few_texts_only(corpus):
    assert "children under youth justice supervision" in corpus.phrase_idf  # n5's update and s3
    assert "improve school attendance" in corpus.phrase_idf  # n3 and s5
    assert "school attendance" not in corpus.phrase_idf  # n3, s3 and s5: too common here
    assert "accommodation retainer" not in corpus.phrase_idf  # one text only


def test_sentences_too_short_to_be_evidence_have_no_vector(corpus):
    [number] = corpus.sentence_ranges["south/housing"]
    assert corpus.sentences[number] == ("south/housing", "Housing", {})
    [number] = corpus.sentence_ranges["north/n3"]
    assert corpus.sentences[number][2]


def test_terms_are_described_as_written(corpus):
    left, right = corpus.items["north/n2"], corpus.items["south/s2"]
    corpus.prepare(left)
    corpus.prepare(right)
    assert corpus.describe("transition guidance", left, right) == "transitions guidance"
    assert corpus.describe("nowhere", left, right) == "nowhere"


def test_names_pattern_matches_whole_names_longest_first():
    pattern = names_pattern(["Probation", "Probation Service"], 0)
    assert pattern.findall("the Probation Service, Probation-led work, Probationers, probation") == [
        "Probation Service"
    ]
    assert names_pattern([], 0) is None
