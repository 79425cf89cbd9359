"""The briefing: two plans (or one, or every linked pair) summarised from the graph as HTML or an A4 PDF.

    report = gather_report(store, "hmip-resettlement", "yj-blueprint", as_of="2021-06-30")
    write_report(report, "briefing.pdf", store)

``gather_report`` computes every figure (``contents``); ``render_html``/``render_pdf`` lay it out (``render``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import CrossplanError
from .contents import (
    PairSection,
    PlanSummary,
    Report,
    ReportingRound,
    gather_report,
    linked_pairs,
    progress_of,
    reporting_rounds,
)
from .render import REPORT_SUFFIXES, render_html, render_pdf, write_report

if TYPE_CHECKING:
    from ...stores.protocol import GraphStore

__all__ = [
    "REPORT_SUFFIXES",
    "PairSection",
    "PlanSummary",
    "Report",
    "ReportingRound",
    "gather_report",
    "linked_pairs",
    "make_report",
    "progress_of",
    "render_html",
    "render_pdf",
    "reporting_rounds",
    "write_report",
]


def make_report(
    store: GraphStore,
    output: Path | str,
    from_plan: str | None = None,
    to_plan: str | None = None,
    *,
    plan: str | None = None,
    as_of: str | None = None,
) -> Report:
    """Gather the briefing from ``store`` and write it to ``output`` (.html or .pdf); return the Report."""
    if Path(output).suffix.lower() not in REPORT_SUFFIXES:
        raise CrossplanError(f"{output}: write the report to a .html or .pdf file")
    report = gather_report(store, from_plan, to_plan, as_of=as_of, plan=plan)
    write_report(report, output, store)
    return report
