"""Read one data file (a registry or a plan) into a ParsedFile: its nodes, links, references and problems.

``parse_file`` is the only entry: the loader calls it for every file, and the store build calls it in worker
processes. Problems are collected with the line they are on, never raised.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..files import resolve_inside
from ..model.nodes import (
    REGISTRY_TYPES,
    Basis,
    Link,
    Location,
    Node,
    NodeType,
    Owner,
    Relation,
    Response,
    Status,
    shorten,
)
from ..text import did_you_mean, display_path
from .fields import Fields, kind_of
from .parsed import PLANS_DIR, SOURCES_DIR, ParsedFile, Reference
from .yamlfile import YamlMapping, read_yaml


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
    """Read the YAML document of one file into its ParsedFile, resolving a plan's local ids."""

    def __init__(self, parsed: ParsedFile, display: str, data_dir: Path) -> None:
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
        self,
        mapping: Any,
        where: str,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
        line: int | None = None,
    ) -> Fields | None:
        if not isinstance(mapping, YamlMapping):
            line = getattr(mapping, "line", None) or line or 1
            self.problem(line, f"{where} must be a mapping of keys, not {kind_of(mapping)}")
            return None
        for key in mapping:
            if key not in allowed:
                self.problem(mapping.line_of(key), f"unknown key '{key}' in {where}{did_you_mean(key, allowed)}")
        for key in required:
            if key not in mapping or mapping[key] is None:
                self.problem(mapping.line, f"{where} has no '{key}'")
        return Fields(self, mapping, where)

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

    def read_registry(self, document: Any, kind: str) -> None:
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

    def read_organisation(self, entry: Any, line: int) -> None:
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

    def read_document(self, entry: Any, line: int) -> None:
        fields = self.fields(
            entry,
            "a document",
            (
                "id",
                "title",
                "publisher",
                "date",
                "date-note",
                "url",
                "file",
                "licence",
                "note",
                "original",
                "sha256",
                "pages",
            ),
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

    def read_programme(self, entry: Any, line: int) -> None:
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

    def read_plan(self, document: Any) -> None:
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
            ("id", "title", "short-title", "source", "owners", "date", "date-note", "note"),
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
        plan.short_title = head.text("short-title")
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

    def item_id(self, fields: Fields, default: str | None = None) -> str | None:
        local = fields.slug("id", required=default is None)
        if local is None:
            local = default
        return f"{self.plan_id}/{local}" if local else None

    def child_id(self, fields: Fields, default: str) -> str:
        """Return the global id of an item that has a default local id (an action's, an update's)."""
        local = fields.slug("id")
        return f"{self.plan_id}/{local or default}"

    def read_workstream(self, entry: Any, position: int, line: int) -> Node | None:
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

    def read_recommendation(self, entry: Any, position: int, workstream_ids: set[str], line: int) -> None:
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
            "page",
            "review",
        )
        fields = self.fields(entry, "a recommendation", allowed, ("id",), line)
        if fields is not None:
            fields.import_marks()
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

    def read_progress(self, fields: Fields, node: Node, read_status: bool = True) -> None:
        if read_status:
            node.status = fields.choice("status", Status)
        node.status_text = fields.text("status-text")
        node.timescale = fields.text("timescale")
        node.owners = fields.owners("owners")
        node.target_dates = fields.target_dates("target-dates")

    def read_action(self, entry: Any, position: int, parent: Node, default_id: str, line: int) -> None:
        allowed = (
            "id",
            "text",
            "status",
            "status-text",
            "timescale",
            "owners",
            "target-dates",
            "updates",
            "note",
            "page",
        )
        fields = self.fields(entry, "an action", allowed, ("text",), line)
        if fields is not None:
            fields.import_marks()
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

    def read_update(self, entry: Any, position: int, parent: Node, default_id: str, line: int) -> None:
        allowed = ("id", "title", "date", "text", "status", "status-text", "owners", "target-dates", "note", "page")
        fields = self.fields(entry, "an update", allowed, ("text",), line)
        if fields is not None:
            fields.import_marks()
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

    def read_link(self, entry: Any, line: int) -> None:
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

    def add_children(entry: Any, local: str) -> None:
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
