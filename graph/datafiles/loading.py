"""Load a data directory of YAML plans and registries into nodes and links, checking them line by line.

Only this module (and the importer) reads the data files. Every problem is reported as
``file:line: what is wrong (and a likely fix)``; nothing is half-loaded.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, Problem
from ..files import resolve_inside
from ..model.nodes import (
    REGISTRY_TYPES,
    SLUG,
    Basis,
    Link,
    Location,
    Node,
    NodeType,
    Owner,
    Relation,
    Response,
    Status,
    TargetDate,
    shorten,
)
from ..resources import shipped_data_dir
from ..text import did_you_mean, display_path, normalise_space
from .yamlfile import YamlList, YamlMapping, read_yaml, written_form

REGISTRY_FILES = ("organisations.yaml", "documents.yaml", "programmes.yaml")
PLANS_DIR = "plans"
SOURCES_DIR = "sources"
GLOBAL_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Reference:
    """A reference from one place in the data to a global id, expected to be one of some node types."""

    location: Location
    target: str
    expected: tuple[str, ...]  # NodeType values; empty means any node
    field: str


@dataclass
class ParsedFile:
    """What one data file defines: its nodes and links, the references it makes, and its problems."""

    relpath: str
    kind: str  # "plan" or a registry name
    graph: str  # the named graph's local name: the plan id or the registry name
    nodes: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source_document: str | None = None  # a plan's source document id
    unreadable: bool = False  # the YAML could not be parsed at all, so its ids are unknown


@dataclass
class Dataset:
    """The whole data directory, loaded: nodes by global id and every link."""

    data_dir: Path
    files: list[ParsedFile]
    nodes: dict[str, Node]
    links: list[Link]
    problems: list[Problem]

    def plans(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.type is NodeType.PLAN]

    def source_path(self, document_id: str) -> Path | None:
        """Return the path of a document's shipped source text, if it has one."""
        document = self.nodes.get(document_id)
        if document is None or not document.source_file:
            return None
        # followed links included: a source text is never read from outside the data directory
        return resolve_inside(self.data_dir, self.data_dir / SOURCES_DIR / document.source_file)


def data_files(data_dir: Path) -> list[str]:
    """List the data files of a directory, as paths relative to it (registries first, then plans)."""
    names = [name for name in REGISTRY_FILES if (data_dir / name).is_file()]
    plans_dir = data_dir / PLANS_DIR
    if plans_dir.is_dir():
        names += sorted(
            f"{PLANS_DIR}/{path.name}"
            for path in plans_dir.iterdir()
            if path.suffix in (".yaml", ".yml") and path.is_file()
        )
    return names


def check_data_dir(data_dir: Path) -> None:
    """Raise DataError unless ``data_dir`` is a directory that looks like crossplan data."""
    if not data_dir.exists():
        raise DataError.at(display_path(data_dir), 0, "no such data directory (make one with `crossplan init DIR`)")
    if not data_dir.is_dir():
        raise DataError.at(display_path(data_dir), 0, "not a directory")
    if not data_files(data_dir):
        raise DataError.at(
            display_path(data_dir), 0, "no organisations.yaml, documents.yaml, programmes.yaml or plans/*.yaml here"
        )


def load_dataset(
    data_dir: Path | str | None = None, *, strict: bool = True, overrides: dict[str, str] | None = None
) -> Dataset:
    """Load and check every file of a data directory (default: the shipped data).

    ``overrides`` maps a relative path (``plans/new.yaml``) to YAML text that stands in for that file
    (or adds it), so a change can be checked before anything is written.
    Returns a Dataset; with ``strict`` (the default) raises DataError listing every problem instead.
    """
    data_dir = Path(data_dir) if data_dir is not None else shipped_data_dir()
    overrides = overrides or {}
    if not overrides:
        check_data_dir(data_dir)
    names = data_files(data_dir) if data_dir.is_dir() else []
    names += sorted(name for name in overrides if name not in names)
    files = [parse_file(data_dir, relpath, overrides.get(relpath)) for relpath in names]
    nodes: dict[str, Node] = {}
    links: list[Link] = []
    for parsed in files:
        for node in parsed.nodes:
            nodes.setdefault(node.id, node)
        links.extend(parsed.links)
    problems = [problem for parsed in files for problem in parsed.problems]
    if not any(parsed.unreadable for parsed in files):
        # an unreadable file defines ids we cannot see: checking references now would only add noise
        problems += check_references(files)
    dataset = Dataset(data_dir, files, nodes, links, sorted(set(problems)))
    if strict and dataset.problems:
        raise DataError(dataset.problems)
    return dataset


