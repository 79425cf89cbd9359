"""Validate a data directory: YAML and reference checks, quotes against their sources, then SHACL."""

from __future__ import annotations

from pathlib import Path

from ..datafiles.loading import Dataset, load_dataset
from ..datafiles.rejections import REJECTIONS_FILE
from ..datafiles.rejections import check_rejections as check_file
from ..errors import Problem
from ..resources import shapes_text, shipped_data_dir
from .checkcache import validate_with_cache
from .quads import file_triples, to_rdflib
from .quotes import check_quotes, normalise_source, printed_texts
from .shapecheck import Screen, compile_shapes, report_results

__all__ = ["check_quotes", "check_rejections", "check_shapes", "normalise_source", "printed_texts", "validate_data"]


def validate_data(
    data_dir: Path | str | None = None,
    *,
    shacl: bool = True,
    overrides: dict[str, str] | None = None,
    cache_dir: Path | None = None,
) -> list[Problem]:
    """Check a data directory and return every problem found (an empty list means it is valid).

    Runs the YAML and reference checks, checks that quotes and printed texts appear verbatim in the
    shipped source texts, and (when those pass) validates the RDF against ``ontology/shapes.ttl``.
    ``overrides`` (relative path → YAML text) checks a change before it is written. With ``cache_dir`` (the
    store directory) each file's own results are kept in its ``.validation/`` and only the files that changed are
    read again (``checkcache``; nothing is written inside the data directory or into a directory that is not a
    store); the problems are the same as without it.
    """
    if cache_dir is not None and not overrides:
        found = validate_with_cache(Path(data_dir) if data_dir is not None else shipped_data_dir(), cache_dir, shacl)
        if found is not None:
            return found  # else some node may violate a shape: pyshacl judges it on the whole graph, below
    dataset = load_dataset(data_dir, strict=False, overrides=overrides)
    problems = list(dataset.problems)
    problems += check_quotes(dataset)
    problems += check_rejections(dataset)
    if shacl and not problems:
        problems += check_shapes(dataset)
    return sorted(set(problems))


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
    screen = Screen((triple for parsed in dataset.files for triple in file_triples(parsed)), compiled)
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
