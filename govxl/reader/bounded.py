"""A zip opened with bounds: members counted before the central directory is parsed, sizes
judged before any byte is inflated and again while it is, XML elements counted across parts."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from ..errors import ReadError
from ..numbers import grouped
from .safexml import What, named, parse_xml, part
from .sniff import os_error

# Bounds on what one file may make us do. A govxl workbook is ~30 KB, ~120 KB inflated,
# ~5,000 XML elements; every bound below is orders of magnitude above any real report,
# and low enough that a hostile file costs at most a few seconds and a few hundred MB.
MAX_PART = 32 * 1024 * 1024  # one XML part, uncompressed (declared, and as actually inflated)
MAX_TOTAL = 128 * 1024 * 1024  # all parts read from one file, as inflated
MAX_RATIO = 200  # compression ratio beyond which a large part is a bomb
MAX_ELEMENTS = 500_000  # XML elements parsed from one file, all parts together
MAX_ENTRIES = 10_000  # members of the zip (checked before the central directory is parsed)
MAX_SHEETS = 1000
MAX_IN_MEMORY = 32 * 1024 * 1024  # files up to this size are read whole, in one system call


def zip_entries(path: Path) -> tuple[int, int] | None:
    """(number of members, size of the central directory) from the end records, before zipfile
    parses the directory (a million-member zip would cost seconds and hundreds of MB)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        end = fh.tell()
        fh.seek(max(0, end - (1 << 16) - 22))
        tail = fh.read()
        base = end - len(tail)
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < 22:
        return None
    count, cd_size = struct.unpack("<HI", tail[i + 10:i + 16])
    if (count == 0xFFFF or cd_size == 0xFFFFFFFF) and i >= 20 and tail[i - 20:i - 16] == b"PK\x06\x07":
        off = struct.unpack("<Q", tail[i - 12:i - 4])[0]
        with path.open("rb") as fh:
            fh.seek(off if off < base + i else 0)
            rec = fh.read(56)
        if rec[:4] == b"PK\x06\x06" and len(rec) == 56:
            count, cd_size = struct.unpack("<QQ", rec[32:48])
    return count, cd_size


class BoundedZip:
    """A zip with size guards applied before any member is inflated, and while it is."""

    # What zipfile raises on a damaged archive (besides OSError); ValueError is added where safe.
    _ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error,
                   NotImplementedError, OverflowError)

    def __init__(self, path: Path) -> None:
        self.raw: bytes | None = None
        try:
            entries = zip_entries(path)
            if entries and (entries[0] > MAX_ENTRIES or entries[1] > MAX_ENTRIES * 1024):
                raise ReadError(code="R-ENTRIES", n=entries[0])
            # A workbook is small: one read of the whole file, members then inflated from memory.
            if path.stat().st_size <= MAX_IN_MEMORY:
                self.raw = path.read_bytes()
                self.zf = zipfile.ZipFile(io.BytesIO(self.raw))
            else:
                self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except self._ZIP_ERRORS + (ValueError,):
            raise ReadError(code="R-CORRUPT", name=path.name) from None
        except OSError as exc:
            raise os_error(path, exc) from None
        if len(infos) > MAX_ENTRIES:
            raise ReadError(code="R-ENTRIES", n=len(infos))
        # Part names are case-insensitive in the package format (Excel opens XL/Workbook.xml).
        self.names: dict[str, zipfile.ZipInfo] = {}
        for i in infos:
            key = i.filename.lstrip("/").lower()
            if key in self.names:
                raise ReadError(code="R-DUPPART", part=i.filename)
            self.names[key] = i
        if sum(i.file_size for i in infos) > MAX_TOTAL * 4:
            raise ReadError(code="R-BOMB")
        self.read_total = 0
        self.elements = 0

    def has(self, name: str) -> bool:
        return name.lstrip("/").lower() in self.names

    def _judge(self, info: zipfile.ZipInfo, what: What) -> None:
        """Refuse a member by its declared sizes, before any byte of it is inflated."""
        if info.flag_bits & 0x1:
            raise ReadError(code="R-ENCRYPTED")
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(code="R-RATIO", ratio=MAX_RATIO, **named(what))
        if info.file_size > MAX_PART:
            raise ReadError(code="R-PARTSIZE", mb=grouped(info.file_size / 2**20), **named(what))

    def read(self, name: str, what: What | None = None) -> bytes:
        """A member's bytes: declared sizes judged first, then inflated no further than declared
        (and never beyond MAX_PART); a member that inflates to more than it declared is corrupt."""
        info = self.names.get(name.lstrip("/").lower())
        if info is None:
            raise ReadError(code="R-NOPART", part=name)
        self._judge(info, what or part(name))
        cap = min(info.file_size, MAX_PART) + 1
        try:
            data = self._inflate(info, cap)
            if data is None:
                with self.zf.open(info) as fh:
                    data = fh.read(cap)
        except self._ZIP_ERRORS + (RuntimeError, OSError, ValueError):
            raise ReadError(code="R-INFLATE") from None
        if len(data) > MAX_PART:
            raise ReadError(code="R-BOMB")
        if len(data) != info.file_size:
            raise ReadError(code="R-INFLATE")
        self.read_total += len(data)
        if self.read_total > MAX_TOTAL:
            raise ReadError(code="R-BOMB")
        return data

    def _inflate(self, info: zipfile.ZipInfo, cap: int) -> bytes | None:
        """A member read straight from the file's bytes: what ZipFile.open().read() returns,
        without its per-member machinery; None for anything unusual (then ZipFile reads it)."""
        raw = self.raw
        if raw is None or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        off = info.header_offset
        if raw[off:off + 4] != b"PK\x03\x04":
            return None
        n, m = struct.unpack_from("<HH", raw, off + 26)
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
        if raw[off + 30:off + 30 + n] != name:
            return None
        start = off + 30 + n + m
        comp = raw[start:start + info.compress_size]
        if len(comp) != info.compress_size:
            raise zipfile.BadZipFile("truncated member")
        if info.compress_type == zipfile.ZIP_STORED:
            data = comp[:cap]
        else:
            d = zlib.decompressobj(-15)
            data = d.decompress(comp, cap)
            if len(data) < cap and not d.eof:
                raise zipfile.BadZipFile("truncated deflate stream")
        if len(data) == info.file_size and zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile("bad CRC-32")
        return data

    def count(self, data: bytes, what: What) -> None:
        """Bound the XML elements parsed from one file (start tags, all parts together)."""
        n = len(data) // 4  # an upper bound (the shortest element is <a/>), counted exactly only near the limit
        if self.elements + n > MAX_ELEMENTS:
            n = data.count(b"<") - data.count(b"</")
        self.elements += n
        if self.elements > MAX_ELEMENTS:
            raise ReadError(code="R-ELEMENTS", limit=grouped(MAX_ELEMENTS), **named(what))

    def xml(self, name: str, what: What | None = None):
        what = what or part(name)
        data = self.read(name, what)
        self.count(data, what)
        return parse_xml(data, what)

    def close(self) -> None:
        self.zf.close()