def definitions_of(files: list[ParsedFile]) -> list[tuple[str, str, Location]]:
    """Return (global id, node type, location) for every node the files define."""
    return [(node.id, node.type.value, node.location) for parsed in files for node in parsed.nodes]


def check_references(files: list[ParsedFile]) -> list[Problem]:
    """Check ids are unique and every reference names a node of the right type."""
    return check_definitions(definitions_of(files), [ref for parsed in files for ref in parsed.references])


def check_definitions(definitions: list[tuple[str, str, Location]], references: list[Reference]) -> list[Problem]:
    """Check a list of definitions for duplicate ids and a list of references against them."""
    problems: list[Problem] = []
    index: dict[str, tuple[str, Location]] = {}
    for global_id, kind, location in definitions:
        first = index.get(global_id)
        if first is not None:
            where = f"line {first[1].line}" if first[1].path == location.path else str(first[1])
            problems.append(
                Problem(location.path, location.line, f"duplicate id '{global_id}' (first defined at {where})")
            )
        else:
            index[global_id] = (kind, location)
    return problems + check_file_references(references, index)


def check_file_references(references: list[Reference], index: dict[str, tuple[str, Location]]) -> list[Problem]:
    """Check a list of references against an index of defined ids."""
    problems = []
    for reference in references:
        found = index.get(reference.target)
        location = reference.location
        if found is None:
            candidates = [
                gid for gid, (kind, _) in index.items() if not reference.expected or kind in reference.expected
            ]
            problems.append(
                Problem(
                    location.path,
                    location.line,
                    f"{reference.field} '{reference.target}' is not defined{did_you_mean(reference.target, candidates)}",
                )
            )
        elif reference.expected and found[0] not in reference.expected:
            wanted = " or ".join(reference.expected)
            problems.append(
                Problem(
                    location.path,
                    location.line,
                    f"{reference.field} '{reference.target}' is a {found[0]}, not a {wanted}",
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Parsing one file


def parse_file(data_dir: Path, relpath: str, text: str | None = None) -> ParsedFile:
    """Parse one data file (or ``text`` standing in for it) into a ParsedFile; problems are collected, never raised."""
    path = data_dir / relpath
    display = display_path(path)
    if relpath.startswith(PLANS_DIR + "/"):
        parsed = ParsedFile(relpath, "plan", Path(relpath).stem)
    else:
        name = Path(relpath).stem
        parsed = ParsedFile(relpath, name, name)
    try:
        document = read_yaml(path, display, text)
    except DataError as error:
        parsed.problems.extend(error.problems)
        parsed.unreadable = True
        return parsed
    reader = _FileReader(parsed, display, data_dir)
    if parsed.kind == "plan":
        reader.read_plan(document)
    else:
        reader.read_registry(document, parsed.kind)
    return parsed


class _FileReader:
    def __init__(self, parsed: ParsedFile, display: str, data_dir: Path):
        self.parsed = parsed
        self.display = display
        self.data_dir = data_dir
        self.plan_id: str | None = None
        self.local_ids: set[str] = set()

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, line: int, message: str) -> None:
        self.parsed.problems.append(Problem(self.display, line, message))

    def location(self, line: int) -> Location:
        return Location(self.display, line)

    def fields(
        self, mapping, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = (), line: int | None = None
    ) -> _Fields | None:
        if not isinstance(mapping, YamlMapping):
            line = getattr(mapping, "line", None) or line or 1
            self.problem(line, f"{where} must be a mapping of keys, not {_kind_of(mapping)}")
            return None
        for key in mapping:
            if key not in allowed:
                self.problem(mapping.line_of(key), f"unknown key '{key}' in {where}{did_you_mean(key, allowed)}")
        for key in required:
            if key not in mapping or mapping[key] is None:
                self.problem(mapping.line, f"{where} has no '{key}'")
        return _Fields(self, mapping, where)

    def resolve(self, ref: str) -> str:
        """Resolve a reference written in this file: a local item id first, then a global id."""
        if "/" not in ref and self.plan_id and ref in self.local_ids:
            return f"{self.plan_id}/{ref}"
        return ref

    def refer(self, line: int, target: str, expected: tuple[NodeType, ...], field_name: str) -> None:
        self.parsed.references.append(
            Reference(self.location(line), target, tuple(t.value for t in expected), field_name)
        )

    def add_node(self, node: Node) -> Node:
        self.parsed.nodes.append(node)
        return node

    # -- registries --------------------------------------------------------------------------

    def read_registry(self, document, kind: str) -> None:
        node_type = REGISTRY_TYPES[kind]
        if document is None:
            return
        top = self.fields(document, f"{kind}.yaml", (kind,))
        if top is None:
            return
        entries = top.list_of(kind, required=False)
        for entry, line in entries:
            if node_type is NodeType.ORGANISATION:
                self.read_organisation(entry, line)
            elif node_type is NodeType.DOCUMENT:
                self.read_document(entry, line)
            else:
                self.read_programme(entry, line)

    def read_organisation(self, entry, line: int) -> None:
        fields = self.fields(
            entry, "an organisation", ("id", "name", "abbreviations", "part-of", "url", "note"), ("id", "name"), line
        )
        if fields is None:
            return
        node_id = fields.slug("id", required=True)
        name = fields.text("name", required=True)
        if node_id is None or name is None:
            return
        node = self.add_node(Node(node_id, NodeType.ORGANISATION, name, self.location(entry.line)))
        node.abbreviations = fields.text_list("abbreviations")
        node.part_of = fields.reference("part-of", (NodeType.ORGANISATION,))
        node.url = fields.text("url")
        node.note = fields.text("note")

    def read_document(self, entry, line: int) -> None:
        fields = self.fields(
            entry,
            "a document",
            ("id", "title", "publisher", "date", "date-note", "url", "file", "licence", "note"),
            ("id", "title"),
            line,
        )
        if fields is None:
            return
        node_id = fields.slug("id", required=True)
        title = fields.text("title", required=True)
        if node_id is None or title is None:
            return
        node = self.add_node(Node(node_id, NodeType.DOCUMENT, title, self.location(entry.line), title=title))
        node.publishers = fields.references("publisher", (NodeType.ORGANISATION,))
        node.date = fields.date("date")
        node.date_note = fields.text("date-note")
        node.url = fields.text("url")
        node.licence = fields.text("licence")
        node.note = fields.text("note")
        source_file = fields.text("file")
        if source_file is not None:
            if "/" in source_file or "\\" in source_file or source_file.startswith("."):
                self.problem(
                    entry.line_of("file"), f"file '{source_file}' must be a plain file name inside {SOURCES_DIR}/"
                )
            elif resolve_inside(self.data_dir, self.data_dir / SOURCES_DIR / source_file) is None:
                self.problem(
                    entry.line_of("file"),
                    f"file '{source_file}' in {SOURCES_DIR}/ leads outside the data directory "
                    f"(a link?): copy the text into {SOURCES_DIR}/ instead",
                )
            elif not (self.data_dir / SOURCES_DIR / source_file).is_file():
                self.problem(entry.line_of("file"), f"file '{source_file}' is not in {SOURCES_DIR}/")
            node.source_file = source_file

    def read_programme(self, entry, line: int) -> None:
        fields = self.fields(
            entry,
            "a programme",
            ("id", "name", "abbreviations", "owners", "part-of", "url", "note"),
            ("id", "name"),
            line,
        )
        if fields is None:
            return
        node_id = fields.slug("id", required=True)
        name = fields.text("name", required=True)
        if node_id is None or name is None:
            return
        node = self.add_node(Node(node_id, NodeType.PROGRAMME, name, self.location(entry.line)))
        node.abbreviations = fields.text_list("abbreviations")
        node.owners = [Owner(None, org) for org in fields.references("owners", (NodeType.ORGANISATION,))]
        node.part_of = fields.reference("part-of", (NodeType.PROGRAMME,))
        node.url = fields.text("url")
        node.note = fields.text("note")

    # -- plans -------------------------------------------------------------------------------

    def read_plan(self, document) -> None:
        if document is None:
            self.problem(1, "the plan file is empty: it needs a 'plan:' section")
            return
        top = self.fields(document, "a plan file", ("plan", "workstreams", "recommendations", "links"), ("plan",))
        if top is None or not isinstance(document.get("plan"), YamlMapping):
            if top is not None and "plan" in document:
                self.problem(document.line_of("plan"), "'plan' must be a mapping with id and title")
            return
        head = self.fields(
            document["plan"],
            "the plan",
            ("id", "title", "source", "owners", "date", "date-note", "note"),
            ("id", "title"),
        )
        if head is None:  # not reached: the plan was just found to be a mapping
            return
        plan_id = head.slug("id", required=True)
        title = head.text("title", required=True)
        if plan_id is None:
            return
        expected_id = Path(self.parsed.relpath).stem
        if plan_id != expected_id:
            self.problem(
                document["plan"].line_of("id"), f"plan id '{plan_id}' must match the file name '{expected_id}.yaml'"
            )
        self.plan_id = plan_id
        self.parsed.graph = plan_id
        self.local_ids = _local_ids(document)
        plan = self.add_node(
            Node(plan_id, NodeType.PLAN, title or plan_id, self.location(document["plan"].line), title=title)
        )
        plan.source = head.reference("source", (NodeType.DOCUMENT,))
        self.parsed.source_document = plan.source
        plan.owners = [Owner(None, org) for org in head.references("owners", (NodeType.ORGANISATION,))]
        plan.date = head.date("date")
        plan.date_note = head.text("date-note")
        plan.note = head.text("note")

        workstream_ids = set()
        for position, (entry, line) in enumerate(top.list_of("workstreams", required=False), start=1):
            node = self.read_workstream(entry, position, line)
            if node:
                workstream_ids.add(node.id)
        for position, (entry, line) in enumerate(top.list_of("recommendations", required=False), start=1):
            self.read_recommendation(entry, position, workstream_ids, line)
        for entry, line in top.list_of("links", required=False):
            self.read_link(entry, line)

    def item_id(self, fields: _Fields, default: str | None = None) -> str | None:
        local = fields.slug("id", required=default is None)
        if local is None:
            local = default
        return f"{self.plan_id}/{local}" if local else None

    def child_id(self, fields: _Fields, default: str) -> str:
        """Return the global id of an item that has a default local id (an action's, an update's)."""
        local = fields.slug("id")
        return f"{self.plan_id}/{local or default}"

    def read_workstream(self, entry, position: int, line: int) -> Node | None:
        fields = self.fields(entry, "a workstream", ("id", "title", "text", "owners", "note"), ("id", "title"), line)
        if fields is None:
            return None
        node_id = self.item_id(fields)
        title = fields.text("title", required=True)
        if node_id is None:
            return None
        node = self.add_node(
            Node(
                node_id,
                NodeType.WORKSTREAM,
                title or node_id,
                self.location(entry.line),
                plan=self.plan_id,
                title=title,
            )
        )
        node.text = fields.text("text")
        node.position = position
        node.owners = fields.owners("owners")
        node.note = fields.text("note")
        return node

    def read_recommendation(self, entry, position: int, workstream_ids: set[str], line: int) -> None:
        allowed = (
            "id",
            "number",
            "workstream",
            "text",
            "label",
            "addressed-to",
            "addressee-text",
            "response",
            "status",
            "status-text",
            "timescale",
            "owners",
            "target-dates",
            "actions",
            "updates",
            "note",
        )
        fields = self.fields(entry, "a recommendation", allowed, ("id",), line)
        if fields is None:
            return
        node_id = self.item_id(fields)
        if node_id is None:
            return
        node = self.add_node(Node(node_id, NodeType.RECOMMENDATION, "", self.location(entry.line), plan=self.plan_id))
        node.position = position
        node.number = fields.text("number")
        pieces = fields.pieces("text")
        node.text = " ".join(pieces) if pieces else None
        node.text_pieces = pieces if len(pieces) > 1 else []
        node.status = fields.choice("status", Status)
        if node.text is None and node.status is not Status.REMOVED:
            self.problem(
                entry.line, f"recommendation '{node_id}' has no 'text' (only a removed recommendation may have none)"
            )
        workstream = fields.raw_text("workstream")
        if workstream is not None:
            resolved = self.resolve(workstream)
            if resolved not in workstream_ids:
                self.problem(
                    entry.line_of("workstream"),
                    f"workstream '{workstream}' is not a workstream of this plan{did_you_mean(resolved, workstream_ids)}",
                )
            node.workstream = resolved
        node.addressed_to = fields.references("addressed-to", (NodeType.ORGANISATION,))
        node.addressee_text = fields.text("addressee-text")
        node.response = fields.choice("response", Response)
        self.read_progress(fields, node, read_status=False)
        node.note = fields.text("note")
        label = fields.text("label")
        if label:
            node.label = label
        elif node.text:
            node.label = shorten(node.text)
        else:
            node.label = f"Recommendation {node.number or node_id.rsplit('/', 1)[1]}" + (
                " (removed)" if node.status is Status.REMOVED else ""
            )
        local = node_id.rsplit("/", 1)[1]
        for number, (action, line) in enumerate(fields.list_of("actions"), start=1):
            self.read_action(action, number, node, f"{local}-action-{number}", line)
        for number, (update, line) in enumerate(fields.list_of("updates"), start=1):
            self.read_update(update, number, node, f"{local}-update-{number}", line)

    def read_progress(self, fields: _Fields, node: Node, read_status: bool = True) -> None:
        if read_status:
            node.status = fields.choice("status", Status)
        node.status_text = fields.text("status-text")
        node.timescale = fields.text("timescale")
        node.owners = fields.owners("owners")
        node.target_dates = fields.target_dates("target-dates")

    def read_action(self, entry, position: int, parent: Node, default_id: str, line: int) -> None:
        allowed = ("id", "text", "status", "status-text", "timescale", "owners", "target-dates", "updates", "note")
        fields = self.fields(entry, "an action", allowed, ("text",), line)
        if fields is None:
            return
        node_id = self.child_id(fields, default_id)
        pieces = fields.pieces("text")
        text = " ".join(pieces) if pieces else None
        node = self.add_node(
            Node(node_id, NodeType.ACTION, shorten(text or node_id), self.location(entry.line), plan=self.plan_id)
        )
        node.parent = parent.id
        node.workstream = parent.workstream
        node.text = text
        node.text_pieces = pieces if len(pieces) > 1 else []
        node.position = position
        self.read_progress(fields, node)
        node.note = fields.text("note")
        local = node_id.rsplit("/", 1)[1]
        for number, (update, line) in enumerate(fields.list_of("updates"), start=1):
            self.read_update(update, number, node, f"{local}-update-{number}", line)

    def read_update(self, entry, position: int, parent: Node, default_id: str, line: int) -> None:
        allowed = ("id", "title", "date", "text", "status", "status-text", "owners", "target-dates", "note")
        fields = self.fields(entry, "an update", allowed, ("text",), line)
        if fields is None:
            return
        node_id = self.child_id(fields, default_id)
        pieces = fields.pieces("text")
        text = " ".join(pieces) if pieces else None
        title = fields.text("title")
        node = self.add_node(
            Node(
                node_id,
                NodeType.UPDATE,
                title or shorten(text or node_id),
                self.location(entry.line),
                plan=self.plan_id,
            )
        )
        node.parent = parent.id
        node.workstream = parent.workstream
        node.title = title
        node.text = text
        node.text_pieces = pieces if len(pieces) > 1 else []
        node.position = position
        node.date = fields.date("date")
        node.status = fields.choice("status", Status)
        node.status_text = fields.text("status-text")
        node.owners = fields.owners("owners")
        node.target_dates = fields.target_dates("target-dates")
        node.note = fields.text("note")

    def read_link(self, entry, line: int) -> None:
        allowed = ("from", "to", "relation", "basis", "quote", "target-quote", "source", "note", "method", "date")
        fields = self.fields(entry, "a link", allowed, ("from", "to", "relation", "basis", "quote"), line)
        if fields is None:
            return
        source_id = fields.reference("from", ())
        target_id = fields.reference("to", ())
        relation = fields.choice("relation", Relation)
        basis = fields.choice("basis", Basis)
        quote = fields.text("quote")
        if "quote" in entry and not quote:
            self.problem(
                entry.line_of("quote"), "empty quote: give the exact words from the source that justify the link"
            )
        if source_id is None or target_id is None or relation is None or basis is None or not quote:
            return
        if source_id == target_id:
            self.problem(entry.line, f"a link from '{source_id}' to itself")
            return
        link = Link(source_id, target_id, relation, basis, quote, self.location(entry.line))
        link.target_quote = fields.text("target-quote")
        link.document = fields.reference("source", (NodeType.DOCUMENT,))
        link.note = fields.text("note")
        link.method = fields.text("method")
        link.date = fields.date("date")
        for other in self.parsed.links:
            if other.key == link.key:
                self.problem(entry.line, f"duplicate link {link.key} (first at line {other.location.line})")
                return
        self.parsed.links.append(link)


def _local_ids(document: YamlMapping) -> set[str]:
    """Collect the local ids a plan file defines, including the default ids of actions and updates."""
    ids: set[str] = set()

    def add_children(entry, local: str) -> None:
        for key, kind in (("actions", "action"), ("updates", "update")):
            children = entry.get(key)
            if not isinstance(children, list):
                continue
            for number, child in enumerate(children, start=1):
                if isinstance(child, dict):
                    given = child.get("id")
                    child_id = given if isinstance(given, str) else f"{local}-{kind}-{number}"
                    ids.add(child_id)
                    add_children(child, child_id)

    for key in ("workstreams", "recommendations"):
        entries = document.get(key)
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    ids.add(entry["id"])
                    add_children(entry, entry["id"])
    return ids


def _kind_of(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _unquoted(key: str, value, written: str, item: bool = False) -> str:
    """Say that a text was written so that YAML reads it as something else, and how to quote it."""
    kind = "a date" if isinstance(value, str) else "true/false" if isinstance(value, bool) else "a number"
    name = key if item else f"'{key}'"
    fix = f'- "{written}"' if item else f'{key}: "{written}"'
    changed = (
        ""
        if isinstance(value, str) or str(value) == written or isinstance(value, bool)
        else f" ({str(value)} after reading)"
    )
    return f"{name} must be text, but {written} unquoted is read as {kind}{changed}: quote it, as in {fix}"


class _Fields:
    """Typed access to the keys of one YAML mapping, reporting problems at the key's line."""

    def __init__(self, reader: _FileReader, mapping: YamlMapping, where: str):
        self.reader = reader
        self.mapping = mapping
        self.where = where

    def line(self, key: str) -> int:
        return self.mapping.line_of(key)

    def raw_text(self, key: str, required: bool = False) -> str | None:
        value = self.mapping.get(key)
        if value is None:
            return None
        if required and isinstance(value, str) and not value.strip():
            self.reader.problem(self.line(key), f"'{key}' is empty")
            return None
        if isinstance(value, (list, dict)):
            self.reader.problem(self.line(key), f"'{key}' must be text, not {_kind_of(value)}")
            return None
        written = written_form(value)
        if written is not None:
            self.reader.problem(self.line(key), _unquoted(key, value, written))
            return None
        return str(value)

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.raw_text(key, required)
        return normalise_space(value) if value is not None else None

    def pieces(self, key: str) -> list[str]:
        """Read a text written whole, or as a list of pieces where the source prints it interrupted."""
        value = self.mapping.get(key)
        if isinstance(value, YamlList):
            pieces = []
            for item, line in zip(value, value.item_lines, strict=False):
                written = written_form(item)
                if written is not None and not isinstance(item, str):
                    self.reader.problem(line, _unquoted(f"each piece of '{key}'", item, written, item=True))
                elif isinstance(item, str) and item.strip():
                    pieces.append(normalise_space(item))
                else:
                    self.reader.problem(line, f"each piece of '{key}' must be non-empty text")
            return pieces
        text = self.text(key)
        return [text] if text else []

    def slug(self, key: str, required: bool = False) -> str | None:
        value = self.raw_text(key, required)
        if value is None:
            return None
        if not SLUG.fullmatch(value):
            suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            self.reader.problem(
                self.line(key), f"id '{value}' must be lower-case letters, digits and hyphens (e.g. '{suggestion}')"
            )
            return None
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [normalise_space(value)]
        if not isinstance(value, YamlList):
            self.reader.problem(self.line(key), f"'{key}' must be a list of text, not {_kind_of(value)}")
            return []
        out = []
        for item, line in zip(value, value.item_lines, strict=False):
            written = written_form(item)
            if written is not None:
                self.reader.problem(line, _unquoted(f"each of '{key}'", item, written, item=True))
            elif isinstance(item, str):
                out.append(normalise_space(item))
            else:
                self.reader.problem(line, f"each of '{key}' must be text, not {_kind_of(item)}")
        return out

    def list_of(self, key: str, required: bool = False) -> list[tuple[object, int]]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, YamlList):
            self.reader.problem(self.line(key), f"'{key}' must be a list, not {_kind_of(value)}")
            return []
        return list(zip(value, value.item_lines, strict=False))

    def _check_id(self, line: int, value: str, key: str) -> str | None:
        if not GLOBAL_ID.fullmatch(value):
            self.reader.problem(
                line,
                f"'{key}' value '{value}' is not an id (lower-case letters, digits and hyphens, optionally <plan>/<item>)",
            )
            return None
        return value

    def reference(self, key: str, expected: tuple[NodeType, ...]) -> str | None:
        value = self.raw_text(key)
        if value is None:
            return None
        value = value.strip()
        if self._check_id(self.line(key), value, key) is None:
            return None
        resolved = self.reader.resolve(value)
        self.reader.refer(self.line(key), resolved, expected, key)
        return resolved

    def references(self, key: str, expected: tuple[NodeType, ...]) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            values, lines = [value], [self.line(key)]
        elif isinstance(value, YamlList):
            values, lines = list(value), value.item_lines
        else:
            self.reader.problem(self.line(key), f"'{key}' must be an id or a list of ids, not {_kind_of(value)}")
            return []
        out = []
        for item, line in zip(values, lines, strict=False):
            if not isinstance(item, str):
                self.reader.problem(line, f"each of '{key}' must be an id, not {_kind_of(item)}")
                continue
            if self._check_id(line, item.strip(), key) is None:
                continue
            resolved = self.reader.resolve(item.strip())
            self.reader.refer(line, resolved, expected, key)
            out.append(resolved)
        return out

    def choice(self, key: str, enum):
        value = self.raw_text(key)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            spellings = enum.spellings()
            hint = (
                did_you_mean(value.strip().lower().replace(" ", "-").replace("_", "-"), spellings)
                or f" (one of: {', '.join(spellings)})"
            )
            self.reader.problem(self.line(key), f"unknown {key} '{value}'{hint}")
            return None

    def date(self, key: str, mapping: YamlMapping | None = None) -> str | None:
        mapping = mapping if mapping is not None else self.mapping
        value = mapping.get(key)
        if value is None:
            return None
        return parse_date(value, lambda message: self.reader.problem(mapping.line_of(key), message))

    def owners(self, key: str) -> list[Owner]:
        owners = []
        for item, line in self.list_of(key):
            if isinstance(item, str):
                resolved = self.reader.resolve(item.strip())
                if self._check_id(line, item.strip(), key) is not None:
                    self.reader.refer(line, resolved, (NodeType.ORGANISATION,), "owner")
                    owners.append(Owner(None, resolved))
                continue
            fields = self.reader.fields(item, "an owner", ("text", "organisation"), line=line)
            if fields is None:
                continue
            text = fields.text("text")
            organisation = fields.reference("organisation", (NodeType.ORGANISATION,))
            if text is None and organisation is None:
                self.reader.problem(line, "an owner needs 'text' (as printed) or 'organisation' (an id)")
                continue
            owners.append(Owner(text, organisation))
        return owners

    def target_dates(self, key: str) -> list[TargetDate]:
        targets = []
        for item, line in self.list_of(key):
            fields = self.reader.fields(item, "a target date", ("text", "date"), line=line)
            if fields is None:
                continue
            text = fields.text("text")
            date = fields.date("date")
            if text is None and date is None:
                self.reader.problem(line, "a target date needs 'text' (as printed) or 'date'")
                continue
            targets.append(TargetDate(text, date))
        return targets


def parse_date(value, report) -> str | None:
    """Check a date written as YYYY, YYYY-MM or YYYY-MM-DD and return it as text (or None, reporting why)."""
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        report(f"invalid date {value!r}: write YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    text = value.strip()
    match = _DATE.fullmatch(text)
    if not match:
        report(f"invalid date '{text}': write YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        report(f"invalid date '{text}': {error}")
        return None
    return text
