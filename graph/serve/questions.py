"""The questions as the server asks them: every entry of the registry (``questions/registry.py``) is a form, a page
and its JSON.

Each calls the same finder and formatter as the command of the same name (``crossplan mapping`` …), and its JSON is
exactly that command's ``--format json``. A question's ``fields`` are its form's inputs (and its URL's parameters).
"""

from __future__ import annotations

from ..errors import CrossplanError
from ..questions.registry import QUESTIONS, Argument, Question
from ..text import did_you_mean

__all__ = ["BOUNDS", "QUESTIONS", "Question", "check_arguments", "missing_fields"]


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


def missing_fields(question: Question, arguments: dict) -> list[Argument]:
    """Return the required fields a request left empty."""
    return [field for field in question.fields if field.required and not (arguments.get(field.name) or "").strip()]
