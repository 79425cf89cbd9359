"""The browser graph in a real browser: Debian's Chromium driven by Playwright (never `playwright install`).

Expected counts come from the store (SPARQL written here) or, for filters and focus, from the rules the
page documents applied in Python to the view. Run as a script to measure and to take the README's
screenshots (see ``main`` at the end)::

    PYTHONPATH=tests python tests/views/viz/test_page_browser.py --screenshots docs/images --benchmark
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from chromium import launch

from crossplan.graph.datafiles.loading import Dataset, load_dataset
from crossplan.graph.datafiles.parsed import ParsedFile
from crossplan.graph.model.nodes import (
    Basis,
    Link,
    Location,
    Node,
    NodeType,
    Owner,
    Relation,
    Response,
    Status,
)
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.views.viz import ExtraEdge, build_view, page_html, render_html

FIXTURES = Path(__file__).parents[2] / "fixtures"
SHOWN_TYPES = "cp:Plan cp:Workstream cp:Recommendation cp:Action cp:Organisation cp:Document cp:Programme"
REGISTRY = {"organisation", "document", "programme"}


# ------------------------------------------------------------------------------------------------
# Browser plumbing


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    """A page and everything it did: console errors, requests, dialogs."""

    page: object
    url: str | None
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def evaluate(self, script: str, argument=None):
        return self.page.evaluate(script, argument)

    def counts(self) -> dict:
        return self.evaluate("crossplan.visibleCounts()")

    def visible_nodes(self) -> set[str]:
        return set(self.evaluate("crossplan.visibleNodeIds()"))

    def visible_edges(self) -> set[str]:
        return set(self.evaluate("crossplan.visibleEdgeIds()"))

    def wait(self, condition: str, timeout: float = 10.0):
        """Poll a script until it is truthy (Playwright's wait_for_function needs eval, which the page's policy forbids)."""
        end = time.monotonic() + timeout
        while True:
            value = self.evaluate(condition)
            if value or time.monotonic() > end:
                return value
            time.sleep(0.05)


def open_page(browser, path: Path | None = None, content: str | None = None, viewport=(1400, 900)) -> Opened:
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    opened = Opened(page, path.resolve().as_uri() if path else None)
    page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    page.route(lambda url: not url.startswith("file:"), lambda route: route.abort())
    if path is not None:
        page.goto(opened.url)
    else:
        page.set_content(content)
    page.locator("body[data-ready=true]").wait_for(state="attached", timeout=120_000)
    return opened


@pytest.fixture(scope="module")
def store():
    return open_store()


@pytest.fixture(scope="module")
def shipped_file(store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("viz") / "shipped.html"
    path.write_text(render_html(store), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped_page(browser, shipped_file):
    opened = open_page(browser, shipped_file)
    # The page opens on the plan-to-plan mapping (test_view_browser.py); these tests drive the full graph.
    assert opened.evaluate("crossplan.view") == "mapping"
    opened.evaluate("crossplan.show('graph', {})")
    opened.evaluate("crossplan.openAll()")  # the registry starts folded; these tests count every drawn node
    yield opened
    opened.page.close()


@pytest.fixture
def page(shipped_page):
    """The shipped graph, reset to its initial state before each test."""
    shipped_page.page.click("#cp-reset")
    yield shipped_page
    assert shipped_page.errors == [] and shipped_page.dialogs == []


# ------------------------------------------------------------------------------------------------
# Expected answers


def store_counts(store) -> tuple[int, int]:
    """Count what the page must draw for the whole store, by SPARQL (updates are folded into their items)."""
    nodes = store.select(
        f"SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {{ ?n dcterms:identifier ?id ; a ?t . VALUES ?t {{ {SHOWN_TYPES} }} }}"
    )
    links = store.select("""SELECT (COUNT(?link) AS ?c) WHERE {
        ?link a cp:Link ; cp:from ?f ; cp:to ?t .
        OPTIONAL { ?pf cp:hasUpdate ?f } OPTIONAL { ?pt cp:hasUpdate ?t }
        FILTER(COALESCE(?pf, ?f) != COALESCE(?pt, ?t)) }""")
    structural = store.select("""SELECT (COUNT(*) AS ?c) WHERE { SELECT DISTINCT ?source ?p ?o WHERE {
        ?s ?p ?o . VALUES ?p { cp:ownedBy cp:addressedTo } OPTIONAL { ?ps cp:hasUpdate ?s } BIND(COALESCE(?ps, ?s) AS ?source) } }""")
    members = store.select(
        "SELECT (COUNT(?n) AS ?c) WHERE { ?n a ?t . VALUES ?t { cp:Workstream cp:Recommendation cp:Action } }"
    )
    parts = store.select(
        "SELECT (COUNT(*) AS ?c) WHERE { ?n org:subOrganizationOf|dcterms:isPartOf ?x . ?n dcterms:identifier ?id }"
    )
    return nodes[0]["c"], links[0]["c"] + structural[0]["c"] + members[0]["c"] + parts[0]["c"]


def expected_visible(
    view, unchecked: dict[str, set] | None = None, focus: str | None = None, depth: int = 1
) -> tuple[set, set]:
    """Apply the page's documented rules to a view: which nodes and edges stay visible under some filters."""
    unchecked = unchecked or {}
    nodes = {node["id"]: node for node in view.nodes}

    def passes(node):
        if node["type"] in unchecked.get("type", ()):
            return False
        if node["type"] not in REGISTRY and node.get("plan") in unchecked.get("plan", ()):
            return False
        if node["type"] in ("recommendation", "action") and node.get("status", "none") in unchecked.get("status", ()):
            return False
        return not (node["type"] == "recommendation" and node.get("response", "none") in unchecked.get("response", ()))

    edge_ok = [
        edge["relation"] not in unchecked.get("relation", ()) and edge["basis"] not in unchecked.get("basis", ())
        for edge in view.edges
    ]
    adjacency = {node_id: [] for node_id in nodes}
    for index, edge in enumerate(view.edges):
        adjacency[edge["from"]].append(index)
        adjacency[edge["to"]].append(index)
    # registry nodes with no path at all to a plan item are always shown
    reached = {node_id for node_id, node in nodes.items() if node["type"] not in REGISTRY}
    queue = deque(reached)
    while queue:
        current = queue.popleft()
        for index in adjacency[current]:
            other = view.edges[index]["to"] if view.edges[index]["from"] == current else view.edges[index]["from"]
            if other not in reached:
                reached.add(other)
                queue.append(other)
    passing = {node_id for node_id, node in nodes.items() if passes(node)}
    visible = {node_id for node_id in passing if nodes[node_id]["type"] not in REGISTRY or node_id not in reached}
    queue = deque(node_id for node_id in visible if nodes[node_id]["type"] not in REGISTRY)
    while queue:
        current = queue.popleft()
        for index in adjacency[current]:
            if not edge_ok[index]:
                continue
            edge = view.edges[index]
            other = edge["to"] if edge["from"] == current else edge["from"]
            if other in passing and other not in visible and nodes[other]["type"] in REGISTRY:
                visible.add(other)
                queue.append(other)
    if focus:
        around, frontier = {focus}, [focus]
        for _ in range(depth):
            following = []
            for current in frontier:
                for index in adjacency[current]:
                    edge = view.edges[index]
                    other = edge["to"] if edge["from"] == current else edge["from"]
                    if not edge_ok[index] or (edge["relation"] == "part-of" and edge["to"] != current):
                        continue
                    if other in visible and other not in around:
                        around.add(other)
                        following.append(other)
            frontier = following
        visible = around
    edges = {
        edge["id"]
        for index, edge in enumerate(view.edges)
        if edge_ok[index] and edge["from"] in visible and edge["to"] in visible
    }
    return visible, edges


