"""The shipped plans: the id contract, the counts, and every quote and text verbatim in its source."""

import re
from collections import Counter

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.nodes import Basis, NodeType, Relation, Status
from crossplan.graph.questions.duplicates import find_duplicate_groups
from crossplan.graph.questions.network import find_paths
from crossplan.graph.resources import shipped_data_dir
from crossplan.graph.stores.embedded import memory_store

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
    (duplicate,) = [link for link in dataset.links if link.source_id == "hmip-resettlement/a4"]
    assert (duplicate.relation, duplicate.target_id, duplicate.basis) == (
        Relation.DUPLICATE_OF,
        "hmip-resettlement/r6",
        Basis.EXPLICIT,
    )
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
        link
        for link in dataset.links
        if link.basis is Basis.JUDGED
        and {dataset.nodes[link.source_id].plan, dataset.nodes[link.target_id].plan}
        == {"hmip-resettlement", "yj-blueprint"}
    ]
    assert len(cross) >= 5
    for link in cross:
        assert link.target_quote, link.key
    mapped = {link.source_id for link in cross if dataset.nodes[link.source_id].type is NodeType.RECOMMENDATION}
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


# -- issue 20: the audit's corrections ---------------------------------------------------------------


def _link(dataset, source, relation, target):
    found = [
        link for link in dataset.links if (link.source_id, link.relation, link.target_id) == (source, relation, target)
    ]
    assert len(found) == 1, (source, relation.value, target)
    return found[0]


def _no_link(dataset, source, target):
    return not [link for link in dataset.links if (link.source_id, link.target_id) == (source, target)]


@pytest.fixture(scope="module")
def shipped_store(dataset):
    return memory_store(dataset)


def test_the_blueprint_is_tied_to_its_implementation_plan_and_editions(dataset, shipped_store):
    implements = _link(dataset, "youth-justice-blueprint", Relation.DELEGATED_TO, "yj-blueprint")
    assert implements.basis is Basis.EXPLICIT and implements.document == "yj-blueprint-implementation-plan"
    assert "This implementation plan sets out a shared commitment" in implements.quote
    edition = _link(
        dataset,
        "yj-blueprint-implementation-plan",
        Relation.SUPERSEDES,
        "yj-blueprint-implementation-plan-first-edition",
    )
    assert edition.basis is Basis.JUDGED
    _link(dataset, "youth-justice-blueprint", Relation.DELEGATED_TO, "yj-blueprint-implementation-plan-first-edition")
    for recommendation in ("a1", "a2"):
        cited = _link(
            dataset,
            f"hmip-resettlement/{recommendation}",
            Relation.REFERENCES,
            "yj-blueprint-implementation-plan-first-edition",
        )
        assert "the Blueprint and associated implementation plan, published in May" in cited.quote
    paths = find_paths(shipped_store, "youth-justice-blueprint", "yj-blueprint")
    assert paths.paths[0].nodes == ["youth-justice-blueprint", "yj-blueprint"]
    assert find_paths(shipped_store, "hmip-resettlement/a1", "yj-blueprint").paths


def test_documents_and_plans_carry_their_printed_or_inferred_dates(dataset):
    nodes = dataset.nodes
    assert nodes["hmip-resettlement-action-plan"].date == nodes["hmip-resettlement"].date == "2020-12"
    assert "January 2020" in nodes["hmip-resettlement-action-plan"].date_note
    assert nodes["yj-blueprint-implementation-plan"].date == nodes["yj-blueprint"].date == "2022"
    assert "refreshed in January 2022" in nodes["yj-blueprint-implementation-plan"].date_note
    for first in ("youth-justice-blueprint", "yj-blueprint-implementation-plan-first-edition"):
        assert nodes[first].date == "2019-05"
        assert "published in May" in nodes[first].date_note and "inferred" in nodes[first].date_note
    for node in dataset.nodes.values():
        if node.type in (NodeType.DOCUMENT, NodeType.PLAN) and node.date:
            assert node.date_note, node.id  # every date of a document or plan says where it comes from


