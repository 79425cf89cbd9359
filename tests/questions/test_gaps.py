"""``find_gaps`` and ``format_gaps`` (``crossplan gaps``) on the fixture data sets.

Expected answers come from reading tests/fixtures/query/plans/*.yaml (plans north and south); the ``store`` and
``mini`` fixtures are in conftest.py.
"""

from __future__ import annotations

import json

from crossplan.graph.questions.gaps import find_gaps, format_gaps


def test_gaps(store):
    assert [(gap.id, gap.missing) for gap in find_gaps(store)] == [
        ("north/r4", ["owner", "target date"]),  # a link from south's update counts
        ("north/r8", ["owner", "target date", "action or link"]),
        ("south/housing-1", ["owner", "target date"]),  # it has an action
        ("south/housing-2", ["owner", "target date"]),
        ("south/health-1", ["owner"]),
        ("south/health-2", ["owner", "target date"]),
        ("south/oversight-1", ["owner", "target date", "action or link"]),
    ]
    # r1 (owner and dates on its updates), r2, r3, r6 (dates on its actions) have none; r5 is removed, r7 not applicable
    assert [gap.id for gap in find_gaps(store, plan="north")] == ["north/r4", "north/r8"]


def test_gaps_on_the_mini_data_set(mini):
    assert [(gap.id, gap.missing) for gap in find_gaps(mini)] == [("beta/resettlement-1", ["owner", "target date"])]


def test_format_gaps(store):
    gaps = find_gaps(store, plan="north")
    assert format_gaps(gaps, width=100) == (
        "2 recommendations with gaps\n"
        "\n"
        "recommendation  missing                             label\n"
        "--------------  ----------------------------------  --------------------------------\n"
        "north/r4        owner, target date                  Review the transitions protocol.\n"
        "north/r8        owner, target date, action or link  Write a plan for the summer.\n"
    )
    assert format_gaps(gaps, "csv") == (
        "id,plan,label,text,status,no owner,no target date,no action or link\r\n"
        "north/r4,north,Review the transitions protocol.,Review the transitions protocol.,,yes,yes,no\r\n"
        "north/r8,north,Write a plan for the summer.,Write a plan for the summer.,,yes,yes,yes\r\n"
    )
    assert json.loads(format_gaps(gaps, "json"))[0] == {
        "id": "north/r4",
        "plan": "north",
        "label": "Review the transitions protocol.",
        "status": None,
        "missing": ["owner", "target date"],
        "text": "Review the transitions protocol.",
    }
    assert format_gaps([]) == "Every recommendation has an owner, a target date, and an action or link.\n"
