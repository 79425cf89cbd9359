"""Screen a graph against the SHACL shapes in one pass, so that pyshacl runs only on the nodes that may violate them.

pyshacl over every triple costs about 100 µs per focus node and constraint (10 s at 100k triples, minutes at 1M).
The shapes crossplan ships use a small part of SHACL: class targets, IRI and inverse paths, counts, datatypes,
patterns, lengths, ``sh:in``, ``sh:hasValue``, ``sh:class``, ``sh:nodeKind``, ``sh:node`` and ``sh:or``. ``compile_shapes``
turns such shapes into Python checks; ``Screen.suspects`` runs them over triples held in dictionaries and returns the
focus nodes that may not conform. The screen is conservative: whenever it is unsure (a datatype it cannot check, a
term it does not know) it answers "may not conform", and no check is negated, so a node it passes conforms.
``Screen.neighbourhood`` gives the triples pyshacl needs to judge the suspects exactly as it would in the whole graph:
their own triples, the triples of the inverse paths that end at them, and every triple of the nodes they point to
(whose types ``sh:class`` and whose ids ``sh:node`` look at). Shapes using anything else make ``compile_shapes``
return None, and the caller validates the whole graph as before.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

SH = "http://www.w3.org/ns/shacl#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_XSD = "http://www.w3.org/2001/XMLSchema#"

# The lexical forms of the datatypes the screen can check; any other datatype (but xsd:string) is "unsure".
_LEXICAL = {
    _XSD + "date": re.compile(r"\d{4}-\d\d-\d\d"),  # and a real day (_valid_date)
    _XSD + "gYearMonth": re.compile(r"[1-9]\d{3}-(0[1-9]|1[0-2])"),
    _XSD + "gYear": re.compile(r"[1-9]\d{3}"),
    _XSD + "integer": re.compile(r"[+-]?\d+"),
    _XSD + "anyURI": re.compile(r"[^\s<>\"{}|\\^`]*"),
}
_STRING_TYPES = {_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}

Term = NamedNode | BlankNode | Literal | Triple
Subject = NamedNode | BlankNode | Triple
_NONE: frozenset[Term] = frozenset()
Check = Callable[["Screen", Term], bool]


class Unsupported(Exception):
    """The shapes use a part of SHACL the screen does not implement."""


@dataclass
class CompiledShapes:
    """Checks per target class, and the paths whose triples pyshacl reads backwards."""

    by_class: dict[str, list[Check]] = field(default_factory=dict)
    inverse: set[str] = field(default_factory=set)
    hops: int = 0  # the most paths a check follows from its focus node (sh:node and sh:or nest paths)
    remote: set[str] = field(default_factory=set)  # predicates a check reads forward on a node other than its focus


class Screen:
    """Triples by subject (and the inverse-path triples by object), checked against compiled shapes."""

    def __init__(
        self, triples: Iterable[Triple | Quad | tuple[Subject, NamedNode, Term]], shapes: CompiledShapes
    ) -> None:
        self.shapes = shapes
        self.out: dict[Subject, dict[str, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[Term, dict[str, set[Subject]]] = defaultdict(lambda: defaultdict(set))
        self.subclass = False
        for triple in triples:
            if isinstance(triple, tuple):
                subject, predicate_node, value = triple
            else:  # a Triple or a Quad
                subject, predicate_node, value = triple.subject, triple.predicate, triple.object
            predicate = predicate_node.value
            self.out[subject][predicate].add(value)
            if predicate in shapes.inverse:
                self.into[value][predicate].add(subject)
            elif predicate == _SUBCLASS:
                self.subclass = True  # class targets and sh:class would follow subclasses: not screened

    def values(self, node: Term, predicate: str, inverse: bool) -> AbstractSet[Term]:
        found: dict[str, set[Subject]] | dict[str, set[Term]] | None
        if inverse:
            found = self.into.get(node)
        else:
            found = None if isinstance(node, Literal) else self.out.get(node)
        return (found.get(predicate) or _NONE) if found is not None else _NONE

    def has_type(self, node: Term, iri: str) -> bool:
        return any(kind.value == iri for kind in self.values(node, _RDF_TYPE, False) if isinstance(kind, NamedNode))

    def suspects(self) -> set[Subject]:
        """The focus nodes that may not conform to a shape targeting their class."""
        found = set()
        for node, predicates in list(self.out.items()):
            for kind in predicates.get(_RDF_TYPE, ()):
                checks = self.shapes.by_class.get(kind.value) if isinstance(kind, NamedNode) else None
                if checks and not all(check(self, node) for check in checks):
                    found.add(node)
                    break
        return found

    def neighbourhood(self, nodes: Iterable[Subject]) -> list[Triple]:
        """Every triple pyshacl reads to judge these focus nodes (see the module's docstring).

        The triples of every node within ``hops`` paths of a focus node, and one step further: the nodes a check
        reaches last are looked at for their types (``sh:class``).
        """
        triples: set[Triple] = set()
        frontier: set[Subject] = set(nodes)
        seen: set[Term] = set(frontier)
        for _ in range(self.shapes.hops + 1):
            reached: set[Subject] = set()
            for node in frontier:
                for predicate, objects in self.out.get(node, {}).items():
                    iri = NamedNode(predicate)
                    for value in objects:
                        triples.add(Triple(node, iri, value))
                        if not isinstance(value, Literal):
                            reached.add(value)
                for predicate, subjects in self.into.get(node, {}).items():
                    iri = NamedNode(predicate)
                    for subject in subjects:
                        triples.add(Triple(subject, iri, node))
                        reached.add(subject)
            frontier = {node for node in reached if node not in seen}
            seen |= frontier
        return sorted(triples, key=str)


class FileScreen(Screen):
    """One data file's triples, screened with what the whole graph says beyond them.

    Its own subjects' triples are its own (the caller checks that no two files share a subject); what a check reads
    of another node (its types, its id: ``CompiledShapes.remote``) and every inverse path come from ``lookup``, and
    are remembered in ``reads``: while the whole graph gives the same answers, this file's suspects are the same.
    """

    def __init__(
        self,
        triples: Iterable[Triple | Quad | tuple[Subject, NamedNode, Term]],
        shapes: CompiledShapes,
        lookup: Callable[[Term, str, bool], AbstractSet[Term]],
    ) -> None:
        super().__init__(triples, shapes)
        self.lookup = lookup
        self.reads: dict[tuple[Term, str, bool], AbstractSet[Term]] = {}

    def values(self, node: Term, predicate: str, inverse: bool) -> AbstractSet[Term]:
        if not inverse:
            if isinstance(node, Literal):
                return _NONE
            found = self.out.get(node)
            if found is not None:
                return found.get(predicate) or _NONE
            if predicate not in self.shapes.remote:
                raise Unsupported(f"a check reads {predicate} of a node it does not focus on")
        key = (node, predicate, inverse)
        if key not in self.reads:
            self.reads[key] = self.lookup(node, predicate, inverse)
        return self.reads[key]

    def offers(self) -> dict[Subject, dict[str, set[Term]]]:
        """What other files' checks may read of this file's subjects: their values of the remote predicates."""
        remote = self.shapes.remote
        return {
            subject: {predicate: objects for predicate, objects in predicates.items() if predicate in remote}
            for subject, predicates in self.out.items()
        }

    def inverse_triples(self) -> list[tuple[Subject, str, Term]]:
        """This file's triples of the inverse paths, as (subject, predicate, object)."""
        return [
            (subject, predicate, value)
            for value, predicates in self.into.items()
            for predicate, subjects in predicates.items()
            for subject in subjects
        ]


# -- compiling shapes (an rdflib graph) into checks -------------------------------------------------------------

_NODE_SHAPE_KEYS = {"targetClass", "property", "or", "class", "message", "node", "in", "datatype", "nodeKind"}
_VALUE_KEYS = {"datatype", "pattern", "minLength", "class", "in", "nodeKind", "node", "or", "hasValue", "message"}
_PROPERTY_KEYS = _VALUE_KEYS | {"path", "minCount", "maxCount", "name", "description"}
_IGNORED = {_RDF_TYPE, "http://www.w3.org/2000/01/rdf-schema#comment", "http://www.w3.org/2000/01/rdf-schema#label"}


def compile_shapes(graph) -> CompiledShapes | None:
    """Compile an rdflib shapes graph into screen checks, or None if it uses anything the screen does not know."""
    import rdflib

    try:
        compiled = CompiledShapes()
        for shape in set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "NodeShape"))) | set(
            graph.subjects(rdflib.URIRef(SH + "targetClass"), None)
        ):
            targets = list(graph.objects(shape, rdflib.URIRef(SH + "targetClass")))
            if not targets:
                continue  # used only through sh:node: compiled where it is used
            check = _compile(graph, shape, compiled, property_shape=False, depth=0)
            for target in targets:
                compiled.by_class.setdefault(str(target), []).append(check)
        _refuse_other_targets(graph)
        return compiled
    except Unsupported:
        return None


