"""Score an imported plan against its gold plan: items matched by number, then field by field.

Both sides are plans in the format of ``data/plans/*.yaml`` (as parsed by a YAML loader: dicts and lists).
The items are the recommendations. Each is matched to a gold recommendation:

- by its printed number: the k-th recommendation numbered "7" in the import goes with the k-th one numbered "7" in
  the gold (numbering that restarts per section stays in step, in print order, without knowing the sections' names);
  numbers compare after normalising ("Recommendation 7", "7.", "(7)" are all "7"; "4a) i)" is "4a.i");
- where the gold prints no number (the Blueprint's milestones), by the closest text among the import's unmatched
  items, if it is close enough (``TEXT_MATCH``).

The fields of a matched item, each right or wrong:

``text``
    the recommendation's text, exact after whitespace normalisation (runs of white space are one space);
``page``
    the 1-based page where its text starts (PDF only);
``owners``
    the set of owner texts on the item and its actions and updates (whitespace-normalised);
``dates``
    the set of target-date texts on the item and its actions and updates;
``response``
    agreed / partly-agreed / not-agreed (or none);
``status``
    the statuses of the item and of its actions and updates (a multiset);
``actions``, ``updates``
    the texts of its actions, of its updates, in order.

A field counts only where the gold or the import gives it a value: a field empty on both sides is not scored
(an importer earns nothing for leaving out what is not there), a value the gold does not have is wrong. A gold item
with no match has every gold field wrong; an imported item with no match lowers precision only.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("text", "page", "owners", "dates", "response", "status", "actions", "updates")
TEXT_MATCH = 0.6
_WHITESPACE = re.compile(r"\s+")
_NUMBER_WORDS = re.compile(r"^(recommendation|rec\.?|commitment|action|milestone|no\.?|number|item)\s*", re.I)
_NUMBER_PARTS = re.compile(r"[0-9]+|[a-z]+", re.I)


def normalise_text(value: Any) -> str:
    """Collapse white space (a list of paragraphs is one text joined by spaces).

    >>> normalise_text("  Publish   the\\n data. ")
    'Publish the data.'
    >>> normalise_text(["First part", "second part."])
    'First part second part.'
    """
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(part) for part in value)
    return _WHITESPACE.sub(" ", str(value)).strip()


def normalise_number(value: Any) -> str:
    """The printed number as a key: words and punctuation dropped, parts joined by dots, lower case.

    >>> [normalise_number(text) for text in ("7", "7.", "Recommendation 7", "(7)", "4a) i)", "4.1", None)]
    ['7', '7', '7', '7', '4a.i', '4.1', '']
    """
    text = normalise_text(value).lower()
    text = _NUMBER_WORDS.sub("", text)
    parts = _NUMBER_PARTS.findall(text)
    # "4a" stays together: a letter directly after digits is part of the same level.
    joined = re.sub(r"(?<=[0-9])\.(?=[a-z](\.|$))", "", ".".join(parts))
    return joined


@dataclass
class FieldScore:
    """How many values of one field were scored and how many were right."""

    right: int = 0
    scored: int = 0

    def add(self, correct: bool) -> None:
        self.scored += 1
        self.right += int(correct)

    def merge(self, other: FieldScore) -> None:
        self.right += other.right
        self.scored += other.scored

    @property
    def share(self) -> float | None:
        return self.right / self.scored if self.scored else None


@dataclass
class Mismatch:
    """One wrong field: which gold item, which field, what the gold and the import say."""

    item: str
    field: str
    gold: Any
    imported: Any


@dataclass
class DocumentScore:
    """The score of one imported plan against its gold."""

    gold_items: int = 0
    imported_items: int = 0
    matched: int = 0
    fields: dict[str, FieldScore] = field(default_factory=lambda: {name: FieldScore() for name in FIELDS})
    mismatches: list[Mismatch] = field(default_factory=list)
    unflagged_wrong_responses: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.imported_items if self.imported_items else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold_items if self.gold_items else None

    @property
    def total(self) -> FieldScore:
        total = FieldScore()
        for score in self.fields.values():
            total.merge(score)
        return total

    def merge(self, other: DocumentScore) -> None:
        self.gold_items += other.gold_items
        self.imported_items += other.imported_items
        self.matched += other.matched
        for name, score in other.fields.items():
            self.fields.setdefault(name, FieldScore()).merge(score)
        self.mismatches.extend(other.mismatches)
        self.unflagged_wrong_responses += other.unflagged_wrong_responses


def plan_items(plan: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The recommendations of a parsed plan, in order (none for an empty or malformed plan)."""
    if not isinstance(plan, Mapping):
        return []
    items = plan.get("recommendations")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, Mapping)]


