"""The browser graph: one self-contained, offline HTML page to explore the plans' graph.

The page has three views of the same file. With two or more linked plans it opens on the **mapping**
(one plan's items beside the other's workstreams, laid out in Python by ``mapping`` and drawn as SVG;
``mapping_svg`` writes the same drawing for slides); the **matrix** shows those links as a table; the
**full graph** (vis-network) is laid out by the page: each plan a region, each workstream a block, the
registry apart, big groups folded until clicked. ``window.crossplan.geometry()`` reports what is drawn.

Presets cut the file down before it is written (``plans``, ``focus``/``depth``, ``relations``,
``mapping``); the page itself filters by plan, node type, relation, status, response and basis.

The modules, from the bottom up: ``styles`` (what is drawn and how), ``reading`` (the store read into a
graph, plain SPARQL 1.1), ``layout`` (records and starting positions), ``mapping`` (the plan-to-plan drawing),
``svg`` (that drawing as a standalone SVG), ``view`` (presets, focus, the mapping view) and ``page`` (the HTML
page and the mapping image). This package re-exports their public API.
"""

from __future__ import annotations

from ...errors import VizOptionError
from .page import (
    VizSummary,
    mapping_svg,
    mapping_svgs,
    page_html,
    render_html,
    script_json,
    vis_network_assets,
    write_html,
    write_mapping_image,
)
from .styles import BASIS_STYLES, NODE_STYLES, PART_OF, REGISTRY_TYPES, RELATION_STYLES, RELATIONS
from .view import (
    MAPPING_PAIRS,
    ExtraEdge,
    GraphView,
    build_view,
    mapping_drawing,
    mapping_drawings,
    parse_relations,
)

__all__ = [
    "BASIS_STYLES",
    "MAPPING_PAIRS",
    "NODE_STYLES",
    "PART_OF",
    "REGISTRY_TYPES",
    "RELATIONS",
    "RELATION_STYLES",
    "ExtraEdge",
    "GraphView",
    "VizOptionError",
    "VizSummary",
    "build_view",
    "mapping_drawing",
    "mapping_drawings",
    "mapping_svg",
    "mapping_svgs",
    "page_html",
    "parse_relations",
    "render_html",
    "script_json",
    "vis_network_assets",
    "write_html",
    "write_mapping_image",
]
