"""Export the graph for other tools. Each format is a small function in a registry, not an if-chain.

RDF formats (``turtle``, ``ntriples``, ``nquads``, ``trig``, ``jsonld``, ``rdfxml``) carry every triple;
N-Quads and TriG keep each plan in its own named graph and each registry in its own. JSON-LD is
compacted with the context shipped in the package (``jsonld-context`` exports it on its own), so that it
reads as plain JSON: ``{"id": "alpha/r1", "type": "Recommendation", "inPlan": "alpha", …}``.

For graph tools and spreadsheets the graph is *flattened*: one node per entity (plan, item,
organisation, document, programme) with its literal values and the ids it points to as attributes,
named by the JSON-LD terms (``label``, ``inPlan``, ``statusText``…); controlled values in their YAML
spelling (``ongoing``, ``partly-agreed``); several values joined with ``"; "``. ``graphml`` and ``gexf``
add one edge per relation, labelled with its spelling (``feeds-into``, ``owned-by``, ``in-plan``); a
dependency link's edge carries its quote and basis. ``csv`` writes a nodes table and a links table.

Text that XML 1.0 cannot hold (control characters other than tab, line feed and carriage return) makes
the XML formats (``rdfxml``, ``graphml``, ``gexf``) refuse with the node named, rather than write a
file no XML parser opens; the other formats carry it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import CrossplanError
from ..files import write_atomically
from ..model.vocabulary import CP, ID_BASE, PREFIXES, RDF, XSD, global_id_of, graph_iri
from ..text import spreadsheet_text

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore, LocalStore


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, file suffix and writer."""

    name: str
    suffix: str
    media_type: str
    write: Callable  # (store, binary stream, plans) -> None
    description: str
    tables: Callable | None = None  # (store, plans) -> {file name: bytes}, for formats written as several files


_FORMATS: dict[str, ExportFormat] = {}


def register_format(
    name: str, suffix: str, media_type: str, description: str, tables: Callable | None = None
) -> Callable[[Callable], Callable]:
    """Register a writer function ``(store, stream, plans)`` under a format name."""

    def decorate(function: Callable) -> Callable:
        _FORMATS[name] = ExportFormat(name, suffix, media_type, function, description, tables)
        return function

    return decorate


def export_formats() -> dict[str, ExportFormat]:
    """Return the registered export formats by name."""
    return dict(_FORMATS)


def selected_graphs(store: GraphStore, plans: Iterable[str] | None = None) -> list[str]:
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


def data_quads(store: LocalStore, plans: Iterable[str] | None = None) -> Iterator:
    """Yield every quad of the selected data graphs."""
    from pyoxigraph import NamedNode, Quad

    for graph in selected_graphs(store, plans):
        name = NamedNode(graph)
        for triple in store.graph_triples(graph):
            yield Quad(triple.subject, triple.predicate, triple.object, name)


def data_triples(store: LocalStore, plans: Iterable[str] | None = None) -> Iterator:
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


def _sorted_triples(store: LocalStore, plans: Iterable[str] | None) -> list:
    return sorted(data_triples(store, plans), key=str)


def _sorted_quads(store: LocalStore, plans: Iterable[str] | None) -> list:
    return sorted(data_quads(store, plans), key=lambda quad: (quad.graph_name.value, str(quad.triple)))


# -- RDF ---------------------------------------------------------------------------------------------


