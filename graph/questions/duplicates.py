"""Groups of items that duplicate each other, within and across plans: ``find_duplicate_groups`` and
``format_duplicates``.

The duplicate-of links and the texts of recommendations and actions are read from the graph's tables
(``store.facts()``); each member carries its whole text beside its (possibly shortened) label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, cast

from ..model.nodes import Relation
from ..output import render_csv, render_json, render_table
from .owners import node_texts

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

#: (source, target) of a duplicate-of link → its (basis, quote)
Links = dict[tuple[str, str], tuple[str | None, str | None]]


@dataclass
class DuplicateMember:
    id: str
    type: str | None
    plan: str | None
    label: str | None
    status: str | None
    text: str | None = None
    """The whole text (``label`` may be shortened)."""


@dataclass
class DuplicateLink:
    source: str
    target: str
    basis: str | None
    quote: str | None


@dataclass
class DuplicateGroup:
    """Items that duplicate each other: joined by duplicate-of links (``linked``), or printing the very
    same text without such a link (``same text``)."""

    kind: str
    members: list[DuplicateMember]
    links: list[DuplicateLink]

    @property
    def plans(self) -> list[str]:
        return sorted({member.plan for member in self.members if member.plan})


def find_duplicate_groups(store: GraphStore) -> list[DuplicateGroup]:
    """Return groups of items that duplicate each other, within and across plans.

    A ``linked`` group is a connected set of duplicate-of links. A ``same text`` group is items whose text
    is identical (ignoring case and spacing) that no duplicate-of link joins: likely duplicates nobody has
    recorded. Groups are ordered by their first member's id, members by id.
    """
    links: Links = {}
    texts: dict[str, str] = {}
    facts = store.facts()
    stated = [
        (source, target, basis, quote or "", quote)
        for source, relation, target, basis, quote in facts.link_rows("source", "relation", "target", "basis", "quote")
        if relation == Relation.DUPLICATE_OF.value
    ]
    for source, target, basis, _order, quote in sorted(stated):
        links.setdefault((source, target), (basis, quote))
    for node, kind, key in facts.rows("id", "type", "text_key"):
        if key and kind in ("recommendation", "action"):
            texts.setdefault(node, key)
    row_of: dict[str, int] = {}
    for number, node in enumerate(facts.columns["id"]):
        row_of.setdefault(node, number)
    columns = facts.columns

    def member(node_id: str) -> DuplicateMember:
        number = row_of.get(node_id)
        if number is None:
            return DuplicateMember(node_id, None, None, None, None)
        return DuplicateMember(node_id, *(columns[name][number] for name in ("type", "plan", "label", "status")))

    groups = _group_duplicates(links, texts, member)
    whole = node_texts(store, (member.id for group in groups for member in group.members))
    for group in groups:
        for item in group.members:
            item.text = whole.get(item.id)
    return groups


def _group_duplicates(
    links: Links, texts: dict[str, str], member: Callable[[str], DuplicateMember]
) -> list[DuplicateGroup]:
    """Group duplicates: ``links`` maps (source, target) to (basis, quote), ``texts`` an item to its ``text_key``,
    ``member(id)`` gives a DuplicateMember."""
    component_of: dict[str, int] = {}
    components: list[set[str]] = []
    for source, target in links:  # joining components, the smaller into the larger
        first, second = component_of.get(source), component_of.get(target)
        if first is None and second is None:
            component_of[source] = component_of[target] = len(components)
            components.append({source, target})
        elif first is None or second is None:
            number = first if first is not None else cast(int, second)
            components[number].update((source, target))
            component_of[source] = component_of[target] = number
        elif first != second:
            if len(components[first]) < len(components[second]):
                first, second = second, first
            for node in components[second]:
                component_of[node] = first
            components[first] |= components[second]
            components[second] = set()
    links_of: dict[int, list[DuplicateLink]] = {}
    for (source, target), (basis, quote) in sorted(links.items()):
        links_of.setdefault(component_of[source], []).append(DuplicateLink(source, target, basis, quote))
    groups = [
        DuplicateGroup("linked", [member(node) for node in sorted(component)], links_of[number])
        for number, component in enumerate(components)
        if component
    ]
    by_text: dict[str, list[str]] = {}
    for node, key in texts.items():
        by_text.setdefault(key, []).append(node)
    for nodes in by_text.values():
        linked_groups = {component_of.get(node) for node in nodes}
        if len(nodes) > 1 and (len(linked_groups) > 1 or None in linked_groups):  # not all in one linked group already
            groups.append(DuplicateGroup("same text", [member(node) for node in sorted(nodes)], []))
    groups.sort(key=lambda group: (group.members[0].id, group.kind))
    return groups


def format_duplicates(groups: list[DuplicateGroup], output_format: str = "table", width: int | None = None) -> str:
    """Render duplicate groups as a table (one block per group), CSV (one row per member) or JSON."""
    if output_format == "json":
        return render_json([asdict(group) | {"plans": group.plans} for group in groups]) + "\n"
    if output_format == "csv":
        members = [
            [number, group.kind, member.id, member.plan, member.type, member.status, member.label, member.text]
            for number, group in enumerate(groups, start=1)
            for member in group.members
        ]
        return render_csv(["group", "kind", "id", "plan", "type", "status", "label", "text"], members)
    if not groups:
        return "No duplicates found.\n"
    rows: list = []
    for number, group in enumerate(groups, start=1):
        if rows:
            rows.append(None)
        where = (
            f"across plans {', '.join(group.plans)}"
            if len(group.plans) > 1
            else f"within {', '.join(group.plans) or 'the registries'}"
        )
        rows.append(
            f"{number}. {'joined by duplicate-of links' if group.kind == 'linked' else 'the same text, not linked'}, {where}"
        )
        for member in group.members:
            duplicate_of = ", ".join(link.target for link in group.links if link.source == member.id)
            rows.append([member.id, member.status or "", duplicate_of, member.label])
    heading = f"{len(groups)} group{'s' if len(groups) != 1 else ''} of duplicates"
    return (
        heading
        + "\n\n"
        + render_table(["item", "status", "duplicate of", "label"], rows, width, max_lines=2, spacing=False)
        + "\n"
    )
