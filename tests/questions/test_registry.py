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


# -- data outputs are whole: no CSV or JSON cell of any question is cut without its whole text beside it ------------

#: arguments that give each question a full answer on the shipped data (items with long texts, links, parts)
SHIPPED_ASKS: dict[str, list[dict[str, str]]] = {
    "show": [
        {"id": "hmip-resettlement/r6"},
        {"id": "yj-blueprint/resettlement-and-transitions-1"},
        {"id": "yj-blueprint/resettlement-and-transitions-1-action-1"},
    ],
    "mapping": [
        {"from": "hmip-resettlement", "to": "yj-blueprint"},
        {"from": "yj-blueprint", "to": "hmip-resettlement"},
    ],
    "impact": [
        {"id": "hmip-youth-resettlement-inspection"},
        {"id": "yj-blueprint/resettlement-and-transitions-1", "direction": "upstream"},
    ],
    "path": [{"a": "hmip-resettlement/r6", "b": "yj-blueprint/resettlement-and-transitions-1"}],
    "overdue": [{"as_of": "2100-01-01"}, {"as_of": "2100-01-01", "plan": "yj-blueprint"}],
    "gaps": [{}],
    "duplicates": [{}],
    "stats": [{}],
}


@pytest.fixture(scope="module")
def shipped():
    from pathlib import Path

    import crossplan
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store

    return memory_store(load_dataset(Path(crossplan.__file__).parent / "data"))


def _whole_beside(cell: str, beside) -> bool:
    """Whether a cell shortened with "…" has its whole text among ``beside`` (the other cells of its record)."""
    start = cell.rstrip("…").rstrip()
    return any(isinstance(other, str) and "…" not in other and other.startswith(start) for other in beside)


def _cut_json_cells(value, siblings=()) -> list[str]:
    """Strings cut with "…" whose whole text is neither in their object nor under their key in a sibling object
    (``labels`` beside ``texts``)."""
    cut: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and "…" in item:
                beside = [*value.values(), *(sibling.get(key) for sibling in siblings if isinstance(sibling, dict))]
                if not _whole_beside(item, beside):
                    cut.append(item)
            else:
                cut += _cut_json_cells(item, [other for other in value.values() if other is not item])
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str) and "…" in item:
                cut.append(item)
            else:
                cut += _cut_json_cells(item)
    return cut


def test_every_ask_covers_every_question():
    assert set(SHIPPED_ASKS) == set(QUESTIONS)


@pytest.mark.parametrize(
    ("name", "output_format"),
    [(name, kind) for name in sorted(QUESTIONS) for kind in ("csv", "json") if kind in QUESTIONS[name].formats],
)
def test_no_data_output_of_a_question_is_cut_on_the_shipped_data(shipped, name, output_format):
    """A short label may sit beside the whole text (CSV: in its row; JSON: in its object); no text is cut alone."""
    import csv
    import io

    question = QUESTIONS[name]
    shortened = 0
    for arguments in SHIPPED_ASKS[name]:
        output = question.format(question.find(shipped, *question.values(arguments)), output_format)
        shortened += output.count("…") if output_format == "json" else 0
        if output_format == "csv":
            rows = list(csv.reader(io.StringIO(output)))
            assert len(rows) > 1, f"{name} {arguments}: no answer to check"
            # a record is a row; in a field/value CSV (show) the whole file is one record
            records = [[cell for row in rows for cell in row]] if rows[0] == ["field", "value"] else rows
            cut = [cell for record in records for cell in record if "…" in cell and not _whole_beside(cell, record)]
        else:
            cut = _cut_json_cells(json.loads(output))
        assert not cut, f"{name} {arguments} --format {output_format}: cut without the whole text: {cut[:3]}"
    if (
        name != "stats" and output_format == "json"
    ):  # the shipped texts are long: the labels beside them are shortened, and were checked
        assert shortened, f"{name}: no shortened label was met, so the check did not test anything"
