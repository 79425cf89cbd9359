"""The server's HTML: one layout, forms, and a JSON answer drawn as tables — every data text escaped.

Pages are built from the same JSON the machine-readable twin returns, so what a person reads and what a script
reads cannot drift apart. No text from the data is ever written unescaped: everything passes ``escape``, and the
Content-Security-Policy (set by the app) lets pages run only the server's own script files.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

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


def escape(text) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def layout(
    title: str,
    body: str,
    *,
    active: str = "",
    scripts: tuple[str, ...] = (),
    styles: tuple[str, ...] = (),
    notice: str | None = None,
    wide: bool = False,
    frame: bool = False,
) -> str:
    """Return a whole page: navigation, an optional notice (escaped), the body (already safe HTML) and scripts.

    ``frame``: the body fills the window under the navigation, with no heading (the graph's frame).
    """
    current = ' aria-current="page"'
    links = "".join(f'<a href="{href}"{current if href == active else ""}>{escape(label)}</a>' for href, label in NAV)
    head_styles = "".join(f'<link rel="stylesheet" href="/assets/{escape(name)}">' for name in ("serve.css", *styles))
    tail_scripts = "".join(f'<script src="/assets/{escape(name)}"></script>' for name in scripts)
    banner = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)} · crossplan</title>\n{head_styles}\n</head>\n"
        f'<body>\n<header class="bar"><span class="brand">crossplan</span><nav>{links}</nav></header>\n'
        f'{banner}<main class="{"graph-frame" if frame else "wide" if wide else ""}">\n'
        f"{'' if frame else f'<h1>{escape(title)}</h1>'}\n{body}\n</main>\n{tail_scripts}\n</body>\n</html>\n"
    )


def field_html(
    name: str,
    label: str,
    value: str | None,
    *,
    kind: str = "text",
    choices: tuple[str, ...] = (),
    required: bool = False,
    hint: str = "",
    options: tuple[str, ...] = (),
) -> str:
    """Return one labelled form field (text, number, date or select); ``options`` fill a datalist."""
    ident = f"field-{escape(name)}"
    attributes = f'id="{ident}" name="{escape(name)}"' + (" required" if required else "")
    if choices:
        items = "".join(
            f'<option value="{escape(choice)}"{" selected" if choice == value else ""}>{escape(choice)}</option>'
            for choice in choices
        )
        control = f"<select {attributes}>{items}</select>"
    else:
        datalist = ""
        if options:
            datalist = (
                f'<datalist id="{ident}-options">'
                + "".join(f'<option value="{escape(option)}">' for option in options)
                + "</datalist>"
            )
            attributes += f' list="{ident}-options"'
        control = (
            f'<input {attributes} type="{escape(kind)}" value="{escape(value or "")}" autocomplete="off">{datalist}'
        )
    hint_html = f"<small>{escape(hint)}</small>" if hint else ""
    return f'<label for="{ident}">{escape(label)}</label>{control}{hint_html}'


def form_html(action: str, fields: list[str], button: str = "Ask") -> str:
    """Return a GET form (its URL is the shareable address of the answer)."""
    return (
        f'<form class="question" method="get" action="{escape(action)}">'
        + "".join(f'<div class="field">{field}</div>' for field in fields)
        + f'<div class="field"><button type="submit">{escape(button)}</button></div></form>'
    )


def json_link(path: str, arguments: dict) -> str:
    """Return the link to a page's JSON twin."""
    query = urlencode({key: value for key, value in arguments.items() if value not in (None, "")}, doseq=True)
    href = f"{path}.json" + (f"?{query}" if query else "")
    return f'<p class="twin">The same answer as JSON: <a href="{escape(href)}">{escape(href)}</a></p>'


def render_json_value(value, key: str = "") -> str:
    """Draw a JSON answer: objects as definition lists, lists of objects as tables, ids as links to ``show``."""
    if isinstance(value, dict):
        if not value:
            return '<span class="empty">—</span>'
        rows = "".join(
            f"<dt>{escape(name)}</dt><dd>{render_json_value(item, name)}</dd>" for name, item in value.items()
        )
        return f"<dl>{rows}</dl>"
    if isinstance(value, list):
        if not value:
            return '<span class="empty">none</span>'
        if all(isinstance(item, dict) for item in value):
            columns = list(dict.fromkeys(name for item in value for name in item))
            head = "".join(f'<th scope="col">{escape(name)}</th>' for name in columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{render_json_value(item.get(name), name)}</td>" for name in columns) + "</tr>"
                for item in value
            )
            return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
        return ", ".join(render_json_value(item, key) for item in value)
    if value is None:
        return '<span class="empty">—</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if isinstance(value, str) and (_ID.fullmatch(text) or (key in _ID_KEYS and re.fullmatch(r"[a-z0-9-]+", text))):
        return f'<a href="/questions/show?{escape(urlencode({"id": text}))}">{escape(text)}</a>'
    return escape(text)


def error_html(message: str) -> str:
    return f'<p class="error" role="alert">{escape(message)}</p>'
