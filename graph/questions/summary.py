"""What a mapping between two plans comes to, counted and said in words: ``summarise`` and its ``MappingSummary``;
``count_links`` and ``say_link_counts`` count and say any node's links by class and basis.

Counts are in the unit of the question: items of the FROM plan (its recommendations; a link on an action or update
counts for its recommendation). An item counts once in ``linked``, once under each TO workstream it links to, once
under each class of relation (dependency, overlap, citation) and once under each basis its links have. The
``headline`` states those counts in one or two plain sentences and never more than they say: an overlap judged by a
curator is not called a dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model.nodes import BASIS_WORDS, LINK_CLASSES, Basis, Relation, RelationClass, relation_class
from ..sparql.patterns import node_term, spelling, variable

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


@dataclass(frozen=True)
class LinkEnd:
    """What the summary needs of one link of an item: its relation, its basis and the TO workstream it reaches."""

    relation: str
    basis: str
    workstream: str | None


@dataclass
class MappingSummary:
    """The counts of a mapping in the question's unit (items of the FROM plan) and the headline that states them.

    ``by_workstream`` has every TO workstream in plan order (0 where no item links to it); ``by_class`` counts the
    items with a link of each class, ``by_basis`` the items with a link of each basis.
    """

    items: int
    linked: int
    unlinked: int
    by_workstream: dict[str, int] = field(default_factory=dict)
    by_class: dict[str, int] = field(default_factory=dict)
    by_basis: dict[str, int] = field(default_factory=dict)
    headline: str = ""


def summarise(
    items: Sequence[Iterable[LinkEnd]],
    workstreams: Sequence[tuple[str, str]],
    from_name: str,
    to_name: str,
    noun: str = "recommendation",
) -> MappingSummary:
    """Count the items of one plan by what links them to another, and say it.

    ``items`` holds, for each FROM item, the links between it (or its parts) and the TO plan; ``workstreams`` the
    TO plan's (id, title) pairs in plan order; ``from_name`` and ``to_name`` the plans' short titles.

    >>> summary = summarise(
    ...     [[LinkEnd("related-to", "judged", "ws/a")], [], [LinkEnd("feeds-into", "explicit", "ws/b")]],
    ...     [("ws/a", "Alpha"), ("ws/b", "Beta"), ("ws/c", "Gamma")], "Plan A", "Plan B")
    >>> summary.by_class, summary.by_workstream
    ({'dependency': 1, 'overlap': 1, 'citation': 0}, {'ws/a': 1, 'ws/b': 1, 'ws/c': 0})
    >>> print(summary.headline)
    2 of 3 Plan A recommendations link to Plan B work (1 states a dependency, 1 overlaps; 1 stated in the \
documents, 1 judged by a curator): Alpha 1, Beta 1; Gamma none. The other one links to none of it.
    """
    ends = [list(links) for links in items]
    linked = [links for links in ends if links]
    summary = MappingSummary(len(ends), len(linked), len(ends) - len(linked))
    summary.by_workstream = {ws: 0 for ws, _title in workstreams}
    summary.by_class = {cls.value: 0 for cls in LINK_CLASSES}
    summary.by_basis = {basis.value: 0 for basis in Basis}
    outside = 0
    for links in linked:
        reached = {link.workstream for link in links}
        for ws in reached:
            if ws in summary.by_workstream:
                summary.by_workstream[ws] += 1
        if not reached & set(summary.by_workstream):
            outside += 1
        for cls in {relation_class(link.relation).value for link in links}:
            if cls in summary.by_class:
                summary.by_class[cls] += 1
        for basis in {link.basis for link in links}:
            summary.by_basis[basis] = summary.by_basis.get(basis, 0) + 1
    summary.headline = _headline(summary, workstreams, outside, from_name, to_name, noun)
    return summary


def _plural(number: int, singular: str, plural: str) -> str:
    return singular if number == 1 else plural


def _and_list(words: Sequence[str]) -> str:
    """Join words as a sentence lists them: ``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


_VERBS = {  # the verb phrase of an item (singular, plural) for the one class of link it has
    RelationClass.DEPENDENCY.value: ("states a dependency with {to} work", "state a dependency with {to} work"),
    RelationClass.OVERLAP.value: ("overlaps {to} work", "overlap {to} work"),
    RelationClass.CITATION.value: ("cites or is cited by {to}", "cite or are cited by {to}"),
}
_COUNTED = {  # the same, after a number, where the classes are mixed
    RelationClass.DEPENDENCY.value: ("states a dependency", "state a dependency"),
    RelationClass.OVERLAP.value: ("overlaps", "overlap"),
    RelationClass.CITATION.value: ("cites", "cite"),
}


