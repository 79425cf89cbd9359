"""Validate a data directory: YAML and reference checks, quotes against their sources, then SHACL."""

from __future__ import annotations

import re
from pathlib import Path

from ..datafiles.loading import Dataset, load_dataset
from ..datafiles.rejections import REJECTIONS_FILE
from ..datafiles.rejections import check_rejections as check_file
from ..errors import DataError, Problem
from ..model.nodes import Node, NodeType
from ..resources import shapes_text
from ..text import display_path, normalise_space
from .quads import dataset_quads, to_rdflib
from .shapecheck import Screen, compile_shapes, report_results

_LINE_BREAK_HYPHEN = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")


def normalise_source(text: str) -> str:
    """Normalise a source text for verbatim comparison: rejoin words hyphen-broken at a line end, collapse whitespace.

    >>> normalise_source("pre-\\ncourt  diversion\\n")
    'pre-court diversion'
    """
    return normalise_space(_LINE_BREAK_HYPHEN.sub(r"\1-\2", text))


def validate_data(
    data_dir: Path | str | None = None, *, shacl: bool = True, overrides: dict[str, str] | None = None
) -> list[Problem]:
    """Check a data directory and return every problem found (an empty list means it is valid).

    Runs the YAML and reference checks, checks that quotes and printed texts appear verbatim in the
    shipped source texts, and (when those pass) validates the RDF against ``ontology/shapes.ttl``.
    ``overrides`` (relative path → YAML text) checks a change before it is written.
    """
    dataset = load_dataset(data_dir, strict=False, overrides=overrides)
    problems = list(dataset.problems)
    problems += check_quotes(dataset)
    problems += check_rejections(dataset)
    if shacl and not problems:
        problems += check_shapes(dataset)
    return sorted(set(problems))


class _Sources:
    """Normalised source texts of documents, read once each."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.texts: dict[str, str | None] = {}

    def text_of(self, document_id: str | None) -> str | None:
        if document_id is None:
            return None
        if document_id not in self.texts:
            path = self.dataset.source_path(document_id)
            self.texts[document_id] = normalise_source(_read_source(path)) if path and path.is_file() else None
        return self.texts[document_id]

    def plan_source(self, node: Node | None) -> str | None:
        if node is None:
            return None
        plan = self.dataset.nodes.get(node.plan or (node.id if node.type is NodeType.PLAN else ""))
        return plan.source if plan else None


def _read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError.at(
            display_path(path), 0, f"not UTF-8 text (byte {error.start}): save the source text as UTF-8"
        ) from None
    except OSError as error:
        raise DataError.at(display_path(path), 0, f"cannot read the source text: {error.strerror}") from None


def printed_texts(node: Node) -> list[tuple[str, str]]:
    """Return (what, text) for every field of a node that must be printed verbatim in its plan's source."""
    texts: list[tuple[str, str | None]] = [("text", piece) for piece in node.text_pieces] or [("text", node.text)]
    texts += [("status-text", node.status_text), ("timescale", node.timescale), ("addressee-text", node.addressee_text)]
    if node.type in (NodeType.WORKSTREAM, NodeType.UPDATE):
        texts.append(("title", node.title))
    texts += [("owner", owner.text) for owner in node.owners]
    texts += [("target date", target.text) for target in node.target_dates]
    return [(what, text) for what, text in texts if text]


