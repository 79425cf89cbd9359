"""Which scored candidates are kept (graph.suggest.keeping): lineages, links in the data making pairs redundant,
nested sources, a workstream giving way to its recommendation."""

from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.nodes import NodeType
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.suggest import keeping
from crossplan.graph.suggest.corpus import Corpus
from crossplan.graph.suggest.similar import Candidate

SHIPPED = Path(__file__).parents[2] / "data"


@pytest.fixture(scope="module")
def corpus():
    return Corpus(memory_store(load_dataset(SHIPPED)))


def first_of(corpus, kind, having_children=False):
    return next(
        item
        for item in sorted(corpus.items.values(), key=lambda item: item.id)
        if item.type is kind and (item.children or not having_children)
    )


def test_a_recommendations_lineage_is_its_family_and_what_it_is_part_of(corpus):
    recommendation = next(
        item
        for item in sorted(corpus.items.values(), key=lambda item: item.id)
        if item.type is NodeType.RECOMMENDATION and item.workstream and item.children
    )
    found = keeping.lineage(corpus, recommendation.id)
    assert set(corpus.family(recommendation.id)) <= found
    assert recommendation.workstream in found
    assert keeping.lineage(corpus, recommendation.id) is found  # worked out once per corpus


def test_a_workstreams_lineage_leaves_its_recommendations_out(corpus):
    workstream = first_of(corpus, NodeType.WORKSTREAM, having_children=True)
    found = keeping.lineage(corpus, workstream.id)
    assert workstream.id in found
    assert not set(workstream.children) & found


def test_a_link_in_the_data_covers_its_ends_and_their_parts(corpus):
    existing = keeping.existing_pairs(corpus)
    covered = keeping.covered_pairs(corpus, existing)
    pair = next(tuple(sorted(p)) for p in existing if len(p) == 2 and all(end in corpus.items for end in p))
    assert pair in covered and pair[::-1] in covered
    for part in keeping.lineage(corpus, pair[0]):
        assert (part, pair[1]) in covered


def test_keep_best_prefers_a_recommendation_to_its_workstream_and_stops_at_top(corpus):
    workstream = first_of(corpus, NodeType.WORKSTREAM, having_children=True)
    source = next(item for item in corpus.items.values() if item.plan != workstream.plan)
    child = corpus.items[workstream.children[0]]
    others = sorted(
        (item for item in corpus.items.values() if item.type is NodeType.WORKSTREAM and item.plan == workstream.plan),
        key=lambda item: item.id,
    )
    others = [item for item in others if item.id != workstream.id][:3]
    assert len(others) == 3
    signals = {"text": 0.0, "sentence": 0.0, "entities": 0.0, "phrases": 0.0}
    ranked = [
        Candidate(source, workstream, 0.50, signals, None, None),
        Candidate(source, child, 0.46, signals, None, None),  # over 0.9 of its workstream's score
        *(Candidate(source, other, 0.40 - n / 100, signals, None, None) for n, other in enumerate(others)),
    ]
    kept = keeping.keep_best(corpus, ranked, {}, set(), set(), 2, 0.0, False)
    assert [c.target_id for c in kept] == [child.id, others[0].id]
    rejected = keeping.keep_best(corpus, ranked, {}, set(), {(source.id, child.id)}, 2, 0.0, False)
    assert child.id not in [c.target_id for c in rejected]
