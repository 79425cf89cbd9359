"""The mapping of two plans as a standalone SVG (for slides and the briefing): the page's drawing, to read offline.

``drawing_svg`` draws what ``mapping.layout_mapping`` laid out: the same boxes, edge paths, groups, headings and
legend, under a title and a one-line summary. Every piece of data text is escaped, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...text import xml_text
from .mapping import COMPACT_COLUMN, COMPACT_GAP, FONT, LINE, MARGIN, PAD_X


@dataclass(frozen=True)
class SvgSize:
    """A page the SVG is drawn for: its size attributes, its shape, and the layout that fills it best."""

    width: str | None
    height: str | None
    ratio: float | None
    layout: dict[str, Any] = field(default_factory=dict)


SVG_SIZES: dict[str, SvgSize] = {
    # As drawn (CSS pixels): the page's wide mapping.
    "default": SvgSize(None, None, None),
    # 16:9, the narrow columns with the unlinked items beside them: 13 px text lands at about 20 px on a 1080p slide.
    "slide": SvgSize("1920", "1080", 16 / 9, {"column_width": COMPACT_COLUMN, "gap": COMPACT_GAP, "beside": True}),
    # A4 landscape: item text at about 10 pt printed.
    "a4": SvgSize("297mm", "210mm", 297 / 210, {"column_width": COMPACT_COLUMN, "gap": COMPACT_GAP, "beside": True}),
    # The report's figure: the whole width of an A4 landscape page under its heading (277 × 165 mm), 8 pt or more.
    "report": SvgSize(
        "277mm", "165mm", 277 / 165, {"column_width": COMPACT_COLUMN, "gap": COMPACT_GAP, "beside": True}
    ),
}
"""The shapes the SVG is drawn for: ``--size`` of ``crossplan viz --mapping … -o FILE.svg`` (and the report's)."""


def drawing_svg(
    drawing: dict,
    relation_styles: dict[str, dict],
    basis_styles: dict[str, dict],
    colours: dict[str, str],
    size: str = "default",
    headline: str | None = None,
    titled: bool = True,
) -> str:
    """Return a standalone SVG of a mapping drawing, sized for ``size`` (a key of ``SVG_SIZES``); data text is escaped.

    ``headline``, when given, is written whole (wrapped) under the title; without ``titled`` (a figure under a
    heading of its own, as in the report) the title, headline and summary line are left out.
    """
    page = SVG_SIZES[size]
    relations = sorted({edge["relation"] for edge in drawing["edges"]})
    per_line = int(width_of(drawing) / (0.6 * 18))
    title_lines = _wrap_plain(_title(drawing), per_line) if titled else []
    headline_lines = _wrap_plain(headline, int(width_of(drawing) / (0.6 * 15))) if headline and titled else []
    title_height = 26 + 22 * len(title_lines) + 20 * len(headline_lines) if titled else 0
    width = drawing["width"]
    height = title_height + drawing["height"]
    left, top, box_width, box_height = 0.0, 0.0, float(width), float(height)
    if page.ratio:
        # Widen (or heighten) the view box to the page's shape, the drawing centred in it.
        if box_width / box_height < page.ratio:
            box_width = box_height * page.ratio
            left = -(box_width - width) / 2
        else:
            box_height = box_width / page.ratio
            top = -(box_height - height) / 2
    outer_width = page.width or str(width)
    outer_height = page.height or str(height)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{outer_width}" height="{outer_height}" '
            f'viewBox="{left:g} {top:g} {box_width:g} {box_height:g}" font-family="{_attr(FONT)}">'
        ),
        f"<title>{_text(_title(drawing))}</title>",
        f'<rect x="{left:g}" y="{top:g}" width="{box_width:g}" height="{box_height:g}" fill="#ffffff"/>',
        *(
            f'<text x="{MARGIN}" y="{22 + 22 * index}" font-size="18" font-weight="bold" fill="#111827">{_text(line)}</text>'
            for index, line in enumerate(title_lines)
        ),
        *(
            f'<text x="{MARGIN}" y="{22 * len(title_lines) + 20 + 20 * index}" font-size="15" font-weight="bold" '
            f'fill="#92400e">{_text(line)}</text>'
            for index, line in enumerate(headline_lines)
        ),
        *(
            [
                f'<text x="{MARGIN}" y="{title_height - 6}" font-size="12" fill="#4b5563">{_text(subtitle(drawing))}</text>'
            ]
            if titled
            else []
        ),
        "<defs>",
    ]
    for relation in relations:
        colour = relation_styles[relation]["color"]
        out.append(
            f'<marker id="arrow-{_attr(relation)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<g transform="translate(0,{title_height})">')
    for group in drawing["groups"]:
        fill = "#fef3c7" if group["id"] == "unmapped" else "#f0f7f4"
        out.append(
            f'<rect x="{group["x"]}" y="{group["y"]}" width="{group["width"]}" height="{group["height"]}" '
            f'rx="6" fill="{fill}" stroke="none"/>'
        )
    for heading in drawing["headings"]:
        weight = ' font-weight="bold"' if heading["bold"] else ""
        fill = "#92400e" if heading.get("finding") else ("#111827" if heading["bold"] else "#4b5563")
        out.append(
            f'<text x="{heading["x"]}" y="{heading["y"]}" font-size="{heading["px"]}"{weight} fill="{fill}">'
            f"{_text(heading['text'])}</text>"
        )
    for edge in drawing["edges"]:
        style = relation_styles[edge["relation"]]
        dashes = basis_styles.get(edge["basis"], {}).get("dashes")
        dash = f' stroke-dasharray="{" ".join(str(d) for d in dashes)}"' if dashes else ""
        marker = "marker-end" if edge["forward"] else "marker-start"
        out.append(
            f'<path d="{edge["d"]}" fill="none" stroke="{style["color"]}" stroke-width="{min(style["width"], 2.2)}"'
            f'{dash} {marker}="url(#arrow-{_attr(edge["relation"])})"><title>{_text(edge["caption"])}: '
            f"{_text(edge['from'])} → {_text(edge['to'])}</title></path>"
        )
    for box in drawing["boxes"]:
        out.extend(_box_svg(box, colours))
    legend = []
    for entry in drawing["legend"]:
        y = entry["y"]
        if entry["kind"] == "box":
            legend.append(
                f'<rect x="{entry["x"]}" y="{y - 11}" width="16" height="12" rx="2" fill="{entry["fill"]}" '
                f'stroke="{entry["stroke"]}" stroke-width="1.5"/>'
            )
        if entry["kind"] == "relation":
            colour = relation_styles[entry["relation"]]["color"]
            legend.append(
                f'<line x1="{entry["x"]}" y1="{y - 4}" x2="{entry["x"] + 32}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2.2"/>'
            )
        elif entry["kind"] == "basis":
            dashes = basis_styles.get(entry["basis"], {}).get("dashes")
            dash = f' stroke-dasharray="{" ".join(str(d) for d in dashes)}"' if dashes else ""
            legend.append(
                f'<line x1="{entry["x"]}" y1="{y - 4}" x2="{entry["x"] + 32}" y2="{y - 4}" stroke="#374151" '
                f'stroke-width="2"{dash}/>'
            )
        legend.append(f'<text x="{entry["textX"]}" y="{y}" font-size="13" fill="#1f2937">{_text(entry["text"])}</text>')
    out.extend(legend)
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def box_colours(box: dict, colours: dict[str, str]) -> tuple[str, str, str]:
    """Return (fill, border, text colour) for a box, as the layout gave it (``mapping.BOX_COLOURS``)."""
    return box["fill"], box["stroke"], box["ink"]