def check_quotes(dataset: Dataset) -> list[Problem]:
    """Check that item texts and link quotes appear verbatim (whitespace-normalised) in their source texts."""
    sources = _Sources(dataset)
    problems = []
    for node in dataset.nodes.values():
        if node.plan is None:
            continue
        document = sources.plan_source(node)
        source = sources.text_of(document)
        if document is None or source is None:
            continue
        for what, text in printed_texts(node):
            if normalise_source(text) not in source:
                problems.append(
                    _not_in_source(
                        node.location.path, node.location.line, f"{what} of '{node.id}'", text, dataset, document
                    )
                )
    for link in dataset.links:
        document = link.document or sources.plan_source(dataset.nodes.get(link.source_id))
        source = sources.text_of(document)
        if document is not None and source is not None and normalise_source(link.quote) not in source:
            problems.append(
                _not_in_source(
                    link.location.path, link.location.line, f"quote of link {link.key}", link.quote, dataset, document
                )
            )
        if link.target_quote:
            document = sources.plan_source(dataset.nodes.get(link.target_id))
            source = sources.text_of(document)
            if document is not None and source is not None and normalise_source(link.target_quote) not in source:
                problems.append(
                    _not_in_source(
                        link.location.path,
                        link.location.line,
                        f"target-quote of link {link.key}",
                        link.target_quote,
                        dataset,
                        document,
                    )
                )
    return problems


def _not_in_source(path: str, line: int, what: str, text: str, dataset: Dataset, document: str) -> Problem:
    excerpt = text if len(text) <= 60 else text[:57] + "..."
    source_file = dataset.nodes[document].source_file
    return Problem(path, line, f'{what} is not in its source {source_file}: "{excerpt}" (quote it exactly as printed)')


def check_rejections(dataset: Dataset) -> list[Problem]:
    """Check the remembered rejected suggestions (``suggestions/rejected.yaml``), if there are any."""
    if not (dataset.data_dir / REJECTIONS_FILE).is_file():
        return []
    return check_file(dataset.data_dir, set(dataset.nodes))


def check_shapes(dataset: Dataset) -> list[Problem]:
    """Validate the dataset's RDF against the SHACL shapes; locate each violation at its node's line.

    A one-pass screen (``shapecheck``) finds the nodes that may not conform; pyshacl then validates only those
    nodes, on the triples it would read in the whole graph, so its verdict and messages are the same as over
    every triple. Shapes the screen cannot compile are run by pyshacl over every triple.
    """
    import rdflib
    from pyoxigraph import NamedNode

    shapes = rdflib.Graph().parse(data=shapes_text(), format="turtle")
    compiled = compile_shapes(shapes)
    if compiled is None:
        return _run_pyshacl(dataset, to_rdflib(dataset), shapes, None)
    screen = Screen((quad.triple for quad in dataset_quads(dataset)), compiled)
    if screen.subclass:
        return _run_pyshacl(dataset, to_rdflib(dataset), shapes, None)
    suspects = screen.suspects()
    if not suspects:
        return []
    if not all(isinstance(node, NamedNode) for node in suspects):  # a blank node is renamed on the way to rdflib
        return _run_pyshacl(dataset, to_rdflib(dataset), shapes, None)
    focus = {node.value for node in suspects if isinstance(node, NamedNode)}
    return _run_pyshacl(dataset, _rdflib_graph(screen.neighbourhood(suspects)), shapes, focus)


def _rdflib_graph(triples):
    import rdflib
    from pyoxigraph import RdfFormat, serialize

    text = serialize(triples, format=RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=text.decode("utf-8") if isinstance(text, bytes) else text, format="nt")
    return graph


def _run_pyshacl(dataset: Dataset, data, shapes, focus: set[str] | None) -> list[Problem]:
    """pyshacl over ``data``; with ``focus``, only the results about those focus nodes (the others are context)."""
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    locations = {node.iri: node.location for node in dataset.nodes.values()}
    locations.update({link.iri: link.location for link in dataset.links})
    problems = []
    for result in report_results(report, focus):
        focus_iri = str(report.value(result, SH.focusNode))
        message = str(report.value(result, SH.resultMessage) or "does not conform")
        path = report.value(result, SH.resultPath)
        location = locations.get(focus_iri)
        subject = focus_iri.rsplit("/id/", 1)[-1]
        where = (location.path, location.line) if location else ("(graph)", 0)
        detail = f" ({path.n3(data.namespace_manager)})" if isinstance(path, rdflib.URIRef) else ""
        problems.append(Problem(where[0], where[1], f"{subject}: {message}{detail}"))
    return problems