# ------------------------------------------------------------------------------------------------
# The shipped graph


def test_the_shipped_graph_draws_every_node_and_link_offline(page, store):
    nodes, edges = store_counts(store)
    assert page.counts() == {"nodes": nodes, "edges": edges, "drawnNodes": nodes, "drawnEdges": edges}
    assert page.requests == [page.url]
    assert page.page.inner_text("#cp-status").startswith(f"Showing {nodes} of {nodes} nodes · {edges} of {edges} links")
    legend = page.page.inner_text("#cp-sidebar")
    for caption in (
        "Recommendation",
        "Organisation",
        "feeds into",
        "owned by",
        "addressed to",
        "explicit",
        "judged",
        "suggested",
    ):
        assert caption in legend
    # the layout settled, then physics stopped: nothing moves any more
    assert page.evaluate("crossplan.network.physics.physicsEnabled") is False
    before = page.evaluate("crossplan.network.getPositions()")
    page.page.wait_for_timeout(300)
    assert page.evaluate("crossplan.network.getPositions()") == before


def test_search_selects_and_centres_the_match(page, store):
    row = store.select("""SELECT ?id ?text WHERE { ?n a cp:Recommendation ; dcterms:identifier ?id ; cp:text ?text }
                          ORDER BY DESC(STRLEN(?text)) LIMIT 1""")[0]
    words = [word for word in re.findall(r"[A-Za-z]{6,}", row["text"])][:3]
    page.page.fill("#cp-search-input", " ".join(words).upper())
    first = page.page.locator("#cp-search-results li[data-node]").first
    first.wait_for()
    assert row["id"] in page.evaluate(
        "Array.from(document.querySelectorAll('#cp-search-results li[data-node]'))"
        ".map(li => li.getAttribute('data-node'))"
    )
    page.page.fill("#cp-search-input", row["id"])
    page.page.locator(f"#cp-search-results li[data-node='{row['id']}']").first.wait_for()
    page.page.keyboard.press("Enter")
    page.page.locator("#cp-panel .cp-id").first.wait_for()
    assert page.page.inner_text("#cp-panel .cp-id") == row["id"]
    assert page.evaluate("crossplan.network.getSelectedNodes()") == [row["id"]]
    # The match and its neighbours are fitted into view (not only centred).
    shown = (
        "(() => { const g = crossplan.geometry(), b = g.nodes.find(n => n.id === " + repr(row["id"]) + ");"
        " return b && b.x >= 0 && b.y >= 0 && b.x + b.width <= g.viewport.width && b.y + b.height <= g.viewport.height; })()"
    )
    assert page.wait(shown)


