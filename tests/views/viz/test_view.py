"""The browser graph's library: what it reads from the store and the presets (the page: test_page.py).

Expected answers for the shipped data come from SPARQL written here (not from graph.views.viz); for the small
fixture (tests/fixtures/mini) they are worked out by hand from its YAML.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import UnknownIdError
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.views.viz import (
    ExtraEdge,
    VizOptionError,
    build_view,
    page_html,
    parse_relations,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).parents[2] / "fixtures"
SHOWN_TYPES = "cp:Plan cp:Workstream cp:Recommendation cp:Action cp:Organisation cp:Document cp:Programme"


@pytest.fixture(scope="module")
def mini():
    return memory_store(load_dataset(FIXTURES / "mini"))


@pytest.fixture(scope="module")
def shipped():
    return open_store()


def edge_keys(view) -> set[tuple[str, str, str]]:
    return {(edge["from"], edge["relation"], edge["to"]) for edge in view.edges}


def node_ids(view) -> set[str]:
    return {node["id"] for node in view.nodes}


# ------------------------------------------------------------------------------------------------
# What the expected graph is, from the store (independent SPARQL)


def expected_nodes(store) -> set[str]:
    rows = store.select(
        f"SELECT DISTINCT ?id WHERE {{ ?n dcterms:identifier ?id ; a ?t . VALUES ?t {{ {SHOWN_TYPES} }} }}"
    )
    return {row["id"] for row in rows}


def expected_edges(store) -> list[tuple[str, str, str]]:
    """Every edge the page draws: links (an update's drawn from its item), owners and addressees, structure."""
    links = store.select("""
        SELECT ?from ?relation ?to WHERE {
          ?link a cp:Link ; cp:from ?f ; cp:to ?t ; cp:relation ?r .
          OPTIONAL { ?pf cp:hasUpdate ?f } OPTIONAL { ?pt cp:hasUpdate ?t }
          BIND(COALESCE(?pf, ?f) AS ?source) BIND(COALESCE(?pt, ?t) AS ?target)
          FILTER(?source != ?target)
          ?source dcterms:identifier ?from . ?target dcterms:identifier ?to .
          BIND(LCASE(REPLACE(STRAFTER(STR(?r), "#"), "([A-Z])", "-$1")) AS ?relation)
        }""")
    structural = store.select("""
        SELECT DISTINCT ?from ?relation ?to WHERE {
          ?s ?p ?o . VALUES (?p ?relation) { (cp:ownedBy "owned-by") (cp:addressedTo "addressed-to") }
          OPTIONAL { ?ps cp:hasUpdate ?s }
          BIND(COALESCE(?ps, ?s) AS ?source)
          ?source dcterms:identifier ?from . ?o dcterms:identifier ?to .
        }""")
    structure = store.select("""
        SELECT ?from ?to WHERE {
          { ?parent cp:hasAction ?n }
          UNION { ?n a cp:Recommendation ; cp:inWorkstream ?parent }
          UNION { ?n a cp:Recommendation ; cp:inPlan ?parent FILTER NOT EXISTS { ?n cp:inWorkstream ?w } }
          UNION { ?n a cp:Workstream ; cp:inPlan ?parent }
          UNION { ?n org:subOrganizationOf|dcterms:isPartOf ?parent }
          ?n dcterms:identifier ?from . ?parent dcterms:identifier ?to .
        }""")
    return (
        [(row["from"], row["relation"], row["to"]) for row in links]
        + [(row["from"], row["relation"], row["to"]) for row in structural]
        + [(row["from"], "part-of", row["to"]) for row in structure]
    )


def test_the_shipped_graph_has_every_node_and_edge_the_store_holds(shipped):
    view = build_view(shipped)
    assert node_ids(view) == expected_nodes(shipped)
    expected = expected_edges(shipped)
    drawn = sorted((edge["from"], edge["relation"], edge["to"]) for edge in view.edges)
    assert drawn == sorted(expected)
    assert len({edge["id"] for edge in view.edges}) == len(view.edges)


def test_links_keep_their_quote_basis_and_the_update_they_come_from(shipped):
    row = shipped.select("""
        SELECT ?update ?item ?quote ?basis WHERE {
          ?link a cp:Link ; cp:from ?u ; cp:quote ?quote ; cp:basis ?b .
          ?parent cp:hasUpdate ?u . ?u dcterms:identifier ?update . ?parent dcterms:identifier ?item .
          ?b skos:notation ?basis .
        } ORDER BY ?update ?quote LIMIT 1""")[0]
    edges = [
        edge
        for edge in build_view(shipped).edges
        if edge.get("fromVia") == row["update"] and edge["quote"] == row["quote"]
    ]
    assert len(edges) == 1
    assert edges[0]["from"] == row["item"] and edges[0]["basis"] == row["basis"]


def test_updates_are_listed_dated_in_their_items_panel_not_drawn(shipped):
    rows = shipped.select("""
        SELECT ?item ?update ?date WHERE {
          ?parent cp:hasUpdate ?u . ?u dcterms:identifier ?update . ?parent dcterms:identifier ?item .
          OPTIONAL { ?u dcterms:date ?date }
        }""")
    nodes = {node["id"]: node for node in build_view(shipped).nodes}
    for row in rows:
        assert row["update"] not in nodes
        listed = {update["id"]: update for update in nodes[row["item"]]["updates"]}
        assert listed[row["update"]].get("date") == row["date"]


def test_the_mini_fixture_by_hand(mini):
    view = build_view(mini)
    assert node_ids(view) == {
        "alpha",
        "beta",
        "alpha/r1",
        "alpha/r2",
        "beta/resettlement",
        "beta/resettlement-1",
        "beta/resettlement-1-action-1",
        "alpha-board",
        "alpha-policy",
        "alpha-source",
        "beta-source",
        "constructive-resettlement",
    }
    assert edge_keys(view) == {
        ("alpha/r2", "duplicate-of", "alpha/r1"),
        ("alpha/r1", "related-to", "beta/resettlement-1"),
        ("beta/resettlement-1", "references", "constructive-resettlement"),
        ("alpha/r1", "addressed-to", "alpha-board"),
        ("alpha/r1", "owned-by", "alpha-board"),
        ("alpha", "owned-by", "alpha-board"),
        ("alpha/r1", "part-of", "alpha"),
        ("alpha/r2", "part-of", "alpha"),
        ("beta/resettlement", "part-of", "beta"),
        ("beta/resettlement-1", "part-of", "beta/resettlement"),
        ("beta/resettlement-1-action-1", "part-of", "beta/resettlement-1"),
        ("alpha-policy", "part-of", "alpha-board"),
    }
    r1 = next(node for node in view.nodes if node["id"] == "alpha/r1")
    assert r1["text"].startswith("Improve accommodation on release")
    assert r1["owners"] == ["Head of Policy (Alpha Board)"] and r1["targetDates"] == ["March 2020"]
    assert r1["updates"] == [
        {
            "id": "alpha/r1-update-1",
            "title": "Response:",
            "date": "2020-01",
            "text": "The Board will work with partners.",
        }
    ]
    judged = next(edge for edge in view.edges if edge["relation"] == "related-to")
    assert (judged["basis"], judged["quote"], judged["targetQuote"]) == (
        "judged",
        "accommodation on release",
        "accommodation in place before release",
    )


def test_plan_preset_keeps_the_plan_and_what_it_links_to(mini):
    view = build_view(mini, plans=["alpha"])
    assert node_ids(view) == {"alpha", "alpha/r1", "alpha/r2", "alpha-board", "alpha-policy"}
    assert len(view.edges) == 7
    assert view.subtitle == "Plan alpha" and view.title == "The Alpha Plan"


def test_focus_preset_follows_links_both_ways_and_structure_only_downwards(mini):
    one = build_view(mini, focus="r1")
    assert node_ids(one) == {"alpha/r1", "alpha/r2", "beta/resettlement-1", "alpha-board"}
    assert len(one.edges) == 4 and one.selected == "alpha/r1"
    two = build_view(mini, focus="alpha/r1", depth=2)
    assert node_ids(two) == {
        "alpha/r1",
        "alpha/r2",
        "beta/resettlement-1",
        "alpha-board",
        "constructive-resettlement",
        "beta/resettlement-1-action-1",
        "alpha",
        "alpha-policy",
    }
    assert len(two.edges) == 10
    assert two.subtitle == "Around alpha/r1 (2 hops)"


def test_focus_on_an_update_focuses_on_its_item(mini):
    assert build_view(mini, focus="alpha/r1-update-1").selected == "alpha/r1"


def test_relations_preset_keeps_those_links_and_the_nodes_they_join(mini):
    view = build_view(mini, relations=["related-to,references"])
    assert edge_keys(view) == {
        ("alpha/r1", "related-to", "beta/resettlement-1"),
        ("beta/resettlement-1", "references", "constructive-resettlement"),
    }
    assert node_ids(view) == {"alpha/r1", "beta/resettlement-1", "constructive-resettlement"}


def test_mapping_preset_puts_the_plans_in_two_columns_with_only_the_links_between_them(mini):
    view = build_view(mini, mapping=("alpha", "beta"))
    assert view.layout == "columns"
    assert node_ids(view) == {"alpha/r1", "alpha/r2", "beta/resettlement", "beta/resettlement-1"}
    assert edge_keys(view) == {("alpha/r1", "related-to", "beta/resettlement-1")}
    columns = {node["id"]: (node["column"], node["row"], node["x"], node["y"]) for node in view.nodes}
    assert columns["alpha/r1"][:2] == (0, 0) and columns["alpha/r2"][:2] == (0, 1)
    assert columns["beta/resettlement"][:2] == (1, 0) and columns["beta/resettlement-1"][:2] == (1, 1)
    assert columns["alpha/r1"][2] < 0 < columns["beta/resettlement"][2]
    assert columns["alpha/r1"][3] < columns["alpha/r2"][3]
    linked = {node["id"] for node in view.nodes if node.get("linked")}
    assert linked == {"alpha/r1", "beta/resettlement-1"}
    assert view.subtitle == "1 link between the plans · 1 of 2 alpha recommendations linked"


def test_mapping_of_the_shipped_plans_matches_the_store(shipped):
    view = build_view(shipped, mapping=("hmip-resettlement", "yj-blueprint"))
    rows = shipped.select("""
        SELECT ?from ?to WHERE {
          ?link a cp:Link ; cp:from ?f ; cp:to ?t .
          OPTIONAL { ?pf cp:hasUpdate ?f } OPTIONAL { ?pt cp:hasUpdate ?t }
          BIND(COALESCE(?pf, ?f) AS ?f1) BIND(COALESCE(?pt, ?t) AS ?t1)
          OPTIONAL { ?af cp:hasAction ?f1 } OPTIONAL { ?at cp:hasAction ?t1 }
          BIND(COALESCE(?af, ?f1) AS ?source) BIND(COALESCE(?at, ?t1) AS ?target)
          ?source dcterms:identifier ?from ; cp:inPlan ?fromPlan ; a ?fromType .
          ?target dcterms:identifier ?to ; cp:inPlan ?toPlan ; a ?toType .
          VALUES ?fromType { cp:Recommendation cp:Workstream } VALUES ?toType { cp:Recommendation cp:Workstream }
          ?fromPlan dcterms:identifier ?p1 . ?toPlan dcterms:identifier ?p2 .
          FILTER((?p1 = "hmip-resettlement" && ?p2 = "yj-blueprint") || (?p2 = "hmip-resettlement" && ?p1 = "yj-blueprint"))
        }""")
    assert sorted((edge["from"], edge["to"]) for edge in view.edges) == sorted((row["from"], row["to"]) for row in rows)
    sides = shipped.select("""
        SELECT ?id ?plan WHERE { ?n dcterms:identifier ?id ; a ?t ; cp:inPlan/dcterms:identifier ?plan .
          VALUES ?t { cp:Recommendation cp:Workstream } }""")
    expected = {row["id"] for row in sides if row["plan"] in ("hmip-resettlement", "yj-blueprint")}
    assert node_ids(view) == expected
    xs = {node["id"]: node["x"] for node in view.nodes}
    assert all((xs[row["id"]] < 0) == (row["plan"] == "hmip-resettlement") for row in sides if row["id"] in xs)


def test_extra_edges_are_drawn_as_suggested_links(mini):
    extra = ExtraEdge("alpha/r2", "beta/resettlement", "feeds-into", quote="line one\nline two", evidence="tf-idf 0.61")
    view = build_view(
        mini, extra_edges=[extra, ExtraEdge("alpha/r1-update-1", "constructive-resettlement", "references")]
    )
    suggested = [edge for edge in view.edges if edge.get("proposed")]
    assert [(edge["from"], edge["relation"], edge["to"], edge["basis"]) for edge in suggested] == [
        ("alpha/r1", "references", "constructive-resettlement", "suggested"),
        ("alpha/r2", "feeds-into", "beta/resettlement", "suggested"),
    ]
    assert suggested[0]["fromVia"] == "alpha/r1-update-1"
    assert (suggested[1]["quote"], suggested[1]["evidence"]) == ("line one\nline two", "tf-idf 0.61")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"plans": ["gamma"]}, UnknownIdError, "no plan 'gamma' (plans: alpha, beta)"),
        ({"plans": ["alpah"]}, UnknownIdError, "no plan 'alpah' (did you mean 'alpha'?) (plans: alpha, beta)"),
        ({"focus": "r9"}, UnknownIdError, "no node with id 'r9'"),
        ({"focus": "r1", "plans": ["beta"]}, UnknownIdError, "'alpha/r1' is not in the selected plans (beta)"),
        ({"depth": 2}, VizOptionError, "--depth is only used with --focus"),
        ({"focus": "r1", "depth": 0}, VizOptionError, "--depth must be at least 1"),
        ({"mapping": ("alpha", "alpha")}, VizOptionError, "--mapping needs two different plans"),
        (
            {"mapping": ("alpha", "beta"), "plans": ["alpha"]},
            VizOptionError,
            "--mapping cannot be combined with --plan or --focus",
        ),
        ({"mapping": ("alpha", "gamma")}, UnknownIdError, "no plan 'gamma' (plans: alpha, beta)"),
        (
            {"relations": ["feeds"]},
            VizOptionError,
            "'feeds' is not a relation (did you mean 'feeds-into'?); choose from "
            "duplicate-of, feeds-into, delegated-to, supersedes, references, related-to, owned-by, addressed-to, part-of",
        ),
        (
            {"extra_edges": [ExtraEdge("alpha/r1", "nowhere", "feeds-into")]},
            UnknownIdError,
            "no node with id 'nowhere'",
        ),
        (
            {"extra_edges": [ExtraEdge("alpha/r1", "alpha/r2", "leads-to")]},
            VizOptionError,
            "'leads-to' is not a relation",
        ),
    ],
)
def test_bad_options_raise_typed_errors(mini, options, error, message):
    with pytest.raises(error) as raised:
        build_view(mini, **options)
    assert str(raised.value).startswith(message)


