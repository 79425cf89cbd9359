"""Write files safely: through a temporary file in the same directory, renamed into place; read back the JSON files
crossplan keeps (``read_json``)."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CrossplanError, OutputError, WriteError
from .text import display_path

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def write_atomically(path: Path | str, write: Callable, *, sync: bool = False) -> None:
    """Call ``write(binary_stream)`` on a temporary file beside ``path``, then rename it over ``path``.

    If ``write`` raises, the temporary file is removed and the previous ``path`` is left intact.
    With ``sync`` the data reaches the disk before the rename (for commit points such as a manifest).
    A full disk raises WriteError naming ``path`` (an OSError too, with its errno).
    """
    path = Path(path)
    temporary = _written_beside(path, write, sync)
    _rename(temporary, path)


def write_texts_atomically(texts: dict[Path, str]) -> None:
    """Write several UTF-8 files together: every one is written beside its path first, then all are renamed.

    A failure while writing (a full disk) leaves every file as it was, not some written and some not; only the
    renames, which take no space, come after. Raises as ``write_atomically`` does.
    """
    written: list[tuple[Path, Path]] = []
    try:
        for path, text in texts.items():
            data = text.encode("utf-8")
            written.append((_written_beside(Path(path), lambda stream, data=data: stream.write(data), False), path))
    except BaseException:
        for temporary, _path in written:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in written:
        _rename(temporary, Path(path))


def _written_beside(path: Path, write: Callable, sync: bool) -> Path:
    """Write a temporary file beside ``path`` (with ``path``'s permissions) and return it; remove it on failure."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CrossplanError(f"{path}: the directory {directory} does not exist")
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        if error.errno in _DISK_FULL:
            raise disk_full(path, error) from None
        raise
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, WriteError) and error.errno in _DISK_FULL:
            raise disk_full(path, error) from None
        raise
    return temporary


def _rename(temporary: Path, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno in _DISK_FULL:
            raise disk_full(path, error) from None
        raise


def disk_full(path: Path | str, error: OSError) -> WriteError:
    """Word a write that failed for want of space, naming the file that could not be written."""
    return WriteError(
        error.errno or errno.ENOSPC,
        error.strerror or "No space left on device",
        str(path),
        f"{display_path(Path(path))}: the disk is full ({(error.strerror or 'no space left on device').lower()}) "
        "writing this file; it is as it was: free some space and run the command again",
    )


def write_text_atomically(path: Path | str, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically."""
    write_atomically(path, lambda stream: stream.write(text.encode("utf-8")))


def resolve_inside(root: Path | str, path: Path | str) -> Path | None:
    """Return ``path`` with its symbolic links followed if it lies inside ``root`` (links followed too), else None.

    >>> resolve_inside("/tmp", "/tmp/../etc/passwd") is None
    True
    """
    try:
        resolved = Path(path).resolve()
        base = Path(root).resolve()
    except (OSError, RuntimeError):  # a loop of links, or a path the system cannot follow
        return None
    return resolved if resolved == base or base in resolved.parents else None


DATA_SUFFIXES = (".yaml", ".yml")
"""Files crossplan reads as data: no command writes over one of them without ``--force``."""


def check_output(path: Path | str, data_dirs, *, force: bool = False) -> None:
    """Refuse an output path (``-o``) that would replace data, unless ``force``; raise OutputError saying so.

    Refused: any existing file inside one of ``data_dirs`` (links followed), a new ``.yaml``/``.yml`` file there
    (it would be read as data), an existing ``.yaml``/``.yml`` file anywhere (crossplan writes none), and a
    directory inside the data directory. Writing elsewhere, or a new file of another kind, is allowed.
    """
    if force:
        return
    target = Path(path)
    shown = str(path)
    suffixes = {target.suffix.lower()}
    try:
        suffixes.add(target.resolve().suffix.lower())
    except (OSError, RuntimeError):
        pass
    is_data_kind = bool(suffixes & set(DATA_SUFFIXES))
    exists = target.exists() or target.is_symlink()
    home = next(
        (
            Path(directory)
            for directory in data_dirs
            if directory is not None and resolve_inside(directory, target) is not None
        ),
        None,
    )
    if home is not None and (exists or is_data_kind):
        what = "directory" if target.is_dir() else "file"
        raise OutputError(
            f"{shown}: will not write over a {what} of the data directory {home} (choose another "
            "output file; --force writes there anyway)"
        )
    if exists and is_data_kind and not target.is_dir():
        raise OutputError(
            f"{shown}: will not replace a YAML file that crossplan did not write (choose another "
            "output file; --force replaces it)"
        )


def read_json(path: Path) -> Any:
    """Read a JSON file crossplan keeps (a store's manifest, a file's table or entry, an index entry): its content,
    to be checked by the caller, or None if it is missing, unreadable or not JSON (nested too deep included)."""
    try:
        with path.open("rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None


FileIdentity = tuple[int, int, int, int, int]


def stat_identity(found: os.stat_result) -> FileIdentity:
    """What tells one version of a file from another: its device, inode, size, modification and change times (ns).
    Any write, truncation or rename changes one (a new file renamed over it, its inode)."""
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def file_identity(path: Path | str) -> FileIdentity | None:
    """A file's ``stat_identity``, or None if it cannot be read: what tells that a file kept in memory is still the
    one on disk."""
    try:
        return stat_identity(os.stat(path))
    except OSError:
        return None


def names_in(folder: Path | str) -> set[str]:
    """The names in a folder (none when it cannot be listed): one listing instead of a stat per file."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()