@pytest.mark.parametrize(
    ("facet", "value"),
    [
        ("plan", "yj-blueprint"),
        ("type", "organisation"),
        ("relation", "references"),
        ("basis", "judged"),
        ("status", "ongoing"),
        ("response", "agreed"),
        ("type", "action"),
    ],
)
def test_filters_hide_what_they_name(page, store, facet, value):
    view = build_view(store)
    page.page.click(f"#cp-filters input[data-facet='{facet}'][value='{value}']")
    nodes, edges = expected_visible(view, {facet: {value}})
    assert page.visible_nodes() == nodes and page.visible_edges() == edges
    assert page.counts() == {
        "nodes": len(nodes),
        "edges": len(edges),
        "drawnNodes": len(nodes),
        "drawnEdges": len(edges),
    }
    assert len(nodes) < len(view.nodes) or len(edges) < len(view.edges)
    page.page.click("#cp-reset")
    assert page.counts()["nodes"] == len(view.nodes)


def test_filters_combine(page, store):
    view = build_view(store)
    for facet, value in (("plan", "hmip-resettlement"), ("relation", "owned-by"), ("relation", "addressed-to")):
        page.page.click(f"#cp-filters input[data-facet='{facet}'][value='{value}']")
    nodes, edges = expected_visible(view, {"plan": {"hmip-resettlement"}, "relation": {"owned-by", "addressed-to"}})
    assert page.visible_nodes() == nodes and page.visible_edges() == edges


