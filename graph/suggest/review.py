"""Review suggested links: list them (numbered), accept one into its plan's YAML, reject one, or walk them in turn.

Accepting writes the link into the ``links:`` of the plan file of its ``from`` item, with basis ``suggested``, the
best-matching sentence of each side as ``quote`` and ``target-quote``, the ``method`` and the ``date``. Only the
lines of the new link are added: the rest of the file, its comments and its formatting, stays as it was. The whole
data set is validated with the change before the file is replaced (atomically).

Rejected links are remembered in ``suggestions/rejected.yaml`` in the data directory (beside ``plans/``), a file
the loader does not read as data::

    # Suggested links a person rejected: `crossplan suggest` never proposes them again.
    rejected:
      - from: hmip-resettlement/r8          # global ids of the two plan items (either way round)
        to: yj-blueprint/prevention-2
        date: "2024-05-02"                  # when it was rejected (YYYY-MM-DD)
        note: "Different subjects."         # optional: why

The numbered list of the last ``crossplan suggest`` (so that ``crossplan accept 3`` works) is kept in the user's
cache, beside the store, never in the data directory.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..datafiles.datadir import writable_data_dir
from ..errors import CrossplanError, DataError, Problem
from ..model.nodes import Relation

REJECTIONS_FILE = "suggestions/rejected.yaml"
"""Where, inside a data directory, rejected suggestions are remembered."""

_REJECTIONS_HEADER = "# Suggested links a person rejected: `crossplan suggest` never proposes them again.\nrejected:\n"
_REJECTION_KEYS = ("from", "to", "date", "note")
_ITEM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ITEM_IDS = "SELECT ?id WHERE { ?n cp:inPlan ?p ; dcterms:identifier ?id }"


@dataclass(frozen=True)
class Rejection:
    """A suggested link a person rejected."""

    source_id: str
    target_id: str
    date: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Written:
    """What accepting or rejecting wrote: where, and a one-line description."""

    path: Path
    line: int
    description: str


# --------------------------------------------------------------------------------------------
# Listing


def list_suggestions(store, from_plan: str, to_plan: str, **options) -> list:
    """Rank suggested links from one plan to another, leaving out rejected ones; remember the numbered list.

    ``options`` are those of ``graph.suggest.suggest_links`` (``top``, ``min_score``, ``include_existing``,
    ``item_types``). The list is saved so that ``accept_suggestion(store, ("3",))`` can pick suggestion 3.
    Raises UnknownIdError for an unknown plan and DataError for a broken rejections file (or one naming an
    item that is no longer in the data).
    """
    from .similar import suggest_links

    data_dir = getattr(store, "data_dir", None)  # a SPARQL endpoint has none: no rejections, nothing saved
    rejected = set()
    if data_dir is not None:
        item_ids = {row["id"] for row in store.select(_ITEM_IDS)}
        rejected = {(r.source_id, r.target_id) for r in read_rejections(data_dir, item_ids)}
    suggestions = suggest_links(store, from_plan, to_plan, excluded=rejected, **options)
    if data_dir is not None:
        _save_last(data_dir, from_plan, to_plan, suggestions)
    return suggestions


def suggested_edges(store, from_plan: str, to_plan: str, **options) -> list:
    """Return suggested links (rejected ones left out) as ``graph.viz.ExtraEdge`` records for the browser graph.

    They are drawn dotted, with basis ``suggested``; ``options`` are those of ``suggest_links`` (by default, as
    for ``crossplan suggest``: ``top=3, min_score=0.05``). The numbered list of the last ``crossplan suggest``
    is not changed.
    """
    from ..views.viz import ExtraEdge
    from .similar import suggest_links

    data_dir = getattr(store, "data_dir", None)
    rejected = {(r.source_id, r.target_id) for r in read_rejections(data_dir)} if data_dir else set()
    options = {"top": 3, "min_score": 0.05, **options}
    return [
        ExtraEdge(
            s.source_id,
            s.target_id,
            s.relation.value,
            quote=s.evidence.from_sentence,
            evidence=f"score {s.score:.3f}; shared: {', '.join(s.evidence.shared_terms[:5])}",
        )
        for s in suggest_links(store, from_plan, to_plan, excluded=rejected, **options)
    ]


def format_suggestions(suggestions: list, output_format: str = "table") -> str:
    """Render suggestions as ``table`` (with the evidence under each row), ``json`` or ``csv``."""
    if output_format == "json":
        return json.dumps([suggestion.to_json() for suggestion in suggestions], indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        return _format_csv(suggestions)
    if not suggestions:
        return "No suggestions.\n"
    lines = [f"{'#':>3}  score  {'relation':<12}  from -> to"]
    for suggestion in suggestions:
        lines.append(format_card(suggestion))
    return "\n".join(lines) + "\n"


def format_card(suggestion, quote_width: int | None = 160) -> str:
    """Render one suggestion: its row, then what the two items share and their best-matching sentences."""
    evidence = suggestion.evidence
    existing = f"  (already linked: {', '.join(suggestion.existing)})" if suggestion.existing else ""
    lines = [
        f"{suggestion.number:>3}  {suggestion.score:.3f}  {suggestion.relation.value:<12}  "
        f"{suggestion.source_id} -> {suggestion.target_id}{existing}"
    ]
    shared = [", ".join(evidence.shared_terms[:5])] if evidence.shared_terms else []
    shared += [", ".join(f'"{phrase}"' for phrase in evidence.shared_phrases[:3])] if evidence.shared_phrases else []
    if evidence.shared_entities:
        shared.append(", ".join(f"{entity.label} ({entity.type})" for entity in evidence.shared_entities[:3]))
    indent = " " * 5
    if shared:
        lines.append(f"{indent}shared: {'; '.join(shared)}")
    lines.append(f"{indent}from:   {_quoted(evidence.from_sentence, quote_width)}  [{evidence.from_sentence_item}]")
    lines.append(f"{indent}to:     {_quoted(evidence.to_sentence, quote_width)}  [{evidence.to_sentence_item}]")
    from ..output import escape_control

    return escape_control("\n".join(lines), keep_newlines=True)  # no text of the data can drive the terminal


def _quoted(text: str, width: int | None) -> str:
    if width is not None and len(text) > width:
        text = text[: width - 1].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def _format_csv(suggestions: list) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "number",
            "from",
            "to",
            "score",
            "relation",
            "existing",
            "shared_terms",
            "shared_phrases",
            "shared_entities",
            "from_sentence",
            "to_sentence",
        ]
    )
    for s in suggestions:
        e = s.evidence
        writer.writerow(
            [
                s.number,
                s.source_id,
                s.target_id,
                f"{s.score:.3f}",
                s.relation.value,
                " ".join(s.existing),
                "; ".join(e.shared_terms),
                "; ".join(e.shared_phrases),
                "; ".join(entity.id for entity in e.shared_entities),
                e.from_sentence,
                e.to_sentence,
            ]
        )
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# The numbered list of the last `suggest`


def _state_path(data_dir: Path) -> Path:
    from ..stores.embedded import default_store_path

    store_path = default_store_path(Path(data_dir))
    return store_path.with_name(store_path.name + "-suggestions.json")


def _save_last(data_dir: Path, from_plan: str, to_plan: str, suggestions: list) -> None:
    from ..files import write_text_atomically

    path = _state_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "data": str(Path(data_dir).resolve()),
        "from_plan": from_plan,
        "to_plan": to_plan,
        "suggestions": [suggestion.to_json() for suggestion in suggestions],
    }
    write_text_atomically(path, json.dumps(content, ensure_ascii=False))


def _load_last(data_dir: Path, number: int) -> dict:
    path = _state_path(data_dir)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CrossplanError(
            "there are no numbered suggestions yet: run `crossplan suggest FROM_PLAN TO_PLAN` first"
        ) from None
    listed = content.get("suggestions", [])
    if not 1 <= number <= len(listed):
        span = f"1-{len(listed)}" if listed else "none"
        raise CrossplanError(f"there is no suggestion {number}: the last `crossplan suggest` listed {span}")
    return listed[number - 1]


# --------------------------------------------------------------------------------------------
# Accepting


def accept_suggestion(
    store,
    choice: tuple[str, ...],
    *,
    relation: Relation | str | None = None,
    quote: str | None = None,
    target_quote: str | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
) -> Written:
    """Write a suggested link into the YAML of its ``from`` item's plan, with basis ``suggested``.

    ``choice`` is either a suggestion number of the last ``list_suggestions`` (``("3",)``) or two item ids
    (``("r8", "yj-blueprint/prevention-2")``; unambiguous short forms are accepted). The relation, quote and
    target-quote default to the suggestion's proposal and best-matching sentences. The whole data set is
    validated with the change before the file is replaced. Returns what was written.
    Raises CrossplanError (shipped data, unknown number, link already there), UnknownIdError or DataError
    (the change would make the data invalid: nothing is written).
    """
    data_dir = writable_data_dir(store.data_dir)
    proposal = _pick(store, choice)
    return write_suggested_link(
        data_dir, proposal, relation=relation, quote=quote, target_quote=target_quote, note=note, today=today
    )


def write_suggested_link(
    data_dir: Path,
    proposal: dict,
    *,
    relation: Relation | str | None = None,
    quote: str | None = None,
    target_quote: str | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
) -> Written:
    """Write one suggestion (``Suggestion.to_json()``) as a link of its ``from`` item's plan file, validated first."""
    relation = Relation(relation) if isinstance(relation, str) else relation
    relation = relation or Relation(proposal["relation"])
    evidence = proposal["evidence"]
    source_id, target_id = proposal["from"], proposal["to"]
    quote = quote if quote is not None else evidence["from_sentence"]
    target_quote = target_quote if target_quote is not None else evidence["to_sentence"]
    plan = source_id.split("/", 1)[0]
    relpath = f"plans/{plan}.yaml"
    path = Path(data_dir) / relpath
    entry = {
        "from": source_id.split("/", 1)[1],
        "to": target_id.split("/", 1)[1] if target_id.startswith(plan + "/") else target_id,
        "relation": relation.value,
        "basis": "suggested",
        "quote": quote,
        "target-quote": target_quote,
        "method": f"{_method()} (score {proposal['score']:.3f})",
        "date": _day(today),
        "note": note,
    }
    entry = {key: value for key, value in entry.items() if value not in (None, "")}
    text, line = add_list_entry(path, _read(path), "links", entry)
    _validate_and_write(data_dir, relpath, path, text)
    return Written(path, line, f"{source_id} {relation.value} {target_id}")