def _box_svg(box: dict, colours: dict[str, str]) -> list[str]:
    fill, border, ink = box_colours(box, colours)
    out = [
        f"<g><title>{_text(box['id'])}</title>",
        (
            f'<rect x="{box["x"]}" y="{box["y"]}" width="{box["width"]}" height="{box["height"]}" rx="4" '
            f'fill="{fill}" stroke="{border}" stroke-width="{1.5 if box["linked"] else 1}"/>'
        ),
    ]
    weight = ' font-weight="bold"' if box["kind"] == "workstream" else ""
    for index, line in enumerate(box["lines"]):
        y = box["y"] + box["padY"] + LINE * index + 12
        out.append(
            f'<text x="{box["x"] + PAD_X}" y="{y}" font-size="{box["fontPx"]}"{weight} fill="{ink}">{_text(line)}</text>'
        )
    out.append("</g>")
    return out


def width_of(drawing: dict) -> float:
    """Return the drawing's width in CSS pixels."""
    return drawing["width"]


def _wrap_plain(text: str, per_line: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _title(drawing: dict) -> str:
    from_name = drawing.get("fromShort") or drawing["fromTitle"]
    to_name = drawing.get("toShort") or drawing["toTitle"]
    return f"How {from_name} maps onto {to_name}"


def subtitle(drawing: dict) -> str:
    """Return the one-line summary of a mapping: links, items linked, crossings."""
    links = len(drawing["edges"])
    mapped, unmapped = len(drawing["mapped"]), len(drawing["unmapped"])
    return (
        f"{links} link{'s' if links != 1 else ''} · {mapped} of {mapped + unmapped} items linked, "
        f"{unmapped} with no link · left column ordered to cross as little as possible "
        f"({drawing['crossings']['drawn']} crossings; {drawing['crossings']['documentOrder']} in document order)"
    )


def _text(value: str) -> str:
    return xml_text(str(value), quotes=False)  # cleaned first: the SVG stays XML whatever the text


def _attr(value: str) -> str:
    return xml_text(str(value))