def test_focus_shows_the_neighbourhood_and_reset_shows_everything(page, store):
    view = build_view(store)
    (target,) = [node["id"] for node in view.nodes if node["id"] == "hmip-resettlement/r6"]
    page.evaluate("id => crossplan.select(id, {animate: false})", target)
    page.page.click("#cp-focus")
    nodes, edges = expected_visible(view, focus=target, depth=1)
    assert page.visible_nodes() == nodes and page.visible_edges() == edges
    assert page.page.inner_text("#cp-status").endswith(f"· focus on {target} (1 hop)")
    page.page.fill("#cp-depth", "2")
    page.page.dispatch_event("#cp-depth", "change")
    nodes2, edges2 = expected_visible(view, focus=target, depth=2)
    assert page.visible_nodes() == nodes2 and len(nodes2) > len(nodes)
    page.page.click("#cp-reset")
    assert page.counts()["nodes"] == len(view.nodes) and page.counts()["edges"] == len(view.edges)
    assert page.page.inner_text("#cp-panel").startswith("Click a node")


def test_clicking_a_node_opens_its_panel_and_panel_links_navigate(page, store):
    target = "hmip-resettlement/r6"
    text = store.select("SELECT ?id ?t WHERE { ?n dcterms:identifier ?id ; cp:text ?t }", _literal_id(target))[0]["t"]
    quotes = {
        row["q"]
        for row in store.select(
            """SELECT ?id ?q WHERE {
        ?link a cp:Link ; cp:quote ?q ; cp:from|cp:to ?end .
        { ?end dcterms:identifier ?id } UNION { ?item dcterms:identifier ?id ; cp:hasUpdate ?end } }""",
            _literal_id(target),
        )
    }
    updates = {
        row["title"]
        for row in store.select(
            """SELECT ?id ?title WHERE {
        ?item dcterms:identifier ?id ; cp:hasUpdate ?u . ?u dcterms:title ?title }""",
            _literal_id(target),
        )
    }
    assert quotes and updates
    page.evaluate("id => crossplan.network.focus(id, {scale: 1.6, animation: false})", target)
    x, y = page.evaluate(
        """id => { const n = crossplan.network, p = n.canvasToDOM(n.getPosition(id)),
        box = document.getElementById('cp-network').getBoundingClientRect(); return [box.left + p.x, box.top + p.y]; }""",
        target,
    )
    page.page.mouse.click(x, y)
    page.page.locator("#cp-panel .cp-id").first.wait_for()
    panel = page.page.inner_text("#cp-panel")
    assert page.page.inner_text("#cp-panel .cp-id") == target
    assert text in panel
    for quote in quotes | updates:
        assert quote in panel
    other = page.page.locator("#cp-panel .cp-link .cp-node-link").first
    destination = other.get_attribute("data-node")
    other.click()
    assert page.page.inner_text("#cp-panel .cp-id") == destination
    assert page.evaluate("crossplan.network.getSelectedNodes()") == [destination]


def _literal_id(global_id: str) -> dict:
    from pyoxigraph import Literal, Variable

    return {Variable("id"): Literal(global_id)}


# ------------------------------------------------------------------------------------------------
# Presets


