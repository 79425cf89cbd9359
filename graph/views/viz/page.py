"""The outputs: the self-contained HTML page, and the mapping of two plans as a standalone SVG or PNG.

The page is drawn by vis-network, taken from the files the ``pyvis`` package ships (its Python API is not
used: ``add_node``/``add_edge`` are quadratic at 10,000 nodes and its template writes titles with ``innerHTML``).
Every script and style is inlined, the data is JSON safe inside ``<script>``, and a
Content-Security-Policy allows only the page's own two scripts (by hash) and forbids any network request.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import CrossplanError, VizOptionError
from ...files import write_text_atomically
from ...model.nodes import Response, Status
from .styles import BASIS_STYLES, NODE_STYLES, REGISTRY_TYPES, RELATION_STYLES, STATUS_TYPES
from .svg import SVG_SIZES, drawing_svg
from .view import ExtraEdge, GraphView, build_view, mapping_drawings

if TYPE_CHECKING:
    from ...questions.mapping import Mapping
    from ...stores.protocol import GraphStore

_PACKAGE = __name__.rpartition(".")[0]
_ASSETS = "assets"


@dataclass(frozen=True)
class VizSummary:
    """What ``write_html`` wrote."""

    path: Path
    nodes: int
    edges: int
    size: int

    def describe(self) -> str:
        """Return the one-line report the command prints."""
        return f"Wrote {self.path}: {self.nodes} nodes, {self.edges} links ({_human_size(self.size)})"


# --------------------------------------------------------------------------------------------
# The page


def render_html(
    store: GraphStore,
    *,
    plans: Iterable[str] = (),
    focus: str | None = None,
    depth: int | None = None,
    relations: Iterable[str] | None = None,
    mapping: tuple[str, str] | None = None,
    extra_edges: Iterable[ExtraEdge] = (),
) -> str:
    """Return the whole self-contained HTML page for the store (or a preset: see ``build_view``)."""
    view = build_view(
        store, plans=plans, focus=focus, depth=depth, relations=relations, mapping=mapping, extra_edges=extra_edges
    )
    return page_html(view)


def write_html(store: GraphStore, path: Path | str, **options: Any) -> VizSummary:
    """Write the page for the store (or a preset: see ``build_view``) to ``path`` atomically; return a summary."""
    view = build_view(store, **options)
    text = page_html(view)
    write_text_atomically(path, text)
    return VizSummary(Path(path), len(view.nodes), len(view.edges), len(text.encode("utf-8")))


def mapping_svg(store: GraphStore, from_plan: str, to_plan: str, size: str = "default") -> str:
    """Return a standalone SVG of how ``from_plan``'s items map onto ``to_plan``'s workstreams (for slides).

    The drawing is the page's mapping view: same ordering, same boxes; ``size`` is ``default`` (as drawn),
    ``slide`` (16:9) or ``a4`` (landscape). Data text is escaped, never markup.
    Raises UnknownIdError for an unknown plan, VizOptionError when both plans are the same or for another size.
    """
    return mapping_svgs(store, [(from_plan, to_plan)], size)[0]


def mapping_svgs(
    store: GraphStore,
    pairs: Iterable[tuple[str, str]],
    size: str = "default",
    titled: bool = True,
    known: dict[tuple[str, str], Mapping] | None = None,
) -> list[str]:
    """Return the standalone SVG of each pair of plans (``mapping_svg`` of each), reading those plans once.

    Without ``titled``, each is a figure with no title, headline or summary line (for a page that gives them).
    ``known``: mappings the caller has already asked for (``find_mapping`` by (from, to)), not asked again.
    """
    if size not in SVG_SIZES:
        raise VizOptionError(f"no size '{size}': choose {', '.join(SVG_SIZES)}")
    colours = {kind: style["color"] for kind, style in NODE_STYLES.items()}
    drawings = mapping_drawings(store, pairs, known=known, **SVG_SIZES[size].layout)
    return [
        drawing_svg(drawing, RELATION_STYLES, BASIS_STYLES, colours, size, drawing.get("headline"), titled)
        for drawing in drawings
    ]


def write_mapping_image(
    store: GraphStore, path: Path | str, from_plan: str, to_plan: str, size: str = "default"
) -> str:
    """Write the mapping of two plans to ``path`` as SVG (or PNG when rsvg-convert or cairosvg is at hand); return a report line.

    Raises VizOptionError for another suffix or size, or for PNG with no renderer installed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise VizOptionError(f"--mapping writes .html, .svg or .png, not '{path.suffix or path.name}'")
    text = mapping_svg(store, from_plan, to_plan, size)
    if suffix == ".svg":
        write_text_atomically(path, text)
    else:
        _write_png(text, path)
    return f"Wrote {path}: how {from_plan} maps onto {to_plan} ({_human_size(path.stat().st_size)})"


def _write_png(svg_text: str, path: Path) -> None:
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        cairosvg = None
    if cairosvg is not None:
        cairosvg.svg2png(bytestring=svg_text.encode("utf-8"), write_to=str(path), scale=2)
        return
    converter = shutil.which("rsvg-convert")
    if converter is None:
        raise VizOptionError(
            "PNG needs rsvg-convert (apt install librsvg2-bin) or cairosvg (pip install cairosvg); write .svg instead"
        )
    subprocess.run([converter, "--zoom", "2", "--output", str(path)], input=svg_text.encode("utf-8"), check=True)