def _refuse_other_targets(graph) -> None:
    for name in ("targetNode", "targetSubjectsOf", "targetObjectsOf", "target", "severity", "deactivated"):
        if any(True for _ in graph.triples((None, _sh(name), None))):
            raise Unsupported(name)
    import rdflib

    for kind in (rdflib.RDFS.Class, rdflib.OWL.Class):
        if any(True for _ in graph.subjects(rdflib.RDF.type, kind)):
            raise Unsupported("implicit class target")
    if any(True for _ in graph.subjects(rdflib.RDF.type, _sh("PropertyShape"))) and any(
        True for _ in graph.triples((None, _sh("targetClass"), None))
    ):
        for shape in graph.subjects(rdflib.RDF.type, _sh("PropertyShape")):
            if any(True for _ in graph.objects(shape, _sh("targetClass"))):
                raise Unsupported("targeted property shape")


def _sh(name: str):
    import rdflib

    return rdflib.URIRef(SH + name)


def _to_term(value) -> Term:
    import rdflib

    if isinstance(value, rdflib.URIRef):
        return NamedNode(str(value))
    if isinstance(value, rdflib.Literal):
        if value.language:
            return Literal(str(value), language=value.language)
        return Literal(str(value), datatype=NamedNode(str(value.datatype or _XSD + "string")))
    raise Unsupported(f"term {value!r}")


