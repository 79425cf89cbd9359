"""One renderer for every page: a view returns data, and this makes its HTML (Jinja2, autoescaped) or its JSON twin.

The model is datasette's ``BaseView.render``: the same data drives the page a person reads and the JSON a script
reads (the same path with ``.json``), so they cannot drift apart. Templates live in ``templates/`` with one base
layout; every text from the data is escaped by Jinja2's autoescape, and the Content-Security-Policy (set by the
app) lets pages run only the server's own script files. ``answer_tables`` turns a question's JSON answer into the
tables a person reads: columns with headers, ids as links to their ``show`` page.
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

NAV = (
    ("/", "Graph"),
    ("/console", "Query console"),
    ("/questions", "Questions"),
    ("/review", "Review queue"),
    ("/sparql", "SPARQL endpoint"),
)
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*")
_ID_KEYS = {
    "id",
    "plan",
    "from",
    "to",
    "recommendation",
    "workstream",
    "node",
    "source",
    "target",
    "from_plan",
    "to_plan",
}
_WORDS = {"id": "Id", "ids": "Ids", "url": "URL", "iri": "IRI"}


@functools.cache
def environment():
    """The Jinja2 environment of the server's templates (autoescaped, loaded once)."""
    from jinja2 import DictLoader, Environment, select_autoescape

    folder = files("crossplan.graph.serve") / "templates"
    templates = {
        entry.name: entry.read_text(encoding="utf-8") for entry in folder.iterdir() if entry.name.endswith(".html")
    }
    return Environment(
        loader=DictLoader(templates),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, context: dict[str, Any], status: int = 200, headers: dict | None = None) -> Response:
    """Render a template of ``templates/`` in the base layout (``title``, ``active``, ``notice``… in ``context``)."""
    defaults = {"nav": NAV, "styles": (), "scripts": (), "notice": None, "active": "", "wide": False, "frame": False}
    page = environment().get_template(template).render({**defaults, **context})
    return HTMLResponse(page, status_code=status, headers=headers)


def render(
    request: Request, template: str, data: Any, context: dict[str, Any], status: int = 200, raw: bytes | None = None
) -> Response:
    """Answer a view: its ``data`` as JSON when the path ends in ``.json``, else ``template`` with ``context``.

    ``raw``: the JSON already written (a question's answer, as the command's ``--format json``), sent as is.
    """
    if request.url.path.endswith(".json"):
        if raw is not None:
            return Response(raw, status_code=status, media_type="application/json")
        return JSONResponse(data, status_code=status)
    return render_page(template, context, status)


def json_href(path: str, arguments: dict) -> str:
    """The address of a page's JSON twin."""
    query = urlencode({key: value for key, value in arguments.items() if value not in (None, "")}, doseq=True)
    return f"{path}.json" + (f"?{query}" if query else "")


def show_href(node: str) -> str:
    return "/questions/show?" + urlencode({"id": node})


# -- a question's answer as tables ------------------------------------------------------------------


def heading(name: str) -> str:
    """A JSON key as a column heading: ``from_plan`` → "From plan"."""
    words = [_WORDS.get(word, word) for word in name.replace("-", "_").split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def cell(value: Any, key: str = "") -> dict:
    """One value as a cell: a link for an id, a list, nested facts or a table, or text."""
    if isinstance(value, dict):
        if not value:
            return {"kind": "empty", "text": "—"}
        return {"kind": "facts", "rows": [(heading(name), cell(item, name)) for name, item in value.items()]}
    if isinstance(value, list):
        if not value:
            return {"kind": "empty", "text": "none"}
        if all(isinstance(item, dict) for item in value):
            return table(value)
        return {"kind": "list", "members": [cell(item, key) for item in value]}
    if value is None or value == "":
        return {"kind": "empty", "text": "—"}
    if isinstance(value, bool):
        return {"kind": "text", "text": "yes" if value else "no"}
    text = str(value)
    if isinstance(value, str) and (_ID.fullmatch(text) or (key in _ID_KEYS and re.fullmatch(r"[a-z0-9-]+", text))):
        return {"kind": "link", "href": show_href(text), "text": text}
    return {"kind": "text", "text": text}


def table(items: list[dict], caption: str = "") -> dict:
    """Rows of objects as a table: one column per key (in first-seen order), with headings."""
    columns = list(dict.fromkeys(name for item in items for name in item))
    return {
        "kind": "table",
        "caption": caption,
        "headers": [heading(name) for name in columns],
        "rows": [[cell(item.get(name), name) for name in columns] for item in items],
    }


def answer_tables(answer: Any) -> list[dict]:
    """A question's JSON answer as blocks to read: its facts first, then each list of records as a titled table."""
    if isinstance(answer, list):
        return [table(answer) if answer and all(isinstance(i, dict) for i in answer) else cell(answer)]
    if not isinstance(answer, dict):
        return [cell(answer)]
    facts = {key: value for key, value in answer.items() if not _is_records(value)}
    blocks = []
    if facts:
        blocks.append(cell(facts))
    for key, value in answer.items():
        if _is_records(value):
            blocks.append({**table(value), "title": heading(key)})
    return blocks


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)
