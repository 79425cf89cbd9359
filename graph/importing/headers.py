"""The header vocabulary: which column of an action-plan table holds which field.

The common action-plan template is recognised by its headers (case, spacing, numbering such as ``1. Rec No``
and bracketed notes are ignored)::

    Rec No | Recommendation | Agreed/Partly Agreed/Not Agreed | Response Action Taken/Planned |
    Responsible Owner | Target Date          (+ Status, Timescale, Workstream, Actions, ID, Notes ...)

and ``--map COLUMN=FIELD`` names any other column (``FIELDS`` lists the fields).
"""

from __future__ import annotations

import re

from ..errors import CrossplanError
from ..text import did_you_mean, normalise_space

HEADER_SEARCH_ROWS = 20
"""How many rows from the top of a table are searched for its header row."""

FIELDS = {
    "number": "the recommendation number as printed (Rec No)",
    "id": "the recommendation's id (lower-case letters, digits and hyphens)",
    "text": "the recommendation text",
    "response": "Agreed / Partly Agreed / Not Agreed",
    "update": "the response or progress update (Response Action Taken/Planned)",
    "action": "actions, one per bullet",
    "owner": "responsible owners",
    "target-date": "target dates",
    "status": "status (Complete, Ongoing - timescale, N/A, Removed)",
    "timescale": "timescale as printed",
    "workstream": "workstream, theme or thematic area",
    "addressed-to": "the organisations the recommendation is addressed to",
    "note": "a comment kept as the recommendation's note",
    "ignore": "a column to leave out",
}
"""The fields a column can be mapped to with ``--map COLUMN=FIELD``."""

_HEADER_VARIANTS = {
    "number": [
        "rec no",
        "rec",
        "rec number",
        "recommendation no",
        "recommendation number",
        "rec ref",
        "no",
        "number",
        "ref",
        "ref no",
        "reference",
        "#",
        "recommendation ref",
    ],
    "id": ["id", "rec id", "recommendation id"],
    "text": [
        "recommendation",
        "recommendations",
        "recommendation text",
        "milestone",
        "recommendation (milestone)",
        "measure",
        "measures",
        "item",
        "action point",
        "commitment",
        "commitments",
        "description",
    ],
    "response": [
        "agreed/partly agreed/not agreed",
        "agreed/partially agreed/not agreed",
        "agreed/not agreed",
        "agreed/disagreed",
        "agreed",
        "accepted",
        "accepted/partly accepted/not accepted",
        "agreement",
        "response (agreed/partly agreed/not agreed)",
        "accepted/rejected",
    ],
    "update": [
        "response action taken/planned",
        "response/action taken/planned",
        "action taken/planned",
        "actions taken/planned",
        "response",
        "update",
        "updates",
        "progress",
        "progress update",
        "latest update",
        "management response",
        "response and action taken",
        "response/update",
        "government response",
        "response to recommendation",
        "progress to date",
        "action to be taken",
        "actions to be taken",
        "action to be taken/planned",
        "planned response",
    ],
    "action": [
        "action",
        "actions",
        "action(s)",
        "action(s) include",
        "actions include",
        "planned action",
        "planned actions",
        "key actions",
    ],
    "owner": [
        "responsible owner",
        "responsible owners",
        "owner",
        "owners",
        "lead",
        "leads",
        "action owner",
        "responsible",
        "responsible officer",
        "lead officer",
        "lead owner",
        "owner/lead",
        "partners",
        "partner",
        "delivery partners",
        "key partners",
        "lead organisation",
        "lead agency",
        "lead department",
        "who",
        "responsible party",
        "responsible parties",
        "responsible agency",
        "responsible agencies",
    ],
    "target-date": [
        "target date",
        "target dates",
        "target",
        "date",
        "dates",
        "deadline",
        "due date",
        "completion date",
        "target completion date",
        "due",
        "by when",
        "timeline",
        "end date",
    ],
    "status": ["status", "rag", "rag status", "current status", "progress status", "refreshed timescale"],
    "timescale": ["timescale", "timescales", "timeframe"],
    "workstream": ["workstream", "work stream", "theme", "thematic area", "area", "strand", "priority area"],
    "addressed-to": ["addressee", "addressees", "addressed to", "recommendation to", "recommendation for"],
    "note": ["note", "notes", "comment", "comments", "priority"],
}
_HEADER_FIELDS = {variant: name for name, variants in _HEADER_VARIANTS.items() for variant in variants}


def header_key(header: str) -> str:
    """Normalise a column header for matching: case, spacing, numbering, dots and spaces round '/' go.

    >>> header_key("4.  Response\\nAction Taken/Planned")
    'response action taken/planned'
    >>> header_key("3. Agreed/ Partly Agreed/ Not Agreed")
    'agreed/partly agreed/not agreed'
    """
    text = " ".join(header.split()).lower().replace("’", "'")
    text = re.sub(r"^\d+\s*[.):]?\s+", "", text)
    text = re.sub(r"\s*/\s*", "/", text).replace(".", "")
    text = re.sub(r"(?<=[a-z)])(?:[\u00b9\u00b2\u00b3\u2070-\u2079]+|\[\d+\]|\d{1,2}|\*+|†+)$", "", text.strip())
    return text.strip(" :*-")


def header_label(header: str) -> str:
    """Return a header as a message should name it: one line, without its number.

    >>> header_label("1.\\nRec\\nNo")
    'Rec No'
    """
    return re.sub(r"^\d+\s*[.):]?\s+", "", normalise_space(header))


def field_of_header(header: str) -> str | None:
    """Return the field a template header stands for, or None.

    >>> field_of_header("5. Responsible Owner (including named individuals and their functional role or department)")
    'owner'
    >>> field_of_header("1.\\nRec\\nNo")
    'number'
    """
    key = header_key(header)
    if key in _HEADER_FIELDS:
        return _HEADER_FIELDS[key]
    without_notes = " ".join(re.sub(r"\s\([^)]*\)", " ", key).split()).strip(" :*-")
    return _HEADER_FIELDS.get(without_notes)


def check_mappings(mappings: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Return {header key: (field, column as given)}, raising CrossplanError for an unknown field."""
    checked = {}
    for column, name in mappings.items():
        name = name.strip().lower()
        if name not in FIELDS:
            raise CrossplanError(
                f"--map '{column}={name}': unknown field '{name}'{did_you_mean(name, FIELDS)} "
                f"(fields: {', '.join(FIELDS)})"
            )
        checked[header_key(column)] = (name, column)
    return checked


def parse_mapping(text: str) -> tuple[str, str]:
    """Split a ``COLUMN=FIELD`` option into its column and field.

    >>> parse_mapping("Lead officer = owner")
    ('Lead officer', 'owner')
    """
    column, equals, name = text.rpartition("=")
    if not equals or not column.strip() or not name.strip():
        raise CrossplanError(f"'{text}' is not COLUMN=FIELD (fields: {', '.join(FIELDS)})")
    return column.strip(), name.strip()
