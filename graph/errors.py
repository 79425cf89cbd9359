"""Typed errors raised by the library; the CLI turns them into one-line messages."""

from __future__ import annotations

from dataclasses import dataclass


class CrossplanError(Exception):
    """Base class of every error the library raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located at ``path:line``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class DataError(CrossplanError):
    """The data directory holds one or more problems; nothing was built or written."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = sorted(problems) if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def at(cls, path: str, line: int, message: str) -> DataError:
        """Make an error about a single place."""
        return cls(Problem(path, line, message))


class QueryError(CrossplanError):
    """A query cannot run: syntax error (with line and column), refused operation, or time-out."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        caret: int | None = None,
    ):
        self.message = message
        self.line = line
        self.column = column
        self.source_line = source_line
        self.caret = caret  # where the caret goes under ``source_line`` when that is an excerpt of the line
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return the message with its ``line:column``, the offending line and a caret."""
        if self.line is None:
            return self.message
        text = f"{self.line}:{self.column}: {self.message}"
        if self.source_line is not None:
            caret = " " * max((self.caret or self.column or 1) - 1, 0) + "^"
            text += f"\n  {self.source_line}\n  {caret}"
        return text


class EngineError(QueryError):
    """The query engine died on a query (an abort inside Oxigraph): that query has no answer; nothing else is lost."""


class BusyError(CrossplanError):
    """Too many questions and queries are being answered at once: try again in a moment."""


class UnknownIdError(CrossplanError):
    """An id given by the user names no node (the message carries a did-you-mean)."""


class EndpointError(CrossplanError):
    """A SPARQL server could not be reached or answered with an error."""


class ImportFileError(CrossplanError):
    """A spreadsheet or document could not be imported (the message names file, sheet, row and column).

    ``problems`` lists every problem found (the message may show only the first of many)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else [message]


class SettingError(CrossplanError, ValueError):
    """A ``CROSSPLAN_*`` environment variable holds a value its setting cannot use (``graph/settings.py``)."""


class StoreError(CrossplanError):
    """The store cannot be opened or written (in use by another process, damaged, the disk full…)."""


class LocalOnlyError(EndpointError, AttributeError):
    """A command needs the local data, not a SPARQL server (an AttributeError too, so ``hasattr`` stays false)."""


class VizOptionError(CrossplanError, ValueError):
    """Options of the browser graph that do not go together or name no relation (the CLI shows a usage error)."""


class ServeError(CrossplanError):
    """The server cannot start (the port is taken, the address cannot be used)."""


class OutputError(CrossplanError):
    """An output file (``-o``) would replace data: a file of the data directory, or a YAML file (``--force`` overrides)."""


class DataDirBusyError(CrossplanError):
    """Another writer has held the data directory's lock longer than a writer waits: nothing was written."""


class WriteError(CrossplanError, OSError):
    """A file could not be written (the disk full, above all): the message names the file that failed.

    It is an ``OSError`` too, with the operating system's ``errno``, so that code handling a failed write (the
    store's fallbacks) still does."""

    def __init__(self, error_number: int, reason: str, path: str, message: str) -> None:
        super().__init__(error_number, reason, path)
        self.message = message

    def __str__(self) -> str:
        return self.message