def test_the_a1_a2_december_updates_map_onto_the_wales_transitions_guidance_row(dataset):
    for update in ("hmip-resettlement/a1-update-2", "hmip-resettlement/a2-update-2"):
        link = _link(dataset, update, Relation.RELATED_TO, "yj-blueprint/resettlement-and-transitions-4")
        assert "joint NPS / YJB Transitions Guidance" in link.quote and link.target_quote
        _link(dataset, update, Relation.REFERENCES, "youth-to-adult-transitions-guidance-wales")
    note = dataset.nodes["youth-to-adult-transitions-guidance-wales"].note
    for statement in ("has now been published", "first quarter of the new year", "awaiting translation"):
        assert statement in note


def test_a1_a2_to_the_resettlement_workstream_are_judged_and_the_inputs_explicit(dataset):
    for recommendation in ("a1", "a2"):
        link = _link(
            dataset,
            f"hmip-resettlement/{recommendation}",
            Relation.RELATED_TO,
            "yj-blueprint/resettlement-and-transitions",
        )
        assert link.basis is Basis.JUDGED
        assert not [
            link
            for link in dataset.links
            if link.source_id == f"hmip-resettlement/{recommendation}" and link.relation is Relation.FEEDS_INTO
        ]
    for source in (
        "hmip-youth-resettlement-inspection",
        "yjb-constructive-resettlement-pathfinder",
        "welsh-yot-self-assessment-of-national-standards",
    ):
        link = _link(dataset, source, Relation.FEEDS_INTO, "yj-blueprint/resettlement-and-transitions")
        assert link.basis is Basis.EXPLICIT
    assert (
        "Welsh YOT self-assessment of National Standards"
        in _link(
            dataset,
            "welsh-yot-self-assessment-of-national-standards",
            Relation.FEEDS_INTO,
            "yj-blueprint/resettlement-and-transitions",
        ).quote
    )


def test_the_weak_cross_plan_links_were_re_read(dataset):
    assert _no_link(dataset, "hmip-resettlement/r3", "yj-blueprint/resettlement-and-transitions-1")
    assert _no_link(dataset, "hmip-resettlement/r5", "yj-blueprint/custody-1")
    assert _no_link(dataset, "hmip-resettlement/a2", "yj-blueprint/custody-1")
    secure = _link(dataset, "hmip-resettlement/a2-update-2", Relation.RELATED_TO, "yj-blueprint/custody-1")
    assert "secure provision" in secure.quote and "accommodated close to home" not in (secure.target_quote or "")
    # third reading: a6 moved from R&T-3 (one shared word, "statutory") to R&T-1, where R&T-3 hands its suggestions too
    assert _no_link(dataset, "hmip-resettlement/a6", "yj-blueprint/resettlement-and-transitions-3")
    _link(dataset, "hmip-resettlement/a6", Relation.RELATED_TO, "yj-blueprint/resettlement-and-transitions-1")
    _link(
        dataset,
        "yj-blueprint/resettlement-and-transitions-3-update-1",
        Relation.DELEGATED_TO,
        "yj-blueprint/resettlement-and-transitions-1",
    )


def test_prevention_3_links_to_the_yjb_project_instead_of_duplicating_it(dataset, shipped_store):
    assert _no_link(dataset, "yj-blueprint/prevention-3", "yjb-prevention-monitoring-project")
    link = _link(dataset, "yjb-prevention-monitoring-project", Relation.FEEDS_INTO, "yj-blueprint/prevention-3")
    assert "Rather than duplicating activity" in link.quote
    members = {m.id for group in find_duplicate_groups(shipped_store) for m in group.members}
    assert "yj-blueprint/prevention-3" not in members


