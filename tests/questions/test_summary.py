"""The summary of a mapping: counts in the FROM plan's items, by workstream, class and basis, and its headline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import crossplan
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.nodes import relation_class
from crossplan.graph.questions.mapping import find_mapping
from crossplan.graph.questions.summary import LinkEnd, summarise
from crossplan.graph.stores.embedded import memory_store

WORKSTREAMS = [("b/housing", "Housing"), ("b/health", "Health"), ("b/oversight", "Oversight")]
FIXTURES = Path(__file__).parent.parent / "fixtures"


def _overlap(ws: str | None = "b/housing", basis: str = "judged") -> LinkEnd:
    return LinkEnd("related-to", basis, ws)


def test_overlaps_only_are_never_called_a_dependency():
    summary = summarise([[_overlap()], [_overlap("b/health"), _overlap()], []], WORKSTREAMS, "Plan A", "Plan B")
    assert (summary.items, summary.linked, summary.unlinked) == (3, 2, 1)
    assert summary.by_workstream == {"b/housing": 2, "b/health": 1, "b/oversight": 0}
    assert summary.by_class == {"dependency": 0, "overlap": 2, "citation": 0}
    assert summary.by_basis == {"explicit": 0, "judged": 2, "suggested": 0}
    assert summary.headline == (
        "2 of 3 Plan A recommendations overlap Plan B work (all judged by a curator; none states a dependency): "
        "Housing 2, Health 1; Oversight none. The other one links to none of it."
    )


def test_mixed_classes_and_bases_are_each_counted_in_items():
    summary = summarise(
        [
            [LinkEnd("feeds-into", "explicit", "b/health"), _overlap("b/health")],
            [LinkEnd("references", "suggested", None)],
            [_overlap("b/oversight")],
        ],
        WORKSTREAMS,
        "Plan A",
        "Plan B",
    )
    assert summary.by_class == {"dependency": 1, "overlap": 2, "citation": 1}
    assert summary.by_basis == {"explicit": 1, "judged": 2, "suggested": 1}
    assert summary.by_workstream == {"b/housing": 0, "b/health": 1, "b/oversight": 1}
    assert summary.headline == (
        "All 3 Plan A recommendations link to Plan B work (1 states a dependency, 2 overlap, 1 cites; "
        "1 stated in the documents, 2 judged by a curator, 1 suggested by the tool and not yet reviewed): "
        "Health 1, Oversight 1, 1 outside its workstreams; Housing none."
    )


@pytest.mark.parametrize(
    ("items", "headline"),
    [
        ([], "Plan A has no recommendations to map onto Plan B."),
        ([[]], "The only Plan A recommendation does not link to Plan B work."),
        ([[], []], "None of the 2 Plan A recommendations links to Plan B work."),
        (
            [[LinkEnd("supersedes", "explicit", "b/housing")]],
            "The only Plan A recommendation states a dependency with Plan B work (stated in the documents): "
            "Housing 1; Health and Oversight none.",
        ),
        (
            [[_overlap()], []],
            "1 of 2 Plan A recommendations overlaps Plan B work (judged by a curator; it states no dependency): "
            "Housing 1; Health and Oversight none. The other one links to none of it.",
        ),
    ],
)
def test_headline_reads_right_at_the_edges(items, headline):
    assert summarise(items, WORKSTREAMS, "Plan A", "Plan B").headline == headline


def test_a_plan_without_workstreams_gets_no_workstream_counts():
    summary = summarise([[_overlap(None)], []], [], "Plan A", "Plan B")
    assert summary.by_workstream == {}
    assert summary.headline == (
        "1 of 2 Plan A recommendations overlaps Plan B work (judged by a curator; it states no dependency). "
        "The other one links to none of it."
    )


def _summary_from_yaml(directory: Path, from_plan: str, to_plan: str) -> dict:
    """Count the mapping straight from the plan files, as a reader of the YAML would."""
    plans = {path.stem: yaml.safe_load(path.read_text()) for path in (directory / "plans").glob("*.yaml")}
    owner_of: dict[str, str] = {}  # any FROM item id -> its recommendation (default ids as the plan files define)

    to_workstream: dict[str, str | None] = {}  # any TO item id -> its workstream

    def own(table: dict, plan: str, entry: dict, local: str, value: str | None) -> None:
        table[f"{plan}/{local}"] = value
        for kind in ("actions", "updates"):
            for number, child in enumerate(entry.get(kind) or [], start=1):
                own(table, plan, child, child.get("id") or f"{local}-{kind[:-1]}-{number}", value)

    for rec in plans[from_plan].get("recommendations") or []:
        own(owner_of, from_plan, rec, rec["id"], f"{from_plan}/{rec['id']}")
    for rec in plans[to_plan].get("recommendations") or []:
        ws = f"{to_plan}/{rec['workstream']}" if rec.get("workstream") else None
        own(to_workstream, to_plan, rec, rec["id"], ws)
    for ws in plans[to_plan].get("workstreams") or []:
        to_workstream[f"{to_plan}/{ws['id']}"] = f"{to_plan}/{ws['id']}"

    def qualified(ref: str, plan: str) -> str:
        local = f"{plan}/{ref}"  # a plan's own item, else a global id (another plan's item, a plan, a registry entry)
        return local if "/" not in ref and (local in owner_of or local in to_workstream) else ref

    linked: dict[str, set] = {}
    for plan, document in plans.items():
        for link in document.get("links") or []:
            ends = qualified(link["from"], plan), qualified(link["to"], plan)
            for near, far in (ends, ends[::-1]):
                if near in owner_of and (far in to_workstream or far == to_plan):
                    linked.setdefault(owner_of[near], set()).add(
                        (relation_class(link["relation"]).value, link["basis"], to_workstream.get(far))
                    )
    by_workstream = {f"{to_plan}/{ws['id']}": 0 for ws in plans[to_plan].get("workstreams") or []}
    for ends in linked.values():
        for ws in {ws for _cls, _basis, ws in ends if ws}:
            by_workstream[ws] += 1
    return {
        "items": len(plans[from_plan].get("recommendations") or []),
        "linked": len(linked),
        "by_workstream": by_workstream,
        "by_class": {c: sum(1 for e in linked.values() if c in {x[0] for x in e}) for c in ("dependency", "overlap")},
    }


SHIPPED = Path(crossplan.__file__).parent / "data"


@pytest.fixture(scope="module")
def shipped():
    """The shipped plans in a memory store."""
    return memory_store(load_dataset(SHIPPED))


@pytest.mark.parametrize(
    ("fixture", "directory", "pair"),
    [
        ("store", FIXTURES / "query", ("north", "south")),
        ("store", FIXTURES / "query", ("south", "north")),
        ("mini", FIXTURES / "mini", ("alpha", "beta")),
        ("shipped", SHIPPED, ("hmip-resettlement", "yj-blueprint")),
        ("shipped", SHIPPED, ("yj-blueprint", "hmip-resettlement")),
    ],
)
def test_summary_agrees_with_the_plan_files(request, fixture, directory, pair):
    summary = find_mapping(request.getfixturevalue(fixture), *pair).summary
    expected = _summary_from_yaml(directory, *pair)
    assert summary.items == expected["items"]
    assert summary.linked == expected["linked"]
    assert summary.unlinked == summary.items - summary.linked
    assert summary.by_workstream == expected["by_workstream"]
    assert {c: summary.by_class[c] for c in expected["by_class"]} == expected["by_class"]
