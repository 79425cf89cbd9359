"""What the suggestions read of the store besides the items: the plans' titles and the organisations, documents and
programmes items may name (``ENTITIES``), read from the store once per contents of the store (its files and the
ontology it was built with) and kept beside the index (``STORE_FACTS``: JSON, every field checked on reading; a file
that is missing, damaged or of other contents is read again). The build's ``make_index`` writes it, so the first
``suggest`` after a build or a one-file edit reads it once.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import read_json, write_atomically
from ..questions.plans import plan_titles
from ..stores.manifest import ontology_fingerprint
from .index import FOLDER

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

ENTITIES = """SELECT ?id ?type ?label ?alternative ?parent WHERE {
  VALUES ?type { cp:Organisation cp:Document cp:Programme }
  ?e a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
  OPTIONAL { ?e skos:altLabel ?alternative }
  OPTIONAL { ?e org:subOrganizationOf|dcterms:isPartOf ?up . ?up dcterms:identifier ?parent }
}"""
STORE_FACTS = "store-facts.jsonl"  # not *.json: ``TokenIndex`` deletes the entries of earlier contents
_FACTS_FORMAT = 1
_ENTITY_COLUMNS = ("id", "type", "label", "alternative", "parent")  # the variables of ``ENTITIES``


def store_facts(store: GraphStore) -> tuple[dict[str, str], list[dict]]:
    """The plans' titles (``plan_titles``) and the rows of ``ENTITIES``: read from the store once per content of the
    store (its files and the ontology it was built with) and kept beside the index (``STORE_FACTS``: JSON, checked
    on reading; one that is missing, damaged or of other contents is read again)."""
    files, path = getattr(store, "files", None), getattr(store, "path", None)
    if not isinstance(files, dict) or not isinstance(path, Path):
        return plan_titles(store), store.select(ENTITIES)
    listing = sorted((relpath, entry.get("sha256"), entry.get("graph")) for relpath, entry in files.items())
    text = json.dumps([_FACTS_FORMAT, ontology_fingerprint(), ENTITIES, listing], ensure_ascii=False)
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    kept = path / FOLDER / STORE_FACTS
    found = _read_facts(kept, key)
    if found is not None:
        return found
    plans, rows = plan_titles(store), store.select(ENTITIES)
    listed = [[row[name] for name in _ENTITY_COLUMNS] for row in rows]
    data = json.dumps({"key": key, "plans": list(plans.items()), "entities": listed}, ensure_ascii=False)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(kept, lambda stream: stream.write(data.encode("utf-8")), sync=False)
    except OSError:
        pass  # a read-only store: read from it each time
    return plans, rows


def _read_facts(path: Path, key: str) -> tuple[dict[str, str], list[dict]] | None:
    """What ``store_facts`` kept for the contents ``key``, every field checked, or None."""
    content = read_json(path)
    if not isinstance(content, dict) or content.get("key") != key:
        return None
    plans, entities = content.get("plans"), content.get("entities")
    if not isinstance(plans, list) or not isinstance(entities, list):
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
    return dict(plans), [dict(zip(_ENTITY_COLUMNS, row, strict=True)) for row in entities]
