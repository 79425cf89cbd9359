"""Export the graph for other tools. Each format is a small function in a registry, not an if-chain."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CrossplanError
from .files import write_atomically
from .vocabulary import PREFIXES, graph_iri


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, file suffix and writer."""

    name: str
    suffix: str
    media_type: str
    write: Callable  # (store, binary stream, plans) -> None
    description: str


_FORMATS: dict[str, ExportFormat] = {}


def register_format(name: str, suffix: str, media_type: str, description: str):
    """Register a writer function ``(store, stream, plans)`` under a format name."""

    def decorate(function):
        _FORMATS[name] = ExportFormat(name, suffix, media_type, function, description)
        return function

    return decorate


def export_formats() -> dict[str, ExportFormat]:
    """Return the registered export formats by name."""
    return dict(_FORMATS)


def selected_graphs(store, plans: Iterable[str] | None = None) -> list[str]:
    """Return the data graphs to export: every plan's (or only the given plans') and the registries'."""
    graphs = store.data_graphs()
    if plans is None:
        return graphs
    wanted = {graph_iri(plan) for plan in plans}
    missing = sorted(plan for plan in plans if graph_iri(plan) not in graphs)
    if missing:
        known = sorted(g.rsplit("/", 1)[1] for g in graphs if "/registry/" not in g)
        raise CrossplanError(f"no plan '{missing[0]}' in the data (plans: {', '.join(known)})")
    return [g for g in graphs if g in wanted or "/registry/" in g]


def data_quads(store, plans: Iterable[str] | None = None) -> Iterator:
    """Yield every quad of the selected data graphs."""
    from pyoxigraph import NamedNode

    for graph in selected_graphs(store, plans):
        yield from store.oxigraph.quads_for_pattern(None, None, None, NamedNode(graph))


def data_triples(store, plans: Iterable[str] | None = None) -> Iterator:
    """Yield every triple of the selected data graphs (the union, without graph names)."""
    seen = set()
    for quad in data_quads(store, plans):
        triple = quad.triple
        if triple not in seen:
            seen.add(triple)
            yield triple


def _serialize(items, stream, rdf_format, with_prefixes: bool = False) -> None:
    from pyoxigraph import serialize

    if with_prefixes:
        serialize(items, stream, format=rdf_format, prefixes=PREFIXES)
    else:
        serialize(items, stream, format=rdf_format)


@register_format("turtle", ".ttl", "text/turtle", "Turtle, with the crossplan prefixes")
def write_turtle(store, stream, plans=None) -> None:
    from pyoxigraph import RdfFormat

    _serialize(sorted(data_triples(store, plans), key=str), stream, RdfFormat.TURTLE, with_prefixes=True)


@register_format("ntriples", ".nt", "application/n-triples", "N-Triples, one triple per line, sorted")
def write_ntriples(store, stream, plans=None) -> None:
    from pyoxigraph import RdfFormat

    _serialize(sorted(data_triples(store, plans), key=str), stream, RdfFormat.N_TRIPLES)


def export_graph(store, format_name: str, output: Path | str | None = None, plans: Iterable[str] | None = None) -> bytes | None:
    """Write the graph in a registered format to ``output`` atomically, or return the bytes when ``output`` is None.

    On any failure the previous file at ``output`` is left intact.
    """
    exporter = _FORMATS.get(format_name)
    if exporter is None:
        raise CrossplanError(f"unknown export format '{format_name}' (one of: {', '.join(_FORMATS)})")
    plans = list(plans) if plans else None
    if output is None:
        buffer = io.BytesIO()
        exporter.write(store, buffer, plans)
        return buffer.getvalue()
    write_atomically(Path(output), lambda stream: exporter.write(store, stream, plans))
    return None
