"""What the browser graph draws and how: the kinds of edge, the node and edge styles, the registry types.

These are the page's legend and filters (sent in its payload) and the colours of the mapping picture.
"""

from __future__ import annotations

from ...model.nodes import NodeType, Relation, StructuralRelation

PART_OF = "part-of"
"""The structure drawn between an item and what contains it (action → recommendation → workstream → plan)."""

RELATIONS: tuple[str, ...] = (
    *(relation.value for relation in Relation),
    *(relation.value for relation in StructuralRelation),
    PART_OF,
)
"""Every kind of edge the page draws, in legend order."""

REGISTRY_TYPES = frozenset({NodeType.ORGANISATION.value, NodeType.DOCUMENT.value, NodeType.PROGRAMME.value})
STATUS_TYPES = frozenset({NodeType.RECOMMENDATION.value, NodeType.ACTION.value})

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), one shape per type.
NODE_STYLES: dict[str, dict] = {
    "plan": {"shape": "box", "color": "#1f2937", "font": "#ffffff", "size": 30, "fontSize": 18, "caption": "Plan"},
    "workstream": {
        "shape": "ellipse",
        "color": "#00795a",
        "font": "#ffffff",
        "size": 22,
        "fontSize": 15,
        "caption": "Workstream",
    },
    "recommendation": {"shape": "dot", "color": "#0072b2", "font": "#1f2937", "size": 13, "caption": "Recommendation"},
    "action": {"shape": "diamond", "color": "#56b4e9", "font": "#1f2937", "size": 8, "caption": "Action"},
    "organisation": {"shape": "triangle", "color": "#e69f00", "font": "#1f2937", "size": 11, "caption": "Organisation"},
    "document": {"shape": "square", "color": "#cc79a7", "font": "#1f2937", "size": 9, "caption": "Document"},
    "programme": {"shape": "hexagon", "color": "#b84f00", "font": "#ffffff", "size": 11, "caption": "Programme"},
}
# ``length`` is the spring's rest length: structure is short so that plans and workstreams stay in tight groups.
RELATION_STYLES: dict[str, dict] = {
    "duplicate-of": {"color": "#d55e00", "width": 3, "length": 110, "caption": "duplicate of"},
    "feeds-into": {"color": "#0072b2", "width": 2.5, "length": 130, "caption": "feeds into"},
    "delegated-to": {"color": "#009e73", "width": 2.5, "length": 130, "caption": "delegated to"},
    "supersedes": {"color": "#111827", "width": 2.5, "length": 110, "caption": "supersedes"},
    "references": {"color": "#8b95a5", "width": 1.2, "length": 110, "caption": "references"},
    "related-to": {"color": "#a2407f", "width": 2, "length": 150, "caption": "related to"},
    "owned-by": {"color": "#e69f00", "width": 1.2, "length": 120, "caption": "owned by"},
    "addressed-to": {"color": "#9a6b2f", "width": 1.2, "length": 120, "caption": "addressed to"},
    PART_OF: {"color": "#cfd6df", "width": 1, "length": 30, "caption": "part of (structure)", "arrows": False},
}
BASIS_STYLES: dict[str, dict] = {
    "explicit": {"dashes": False, "caption": "explicit: the text states it"},
    "judged": {"dashes": [9, 6], "caption": "judged: a curator's reading"},
    "suggested": {"dashes": [2, 5], "caption": "suggested: proposed by a machine"},
}
