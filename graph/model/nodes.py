"""The data model: node kinds, relations, statuses and the dataclasses the loader produces.

Each controlled term has one spelling per layer and this module holds the one table that maps them:
the YAML/CLI spelling is the enum value (``feeds-into``), the Python name is the member
(``Relation.FEEDS_INTO``) and the Turtle term is ``.term`` (``cp:feedsInto``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum

from .vocabulary import CP, node_iri

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""The form of every local id: lower-case letters, digits and single hyphens."""


@functools.cache
def _members_by_term(enum) -> dict:
    return {member.term: member for member in enum}


@functools.cache
def _spellings_by_term(enum) -> dict[str, str]:
    return {member.term: member.value for member in enum}


class _Term(Enum):
    """An enum whose value is the YAML/CLI spelling and whose ``term`` is the ontology IRI."""

    local_name: str

    def __new__(cls, spelling: str, local_name: str = ""):  # default: mypy checks the lookup Relation("x") against it
        member = object.__new__(cls)
        member._value_ = spelling
        member.local_name = local_name
        return member

    @property
    def term(self) -> str:
        return CP.iri(self.local_name)

    @property
    def spelling(self) -> str:
        return self.value

    @classmethod
    def spellings(cls) -> list[str]:
        return [member.value for member in cls]

    @classmethod
    def spellings_by_term(cls) -> dict[str, str]:
        """Return the table term IRI → YAML spelling (``cp:feedsInto`` → ``feeds-into``), made once per enum."""
        return _spellings_by_term(cls)

    @classmethod
    def from_term(cls, iri: str):
        member = _members_by_term(cls).get(iri)
        if member is None:
            raise ValueError(f"{iri} is not a {cls.__name__}")
        return member

    def __str__(self) -> str:
        return self.value


class NodeType(_Term):
    PLAN = ("plan", "Plan")
    WORKSTREAM = ("workstream", "Workstream")
    RECOMMENDATION = ("recommendation", "Recommendation")
    ACTION = ("action", "Action")
    UPDATE = ("update", "Update")
    ORGANISATION = ("organisation", "Organisation")
    DOCUMENT = ("document", "Document")
    PROGRAMME = ("programme", "Programme")


class Relation(_Term):
    DUPLICATE_OF = ("duplicate-of", "duplicateOf")
    FEEDS_INTO = ("feeds-into", "feedsInto")
    DELEGATED_TO = ("delegated-to", "delegatedTo")
    SUPERSEDES = ("supersedes", "supersedes")
    REFERENCES = ("references", "references")
    RELATED_TO = ("related-to", "relatedTo")


class StructuralRelation(_Term):
    """Links that come from an item's own fields rather than from ``links:``."""

    OWNED_BY = ("owned-by", "ownedBy")
    ADDRESSED_TO = ("addressed-to", "addressedTo")


class Status(_Term):
    COMPLETE = ("complete", "Complete")
    ONGOING = ("ongoing", "Ongoing")
    NOT_APPLICABLE = ("not-applicable", "NotApplicable")
    REMOVED = ("removed", "Removed")


class Response(_Term):
    AGREED = ("agreed", "Agreed")
    PARTLY_AGREED = ("partly-agreed", "PartlyAgreed")
    NOT_AGREED = ("not-agreed", "NotAgreed")


class Basis(_Term):
    EXPLICIT = ("explicit", "Explicit")
    JUDGED = ("judged", "Judged")
    SUGGESTED = ("suggested", "Suggested")


PLAN_ITEM_TYPES = (NodeType.WORKSTREAM, NodeType.RECOMMENDATION, NodeType.ACTION, NodeType.UPDATE)
REGISTRY_TYPES = {
    "organisations": NodeType.ORGANISATION,
    "documents": NodeType.DOCUMENT,
    "programmes": NodeType.PROGRAMME,
}


@dataclass(frozen=True)
class Location:
    """Where something is written: a file and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Owner:
    """A responsible owner as printed, and the organisation it names (if any)."""

    text: str | None
    organisation: str | None


@dataclass(frozen=True)
class TargetDate:
    """A target date as printed, and its ISO value (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) where it is a date."""

    text: str | None
    date: str | None


@dataclass
class Node:
    """One node of the graph: a plan, plan item, organisation, document or programme."""

    id: str
    type: NodeType
    label: str
    location: Location
    plan: str | None = None
    workstream: str | None = None
    parent: str | None = None
    title: str | None = None
    text: str | None = None
    text_pieces: list[str] = field(default_factory=list)  # where the source prints the text in pieces
    number: str | None = None
    position: int | None = None
    response: Response | None = None
    status: Status | None = None
    status_text: str | None = None
    timescale: str | None = None
    addressed_to: list[str] = field(default_factory=list)
    addressee_text: str | None = None
    owners: list[Owner] = field(default_factory=list)
    target_dates: list[TargetDate] = field(default_factory=list)
    date: str | None = None
    date_note: str | None = None  # how the date was read (printed, or inferred and from what)
    abbreviations: list[str] = field(default_factory=list)
    part_of: str | None = None
    publishers: list[str] = field(default_factory=list)
    url: str | None = None
    source_file: str | None = None
    licence: str | None = None
    source: str | None = None
    note: str | None = None

    @property
    def iri(self) -> str:
        return node_iri(self.id)


@dataclass
class Link:
    """A qualified dependency link, with the quote that justifies it."""

    source_id: str
    target_id: str
    relation: Relation
    basis: Basis
    quote: str
    location: Location
    target_quote: str | None = None
    document: str | None = None
    note: str | None = None
    method: str | None = None
    date: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source_id} {self.relation.value} {self.target_id}"

    @property
    def iri(self) -> str:
        """A stable IRI made from the link's ends and relation (one link per triple)."""
        digest = hashlib.sha1(self.key.encode("utf-8")).hexdigest()[:16]
        return node_iri(f"link/{digest}")


def shorten(text: str, width: int = 80) -> str:
    """Shorten text at a word boundary to at most ``width`` characters, ending with an ellipsis.

    >>> shorten("Provide central payment of accommodation retainers where necessary", 30)
    'Provide central payment of…'
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"
