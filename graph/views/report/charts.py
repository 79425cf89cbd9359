"""Small static charts for the briefing, drawn as inline SVG (no script, every text escaped)."""

from __future__ import annotations

from ...text import xml_text

# Colours of the answers and statuses (readable in print and for the common colour-vision deficiencies).
COLOURS = {
    "agreed": "#1b7837",
    "partly-agreed": "#e08214",
    "not-agreed": "#b2182b",
    "complete": "#1b7837",
    "ongoing": "#2166ac",
    "not-applicable": "#999999",
    "removed": "#b2182b",
    "not stated": "#d9d9d9",
}


def bar_chart(title: str, counts: dict[str, int], width: int = 300, colour: str | None = None) -> str:
    """Return a horizontal bar chart of ``counts`` (label → number) as a standalone ``<svg>`` element.

    Text sizes and fonts are set as SVG attributes (WeasyPrint honours those, not a page's CSS, inside SVG),
    and the label column is as wide as the longest label, so no label is cut.

    >>> "agreed" in bar_chart("Responses", {"agreed": 3, "not-agreed": 0})
    True
    """
    rows = list(counts.items())
    font = 'font-family="DejaVu Sans, Arial, sans-serif"'
    label_width = max([40, *(round(len(str(label)) * 6.6) + 10 for label, _value in rows)])
    bar_height, gap, top = 14, 6, 22
    height = top + len(rows) * (bar_height + gap) + 4
    width = max(width, label_width + 120, round(len(title) * 7.6))
    biggest = max((value for _label, value in rows), default=0) or 1
    room = width - label_width - 40
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_text(title)}">'
        ),
        f'<text x="0" y="14" {font} font-size="12" font-weight="bold" fill="#1a1a1a" class="chart-title">{_text(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        length = round(room * value / biggest) if value else 0
        fill = colour or COLOURS.get(label, "#4d4d4d")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 3}" {font} font-size="11" fill="#1a1a1a" '
            f'text-anchor="end">{_text(str(label))}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{fill}"/>')
        parts.append(
            f'<text x="{label_width + length + 4}" y="{y + bar_height - 3}" {font} font-size="11" fill="#1a1a1a" '
            f'class="count">{int(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def heat_colour(count: int, most: int) -> str:
    """Return the background of a matrix cell holding ``count`` marks (white for none, deeper blue for more)."""
    if not count:
        return "#ffffff"
    share = count / max(most, 1)
    # from a pale to a strong blue, linear in the share of the busiest cell
    start, end = (222, 235, 247), (116, 169, 207)
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(start, end, strict=False))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _text(value: str) -> str:
    """Clean, then escape: a chart stays XML whatever a label holds."""
    return xml_text(value)
