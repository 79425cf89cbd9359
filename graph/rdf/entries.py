"""One data file's validation entry (``checkcache``) and its JSON form, checked field by field on reading.

The JSON is compact: a path equal to the file's own (as problems show it) is written ``null``, a node's place among
its file's nodes is its place in the list, a node a quote check read that is the file's own first definition is
``true``, and terms are short strings (``encode``). Anything that is not what this version writes makes
``read_entry`` return None: the file is read again, never trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from ..datafiles.parsed import ParsedFile, Reference
from ..errors import Problem
from ..files import read_json
from ..model.nodes import Location
from ..model.vocabulary import ID_BASE
from .quotes import NodeFacts
from .shapecheck import FileScreen, Term, Unsupported

ENTRY_FORMAT = 2
_ONTOLOGY = "https://w3id.org/crossplan/ontology#"
_ORG = "http://www.w3.org/ns/org#"
_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass
class FileEntry:
    """One file's results and what it shares with the others (see ``checkcache``)."""

    relpath: str
    key: str
    shown: str  # the file's path as its problems show it
    unreadable: bool
    problems: list[Problem]
    nodes: list[tuple[str, NodeFacts]]  # id and facts of every node it defines, in order
    references: list[Reference]
    quotes: dict[str, Any] | None = None  # problems; nodes: id -> facts read (True: its own); texts: doc -> digest
    remote: list[str] | None = None  # the predicates a shape reads of a node other than its focus
    offers: dict[str, list[list[str]]] | None = None  # subject -> values of each remote predicate (sorted)
    inverse: dict[str, list[list[str]]] | None = None  # predicate -> [object, subject] of the inverse-path triples
    subclass: bool = False
    screen: dict[str, Any] | None = None  # suspects; reads: ">predicate" or "^predicate" (inverse) -> node -> values
    parsed: ParsedFile | None = field(default=None, repr=False)
    file_screen: FileScreen | None = field(default=None, repr=False)
    dirty: bool = False
    sha256: str = ""  # of the content the results are about (not written: the key names it)

    def own_facts(self) -> dict[str, NodeFacts]:
        """The first definition in this file of each id it defines."""
        own: dict[str, NodeFacts] = {}
        for node_id, facts in self.nodes:
            own.setdefault(node_id, facts)
        return own

    def to_json(self) -> str:
        shown = self.shown

        def path(value: str) -> str | None:
            return None if value == shown else value

        content = {
            "format": ENTRY_FORMAT,
            "relpath": self.relpath,
            "key": self.key,
            "unreadable": self.unreadable,
            "problems": [[problem.path, problem.line, problem.message] for problem in self.problems],
            "nodes": [[node_id, *facts[:4], path(facts.path), facts.line] for node_id, facts in self.nodes],
            "references": _grouped(self.references, shown),
            "quotes": self.quotes,
            "remote": self.remote,
            "offers": self.offers,
            "inverse": self.inverse,
            "subclass": self.subclass,
            "screen": self.screen,
        }
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False)


def _grouped(references: list[Reference], shown: str) -> list:
    """References as [field, expected types, [[line, target, path or null], ...]] (their order does not matter)."""
    groups: dict[tuple[str, tuple[str, ...]], list] = {}
    for ref in references:
        path = None if ref.location.path == shown else ref.location.path
        groups.setdefault((ref.field, ref.expected), []).append([ref.location.line, ref.target, path])
    return [[name, list(expected), places] for (name, expected), places in groups.items()]


def encode(term: Term) -> str:
    """A term as a short string: ``#id``, ``%ontology-term``, ``&org-term``, ``<iri``, ``_blank``, ``"string``, ``@lang value`` or
    ``^datatype value``.

    >>> encode(NamedNode("https://w3id.org/crossplan/id/hmip"))
    '#hmip'
    """
    if isinstance(term, NamedNode):
        iri = term.value
        if iri.startswith(ID_BASE):
            return "#" + iri[len(ID_BASE) :]
        if iri.startswith(_ONTOLOGY):
            return "%" + iri[len(_ONTOLOGY) :]
        if iri.startswith(_ORG):
            return "&" + iri[len(_ORG) :]
        return "<" + iri
    if isinstance(term, BlankNode):
        return "_" + term.value
    if isinstance(term, Literal):
        if term.language:
            return f"@{term.language} {term.value}"
        if term.datatype.value == _STRING:
            return '"' + term.value
        return f"^{term.datatype.value} {term.value}"
    raise Unsupported("a quoted triple")


