"""Index arrays and string tables in one file that every process maps: one copy per machine.

The file is a short header (magic, JSON describing each array) followed by the raw arrays,
each 64-byte aligned, and ends with a CRC-32 of everything before it. Mapped read-only, the
pages live once in the page cache and each process holds only what it touches and its own
small objects. Strings are a UTF-8 blob plus offsets; lookups by string go through an
open-addressing hash table of CRC-32s (`StringTable.index_of`), so no process builds a dict.
Writers write a temporary file in the same directory, fsync it and rename it into place: a
reader sees the whole file or none, and a crashed writer leaves nothing that is picked up (its
temporary file is deleted by the next writer).
Nothing here knows Django.
"""

import fcntl
import json
import mmap
import os
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np

MAGIC = b"DEFLECT-INDEX-1\n"
ALIGN = 64
TEMP_PREFIX = ".tmp-"
ABANDONED_AFTER = 60  # seconds
_CRC_CHUNK = 1 << 22


class CorruptIndexFile(ValueError):
    """The file is truncated, garbled or not an index file."""


# --- string tables --------------------------------------------------------------------------


def _hash_slots(encoded: list[bytes]) -> np.ndarray:
    """Open-addressing table (linear probing, load <= 1/4): slot -> string id + 1, 0 = empty."""
    size = 1 << max(3, (4 * len(encoded)).bit_length())
    mask = size - 1
    slots = np.zeros(size, dtype=np.int32)
    position = np.array([zlib.crc32(b) for b in encoded], dtype=np.int64) & mask
    waiting = np.arange(len(encoded), dtype=np.int64)
    # Placed in rounds: a string that finds its slot taken moves one on, as a lookup will.
    while len(waiting):
        free = slots[position] == 0
        first = np.zeros(len(waiting), dtype=bool)
        _, claimant = np.unique(np.where(free, position, -1), return_index=True)
        first[claimant] = True
        placed = free & first
        slots[position[placed]] = waiting[placed] + 1
        waiting, position = waiting[~placed], (position[~placed] + 1) & mask
    return slots