def test_the_view_from_a_sparql_server_is_the_view_from_the_store(oxigraph_server, mini):
    from crossplan.graph.stores.endpoint import Connection
    from crossplan.graph.stores.push import push_graph

    oxigraph_server.clear()
    push_graph(mini, oxigraph_server.url, connection=Connection(oxigraph_server.credentials))
    remote = oxigraph_server.store()
    for options in ({}, {"focus": "r1", "depth": 2}, {"mapping": ("alpha", "beta")}):
        assert build_view(remote, **options) == build_view(mini, **options), options
    oxigraph_server.clear()


def test_parse_relations_accepts_lists_and_repeats():
    assert parse_relations(["feeds-into, duplicate-of", "feeds-into", "part-of"]) == [
        "feeds-into",
        "duplicate-of",
        "part-of",
    ]


def test_the_seeded_layout_groups_each_plan(shipped):
    view = build_view(shipped)
    centres = {}
    for plan in ("hmip-resettlement", "yj-blueprint"):
        xs = [node["x"] for node in view.nodes if node.get("plan") == plan and node["type"] != "plan"]
        centres[plan] = sum(xs) / len(xs)
    plans = {node["id"]: node["x"] for node in view.nodes if node["type"] == "plan"}
    assert plans["hmip-resettlement"] < plans["yj-blueprint"]
    assert centres["hmip-resettlement"] < centres["yj-blueprint"]
    assert all(isinstance(node["x"], int) and isinstance(node["y"], int) for node in view.nodes)