def _list(graph, head) -> list:
    import rdflib

    items = list(rdflib.collection.Collection(graph, head))
    if not items and head != rdflib.RDF.nil:
        raise Unsupported("not a list")
    return items


def _one(graph, shape, name: str):
    values = list(graph.objects(shape, _sh(name)))
    if len(values) != 1:
        raise Unsupported(f"{len(values)} values of sh:{name}")
    return values[0]


def _compile(graph, shape, compiled: CompiledShapes, *, property_shape: bool, depth: int, hops: int = 0) -> Check:
    import rdflib

    if depth > 8:
        raise Unsupported("shapes nested too deep")
    if property_shape:
        hops += 1
        compiled.hops = max(compiled.hops, hops)
    keys = set()
    for predicate in graph.predicates(shape, None):
        name = str(predicate)
        if name in _IGNORED:
            continue
        if not name.startswith(SH):
            raise Unsupported(name)
        keys.add(name[len(SH) :])
    allowed = _PROPERTY_KEYS if property_shape else _NODE_SHAPE_KEYS | _VALUE_KEYS
    if not keys <= allowed or (property_shape and "path" not in keys) or (not property_shape and "path" in keys):
        raise Unsupported(f"shape keys {sorted(keys - allowed)}")
    # a property shape's sh:hasValue asks for one value among all, not something of each value
    value_checks = _value_checks(graph, shape, keys - {"hasValue"} if property_shape else keys, compiled, depth, hops)
    if not property_shape:
        properties = [
            _compile(graph, item, compiled, property_shape=True, depth=depth + 1, hops=hops)
            for item in graph.objects(shape, _sh("property"))
        ]
        return lambda screen, node: (
            all(check(screen, node) for check in value_checks) and all(check(screen, node) for check in properties)
        )
    path = _one(graph, shape, "path")
    inverse = False
    if isinstance(path, rdflib.BNode):
        keys_of_path = set(graph.predicates(path, None))
        if keys_of_path != {_sh("inversePath")}:
            raise Unsupported("path")
        path = _one(graph, path, "inversePath")
        inverse = True
    if not isinstance(path, rdflib.URIRef):
        raise Unsupported("path")
    predicate = str(path)
    if inverse:
        compiled.inverse.add(predicate)
    elif hops > 1:  # a path followed from a value node, not from the focus node
        compiled.remote.add(predicate)
    low = int(_one(graph, shape, "minCount")) if "minCount" in keys else 0
    high = int(_one(graph, shape, "maxCount")) if "maxCount" in keys else None
    wanted = _to_term(_one(graph, shape, "hasValue")) if "hasValue" in keys else None

    def check(screen: Screen, node: Term) -> bool:
        values = screen.values(node, predicate, inverse)
        if len(values) < low or (high is not None and len(values) > high):
            return False
        if wanted is not None and wanted not in values:
            return False
        return all(value_check(screen, value) for value in values for value_check in value_checks)

    return check