def test_the_ycs_casework_review_is_one_node(dataset):
    review = dataset.nodes["ycs-casework-review"]
    assert review.type is NodeType.PROGRAMME and review.part_of == "youth-justice-reform-programme"
    _link(dataset, "hmip-resettlement/r4", Relation.DELEGATED_TO, "ycs-casework-review")
    _link(dataset, "hmip-resettlement/r7", Relation.DELEGATED_TO, "ycs-casework-review")
    _link(dataset, "hmip-resettlement/r5-update-2", Relation.REFERENCES, "ycs-casework-review")
    _link(dataset, "how-to-make-resettlement-constructive", Relation.FEEDS_INTO, "ycs-casework-review")
    _link(dataset, "ycs-casework-review", Relation.DELEGATED_TO, "ycs-yjb-resettlement-board")
    assert (
        _link(dataset, "how-to-make-resettlement-constructive", Relation.RELATED_TO, "constructive-resettlement").basis
        is Basis.JUDGED
    )
    # r5 does not name the YJB report: judged, not explicit
    assert (
        _link(dataset, "hmip-resettlement/r5", Relation.REFERENCES, "how-to-make-resettlement-constructive").basis
        is Basis.JUDGED
    )


def test_owners_bodies_and_the_probation_service(dataset):
    for recommendation in ("r4", "r7"):
        owners = [
            o
            for u in items(dataset, "hmip-resettlement", NodeType.UPDATE)
            if u.parent == f"hmip-resettlement/{recommendation}"
            for o in u.owners
        ]
        assert owners and all(o.organisation == "ycs" for o in owners), recommendation
    assert _link(dataset, "probation-service", Relation.SUPERSEDES, "nps").basis is Basis.JUDGED
    for body in (
        "police-forces",
        "agored",
        "ycs-yjb-resettlement-board",
        "resettlement-working-group",
        "ycs-current-estate-project-board",
    ):
        assert dataset.nodes[body].type is NodeType.ORGANISATION
    used = set()
    for node in dataset.nodes.values():
        used.update(node.addressed_to, node.publishers, (o.organisation for o in node.owners))
        if node.part_of:
            used.update((node.part_of, node.id))
    for link in dataset.links:
        used.update((link.source_id, link.target_id))
    orphans = [n.id for n in dataset.nodes.values() if n.type is NodeType.ORGANISATION and n.id not in used]
    assert orphans == []


def test_deadlines_printed_in_the_response_text_are_targets(dataset):
    def targets(update):
        return [(t.text, t.date) for t in dataset.nodes[f"hmip-resettlement/{update}"].target_dates]

    assert ("by April 2021", "2021-04") in targets("r2-update-2")
    assert ("by March 2021", "2021-03") in targets("a1-update-2")
    assert ("by March 2021", "2021-03") in targets("a2-update-2")
    assert ("January 2021", "2021-01") in targets("a3-update-2")
    assert ("in the first quarter of the new year", None) in targets("r9-update-2")  # no year printed, no date
    # statuses stay where the document prints a status cell: on three December 2020 updates, no recommendation
    statuses = {
        n.id
        for n in dataset.nodes.values()
        if n.plan == "hmip-resettlement" and n.status and n.status is not Status.REMOVED
    }
    assert statuses == {
        "hmip-resettlement/r3-update-2",
        "hmip-resettlement/r5-update-2",
        "hmip-resettlement/r6-update-2",
    }


# -- issue 32: the third reading ---------------------------------------------------------------------


def test_the_body_that_works_on_both_plans_is_linked_from_the_hmip_side(dataset):
    team = "welsh-government-crime-and-justice-team"
    for update in ("a1-update-1", "a2-update-1"):
        link = _link(dataset, f"hmip-resettlement/{update}", Relation.REFERENCES, team)
        assert link.basis is Basis.EXPLICIT
        assert "The Crime and Justice Team, Welsh Government are pursuing conversations" in link.quote
    owned = {n.id for n in dataset.nodes.values() if any(o.organisation == team for o in n.owners)}
    assert owned == {"yj-blueprint/community-4-action-1", "yj-blueprint/resettlement-and-transitions-2-action-1"}