@pytest.mark.parametrize("pair", [("north", "south"), ("south", "north")])
def test_the_page_draws_the_mapping_the_command_line_computes(store, pair):
    """One mapping computation: the page's mapping view draws exactly find_mapping's links, from the same
    recommendations, and counts the linked recommendations as the summary does."""
    from crossplan.graph.questions.mapping import find_mapping
    from crossplan.graph.views.viz.view import build_view

    mapping = find_mapping(store, *pair)
    view = build_view(store, mapping=pair)
    drawn = {
        (edge.get("fromVia", edge["from"]), edge.get("toVia", edge["to"]), edge["relation"]) for edge in view.edges
    }
    placed = [
        link
        for row in mapping.rows
        for link in row.links
        if link.recommendation or link.workstream  # the plan as a whole has no box
    ]
    expected = {
        (link.from_node, link.to_node, link.relation)
        if link.direction == "out"
        else (link.to_node, link.from_node, link.relation)
        for link in placed
    } | {
        (link.from_node, link.to_node, link.relation)
        if link.direction == "out"
        else (link.to_node, link.from_node, link.relation)
        for link in mapping.other_links
        if link.recommendation or link.workstream
    }
    assert drawn == expected
    linked_rows = {row.recommendation for row in mapping.rows if row.links}
    drawn_from = {end for edge in view.edges for end in (edge["from"], edge["to"]) if end.startswith(pair[0] + "/")}
    assert linked_rows <= drawn_from
    assert len(linked_rows) == mapping.summary.linked


