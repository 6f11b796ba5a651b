"""Hostile OSM files cost little: caps on what a file unpacks to, checked while reading, and loading in a
separate process with memory and time limits, so a runaway file cannot take the app down.

`check_osm_file` streams through an extract before anything parses it: a `.osm.bz2` is decompressed chunk by
chunk (never held whole), a `.osm.pbf`'s blocks are inflated one at a time; the unpacked size, the ratio of
unpacked to packed size and (for XML) the number of nodes, ways and relations are capped, and the first cap
passed stops the reading with a message that names it. `load_osm_file` runs that check, then
`osm.load_file` in a child Python process whose address space and CPU time are limited with
`resource.setrlimit`, and waits for it at most a wall-clock time.
"""

from __future__ import annotations

import bz2
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from buurtkaart import settings
from buurtkaart.errors import BuurtkaartError, OsmFileError

MAX_UNPACKED_MB = 400.0  # what an extract may unpack to (the Brussels region as XML is more: use a .osm.pbf)
MAX_RATIO = 40  # unpacked / packed size; real OSM XML in bzip2 is about 10-15
RATIO_FLOOR_MB = 16.0  # the ratio is only checked once this much is unpacked (tiny files compress oddly)
MAX_ELEMENTS = 5_000_000  # nodes + ways + relations of an XML extract
LOAD_MEMORY_MB = 4096  # address space of the loading process
LOAD_SECONDS = 300  # CPU and wall-clock time of the loading process
CHUNK = 1 << 20
_TAGS = (b"<node", b"<way", b"<relation")
_PBF_MAX_HEADER = 64 * 1024  # the PBF format's own limits
_PBF_MAX_BLOB = 32 * 1024 * 1024


def check_osm_file(
    path: str | os.PathLike[str],
    *,
    max_unpacked_mb: float = MAX_UNPACKED_MB,
    max_ratio: float = MAX_RATIO,
    max_elements: int = MAX_ELEMENTS,
) -> None:
    """Raise OsmFileError when an OSM extract unpacks beyond a cap; read in chunks, in bounded memory.

    Parameters
    ----------
    path
        An `.osm`, `.osm.bz2` or `.osm.pbf` file.
    max_unpacked_mb
        The largest unpacked size in MB.
    max_ratio
        The largest ratio of unpacked to packed size (checked past RATIO_FLOOR_MB unpacked).
    max_elements
        The largest number of nodes, ways and relations (XML only).
    """
    path = Path(path)
    packed = max(path.stat().st_size, 1)
    lower = path.name.lower()
    chunks = _pbf_blocks(path) if lower.endswith(".pbf") else _bz2_chunks(path) if lower.endswith(".bz2") else _plain_chunks(path)
    unpacked = 0
    elements = 0
    tails = dict.fromkeys(_TAGS, b"")
    count_elements = not lower.endswith(".pbf")
    for chunk in chunks:
        unpacked += len(chunk)
        if unpacked > max_unpacked_mb * 1e6:
            raise OsmFileError("error.unpacked_too_large", limit=f"{max_unpacked_mb:g}")
        if unpacked > RATIO_FLOOR_MB * 1e6 and unpacked / packed > max_ratio:
            raise OsmFileError("error.unpacked_ratio", ratio=f"{max_ratio:g}", limit=f"{RATIO_FLOOR_MB:g}")
        if count_elements:
            for tag in _TAGS:
                window = tails[tag] + chunk
                elements += window.count(tag)
                tails[tag] = window[-(len(tag) - 1) :]
            if elements > max_elements:
                raise OsmFileError("error.too_many_elements", limit=f"{max_elements:,}".replace(",", "."))