def test_yjb_cymru_is_linked_from_both_plans(dataset):
    revised = _link(dataset, "hmip-resettlement/r9-update-1", Relation.REFERENCES, "yjb-cymru")
    assert revised.quote == "YJB Cymru and NPS have already revised the Y2A transitions guidance for Wales."
    explores = _link(dataset, "yj-blueprint", Relation.REFERENCES, "yjb-cymru")
    assert "exploring recommendations made by the Youth Justice Board Cymru" in explores.quote
    assert explores.basis is Basis.EXPLICIT


def test_a1_and_a2_meet_custody_1_alike(dataset):
    own = _link(dataset, "hmip-resettlement/a1", Relation.RELATED_TO, "yj-blueprint/custody-1")
    assert own.quote.startswith("children who pose the highest risk of harm to the public")
    assert "secure provision" not in own.quote
    assert own.target_quote.startswith("hub and spoke service delivery to the community for complex and high-risk")
    for update in ("a1-update-2", "a2-update-2"):
        secure = _link(dataset, f"hmip-resettlement/{update}", Relation.RELATED_TO, "yj-blueprint/custody-1")
        assert secure.basis is Basis.JUDGED and "the future of secure provision for Welsh Children" in secure.quote
    assert _no_link(dataset, "hmip-resettlement/a2", "yj-blueprint/custody-1")


def test_the_pathfinder_is_tied_to_constructive_resettlement(dataset):
    link = _link(dataset, "yjb-constructive-resettlement-pathfinder", Relation.RELATED_TO, "constructive-resettlement")
    assert link.basis is Basis.EXPLICIT and link.quote == "YJB Pathfinder on Constructive Resettlement"


def test_one_shared_phrase_is_not_an_overlap(dataset):
    assert _no_link(dataset, "hmip-resettlement/a5", "yj-blueprint/resettlement-and-transitions-1")
    _link(dataset, "hmip-resettlement/a5", Relation.REFERENCES, "constructive-resettlement")
    _link(dataset, "yj-blueprint/resettlement-and-transitions-1", Relation.REFERENCES, "constructive-resettlement")
    moved = _link(dataset, "hmip-resettlement/a6", Relation.RELATED_TO, "yj-blueprint/resettlement-and-transitions-1")
    assert "involved in resettlement cases throughout the sentence" in moved.quote
    assert "YJB Case Management Guidance" in moved.target_quote


def test_overdue_items_that_are_not(dataset, shipped_store):
    from crossplan.graph.questions.overdue import find_overdue

    nodes = dataset.nodes
    # progress written in an action's own cell, the same rule for both siblings
    assert nodes["yj-blueprint/community-2-action-1"].status is Status.COMPLETE
    assert nodes["yj-blueprint/community-2-action-2"].status is Status.COMPLETE
    assert nodes["yj-blueprint/community-2-action-1"].status_text is None
    # the moved audit deadline, printed in the December 2020 rows of a6-a8
    for recommendation in ("a6", "a7", "a8"):
        targets = [(t.text, t.date) for t in nodes[f"hmip-resettlement/{recommendation}-update-2"].target_dates]
        assert targets == [("30th June 2020", "2020-06-30"), ("in the early part of next year", None)]
    assert ("April 2020", "2020-04") in [(t.text, t.date) for t in nodes["hmip-resettlement/a6-update-1"].target_dates]
    overdue = {item.id: item for item in find_overdue(shipped_store, as_of="2026-12-07").items}
    assert "yj-blueprint/community-2-action-1" not in overdue
    assert overdue["hmip-resettlement/a6"].target == "2020-06-30"
    assert overdue["hmip-resettlement/a6"].target_of == "hmip-resettlement/a6-update-2"
    assert not [item for item in overdue.values() if item.target == "2020-04" and item.id.endswith("/a6")]
    # a printed date not recorded before: the September 2020 stocktake
    assert ("in September 2020", "2020-09") in [
        (t.text, t.date) for t in nodes["hmip-resettlement/r2-update-2"].target_dates
    ]


