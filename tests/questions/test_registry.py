"""The registry of ready-made questions (graph/questions/registry.py): each declared once, read by the CLI and the
server alike."""

from __future__ import annotations

import json

import pytest

from crossplan.cli import main
from crossplan.graph.errors import CrossplanError
from crossplan.graph.questions.registry import KINDS, QUESTIONS, Argument
from crossplan.graph.serve import questions as served

WRITTEN_OUT = {"mapping"}
"""Questions whose command is written out in cli.py (mapping: its matrix, xlsx and -o), from the same help."""


def test_every_question_has_a_finder_a_formatter_and_known_kinds():
    for question in QUESTIONS.values():
        assert callable(question.find) and question.description.endswith("."), question.name
        assert {argument.kind for argument in question.arguments} <= set(KINDS), question.name
        assert "json" in question.formats


def test_every_question_is_a_command_and_a_page_from_its_one_declaration():
    assert served.QUESTIONS is QUESTIONS
    for question in QUESTIONS.values():
        command = main.commands[question.name]
        assert command.help.startswith(question.description), question.name
        if question.name in WRITTEN_OUT:
            continue
        names = {parameter.name for parameter in command.params}
        assert {argument.name for argument in question.arguments} <= names, question.name


def test_node_and_plan_arguments_complete_on_the_command_line():
    for question in QUESTIONS.values():
        params = main.commands[question.name].params
        if question.name not in WRITTEN_OUT:
            params = [next(param for param in params if param.name == argument.name) for argument in question.arguments]
        completing = [param for param in params if param._custom_shell_complete is not None]
        assert len(completing) >= sum(argument.kind in ("node", "plan") for argument in question.arguments)


def test_form_texts_become_the_finders_values():
    assert QUESTIONS["impact"].values({"id": " r1 ", "depth": ""}) == ["r1", "downstream", None, ()]
    assert QUESTIONS["overdue"].values({"as_of": "2021-06-30"}) == ["2021-06-30", None]
    with pytest.raises(CrossplanError, match="^depth must be a whole number, not 'two'$"):
        QUESTIONS["impact"].values({"id": "r1", "depth": "two"})
    with pytest.raises(CrossplanError, match="^limit must be at least 1$"):
        QUESTIONS["path"].values({"a": "r1", "b": "r2", "limit": "0"})
    with pytest.raises(CrossplanError, match="^direction must be one of downstream, upstream, not 'sideways'$"):
        Argument("direction", "Direction", kind="choice", choices=("downstream", "upstream")).value("sideways")


def test_the_answer_is_the_commands_json(store, runner):
    from crossplan.graph.questions.overdue import find_overdue, format_overdue

    answer = QUESTIONS["overdue"].answer(store, {"as_of": "2021-06-30"})
    assert json.loads(answer) == json.loads(format_overdue(find_overdue(store, "2021-06-30"), "json"))
    assert json.loads(QUESTIONS["stats"].answer(store, {}))["nodes"]["plan"] == 2