@lru_cache(maxsize=1 << 16)
def decode(text: str) -> Term:
    """The term ``encode`` wrote.

    >>> str(decode(encode(Literal("2024-05", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")))))
    '"2024-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    tag, rest = text[0], text[1:]
    if tag == "#":
        return NamedNode(ID_BASE + rest)
    if tag == "%":
        return NamedNode(_ONTOLOGY + rest)
    if tag == "&":
        return NamedNode(_ORG + rest)
    if tag == "<":
        return NamedNode(rest)
    if tag == "_":
        return BlankNode(rest)
    if tag == '"':
        return Literal(rest)
    head, _, value = rest.partition(" ")
    if tag == "@":
        return Literal(value, language=head)
    if tag == "^":
        return Literal(value, datatype=NamedNode(head))
    raise ValueError(f"not an encoded term: {text!r}")


# -- reading, every field checked ----------------------------------------------------------------------------------


def read_entry(path: Path, relpath: str, key: str, shown: str) -> FileEntry | None:
    """Return a file's entry if this version wrote it for this content (every field checked), else None."""
    try:
        return _entry_of(read_json(path), relpath, key, shown)
    except (OSError, ValueError, RecursionError, TypeError, KeyError, IndexError, AttributeError):
        return None


def _expect(condition: bool) -> None:
    if not condition:
        raise ValueError("not an entry this version wrote")


def _strings(value: Any) -> list[str]:
    _expect(type(value) is list and all(type(item) is str for item in value))
    return value


def _optional(*values: Any) -> None:
    _expect(all(value is None or type(value) is str for value in values))


def _problems(value: Any) -> list[Problem]:
    _expect(type(value) is list)
    found = []
    for path, line, message in value:
        _expect(type(path) is str and type(line) is int and type(message) is str)
        found.append(Problem(path, line, message))
    return found


def _facts(value: Any) -> NodeFacts:
    kind, plan, source, source_file, path, line, ordinal = value
    _optional(plan, source, source_file)
    _expect(type(kind) is str and type(path) is str and type(line) is int and type(ordinal) is int)
    return NodeFacts(kind, plan, source, source_file, path, line, ordinal)


def _entry_of(content: Any, relpath: str, key: str, shown: str) -> FileEntry:
    _expect(type(content) is dict and content.get("format") == ENTRY_FORMAT)
    _expect(content["relpath"] == relpath and content["key"] == key and type(content["unreadable"]) is bool)
    nodes = []
    for ordinal, (node_id, kind, plan, source, source_file, path, line) in enumerate(content["nodes"]):
        _optional(plan, source, source_file, path)
        _expect(type(node_id) is str and type(kind) is str and type(line) is int)
        nodes.append((node_id, NodeFacts(kind, plan, source, source_file, path or shown, line, ordinal)))
    references = []
    _expect(type(content["references"]) is list)
    for name, expected, places in content["references"]:
        _expect(type(name) is str and type(places) is list)
        kinds = tuple(_strings(expected))
        for line, target, path in places:
            _optional(path)
            _expect(type(line) is int and type(target) is str)
            references.append(Reference(Location(path or shown, line), target, kinds, name))
    entry = FileEntry(relpath, key, shown, content["unreadable"], _problems(content["problems"]), nodes, references)
    entry.quotes = _quotes(content["quotes"])
    remote, offers, inverse, subclass = content["remote"], content["offers"], content["inverse"], content["subclass"]
    if remote is not None or offers is not None or inverse is not None:
        _strings(remote)
        _expect(type(offers) is dict and type(subclass) is bool)
        width = len(remote)
        for values in offers.values():
            _expect(type(values) is list and len(values) == width)
            for column in values:
                _strings(column)
        _expect(type(inverse) is dict)
        for pairs in inverse.values():
            _expect(type(pairs) is list)
            for pair in pairs:
                _expect(len(_strings(pair)) == 2)
        entry.remote, entry.offers, entry.inverse, entry.subclass = remote, offers, inverse, subclass
        entry.screen = _screen(content["screen"])
    return entry


def _quotes(quotes: Any) -> dict[str, Any] | None:
    if quotes is None:
        return None
    _expect(type(quotes) is dict and set(quotes) == {"problems", "nodes", "texts"})
    _problems(quotes["problems"])
    _expect(type(quotes["nodes"]) is dict and type(quotes["texts"]) is dict)
    for facts in quotes["nodes"].values():
        if facts is not None and facts is not True:
            _facts(facts)
    _optional(*quotes["texts"].values())
    return quotes


def _screen(screen: Any) -> dict[str, Any] | None:
    if screen is None:
        return None
    _expect(type(screen) is dict and set(screen) == {"suspects", "reads"})
    _strings(screen["suspects"])
    _expect(type(screen["reads"]) is dict)
    for key, group in screen["reads"].items():
        _expect(key[:1] in (">", "^") and type(group) is dict)
        for values in group.values():
            _strings(values)
    return screen