# ------------------------------------------------------------------------------------------------
# Two plans read alone (read_pair) draw what the whole graph draws

_WEST = """plan:
  id: west
  title: The West Plan
  owners: [agency]

recommendations:
  - id: w1
    number: "1"
    text: Share the housing map with the North Board.
    owners:
      - text: West housing lead
        organisation: housing-team
    actions:
      - text: Send the map.
    updates:
      - title: Spring update
        date: "2021-04"
        text: The map was sent.
  - id: w2
    number: "2"
    text: Fund more secure homes.
  - id: w3
    number: "3"
    text: Keep the plan under review.

links:
  - from: w1
    to: north/r1
    relation: feeds-into
    basis: explicit
    quote: Share the housing map
  - from: w1-action-1
    to: south/housing-1-action-1
    relation: related-to
    basis: judged
    quote: Send the map.
  - from: w1-update-1
    to: north/r1-update-2
    relation: related-to
    basis: suggested
    method: shared words
    quote: The map was sent.
  - from: w2
    to: south/housing
    relation: delegated-to
    basis: explicit
    quote: Fund more secure homes.
  - from: w2
    to: north/r6-action-2
    relation: related-to
    basis: judged
    quote: Fund more secure homes.
  - from: w2
    to: w1
    relation: feeds-into
    basis: explicit
    quote: Fund more secure homes.
  - from: w3
    to: w2
    relation: related-to
    basis: judged
    quote: Keep the plan under review.
  - from: west
    to: south
    relation: references
    basis: explicit
    quote: The West Plan
"""

