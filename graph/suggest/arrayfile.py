"""Some one-dimensional numpy arrays in one file, read in place (``mmap``): only the pages a reader touches are read.

The file is a fixed header (a magic string, the length and the SHA-256 of a JSON manifest), the manifest, then each
array's raw bytes at a page boundary. The manifest names each array with its dtype (numbers or text only: nothing
read back can run code), length, offset, a checksum of its bytes and, for numbers, its least and greatest value; it
also holds the file's size and some metadata of the writer's. A file is written to a temporary name and renamed,
so a reader sees a whole file or none.

Reading checks the header, the manifest's digest, the file's size and every array's place, dtype and length before
anything is mapped, then each array's checksum (a block-wise Fletcher sum of 64-bit words, a pass over the data at
memory speed): a file cut short, rewritten or with a byte changed is rejected, never trusted. The extents kept in
the manifest are those of the bytes the checksum vouches for, so readers can check ranges without a pass of their own.

The checksums are worked out once per version of a file: a reader that found them all right records the file's
identity (device, inode, size, modification and change times: any write, rename or truncation changes one) and the
manifest's digest beside it (``NAME.checked``), and a reader of the very same file skips that pass, as ``make`` and
git trust a file's times. The identity is recorded only once the file's times are ``_SETTLED_NS`` old, so that a write
within the same tick of a coarse file-system clock cannot pass for the version checked.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..files import FileIdentity, stat_identity, write_atomically

ARRAYS_FORMAT = 1
MAGIC = b"CPARRAYS"
_HEADER = struct.Struct("<8sQ32s")  # magic, manifest length, SHA-256 of the manifest
_PAGE = 4096
_BLOCK_WORDS = _PAGE // 8
_CHUNK = 1 << 20  # the checksum is worked out a MiB at a time (multiple of the page)
_KINDS = {"i", "u", "f", "b", "U"}
_SETTLED_NS = 2_000_000_000  # a file's times this old (past any file system's clock tick) are its version's


class ArrayFile:
    """Arrays read in place from a file ``write_file`` wrote, checked; ``meta`` is the writer's metadata,
    ``extents`` each numeric array's (least, greatest) value (None when empty), ``digest`` the manifest's SHA-256
    (a name for this very file)."""

    def __init__(
        self,
        meta: dict[str, Any],
        arrays: dict[str, np.ndarray],
        extents: dict[str, tuple[Any, Any] | None],
        digest: str,
    ) -> None:
        self.meta, self.arrays, self.extents, self.digest = meta, arrays, extents, digest
        self.mapped: mmap.mmap | None = None
        self.places: dict[str, tuple[int, int]] = {}  # name -> (offset, bytes)

    def release(self, name: str) -> None:
        """Let this process's pages of an array go (they stay cached; read again if it is used): for an array a
        reader has replaced by a copy."""
        if self.mapped is not None and name in self.places and hasattr(self.mapped, "madvise"):
            offset, size = self.places[name]
            if size:
                self.mapped.madvise(mmap.MADV_DONTNEED, offset, _padded(size))


def write_file(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> bool:
    """Write some 1-D arrays (numbers or text) and metadata (JSON) to ``path``, replacing it at once; False (and no
    file) on failure."""
    listed: list[list[Any]] = []
    prepared: list[np.ndarray] = []
    offset = 0
    for name, array in arrays.items():
        found = np.ascontiguousarray(array)
        if found.ndim != 1 or found.dtype.kind not in _KINDS:
            raise ValueError(f"{name}: only one-dimensional arrays of numbers or text are kept")
        if found.dtype.kind != "U" and found.dtype.byteorder == ">":
            found = found.astype(found.dtype.newbyteorder("<"))
        raw = found.view(np.uint8) if found.size else np.zeros(0, dtype=np.uint8)
        extent: list[int] | list[float] | None = None
        if found.dtype.kind in "iub" and found.size:
            extent = [int(found.min()), int(found.max())]
        elif found.dtype.kind == "f" and found.size:
            extent = [float(found.min()), float(found.max())]
        listed.append([name, found.dtype.str, len(found), offset, _checksum(raw), extent])
        prepared.append(raw)
        offset += _padded(raw.size)
    manifest = {"format": ARRAYS_FORMAT, "meta": meta, "arrays": listed}
    start = _padded(_HEADER.size + len(json.dumps(manifest)) + 64)  # room for the size, written below
    for entry in listed:
        entry[3] += start
    manifest["size"] = start + offset
    text = json.dumps(manifest).encode()
    if _HEADER.size + len(text) > start:  # pragma: no cover - the room above is ample
        raise ValueError("manifest larger than its room")
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            out.write(_HEADER.pack(MAGIC, len(text), hashlib.sha256(text).digest()))
            out.write(text)
            out.write(b"\0" * (start - _HEADER.size - len(text)))
            for raw in prepared:
                out.write(raw.data)
                out.write(b"\0" * (_padded(raw.size) - raw.size))
        os.replace(temporary, path)
        _checked_path(path).unlink(missing_ok=True)  # the record of an earlier version's checking
    except OSError:
        temporary.unlink(missing_ok=True)
        return False
    return True


def remove_file(path: Path) -> None:
    """Remove a file ``write_file`` wrote, with the record of its checking (missing: nothing to do)."""
    path.unlink(missing_ok=True)
    _checked_path(path).unlink(missing_ok=True)


def read_file(path: Path, *, private: bool = False) -> ArrayFile | None:
    """The arrays and metadata of a file ``write_file`` wrote, mapped and checked (see the module's description),
    or None: missing, damaged or written otherwise. The arrays are read-only, or with ``private`` writable in this
    process only (copy on write: the file never changes)."""
    try:
        with path.open("rb") as found:
            head = found.read(_HEADER.size)
            if len(head) != _HEADER.size:
                return None
            magic, length, digest = _HEADER.unpack(head)
            size = os.fstat(found.fileno()).st_size
            if magic != MAGIC or length > size:
                return None
            text = found.read(length)
            if len(text) != length or hashlib.sha256(text).digest() != digest:
                return None
            manifest = json.loads(text)
            listed = _listed(manifest, size)
            if listed is None:
                return None
            identity = stat_identity(os.fstat(found.fileno()))
            access = mmap.ACCESS_COPY if private else mmap.ACCESS_READ
            mapped = mmap.mmap(found.fileno(), 0, access=access) if size else None
    except (OSError, ValueError, RecursionError):  # RecursionError: a manifest nested past reason
        return None
    checked = _was_checked(path, identity, digest.hex())
    arrays: dict[str, np.ndarray] = {}
    extents: dict[str, tuple[Any, Any] | None] = {}
    for name, dtype, count, offset, checksum, extent in listed:
        if count == 0 or mapped is None:
            array = np.zeros(0, dtype=dtype)
        else:
            array = np.frombuffer(mapped, dtype=dtype, count=count, offset=offset)
            if not checked:
                raw = np.frombuffer(mapped, dtype=np.uint8, count=count * dtype.itemsize, offset=offset)
                if _checksum(raw) != checksum:
                    return None
                if hasattr(mapped, "madvise"):  # the pages checked leave this process (they stay cached): its
                    mapped.madvise(mmap.MADV_DONTNEED, offset, _padded(raw.size))  # readers map what they touch
        arrays[name] = array
        extents[name] = None if extent is None else (extent[0], extent[1])
    if not checked:
        _record_checked(path, identity, digest.hex())
    meta = manifest["meta"]
    out = ArrayFile(meta if isinstance(meta, dict) else {}, arrays, extents, digest.hex())
    out.mapped = mapped
    out.places = {name: (offset, count * dtype.itemsize) for name, dtype, count, offset, _, _ in listed}
    return out


def _checked_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.checked")


def _was_checked(path: Path, identity: FileIdentity, digest: str) -> bool:
    """Whether this very version of the file (its identity and manifest) had every checksum found right."""
    try:
        kept = json.loads(_checked_path(path).read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(kept, dict) and kept.get("identity") == list(identity) and kept.get("digest") == digest


def _record_checked(path: Path, identity: FileIdentity, digest: str) -> None:
    """Record that this version of the file had every checksum found right, once its times are settled (a file
    written since within the same clock tick would otherwise look the same); quietly not if it cannot be."""
    if time.time_ns() - max(identity[3], identity[4]) < _SETTLED_NS:
        return
    data = json.dumps({"identity": list(identity), "digest": digest}).encode("utf-8")
    try:
        write_atomically(_checked_path(path), lambda stream: stream.write(data))
    except OSError:
        pass


def _listed(manifest: Any, size: int) -> list[tuple[str, np.dtype, int, int, str, list | None]] | None:
    """The manifest's arrays (name, dtype, length, offset, checksum, extent), each checked to lie in a file of
    ``size`` bytes, or None."""
    if not isinstance(manifest, dict) or manifest.get("format") != ARRAYS_FORMAT or manifest.get("size") != size:
        return None
    entries = manifest.get("arrays")
    if not isinstance(entries, list) or "meta" not in manifest:
        return None
    out = []
    names: set[str] = set()
    for entry in entries:
        if not isinstance(entry, list) or len(entry) != 6:
            return None
        name, dtype_text, count, offset, checksum, extent = entry
        if not isinstance(name, str) or name in names or not isinstance(dtype_text, str):
            return None
        if not all(isinstance(value, int) and value >= 0 for value in (count, offset)) or offset % _PAGE:
            return None
        try:
            dtype = np.dtype(dtype_text)
        except (TypeError, ValueError, SyntaxError):
            return None
        if dtype.kind not in _KINDS or dtype.hasobject or dtype.itemsize == 0 or dtype.str != dtype_text:
            return None
        if offset + count * dtype.itemsize > size or not isinstance(checksum, str):
            return None
        if extent is not None and not (
            isinstance(extent, list) and len(extent) == 2 and all(isinstance(v, (int, float)) for v in extent)
        ):
            return None
        names.add(name)
        out.append((name, dtype, count, offset, checksum, extent))
    return out


def _padded(size: int) -> int:
    return -(-size // _PAGE) * _PAGE


def _checksum(raw: np.ndarray) -> str:
    """A Fletcher sum of some bytes (zero-padded to whole pages): each page's 64-bit words added (wrapping), then
    those sums and their sum weighted by page number. Any changed byte changes the first; pages moved, the second."""
    first = second = 0
    page = 0
    mask = (1 << 64) - 1
    for at in range(0, raw.size, _CHUNK):
        part = raw[at : at + _CHUNK]
        whole = part.size // _PAGE * _PAGE
        sums = part[:whole].view("<u8").reshape(-1, _BLOCK_WORDS).sum(axis=1, dtype=np.uint64)
        if whole < part.size:
            tail = np.zeros(_PAGE, dtype=np.uint8)
            tail[: part.size - whole] = part[whole:]
            sums = np.r_[sums, tail.view("<u8").sum(dtype=np.uint64)]
        weights = np.arange(page + 1, page + 1 + len(sums), dtype=np.uint64)
        first = (first + int(sums.sum(dtype=np.uint64))) & mask
        second = (second + int((sums * weights).sum(dtype=np.uint64))) & mask
        page += len(sums)
    return f"{first:016x}{second:016x}"
