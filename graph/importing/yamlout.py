"""Write YAML for ``crossplan import``: the new plan file, and organisations.yaml with organisations added.

Both are written through ruamel.yaml's round trip, so that an existing organisations.yaml keeps its comments
and layout, and long texts become folded blocks.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..datafiles.append import add_list_entry
from ..rdf.validation import normalise_source
from ..text import normalise_space
from .builder import PlanBuilder, Progress, Recommendation
from .organisations import NewOrganisation
from .printed import BULLET

if TYPE_CHECKING:  # ruamel.yaml is imported when YAML is written
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString


def render_plan(
    plan_id: str,
    title: str,
    builder: PlanBuilder,
    source_description: str,
    source: str | None = None,
    source_text: str | None = None,
) -> str:
    """Return the YAML text of the imported plan (docs/data-format.md), with block scalars for long text.

    ``source`` is the document the plan was read from (its id in documents.yaml) and ``source_text`` its text: an
    item text printed in pieces there (split by a page break or another column) is written as a list of pieces.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    display = builder.tables_used[0].display if builder.tables_used else builder.display
    source_name = Path(display).name
    document = CommentedMap()
    if source:
        document.yaml_set_start_comment(
            f"Imported by `crossplan import` from {source_description} (a draft: check every item's review: list).\n"
            "Each recommendation's comment names where it was read; `crossplan validate` checks the texts against\n"
            f"the text extracted from it (document '{source}' in documents.yaml)."
        )
    else:
        document.yaml_set_start_comment(
            f"Imported by `crossplan import` from {source_description}.\n"
            "Each recommendation's comment names the row it came from. Check the texts against the published\n"
            "document, then add `source:` (a document in documents.yaml) so that `crossplan validate` checks them."
        )
    document["plan"] = CommentedMap(id=plan_id, title=_text(title))
    if source:
        document["plan"]["source"] = source
    normalised = _normalise_source(source_text) if source_text is not None else None
    if builder.workstreams:
        workstreams = CommentedSeq(
            CommentedMap(id=ws_id, title=_text(ws_title)) for ws_id, ws_title in builder.workstreams.items()
        )
        document["workstreams"] = workstreams
    recommendations = CommentedSeq()
    for position, rec in enumerate(builder.recommendations):
        recommendations.append(_recommendation_map(rec, normalised))
        # The row it came from, named by the file's name (the YAML file may move; the spreadsheet too).
        where = source_name + rec.place[len(display) :] if rec.place.startswith(display) else rec.place
        recommendations.yaml_set_comment_before_after_key(position, before=where, indent=2)
    document["recommendations"] = recommendations
    links = builder.links()
    if links:
        document["links"] = CommentedSeq(
            CommentedMap(
                [
                    ("from", link["from"]),
                    ("to", link["to"]),
                    ("relation", "duplicate-of"),
                    ("basis", "explicit"),
                    ("quote", _text(link["quote"])),
                ]
            )
            for link in links
        )
    for key in list(document)[1:]:
        document.yaml_set_comment_before_after_key(key, before="\n")
    stream = io.StringIO()
    _round_trip_yaml().dump(document, stream)
    return stream.getvalue()


def _recommendation_map(rec: Recommendation, source: str | None = None) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap(id=rec.id)
    if rec.number is not None:
        entry["number"] = _quoted(rec.number)
    if rec.workstream:
        entry["workstream"] = rec.workstream
    if rec.page is not None:
        entry["page"] = rec.page
    if rec.text:
        entry["text"] = _pieces(rec.text, source)
    if rec.addressed_to:
        entry["addressed-to"] = _flow(rec.addressed_to)
    if rec.addressee_text:
        entry["addressee-text"] = _text(rec.addressee_text)
    if rec.response:
        entry["response"] = rec.response.value
    _progress_into(entry, rec.progress)
    if rec.actions:
        entry["actions"] = [
            _progress_into(
                CommentedMap([("text", _text(action.text))] + ([("page", action.page)] if action.page else [])),
                action.progress,
            )
            for action in rec.actions
        ]
    if rec.updates:
        updates = []
        for update in rec.updates:
            item = CommentedMap()
            if update.title:
                item["title"] = _text(update.title)
            if update.date:
                item["date"] = _quoted(update.date)
            if update.page is not None:
                item["page"] = update.page
            item["text"] = _pieces(_split_paragraphs(update.lines), source)
            update.progress.timescale = None  # an update has no timescale: its status-text keeps the words
            updates.append(_progress_into(item, update.progress))
        entry["updates"] = updates
    if rec.notes:
        entry["note"] = _text("\n".join(rec.notes))
    if rec.review:
        entry["review"] = [_text(reason) for reason in rec.review]
    return entry