# Suggested links to draw: between the pair (an action and an update at one end), from the pair to the third plan,
# and within the third plan (not drawn on the mapping, but they must be known nodes).
_EXTRA = [
    ExtraEdge("north/r6-action-1", "south/health-2", "feeds-into", evidence="shared words 0.4"),
    ExtraEdge("south/housing-1-update-1", "north/r2", "related-to", quote="the transitions protocol"),
    ExtraEdge("north/r3", "west/w2", "related-to"),
    ExtraEdge("west/w1-action-1", "west/w2", "feeds-into"),
]


@pytest.fixture(scope="module")
def three_plans(tmp_path_factory):
    """The query fixture (north, south) and a third plan, west, linked to both from its items, actions and updates."""
    import shutil

    directory = tmp_path_factory.mktemp("three") / "data"
    shutil.copytree(FIXTURES / "query", directory)
    (directory / "plans" / "west.yaml").write_text(_WEST, encoding="utf-8")
    return memory_store(load_dataset(directory))


def _read_whole_graph_instead(monkeypatch) -> None:
    """Make the mapping views read the whole graph, as they did before ``read_pair``."""
    from crossplan.graph.views.viz import view as view_module
    from crossplan.graph.views.viz.reading import read_graph

    monkeypatch.setattr(view_module, "read_pair", lambda store, plans, also=(): read_graph(store))


def _touches(edge: dict, nodes: set[str]) -> bool:
    return edge["from"] in nodes or edge["to"] in nodes