def load_osm_file(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    max_mb: float = 200,
    memory_mb: int = LOAD_MEMORY_MB,
    seconds: int = LOAD_SECONDS,
) -> object:
    """Return `osm.load_file(path)`, checked first and then loaded in a child process with limits.

    Parameters
    ----------
    path
        The OSM extract.
    name
        The area's name (default: the file's).
    max_mb
        The largest file size in MB (as `osm.load_file`).
    memory_mb
        The child's address-space limit in MB.
    seconds
        The child's CPU-time limit, and how long to wait for it.

    Returns
    -------
    buurtkaart.area.Area
        The loaded area; OsmFileError names the limit a file went past.
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size > max_mb * 1e6:
        raise OsmFileError("error.too_large", size=f"{path.stat().st_size / 1e6:.1f}", limit=f"{max_mb:g}")
    if path.is_file() and path.stat().st_size:
        check_osm_file(path)
    with tempfile.TemporaryDirectory(prefix="buurtkaart-load-") as folder:
        out = Path(folder) / "area.pickle"
        command = [sys.executable, "-m", "buurtkaart.safe_files", str(path), str(out), name or "", str(max_mb), str(memory_mb), str(seconds)]
        try:
            done = subprocess.run(command, timeout=seconds + 5, capture_output=True, check=False, env=_child_env())
        except subprocess.TimeoutExpired:
            raise OsmFileError("error.load_time", limit=seconds) from None
        if not out.is_file():
            if done.returncode in (-9, -24, 137, 152) or any(sign in done.stderr for sign in _OUT_OF_MEMORY):  # memory or CPU time
                raise OsmFileError("error.load_limits", memory=memory_mb, seconds=seconds)
            raise OsmFileError("error.not_osm", detail=_last_line(done.stderr))
        with out.open("rb") as file:
            status, *payload = pickle.load(file)  # written by our own child process just now
    if status == "ok":
        return payload[0]
    key, values = payload
    raise OsmFileError(key, **values)


# What a child process that ran out of its address space prints while dying (Python, a C extension, the loader).
_OUT_OF_MEMORY: tuple[bytes, ...] = (b"MemoryError", b"SystemError: error return without exception set", b"Cannot allocate memory",
                                     b"failed to map segment")


def _child(argv: list[str]) -> int:
    """Load a file with limits on this process and pickle the area (or the error) to a file."""
    path, out, name, max_mb, memory_mb, seconds = argv
    limit = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (int(seconds), int(seconds) + 5))
    from buurtkaart import osm  # imported under the limits

    try:
        result: tuple = ("ok", osm.load_file(path, name=name or None, max_mb=float(max_mb)))
    except MemoryError:
        result = ("error", "error.load_limits", {"memory": int(memory_mb), "seconds": int(seconds)})
    except BuurtkaartError as error:
        if error.values.get("detail") == "MemoryError":
            result = ("error", "error.load_limits", {"memory": int(memory_mb), "seconds": int(seconds)})
        else:
            result = ("error", error.key, error.values)
    with open(out, "wb") as file:
        pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


def _child_env() -> dict[str, str]:
    """Return the environment of the loading process: ours, with this package importable from anywhere."""
    root = str(Path(__file__).resolve().parent.parent)
    return settings.child_environment(pythonpath=root)


def _plain_chunks(path: Path) -> Iterator[bytes]:
    """Yield an uncompressed file in chunks."""
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


def _bz2_chunks(path: Path) -> Iterator[bytes]:
    """Yield the unpacked bytes of a (multi-stream) bzip2 file, at most CHUNK at a time."""
    with path.open("rb") as file:
        decompressor = bz2.BZ2Decompressor()
        while True:
            if decompressor.eof:  # a stream ended: another may follow
                data = decompressor.unused_data or file.read(64 * 1024)
                if not data:
                    return
                decompressor = bz2.BZ2Decompressor()
            elif decompressor.needs_input:
                data = file.read(64 * 1024)
                if not data:
                    raise OsmFileError("error.not_osm", detail="the compressed file is cut off")
            else:
                data = b""
            try:
                chunk = decompressor.decompress(data, max_length=CHUNK)
            except OSError as exc:
                raise OsmFileError("error.not_osm", detail=f"bzip2: {exc}") from None
            if chunk:
                yield chunk


def _pbf_blocks(path: Path) -> Iterator[bytes]:
    """Yield the unpacked data of each block of an OSM PBF file, inflated in bounded pieces."""
    with path.open("rb") as file:
        while head := file.read(4):
            if len(head) < 4:
                raise OsmFileError("error.not_osm", detail="damaged or cut-off PBF data")
            size = int.from_bytes(head, "big")
            if size > _PBF_MAX_HEADER:
                raise OsmFileError("error.not_osm", detail="damaged or cut-off PBF data")
            datasize = _fields(_exactly(file, size)).get(3)
            if not isinstance(datasize, int) or datasize > _PBF_MAX_BLOB:
                raise OsmFileError("error.not_osm", detail="damaged or cut-off PBF data")
            blob = _fields(_exactly(file, datasize))
            if isinstance(blob.get(1), bytes):  # raw
                yield blob[1]
            elif isinstance(blob.get(3), bytes):  # zlib
                yield from _inflate(blob[3])
            else:
                raise OsmFileError("error.not_osm", detail="a PBF compression other than zlib")


def _exactly(file: BinaryIO, size: int) -> bytes:
    """Return the next `size` bytes of a file; raise OsmFileError when it ends before."""
    data = file.read(size)
    if len(data) < size:
        raise OsmFileError("error.not_osm", detail="damaged or cut-off PBF data")
    return data


def _inflate(data: bytes) -> Iterator[bytes]:
    """Yield zlib-inflated data in pieces of at most CHUNK bytes."""
    inflater = zlib.decompressobj()
    try:
        chunk = inflater.decompress(data, CHUNK)
        while chunk:
            yield chunk
            chunk = inflater.decompress(inflater.unconsumed_tail, CHUNK)
    except zlib.error as exc:
        raise OsmFileError("error.not_osm", detail=f"zlib: {exc}") from None


def _fields(message: bytes) -> dict[int, int | bytes]:
    """Return the varint and length-delimited fields of a protocol-buffer message (the last of each number)."""
    fields: dict[int, int | bytes] = {}
    at = 0
    try:
        while at < len(message):
            key, at = _varint(message, at)
            number, wire = key >> 3, key & 7
            if wire == 0:
                fields[number], at = _varint(message, at)
            elif wire == 2:
                length, at = _varint(message, at)
                if at + length > len(message):
                    raise ValueError(length)
                fields[number], at = message[at : at + length], at + length
            elif wire in (1, 5):
                at += 8 if wire == 1 else 4
            else:
                raise ValueError(wire)
    except (IndexError, ValueError):
        raise OsmFileError("error.not_osm", detail="damaged or cut-off PBF data") from None
    return fields


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """Return a protocol-buffer varint at `at` and the position after it."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _last_line(stderr: bytes) -> str:
    """Return the last line of a child's error output, short."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return (lines[-1] if lines else "the loading process stopped")[:120]


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
