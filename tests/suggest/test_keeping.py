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


@pytest.mark.parametrize("same_plan", [False, True])
def test_nested_sources_keep_the_best_of_nested_pairs(corpus, same_plan):
    """``drop_nested_sources`` keeps a suggestion unless a better one kept has a nested source (another item) and a
    nested target, or (within one plan) the same pair the other way round, or it is a workstream's and one of its
    recommendations scores nearly as well: the rule applied to every kept suggestion in turn."""
    items = sorted(corpus.items.values(), key=lambda item: item.id)
    plans = sorted({item.plan for item in items})
    sources = [item for item in items if item.plan == plans[0]][:40]
    targets = [item for item in items if item.plan == (plans[0] if same_plan else plans[1])][:40]
    signals = {"text": 0.0, "sentence": 0.0, "entities": 0.0, "phrases": 0.0}
    suggestions = [
        Candidate(source, target, 1.0 - ((7 * number + 3 * other) % 97) / 100, signals, None, None)
        for number, source in enumerate(sources)
        for other, target in enumerate(targets)
        if source.id != target.id and (number + other) % 3 == 0
    ]
    suggestions.sort(key=lambda s: (-s.score, s.source_id, s.target_id))
    best = {(s.source_id, s.target_id): s.score for s in suggestions}
    expected = []
    for s in suggestions:
        item = corpus.items[s.source_id]
        inside = item.children if item.type is NodeType.WORKSTREAM else []
        if any(best.get((child, s.target_id), 0.0) >= keeping.SPECIFIC_SHARE * s.score for child in inside):
            continue
        if any(
            (k.source_id != s.source_id and keeping.nested_items(corpus, k.source_id, s.source_id))
            and keeping.nested_items(corpus, k.target_id, s.target_id)
            or same_plan
            and keeping.nested_items(corpus, k.source_id, s.target_id)
            and keeping.nested_items(corpus, k.target_id, s.source_id)
            for k in expected
        ):
            continue
        expected.append(s)
    kept = keeping.drop_nested_sources(corpus, suggestions, same_plan=same_plan)
    assert kept == expected
    assert len(suggestions) > len(kept) > 10  # some left out, many kept