def test_the_smaller_points_of_the_third_reading(dataset):
    custody = _link(dataset, "yj-blueprint/custody-2", Relation.RELATED_TO, "yj-blueprint/custody-1")
    assert custody.quote.startswith("all forms of secure care") and "secure welfare order" in custody.quote
    assert custody.target_quote == "which will look at welfare as well as criminal justice youth secure needs in Wales"
    transitions = _link(
        dataset, "hmip-resettlement/r2", Relation.RELATED_TO, "yj-blueprint/resettlement-and-transitions-4"
    )
    assert (
        "Choices and Changes" in transitions.note and "centre on refreshed transitions guidance" not in transitions.note
    )
    audit = _link(dataset, "hmip-resettlement/a6", Relation.DELEGATED_TO, "national-standards-audit")
    assert "as an opportunity to judge performance by YOTs" in audit.quote
    inspection = _link(dataset, "hmip-resettlement/r5", Relation.REFERENCES, "hmip-youth-resettlement-inspection")
    report = _link(dataset, "hmip-resettlement/r5", Relation.REFERENCES, "how-to-make-resettlement-constructive")
    assert inspection.quote == report.quote
    assert (inspection.basis, report.basis) == (Basis.EXPLICIT, Basis.JUDGED)
    assert "heading" in inspection.note and "HMIP" in report.note  # each says why its basis differs
    # a plan's owners are its source document's publishers; moj is part of uk-government
    for plan in dataset.plans():
        assert {o.organisation for o in plan.owners} == set(dataset.nodes[plan.source].publishers), plan.id
    assert dataset.nodes["moj"].part_of == "uk-government"


def test_bodies_an_item_works_with_are_referenced_by_the_rule(dataset):
    expected = {
        ("yj-blueprint/pre-court-diversion-3-update-1", "welsh-government"),
        ("yj-blueprint/pre-court-diversion-3-update-1", "pccs"),
        ("yj-blueprint/community-2-update-2", "cwm-taf-yot"),
        ("yj-blueprint/system-oversight-1-update-2", "hmpps-in-wales"),
        ("yj-blueprint/system-oversight-1-update-2", "ycs"),
        ("hmip-resettlement/r1-update-1", "yjb"),
        ("hmip-resettlement/r1-update-2", "welsh-government"),
        ("hmip-resettlement/r2-update-1", "ycs"),
        ("hmip-resettlement/r2-update-2", "ycs"),
        ("hmip-resettlement/r3-update-2", "ycs"),
        ("hmip-resettlement/r4-update-1", "hmpps"),
        ("hmip-resettlement/r5-update-1", "nhs-england"),
        ("hmip-resettlement/r6-update-1", "yjb"),
        ("hmip-resettlement/r9-update-1", "yjb-cymru"),
        ("hmip-resettlement/a5-update-1", "nps"),
    }
    for source, body in expected:
        assert _link(dataset, source, Relation.REFERENCES, body).basis is Basis.EXPLICIT
    # never an owner of the item or an addressee of its recommendation
    for link in dataset.links:
        source = dataset.nodes[link.source_id]
        if link.relation is not Relation.REFERENCES or dataset.nodes[link.target_id].type is not NodeType.ORGANISATION:
            continue
        parent = dataset.nodes.get(source.parent) if source.parent else None
        addressees = set(source.addressed_to) | set(parent.addressed_to if parent else ())
        owners = {o.organisation for o in source.owners}
        assert link.target_id not in owners | addressees, link.key
    # the two bodies the audit found linked to nothing but their parent are now linked
    linked = {link.target_id for link in dataset.links} | {link.source_id for link in dataset.links}
    assert "yjb-cymru" in linked and "welsh-government-crime-and-justice-team" in linked
