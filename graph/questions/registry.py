"""Every ready-made question, declared once: its name, what it asks for, its finder and its formatter.

``crossplan <name>`` (``cli.py`` makes one command per entry: arguments, options, completion, ``--format``) and
``crossplan serve`` (``serve/questions.py``: a form, a page and its JSON per entry) both read ``QUESTIONS``; so does
the help. A new question is a module with ``find_…`` and ``format_…`` and an entry here, nothing else.

The finder and formatter are named as ``"module:function"`` within ``graph/questions`` and imported when the question
is asked (as rdflib's plugin registry does), so that ``crossplan --help`` does not load them. A finder is called as
``find(store, *values)``, one value per argument in the order declared; a formatter as ``format(answer, format)``.

>>> [question.name for question in QUESTIONS.values()]
['show', 'mapping', 'impact', 'path', 'overdue', 'gaps', 'duplicates', 'stats']
>>> QUESTIONS["path"].values({"a": "r1", "b": " r2 ", "limit": "3"})
['r1', 'r2', 6, 3]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..stores.protocol import GraphStore

KINDS = ("text", "number", "date", "plan", "node", "choice")
"""What an argument holds: free text, a whole number (1 or more), a day, a plan id, a node id, one of ``choices``."""


class Argument(NamedTuple):
    """One input of a question: a command-line argument or option, and a field (URL parameter) of the server's form.

    ``name`` is the field's name and, with dashes, the option's (``max_length`` → ``--max-length``); a
    ``positional`` one is a command-line argument named by ``metavar``. A ``choice`` with ``flags`` is one flag per
    choice on the command line (``--downstream``, ``--upstream``, each with its ``flag_help``). A ``multiple`` one is
    repeatable on the command line and not on the form, where it keeps its empty default.
    """

    name: str
    label: str
    help: str = ""
    kind: str = "text"
    required: bool = False
    default: str = ""
    choices: tuple[str, ...] = ()
    positional: bool = False
    metavar: str = ""
    flags: bool = False
    flag_help: tuple[str, ...] = ()
    multiple: bool = False

    @property
    def hint(self) -> str:
        """The form's hint under the field: the help."""
        return self.help

    @property
    def on_form(self) -> bool:
        return not self.multiple

    def value(self, text: str | None) -> Any:
        """Return the value a form's text stands for (the default where it is empty), checked for its kind."""
        from ..errors import CrossplanError  # here, not at the top: `crossplan --help` reads this registry

        text = (text or "").strip() or self.default
        if self.multiple:
            return ()
        if not text:
            return None
        if self.kind == "number":
            try:
                number = int(text)
            except ValueError:
                raise CrossplanError(f"{self.name} must be a whole number, not '{text}'") from None
            if number < 1:
                raise CrossplanError(f"{self.name} must be at least 1")
            return number
        if self.kind == "choice" and text not in self.choices:
            raise CrossplanError(f"{self.name} must be one of {', '.join(self.choices)}, not '{text}'")
        return text


class Question(NamedTuple):
    """A ready-made question: ``description`` is one sentence, the command's help and the page's introduction."""

    name: str
    title: str
    description: str
    arguments: tuple[Argument, ...]
    finder: str
    formatter: str
    formats: tuple[str, ...] = ("table", "csv", "json")

    @property
    def fields(self) -> tuple[Argument, ...]:
        """The arguments the server's form asks for."""
        return tuple(argument for argument in self.arguments if argument.on_form)

    def values(self, arguments: dict[str, str]) -> list[Any]:
        """Return the finder's values from a form's texts (``name`` → text)."""
        return [argument.value(arguments.get(argument.name)) for argument in self.arguments]

    def find(self, store: GraphStore, *values: Any) -> Any:
        """Ask the question of a store, one value per argument."""
        return _named(self.finder)(store, *values)

    def format(self, answer: Any, output_format: str) -> str:
        """Render an answer in one of ``formats``."""
        return _named(self.formatter)(answer, output_format)

    def answer(self, store: GraphStore, arguments: dict[str, str]) -> str:
        """Return the answer to a form's texts as the command's ``--format json`` prints it."""
        return self.format(self.find(store, *self.values(arguments)), "json")


def _named(reference: str) -> Callable[..., Any]:
    module, name = reference.split(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


_NODE_HINT = "a global id such as hmip-resettlement/r6, or a short one such as r6"

QUESTIONS: dict[str, Question] = {
    question.name: question
    for question in (
        Question(
            "show",
            "Show a node",
            "Show everything about one node: text, plan, status, owners, dates, actions, updates and links.",
            (Argument("id", "Node id", _NODE_HINT, "node", True, positional=True, metavar="ID"),),
            "show:describe_node",
            "show:format_node",
        ),
        Question(
            "mapping",
            "Mapping between two plans",
            "Show how one plan's recommendations map onto another plan's workstreams and recommendations.",
            (
                Argument("from", "From plan", kind="plan", required=True, positional=True, metavar="FROM_PLAN"),
                Argument("to", "To plan", kind="plan", required=True, positional=True, metavar="TO_PLAN"),
            ),
            "mapping:find_mapping",
            "mapping:format_mapping",
        ),
        Question(
            "impact",
            "Impact of an item",
            "Show what an item feeds into, or is fed by, transitively.",
            (
                Argument("id", "Item id", _NODE_HINT, "node", True, positional=True, metavar="ID"),
                Argument(
                    "direction",
                    "Direction",
                    kind="choice",
                    default="downstream",
                    choices=("downstream", "upstream"),
                    flags=True,
                    flag_help=("What the item feeds into (default).", "What feeds the item."),
                ),
                Argument("depth", "Depth", "Follow at most N links (default: no limit).", "number", metavar="N"),
                Argument(
                    "relation",
                    "Relation",
                    "Follow this relation (repeatable; default: feeds-into and delegated-to).",
                    metavar="RELATION",
                    multiple=True,
                ),
            ),
            "network:find_impact",
            "network:format_impact",
        ),
        Question(
            "path",
            "Paths between two nodes",
            "Show the chains of links that connect two nodes, shortest first.",
            (
                Argument("a", "From node", _NODE_HINT, "node", True, positional=True, metavar="A"),
                Argument("b", "To node", _NODE_HINT, "node", True, positional=True, metavar="B"),
                Argument("max_length", "Longest chain", "Longest chain, in links.", "number", default="6"),
                Argument("limit", "Most chains", "Most chains to show.", "number", default="10"),
            ),
            "network:find_paths",
            "network:format_paths",
        ),
        Question(
            "overdue",
            "Overdue items",
            "List items whose target date has passed without a complete status.",
            (
                Argument("as_of", "As of", "The day to judge by (default: today).", "date", metavar="YYYY-MM-DD"),
                Argument("plan", "Plan", "Only this plan.", "plan", metavar="ID"),
            ),
            "overdue:find_overdue",
            "overdue:format_overdue",
        ),
        Question(
            "gaps",
            "Gaps",
            "List recommendations without an owner, a target date, or any action or link.",
            (Argument("plan", "Plan", "Only this plan.", "plan", metavar="ID"),),
            "gaps:find_gaps",
            "gaps:format_gaps",
        ),
        Question(
            "duplicates",
            "Duplicate groups",
            "List groups of items that duplicate each other, within and across plans.",
            (),
            "duplicates:find_duplicate_groups",
            "duplicates:format_duplicates",
        ),
        Question(
            "stats",
            "Counts",
            "Count nodes by type, links by relation and basis, items by plan, status and response.",
            (),
            "stats:compute_stats",
            "stats:format_stats",
            formats=("table", "json"),
        ),
    )
}