def page_html(view: GraphView) -> str:
    """Return the HTML page for a view: vis-network, the app script and style, and the data, all inline."""
    vis_script, vis_style = vis_network_assets()
    app_script = _asset("crossplan-viz.js")
    app_style = _asset("crossplan-viz.css")
    scripts = [vis_script, app_script]
    for script in scripts:
        _check_inline(script, "script")
    for style in (vis_style, app_style):
        _check_inline(style, "style")
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'" for s in scripts
    )
    # No default source at all: the page can load nothing, connect nowhere, and only run its own two scripts.
    policy = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    replacements = {
        "POLICY": html.escape(policy, quote=True),
        "TITLE": html.escape(view.title),
        "VIS_STYLE": vis_style,
        "APP_STYLE": app_style,
        "DATA": script_json(_payload(view)),
        "VIS_SCRIPT": vis_script,
        "APP_SCRIPT": app_script,
    }
    template = _asset("page.html")
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: replacements[match.group(1)], template)


def script_json(value: Any) -> str:
    """Return JSON that is safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and U+2028/2029 escaped.

    >>> script_json({"text": "</script><b>&\\u2028"})
    '{"text":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(character, escape)
    return text


def _payload(view: GraphView) -> dict:
    present_types = {node["type"] for node in view.nodes}
    present_relations = {edge["relation"] for edge in view.edges}
    return {
        "title": view.title,
        "subtitle": view.subtitle,
        "layout": view.layout,
        "columns": view.columns,
        "plans": view.plans,
        "selected": view.selected,
        "planSources": view.plan_sources,
        "mappings": view.mappings,
        "overview": view.overview,
        "initial": view.initial,
        "depth": view.depth,
        "omitted": _omitted(view.nodes),
        "style": {
            "types": {kind: style for kind, style in NODE_STYLES.items() if kind in present_types},
            "relations": {name: style for name, style in RELATION_STYLES.items() if name in present_relations},
            "bases": BASIS_STYLES,
            "statuses": [status.value for status in Status],
            "responses": [response.value for response in Response],
            "registryTypes": sorted(REGISTRY_TYPES),
            "statusTypes": sorted(STATUS_TYPES),
        },
        "nodes": view.nodes,
        "edges": view.edges,
    }


def _omitted(nodes: list[dict]) -> list[dict]:
    """Count the links the graph cannot draw as lines: both ends fold into one item (update to update)."""
    counts: dict[str, int] = defaultdict(int)
    for node in nodes:
        for edge in node.get("innerLinks", ()):
            counts[edge["relation"]] += 1
    return [
        {
            "relation": relation,
            "count": count,
            "why": "join two updates (or an update and its item) of one item: listed in that item's panel, not drawn",
        }
        for relation, count in sorted(counts.items())
    ]


def _asset(name: str) -> str:
    return (files(_PACKAGE) / _ASSETS / name).read_text(encoding="utf-8")


def vis_network_assets() -> tuple[str, str]:
    """Return vis-network's script and style as shipped inside the installed ``pyvis`` package.

    The style keeps only the rules for what the page uses (tooltips, overlay): the navigation buttons,
    editing toolbar and configurator it otherwise styles are not enabled, and their inline icons are
    most of its 220 kB.
    """
    # find_spec locates the package without importing it (importing pyvis pulls in IPython: a second).
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise CrossplanError("pyvis is not installed: pip install pyvis")
    root = Path(list(spec.submodule_search_locations)[0]) / "lib"
    versions = []
    for entry in root.iterdir():
        match = re.fullmatch(r"vis-(\d+)\.(\d+)\.(\d+)", entry.name)
        if match and (entry / "vis-network.min.js").is_file():
            versions.append((tuple(int(part) for part in match.groups()), entry))
    if not versions:
        raise CrossplanError(
            "pyvis is installed without vis-network (pyvis/lib/vis-*/vis-network.min.js): reinstall pyvis"
        )
    directory = max(versions)[1]
    script = (directory / "vis-network.min.js").read_text(encoding="utf-8")
    script = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", script)
    style = (directory / "vis-network.css").read_text(encoding="utf-8")
    unused = re.compile(
        r"vis-(configuration|config|manipulation|navigation|color-picker|edit|button|close|label|separator"
        r"|new-color|initial-color|opacity|brightness|range|selector|arrow|zoom|up|down|left|right|connect"
        r"|delete|back|none)\b"
    )
    rules = re.findall(r"[^{}]+\{[^{}]*\}", style)
    style = "".join(rule for rule in rules if not unused.search(rule.split("{", 1)[0]))
    return script, style


def _check_inline(text: str, tag: str) -> None:
    """Refuse text that would end its inline element early (cannot happen with the shipped assets)."""
    lowered = text.lower()
    if f"</{tag}" in lowered or "<!--" in lowered:
        raise CrossplanError(f"cannot inline a {tag} that contains '</{tag}' or '<!--'")


def _human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
