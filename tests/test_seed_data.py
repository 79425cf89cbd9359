"""The shipped plans: the id contract, the counts, and every quote and text verbatim in its source."""

import re
from collections import Counter

import pytest

from crossplan.graph.loading import load_dataset
from crossplan.graph.model import Basis, NodeType, Relation, Status
from crossplan.graph.resources import shipped_data_dir

BLUEPRINT_WORKSTREAMS = {
    "prevention": 5,
    "pre-court-diversion": 3,
    "community": 4,
    "resettlement-and-transitions": 4,
    "custody": 2,
    "system-oversight": 1,
}


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def _normalise(text: str) -> str:
    # written independently of graph.validation on purpose: rejoin hyphen line-breaks, collapse whitespace
    return " ".join(re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1-\2", text).split())


@pytest.fixture(scope="module")
def sources(dataset):
    texts = {}
    for plan in dataset.plans():
        document = dataset.nodes[plan.source]
        texts[plan.id] = _normalise((shipped_data_dir() / "sources" / document.source_file).read_text(encoding="utf-8"))
    return texts


def items(dataset, plan, kind):
    return sorted((n for n in dataset.nodes.values() if n.plan == plan and n.type is kind), key=lambda n: n.position)


def test_the_two_plans_and_their_sources(dataset):
    assert sorted(plan.id for plan in dataset.plans()) == ["hmip-resettlement", "yj-blueprint"]
    files = {plan.id: dataset.nodes[plan.source].source_file for plan in dataset.plans()}
    assert files == {"yj-blueprint": "000_b72972d3d8891a02.txt", "hmip-resettlement": "002_5ce6e7942855d53e.txt"}
    attribution = (shipped_data_dir() / "sources" / "README.md").read_text(encoding="utf-8")
    assert "Crown copyright" in attribution and "Open Government Licence" in attribution


def test_blueprint_workstreams_and_recommendation_ids(dataset):
    workstreams = items(dataset, "yj-blueprint", NodeType.WORKSTREAM)
    assert [w.id for w in workstreams] == [f"yj-blueprint/{w}" for w in BLUEPRINT_WORKSTREAMS]
    recommendations = items(dataset, "yj-blueprint", NodeType.RECOMMENDATION)
    assert len(recommendations) == 19
    expected = [f"yj-blueprint/{w}-{n}" for w, count in BLUEPRINT_WORKSTREAMS.items() for n in range(1, count + 1)]
    assert [r.id for r in recommendations] == expected
    for recommendation in recommendations:
        workstream = recommendation.id.split("/")[1].rsplit("-", 1)[0]
        assert recommendation.workstream == f"yj-blueprint/{workstream}"


def test_hmip_recommendation_ids_and_the_removed_additional_4(dataset):
    recommendations = items(dataset, "hmip-resettlement", NodeType.RECOMMENDATION)
    expected = [f"hmip-resettlement/r{n}" for n in range(1, 10)] + [f"hmip-resettlement/a{n}" for n in range(1, 9)]
    assert sorted(r.id for r in recommendations) == sorted(expected)
    assert len(recommendations) == 17
    removed = [r.id for r in recommendations if r.status is Status.REMOVED]
    assert removed == ["hmip-resettlement/a4"]
    assert dataset.nodes["hmip-resettlement/a4"].text is None
    (duplicate,) = [l for l in dataset.links if l.source_id == "hmip-resettlement/a4"]
    assert (duplicate.relation, duplicate.target_id, duplicate.basis) == (Relation.DUPLICATE_OF, "hmip-resettlement/r6", Basis.EXPLICIT)
    assert "duplicate" in duplicate.quote.lower()


def test_every_live_recommendation_has_its_text_verbatim(dataset, sources):
    for node in dataset.nodes.values():
        if node.type is NodeType.RECOMMENDATION and node.status is not Status.REMOVED:
            pieces = node.text_pieces or [node.text]
            for piece in pieces:
                assert _normalise(piece) in sources[node.plan], node.id


def test_every_printed_text_of_every_item_is_verbatim(dataset, sources):
    for node in dataset.nodes.values():
        if node.plan is None:
            continue
        printed = (node.text_pieces or [node.text]) + [node.status_text, node.timescale, node.addressee_text]
        printed += [owner.text for owner in node.owners] + [target.text for target in node.target_dates]
        for text in filter(None, printed):
            assert _normalise(text) in sources[node.plan], (node.id, text)


def test_every_quote_is_verbatim_in_its_source(dataset, sources):
    for link in dataset.links:
        source_plan = dataset.nodes[link.source_id].plan or (link.source_id if link.source_id in sources else None)
        if link.document:
            document = dataset.nodes[link.document]
            text = _normalise((shipped_data_dir() / "sources" / document.source_file).read_text(encoding="utf-8"))
        elif source_plan:
            text = sources[source_plan]
        else:  # a link from a registry entry quotes the plan file it is written in
            text = sources[link.location.path.rsplit("/", 1)[1].removesuffix(".yaml")]
        assert link.quote.strip() and _normalise(link.quote) in text, link.key
        if link.target_quote:
            target_plan = dataset.nodes[link.target_id].plan
            assert _normalise(link.target_quote) in sources[target_plan], link.key


def test_judged_cross_plan_links_map_hmip_onto_the_blueprint_with_a_quote_from_each_side(dataset):
    cross = [
        l for l in dataset.links
        if l.basis is Basis.JUDGED and {dataset.nodes[l.source_id].plan, dataset.nodes[l.target_id].plan} == {"hmip-resettlement", "yj-blueprint"}
    ]
    assert len(cross) >= 5
    for link in cross:
        assert link.target_quote, link.key
    mapped = {l.source_id for l in cross if dataset.nodes[l.source_id].type is NodeType.RECOMMENDATION}
    assert len(mapped) >= 5


def test_hmip_updates_are_the_dated_january_and_december_2020_responses(dataset):
    updates = items(dataset, "hmip-resettlement", NodeType.UPDATE)
    assert Counter(u.date for u in updates).keys() <= {"2020-01", "2020-12"}
    titled = Counter(u.title for u in updates)
    assert titled["Action Plan (January 2020)"] == 16
    assert titled["Action Plan Update (December 2020)"] == 16


def test_blueprint_states_no_dates_it_does_not_print(dataset):
    for node in items(dataset, "yj-blueprint", NodeType.UPDATE):
        assert node.date is None, node.id
    for node in dataset.nodes.values():
        if node.plan == "yj-blueprint":
            assert all(target.date is None or target.text for target in node.target_dates)


def test_hmip_responses_and_addressees(dataset):
    live = [r for r in items(dataset, "hmip-resettlement", NodeType.RECOMMENDATION) if r.status is not Status.REMOVED]
    assert all(r.response is not None for r in live)
    assert all(r.addressed_to for r in live)
    assert set(dataset.nodes["hmip-resettlement/r1"].addressed_to) == {"moj", "dfe", "mhclg"}


def test_organisations_have_the_abbreviations_used_in_the_text(dataset):
    abbreviations = {a for n in dataset.nodes.values() if n.type is NodeType.ORGANISATION for a in n.abbreviations}
    assert {"YJB", "YCS", "HMPPS", "NPS", "MoJ", "DfE", "MHCLG"} <= abbreviations
    assert dataset.nodes["nps-midlands"].part_of == "nps"
