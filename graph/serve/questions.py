"""The questions as the server asks them: every entry of the registry (``questions/registry.py``) is a form, a page
and its JSON.

Each calls the same finder and formatter as the command of the same name (``crossplan mapping`` …), and its JSON is
exactly that command's ``--format json``. A question's ``fields`` are its form's inputs (and its URL's parameters).
"""

from __future__ import annotations

from ..questions.registry import QUESTIONS, Argument, Question

__all__ = ["QUESTIONS", "Question", "missing_fields"]


def missing_fields(question: Question, arguments: dict) -> list[Argument]:
    """Return the required fields a request left empty."""
    return [field for field in question.fields if field.required and not (arguments.get(field.name) or "").strip()]
