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

    @property
    def relation_class(self) -> RelationClass:
        return relation_class(self.value)


class StructuralRelation(_Term):
    """Links that come from an item's own fields rather than from ``links:``."""

    OWNED_BY = ("owned-by", "ownedBy")
    ADDRESSED_TO = ("addressed-to", "addressedTo")


PART_OF = "part-of"
"""The structure between an item and what contains it (action → recommendation → workstream → plan); not a link."""


class RelationClass(Enum):
    """What a relation means for a question about work: the class every answer counts links by.

    A *dependency* says one piece of work needs, hands over to, repeats or replaces another; an *overlap* says two
    pieces of work cover the same ground and nothing more; a *citation* says one text refers to another; *structure*
    is who owns or is addressed by an item and what it is part of.
    """

    DEPENDENCY = "dependency"
    OVERLAP = "overlap"
    CITATION = "citation"
    STRUCTURE = "structure"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class RelationMeaning:
    """How a relation is said: its class, and the words for it read forward (A ``forward`` B) and backward."""

    relation_class: RelationClass
    forward: str
    backward: str


RELATION_MEANINGS: dict[str, RelationMeaning] = {
    "feeds-into": RelationMeaning(RelationClass.DEPENDENCY, "feeds into", "is fed by"),
    "delegated-to": RelationMeaning(RelationClass.DEPENDENCY, "is delegated to", "takes over from"),
    "duplicate-of": RelationMeaning(RelationClass.DEPENDENCY, "duplicates", "is duplicated by"),
    "supersedes": RelationMeaning(RelationClass.DEPENDENCY, "supersedes", "is superseded by"),
    "related-to": RelationMeaning(RelationClass.OVERLAP, "overlaps", "overlaps"),
    "references": RelationMeaning(RelationClass.CITATION, "cites", "is cited by"),
    "owned-by": RelationMeaning(RelationClass.STRUCTURE, "is owned by", "owns"),
    "addressed-to": RelationMeaning(RelationClass.STRUCTURE, "is addressed to", "is the addressee of"),
    PART_OF: RelationMeaning(RelationClass.STRUCTURE, "is part of", "contains"),
}
"""Every relation's class and words, keyed by its YAML/CLI spelling: the one place they are declared."""

LINK_CLASSES = (RelationClass.DEPENDENCY, RelationClass.OVERLAP, RelationClass.CITATION)
"""The classes a ``links:`` entry can have, in the order answers count them."""

BASIS_WORDS: dict[str, str] = {
    "explicit": "stated in the documents",
    "judged": "judged by a curator",
    "suggested": "suggested by the tool and not yet reviewed",
}
"""How each basis is said: what the link rests on."""


def relation_class(relation: str) -> RelationClass:
    """Return the class of a relation given by its spelling.

    >>> relation_class("related-to")
    <RelationClass.OVERLAP: 'overlap'>
    """
    return RELATION_MEANINGS[str(relation)].relation_class


def relation_words(relation: str, forward: bool = True) -> str:
    """Return the words a relation is said in, read from its source (``forward``) or from its target.

    >>> relation_words("feeds-into"), relation_words("feeds-into", forward=False), relation_words("related-to")
    ('feeds into', 'is fed by', 'overlaps')
    """
    meaning = RELATION_MEANINGS[str(relation)]
    return meaning.forward if forward else meaning.backward


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
    short_title: str | None = None  # a plan's name where space is short ("HMIP resettlement")
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


def default_short_title(plan_id: str, title: str | None) -> str:
    """Return the name a plan goes by where its file gives no ``short-title``: its title if short, else its id.

    A leading "The" is dropped, as the name is used after words such as "the only" and "of 17".

    >>> default_short_title("yj-blueprint", "Youth Justice Blueprint Implementation Plan")
    'yj blueprint'
    >>> default_short_title("nap", "The National Action Plan")
    'National Action Plan'
    """
    if title and len(title) <= 32:
        return re.sub(r"^the\s+", "", title, flags=re.IGNORECASE) or title
    return plan_id.replace("-", " ")


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