def _value_checks(graph, shape, keys: set[str], compiled: CompiledShapes, depth: int, hops: int) -> list[Check]:
    checks: list[Check] = []
    for name in keys & {"datatype", "pattern", "minLength", "class", "in", "nodeKind", "node", "or", "hasValue"}:
        for value in graph.objects(shape, _sh(name)):
            checks.append(_value_check(graph, name, value, compiled, depth, hops))
    return checks


def _value_check(graph, name: str, value, compiled: CompiledShapes, depth: int, hops: int) -> Check:  # noqa: C901
    if name == "datatype":
        return _datatype_check(str(value))
    if name == "pattern":
        if any(True for _ in graph.objects(None, _sh("flags"))):
            raise Unsupported("flags")
        pattern = re.compile(str(value))
        return lambda screen, node: isinstance(node, (NamedNode, Literal)) and pattern.search(node.value) is not None
    if name == "minLength":
        least = int(value)
        return lambda screen, node: isinstance(node, (NamedNode, Literal)) and len(node.value) >= least
    if name == "class":
        iri = str(value)
        compiled.remote.add(_RDF_TYPE)
        return lambda screen, node: not isinstance(node, Literal) and screen.has_type(node, iri)
    if name == "in":
        members = {_to_term(item) for item in _list(graph, value)}
        return lambda screen, node: node in members
    if name == "nodeKind":
        kinds = {
            "IRI": (NamedNode,),
            "BlankNode": (BlankNode,),
            "Literal": (Literal,),
            "BlankNodeOrIRI": (BlankNode, NamedNode),
            "BlankNodeOrLiteral": (BlankNode, Literal),
            "IRIOrLiteral": (NamedNode, Literal),
        }.get(str(value)[len(SH) :])
        if kinds is None:
            raise Unsupported("nodeKind")
        return lambda screen, node: isinstance(node, kinds)
    if name == "node":
        return _compile(graph, value, compiled, property_shape=False, depth=depth + 1, hops=hops)
    if name == "or":
        options = [
            _compile(graph, item, compiled, property_shape=_is_property_shape(graph, item), depth=depth + 1, hops=hops)
            for item in _list(graph, value)
        ]
        return lambda screen, node: any(option(screen, node) for option in options)
    if name == "hasValue":
        term = _to_term(value)
        return lambda screen, node: node == term
    raise Unsupported(name)


def _is_property_shape(graph, shape) -> bool:
    return _sh("path") in set(graph.predicates(shape, None))


def _datatype_check(iri: str) -> Check:
    if iri in _STRING_TYPES:
        return lambda screen, node: isinstance(node, Literal) and node.datatype.value == iri
    lexical = _LEXICAL.get(iri)
    if lexical is None:
        return lambda screen, node: False  # unsure: pyshacl decides
    exact = _valid_date if iri == _XSD + "date" else None

    def check(screen: Screen, node: Term) -> bool:
        if not isinstance(node, Literal) or node.datatype.value != iri or lexical.fullmatch(node.value) is None:
            return False
        return exact is None or exact(node.value)

    return check


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def report_results(report, focus: set[str] | None) -> list:
    """The validation results of a pyshacl report about these focus nodes (all, if None), with their details.

    A result of ``sh:node`` carries the value node's own results as ``sh:detail``: those are kept with it, whatever
    their focus node, as pyshacl over every triple reports them.
    """
    import rdflib
    from rdflib.namespace import SH

    results = set(report.subjects(rdflib.RDF.type, SH.ValidationResult))
    if focus is None:
        return sorted(results)
    details = set(report.objects(None, SH.detail))
    kept = [result for result in results - details if str(report.value(result, SH.focusNode)) in focus]
    todo = list(kept)
    while todo:
        for detail in report.objects(todo.pop(), SH.detail):
            if detail not in kept:
                kept.append(detail)
                todo.append(detail)
    return sorted(kept)