def test_a_relations_preset_draws_only_those_links(browser, store, tmp_path):
    rows = store.select("""SELECT ?from ?to WHERE {
        ?link a cp:Link ; cp:from ?f ; cp:to ?t ; cp:relation ?r . VALUES ?r { cp:feedsInto cp:duplicateOf }
        OPTIONAL { ?pf cp:hasUpdate ?f } OPTIONAL { ?pt cp:hasUpdate ?t }
        BIND(COALESCE(?pf, ?f) AS ?from) BIND(COALESCE(?pt, ?t) AS ?to) FILTER(?from != ?to) }""")
    path = tmp_path / "relations.html"
    path.write_text(render_html(store, relations=["feeds-into,duplicate-of"]), encoding="utf-8")
    opened = open_page(browser, path)
    ends = {end for row in rows for end in (row["from"], row["to"])}
    assert opened.counts() == {"nodes": len(ends), "edges": len(rows), "drawnNodes": len(ends), "drawnEdges": len(rows)}
    assert (opened.errors, opened.requests, opened.dialogs) == ([], [opened.url], [])
    opened.page.close()


def test_a_focus_preset_opens_on_its_node(browser, tmp_path):
    path = tmp_path / "focus.html"
    path.write_text(render_html(memory_store(load_dataset(FIXTURES / "mini")), focus="r1"), encoding="utf-8")
    opened = open_page(browser, path)
    assert opened.visible_nodes() == {"alpha/r1", "alpha/r2", "beta/resettlement-1", "alpha-board"}
    assert opened.page.inner_text("#cp-panel .cp-id") == "alpha/r1"
    assert opened.evaluate("crossplan.network.getSelectedNodes()") == ["alpha/r1"]
    assert opened.page.inner_text("#cp-subtitle") == "Around alpha/r1 (1 hop)"
    assert (opened.errors, opened.requests, opened.dialogs) == ([], [opened.url], [])
    opened.page.close()


def test_the_mapping_view_reads_as_two_columns(browser, store, tmp_path):
    path = tmp_path / "mapping.html"
    path.write_text(render_html(store, mapping=("hmip-resettlement", "yj-blueprint")), encoding="utf-8")
    opened = open_page(browser, path)
    shape = opened.evaluate("crossplan.geometry()")
    assert shape["view"] == "mapping"
    left = [node for node in shape["nodes"] if node["id"].startswith("hmip-resettlement/")]
    right = [node for node in shape["nodes"] if node["id"].startswith("yj-blueprint/")]
    assert max(node["x"] + node["width"] for node in left) < min(node["x"] for node in right)
    # The right column keeps the plan's order: workstream, its items, next workstream.
    view = build_view(store, mapping=("hmip-resettlement", "yj-blueprint"))
    rows = [node["id"] for node in sorted(view.nodes, key=lambda n: n["row"]) if node["column"] == 1]
    ys = {node["id"]: node["y"] for node in right}
    # Workstreams with no link are folded to one row: their items are the only ones not drawn.
    folded = {member for members in view.mappings[0]["folded"].values() for member in members}
    assert set(rows) - set(ys) == folded
    drawn = [i for i in rows if i in ys]
    assert [ys[i] for i in drawn] == sorted(ys[i] for i in drawn)
    assert opened.evaluate("crossplan.show('graph', {})") is True
    assert (opened.errors, opened.requests, opened.dialogs) == ([], [opened.url], [])
    opened.page.close()


# ------------------------------------------------------------------------------------------------
# Safety


PAYLOADS = [
    "<img src=x onerror=alert('org')> Evil Org",
    "Text with <script>alert('text')</script>, <img src=x onerror=alert('img')>, an href=\"javascript:alert('a')\"",
    "<b>The Evil Org</b> should:",
    "<img src=x onerror=alert('owner')>",
    "<em>March 2020</em>",
    "<svg onload=alert('update')>",
    "Update text: </div><script>alert('update text')</script>",
    "<img src=x onerror=alert('quote')> quote with href",
    "</blockquote><script>alert('target quote')</script>",
    "Note: <script>alert('note')</script>",
    'line one\nline two with href="#" & \u2028 "quotes"',
]