def _normalise_source(text: str) -> str:
    return normalise_source(text)


def _split_paragraphs(lines: list[str]) -> list[str]:
    parts: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            parts[-1].append(line)
        elif parts[-1]:
            parts.append([])
    return ["\n".join(part) for part in parts if part]


def _pieces(texts: list[str], source: str | None) -> Any:
    """Return the text for YAML: whole, or (when its parts are not contiguous in ``source``) a list of pieces,
    consecutive parts that are contiguous joined."""
    whole = _text("\n".join(texts))
    if source is None or len(texts) < 2 or _normalise_source("\n".join(texts)) in source:
        return whole
    from ruamel.yaml.comments import CommentedSeq

    pieces: list[str] = []
    for text in texts:
        if pieces and _normalise_source(pieces[-1] + "\n" + text) in source:
            pieces[-1] = pieces[-1] + "\n" + text
        else:
            pieces.append(text)
    return CommentedSeq(_text(piece) for piece in pieces) if len(pieces) > 1 else whole


def _progress_into(entry: CommentedMap, progress: Progress) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    if progress.status:
        entry["status"] = progress.status.value
    if progress.status_text:
        entry["status-text"] = _text(progress.status_text)
    if progress.timescale:
        entry["timescale"] = _text(progress.timescale)
    if progress.owners:
        owners = []
        for text, organisation in progress.owners:
            owner = CommentedMap(text=_text(text))
            if organisation:
                owner["organisation"] = organisation
            owners.append(owner)
        entry["owners"] = owners
    if progress.target_dates:
        dates = []
        for text, date in progress.target_dates:
            target = CommentedMap(text=_quoted(text))
            if date:
                target["date"] = _quoted(date)
            dates.append(target)
        entry["target-dates"] = dates
    return entry


def _quoted(text: str) -> DoubleQuotedScalarString:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(text)


def _text(text: str, width: int = 96) -> str:
    """Return text for YAML: plain when short, else a folded block wrapped at ``width`` (the loader
    collapses whitespace, so the folds change nothing; paragraph breaks are kept as blank lines)."""
    from ruamel.yaml.scalarstring import FoldedScalarString

    lines = _paragraph_lines(text)
    joined = "\n".join(lines)
    if len(lines) <= 1 and len(joined) <= 80:
        return joined
    folded = FoldedScalarString(joined)
    positions, offset = [], 0
    for line in lines:
        cursor = offset
        for piece in textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)[:-1]:
            cursor += len(piece)
            positions.append(cursor)
            cursor += 1
        offset += len(line) + 1
    folded.fold_pos = positions
    return folded


def _paragraph_lines(text: str) -> list[str]:
    """Join a cell's lines into paragraphs: a blank line or a bullet starts a new one.

    >>> _paragraph_lines("one\\ntwo\\n\\nthree\\n• four")
    ['one two', 'three', '• four']
    """
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line.strip():
            paragraphs.append([])
            continue
        if BULLET.match(line) and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return [normalise_space(" ".join(lines)) for lines in paragraphs if lines]


def organisations_yaml(path: Path, added: list[NewOrganisation]) -> str:
    """Return organisations.yaml with new entries appended: lines are added, nothing else of the file changes."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    for position, organisation in enumerate(added):
        entry: dict[str, Any] = {"id": organisation.id, "name": organisation.name}
        if organisation.abbreviation:
            entry["abbreviations"] = [organisation.abbreviation]
        comment = "Added by `crossplan import`" if position == 0 else None
        text, _ = add_list_entry(path, text, "organisations", entry, comment=comment)
    return text


def _round_trip_yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _flow(items: list[str]) -> CommentedSeq:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
