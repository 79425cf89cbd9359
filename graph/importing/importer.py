"""Import a plan from a CSV, Excel (.xlsx), Word (.docx), PDF or web page (.html) file as a new plan file.

``import_plan`` reads the file's tables (readers), finds the header row (headers), builds the recommendations
from the rows (builder), matches the organisations they name (organisations) and writes the plan as YAML
(yamlout). The new plan is validated with the rest of the data directory before anything is written.
A published document (.pdf, .html, a .docx that is not one action-plan table) is read in a limited child process
(sandbox) into a Document, its layout recognised (layouts), and its extracted text saved with the plan as its
source (sources).
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ..datafiles.datadir import writable_data_dir
from ..datafiles.loading import load_dataset
from ..datafiles.lock import data_dir_lock
from ..datafiles.parsed import PLANS_DIR
from ..datafiles.yamlfile import YamlList, YamlMapping, read_yaml
from ..errors import CrossplanError, DataError, ImportFileError, Problem
from ..files import write_texts_atomically
from ..model.nodes import SLUG, Status
from ..output import counted
from ..rdf.validation import normalise_source, printed_texts, validate_data
from ..text import display_path, normalise_space, shown_name
from .builder import PlanBuilder, Recommendation
from .document import Document
from .headers import check_mappings
from .layouts import read_document as read_layouts
from .organisations import OrganisationIndex
from .readers import Table, check_import_file, read_tables
from .sandbox import read_document
from .sources import SavedSource
from .yamlout import organisations_yaml, render_plan


@dataclass
class ImportResult:
    """What an import wrote (or, with ``dry_run``, would write)."""

    plan_id: str
    plan_path: Path
    plan_text: str
    source: str
    tables: str
    recommendations: int
    removed: int
    updates: int
    actions: int
    workstreams: int
    links: int
    unknown_organisations: list[str]
    added_organisations: list[tuple[str, str]]
    organisations_path: Path
    organisations_text: str | None
    written: bool
    warnings: list[str] = field(default_factory=list)
    read_as: list[str] = field(default_factory=list)
    review: int = 0
    reviewed_items: int = 0
    source_path: Path | None = None

    def summary(self) -> str:
        """Describe the import in a few lines, as the CLI prints it."""
        removed = f" ({self.removed} removed)" if self.removed else ""
        counts = (
            f"{counted(self.recommendations, 'recommendation')}{removed}, {counted(self.updates, 'update')}, "
            f"{counted(self.actions, 'action')}, {counted(self.workstreams, 'workstream')}, {counted(self.links, 'link')}"
        )
        where = display_path(self.plan_path)
        if self.written:
            lines = [f"Imported {counts} from {self.source} ({self.tables}) into {where}"]
        else:
            lines = [f"Dry run: would write {where} with {counts} from {self.source} ({self.tables}); nothing written"]
        lines += [f"Read as: {what}" for what in self.read_as]
        if self.read_as:
            lines.append(
                f"Review: {counted(self.review, 'flagged field')} in {counted(self.reviewed_items, 'item')} "
                "(each item's review: list says why)"
                if self.review
                else "Review: no flagged fields"
            )
        if self.source_path is not None:
            verb = "Saved" if self.written else "Would save"
            lines.append(f"{verb} the extracted text as {display_path(self.source_path)} (the plan's source)")
        organisations = display_path(self.organisations_path)
        if self.added_organisations:
            verb = "Added" if self.written else "Would add"
            added = ", ".join(f"{org_id} ({name})" for org_id, name in self.added_organisations)
            lines.append(f"{verb} {counted(len(self.added_organisations), 'organisation')} to {organisations}: {added}")
        if self.unknown_organisations:
            lines.append(
                f"Not in {organisations} (left out of addressed-to; add them with --add-organisations): "
                + "; ".join(self.unknown_organisations)
            )
        lines += [f"Warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


def import_plan(
    source: Path | str,
    plan_id: str,
    data_dir: Path | str | None = None,
    *,
    title: str | None = None,
    mappings: dict[str, str] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    add_organisations: bool = False,
) -> ImportResult:
    """Import an action-plan table as ``plans/<plan_id>.yaml`` of a data directory.

    ``source`` is a .csv, .xlsx or .docx file; ``mappings`` maps a column header to one of ``FIELDS``;
    ``sheet`` names the worksheet of an .xlsx file (default: the first) or the table number of a .docx file.
    The whole data set is validated with the new plan (and any organisations added with
    ``add_organisations``) before anything is written; ``dry_run`` writes nothing.
    Returns an ImportResult. Raises ImportFileError (naming file, sheet, row and column) when the file cannot
    be read, CrossplanError for a bad plan id, data directory or existing plan, and DataError when the result
    would not validate.
    """
    data_dir = writable_data_dir(
        data_dir,
        refusal="will not import into the shipped data: make a data directory of your own with "
        "`crossplan init DIR` and pass `--data DIR` (or set CROSSPLAN_DATA=DIR)",
    )
    if not SLUG.fullmatch(plan_id or ""):
        suggestion = re.sub(r"[^a-z0-9]+", "-", (plan_id or "").lower()).strip("-") or "my-plan"
        raise CrossplanError(
            f"plan id '{plan_id}' must be lower-case letters, digits and hyphens (e.g. '{suggestion}')"
        )
    plan_relpath = f"{PLANS_DIR}/{plan_id}.yaml"
    plan_path = data_dir / plan_relpath
    if plan_path.exists() and not force:
        raise CrossplanError(f"{display_path(plan_path)} already exists (use --force to replace it)")
    columns = check_mappings(mappings or {})
    source = Path(source)
    published = published_document(source, sheet)
    # a published document is read first: a file that is refused (no text layer...) is refused at once
    document = read_document(source, published) if published is not None else None
    # held from reading the data to renaming the files, so that concurrent writers lose nothing
    with nullcontext() if dry_run else data_dir_lock(data_dir):
        if plan_path.exists() and not force:
            raise CrossplanError(f"{display_path(plan_path)} already exists (use --force to replace it)")
        dataset = load_dataset(data_dir, strict=False)
        organisations = OrganisationIndex.from_dataset(dataset, plan_id, add_organisations)
        if published is None:
            try:
                tables = read_tables(source, sheet)
            except ImportFileError as error:
                if source.suffix.lower() != ".docx" or not str(error).endswith("the document has no tables"):
                    raise
                tables = []
            builder = PlanBuilder(organisations, columns)
            if tables:
                builder.read(tables)
            if source.suffix.lower() == ".docx" and (not tables or _try_as_document(builder)):
                published = "docx"
                organisations = OrganisationIndex.from_dataset(dataset, plan_id, add_organisations)
            else:
                builder.raise_problems()
        read_as: list[str] = []
        if published is not None:
            strict = builder if published == "docx" and tables else None
            if document is None:
                document = read_document(source, published)
            builder = PlanBuilder(organisations, columns, lenient=True)
            read_as = read_layouts(document, builder)
            if strict is not None and (builder.problems or not builder.recommendations):
                strict.raise_problems()  # the template table's own problems say best what to mend
            builder.raise_problems()
            if not builder.recommendations:
                raise ImportFileError(
                    f"{display_path(source)}: found no recommendations: no table with a header such as 'Recommendation', "
                    "no form tables and no numbered headings ('Recommendation 1', '1.'); name table columns with --map"
                )
            tables = [_document_table(source, document)]
        plan_title = normalise_space(title or "") or builder.title or (document.title if document else None)
        plan_title = plan_title or _title_from_name(source)
        saved = None if document is None else SavedSource(data_dir, plan_id, source, document, plan_title, force)
        plan_text = render_plan(
            plan_id,
            plan_title,
            builder,
            _describe_source(source, tables),
            source=saved.document_id if saved else None,
            source_text=saved.text if saved else None,
        )

        organisations_path = data_dir / "organisations.yaml"
        overrides = {plan_relpath: plan_text}
        if saved is not None:
            overrides["documents.yaml"] = saved.documents_yaml(with_file=False)
        organisations_text = None
        if organisations.added:
            organisations_text = organisations_yaml(organisations_path, organisations.added)
            overrides["organisations.yaml"] = organisations_text
        problems = validate_data(data_dir, overrides=overrides)
        if saved is not None and not problems:
            problems = _unsourced(data_dir, overrides, plan_id, saved.text)
        if problems:
            raise DataError(_relocate(problems, display_path(plan_path), plan_text, builder.recommendations))
        if not dry_run:
            written: dict[Path, str] = {plan_path: plan_text}
            if organisations_text is not None:
                written[organisations_path] = organisations_text
            if saved is not None:
                saved.path.parent.mkdir(exist_ok=True)
                written[saved.path] = saved.text
                written[saved.documents_path] = saved.documents_yaml()
            plan_path.parent.mkdir(exist_ok=True)
            write_texts_atomically(written)  # every file or none
    recommendations = builder.recommendations
    return ImportResult(
        plan_id=plan_id,
        plan_path=plan_path,
        plan_text=plan_text,
        source=display_path(source),
        tables=_describe_tables(tables, builder.tables_used),
        recommendations=len(recommendations),
        removed=sum(1 for rec in recommendations if rec.progress.status is Status.REMOVED),
        updates=sum(len(rec.updates) for rec in recommendations),
        actions=sum(len(rec.actions) for rec in recommendations),
        workstreams=len(builder.workstreams),
        links=len(builder.links()),
        unknown_organisations=organisations.unknown,
        added_organisations=[(entry.id, entry.name) for entry in organisations.added],
        organisations_path=organisations_path,
        warnings=[warning for table in tables for warning in table.warnings]
        + builder.warnings
        + (document.warnings if document else []),
        read_as=read_as,
        review=sum(len(rec.review) for rec in recommendations),
        reviewed_items=sum(1 for rec in recommendations if rec.review),
        source_path=saved.path if saved else None,
        organisations_text=organisations_text,
        written=not dry_run,
    )


def _unsourced(data_dir: Path, overrides: dict[str, str], plan_id: str, text: str) -> list[Problem]:
    """Check the plan's printed texts against the source text about to be saved (validate does it once it is)."""
    source = normalise_source(text)
    dataset = load_dataset(data_dir, strict=False, overrides=overrides)
    problems = []
    for node in dataset.nodes.values():
        if node.plan != plan_id:
            continue
        for what, printed in printed_texts(node):
            if normalise_source(printed) not in source:
                problems.append(
                    Problem(
                        node.location.path,
                        node.location.line,
                        f"{what} of '{node.id}' is not in the extracted text: '{printed[:60]}'",
                    )
                )
    return problems