@pytest.fixture(scope="module")
def injection_html() -> str:
    store = memory_store(load_dataset(FIXTURES / "viz_injection"))
    extra = ExtraEdge(
        "evil-plan/r1",
        "evil-doc",
        "references",
        quote='line one\nline two with href="#" & \u2028 "quotes"',
        evidence="</script><script>alert('evidence')</script>",
    )
    return render_html(store, extra_edges=[extra])


@pytest.mark.parametrize("how", ["file", "content"])
def test_injected_markup_stays_text(browser, injection_html, tmp_path, how):
    if how == "file":
        path = tmp_path / "injection.html"
        path.write_text(injection_html, encoding="utf-8")
        opened = open_page(browser, path)
    else:
        opened = open_page(browser, content=injection_html)
    page = opened.page
    assert page.title() == "</title><script>alert('plan')</script> Evil <plan> & \"co\""
    assert page.inner_text("#cp-title") == page.title()
    assert "</title><script>alert('plan')</script> Evil <plan> & \"co\"" in page.inner_text("#cp-filters")
    for node_id in opened.evaluate("crossplan.data.nodes.map(n => n.id)"):
        opened.evaluate("id => crossplan.select(id, {animate: false})", node_id)
        assert page.inner_text("#cp-panel .cp-id") == node_id
        x, y = opened.evaluate(
            """id => { const n = crossplan.network, p = n.canvasToDOM(n.getPosition(id)),
            box = document.getElementById('cp-network').getBoundingClientRect(); return [box.left + p.x, box.top + p.y]; }""",
            node_id,
        )
        page.mouse.move(x, y)
    opened.evaluate("crossplan.select('evil-plan/r1', {animate: false})")
    panel = opened.evaluate("document.getElementById('cp-panel').textContent")
    for payload in PAYLOADS:
        assert payload in panel, payload
    page.fill("#cp-search-input", "onerror")
    page.locator("#cp-search-results li[data-node]").first.wait_for()
    assert "<img src=x onerror=alert('org')> Evil Org" in page.inner_text("#cp-search-results")
    page.mouse.move(0, 0)
    tooltip = opened.evaluate("""(() => { const n = crossplan.network; n.focus('evil-plan/r1', {scale: 1.5, animation: false});
        return true; })()""")
    assert tooltip
    x, y = opened.evaluate("""(() => { const n = crossplan.network, p = n.canvasToDOM(n.getPosition('evil-plan/r1')),
        box = document.getElementById('cp-network').getBoundingClientRect(); return [box.left + p.x, box.top + p.y]; })()""")
    page.mouse.move(x, y)
    page.locator("#cp-tooltip:not([hidden])").wait_for()
    assert "<script>alert('text')</script>" in page.inner_text("#cp-tooltip")
    # nothing but the page's own elements: no element, handler or javascript: link came from the data
    assert (
        opened.evaluate(
            "document.querySelectorAll('body img, body iframe, body b, body em, body blink, body u, body i').length"
        )
        == 0
    )
    assert opened.evaluate("document.querySelectorAll('script').length") == 3
    assert (
        opened.evaluate(
            "Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes)"
            ".some(a => a.name.startsWith('on'))).length"
        )
        == 0
    )
    assert opened.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)") == []
    opened.evaluate("crossplan.select('safe-doc', {animate: false})")
    assert opened.evaluate("Array.from(document.querySelectorAll('#cp-panel a')).map(a => a.href)") == [
        "https://example.org/%3Cscript%3Ealert('path')%3C/script%3E"
    ]
    assert opened.dialogs == [] and opened.errors == []
    assert opened.requests == ([opened.url] if how == "file" else [])
    page.close()


# ------------------------------------------------------------------------------------------------
# Scale


