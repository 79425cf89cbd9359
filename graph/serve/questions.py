"""The questions as the server asks them: a small registry mapping a name to its fields, its finder and its formatter.

Each entry calls the same library functions as the command of the same name (``crossplan mapping`` …), and its
JSON is exactly that command's ``--format json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from ..errors import CrossplanError
from ..questions.duplicates import find_duplicate_groups, format_duplicates
from ..questions.gaps import find_gaps, format_gaps
from ..questions.mapping import find_mapping, format_mapping
from ..questions.network import IMPACT_RELATIONS, find_impact, find_paths, format_impact, format_paths
from ..questions.overdue import find_overdue, format_overdue
from ..questions.show import describe_node, format_node
from ..text import did_you_mean

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore


@dataclass(frozen=True)
class Field:
    """One input of a question's form (and query-string parameter of its URL)."""

    name: str
    label: str
    kind: str = "text"  # text, number, date, plan, node or a choice
    required: bool = False
    default: str = ""
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Question:
    """A question: its title, what it asks for, and how it is answered (returning the command's JSON text)."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    answer: Callable[[GraphStore, dict], str]


@overload
def _integer(arguments: dict, name: str, default: int, minimum: int = 1) -> int: ...


@overload
def _integer(arguments: dict, name: str, default: None, minimum: int = 1) -> int | None: ...


def _integer(arguments: dict, name: str, default: int | None, minimum: int = 1) -> int | None:
    text = (arguments.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise CrossplanError(f"{name} must be a whole number, not '{text}'") from None
    if value < minimum:
        raise CrossplanError(f"{name} must be at least {minimum}")
    return value


def _optional(arguments: dict, name: str) -> str | None:
    return (arguments.get(name) or "").strip() or None


QUESTIONS: dict[str, Question] = {
    question.name: question
    for question in (
        Question(
            "show",
            "Show a node",
            "Everything about one node: text, plan, status, owners, dates, actions, updates and links.",
            (
                Field(
                    "id",
                    "Node id",
                    "node",
                    True,
                    hint="a global id such as hmip-resettlement/r6, or a short one such as r6",
                ),
            ),
            lambda store, a: format_node(describe_node(store, a["id"].strip()), "json"),
        ),
        Question(
            "mapping",
            "Mapping between two plans",
            "How one plan's recommendations map onto another plan's workstreams and recommendations.",
            (Field("from", "From plan", "plan", True), Field("to", "To plan", "plan", True)),
            lambda store, a: format_mapping(find_mapping(store, a["from"].strip(), a["to"].strip()), "json"),
        ),
        Question(
            "impact",
            "Impact of an item",
            "What an item feeds into (downstream), or what feeds it (upstream), transitively.",
            (
                Field("id", "Item id", "node", True),
                Field("direction", "Direction", "choice", False, "downstream", ("downstream", "upstream")),
                Field("depth", "Depth", "number", hint="follow at most this many links (empty: no limit)"),
            ),
            lambda store, a: format_impact(
                find_impact(
                    store,
                    a["id"].strip(),
                    a.get("direction") or "downstream",
                    _integer(a, "depth", None),
                    IMPACT_RELATIONS,
                ),
                "json",
            ),
        ),
        Question(
            "path",
            "Paths between two nodes",
            "The chains of links that connect two nodes, shortest first.",
            (
                Field("a", "From node", "node", True),
                Field("b", "To node", "node", True),
                Field("max_length", "Longest chain", "number", default="6"),
                Field("limit", "Most chains", "number", default="10"),
            ),
            lambda store, a: format_paths(
                find_paths(
                    store, a["a"].strip(), a["b"].strip(), _integer(a, "max_length", 6), _integer(a, "limit", 10)
                ),
                "json",
            ),
        ),
        Question(
            "overdue",
            "Overdue items",
            "Items whose target date has passed without a complete status.",
            (Field("as_of", "As of", "date", hint="the day to judge by (empty: today)"), Field("plan", "Plan", "plan")),
            lambda store, a: format_overdue(find_overdue(store, _optional(a, "as_of"), _optional(a, "plan")), "json"),
        ),
        Question(
            "gaps",
            "Gaps",
            "Items with no owner, no date or no link where one is expected.",
            (Field("plan", "Plan", "plan"),),
            lambda store, a: format_gaps(find_gaps(store, _optional(a, "plan")), "json"),
        ),
        Question(
            "duplicates",
            "Duplicate groups",
            "Groups of items across plans that say the same thing.",
            (),
            lambda store, a: format_duplicates(find_duplicate_groups(store), "json"),
        ),
    )
}


BOUNDS = {"max_length": 12, "limit": 1000, "depth": 50}
"""Largest value of a numeric parameter, by name, for every question that takes it: a path of 40 links or a
million chains is an enumeration that never ends, not a question."""


def check_arguments(question: Question, arguments: dict) -> None:
    """Refuse a parameter the question does not take (naming it, with a did-you-mean) or a number past its bound."""
    names = [field.name for field in question.fields]
    for name in arguments:
        if name not in names:
            takes = ", ".join(names) or "no parameters"
            raise CrossplanError(
                f"unknown parameter '{name}'{did_you_mean(name, names)} ({question.name} takes: {takes})"
            )
    for field in question.fields:
        text = (arguments.get(field.name) or "").strip()
        if field.kind != "number" or not text:
            continue
        if not text.lstrip("-").isdigit():
            raise CrossplanError(f"{field.name} must be a whole number, not '{text[:40]}'")
        bound = BOUNDS.get(field.name)
        if bound is not None and int(text) > bound:
            raise CrossplanError(f"{field.name} must be at most {bound} (asked: {int(text)})")


def missing_fields(question: Question, arguments: dict) -> list[Field]:
    """Return the required fields a request left empty."""
    return [field for field in question.fields if field.required and not (arguments.get(field.name) or "").strip()]