def string_arrays(strings: Iterable[str], *, hashed: bool = False) -> dict[str, np.ndarray]:
    """The arrays of a `StringTable`: a UTF-8 blob, offsets and, if `hashed`, hash slots."""
    encoded = [s.encode() for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    arrays = {"blob": np.frombuffer(b"".join(encoded), dtype=np.uint8), "offsets": offsets}
    if hashed:
        arrays["slots"] = _hash_slots(encoded)
    return arrays


class StringTable(Sequence):
    """A read-only list of strings over shared arrays; `index_of` when built `hashed`."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self._blob = memoryview(arrays["blob"])
        self._offsets = memoryview(arrays["offsets"])
        slots = arrays.get("slots")
        self._slots = None if slots is None else memoryview(slots)
        self._mask = 0 if slots is None else len(slots) - 1

    @classmethod
    def of(cls, strings: Iterable[str], *, hashed: bool = False) -> "StringTable":
        return cls(string_arrays(strings, hashed=hashed))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return str(self._blob[self._offsets[i] : self._offsets[i + 1]], "utf-8")

    def index_of(self, text: str) -> int | None:
        """Position of `text` in the table, or None."""
        encoded = text.encode()
        slots, offsets, blob, mask = self._slots, self._offsets, self._blob, self._mask
        slot = zlib.crc32(encoded) & mask
        while found := slots[slot]:
            found -= 1
            if blob[offsets[found] : offsets[found + 1]] == encoded:
                return found
            slot = (slot + 1) & mask
        return None

    def ids(self) -> "StringIds":
        return StringIds(self)


class StringIds:
    """A `StringTable` read as a mapping from string to position, as a dict would be."""

    __slots__ = ("index_of",)

    def __init__(self, table: StringTable) -> None:
        self.index_of = table.index_of

    def get(self, text: str, default=None):
        found = self.index_of(text)
        return default if found is None else found

    def __contains__(self, text: str) -> bool:
        return self.index_of(text) is not None

    def __getitem__(self, text: str) -> int:
        found = self.index_of(text)
        if found is None:
            raise KeyError(text)
        return found


# --- the file ---------------------------------------------------------------------------------


def _crc_of_file(handle, length: int) -> int:
    crc, left = 0, length
    handle.seek(0)
    while left:
        chunk = handle.read(min(_CRC_CHUNK, left))
        if not chunk:
            raise CorruptIndexFile("file shorter than its header says")
        crc, left = zlib.crc32(chunk, crc), left - len(chunk)
    return crc


@contextmanager
def write_lock(directory: Path):
    """Held while a file in `directory` is written: one writer at a time, the others wait and
    then find the file written."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".write.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_file(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write arrays and JSON-able `meta` to `path` atomically (temporary file, fsync, rename).

    Concurrent writers are safe (each has its own temporary file; the last rename wins, and a
    reader keeps the file it mapped); `write_lock` spares the work of writing the same twice."""
    directory = path.parent
    layout, cursor = {}, 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": cursor}
        cursor += -(-array.nbytes // ALIGN) * ALIGN
    header = json.dumps({"arrays": layout, "meta": meta}, ensure_ascii=False).encode()
    start = -(-(len(MAGIC) + 8 + len(header)) // ALIGN) * ALIGN
    _remove_abandoned(directory)
    temporary = directory / f"{TEMP_PREFIX}{os.getpid()}-{threading.get_ident()}-{path.name}"
    try:
        with open(temporary, "w+b") as out:
            fcntl.flock(out, fcntl.LOCK_EX)  # while this writer lives (see _remove_abandoned)
            out.write(MAGIC + len(header).to_bytes(8, "little") + header)
            for name, array in arrays.items():
                out.seek(start + layout[name]["offset"])
                out.write(np.ascontiguousarray(array).data)
            out.truncate(start + cursor)
            out.seek(start + cursor)
            out.flush()
            crc = _crc_of_file(out, start + cursor)
            out.write(crc.to_bytes(4, "little"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # the rename itself survives a crash
    finally:
        os.close(descriptor)


def _remove_abandoned(directory: Path) -> None:
    """Delete temporary files whose writer died: nobody holds their lock any more (a writer
    takes it as it creates the file; a minute's grace covers the moment in between)."""
    for candidate in directory.glob(f"{TEMP_PREFIX}*"):
        with suppress(OSError), open(candidate, "rb") as handle:
            if time.time() - os.fstat(handle.fileno()).st_mtime < ABANDONED_AFTER:
                continue
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: still writing
            candidate.unlink()


def read_file(path: Path, *, verify: bool = True) -> tuple[dict[str, np.ndarray], dict]:
    """Map the file read-only: its arrays (views of the shared mapping) and its meta.

    FileNotFoundError when there is none; CorruptIndexFile when it cannot be trusted.
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        opening = handle.read(len(MAGIC) + 8)
        if size < len(MAGIC) + 12 or opening[: len(MAGIC)] != MAGIC:
            raise CorruptIndexFile(f"{path.name} is not an index file")
        length = int.from_bytes(opening[len(MAGIC) :], "little")
        if len(MAGIC) + 8 + length > size - 4:
            raise CorruptIndexFile(f"{path.name} is truncated")
        try:
            described = json.loads(handle.read(length))
        except ValueError as error:
            raise CorruptIndexFile(f"{path.name} has a garbled header") from error
        if verify:
            handle.seek(size - 4)
            stored = int.from_bytes(handle.read(4), "little")
            if _crc_of_file(handle, size - 4) != stored:
                raise CorruptIndexFile(f"{path.name} does not match its checksum")
        shared = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    start = -(-(len(MAGIC) + 8 + length) // ALIGN) * ALIGN
    arrays = {}
    try:
        for name, spec in described["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            if start + spec["offset"] + count * dtype.itemsize > size - 4:
                raise CorruptIndexFile(f"{path.name}: {name} runs past the end")
            flat = np.frombuffer(shared, dtype=dtype, count=count, offset=start + spec["offset"])
            arrays[name] = flat.reshape(spec["shape"])
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptIndexFile(f"{path.name} has a garbled header") from error
    return arrays, described["meta"]


def clean_directory(directory: Path, *, keep: Iterable[Path], pattern: str, newest: int) -> None:
    """Delete files matching `pattern` except those kept and the `newest` others by mtime.

    Processes that still map a deleted file keep reading it: the pages go when they let go.
    """
    kept = {Path(p).name for p in keep}
    others = []
    for candidate in directory.glob(pattern):
        with suppress(FileNotFoundError):
            if candidate.name not in kept:
                others.append((candidate.stat().st_mtime_ns, candidate))
    others.sort(reverse=True)
    for _, stale in others[newest:]:
        stale.unlink(missing_ok=True)