def _children(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    children: list[Mapping[str, Any]] = []
    for key in ("actions", "updates"):
        value = item.get(key)
        if isinstance(value, list):
            children.extend(child for child in value if isinstance(child, Mapping))
    return children


def _texts_of(entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return []
    texts = []
    for entry in entries:
        text = entry.get("text") if isinstance(entry, Mapping) else entry
        if normalise_text(text):
            texts.append(normalise_text(text))
    return texts


def field_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable value of each field of one item; None (or empty) where it gives none."""
    nodes = [item, *_children(item)]
    statuses = Counter(str(node["status"]) for node in nodes if node.get("status"))
    page = item.get("page")
    return {
        "text": normalise_text(item.get("text")) or None,
        "page": int(page) if isinstance(page, int) or (isinstance(page, str) and page.isdigit()) else None,
        "owners": frozenset(text for node in nodes for text in _texts_of(node.get("owners"))),
        "dates": frozenset(text for node in nodes for text in _texts_of(node.get("target-dates"))),
        "response": item.get("response") or None,
        "status": frozenset(statuses.items()),
        "actions": tuple(_texts_of(item.get("actions"))),
        "updates": tuple(_texts_of(item.get("updates"))),
    }


def match_items(
    gold: Sequence[Mapping[str, Any]], imported: Sequence[Mapping[str, Any]]
) -> list[tuple[int, int | None]]:
    """Pair each gold item (by index) with an imported item (index, or None): by number, then by text.

    >>> match_items([{"number": "1"}, {"number": "1"}], [{"number": "1."}, {"number": "2"}, {"number": "1"}])
    [(0, 0), (1, 2)]
    """
    pairs: dict[int, int | None] = {}
    used: set[int] = set()
    imported_by_number: dict[str, list[int]] = {}
    for index, item in enumerate(imported):
        key = normalise_number(item.get("number"))
        if key:
            imported_by_number.setdefault(key, []).append(index)
    seen: Counter[str] = Counter()
    for index, item in enumerate(gold):
        key = normalise_number(item.get("number"))
        if not key:
            continue
        candidates = imported_by_number.get(key, [])
        occurrence = seen[key]
        seen[key] += 1
        if occurrence < len(candidates):
            pairs[index] = candidates[occurrence]
            used.add(candidates[occurrence])
        else:
            pairs[index] = None
    # The rest by text: all close pairs, closest first and, between equally close ones (a milestone printed twice),
    # nearest in print order first; each item is used once.
    candidates = []
    for index, item in enumerate(gold):
        text = normalise_text(item.get("text"))
        if index in pairs or not text:
            continue
        for other_index, other in enumerate(imported):
            if other_index in used:
                continue
            ratio = difflib.SequenceMatcher(None, text, normalise_text(other.get("text")), autojunk=False).ratio()
            if ratio >= TEXT_MATCH:
                candidates.append((-round(ratio, 6), abs(other_index - index), index, other_index))
    for _, _, index, other_index in sorted(candidates):
        if index not in pairs and other_index not in used:
            pairs[index] = other_index
            used.add(other_index)
    for index in range(len(gold)):
        pairs.setdefault(index, None)
    return sorted(pairs.items())


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (frozenset, tuple, list, str)) and not value)


def _flagged(item: Mapping[str, Any], field_name: str) -> bool:
    """Whether the item's ``review:`` list names the field (as text, or as a mapping's ``field``)."""
    review = item.get("review")
    if not isinstance(review, list):
        return False
    for entry in review:
        if isinstance(entry, Mapping):
            if str(entry.get("field", "")).split(".")[0].split("[")[0] == field_name:
                return True
        elif re.match(rf"\W*{re.escape(field_name)}\b", str(entry)):
            return True
    return False


def _item_label(item: Mapping[str, Any], index: int) -> str:
    return str(item.get("id") or item.get("number") or f"#{index + 1}")


def score_plan(
    gold_plan: Mapping[str, Any] | None,
    imported_plan: Mapping[str, Any] | None,
    fields: Iterable[str] = FIELDS,
) -> DocumentScore:
    """Score ``imported_plan`` against ``gold_plan`` on ``fields`` (a plan that could not be read is ``None``)."""
    wanted = [name for name in FIELDS if name in set(fields)]
    gold = plan_items(gold_plan)
    imported = plan_items(imported_plan)
    score = DocumentScore(gold_items=len(gold), imported_items=len(imported))
    score.fields = {name: FieldScore() for name in wanted}
    for gold_index, imported_index in match_items(gold, imported):
        gold_item = gold[gold_index]
        expected = field_values(gold_item)
        label = _item_label(gold_item, gold_index)
        if imported_index is None:
            for name in wanted:
                if not _is_empty(expected[name]):
                    score.fields[name].add(False)
                    score.mismatches.append(Mismatch(label, name, expected[name], "(no item)"))
            continue
        score.matched += 1
        imported_item = imported[imported_index]
        actual = field_values(imported_item)
        for name in wanted:
            if _is_empty(expected[name]) and _is_empty(actual[name]):
                continue
            correct = expected[name] == actual[name]
            score.fields[name].add(correct)
            if not correct:
                score.mismatches.append(Mismatch(label, name, expected[name], actual[name]))
                if name == "response" and not _is_empty(actual[name]) and not _flagged(imported_item, "response"):
                    score.unflagged_wrong_responses += 1
    return score
