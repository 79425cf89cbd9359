"""Which plan a user means: every plan's id and title, and resolving what was typed (``hmip``) to one plan.

Shared by the questions that take a plan (``mapping``, ``overdue``, ``gaps``) and by the report and suggestions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CrossplanError, UnknownIdError
from ..model.nodes import default_short_title
from ..output import sorted_rows
from ..text import did_you_mean
from .ids import resolve_id

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

_PLANS = "SELECT ?plan ?id ?title WHERE { ?plan a cp:Plan ; dcterms:identifier ?id ; rdfs:label ?title }"


def resolve_plan(store: GraphStore, text: str, plans: dict[str, str] | None = None) -> tuple[str, str]:
    """Return (plan id, title) of the plan a user means; raise CrossplanError when ``text`` names no plan.

    ``plans`` (id → title, from ``plan_titles``) saves looking the plans up again when resolving several.
    """
    plans = plans if plans is not None else plan_titles(store)
    text = text.strip()
    if text in plans:
        return text, plans[text]
    # A plan is expected: suggest a plan (a prefix such as 'hmip', then a near spelling), not any node.
    starting = [plan for plan in plans if plan.startswith(text)] if text else []
    hint = f" (did you mean '{starting[0]}'?)" if len(starting) == 1 else did_you_mean(text, plans)
    try:
        global_id = resolve_id(store, text)
    except UnknownIdError:
        raise UnknownIdError(f"no plan with id '{text}'{hint} (plans: {', '.join(plans)})") from None
    raise CrossplanError(f"'{global_id}' is not a plan (plans: {', '.join(plans)})")


_SHORT_TITLES = """SELECT ?id ?title ?short WHERE {
  ?plan a cp:Plan ; dcterms:identifier ?id ; rdfs:label ?title . OPTIONAL { ?plan cp:shortTitle ?short }
}"""


def plan_short_titles(store: GraphStore) -> dict[str, str]:
    """Return every plan's id and the name it goes by where space is short (``short-title:``, else a default)."""
    return {
        row["id"]: row["short"] or default_short_title(row["id"], row["title"])
        for row in sorted_rows(store.select(_SHORT_TITLES), "id")
    }


def plan_titles(store: GraphStore) -> dict[str, str]:
    """Return every plan's id and title."""
    return {row["id"]: row["title"] for row in sorted_rows(store.select(_PLANS), "id")}
