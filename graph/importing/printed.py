"""Reading printed text: dates, responses, statuses, update headings, bullets and ids made from text."""

from __future__ import annotations

import datetime
import re

from ..model.nodes import Response, Status
from ..text import normalise_space

_UPDATE_HEADING = re.compile(
    r"(?P<title>[^.\n]{0,80}\((?P<when>(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\.?\s+\d{4}|\d{4})\))\s*:?"
)
BULLET = re.compile(r"^\s*(?:[•▪◦●\-*–]|\d{1,2}[.)])\s+")
"""A bullet or a list number (``1.``, ``2)``) at the start of a line."""
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def parse_printed_date(text: str) -> str | None:
    """Return ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` when the whole text is a date, else None.

    >>> [parse_printed_date(t) for t in ("March 2020", "31 March 2021", "31/03/2021", "2023", "Q1 2021")]
    ['2020-03', '2021-03-31', '2021-03-31', '2023', None]
    """
    text = normalise_space(text).strip(" .,;")
    try:
        if re.fullmatch(r"\d{4}", text):
            return text
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
        if match:
            year, month, day = match.groups()
            datetime.date(int(year), int(month), int(day or 1))
            return text
        match = re.fullmatch(r"([A-Za-z]+)\.?,? (\d{4})", text)
        if match and match.group(1).lower() in _MONTHS:
            return f"{match.group(2)}-{_MONTHS[match.group(1).lower()]:02d}"
        match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? (\d{4})", text)
        if match and match.group(2).lower() in _MONTHS:
            return datetime.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1))).isoformat()
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
        if match:  # day first, as printed in UK documents
            return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
    except ValueError:
        return None
    return None


def parse_response(text: str) -> Response | None:
    """Read an Agreed / Partly Agreed / Not Agreed cell; None when it is none of them.

    >>> parse_response("Partly Agreed"), parse_response("NOT AGREED"), parse_response("maybe")
    (<Response.PARTLY_AGREED: 'partly-agreed'>, <Response.NOT_AGREED: 'not-agreed'>, None)
    """
    words = " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())
    if words in ("agreed", "accepted", "agree", "accept", "accepted in full", "agreed in full", "fully accepted"):
        return Response.AGREED
    if words in (
        "partly agreed",
        "partially agreed",
        "part agreed",
        "agreed in part",
        "partly accepted",
        "partially accepted",
        "accepted in part",
    ):
        return Response.PARTLY_AGREED
    if words in ("not agreed", "disagreed", "rejected", "not accepted", "declined"):
        return Response.NOT_AGREED
    return None


def parse_status(text: str) -> tuple[Status, str | None] | None:
    """Read a status cell into a status and the timescale printed after it; None when it is not a status.

    >>> parse_status("ONGOING - Long term (2022/2023+)")
    (<Status.ONGOING: 'ongoing'>, 'Long term (2022/2023+)')
    >>> parse_status("N/A"), parse_status("Amber")
    ((<Status.NOT_APPLICABLE: 'not-applicable'>, None), None)
    """
    text = normalise_space(text)
    parts = re.split(r"\s+[-–—]\s+|:\s*", text, maxsplit=1)
    head = parts[0].strip(" .").lower()
    rest = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    words = {
        Status.COMPLETE: ("complete", "completed", "closed", "done", "delivered", "achieved"),
        Status.ONGOING: ("ongoing", "on-going", "in progress", "on track", "open", "started", "underway", "delayed"),
        Status.NOT_APPLICABLE: ("n/a", "na", "not applicable"),
        Status.REMOVED: ("removed", "deleted", "withdrawn"),
    }
    for status, spellings in words.items():
        if head in spellings:
            return status, rest
    return None


def update_heading(line: str) -> tuple[str, str | None] | None:
    """Return (title, date) when a line is an update heading such as ``Action Plan Update (December 2020)``."""
    match = _UPDATE_HEADING.fullmatch(line.strip())
    if not match:
        return None
    return match.group("title").strip(), parse_printed_date(match.group("when"))


def paragraphs(text: str) -> list[str]:
    """Split a cell at blank lines into whitespace-normalised paragraphs."""
    return [normalise_space(part) for part in re.split(r"\n\s*\n", text) if part.strip()]


def slug(text: str, width: int = 60) -> str:
    """Make an id of text: lower-case words joined by hyphens, cut at a hyphen to at most ``width`` characters.

    >>> slug("Children’s Services (North)")
    'childrens-services-north'
    """
    words = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("'", "")).strip("-")
    if len(words) > width:
        words = words[:width].rsplit("-", 1)[0]
    return words


def fold(text: str) -> str:
    """Make apostrophes and spaces comparable without changing the text's length (spans stay valid)."""
    return text.replace("’", "'").replace("‘", "'").replace("\n", " ")