def synthetic_store(count: int, seed: int = 1):
    """Return an in-memory store with about ``count`` drawn nodes: plans, workstreams, recommendations,
    actions and registry entries, with judged cross-plan links and explicit references."""
    rng = random.Random(seed)
    here = Location("synthetic", 1)
    registry = max(3, count * 15 // 100)
    organisations = [f"org-{i}" for i in range(registry // 3)]
    documents = [f"doc-{i}" for i in range(registry // 3)]
    programmes = [f"programme-{i}" for i in range(registry - 2 * (registry // 3))]
    files = []
    for name, kind, ids in (
        ("organisations", NodeType.ORGANISATION, organisations),
        ("documents", NodeType.DOCUMENT, documents),
        ("programmes", NodeType.PROGRAMME, programmes),
    ):
        parsed = ParsedFile(f"{name}.yaml", name, name)
        parsed.nodes = [Node(node_id, kind, f"{kind.value.title()} {node_id}", here) for node_id in ids]
        files.append(parsed)
    plans = max(2, (count - registry) // 400)
    per_plan = (count - registry) // plans
    recommendations: list[str] = []
    plan_files = []
    for number in range(plans):
        plan = f"plan-{number}"
        parsed = ParsedFile(f"plans/{plan}.yaml", "plan", plan)
        parsed.nodes.append(
            Node(
                plan,
                NodeType.PLAN,
                f"Plan {number}",
                here,
                title=f"Synthetic plan {number}",
                owners=[Owner(None, rng.choice(organisations))],
            )
        )
        workstreams = [f"{plan}/ws-{w}" for w in range(6)]
        for position, workstream in enumerate(workstreams, 1):
            parsed.nodes.append(
                Node(
                    workstream,
                    NodeType.WORKSTREAM,
                    f"Workstream {position}",
                    here,
                    plan=plan,
                    title=f"Workstream {position}",
                    position=position,
                )
            )
        left, index = per_plan - 1 - len(workstreams), 0
        while left > 0:
            item = f"{plan}/r{index}"
            parsed.nodes.append(
                Node(
                    item,
                    NodeType.RECOMMENDATION,
                    f"Recommendation {index} of plan {number}",
                    here,
                    plan=plan,
                    workstream=rng.choice(workstreams),
                    position=index + 1,
                    status=rng.choice(list(Status)),
                    response=rng.choice(list(Response)),
                    addressed_to=[rng.choice(organisations)],
                    text=f"Recommendation {index} of plan {number}: improve outcome {rng.randint(1, 10**6)}.",
                )
            )
            recommendations.append(item)
            left -= 1
            for action in range(min(left, rng.choice([0, 0, 1, 2]))):
                parsed.nodes.append(
                    Node(
                        f"{item}-action-{action + 1}",
                        NodeType.ACTION,
                        f"Action {action + 1}",
                        here,
                        plan=plan,
                        parent=item,
                        text="Carry it out.",
                    )
                )
                left -= 1
            index += 1
        plan_files.append(parsed)
    seen = set()
    for parsed in plan_files:
        for node in [n for n in parsed.nodes if n.type is NodeType.RECOMMENDATION]:
            for _ in range(rng.choice([0, 1, 1, 2])):
                draw = rng.random()
                if draw < 0.4:
                    target, relation, basis = rng.choice(recommendations), rng.choice(list(Relation)), Basis.JUDGED
                elif draw < 0.7:
                    target, relation, basis = rng.choice(documents), Relation.REFERENCES, Basis.EXPLICIT
                else:
                    target, relation, basis = rng.choice(programmes), Relation.DELEGATED_TO, Basis.EXPLICIT
                link = Link(node.id, target, relation, basis, "synthetic quote", here)
                if target != node.id and link.key not in seen:
                    seen.add(link.key)
                    parsed.links.append(link)
    files += plan_files
    nodes = {node.id: node for parsed in files for node in parsed.nodes}
    return memory_store(
        Dataset(Path("synthetic"), files, nodes, [link for parsed in files for link in parsed.links], [])
    )


def test_a_2000_node_graph_settles_within_seconds_and_stops(browser, tmp_path):
    path = tmp_path / "s2000.html"
    view_html = render_html(synthetic_store(2000))
    path.write_text(view_html, encoding="utf-8")
    opened = open_page(browser, path)
    timing = opened.evaluate("crossplan.timing")
    # No physics any more: the page lays the graph out by plan and workstream, and folds big groups.
    assert timing["seconds"] < 8
    assert opened.evaluate("crossplan.network.physics.physicsEnabled") is False
    assert opened.counts()["nodes"] == opened.evaluate("crossplan.data.nodes.length") >= 1990
    assert (opened.errors, opened.requests) == ([], [opened.url])
    opened.page.close()


def test_a_10000_node_graph_opens_and_filters(browser, tmp_path):
    store = synthetic_store(10_000)
    view = build_view(store)
    assert len(view.nodes) > 5000
    path = tmp_path / "s10000.html"
    path.write_text(page_html(view), encoding="utf-8")
    opened = open_page(browser, path)
    opened.evaluate("crossplan.show('graph', {})")
    assert opened.counts()["nodes"] == len(view.nodes)
    opened.page.click("#cp-filters input[data-facet='type'][value='action']")
    nodes, edges = expected_visible(view, {"type": {"action"}})
    counts = opened.counts()
    assert (counts["nodes"], counts["edges"]) == (len(nodes), len(edges))
    # Groups stay folded at this size: a few hundred boxes are drawn, each group opens on click.
    assert counts["drawnNodes"] < 1000
    assert (opened.errors, opened.requests) == ([], [opened.url])
    opened.page.close()


# ------------------------------------------------------------------------------------------------
# Measurements and screenshots (not a test)


def main(argv: list[str]) -> None:
    """Measure stabilisation, file size and page timings; save the README's screenshots."""
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--screenshots", type=Path, help="Save shipped-graph.png and mapping.png here.")
    parser.add_argument("--benchmark", action="store_true", help="Time 2,000- and 10,000-node graphs.")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crossplan-viz-") as folder, sync_playwright() as playwright:
        work = Path(folder)
        chromium = launch(playwright)
        if arguments.screenshots:
            arguments.screenshots.mkdir(parents=True, exist_ok=True)
            store = open_store()
            for name, options in (
                ("shipped-graph", {}),
                ("mapping", {"mapping": ("hmip-resettlement", "yj-blueprint")}),
            ):
                path = work / f"{name}.html"
                path.write_text(render_html(store, **options), encoding="utf-8")
                opened = open_page(chromium, path, viewport=(1600, 1000))
                opened.page.wait_for_timeout(400)
                opened.page.screenshot(path=str(arguments.screenshots / f"{name}.png"))
                print(f"{arguments.screenshots / f'{name}.png'}: {opened.counts()}")
                opened.page.close()
        if arguments.benchmark:
            for count in (2000, 10_000):
                started = time.perf_counter()
                html = render_html(synthetic_store(count))
                rendered = time.perf_counter() - started
                path = work / f"synthetic-{count}.html"
                path.write_text(html, encoding="utf-8")
                started = time.perf_counter()
                opened = open_page(chromium, path)
                loaded = time.perf_counter() - started
                timing = opened.evaluate("crossplan.timing")
                started = time.perf_counter()
                opened.page.click("#cp-filters input[data-facet='type'][value='action']")
                opened.evaluate("crossplan.visibleCounts()")
                filtered = time.perf_counter() - started
                print(
                    f"{count} nodes: file {len(html.encode()) / 1e6:.1f} MB, written in {rendered:.1f} s; page ready in "
                    f"{loaded:.1f} s (vis-network built, laid out and drawn in {timing['seconds']:.1f} s, "
                    f"{timing['iterations']} iterations); one filter click {filtered:.2f} s; {opened.counts()}"
                )
                opened.page.close()
        chromium.close()


if __name__ == "__main__":
    main(sys.argv[1:])