def _relocate(
    problems: list[Problem], plan_display: str, plan_text: str, recommendations: list[Recommendation]
) -> list[Problem]:
    """Point validation problems in the unwritten plan file at the rows they came from."""
    try:
        document = read_yaml(Path(plan_display), plan_display, plan_text)
        items = document.get("recommendations") if isinstance(document, YamlMapping) else None
        lines = list(items.item_lines) if isinstance(items, YamlList) else []
    except Exception:  # the text did not even parse: report the problems as they are
        lines = []
    relocated = []
    for problem in problems:
        if problem.path != plan_display:
            relocated.append(
                Problem(problem.path, problem.line, f"{problem.message} (with the imported plan; nothing was written)")
            )
            continue
        index = max((i for i, line in enumerate(lines) if line <= problem.line), default=None)
        if index is None or index >= len(recommendations):
            relocated.append(
                Problem(
                    problem.path,
                    problem.line,
                    f"{problem.message} (in the plan as it would be written: see --dry-run; nothing was written)",
                )
            )
            continue
        relocated.append(
            Problem(
                recommendations[index].place,
                0,
                f"{problem.message} (line {problem.line} of the plan as "
                "it would be written; see --dry-run; nothing was written)",
            )
        )
    return relocated


_DOCUMENTS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def published_document(source: Path, sheet: str | None) -> str | None:
    """Return the reader kind ("pdf", "html") of a published document, checking its size; None for a table file."""
    kind = _DOCUMENTS.get(source.suffix.lower())
    if kind is None:
        return None
    display = display_path(source)
    if sheet is not None:
        raise ImportFileError(f"{display}: --sheet is for .xlsx workbooks and .docx tables")
    check_import_file(source, display)
    return kind


def _try_as_document(builder: PlanBuilder) -> bool:
    """A .docx that the template table's strict reading refuses (no header row, columns or statuses it does not
    know) is read again as a published document, leniently; its own problems stand if that reads nothing better."""
    return bool(builder.problems)


def _document_table(source: Path, document: Document) -> Table:
    return Table(display_path(source), document.kind, f"{counted(document.pages, 'page')}", [])


def _describe_source(source: Path, tables: list[Table]) -> str:
    if tables and tables[0].kind == "xlsx":
        return f"{shown_name(source.name)}, sheet {tables[0].name}"
    return shown_name(source.name)


def _describe_tables(tables: list[Table], used: list[Table]) -> str:
    kind = tables[0].kind
    if kind in ("pdf", "html", "docx") and not tables[0].rows and tables[0].name.endswith(("page", "pages")):
        return tables[0].name
    if kind == "xlsx":
        return f"sheet {tables[0].name}"
    if kind == "csv":
        return f"{len(tables[0].rows)} rows"
    return ", ".join(table.name for table in used)


def _title_from_name(source: Path) -> str:
    return shown_name(" ".join(re.split(r"[-_\s]+", source.stem)).strip().capitalize() or source.name)
