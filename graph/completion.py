"""Words for shell completion: plan ids, node ids and saved-query names, read from the store.

Completion runs on every <Tab>, so it never builds a store from scratch, never prints, and answers nothing
rather than fail: a data directory with errors or no store yet simply completes nothing.
"""

from __future__ import annotations

from pathlib import Path

from .questions.query import saved_queries
from .stores.embedded import open_store

_PLANS = "SELECT ?id WHERE { ?plan a cp:Plan ; dcterms:identifier ?id }"
_NODES = "SELECT ?id WHERE { ?node dcterms:identifier ?id }"
_MOST = 200


def complete_saved_queries(prefix: str) -> list[str]:
    """Return the names of saved queries starting with ``prefix``."""
    return [query.name for query in saved_queries() if query.name.startswith(prefix)]


def complete_ids(
    prefix: str, data_dir: Path | None = None, store_path: Path | None = None, plans_only: bool = False
) -> list[str]:
    """Return plan ids (``plans_only``) or node ids starting with ``prefix``, global or short (``r6``), at most 200.

    A short id (the part after the plan's ``/``) is offered when exactly one node has it.
    """
    try:
        store = open_store(data_dir, store_path)
        ids = [row["id"] for row in store.select(_PLANS if plans_only else _NODES)]
    except Exception:  # noqa: BLE001 - completion must never break the shell; the command itself will explain
        return []
    short: dict[str, int] = {}
    for global_id in ids:
        if "/" in global_id:
            local = global_id.rsplit("/", 1)[1]
            short[local] = short.get(local, 0) + 1
    words = {global_id for global_id in ids if global_id.startswith(prefix)}
    words |= {local for local, count in short.items() if count == 1 and local.startswith(prefix)}
    return sorted(words)[:_MOST]
