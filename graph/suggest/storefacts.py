"""What the suggestions read of the store besides the items: the plans' titles and the organisations, documents and
programmes items may name (``ENTITIES``), read from the store once per contents of the store (its files and the
ontology it was built with) and kept beside the index (``STORE_FACTS``: JSON, every field checked on reading; a file
that is missing, damaged or of other contents is read again). The build's ``make_index`` writes it, so the first
``suggest`` after a build or a one-file edit reads it once.

What a data file can change is kept apart, so that a one-file edit reads only what it can change. The entities are
those of the registries (a plan file defines plans, their items and links, never an organisation, document or
programme, nor a name or part of one): they are kept for the registries' contents and the ontology. Each plan's
title is its own file's (a plan file's graph is named by the plan it defines): after an edit of some plan files only
their plans' titles are read again (by id), the others' kept. A run reads the file once (a copy kept in memory for
the store opened, checked against the file's size, time and inode).
"""

from __future__ import annotations

import hashlib
import json
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import file_identity, read_json, write_atomically
from ..output import sorted_rows
from ..questions.plans import plan_titles
from ..stores.manifest import ontology_fingerprint
from .index import FOLDER, plan_files

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

ENTITIES = """SELECT ?id ?type ?label ?alternative ?parent WHERE {
  VALUES ?type { cp:Organisation cp:Document cp:Programme }
  ?e a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
  OPTIONAL { ?e skos:altLabel ?alternative }
  OPTIONAL { ?e org:subOrganizationOf|dcterms:isPartOf ?up . ?up dcterms:identifier ?parent }
}"""
# some plans' titles (``VALUES`` replaced by their ids): the rows ``plan_titles`` reads of them
_SOME_PLANS = "SELECT ?id ?title WHERE { VALUES ?plan a cp:Plan ; dcterms:identifier ?id ; rdfs:label ?title }"
STORE_FACTS = "store-facts.jsonl"  # not *.json: ``TokenIndex`` deletes the entries of earlier contents
_FACTS_FORMAT = 2
_ENTITY_COLUMNS = ("id", "type", "label", "alternative", "parent")  # the variables of ``ENTITIES``
_FEW = 8  # at most this many plan files changed: their titles are read by id, else every plan's

Facts = tuple[dict[str, str], list[dict]]
# what this process read or wrote for a store: (the file's stat, the registries' key, the plan files, the facts)
_READ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def store_facts(store: GraphStore) -> Facts:
    """The plans' titles (``plan_titles``) and the rows of ``ENTITIES``: read from the store once per content of the
    store (its files and the ontology it was built with) and kept beside the index (``STORE_FACTS``: JSON, checked
    on reading; one that is missing, damaged or of other contents is read again, after an edit of a few plan files
    only their titles)."""
    files, path = getattr(store, "files", None), getattr(store, "path", None)
    if not isinstance(files, dict) or not isinstance(path, Path):
        return plan_titles(store), store.select(ENTITIES)
    kept = path / FOLDER / STORE_FACTS
    plan_listing = {relpath: [sha, plan] for plan, found in plan_files(files).items() for relpath, sha in found}
    registries = [
        (relpath, entry.get("sha256"), entry.get("graph"))
        for relpath, entry in files.items()
        if relpath not in plan_listing
    ]
    text = json.dumps([_FACTS_FORMAT, ontology_fingerprint(), ENTITIES, sorted(registries)], ensure_ascii=False)
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stat = file_identity(kept)
    try:
        memo = _READ.get(store)
    except TypeError:  # a store that cannot be weakly referred to: the file is read each time
        memo = None
    if memo is not None and memo[0] == stat and memo[1] == key and memo[2] == plan_listing:
        return memo[3]
    found = _read_facts(kept, key)
    if found is not None and found[0] == plan_listing:
        facts = found[1]
    else:
        facts = _read_again(store, found, plan_listing)
        data = json.dumps(
            {
                "key": key,
                "files": sorted([relpath, *pair] for relpath, pair in plan_listing.items()),
                "plans": list(facts[0].items()),
                "entities": [[row[name] for name in _ENTITY_COLUMNS] for row in facts[1]],
            },
            ensure_ascii=False,
        )
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(kept, lambda stream: stream.write(data.encode("utf-8")), sync=False)
        except OSError:
            pass  # a read-only store: read from it each time
        stat = file_identity(kept)
    try:
        _READ[store] = (stat, key, plan_listing, facts)
    except TypeError:
        pass
    return facts


def _read_again(store: GraphStore, found: tuple[dict, Facts] | None, listing: dict[str, list]) -> Facts:
    """The facts of the store's contents: those kept for the same registries (``found``: the plan files they were
    kept for, and them) with the titles of the plans whose files changed read again; else all read again."""
    if found is None:
        return plan_titles(store), store.select(ENTITIES)
    before, (titles, rows) = found
    changed = {relpath for relpath in before.keys() | listing.keys() if before.get(relpath) != listing.get(relpath)}
    if len(changed) > _FEW:
        return plan_titles(store), rows
    gone = {before[relpath][1] for relpath in changed if relpath in before}
    wanted = sorted({listing[relpath][1] for relpath in changed if relpath in listing})
    read = (
        store.select(_SOME_PLANS.replace("VALUES", "VALUES ?id { " + " ".join(map(json.dumps, wanted)) + " }", 1))
        if wanted
        else []
    )
    if len({row["id"] for row in read}) != len(read) or not {row["id"] for row in read} <= set(wanted):
        return plan_titles(store), rows  # not one title per plan: as ``plan_titles`` reads them
    kept = [{"id": plan, "title": title} for plan, title in titles.items() if plan not in gone]
    return {row["id"]: row["title"] for row in sorted_rows(kept + read, "id")}, rows


def _read_facts(path: Path, key: str) -> tuple[dict[str, list], Facts] | None:
    """What ``store_facts`` kept for the registries' contents ``key`` (the plan files it was kept for, and the facts),
    every field checked, or None."""
    content = read_json(path)
    if not isinstance(content, dict) or content.get("key") != key:
        return None
    listed, plans, entities = content.get("files"), content.get("plans"), content.get("entities")
    if not isinstance(listed, list) or not isinstance(plans, list) or not isinstance(entities, list):
        return None
    if not all(isinstance(row, list) and len(row) == 3 and all(type(v) is str for v in row) for row in listed):
        return None
    if not all(isinstance(pair, list) and len(pair) == 2 and all(type(v) is str for v in pair) for pair in plans):
        return None
    if not all(
        isinstance(row, list)
        and len(row) == len(_ENTITY_COLUMNS)
        and all(type(value) is str for value in row[:3])
        and all(value is None or type(value) is str for value in row[3:])
        for row in entities
    ):
        return None
    files = {relpath: [sha, plan] for relpath, sha, plan in listed}
    if len(files) != len(listed):
        return None
    return files, (dict(plans), [dict(zip(_ENTITY_COLUMNS, row, strict=True)) for row in entities])
