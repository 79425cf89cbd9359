"""The browser graph's page (graph/views/viz/page.py): self-contained, nothing loaded, data that cannot end a script."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.views.viz import (
    ExtraEdge,
    build_view,
    page_html,
    render_html,
    script_json,
    vis_network_assets,
    write_html,
)

FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.fixture(scope="module")
def mini():
    return memory_store(load_dataset(FIXTURES / "mini"))


@pytest.fixture(scope="module")
def shipped():
    return open_store()


class _Page(HTMLParser):
    """Collect the elements and attributes of a page, and the text of its scripts."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_the_page_is_self_contained_and_loads_nothing(mini):
    page = render_html(mini)
    parsed = parse(page)
    for tag, attributes in parsed.tags:
        assert "src" not in attributes and tag not in ("link", "iframe", "img", "object", "embed"), (tag, attributes)
    assert [attributes for attributes, _ in parsed.scripts] == [{"type": "application/json", "id": "cp-data"}, {}, {}]
    policy = next(
        a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    assert "connect-src 'none'" in policy and "unsafe-eval" not in policy
    assert "sourceMappingURL" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)


def test_the_data_block_round_trips_and_holds_no_markup():
    store = memory_store(load_dataset(FIXTURES / "viz_injection"))
    extra = ExtraEdge("evil-plan/r1", "evil-plan/r2", "feeds-into", quote="</script>\u2028<b>\u2029&amp;\nnew line")
    page = render_html(store, extra_edges=[extra])
    parsed = parse(page)
    block = parsed.scripts[0][1]
    for character in "<>&\u2028\u2029":
        assert character not in block
    data = json.loads(block)
    r1 = next(node for node in data["nodes"] if node["id"] == "evil-plan/r1")
    assert r1["text"].startswith("Text with <script>alert('text')</script>, <img src=x onerror=alert('img')>")
    assert next(e for e in data["edges"] if e.get("proposed"))["quote"] == "</script>\u2028<b>\u2029&amp;\nnew line"
    for payload in ("<script>alert(", "<img src=x", "<svg onload"):
        outside_scripts = page.replace(block, "")
        for _, text in parsed.scripts[1:]:
            outside_scripts = outside_scripts.replace(text, "")
        assert payload not in outside_scripts
    title = re.search(r"<title>(.*)</title>", page).group(1)
    assert (
        title
        == "&lt;/title&gt;&lt;script&gt;alert(&#x27;plan&#x27;)&lt;/script&gt; Evil &lt;plan&gt; &amp; &quot;co&quot;"
    )


def test_script_json_escapes_what_could_end_a_script():
    assert script_json("</script><!--&\u2028\u2029") == '"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029"'
    assert json.loads(script_json({"a": "</script>"})) == {"a": "</script>"}


def test_rendering_is_deterministic(shipped):
    assert render_html(shipped, focus="r6", depth=2) == render_html(shipped, focus="r6", depth=2)


def test_vis_network_comes_from_the_pyvis_package():
    import pyvis

    script, style = vis_network_assets()
    assert script.lstrip().startswith("/**\n * vis-network")
    assert re.search(r"@version 9\.\d+\.\d+", script)
    shipped = (Path(pyvis.__file__).parent / "lib").glob("vis-9.*/vis-network.min.js")
    assert any(script.split("//# sourceMappingURL")[0].strip() in path.read_text(encoding="utf-8") for path in shipped)
    assert "div.vis-tooltip" in style and "vis-configuration" not in style and "vis-navigation" not in style
    assert len(style) < 2000


def test_write_html_writes_atomically_and_reports(mini, tmp_path):
    target = tmp_path / "graph.html"
    summary = write_html(mini, target, plans=["alpha"])
    assert (summary.path, summary.nodes, summary.edges, summary.size) == (target, 5, 7, target.stat().st_size)
    assert summary.describe() == f"Wrote {target}: 5 nodes, 7 links ({round(target.stat().st_size / 1024)} KB)"
    assert target.read_text(encoding="utf-8") == page_html(build_view(mini, plans=["alpha"]))
    assert [path.name for path in tmp_path.iterdir()] == ["graph.html"]