def _headline(
    summary: MappingSummary,
    workstreams: Sequence[tuple[str, str]],
    outside: int,
    from_name: str,
    to_name: str,
    noun: str,
) -> str:
    items, linked = summary.items, summary.linked
    nouns = f"{from_name} {noun}s"
    if items == 0:
        return f"{from_name} has no {noun}s to map onto {to_name}."
    if linked == 0:
        if items == 1:
            return f"The only {from_name} {noun} does not link to {to_name} work."
        return f"None of the {items} {nouns} links to {to_name} work."
    one = linked == 1
    subject = (
        f"The only {from_name} {noun}"
        if items == 1
        else f"All {items} {nouns}"
        if linked == items
        else f"{linked} of {items} {nouns}"
    )
    classes = [cls for cls, count in summary.by_class.items() if count]
    if len(classes) == 1:
        verb = _VERBS[classes[0]][0 if one else 1].format(to=to_name)
        said: list[str] = []
    else:
        verb = _plural(linked, "links", "link") + f" to {to_name} work"
        said = [
            ", ".join(
                f"{summary.by_class[cls]} {_COUNTED[cls][0 if summary.by_class[cls] == 1 else 1]}" for cls in classes
            )
        ]
    bases = [basis for basis, count in summary.by_basis.items() if count]
    if len(bases) == 1:
        said.append(("" if one else "all ") + BASIS_WORDS.get(bases[0], bases[0]))
    else:
        said.append(", ".join(f"{summary.by_basis[basis]} {BASIS_WORDS.get(basis, basis)}" for basis in bases))
    if not summary.by_class[RelationClass.DEPENDENCY.value]:
        said.append("it states no dependency" if one else "none states a dependency")
    sentence = f"{subject} {verb} ({'; '.join(said)})"
    if workstreams:
        titles = dict(workstreams)
        reached = sorted(
            (ws for ws, count in summary.by_workstream.items() if count),
            key=lambda ws: -summary.by_workstream[ws],  # stable: plan order among equals
        )
        parts = [f"{titles[ws]} {summary.by_workstream[ws]}" for ws in reached]
        if outside:
            parts.append(f"{outside} outside its workstreams")
        untouched = [titles[ws] for ws, count in summary.by_workstream.items() if not count]
        sentence += ": " + ", ".join(parts)
        if untouched:
            sentence += f"; {_and_list(untouched)} none"
    sentence += "."
    if summary.unlinked and items > 1:
        other = "The other one links" if summary.unlinked == 1 else f"The other {summary.unlinked} link"
        sentence += f" {other} to none of it."
    return sentence


_LINKS_OF = """SELECT DISTINCT ?node ?link ?relation ?basis WHERE {
  { ?link cp:from ?node } UNION { ?link cp:to ?node }
  ?link a cp:Link ; cp:relation ?relation ; cp:basis ?basis .
}"""


def count_links(store: GraphStore, nodes: Iterable[str], leave_out: Iterable[str] = ()) -> dict[str, dict[str, int]]:
    """Count the links of some nodes by class and basis: ``{class: {basis: number}}``, classes with none left out.

    ``leave_out`` names relations not to count (those an answer already followed).
    """
    skipped = set(leave_out)
    seen: dict[str, tuple[str, str]] = {}
    for node in dict.fromkeys(nodes):
        for row in store.select(_LINKS_OF, {variable("node"): node_term(node)}):
            relation = spelling(Relation, row["relation"])
            if relation not in skipped:
                seen[row["link"]] = (relation_class(relation).value, spelling(Basis, row["basis"]) or "")
    counts: dict[str, dict[str, int]] = {}
    for cls, basis in seen.values():
        by_basis = counts.setdefault(cls, {})
        by_basis[basis] = by_basis.get(basis, 0) + 1
    return {cls.value: counts[cls.value] for cls in LINK_CLASSES if cls.value in counts}


_CLASS_NOUNS = {
    "dependency": ("dependency", "dependencies"),
    "overlap": ("overlap", "overlaps"),
    "citation": ("citation", "citations"),
}


def say_link_counts(counts: dict[str, dict[str, int]]) -> str:
    """Say link counts by class and basis: ``2 overlaps (judged by a curator), 1 citation (stated in the documents)``.

    >>> say_link_counts({"overlap": {"judged": 2}, "citation": {"explicit": 1, "suggested": 1}})
    '2 overlaps (judged by a curator), 2 citations (1 stated in the documents, 1 suggested by the tool and not yet reviewed)'
    """
    parts = []
    for cls, by_basis in counts.items():
        total = sum(by_basis.values())
        noun = _CLASS_NOUNS[cls][0 if total == 1 else 1]
        if len(by_basis) == 1:
            basis = next(iter(by_basis))
            said = BASIS_WORDS.get(basis, basis)
        else:
            said = ", ".join(f"{number} {BASIS_WORDS.get(basis, basis)}" for basis, number in by_basis.items())
        parts.append(f"{total} {noun} ({said})")
    return ", ".join(parts)
