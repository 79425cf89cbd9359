"""Render a ``Report`` as one self-contained HTML page (no script, no request) or an A4 PDF (WeasyPrint)."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ... import __version__
from ...errors import CrossplanError
from ...model.nodes import RELATION_MEANINGS, NodeType
from ...text import clean_text
from ..matrix import RELATION_COLOURS, write_output
from ..viz import mapping_svgs
from .charts import bar_chart, heat_colour
from .contents import Report

if TYPE_CHECKING:
    from ...stores.protocol import GraphStore

MAX_DRAWINGS = 12
"""Beyond this many pairs the page leaves the mapping drawings out (each is a large SVG; the matrix stays)."""

_KINDS = [kind.value for kind in (NodeType.WORKSTREAM, NodeType.RECOMMENDATION, NodeType.ACTION, NodeType.UPDATE)]


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _title(report: Report) -> str:
    if report.pairs:
        names = "; ".join(f"{pair.matrix.from_plan} → {pair.matrix.to_plan}" for pair in report.pairs[:3])
        return f"Briefing: {names}" + (f" and {len(report.pairs) - 3} more pairs" if len(report.pairs) > 3 else "")
    return "Briefing: " + ", ".join(plan.id for plan in report.plans[:5]) + ("…" if len(report.plans) > 5 else "")


def render_html(report: Report, store: GraphStore | None = None) -> str:
    """Return the briefing as one HTML page: styles inline, charts and the mapping drawing as inline SVG.

    ``store`` (optional) is asked for the mapping drawings; without it, or with more than ``MAX_DRAWINGS`` pairs,
    the page says where to get them (``crossplan report FROM TO`` or ``crossplan viz --mapping FROM TO``).
    """
    from jinja2 import Environment
    from markupsafe import Markup

    environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=_clean)
    template = environment.from_string(_asset("report.html.j2"))
    received, most = [], []
    for pair in report.pairs:
        counts = {column: 0 for column, _title in pair.matrix.columns}
        for row in pair.matrix.rows:
            for column in row.cells:
                counts[column] = counts.get(column, 0) + 1
        received.append(counts)
        most.append(max((len(entries) for row in pair.matrix.rows for entries in row.cells.values()), default=0))
    drawn = store is not None and len(report.pairs) <= MAX_DRAWINGS
    pictures: list[Markup | None] = [None] * len(report.pairs)
    if store is not None and drawn:  # the graph is read once for all the drawings
        # Drawn for an A4 landscape page (narrow columns, unlinked items beside): item text prints at 8 pt or more.
        drawings = mapping_svgs(
            store,
            [(pair.matrix.from_plan, pair.matrix.to_plan) for pair in report.pairs],
            "report",
            titled=False,
            known={(pair.matrix.from_plan, pair.matrix.to_plan): pair.mapping for pair in report.pairs if pair.mapping},
        )
        pictures = [Markup(picture) if picture else None for picture in drawings]
    # Page 1: per pair, how many recommendations reach each workstream (the matrix's column counts).
    workstream_charts = [
        Markup(
            bar_chart(
                f"Recommendations of {pair.matrix.from_plan} linked, by workstream of {pair.matrix.to_plan}",
                {title: counts.get(column, 0) for column, title in pair.matrix.columns},
                width=520,
                colour="#00795a",
            )
        )
        for pair, counts in zip(report.pairs, received, strict=True)
    ]
    charts = {
        plan.id: (Markup(bar_chart("Responses", plan.responses)), Markup(bar_chart("Progress", plan.progress)))
        for plan in report.plans
    }
    return template.render(
        report=report,
        title=_title(report),
        css=Markup(_asset("report.css")),
        version=__version__,
        kinds=_KINDS,
        colours=RELATION_COLOURS,
        received=received,
        most=most,
        pictures=pictures,
        charts=charts,
        workstream_charts=workstream_charts,
        drawings_left_out=store is not None and not drawn,
        heat=heat_colour,
        labels=[{link.to_node: link.to_label for link in pair.matrix.links if link.to_label} for pair in report.pairs],
        words=_words,
        short=lambda global_id: global_id.rsplit("/", 1)[-1],
    )


def _words(entry: Any) -> str:
    """Return how a mark's relation reads (``overlaps``, ``feeds into``; backward for a link from the other plan)."""
    meaning = RELATION_MEANINGS.get(entry.relation)
    if meaning is None:
        return str(entry.relation)
    return meaning.backward if entry.direction == "in" else meaning.forward


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """WeasyPrint's fetcher: the PDF is made from the page alone; nothing is read from the network or disk."""
    raise ValueError(f"the report fetches nothing ({url[:60]})")


def render_pdf(html: str) -> bytes:
    """Return the briefing page as an A4 PDF with page numbers and the date line on every page."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class _NoFetching(URLFetcher):  # WeasyPrint >= 68 expects a URLFetcher; older ones any callable
        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            _refuse_fetch(url)

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=_NoFetching(allowed_protocols=()), base_url="about:blank").write_pdf()


REPORT_SUFFIXES = (".html", ".htm", ".pdf")


def write_report(report: Report, output: Path | str, store: GraphStore | None = None) -> Path:
    """Write the briefing to ``output``: HTML for ``.html``, PDF for ``.pdf``, atomically.

    Raises CrossplanError for another suffix or an output that cannot be written.
    """
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise CrossplanError(f"{output}: write the report to a .html or .pdf file")
    html = render_html(report, store)
    content = render_pdf(html) if suffix == ".pdf" else html.encode("utf-8")
    write_output(output, content)
    return output


def _clean(value: Any) -> Any:
    """Clean every text the template prints (control characters, lone surrogates) before autoescaping makes it safe."""
    from markupsafe import Markup

    return clean_text(value) if isinstance(value, str) and not isinstance(value, Markup) else value
