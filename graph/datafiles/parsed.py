"""What reading one data file yields (a ParsedFile: nodes, links, references) and the data directory's layout.

The lowest module of the data-file reading: the reader fills these types, the loader checks them across files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem
from ..model.nodes import Link, Location, Node

REGISTRY_FILES = ("organisations.yaml", "documents.yaml", "programmes.yaml")
PLANS_DIR = "plans"
SOURCES_DIR = "sources"


@dataclass(frozen=True)
class Reference:
    """A reference from one place in the data to a global id, expected to be one of some node types."""

    location: Location
    target: str
    expected: tuple[str, ...]  # NodeType values; empty means any node
    field: str


@dataclass
class ParsedFile:
    """What one data file defines: its nodes and links, the references it makes, and its problems."""

    relpath: str
    kind: str  # "plan" or a registry name
    graph: str  # the named graph's local name: the plan id or the registry name
    nodes: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source_document: str | None = None  # a plan's source document id
    unreadable: bool = False  # the YAML could not be parsed at all, so its ids are unknown
