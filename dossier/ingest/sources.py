"""Where inputs come from: paths, folders, globs and stdin, opened as byte streams with gzip undone and size limits.

Every problem becomes a :class:`~dossier.errors.Rejected` for that path; nothing here stops a run.
"""

from __future__ import annotations

import errno
import glob
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import Rejected

MB = 1024 * 1024
GLOB_CHARS = set("*?[")


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits. ``max_item`` bounds one article (a file, a line, a record); ``max_unpacked`` bounds what one
    compressed file may expand to; past ``ratio_after`` bytes, an expansion over ``max_ratio`` times is a bomb."""

    max_item: int = 32 * MB
    max_unpacked: int = 4096 * MB
    max_ratio: int = 200
    ratio_after: int = 64 * MB


def expand(paths: Iterable[str]) -> Iterator[str | Rejected]:
    """Yield input paths in a stable order: files as given, folders walked (sorted, hidden entries and symlinked
    folders not followed), glob patterns expanded, ``-`` for stdin."""
    for p in paths:
        if p == "-":
            yield p
        elif os.path.isdir(p):
            yield from _walk(p)
        elif not os.path.lexists(p) and GLOB_CHARS & set(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                yield Rejected("no file matches this pattern", p)
            for m in matches:
                if os.path.isdir(m):
                    yield from _walk(m)
                else:
                    yield m
        else:
            yield p


def _walk(top: str) -> Iterator[str]:
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.startswith("."):
                yield os.path.join(root, f)


def describe_os_error(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symlink loop"
    if e.errno == errno.ENOENT:
        return "no such file"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EISDIR:
        return "is a folder"
    return e.strerror or str(e)


class _Limited(io.RawIOBase):
    """A raw stream that counts what it yields and stops with Rejected past a limit (gzip bombs, huge inputs)."""

    def __init__(self, inner: BinaryIO, source: str, limits: Limits, packed: BinaryIO | None = None):
        self.inner, self.source, self.limits, self.packed = inner, source, limits, packed
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            # read1: one chunk at a time, so what was unpacked before a truncated or corrupt spot is handed on
            # (read(n) on a gzip stream drops everything it gathered when it hits the damage)
            data = self.inner.read1(len(b))
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise Rejected(f"truncated or corrupt gzip data ({e or type(e).__name__})", self.source) from e
        except OSError as e:
            raise Rejected(f"read error: {describe_os_error(e)}", self.source) from e
        n = len(data)
        b[:n] = data
        self.count += n
        if self.packed is not None:
            lim = self.limits
            if self.count > lim.max_unpacked:
                raise Rejected(f"gzip bomb? it expands past {lim.max_unpacked // MB} MB", self.source)
            if self.count > lim.ratio_after:
                packed = max(1, _tell(self.packed))
                if self.count / packed > lim.max_ratio:
                    raise Rejected(
                        f"gzip bomb? it expands over {lim.max_ratio} times ({packed} bytes to more than "
                        f"{self.count // MB} MB)", self.source)
        return n


def _tell(f: BinaryIO) -> int:
    try:
        return f.tell()
    except (OSError, ValueError):
        return 0


def open_input(path: str, limits: Limits) -> tuple[io.BufferedReader, bool]:
    """Open ``path`` (or stdin for ``-``) as a buffered byte stream, gunzipping when it starts with the gzip magic.
    Returns ``(stream, was_gzip)``. Raises Rejected when it cannot be opened."""
    try:
        if path == "-":
            raw: BinaryIO = sys.stdin.buffer
        else:
            if os.path.isdir(path):
                raise Rejected("is a folder", path)
            raw = open(path, "rb")  # noqa: SIM115  (closed by the caller through the wrapper)
    except OSError as e:
        if e.errno == errno.ENOENT and os.path.islink(path):
            raise Rejected(f"broken symlink (it points to {os.readlink(path)}, which does not exist)", path) from e
        raise Rejected(describe_os_error(e), path) from e
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    try:
        magic = buffered.peek(2)[:2]
    except OSError as e:
        buffered.close()
        raise Rejected(f"read error: {describe_os_error(e)}", path) from e
    if magic == b"\x1f\x8b":
        gz = gzip.GzipFile(fileobj=buffered, mode="rb")
        return io.BufferedReader(_Limited(gz, path, limits, packed=buffered), buffer_size=256 * 1024), True
    return io.BufferedReader(_Limited(buffered, path, limits), buffer_size=256 * 1024), False


def read_bounded(stream: BinaryIO, limit: int, source: str, what: str = "file") -> bytes:
    """Read a whole stream, rejecting it (without reading on) when it is larger than ``limit``."""
    chunks, size = [], 0
    while size <= limit:  # in chunks: read(limit + 1) would allocate the whole limit up front
        chunk = stream.read(min(limit + 1 - size, 16 * MB))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise Rejected(f"{what} too large: more than {limit // MB} MB (raise the limit with --max-size)", source)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