@register_format("turtle", ".ttl", "text/turtle", "Turtle, with the crossplan prefixes")
def write_turtle(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    from pyoxigraph import RdfFormat

    _serialize(_sorted_triples(store, plans), stream, RdfFormat.TURTLE, with_prefixes=True)


@register_format("ntriples", ".nt", "application/n-triples", "N-Triples, one triple per line, sorted")
def write_ntriples(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    from pyoxigraph import RdfFormat

    _serialize(_sorted_triples(store, plans), stream, RdfFormat.N_TRIPLES)


@register_format("nquads", ".nq", "application/n-quads", "N-Quads: each plan and each registry in its own named graph")
def write_nquads(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    from pyoxigraph import RdfFormat

    _serialize(_sorted_quads(store, plans), stream, RdfFormat.N_QUADS)


@register_format("trig", ".trig", "application/trig", "TriG: each plan and each registry in its own named graph")
def write_trig(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    from pyoxigraph import RdfFormat

    _serialize(_sorted_quads(store, plans), stream, RdfFormat.TRIG, with_prefixes=True)


@register_format("rdfxml", ".rdf", "application/rdf+xml", "RDF/XML")
def write_rdfxml(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    from pyoxigraph import Literal, RdfFormat, serialize

    triples = _sorted_triples(store, plans)
    for triple in triples:
        if isinstance(triple.object, Literal):
            check_xml_text(triple.object.value, "rdfxml", triple.subject.value)
    text = serialize(triples, format=RdfFormat.RDF_XML, prefixes=PREFIXES)
    assert text is not None  # with no output given, serialize returns the bytes
    # An XML parser turns a raw carriage return into a line feed: write it as a character reference.
    # (IRIs cannot hold one, so every carriage return in the output is inside a literal.)
    stream.write(text.replace(b"\r", b"&#13;"))


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def check_xml_text(text: str, format_name: str, where: str) -> None:
    """Raise CrossplanError if ``text`` holds a character XML 1.0 cannot carry (most control characters).

    >>> check_xml_text("tab\\tand line\\nfeed", "rdfxml", "x")
    >>> check_xml_text("bell\\x07", "rdfxml", "https://w3id.org/crossplan/id/alpha/r1")
    Traceback (most recent call last):
    crossplan.graph.errors.CrossplanError: rdfxml cannot hold the control character U+0007 in the text of alpha/r1 (XML 1.0 forbids it); remove it from the data, or export as turtle, ntriples, nquads, trig, jsonld or csv
    """
    found = _XML_FORBIDDEN.search(text)
    if found:
        name = global_id_of(where) or where
        raise CrossplanError(
            f"{format_name} cannot hold the control character U+{ord(found.group()):04X} in the text of {name} "
            "(XML 1.0 forbids it); remove it from the data, or export as turtle, ntriples, nquads, trig, jsonld or csv"
        )


# -- JSON-LD -------------------------------------------------------------------------------------------


def context_text() -> str:
    """Return the JSON-LD context shipped with the package (``ontology/context.jsonld``)."""
    return (files("crossplan.ontology") / "context.jsonld").read_text(encoding="utf-8")


@register_format(
    "jsonld-context", ".jsonld", "application/ld+json", "the JSON-LD context the jsonld export uses, on its own"
)
def write_jsonld_context(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    stream.write(context_text().encode("utf-8"))


@dataclass(frozen=True)
class _Term:
    name: str
    iri: str
    coerce: str | None  # "@id", "@vocab", a datatype IRI, or None for plain strings
    always_list: bool


@dataclass
class _Context:
    body: dict
    base: str
    vocab: str
    prefixes: dict[str, str]
    by_iri: dict[str, list[_Term]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # every term (and keyword alias) to what it expands to
    order: dict[str, int] = field(default_factory=dict)

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        if colon and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        if colon:
            return value
        return self.vocab + value

    def compact(self, iri: str) -> str:
        """A class or controlled value, relative to @vocab, else a prefixed name, else the IRI itself."""
        for term in self.by_iri.get(iri, ()):
            if term.coerce is None and not term.always_list:
                return term.name
        local = iri[len(self.vocab) :] if iri.startswith(self.vocab) else None
        if local and _NAME.fullmatch(local) and self.names.get(local, iri) == iri:
            return local
        return self.prefixed(iri)

    def prefixed(self, iri: str) -> str:
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and _NAME.fullmatch(iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def relative(self, iri: str) -> str:
        """A node IRI relative to @base (its global id), else the absolute IRI."""
        local = iri[len(self.base) :] if iri.startswith(self.base) else None
        if (
            local
            and ":" not in local
            and not local.startswith(("/", "?", "#"))
            and not {".", ".."} & set(local.split("/"))
        ):
            return local  # resolves back to exactly this IRI: no scheme, no dot segments
        return iri


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@lru_cache(maxsize=1)
def _context() -> _Context:
    body = json.loads(context_text())["@context"]
    prefixes = {
        name: value
        for name, value in body.items()
        if not name.startswith("@") and isinstance(value, str) and value.endswith(("#", "/"))
    }
    context = _Context(body, body["@base"], body["@vocab"], prefixes)
    for position, (name, definition) in enumerate(body.items()):
        if name.startswith("@") or name in prefixes:
            continue
        if isinstance(definition, str):
            definition = {"@id": definition}
        iri = definition.get("@id", name)
        if iri.startswith("@"):
            context.names[name] = iri
            continue
        coerce = definition.get("@type")
        if coerce and not coerce.startswith("@"):
            coerce = context.expand(coerce)
        term = _Term(name, context.expand(iri), coerce, definition.get("@container") == "@set")
        context.by_iri.setdefault(term.iri, []).append(term)
        context.names[name] = term.iri
        context.order[name] = position
    return context


def _jsonld_entry(context: _Context, predicate: str, term) -> tuple[str, object, bool]:
    """Choose the key and the JSON value of one (predicate, object): (key, value, always a list)."""
    kind = type(term).__name__
    for candidate in context.by_iri.get(predicate, ()):
        if kind == "NamedNode" and candidate.coerce == "@id":
            return candidate.name, context.relative(term.value), candidate.always_list
        if kind == "NamedNode" and candidate.coerce == "@vocab":
            return candidate.name, context.compact(term.value), candidate.always_list
        if kind == "Literal" and term.language is None:
            datatype = term.datatype.value
            if candidate.coerce == datatype:
                return candidate.name, term.value, candidate.always_list
            if candidate.coerce is None and datatype == XSD.string:
                return candidate.name, term.value, candidate.always_list
            if (
                candidate.coerce is None
                and datatype == XSD.integer
                and re.fullmatch(r"-?[1-9][0-9]{0,15}|0", term.value)
            ):
                return candidate.name, int(term.value), candidate.always_list
    terms = context.by_iri.get(predicate)
    key = terms[0].name if terms and terms[0].coerce is None else context.prefixed(predicate)
    return key, _value_object(context, term), bool(terms and terms[0].always_list)


def _value_object(context: _Context, term) -> dict:
    kind = type(term).__name__
    if kind == "NamedNode":
        return {"id": context.relative(term.value)}
    if kind == "BlankNode":
        return {"id": f"_:{term.value}"}
    if term.language is not None:
        return {"value": term.value, "@language": term.language}
    if term.datatype.value == XSD.string:
        return {"value": term.value}
    return {"value": term.value, "type": context.prefixed(term.datatype.value)}


def jsonld_document(triples: Iterable) -> dict:
    """Return triples as a compacted JSON-LD document using the shipped context: one object per subject."""
    context = _context()
    nodes: dict[str, dict[str, list]] = {}
    always_lists: set[str] = set()
    for triple in sorted(triples, key=str):
        subject = triple.subject
        node_id = context.relative(subject.value) if type(subject).__name__ == "NamedNode" else f"_:{subject.value}"
        node = nodes.setdefault(node_id, {})
        if triple.predicate.value == RDF.type and type(triple.object).__name__ == "NamedNode":
            node.setdefault("type", []).append(triple.object.value)
            continue
        key, value, always_list = _jsonld_entry(context, triple.predicate.value, triple.object)
        node.setdefault(key, []).append(value)
        if always_list:
            always_lists.add(key)
    graph = []
    for node_id in sorted(nodes):
        values = nodes[node_id]
        compacted: dict[str, Any] = {"id": node_id}
        if "type" in values:
            # the crossplan class first: ["Organisation", "Organization"]
            types = sorted(values.pop("type"), key=lambda iri: (not iri.startswith(context.vocab), iri))
            compacted["type"] = _one_or_many([context.compact(iri) for iri in types])
        for key in sorted(values, key=lambda name: (context.order.get(name, len(context.order)), name)):
            compacted[key] = values[key] if key in always_lists else _one_or_many(values[key])
        graph.append(compacted)
    return {"@context": context.body, "@graph": graph}


def _one_or_many(values: list) -> Any:
    return values[0] if len(values) == 1 else values


@register_format(
    "jsonld", ".jsonld", "application/ld+json", "JSON-LD, compacted with the crossplan context (plain JSON to read)"
)
def write_jsonld(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    document = jsonld_document(data_triples(store, plans))
    stream.write(json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"))
    stream.write(b"\n")


# -- flattened: graph tools and spreadsheets ----------------------------------------------------------------


@dataclass
class FlatGraph:
    """The graph as graph tools see it: entity nodes with flat attributes, relations as labelled edges.

    ``nodes`` maps a global id to its attributes; ``edges`` are ``(from, to, key, attributes)`` with
    ``label`` the relation's spelling; ``links`` are the qualified dependency links (one per cp:Link).
    """

    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[tuple[str, str, str, dict]] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)


def spelling(iri: str) -> str:
    """Return how a user spells a controlled value, class or relation: ``partly-agreed``, ``recommendation``, ``feeds-into``.

    >>> spelling("https://w3id.org/crossplan/ontology#PartlyAgreed")
    'partly-agreed'
    >>> spelling("http://www.w3.org/ns/org#subOrganizationOf")
    'sub-organization-of'
    """
    local = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", local).lower()


def _attribute_name(context: _Context, predicate: str) -> str:
    terms = context.by_iri.get(predicate)
    if terms:
        return terms[0].name
    if predicate.startswith(context.vocab) and _NAME.fullmatch(predicate[len(context.vocab) :]):
        return predicate[len(context.vocab) :]
    return context.prefixed(predicate)


def _flat_value(term: Any) -> str | int:
    """An IRI as its global id (or its spelling for a controlled value), a literal as text or int."""
    kind = type(term).__name__
    if kind == "NamedNode":
        node = global_id_of(term.value)
        return node if node is not None else spelling(term.value)
    if kind == "BlankNode":
        return f"_:{term.value}"
    if term.datatype.value == XSD.integer and re.fullmatch(r"-?[0-9]{1,15}", term.value):
        return int(term.value)
    return term.value


def flatten_graph(triples: Iterable) -> FlatGraph:
    """Flatten triples into entity nodes, labelled edges and the table of qualified links."""
    context = _context()
    properties: dict[str, dict[str, list]] = {}
    types: dict[str, list[str]] = {}
    for triple in sorted(triples, key=str):
        subject = triple.subject.value
        if triple.predicate.value == RDF.type:
            types.setdefault(subject, []).append(triple.object.value)
            continue
        properties.setdefault(subject, {}).setdefault(triple.predicate.value, []).append(triple.object)
    flat = FlatGraph()
    link_keys = set()
    for subject in sorted(types):
        if CP.Link in types[subject]:
            values = properties.get(subject, {})
            row = {"id": _flat_value_of(subject)}
            row.update(_attributes(context, values))
            flat.links.append(row)
            ends = values.get(CP.from_, []), values.get(CP.to, []), values.get(CP.relation, [])
            for source in ends[0]:
                for target in ends[1]:
                    for relation in ends[2]:
                        link_keys.add((source.value, relation.value, target.value))
                        attributes = {
                            "label": spelling(relation.value),
                            **{k: v for k, v in row.items() if k not in ("from", "to")},
                        }
                        flat.edges.append(
                            (_flat_value_of(source.value), _flat_value_of(target.value), row["id"], attributes)
                        )
            continue
        cp_types = [t for t in types[subject] if t.startswith(CP.base)]
        node = {"type": spelling(cp_types[0]) if cp_types else spelling(types[subject][0]), "iri": subject}
        node.update(_attributes(context, properties.get(subject, {})))
        flat.nodes[_flat_value_of(subject)] = node
    for subject in sorted(properties):
        if _flat_value_of(subject) not in flat.nodes:
            continue
        for predicate, objects in sorted(properties[subject].items()):
            for term in objects:
                if type(term).__name__ != "NamedNode" or global_id_of(term.value) is None:
                    continue
                if (subject, predicate, term.value) in link_keys:
                    continue
                source, target = _flat_value_of(subject), _flat_value_of(term.value)
                label = spelling(_attribute_name(context, predicate))
                flat.edges.append((source, target, f"{source} {label} {target}", {"label": label}))
    return flat


def _flat_value_of(iri: str) -> str:
    node = global_id_of(iri)
    return node if node is not None else iri


def _attributes(context: _Context, values: dict[str, list]) -> dict:
    attributes = {}
    for predicate in sorted(
        values, key=lambda p: (context.order.get(_attribute_name(context, p), len(context.order)), p)
    ):
        flat = [_flat_value(term) for term in values[predicate]]
        name = _attribute_name(context, predicate)
        attributes[name] = flat[0] if len(flat) == 1 else "; ".join(str(value) for value in flat)
    return attributes


def _networkx_graph(store: LocalStore, plans: Iterable[str] | None, format_name: str) -> Any:
    import networkx

    flat = flatten_graph(data_triples(store, plans))
    graph = networkx.MultiDiGraph()
    for node, attributes in flat.nodes.items():
        _check_attributes(attributes, format_name, node)
        graph.add_node(node, **attributes)
    for source, target, key, attributes in flat.edges:
        _check_attributes(attributes, format_name, key)
        for end in (source, target):
            if end not in graph:  # outside the exported plans: a bare node that says where it points
                graph.add_node(end, label=end, type="elsewhere", iri=ID_BASE + end)
        graph.add_edge(source, target, key=key, **attributes)
    return graph


def _check_attributes(attributes: dict, format_name: str, where: str) -> None:
    for value in attributes.values():
        if isinstance(value, str):
            check_xml_text(value, format_name, where)


@register_format("graphml", ".graphml", "application/graphml+xml", "GraphML for Gephi, Cytoscape, yEd and networkx")
def write_graphml(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    import networkx

    networkx.write_graphml(_networkx_graph(store, plans, "graphml"), stream, encoding="utf-8")


@register_format("gexf", ".gexf", "application/gexf+xml", "GEXF for Gephi and networkx")
def write_gexf(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    import networkx

    networkx.write_gexf(_networkx_graph(store, plans, "gexf"), stream, encoding="utf-8")


def spreadsheet_safe(value) -> object:
    """Return a cell value that a spreadsheet will not run as a formula (OWASP CSV injection).

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-1"), spreadsheet_safe(3), spreadsheet_safe("plain")
    ("'=HYPERLINK(1)", "'-1", 3, 'plain')
    """
    return spreadsheet_text(value)  # cleaned first, so no control character can hide a formula


_NODE_COLUMNS = ("id", "type", "label")
_LINK_COLUMNS = ("id", "from", "relation", "to", "basis", "quote", "targetQuote")


def _csv_table(rows: list[dict], first: tuple[str, ...]) -> bytes:
    order = _context().order
    rest = {name for row in rows for name in row} - set(first)
    # the context's order (label, title, text, number…), the node's IRI last
    columns = list(first) + sorted(rest, key=lambda name: (name == "iri", order.get(name, len(order)), name))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(name, "")) for name in columns])
    # A byte-order mark makes Excel read the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def csv_tables(store: LocalStore, plans: Iterable[str] | None = None) -> dict[str, bytes]:
    """Return ``nodes.csv`` (one row per entity) and ``links.csv`` (one row per qualified link)."""
    flat = flatten_graph(data_triples(store, plans))
    nodes = [{"id": node, **attributes} for node, attributes in flat.nodes.items()]
    return {"nodes.csv": _csv_table(nodes, _NODE_COLUMNS), "links.csv": _csv_table(flat.links, _LINK_COLUMNS)}


@register_format(
    "csv",
    ".zip",
    "application/zip",
    "a nodes table and a links table (CSV, safe to open in Excel), zipped or in a directory",
    tables=csv_tables,
)
def write_csv(store: LocalStore, stream: BinaryIO, plans: Iterable[str] | None = None) -> None:
    tables = csv_tables(store, plans)
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in tables.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)


# -- writing -----------------------------------------------------------------------------------------


def export_graph(
    store: LocalStore, format_name: str, output: Path | str | None = None, plans: Iterable[str] | None = None
) -> bytes | None:
    """Write the graph in a registered format to ``output`` atomically, or return the bytes when ``output`` is None.

    For ``csv``, ``output`` may be an existing directory: ``nodes.csv`` and ``links.csv`` are written into it
    (both are made in memory first, so a failure writes neither). On any failure the previous file at
    ``output`` is left intact. Raises CrossplanError for an unknown format or plan, or text a format cannot hold.
    """
    exporter = _FORMATS.get(format_name)
    if exporter is None:
        raise CrossplanError(f"unknown export format '{format_name}' (one of: {', '.join(_FORMATS)})")
    plans = list(plans) if plans else None
    if output is not None and Path(output).is_dir():
        if exporter.tables is None:
            raise CrossplanError(f"{output} is a directory: give a file name for {format_name}")
        tables = exporter.tables(store, plans)
        for name, content in tables.items():
            write_atomically(Path(output) / name, lambda stream, content=content: stream.write(content))
        return None
    if output is not None and exporter.tables is not None and Path(output).suffix != exporter.suffix:
        raise CrossplanError(
            f"{format_name} writes two tables: give -o FILE{exporter.suffix} or -o an existing directory"
        )
    if output is None:
        buffer = io.BytesIO()
        exporter.write(store, buffer, plans)
        return buffer.getvalue()
    write_atomically(Path(output), lambda stream: exporter.write(store, stream, plans))
    return None
