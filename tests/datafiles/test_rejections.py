"""The rejections file of a data directory, suggestions/rejected.yaml (graph.datafiles.rejections)."""

import pytest

from crossplan.graph.datafiles.rejections import Rejection, check_rejections, read_rejections, record_rejection
from crossplan.graph.errors import CrossplanError, DataError


def test_rejections_are_recorded_once_and_read_back(tmp_path):
    first = record_rejection(tmp_path, Rejection("north/n1", "south/s3", "2024-05-02", "Different subjects."))
    record_rejection(tmp_path, Rejection("north/n2", "south/s5", "2024-05-03"))
    assert (first.path, first.line) == (tmp_path / "suggestions/rejected.yaml", 3)
    assert first.path.read_text(encoding="utf-8") == (
        "# Suggested links a person rejected: `crossplan suggest` never proposes them again.\n"
        "rejected:\n"
        "  - from: north/n1\n"
        "    to: south/s3\n"
        '    date: "2024-05-02"\n'
        '    note: "Different subjects."\n'
        "  - from: north/n2\n"
        "    to: south/s5\n"
        '    date: "2024-05-03"\n'
    )
    assert read_rejections(tmp_path) == [
        Rejection("north/n1", "south/s3", "2024-05-02", "Different subjects."),
        Rejection("north/n2", "south/s5", "2024-05-03"),
    ]
    with pytest.raises(
        CrossplanError, match=r"^south/s3 -> north/n1 is already rejected \(\S*suggestions/rejected.yaml:3\)$"
    ):
        record_rejection(tmp_path, Rejection("south/s3", "north/n1", "2024-05-04"))


def test_a_broken_rejections_file_is_reported_line_by_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suggestions").mkdir()
    (tmp_path / "suggestions/rejected.yaml").write_text(
        "rejected:\n  - from: north/n1\n    to: south/s9\n  - form: north/n2\n    to: south\n    date: May\n",
        encoding="utf-8",
    )
    assert [str(p) for p in check_rejections(tmp_path, {"north/n1", "north/n2", "south/s1"})] == [
        "suggestions/rejected.yaml:3: 'to' 'south/s9' is not an item of a plan (did you mean 'south/s1'?)",
        "suggestions/rejected.yaml:4: unknown key 'form' in a rejected link (did you mean 'from'?)",
        "suggestions/rejected.yaml:4: 'from' must be the global id of a plan item (plan/item)",
        "suggestions/rejected.yaml:5: 'to' must be the global id of a plan item (plan/item)",
        "suggestions/rejected.yaml:6: invalid date 'May': write YYYY-MM-DD",
    ]
    with pytest.raises(DataError):
        read_rejections(tmp_path)
