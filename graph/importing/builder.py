"""Build a plan from the rows of an action-plan table: recommendations, updates, actions and their progress.

How rows become the YAML model (docs/data-format.md):

- A row whose only text is "X should:" is an addressee row: the organisations it names (matched to the
  registry by name or abbreviation) are ``addressed-to`` of every recommendation below it, until the next one.
- A row with a Rec No (or an id) starts a recommendation (id ``r<number>``, or ``<workstream>-<number>`` when
  there is a workstream column). Without a Rec No or id column, a row with recommendation text starts one.
  Any other row continues the recommendation above it (a merged or page-broken cell).
- Each Response / Action Taken cell becomes an update. A first line such as ``Action Plan Update (December
  2020)`` becomes the update's title and date; a continuation cell without such a heading continues the
  update above it. The row's owners and target dates go on that update (else on the row's one action, else on
  the recommendation). Action cells become actions, one per bullet.
- Status cells (``COMPLETE``, ``ONGOING - Long term``, ``N/A``, ``Removed``) give status, status-text and
  timescale; a recommendation whose text reads "Removed ..." is recorded as removed, and "duplicate of
  recommendation N" there becomes an explicit duplicate-of link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model.nodes import SLUG, Response, Status
from ..text import normalise_space
from .headers import FIELDS, HEADER_SEARCH_ROWS, field_of_header, header_key, header_label
from .organisations import OrganisationIndex
from .printed import BULLET, fold, paragraphs, parse_printed_date, parse_response, parse_status, slug, update_heading
from .readers import Table, excerpt, problems_error

_ADDRESSEE = re.compile(r"(?is)(?P<who>.{2,300}?)\s+should\s*:?\s*")
_REMOVED = re.compile(r"(?i)^\W*(?:recommendation\s+)?(?:removed|deleted|withdrawn)\b")
_DUPLICATE_OF = re.compile(
    r"(?i)duplicate\s+of\s+(?:the\s+)?(?:(?P<group>\w+)\s+)?recommendation\s+(?:no\.?\s*)?(?P<number>[a-z]?\d+[a-z]?)\b"
)


_TEXT_NUMBER = re.compile(r"^\s*(?P<number>\d{1,3}(?:\.\d{1,3})+|\d{1,3}[.)])\s+(?=[\"“‘(A-Z])")
"""A number printed at the start of a recommendation cell ("7.1 Make the ...", "3. Publish ...")."""

_ALSO = re.compile(r"(?i),?\s+(?:along with|as well as|together with)\s+")
"""Words that join two owners in one paragraph ("the CIO Council, as well as other interagency bodies")."""
_OWNER_GOES_ON = re.compile(r"(?i)(?:[,&/(-]|\b(?:and|or|of|for|the|to|in|on|at|by|with|from))$")
_OWNER_CONTINUES = re.compile(r"^(?:[a-z(&]|and\b)")
"""An owner paragraph that does not end here / a paragraph that continues the owner above (a wrapped name)."""

_MANY_COLUMNS = {"owner", "target-date", "note", "action"}
"""Fields a published document may give in several columns (read leniently: Lead and Partners are both owners)."""


@dataclass
class Progress:
    status: Status | None = None
    status_text: str | None = None
    timescale: str | None = None
    owners: list[tuple[str, str | None]] = field(default_factory=list)
    target_dates: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Update:
    place: str
    title: str | None
    date: str | None
    lines: list[str]
    progress: Progress = field(default_factory=Progress)
    page: int | None = None


@dataclass
class Action:
    text: str
    progress: Progress = field(default_factory=Progress)
    page: int | None = None


@dataclass
class Recommendation:
    place: str
    id: str
    number: str | None
    workstream: str | None
    addressed_to: list[str]
    addressee_text: str | None
    text: list[str] = field(default_factory=list)
    response: Response | None = None
    progress: Progress = field(default_factory=Progress)
    actions: list[Action] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    single: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (value, place)
    page: int | None = None  # the page of a PDF where the text starts
    review: list[str] = field(default_factory=list)  # "field: why it needs a reader's check"


class PlanBuilder:
    """Turn header-mapped rows into recommendations, collecting every problem with its place."""

    def __init__(
        self, organisations: OrganisationIndex, mappings: dict[str, tuple[str, str]], lenient: bool = False
    ) -> None:
        """``lenient`` (published documents): a table without a header is skipped, an unknown column left out with
        a warning, and a response or status that is not one of the printed labels kept as text and flagged for
        review instead of refused."""
        self.organisations = organisations
        self.lenient = lenient
        self.display = ""  # the file read, when no table of it was (a document read by its headings)
        self.warnings: list[str] = []
        self.mappings = mappings
        self.problems: list[str] = []
        self.recommendations: list[Recommendation] = []
        self.workstreams: dict[str, str] = {}
        self.title: str | None = None
        self.tables_used: list[Table] = []
        self._keys: dict[str, str] = {}
        self._mapped: set[str] = set()
        self._headers_seen: list[str] = []
        self._page: int | None = None

    def problem(self, place: str, message: str) -> None:
        self.problems.append(f"{place}: {message}")

    def raise_problems(self) -> None:
        if self.problems:
            raise problems_error(self.problems)

    # -- headers ----------------------------------------------------------------------------

    def read(self, tables: list[Table]) -> None:
        for table in tables:
            header = self._find_header(table)
            if header is not None:
                self.tables_used.append(table)
                self._read_rows(table, *header)
        if not self.tables_used and not self.problems and not self.lenient:
            examples = "'Rec No', 'Recommendation', 'Agreed/Partly Agreed/Not Agreed', 'Response Action Taken/Planned'"
            where = tables[0].display if tables[0].kind == "docx" else tables[0].place(1)
            self.problem(
                where,
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected columns such as "
                f"{examples} (name other columns with --map COLUMN=FIELD)",
            )
        if self.tables_used and not self.recommendations and not self.problems:
            table = self.tables_used[0]
            self.problem(
                table.display if table.kind == "docx" else table.place(1), "no recommendations below the header row"
            )
        for rec in self.recommendations:
            if not rec.text and rec.progress.status is not Status.REMOVED:
                self.problem(
                    rec.place,
                    f"recommendation {rec.number or rec.id} has no text (if it was removed, "
                    "write 'Removed' in its Recommendation or Status cell)",
                )
            for update in rec.updates:
                if not any(line.strip() for line in update.lines):
                    self.problem(update.place, f"the update '{update.title}' has no text below its heading")
        for key, (_, column) in self.mappings.items():
            if key not in self._mapped:
                where = self.tables_used[0].display if self.tables_used else tables[0].display
                columns = ", ".join(f"'{header}'" for header in self._headers_seen)
                self.problem(where, f"--map names a column '{column}' that is not in the header (columns: {columns})")

    def _field(self, header: str) -> str | None:
        key = header_key(header)
        return self.mappings[key][0] if key in self.mappings else field_of_header(header)

    def _find_header(self, table: Table) -> tuple[int, list[str | None], list[str]] | None:
        """Return (position in the rows, field of each column, headers) of the table's header row, or None."""
        candidates = table.rows[:HEADER_SEARCH_ROWS]
        chosen = None
        # A header names at least two known columns, or the Recommendation / Rec No column and one other.
        for rule in (
            lambda fields, filled: len(fields) >= 2,
            lambda fields, filled: bool(fields & {"text", "number"}) and filled >= 2,
        ):
            for position, (_, cells) in enumerate(candidates):
                named = {self._field(cell) for cell in cells if cell} - {None, "ignore"}
                if rule(named, sum(1 for cell in cells if cell)):
                    chosen = position
                    break
            if chosen is not None:
                break
        if chosen is None:
            return None
        row_number, headers = candidates[chosen]
        self._headers_seen.extend(normalise_space(header) for header in headers if header)
        self._mapped.update(header_key(header) for header in headers if header)
        fields: list[str | None] = []
        first_column: dict[str, int] = {}
        for index, header in enumerate(headers):
            name = self._field(header) if header else None
            if header and name is None and self.lenient:
                name = "ignore"
                self.warnings.append(
                    f"{table.place(row_number)}: column '{normalise_space(header)}' left out "
                    f"(name it with --map '{normalise_space(header)}=FIELD')"
                )
            elif header and name is None:
                name = "ignore"  # reported once here, not again for each row
                self.problem(
                    table.place(row_number, index),
                    f"unknown column '{normalise_space(header)}': name it with --map '{normalise_space(header)}=FIELD' "
                    f"(FIELD one of: {', '.join(FIELDS)})",
                )
            elif name and name != "ignore":
                if name in first_column and self.lenient:
                    if name not in _MANY_COLUMNS:
                        self.warnings.append(
                            f"{table.place(row_number)}: column '{normalise_space(header)}' left out: "
                            f"'{normalise_space(headers[first_column[name]])}' is already {name}"
                        )
                        name = "ignore"
                elif name in first_column:
                    other = normalise_space(headers[first_column[name]])
                    self.problem(
                        table.place(row_number, index),
                        f"columns '{other}' and '{normalise_space(header)}' are both {name}: "
                        f"leave one out with --map '{normalise_space(header)}=ignore'",
                    )
                first_column.setdefault(name, index)
            fields.append(name)
        if "text" not in first_column:
            self.problem(table.place(row_number), "no Recommendation column (name it with --map COLUMN=text)")
        for _, cells in candidates[:chosen]:
            texts = {cell for cell in cells if cell}
            if self.title is None and len(texts) == 1:
                self.title = normalise_space(texts.pop())
        if self.title is None and table.title:
            self.title = table.title
        return chosen, fields, headers

    # -- rows -------------------------------------------------------------------------------

    def _read_rows(self, table: Table, header_position: int, fields: list[str | None], headers: list[str]) -> None:
        if self.lenient:
            fields = _responses_in_update_columns(table, header_position, fields)
        has_keys = "number" in fields or "id" in fields
        numbered_text = not has_keys and _numbers_text(table, header_position, fields)
        has_keys = has_keys or numbered_text
        current: Recommendation | None = None
        addressee: tuple[list[str], str] | None = None
        addressee_place = None
        workstream: str | None = None
        headerless: set[int] = set()
        for row_number, cells in table.rows[header_position + 1 :]:
            if not any(cells) or cells[: len(headers)] == headers:
                continue
            who = self._addressee(cells)
            if who is not None:
                addressee = (self.organisations.addressees(who), normalise_space(cells[_first_filled(cells)]))
                addressee_place = table.place(row_number)
                current = None
                continue
            heading = self._section_heading(cells, fields)
            if heading is not None:
                # "Additional recommendations": a new group, often numbered from 1 again, with its own addressees.
                workstream, addressee, addressee_place, current = self._workstream(heading), None, None, None
                continue
            values: dict[str, tuple[str, int]] = {}
            for index, text in enumerate(cells):
                name = fields[index] if index < len(fields) else None
                if not text or name == "ignore":
                    continue
                if name is None:
                    if index not in headerless:
                        headerless.add(index)
                        self.problem(
                            table.place(row_number, index),
                            f"'{excerpt(text)}' is in a column with no header: give the column a header, or delete it",
                        )
                    continue
                if name in values:  # a second owner column (Lead, Partners): both are owners
                    text = values[name][0] + "\n\n" + text
                    index = values[name][1]
                values[name] = (text, index)
            if not values:
                continue
            if numbered_text and "text" in values:
                match = _TEXT_NUMBER.match(values["text"][0])
                if match:  # the printed number leaves the text and becomes the Rec No
                    index = values["text"][1]
                    values["number"] = (match.group("number").rstrip(".)"), index)
                    values["text"] = (values["text"][0][match.end() :], index)
            if "workstream" in values:
                workstream = self._workstream(values["workstream"][0])
            starts = ("number" in values or "id" in values) if has_keys else "text" in values
            if starts:
                current = self._start(table, row_number, values, workstream, addressee)
            elif current is None:
                keyed = has_keys and not numbered_text
                column = headers[fields.index("number" if "number" in fields else "id")] if keyed else None
                what = f"no {header_label(column)}" if column else "no recommendation text"
                after = f"the addressee row at {addressee_place}" if addressee_place else "the header"
                self.problem(
                    table.place(row_number), f"{what}: this row follows {after}, so it must start a recommendation"
                )
                continue
            self._apply(current, table, row_number, values, first=starts)

    def _addressee(self, cells: list[str]) -> str | None:
        texts = {normalise_space(cell) for cell in cells if cell}
        if len(texts) != 1:
            return None
        text = texts.pop()
        match = _ADDRESSEE.fullmatch(fold(text))
        return text[: match.end("who")] if match else None

    def _section_heading(self, cells: list[str], fields: list[str | None]) -> str | None:
        """Return the text of a heading row: one short text without digits, in the Rec No (or id) column."""
        filled = [(index, cell) for index, cell in enumerate(cells) if cell]
        texts = {normalise_space(cell) for _, cell in filled}
        if len(texts) != 1 or not filled:
            return None
        index, text = filled[0]
        text = normalise_space(text)
        key_column = index < len(fields) and fields[index] in ("number", "id")
        return text if key_column and len(text) <= 120 and not re.search(r"\d", text) else None

    def _workstream(self, title: str) -> str | None:
        title = normalise_space(title)
        workstream_id = slug(title) or "workstream"
        self.workstreams.setdefault(workstream_id, title)
        return workstream_id

    def _start(
        self,
        table: Table,
        row_number: int,
        values: dict[str, tuple[str, int]],
        workstream: str | None,
        addressee: tuple[list[str], str] | None,
    ) -> Recommendation:
        """Start a recommendation; after a problem, return one that is not kept (its continuation rows go with it)."""
        place = table.place(row_number)
        addressed_to, addressee_text = addressee if addressee else ([], None)
        discarded = Recommendation(place, "", None, workstream, [], None)
        number = normalise_space(values["number"][0]) if "number" in values else None
        if "id" in values:
            rec_id = values["id"][0].strip()
            if not SLUG.fullmatch(rec_id):
                self.problem(
                    table.place(row_number, values["id"][1]),
                    f"id '{rec_id}' must be lower-case letters, digits and hyphens (e.g. '{slug(rec_id) or 'r1'}')",
                )
                return discarded
            key, what = rec_id, f"id '{rec_id}'"
        elif number is not None:
            bare = re.sub(r"(?i)^(?:recommendation|rec)\.?\s*(?:no\.?\s*)?", "", number)
            if not re.search(r"\d", bare) or len(bare) > 20:
                self.problem(
                    table.place(row_number, values["number"][1]),
                    f"'{excerpt(number)}' is not a recommendation number (it needs a digit)",
                )
                return discarded
            local = slug(bare)
            rec_id = local if local[0].isalpha() else f"r{local}"
            if workstream:
                rec_id = f"{workstream}-{local}"
            key, what = rec_id, f"Rec No '{number}'"
        else:
            count = 1 + sum(1 for rec in self.recommendations if rec.workstream == workstream)
            rec_id = f"{workstream}-{count}" if workstream else f"r{count}"
            key, what = rec_id, f"recommendation id '{rec_id}'"
        if key in self._keys:
            self.problem(place, f"duplicate {what} (first at {self._keys[key]})")
            return discarded
        self._keys[key] = place
        rec = Recommendation(place, rec_id, number, workstream, list(addressed_to), addressee_text)
        rec.page = table.pages.get(row_number)
        self.recommendations.append(rec)
        return rec

    def _apply(
        self, rec: Recommendation, table: Table, row_number: int, values: dict[str, tuple[str, int]], first: bool
    ) -> None:
        def place(name: str) -> str:
            return table.place(row_number, values[name][1])

        for name in ("workstream", "addressed-to"):
            if name in values and self._set_once(rec, name, normalise_space(values[name][0]), place(name)):
                if name == "addressed-to":
                    rec.addressed_to = self.organisations.addressees(values[name][0])
        if "text" in values:
            text = values["text"][0]
            if first and _REMOVED.match(text):
                rec.progress.status, rec.progress.status_text = Status.REMOVED, normalise_space(text)
            else:
                rec.text.append(text)
        if "response" in values:
            text = values["response"][0]
            response = parse_response(text)
            if response is None and _REMOVED.match(text):
                rec.progress.status, rec.progress.status_text = Status.REMOVED, normalise_space(text)
            elif response is None and self.lenient:
                flag_response(rec, text)
            elif response is None:
                self.problem(
                    place("response"), f"response '{excerpt(text)}' is not Agreed, Partly Agreed or Not Agreed"
                )
            elif self._set_once(rec, "response", response.value, place("response")):
                rec.response = response
        if "note" in values:
            rec.notes.append(values["note"][0])

        self._page = table.pages.get(row_number)
        target: Progress | None = None
        if "update" in values:
            items = _bullet_items(values["update"][0])
            for item in items:
                update = self._add_update(
                    rec, item, table.place(row_number), continuation=not first and len(items) == 1
                )
            target = update.progress if len(items) == 1 else None  # one row's owners for several bullets: the item's
        actions: list[Action] = []
        if "action" in values:
            not_applicable = parse_status(values["action"][0]) or (None, None)
            actions = [] if not_applicable[0] is Status.NOT_APPLICABLE else self._actions(values["action"][0])
            for action in actions:
                action.page = self._page
            rec.actions.extend(actions)
            if target is None and len(actions) == 1:
                target = actions[0].progress
        status_target = rec.progress if first or target is None else target
        if "status" in values and not self._action_statuses(rec, actions, values["status"][0], table):
            self._status(status_target, values["status"][0], place("status"), rec)
        if "timescale" in values:
            status_target.timescale = normalise_space(values["timescale"][0])
        target = target or rec.progress
        if "owner" in values:
            for text in self._owners(values["owner"][0], table):
                target.owners.append((text, self.organisations.organisation_of_owner(text)))
        if "target-date" in values:
            for text in self._entries(values["target-date"][0], table):
                status = parse_status(text)
                if status is not None and target.status is None:
                    target.status, target.status_text = status[0], text  # "Completed" under the date
                elif status is None:
                    target.target_dates.append((text, parse_printed_date(text)))

    def _action_statuses(self, rec: Recommendation, actions: list[Action], text: str, table: Table) -> bool:
        """A status cell of one status per action bullet (as many paragraphs as the row has actions): each action
        takes its own; the recommendation is ongoing while any of them is (with that action's timescale), complete
        when all are. Return whether the cell was read so."""
        parts = [normalise_space(line) for line in text.split("\n") if line.strip()]
        if table.kind != "docx":
            parts = paragraphs(text)
        statuses = [parse_status(part) for part in parts]
        if len(parts) < 2 or len(parts) != len(actions) or None in statuses:
            return False
        for action, part, status in zip(actions, parts, statuses, strict=True):
            action.progress.status, action.progress.status_text = status[0] if status else None, part
            action.progress.timescale = status[1] if status else None
        ongoing = [action for action in actions if action.progress.status is Status.ONGOING]
        if ongoing:
            rec.progress.status, rec.progress.timescale = Status.ONGOING, ongoing[0].progress.timescale
        elif all(action.progress.status is Status.COMPLETE for action in actions):
            rec.progress.status = Status.COMPLETE
        return True

    def _owners(self, text: str, table: Table) -> list[str]:
        """The owners of a cell: its paragraphs (``_entries``), where a paragraph that only continues the one above
        (the line above ends in "and", "for", a comma...; this one starts lower-case or with "(") is joined to it;
        in a PDF cell of one paragraph, lines that each name a known organisation are separate owners."""
        owners: list[str] = []
        for entry in self._entries(text, table):
            if owners and (_OWNER_GOES_ON.search(owners[-1]) or _OWNER_CONTINUES.match(entry)):
                owners[-1] = f"{owners[-1]} {entry}"
            else:
                owners.append(entry)
        owners = [part for owner in owners for part in _ALSO.split(owner) if part.strip()]
        if table.kind == "pdf" and len(owners) == 1:
            lines = [normalise_space(line) for line in text.split("\n") if line.strip()]
            known = self.organisations.organisation_of_owner
            if len(lines) > 1 and all(known(line) for line in lines) and not known(owners[0]):
                return lines
        return owners

    def _entries(self, text: str, table: Table) -> list[str]:
        """The owners or dates of a cell: its paragraphs (in a PDF, lines set apart by a wider gap); in a PDF cell
        with no such gap, one entry, except that a line after a whole date or a status line stands alone. A Word
        cell has no wrapped lines: each of its lines is a paragraph (or a printed line break) of its own."""
        if table.kind == "docx":
            return [normalise_space(line) for line in text.split("\n") if line.strip()]
        if table.kind != "pdf" or "\n\n" in text:
            return paragraphs(text)
        entries: list[str] = []
        for line in (line.strip() for line in text.split("\n")):
            if not line:
                continue
            if entries and parse_printed_date(entries[-1]) is None and parse_status(line) is None:
                entries[-1] = f"{entries[-1]} {line}"  # one paragraph: the lines of one owner or date
            elif entries and parse_printed_date(entries[-1]) is None and parse_printed_date(f"{entries[-1]} {line}"):
                entries[-1] = f"{entries[-1]} {line}"  # "December" / "2021" wrapped in a narrow column
            else:
                entries.append(line)
        return entries

    def _set_once(self, rec: Recommendation, name: str, value: str, place: str) -> bool:
        previous = rec.single.get(name)
        if previous is None:
            rec.single[name] = (value, place)
            return True
        if previous[0] != value:
            self.problem(
                place,
                f"{name} '{excerpt(value)}' differs from '{excerpt(previous[0])}' at {previous[1]} "
                f"for the same recommendation",
            )
        return False

    def _status(self, progress: Progress, text: str, place: str, rec: Recommendation | None = None) -> None:
        parsed = parse_status(text)
        if parsed is None and self.lenient and rec is not None:
            rec.review.append(f"status: '{excerpt(text)}' is not a status crossplan knows; not set")
            return
        if parsed is None:
            self.problem(
                place,
                f"status '{excerpt(text)}' is not Complete, Ongoing, N/A or Removed "
                "(leave the column out with --map 'COLUMN=ignore', or write one of those)",
            )
            return
        if progress.status is not None and progress.status_text != normalise_space(text):
            self.problem(place, f"a second status '{excerpt(text)}' for the same item (first '{progress.status_text}')")
            return
        progress.status, progress.status_text = parsed[0], normalise_space(text)
        if parsed[1]:
            progress.timescale = parsed[1]

    def _add_update(self, rec: Recommendation, text: str, place: str, continuation: bool) -> Update:
        lines = [line for line in text.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        heading = update_heading(lines[0]) if lines else None
        used = 1
        if heading is None and len(lines) > 1 and self.lenient:  # a heading wrapped in a narrow column
            heading, used = update_heading(lines[0] + " " + lines[1]), 2
        if heading is None and continuation and rec.updates:
            update = rec.updates[-1]
            update.lines.extend(([""] if self.lenient else []) + lines)
            return update
        if heading is not None:
            lines = lines[used:]
        update = Update(place, heading[0] if heading else None, heading[1] if heading else None, lines)
        update.page = self._page
        rec.updates.append(update)
        return update

    def _actions(self, text: str) -> list[Action]:
        lines = [line for line in text.split("\n") if line.strip()]
        if not any(BULLET.match(line) for line in lines):
            return [Action(text)]
        actions: list[list[str]] = []
        for line in lines:
            if BULLET.match(line) or not actions:
                actions.append([BULLET.sub("", line)])
            else:
                actions[-1].append(line)
        return [Action("\n".join(parts)) for parts in actions]

    def links(self) -> list[dict]:
        """Return the duplicate-of links that removed recommendations state."""
        links = []
        for rec in self.recommendations:
            text = rec.progress.status_text if rec.progress.status is Status.REMOVED else None
            match = _DUPLICATE_OF.search(text or "")
            if not match:
                continue
            number, group = match.group("number").lower(), (match.group("group") or "").lower()
            targets = [
                other for other in self.recommendations if other is not rec and (other.number or "").lower() == number
            ]
            if len(targets) > 1 and group:  # "main recommendation 6": the group whose heading starts "Main"
                targets = [
                    other
                    for other in targets
                    if self.workstreams.get(other.workstream or "", "").lower().startswith(group)
                ]
            if len(targets) == 1:
                links.append({"from": rec.id, "to": targets[0].id, "quote": text})
        return links


def _responses_in_update_columns(table: Table, header: int, fields: list[str | None]) -> list[str | None]:
    """A "Response" column of short printed answers (Accepted, Not agreed) is the response, not an update."""
    if "response" in fields:
        return fields
    fields = list(fields)
    for index, name in enumerate(fields):
        if name != "update":
            continue
        cells = [cells[index] for _, cells in table.rows[header + 1 :] if index < len(cells) and cells[index].strip()]
        answers = [cell for cell in cells if len(cell) <= 40 and (parse_response(cell) or "principle" in cell.lower())]
        if cells and len(answers) >= 0.6 * len(cells):
            fields[index] = "response"
    return fields


def _bullet_items(text: str) -> list[str]:
    """A cell that starts with a bullet: its bullet points (without their bullets), each an update of its own;
    any other cell is one update (a bullet list after a paragraph stays in it)."""
    lines = text.split("\n")
    filled = [line for line in lines if line.strip()]
    if not filled or not BULLET.match(filled[0]) or re.match(r"\s*\d", filled[0]):
        return [text]
    items: list[list[str]] = []
    for line in lines:
        if BULLET.match(line) and not re.match(r"\s*\d", line):
            items.append([BULLET.sub("", line)])
        elif items:
            items[-1].append(line)
    return ["\n".join(item).strip("\n") for item in items]


def _numbers_text(table: Table, header: int, fields: list[str | None]) -> bool:
    """Whether a table without a Rec No column prints a number at the start of its recommendation cells: the first
    recommendation cell and at least half of them (the others continue the row above, e.g. across a page)."""
    if "text" not in fields:
        return False
    index = fields.index("text")
    cells = [cells[index] for _, cells in table.rows[header + 1 :] if index < len(cells) and cells[index].strip()]
    numbered = [bool(_TEXT_NUMBER.match(cell)) for cell in cells]
    return bool(numbered) and numbered[0] and 2 * sum(numbered) >= len(numbered)


def flag_response(rec: Recommendation, text: str) -> None:
    """Keep a printed answer that is not agreed / partly agreed / not agreed ("accepted in principle", an answer
    per administration, prose) as the recommendation's note, flagged for review."""
    printed = normalise_space(text)
    rec.notes.append(f"Response as printed: {printed}")
    why = "'accepted in principle'" if "principle" in printed.lower() else f"'{excerpt(printed)}'"
    rec.review.append(f"response: printed {why}, which is not agreed, partly agreed or not agreed; not set")


def _first_filled(cells: list[str]) -> int:
    return next(index for index, cell in enumerate(cells) if cell)