def _method() -> str:
    from .similar import METHOD

    return METHOD


def _pick(store, choice: tuple[str, ...]) -> dict:
    """Return the suggestion a user means: by number from the last list, or by its two items."""
    if len(choice) == 1 and choice[0].strip().isdigit():
        return _load_last(store.data_dir, int(choice[0]))
    if len(choice) != 2:
        raise CrossplanError("give a suggestion number (from the last `crossplan suggest`) or two item ids FROM TO")
    from ..questions.ids import resolve_id
    from .similar import explain_pair

    source_id, target_id = (resolve_id(store, text) for text in choice)
    if source_id == target_id:
        raise CrossplanError(f"a link from '{source_id}' to itself")
    return explain_pair(store, source_id, target_id).to_json()


def _read(path: Path) -> str:
    from ..text import display_path

    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError.at(display_path(path), 0, f"cannot read the file: {error.strerror}") from None


def _validate_and_write(data_dir: Path, relpath: str, path: Path, text: str) -> None:
    from ..files import write_text_atomically
    from ..rdf.validation import validate_data

    problems = validate_data(data_dir, overrides={relpath: text})
    if problems:
        raise DataError(problems)
    write_text_atomically(path, text)


def add_list_entry(path: Path, text: str, key: str, entry: dict) -> tuple[str, int]:
    """Return ``text`` with ``entry`` added at the end of the top-level block list ``key``, and the entry's line.

    Only lines are added: nothing else of the text changes (a full YAML round trip would re-wrap long texts).
    ``ruamel.yaml`` finds where the list ends and writes the entry; the result is parsed again to check that
    exactly this entry was added. Raises DataError when the file is not valid YAML or ``key`` is not a block list.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from ..text import display_path

    where = display_path(path)
    round_trip = YAML(typ="rt", pure=True)
    try:
        document = round_trip.load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or error
        raise DataError.at(where, mark.line + 1 if mark else 1, f"invalid YAML: {problem}") from None
    if not isinstance(document, dict):
        raise DataError.at(where, 1, f"the file must be a mapping with a '{key}:' list")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    before = list(document.get(key) or [])
    if key not in document:
        lines += (["\n"] if lines else []) + [f"{key}:\n"]
        insert_at, indent, blank = len(lines), "  ", False
    else:
        insert_at, indent, blank = _list_end(document, key, lines, where)
    rendered = _render_entry(entry, indent)
    if blank:
        rendered = "\n" + rendered
    lines.insert(insert_at, rendered)
    new_text = "".join(lines)
    after = round_trip.load(new_text).get(key) or []
    if [dict(item) for item in after[:-1]] != [dict(item) for item in before] or dict(after[-1]) != entry:
        raise CrossplanError(f"{where}: could not add the entry without changing other lines; add it by hand")
    return new_text, insert_at + 1 + blank  # every line before the insertion point is one item of ``lines``


def _list_end(document, key: str, lines: list[str], where: str) -> tuple[int, str, bool]:
    """Return (index of the line to insert before, indentation of the list's dashes, whether to add a blank line)."""
    key_line = document.lc.key(key)[0]
    value = document[key]
    if value is None:
        return key_line + 1, "  ", False
    if not isinstance(value, list) or getattr(value.fa, "_flow_style", False) or (value and _is_flow(lines, value)):
        raise DataError.at(where, key_line + 1, f"'{key}:' must be a block list (one '- ' entry per item) to add to it")
    if not value:
        raise DataError.at(where, key_line + 1, f"'{key}: []' is empty and written inline: replace it with '{key}:'")
    keys = list(document)
    following = [document.lc.key(k)[0] for k in keys[keys.index(key) + 1 :]]
    end = min(following) if following else len(lines)
    while end > key_line + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    last_line = value.lc.item(len(value) - 1)[0]
    match = re.match(r"(\s*)-\s", lines[last_line])
    indent = match.group(1) if match else "  "
    above = last_line - 1
    while above > key_line and lines[above].lstrip().startswith("#"):
        above -= 1
    blank = len(value) > 1 and above > key_line and not lines[above].strip()
    return end, indent, blank


def _is_flow(lines: list[str], value) -> bool:
    line, column = value.lc.line, value.lc.col
    return line < len(lines) and lines[line][column : column + 1] == "["


def _render_entry(entry: dict, indent: str) -> str:
    """Write one list entry as block YAML (long texts on one line, in double quotes), indented."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    quoted = ("quote", "target-quote", "note", "date", "method")
    mapping = CommentedMap((k, DoubleQuotedScalarString(v) if k in quoted else v) for k, v in entry.items())
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 1 << 16
    yaml.indent(mapping=2, sequence=2, offset=0)
    buffer = io.StringIO()
    yaml.dump([mapping], buffer)
    return "".join(indent + line if line.strip() else line for line in buffer.getvalue().splitlines(keepends=True))


# --------------------------------------------------------------------------------------------
# Rejecting


def reject_suggestion(
    store, choice: tuple[str, ...], *, note: str | None = None, today: datetime.date | None = None
) -> Written:
    """Remember that a suggested link is wrong, so that it is never suggested again.

    ``choice`` is a suggestion number of the last ``list_suggestions`` or two item ids, as for
    ``accept_suggestion``. The rejection is added to ``suggestions/rejected.yaml`` in the data directory.
    Raises CrossplanError (shipped data, unknown number, already rejected), UnknownIdError or DataError.
    """
    data_dir = writable_data_dir(store.data_dir)
    if len(choice) == 2:
        from ..questions.ids import resolve_id

        source_id, target_id = (resolve_id(store, text) for text in choice)
        if source_id == target_id:
            raise CrossplanError(f"a link from '{source_id}' to itself")
    else:
        picked = _pick(store, choice)
        source_id, target_id = picked["from"], picked["to"]
    return record_rejection(data_dir, Rejection(source_id, target_id, _day(today), note))


def record_rejection(data_dir: Path | str, rejection: Rejection) -> Written:
    """Add a rejection to ``suggestions/rejected.yaml`` (made if missing); refuse one that is already there."""
    from ..files import write_text_atomically

    path = Path(data_dir) / REJECTIONS_FILE
    known = read_rejections(data_dir)
    pair = {rejection.source_id, rejection.target_id}
    if any({r.source_id, r.target_id} == pair for r in known):
        raise CrossplanError(f"{rejection.source_id} -> {rejection.target_id} is already rejected")
    text = path.read_text(encoding="utf-8") if path.is_file() else _REJECTIONS_HEADER
    entry = {"from": rejection.source_id, "to": rejection.target_id, "date": rejection.date, "note": rejection.note}
    text, line = add_list_entry(path, text, "rejected", {k: v for k, v in entry.items() if v})
    path.parent.mkdir(exist_ok=True)
    write_text_atomically(path, text)
    return Written(path, line, f"{rejection.source_id} -> {rejection.target_id}")


def read_rejections(data_dir: Path | str, item_ids=None) -> list[Rejection]:
    """Read ``suggestions/rejected.yaml`` of a data directory (no file: no rejections).

    With ``item_ids`` (the global ids of plan items), ids that name no item are problems too.
    Raises DataError listing every problem with its line.
    """
    problems = []
    rejections = _parse_rejections(Path(data_dir), problems, item_ids)
    if problems:
        raise DataError(problems)
    return rejections


def check_rejections(data_dir: Path | str, item_ids) -> list[Problem]:
    """Return the problems of a data directory's rejections file (for validation)."""
    problems: list[Problem] = []
    _parse_rejections(Path(data_dir), problems, item_ids)
    return problems


def _parse_rejections(data_dir: Path, problems: list[Problem], item_ids) -> list[Rejection]:
    from ..datafiles.yamlfile import YamlList, YamlMapping, read_yaml
    from ..text import did_you_mean, display_path

    path = data_dir / REJECTIONS_FILE
    if not path.exists():
        return []
    where = display_path(path)

    def report(line: int, message: str) -> None:
        problems.append(Problem(where, line, message))

    try:
        document = read_yaml(path, where)
    except DataError as error:
        problems.extend(error.problems)
        return []
    if document is None:
        return []
    if not isinstance(document, YamlMapping) or set(document) - {"rejected"}:
        report(getattr(document, "line", 1), "the file must hold one key, 'rejected:', a list of links")
        return []
    entries = document.get("rejected")
    if entries is None:
        return []
    if not isinstance(entries, YamlList):
        report(document.line_of("rejected"), "'rejected' must be a list of links (from, to, date, note)")
        return []
    out = []
    for entry, line in zip(entries, entries.item_lines, strict=False):
        if not isinstance(entry, YamlMapping):
            report(line, "each rejected link must be a mapping with 'from' and 'to'")
            continue
        found = len(problems)
        for key in entry:
            if key not in _REJECTION_KEYS:
                hint = did_you_mean(key, _REJECTION_KEYS)
                report(entry.line_of(key), f"unknown key '{key}' in a rejected link{hint}")
        ids = []
        for key in ("from", "to"):
            value = entry.get(key)
            value = value.strip() if isinstance(value, str) else value
            if not isinstance(value, str) or not _ITEM_ID.fullmatch(value):
                report(entry.line_of(key), f"'{key}' must be the global id of a plan item (plan/item)")
            elif item_ids is not None and value not in item_ids:
                report(entry.line_of(key), f"'{key}' '{value}' is not an item of a plan{did_you_mean(value, item_ids)}")
            ids.append(value)
        date, note = entry.get("date"), entry.get("note")
        if date is not None and not (isinstance(date, str) and _DAY.fullmatch(date.strip())):
            report(entry.line_of("date"), f"invalid date {date!r}: write YYYY-MM-DD")
        if note is not None and not isinstance(note, str):
            report(entry.line_of("note"), "'note' must be text")
        if len(problems) == found:
            out.append(Rejection(ids[0], ids[1], date.strip() if date else None, note))
    return out


# --------------------------------------------------------------------------------------------
# Walking through the suggestions


@dataclass
class ReviewSummary:
    """What a review did."""

    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    left: int = 0

    def __str__(self) -> str:
        return f"Accepted {self.accepted}, rejected {self.rejected}, skipped {self.skipped}, not reviewed {self.left}"


REVIEW_CHOICES = {"a": "accept", "r": "reject", "s": "skip", "q": "quit"}
"""The answers ``review_suggestions`` understands."""


def review_suggestions(
    store, from_plan: str, to_plan: str, *, ask, tell, today: datetime.date | None = None, **options
) -> ReviewSummary:
    """Walk the suggestions from one plan to another, asking for each whether to accept, reject, skip or quit.

    ``tell(text)`` shows a suggestion or an outcome; ``ask()`` returns one of ``REVIEW_CHOICES`` (``a``, ``r``,
    ``s``, ``q``). Accepting writes the link as ``accept_suggestion`` does; a change that would make the data
    invalid is told, not written, and the review goes on. ``options`` are those of ``list_suggestions``.
    Raises CrossplanError for the shipped data (nothing can be written there).
    """
    data_dir = writable_data_dir(store.data_dir)
    suggestions = list_suggestions(store, from_plan, to_plan, **options)
    summary = ReviewSummary(left=len(suggestions))
    if not suggestions:
        tell("No suggestions.")
    for position, suggestion in enumerate(suggestions, start=1):
        tell(f"\n[{position}/{len(suggestions)}]\n{format_card(suggestion, quote_width=None)}")
        answer = ask()
        if answer == "q":
            break
        summary.left -= 1
        if answer == "s":
            summary.skipped += 1
            tell("Skipped")
        elif answer == "a":
            try:
                written = write_suggested_link(data_dir, suggestion.to_json(), today=today)
            except CrossplanError as error:
                tell(f"Not added: {error}")
                summary.skipped += 1
                continue
            summary.accepted += 1
            tell(f"Added {written.description} at {_where(written)}")
        elif answer == "r":
            rejection = Rejection(suggestion.source_id, suggestion.target_id, _day(today))
            written = record_rejection(data_dir, rejection)
            summary.rejected += 1
            tell(f"Rejected {written.description} (remembered in {_where(written)})")
    return summary


def _day(today: datetime.date | None) -> str:
    return (today or datetime.date.today()).isoformat()


def _where(written: Written) -> str:
    from ..text import display_path

    return f"{display_path(written.path)}:{written.line}"