@pytest.mark.parametrize(
    ("data", "pair"), [("three_plans", ("north", "south")), ("shipped", ("hmip-resettlement", "yj-blueprint"))]
)
def test_a_pair_read_alone_holds_what_the_whole_graph_holds_about_it(request, data, pair):
    from crossplan.graph.views.viz.reading import read_graph, read_pair

    store = request.getfixturevalue(data)
    whole, part = read_graph(store), read_pair(store, pair)
    own = {node_id for node_id, node in whole.nodes.items() if (node.get("plan") or node_id) in pair}
    assert own and own <= set(part.nodes)
    for node_id in own | {node_id for node_id, node in whole.nodes.items() if node["type"] == "plan"}:
        assert part.nodes[node_id] == whole.nodes[node_id], node_id
    touching = sorted(repr(sorted(edge.items())) for edge in whole.edges if _touches(edge, own))
    assert sorted(repr(sorted(edge.items())) for edge in part.edges if _touches(edge, own)) == touching
    assert all(edge in whole.edges for edge in part.edges)
    assert {key: value for key, value in whole.owner_of_update.items() if value in own} == {
        key: value for key, value in part.owner_of_update.items() if value in own
    }


def test_a_pair_read_alone_leaves_the_third_plans_items_out(three_plans):
    from crossplan.graph.views.viz.reading import read_pair

    part = read_pair(three_plans, ("north", "south"))
    assert "west" in part.nodes  # every plan, for titles and did-you-mean
    assert {"west/w1", "west/w2"} <= set(part.nodes)  # one hop away: the far ends of links to the pair
    assert "west/w1-action-1" in part.nodes  # the far end of a link, the item it belongs to beside it
    assert ("west/w2", "west/w1") not in {(edge["from"], edge["to"]) for edge in part.edges}  # within west: not read


@pytest.mark.parametrize("pair", [("north", "south"), ("south", "north"), ("west", "north")])
def test_the_mapping_page_of_a_pair_is_the_one_the_whole_graph_gives(three_plans, monkeypatch, pair):
    from crossplan.graph.views.viz import mapping_svgs

    scoped = build_view(three_plans, mapping=pair, extra_edges=_EXTRA)
    pictures = mapping_svgs(three_plans, [pair, pair[::-1]], size="slide")
    assert any(edge.get("proposed") for edge in scoped.edges)  # each pair has a suggested link
    _read_whole_graph_instead(monkeypatch)
    assert build_view(three_plans, mapping=pair, extra_edges=_EXTRA) == scoped
    assert page_html(build_view(three_plans, mapping=pair, extra_edges=_EXTRA)) == page_html(scoped)
    assert mapping_svgs(three_plans, [pair, pair[::-1]], size="slide") == pictures


def test_the_shipped_mapping_page_and_drawing_are_the_ones_the_whole_graph_gives(shipped, monkeypatch):
    from crossplan.graph.views.viz import mapping_drawings, mapping_svgs

    pair = ("hmip-resettlement", "yj-blueprint")
    scoped = build_view(shipped, mapping=pair)
    drawings = mapping_drawings(shipped, [pair, pair[::-1]])
    pictures = mapping_svgs(shipped, [pair], size="a4")
    _read_whole_graph_instead(monkeypatch)
    assert build_view(shipped, mapping=pair) == scoped
    assert page_html(build_view(shipped, mapping=pair)) == page_html(scoped)  # byte for byte
    assert mapping_drawings(shipped, [pair, pair[::-1]]) == drawings
    assert mapping_svgs(shipped, [pair], size="a4") == pictures


def test_a_mapping_reads_the_pair_not_the_whole_graph(three_plans, monkeypatch):
    """No query of the mapping view or drawing returns a node two hops from the pair, or a link that does not touch it."""
    from crossplan.graph.views.viz import mapping_svgs

    answered = []
    select = three_plans.select

    def recording(query, substitutions=None):
        rows = select(query, substitutions)
        answered.extend(rows)
        return rows

    monkeypatch.setattr(three_plans, "select", recording)
    build_view(three_plans, mapping=("north", "south"))
    mapping_svgs(three_plans, [("north", "south")])
    w3 = "https://w3id.org/crossplan/id/west/w3"
    assert answered
    assert all(w3 not in row.values() for row in answered)


def test_an_unknown_extra_edge_end_on_a_mapping_names_the_closest_node_of_the_whole_graph(three_plans):
    extra = [ExtraEdge("north/r1", "west/w33", "feeds-into")]
    with pytest.raises(UnknownIdError) as whole:
        build_view(three_plans, extra_edges=extra)
    with pytest.raises(UnknownIdError) as pair:
        build_view(three_plans, mapping=("north", "south"), extra_edges=extra)
    assert str(pair.value) == str(whole.value)
    assert str(pair.value).startswith("no node with id 'west/w33' (did you mean 'west/w")
