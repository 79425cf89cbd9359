"""Who owns an item, rolled up once: its own owners, its actions' and its updates' (latest round first), each with
where it is stated (``via``). ``find_owners`` answers for every recommendation of a plan (or of all plans),
``owners_of`` for one item; ``show``, ``mapping``, ``overdue``, the report and the matrix all read them here.

In the graph an owner is ``cp:ownedBy`` (the organisation, ``org:Organization``) and ``cp:ownerText`` (the words as
printed) on the item, an action (``cp:hasAction``) or an update (``cp:hasUpdate``, also under an action). Where a
node names organisations, its printed owners are their printed forms (a plan file writes each owner as its words and
the organisation they name); on a node that names none, the printed words are the owner, with no id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..sparql.patterns import id_of, node_term, variable
from ..sparql.text import sparql_term

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


@dataclass(frozen=True)
class RolledOwner:
    """One owner of an item: the organisation's id (None where the printed words name none), a label, and ``via``,
    the item, action or update it is stated on."""

    id: str | None
    label: str
    via: str


# Substituted variables are selected too: a SPARQL endpoint binds them by the projection. ?rank orders where an owner is stated: the item, its actions (each followed by its updates: ?order is the action's
# position, ?sub 1 for its updates), then its updates.
_OWNERS = """SELECT DISTINCT ?plan ?item ?node ?rank ?order ?sub ?date ?position ?org ?orgLabel ?text WHERE {
  ROOTS
  { ?item a ?type . BIND(?item AS ?node) BIND(0 AS ?rank) BIND(0 AS ?order) BIND(0 AS ?sub) }
  UNION { ?item cp:hasAction ?node . BIND(1 AS ?rank) BIND(0 AS ?sub) OPTIONAL { ?node cp:position ?order } }
  UNION { ?item cp:hasAction ?action . ?action cp:hasUpdate ?node . BIND(1 AS ?rank) BIND(1 AS ?sub)
          OPTIONAL { ?action cp:position ?order } }
  UNION { ?item cp:hasUpdate ?node . BIND(2 AS ?rank) BIND(0 AS ?order) BIND(0 AS ?sub) }
  { ?node cp:ownedBy ?org . OPTIONAL { ?org rdfs:label ?orgLabel } } UNION { ?node cp:ownerText ?text }
  OPTIONAL { ?node dcterms:date ?date }
  OPTIONAL { ?node cp:position ?position }
}"""
_ROOTS_OF_PLAN = "?item a ?kind ; cp:inPlan ?plan . FILTER(?kind IN (cp:Recommendation, cp:Action))"
_ROOTS_ALL = "?item a ?kind . FILTER(?kind IN (cp:Recommendation, cp:Action))"


def find_owners(
    store: GraphStore, plan: str | None = None, items: Iterable[str] | None = None
) -> dict[str, list[RolledOwner]]:
    """Return every recommendation's and action's rolled-up owners (of ``plan``'s, or of all plans'), by its id;
    with ``items``, of those items only (what a question that found a few items asks: it costs what they cost).

    Items with no owner anywhere are left out.
    """
    if items is not None:
        wanted = sorted(set(items))
        if not wanted:
            return {}
        values = " ".join(sparql_term(node_term(item)) for item in wanted)
        rows = store.select(_OWNERS.replace("ROOTS", f"VALUES ?item {{ {values} }}"))
    elif plan is None:
        rows = store.select(_OWNERS.replace("ROOTS", _ROOTS_ALL))
    else:
        rows = store.select(_OWNERS.replace("ROOTS", _ROOTS_OF_PLAN), {variable("plan"): node_term(plan)})
    return _roll_up(rows)


def owners_of(store: GraphStore, item: str) -> list[RolledOwner]:
    """Return one item's owners rolled up from the item, its actions and its updates (latest round first)."""
    rows = store.select(_OWNERS.replace("ROOTS", ""), {variable("item"): node_term(item)})
    for row in rows:
        row["item"] = node_term(item).value
    return _roll_up(rows).get(item, [])


def owner_labels(owners: list[RolledOwner], ids: bool = False) -> str:
    """Return owners as one cell: labels (or, with ``ids``, organisation ids where there is one, for a narrow
    terminal column) joined by "; ", each once, in roll-up order."""
    return "; ".join(dict.fromkeys((owner.id or owner.label) if ids else owner.label for owner in owners))


def _roll_up(rows: list[dict]) -> dict[str, list[RolledOwner]]:
    by_item: dict[str, dict[str, dict]] = {}  # item -> stated-on node -> {key, orgs, texts}
    for row in rows:
        item, node = id_of(row["item"]), id_of(row["node"])
        stated = by_item.setdefault(item, {}).setdefault(
            node,
            {
                # own first; then actions in plan order, each followed by its updates; then updates; latest round first
                "key": (
                    int(row["rank"]),
                    int(row["order"] or 0),
                    int(row["sub"]),
                    _descending(row["date"]),
                    -int(row["position"] or 0),
                    node,
                ),
                "orgs": {},
                "texts": [],
            },
        )
        if row["org"] is not None:
            stated["orgs"][id_of(row["org"])] = row["orgLabel"] or id_of(row["org"])
        if row["text"] is not None and row["text"] not in stated["texts"]:
            stated["texts"].append(row["text"])
    rolled: dict[str, list[RolledOwner]] = {}
    for item, nodes in by_item.items():
        owners: list[RolledOwner] = []
        seen: set[str] = set()
        for node, stated in sorted(nodes.items(), key=lambda pair: pair[1]["key"]):
            found = [RolledOwner(org, label, node) for org, label in sorted(stated["orgs"].items())]
            if not stated["orgs"]:
                found += [RolledOwner(None, text, node) for text in sorted(stated["texts"])]
            for owner in found:
                key = owner.id or owner.label.casefold()
                if key not in seen:
                    seen.add(key)
                    owners.append(owner)
        rolled[item] = owners
    return rolled


def _descending(date: str | None) -> tuple:
    """Sort key putting later dates first and undated last."""
    return (0, tuple(-ord(c) for c in date)) if date else (1, ())


def node_texts(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """Return the whole text of each of the given nodes that has one (its label may be shortened), by its id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    values = " ".join(sparql_term(node_term(node)) for node in wanted)
    query = f"SELECT ?node ?text WHERE {{ VALUES ?node {{ {values} }} ?node cp:text ?text }}"
    return {id_of(row["node"]): row["text"] for row in store.select(query)}
