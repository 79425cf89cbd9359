"""Review suggested links: list them (numbered), accept one into its plan's YAML, reject one, or walk them in turn.

Accepting writes the link into the ``links:`` of the plan file of its ``from`` item, with basis ``suggested``, the
best-matching sentence of each side as ``quote`` and ``target-quote``, the ``method`` and the ``date``. Only the
lines of the new link are added: the rest of the file, its comments and its formatting, stays as it was. The whole
data set is validated with the change before the file is replaced (atomically).

Rejected links are remembered in ``suggestions/rejected.yaml`` of the data directory (``datafiles.rejections``).

The numbered list of the last ``crossplan suggest`` (so that ``crossplan accept 3`` works) is kept in the user's
cache, beside the store, never in the data directory.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..datafiles.rejections import REJECTIONS_FILE, Rejection, find_rejection, read_rejections, record_rejection
from ..errors import CrossplanError, DataError
from ..files import write_text_atomically
from ..model.nodes import Relation
from ..output import escape_control
from ..stores.embedded import require_local
from ..stores.manifest import default_store_path
from ..text import display_path
from .similar import METHOD, Suggestion, explain_pair, suggest_links

if TYPE_CHECKING:
    from ..datafiles.append import Written
    from ..stores.protocol import GraphStore
    from ..views.viz import ExtraEdge

_ITEM_IDS = "SELECT ?id WHERE { ?n cp:inPlan ?p ; dcterms:identifier ?id }"


# --------------------------------------------------------------------------------------------
# Listing


def list_suggestions(store: GraphStore, from_plan: str, to_plan: str | None, **options: Any) -> list[Suggestion]:
    """Rank suggested links from one plan to another (``to_plan`` None: to every other plan), leaving out rejected
    ones; remember the numbered list.

    ``options`` are those of ``graph.suggest.suggest_links`` (``top``, ``min_score``, ``include_existing``,
    ``item_types``). The list is saved so that ``accept_suggestion(store, ("3",))`` can pick suggestion 3.
    Raises UnknownIdError for an unknown plan and DataError for a broken rejections file (or one naming an
    item that is no longer in the data).
    """
    data_dir = store.data_dir  # a SPARQL endpoint has none: no rejections, nothing saved
    rejected: set[tuple[str, str]] = set()
    if data_dir is not None and (Path(data_dir) / REJECTIONS_FILE).is_file():  # every item's id: only when needed
        item_ids = {row["id"] for row in store.select(_ITEM_IDS)}
        rejected = {(r.source_id, r.target_id) for r in read_rejections(data_dir, item_ids)}
    suggestions = suggest_links(store, from_plan, to_plan, excluded=rejected, **options)
    if data_dir is not None:
        _save_last(data_dir, from_plan, to_plan, suggestions)
    return suggestions


def suggested_edges(store: GraphStore, from_plan: str, to_plan: str, **options: Any) -> list[ExtraEdge]:
    """Return suggested links (rejected ones left out) as ``graph.viz.ExtraEdge`` records for the browser graph.

    They are drawn dotted, with basis ``suggested``; ``options`` are those of ``suggest_links`` (by default, as
    for ``crossplan suggest``: ``top=3, min_score=0.05``). The numbered list of the last ``crossplan suggest``
    is not changed.
    """
    from ..views.viz import ExtraEdge

    data_dir = store.data_dir
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


def format_suggestions(suggestions: list[Suggestion], output_format: str = "table") -> str:
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


def format_card(suggestion: Suggestion, quote_width: int | None = 160) -> str:
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
    return escape_control("\n".join(lines), keep_newlines=True)  # no text of the data can drive the terminal


def _quoted(text: str, width: int | None) -> str:
    if not text.strip():  # an item with no text of its own (matched on the organisations it names): no empty quote
        return "(no text of its own)"
    if width is not None and len(text) > width:
        text = text[: width - 1].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def _format_csv(suggestions: list[Suggestion]) -> str:
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
    store_path = default_store_path(Path(data_dir))
    return store_path.with_name(store_path.name + "-suggestions.json")


def _save_last(data_dir: Path, from_plan: str, to_plan: str | None, suggestions: list[Suggestion]) -> None:
    path = _state_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "data": str(Path(data_dir).resolve()),
        "from_plan": from_plan,
        "to_plan": to_plan,
        "suggestions": [suggestion.to_json() for suggestion in suggestions],
    }
    write_text_atomically(path, json.dumps(content))  # ASCII: the data directory's path need not be UTF-8


def _load_last(data_dir: Path, number: int) -> dict[str, Any]:
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
    store: GraphStore,
    choice: tuple[str, ...],
    *,
    relation: Relation | str | None = None,
    quote: str | None = None,
    target_quote: str | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
    force: bool = False,
) -> Written:
    """Write a suggested link into the YAML of its ``from`` item's plan, with basis ``suggested``.

    ``choice`` is either a suggestion number of the last ``list_suggestions`` (``("3",)``) or two item ids
    (``("r8", "yj-blueprint/prevention-2")``; unambiguous short forms are accepted). The relation, quote and
    target-quote default to the suggestion's proposal and best-matching sentences. The whole data set is
    validated with the change before the file is replaced. A pair a person rejected is refused unless ``force``.
    Returns what was written.
    Raises CrossplanError (shipped data, unknown number, link already there, pair rejected), UnknownIdError,
    DataError (the change would make the data invalid: nothing is written) or DataDirBusyError.
    """
    data_dir = _writable(store)
    proposal = _pick(store, data_dir, choice)
    return write_suggested_link(
        data_dir,
        proposal,
        relation=relation,
        quote=quote,
        target_quote=target_quote,
        note=note,
        today=today,
        force=force,
    )


def write_suggested_link(
    data_dir: Path,
    proposal: dict[str, Any],
    *,
    relation: Relation | str | None = None,
    quote: str | None = None,
    target_quote: str | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
    force: bool = False,
) -> Written:
    """Write one suggestion (``Suggestion.to_json()``) as a link of its ``from`` item's plan file, validated first.

    The data directory's lock is held from reading the file to renaming the new one: the link is added to the
    file as it is on disk now, so concurrent writers lose nothing. A rejected pair is refused unless ``force``.
    """
    relation = Relation(relation) if isinstance(relation, str) else relation
    relation = relation or Relation(proposal["relation"])
    evidence = proposal["evidence"]
    source_id, target_id = proposal["from"], proposal["to"]
    quote = quote if quote is not None else evidence["from_sentence"]
    target_quote = target_quote if target_quote is not None else evidence["to_sentence"]
    if not (quote or "").strip():  # a link states the words that justify it: an item with no text has none
        raise CrossplanError(
            f"{source_id} has no text of its own to quote: accept it with `crossplan accept` and --quote, the words that "
            "justify the link"
        )
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
        "method": f"{METHOD} (score {proposal['score']:.3f})",
        "date": _day(today),
        "note": note,
    }
    entry = {key: value for key, value in entry.items() if value not in (None, "")}
    from ..datafiles.append import Written, add_list_entry
    from ..datafiles.lock import data_dir_lock

    with data_dir_lock(data_dir):
        rejected = None if force else find_rejection(data_dir, source_id, target_id)
        if rejected is not None:
            raise CrossplanError(f"{source_id} -> {target_id} was rejected ({rejected}): accept it anyway with --force")
        text, line = add_list_entry(path, _read(path), "links", entry)
        _validate_and_write(data_dir, relpath, path, text)
    return Written(path, line, f"{source_id} {relation.value} {target_id}")


def _writable(store: GraphStore) -> Path:
    """The data directory of a store, if it may be written (imported here: listing suggestions writes nothing)."""
    from ..datafiles.datadir import writable_data_dir

    return writable_data_dir(require_local(store).data_dir)


def _resolved(store: GraphStore, choice: tuple[str, ...]) -> tuple[str, str]:
    from ..questions.ids import resolve_id

    source_id, target_id = (resolve_id(store, text) for text in choice)
    return source_id, target_id


def _pick(store: GraphStore, data_dir: Path, choice: tuple[str, ...]) -> dict[str, Any]:
    """Return the suggestion a user means: by number from the last list, or by its two items."""
    if len(choice) == 1 and choice[0].strip().isdigit():
        return _load_last(data_dir, int(choice[0]))
    if len(choice) != 2:
        raise CrossplanError("give a suggestion number (from the last `crossplan suggest`) or two item ids FROM TO")
    source_id, target_id = _resolved(store, choice)
    if source_id == target_id:
        raise CrossplanError(f"a link from '{source_id}' to itself")
    return explain_pair(store, source_id, target_id).to_json()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError.at(display_path(path), 0, f"cannot read the file: {error.strerror}") from None


def _validate_and_write(data_dir: Path, relpath: str, path: Path, text: str) -> None:
    from ..rdf.validation import validate_data  # (the writing commands only: `suggest` does without it)

    problems = validate_data(data_dir, overrides={relpath: text})
    if problems:
        raise DataError(problems)
    write_text_atomically(path, text)


# --------------------------------------------------------------------------------------------
# Rejecting


def reject_suggestion(
    store: GraphStore, choice: tuple[str, ...], *, note: str | None = None, today: datetime.date | None = None
) -> Written:
    """Remember that a suggested link is wrong, so that it is never suggested again.

    ``choice`` is a suggestion number of the last ``list_suggestions`` or two item ids, as for
    ``accept_suggestion``. The rejection is added to ``suggestions/rejected.yaml`` in the data directory.
    Raises CrossplanError (shipped data, unknown number, already rejected), UnknownIdError or DataError.
    """
    data_dir = _writable(store)
    if len(choice) == 2:
        source_id, target_id = _resolved(store, choice)
        if source_id == target_id:
            raise CrossplanError(f"a link from '{source_id}' to itself")
    else:
        picked = _pick(store, data_dir, choice)
        source_id, target_id = picked["from"], picked["to"]
    return record_rejection(data_dir, Rejection(source_id, target_id, _day(today), note))


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
    store: GraphStore,
    from_plan: str,
    to_plan: str,
    *,
    ask: Callable[[], str],
    tell: Callable[[str], object],
    today: datetime.date | None = None,
    **options: Any,
) -> ReviewSummary:
    """Walk the suggestions from one plan to another, asking for each whether to accept, reject, skip or quit.

    ``tell(text)`` shows a suggestion or an outcome; ``ask()`` returns one of ``REVIEW_CHOICES`` (``a``, ``r``,
    ``s``, ``q``). Accepting writes the link as ``accept_suggestion`` does; a change that would make the data
    invalid is told, not written, and the review goes on. ``options`` are those of ``list_suggestions``.
    Raises CrossplanError for the shipped data (nothing can be written there).
    """
    data_dir = _writable(store)
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
                tell(f"Not added: {escape_control(str(error), keep_newlines=True)}")
                summary.skipped += 1
                continue
            summary.accepted += 1
            tell(f"Added {written.description} at {_where(written)}")
        elif answer == "r":
            rejection = Rejection(suggestion.source_id, suggestion.target_id, _day(today))
            try:
                written = record_rejection(data_dir, rejection)
            except CrossplanError as error:  # rejected meanwhile by someone else, or the directory busy
                tell(f"Not rejected: {escape_control(str(error), keep_newlines=True)}")
                summary.skipped += 1
                continue
            summary.rejected += 1
            tell(f"Rejected {written.description} (remembered in {_where(written)})")
    return summary


def _day(today: datetime.date | None) -> str:
    return (today or datetime.date.today()).isoformat()


def _where(written: Written) -> str:
    return f"{display_path(written.path)}:{written.line}"
