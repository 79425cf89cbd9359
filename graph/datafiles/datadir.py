"""Make a data directory of one's own, and write an empty action-plan template to fill in and import."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CrossplanError
from ..files import write_atomically, write_text_atomically
from ..resources import shipped_data_dir
from ..text import display_path
from .loading import check_data_dir
from .parsed import PLANS_DIR, REGISTRY_FILES, SOURCES_DIR

_EMPTY_REGISTRIES = {
    "organisations.yaml": """\
# Organisations named in the plans (docs/data-format.md), for example:
#   - id: yjb
#     name: Youth Justice Board
#     abbreviations: [YJB]
organisations: []
""",
    "documents.yaml": """\
# Documents the plans come from; `file:` names a source text in sources/ that quotes are checked against:
#   - id: my-action-plan
#     title: "Action plan: ..."
#     file: my-action-plan.txt
documents: []
""",
    "programmes.yaml": """\
# Programmes the plans refer to:
#   - id: early-action-together
#     name: Early Action Together
programmes: []
""",
}

TEMPLATE_COLUMNS = (
    "Rec No",
    "Recommendation",
    "Agreed/Partly Agreed/Not Agreed",
    "Response Action Taken/Planned",
    "Responsible Owner",
    "Target Date",
    "Status",
    "Workstream",
)
"""The columns of the template, in the order of the inspectorates' action-plan template."""

TEMPLATE_ROWS = (
    ("The Youth Justice Board should:", "", "", "", "", "", "", ""),
    (
        "1",
        "Ensure that reliable data on outcomes for children leaving custody is available to inform improvements "
        "in service provision.",
        "Agreed",
        "Action Plan (January 2020)\nThe YJB is revising the data collected from Youth Offending Teams (YOTs) to "
        "assess performance and drive improvements.",
        "YJB Senior Information Analyst",
        "April 2020",
        "Ongoing",
        "Resettlement",
    ),
)
"""An addressee row and one example recommendation: delete them and fill in your own."""


@dataclass
class InitResult:
    """The data directory ``init_data_dir`` made."""

    path: Path
    plans: int
    files: int

    def summary(self) -> str:
        where = display_path(self.path)
        what = f"{self.plans} plan{'s' if self.plans != 1 else ''}" if self.plans else "empty registries, no plans"
        return (
            f"Made {where} ({what}, {self.files} files)\n"
            f"Use it with `crossplan --data {where} ...` or `export CROSSPLAN_DATA={where}`; "
            f"add a plan with `crossplan --data {where} import FILE --plan-id ID`"
        )


def init_data_dir(path: Path | str, *, with_shipped: bool = False) -> InitResult:
    """Make a new data directory at ``path``: empty registries, or a copy of the shipped data.

    ``path`` must not exist or be an empty directory. The directory appears complete or not at all (it is
    assembled beside ``path`` and renamed into place), so it needs no lock: of two ``init`` at once, one makes it
    and the other is refused. Raises CrossplanError otherwise.
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise CrossplanError(f"{display_path(path)} already exists and is not an empty directory: choose a new one")
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}."))
    try:
        if with_shipped:
            shutil.copytree(shipped_data_dir(), staging, dirs_exist_ok=True, ignore=_not_data)
        else:
            for name, text in _EMPTY_REGISTRIES.items():
                (staging / name).write_text(text, encoding="utf-8")
        (staging / PLANS_DIR).mkdir(exist_ok=True)
        (staging / SOURCES_DIR).mkdir(exist_ok=True)
        os.chmod(staging, 0o755)
        if path.exists():
            try:
                path.rmdir()
            except FileNotFoundError:  # another `init` took it away meanwhile: the rename decides
                pass
        os.replace(staging, path)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError) and error.errno in (errno.ENOTEMPTY, errno.EEXIST):  # another `init` won
            raise CrossplanError(
                f"{display_path(path)} already exists and is not an empty directory: choose a new one"
            ) from None
        raise
    plans = sorted((path / PLANS_DIR).glob("*.yaml"))
    files = [item for item in path.rglob("*") if item.is_file()]
    return InitResult(path, len(plans), len(files))


def _not_data(directory: str, names: list[str]) -> list[str]:
    """Leave the package's own files (``__init__.py``, caches) out of a copy of the shipped data."""
    keep = set(REGISTRY_FILES) | {PLANS_DIR, SOURCES_DIR}
    if Path(directory).name in (PLANS_DIR, SOURCES_DIR):
        return [name for name in names if name.startswith((".", "__"))]
    return [name for name in names if name not in keep]


def write_template(path: Path | str, output_format: str | None = None) -> Path:
    """Write an action-plan template (header, an addressee row, one example row) as .csv or .xlsx.

    ``output_format`` is ``csv`` or ``xlsx`` (default: from the file's extension, else csv). The CSV is
    UTF-8 with a byte-order mark so that Excel opens it with the right characters. Never overwrites a file.
    Returns the path written.
    """
    path = Path(path)
    output_format = output_format or (
        path.suffix.lower().lstrip(".") if path.suffix.lower() in (".csv", ".xlsx") else "csv"
    )
    if output_format not in ("csv", "xlsx"):
        raise CrossplanError(f"unknown template format '{output_format}' (csv or xlsx)")
    if path.suffix.lower() != f".{output_format}":
        raise CrossplanError(
            f"{display_path(path)}: the name of a .{output_format} template must end in .{output_format}"
        )
    if path.exists():
        raise CrossplanError(f"{display_path(path)} already exists: choose another name with -o FILE")
    if output_format == "csv":
        write_text_atomically(path, "\ufeff" + template_csv())
    else:
        write_atomically(path, _write_template_xlsx)
    return path


def template_csv() -> str:
    """Return the template as CSV text.

    >>> template_csv().splitlines()[0]
    'Rec No,Recommendation,Agreed/Partly Agreed/Not Agreed,Response Action Taken/Planned,Responsible Owner,Target Date,Status,Workstream'
    """
    import csv
    import io

    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return stream.getvalue()


def _write_template_xlsx(stream) -> None:
    import io

    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    sheet.append(TEMPLATE_COLUMNS)
    for row in TEMPLATE_ROWS:
        sheet.append(list(row))
    widths = (8, 50, 16, 60, 28, 14, 12, 18)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(TEMPLATE_COLUMNS))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    stream.write(buffer.getvalue())


def writable_data_dir(data_dir: Path | str | None, *, refusal: str | None = None) -> Path:
    """Return the data directory crossplan may write to, checked; never the shipped data (which None means).

    ``refusal`` is the message when it is the shipped data; by default it names the folder and the way out.
    """
    shipped = shipped_data_dir()
    path = Path(data_dir) if data_dir is not None else shipped
    if path.resolve() == shipped.resolve():
        raise CrossplanError(
            refusal
            or f"{display_path(path)} is the shipped data, which is not changed: make a copy with "
            "`crossplan init DIR --with-shipped` and use `--data DIR`"
        )
    check_data_dir(path)
    return path
