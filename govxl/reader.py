"""A lean, hardened reader of .xlsx files: zipfile + the C ElementTree parser, nothing else.

openpyxl is the reference reader (see :mod:`govxl.reader_openpyxl`); this one reads only
what a check needs (cells of the named sheets, merges, protection, locking, identity)
and is about fifty times faster. Sizes and element counts are bounded before anything is
parsed, and no XML with a DTD is parsed at all (see :func:`parse_xml`).
"""

from __future__ import annotations

import errno
import io
import posixpath
import pyexpat
import re
import struct
import zipfile
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.etree.ElementTree import fromstring as _et_fromstring

from .errors import ReadError
from .spec import parse_cell, parse_range

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "{%s}" % NS_MAIN

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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB = "文件解压后体积异常巨大（疑似“压缩炸弹”），已拒绝读取"
CORRUPT = "文件已损坏或不完整（压缩数据无法解开）"


@dataclass(slots=True)
class RawCell:
    """A cell as stored: `type` is the xlsx cell type (n, s, str, inlineStr, b, e, d)."""

    value: float | str | bool | None
    type: str = "n"
    formula: str | None = None
    style: int = 0


@dataclass
class RawSheet:
    name: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merges: set[tuple[int, int, int, int]] = field(default_factory=set)
    protected: bool = False
    state: str = "visible"
    loaded: bool = False
    # Set when only the rows up to this one were read (read_xlsx(rows=...)): no merges, no protection.
    rows: int | None = None


@dataclass
class RawWorkbook:
    path: str
    sheets: list[RawSheet]
    properties: dict[str, str]
    names: dict[str, str]
    # Per style index: (locked, is_date_format)
    styles: list[tuple[bool, bool]]
    # <workbookProtection lockStructure="1"/>: sheets cannot be added, deleted, renamed or moved
    structure_locked: bool = False

    def sheet(self, name: str) -> RawSheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    def locked(self, cell: RawCell | None) -> bool:
        if cell is None or cell.style >= len(self.styles):
            return True
        return self.styles[cell.style][0]

    def is_date(self, cell: RawCell) -> bool:
        return cell.style < len(self.styles) and self.styles[cell.style][1]


_OS_ERRORS = {
    errno.EACCES: "没有权限读取文件", errno.EPERM: "没有权限读取文件", errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接循环", errno.EIO: "磁盘读写错误", errno.ENOENT: "找不到文件",
}


def _os_error(path: Path, exc: OSError) -> ReadError:
    why = _OS_ERRORS.get(exc.errno or 0)
    return ReadError(f"{why}：{path}" if why else f"无法读取文件：{path}（{exc.strerror or exc}）")


def sniff(path: Path) -> None:
    """Raise ReadError with a clerk-readable reason if `path` cannot be an .xlsx.

    The content decides, not the name: a workbook saved as .xlsm or .xltx is read like an
    .xlsx, and a text file named .xlsx is called a text file.
    """
    name = path.name
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        raise ReadError(f"这是 Office 的临时锁定文件，不是工作簿：{name}")
    try:
        if not path.exists():
            if path.is_symlink():
                raise ReadError(f"这是一个失效的链接（指向的文件不存在，或链接形成循环）：{path}")
            raise ReadError(code="R-MISSING", path=str(path))
        if path.is_dir():
            raise ReadError(f"这是一个文件夹，不是文件：{path}")
        if not path.is_file():
            raise ReadError(f"这不是普通文件（可能是设备或管道）：{path}")
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head.startswith(OLE_MAGIC):
                raise ReadError(code=_ole_kind(fh))
    except OSError as exc:
        raise _os_error(path, exc) from None
    if not head:
        raise ReadError(code="R-EMPTY", path=str(path))
    if head.startswith(b"PK"):
        return
    raise ReadError(code="R-NOTXLSX", what=_what_else(head))


def _what_else(head: bytes) -> str:
    """What a non-zip file most likely is, in words a clerk knows."""
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件"
    if head.startswith(b"{\\rtf"):
        return "这是 RTF 文档"
    text = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel and Notepad save it
        text = head[2:len(head) - len(head) % 2].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", "replace")
    elif b"\0" not in head:
        for enc in ("utf-8-sig", "gb18030"):
            for cut in (0, 1, 2, 3):  # the 4 KB cut may split a character
                try:
                    text = head[:len(head) - cut].decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            if text is not None:
                break
    if text is None or any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
        return "文件内容不是 zip 格式，可能已损坏或是其他类型的文件"
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return "这是 Excel 2003 XML 表格，请在 Excel 或 WPS 中另存为 .xlsx 后再检查"
    if low.startswith(("<!doctype html", "<html", "<table", "<meta", "<head")) or "<html" in low[:500]:
        return "这是网页（HTML）文件，有些系统“导出 Excel”时生成的其实是网页；请在 Excel 或 WPS 中另存为 .xlsx 后再检查"
    if low.startswith("<?xml") or low.startswith("<"):
        return "这是 XML 文本文件"
    first = text.splitlines()[0] if text.strip() else ""
    if "," in first or "\t" in first or "，" in first:
        return "这是文本（CSV）文件，请在 Excel 或 WPS 中打开后另存为 .xlsx 再检查"
    return "这是文本文件"


_OLE_END = 0xFFFFFFFA  # sector numbers at or above this are markers (end of chain, free, ...)


def _ole_names(fh) -> set[str]:
    """Stream names in an OLE compound file's directory (bounded reads, never the whole file)."""
    fh.seek(0)
    hdr = fh.read(512)
    if len(hdr) < 512:
        return set()
    u32 = lambda b, o: int.from_bytes(b[o:o + 4], "little")  # noqa: E731
    shift = int.from_bytes(hdr[30:32], "little")
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    fat: list[int] = []
    for i in range(min(u32(hdr, 44), 109)):
        sec = u32(hdr, 76 + 4 * i)
        if sec >= _OLE_END:
            break
        fh.seek((sec + 1) * size)
        data = fh.read(size)
        fat += [u32(data, o) for o in range(0, len(data) - 3, 4)]
    names: set[str] = set()
    sec, seen = u32(hdr, 48), set()
    while sec < _OLE_END and sec not in seen and len(seen) < 1024:
        seen.add(sec)
        fh.seek((sec + 1) * size)
        data = fh.read(size)
        for off in range(0, len(data) - 127, 128):
            n = int.from_bytes(data[off + 64:off + 66], "little")
            if 2 <= n <= 64:
                names.add(data[off:off + n - 2].decode("utf-16-le", "replace"))
        sec = fat[sec] if sec < len(fat) else _OLE_END
    return names


def _ole_kind(fh) -> str:
    """The read-error code for an OLE compound file: encrypted OOXML, legacy .xls, or another Office file."""
    names = _ole_names(fh)
    fh.seek(0)
    blob = fh.read(1 << 20)  # fallback when the directory could not be walked

    def has(stream: str) -> bool:
        return stream in names or stream.encode("utf-16-le") in blob

    if has("EncryptedPackage"):
        return "R-ENCRYPTED"
    if has("Workbook") or has("Book"):
        return "R-OLDXLS"
    if has("WordDocument"):
        return "R-OLDDOC"
    return "R-OLDOFFICE"


def _zip_entries(path: Path) -> tuple[int, int] | None:
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


class _Zip:
    """A zip with size guards applied before any member is inflated, and while it is."""

    # What zipfile raises on a damaged archive (besides OSError); ValueError is added where safe.
    _ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error,
                   NotImplementedError, OverflowError)

    def __init__(self, path: Path) -> None:
        self.raw: bytes | None = None
        try:
            entries = _zip_entries(path)
            if entries and (entries[0] > MAX_ENTRIES or entries[1] > MAX_ENTRIES * 1024):
                raise ReadError(f"文件中的部件数量异常（{entries[0]} 个），远超工作簿应有的数量，已拒绝读取")
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
            raise _os_error(path, exc) from None
        if len(infos) > MAX_ENTRIES:
            raise ReadError(f"文件中的部件数量异常（{len(infos)} 个），远超工作簿应有的数量，已拒绝读取")
        # Part names are case-insensitive in the package format (Excel opens XL/Workbook.xml).
        self.names: dict[str, zipfile.ZipInfo] = {}
        for i in infos:
            key = i.filename.lstrip("/").lower()
            if key in self.names:
                raise ReadError(f"文件结构异常：部件 {i.filename} 出现了两次（文件可能被篡改），已拒绝读取")
            self.names[key] = i
        if sum(i.file_size for i in infos) > MAX_TOTAL * 4:
            raise ReadError(BOMB)
        self.read_total = 0
        self.elements = 0

    def has(self, name: str) -> bool:
        return name.lstrip("/").lower() in self.names

    def _judge(self, info: zipfile.ZipInfo, what: str) -> None:
        """Refuse a member by its declared sizes, before any byte of it is inflated."""
        if info.flag_bits & 0x1:
            raise ReadError(code="R-ENCRYPTED")
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(f"{what}解压后体积异常巨大（压缩比超过 {MAX_RATIO} 倍，疑似“压缩炸弹”），已拒绝读取")
        if info.file_size > MAX_PART:
            raise ReadError(f"{what}过大（解压后 {info.file_size / 2**20:,.0f} MB），远超年报工作簿的规模"
                            "（可能误填充了整行或整列），已拒绝读取")

    def read(self, name: str, what: str = "") -> bytes:
        """A member's bytes: declared sizes judged first, then inflated no further than declared
        (and never beyond MAX_PART); a member that inflates to more than it declared is corrupt."""
        info = self.names.get(name.lstrip("/").lower())
        if info is None:
            raise ReadError(f"工作簿缺少部件 {name}，文件可能已损坏")
        self._judge(info, what or f"部件 {name} ")
        cap = min(info.file_size, MAX_PART) + 1
        try:
            data = self._inflate(info, cap)
            if data is None:
                with self.zf.open(info) as fh:
                    data = fh.read(cap)
        except self._ZIP_ERRORS + (RuntimeError, OSError, ValueError):
            raise ReadError(CORRUPT) from None
        if len(data) > MAX_PART:
            raise ReadError(BOMB)
        if len(data) != info.file_size:
            raise ReadError(CORRUPT)
        self.read_total += len(data)
        if self.read_total > MAX_TOTAL:
            raise ReadError(BOMB)
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

    def count(self, data: bytes, what: str) -> None:
        """Bound the XML elements parsed from one file (start tags, all parts together)."""
        n = len(data) // 4  # an upper bound (the shortest element is <a/>), counted exactly only near the limit
        if self.elements + n > MAX_ELEMENTS:
            n = data.count(b"<") - data.count(b"</")
        self.elements += n
        if self.elements > MAX_ELEMENTS:
            raise ReadError(f"{what}的内容多得异常（超过 {MAX_ELEMENTS:,} 个 XML 元素），远超年报工作簿的规模"
                            "（可能误填充了整行或整列），已拒绝读取")

    def xml(self, name: str, what: str = ""):
        what = what or f"部件 {name} "
        data = self.read(name, what)
        self.count(data, what)
        return parse_xml(data, what)

    def close(self) -> None:
        self.zf.close()


class _DTD(Exception):
    pass


class _Root(Exception):
    pass


def _refuse_dtd(*_args) -> None:
    raise _DTD


def _at_root(name: str, _attrs) -> None:
    raise _Root(name)


def _root_name(data: bytes) -> str:
    """The root element's name as written (prefix included), refusing any DTD on the way.

    A DOCTYPE, and with it every entity declaration, can only stand before the root element,
    so scanning the prolog with expat is enough to know the document has none; expat stops at
    the root's start tag, so this costs microseconds whatever the size of the part.
    """
    p = pyexpat.ParserCreate()
    p.StartDoctypeDeclHandler = _refuse_dtd
    p.EntityDeclHandler = _refuse_dtd
    p.StartElementHandler = _at_root
    try:
        p.Parse(data, True)
    except _Root as root:
        return root.args[0]
    raise pyexpat.ExpatError("no root element")  # pragma: no cover - Parse raises first


def parse_xml(data: bytes, name: str = ""):
    """Parse an XML part with the C ElementTree parser, after :func:`_root_name` refused any DTD.

    Without a DTD there are no entity declarations, so neither entity expansion ("billion
    laughs") nor external entities are possible; that is all defusedxml guarded against, and
    it forced the pure-Python parser, five times slower.
    """
    try:
        _root_name(data)
        return _et_fromstring(data)
    except _DTD:
        raise ReadError("文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取") from None
    except (ParseError, pyexpat.ExpatError, ValueError, LookupError, RecursionError):
        raise ReadError(f"文件已损坏：{name}不是有效的 XML") from None


# The top-level elements of a worksheet that come, in the schema's order, after everything a
# check reads (sheetData, sheetProtection, mergeCells); data validations are four fifths of a
# govxl table sheet.
_SHEET_TAIL = re.compile(rb"<(?:conditionalFormatting|dataValidations|hyperlinks|printOptions|pageMargins)[\s/>]")
_SHEET_READ = ("sheetData", "sheetProtection", "mergeCells")


def parse_sheet_xml(data: bytes, name: str = ""):
    """Parse a worksheet part like :func:`parse_xml`, but not the tail that a check never reads.

    Only the part before the first tail element is parsed (closed with the root's end tag).
    That gives the same elements as a full parse whenever it parses at all (a cut inside a
    comment or below the top level does not) and every element read is either in it or absent
    from the bytes after the cut (a file out of the schema's order); otherwise the whole part
    is parsed. The one difference: malformed XML after the cut goes unnoticed.
    """
    try:
        root = _root_name(data)
        if ":" not in root:
            end = data.find(b"</sheetData>")
            m = _SHEET_TAIL.search(data, max(end, 0))
            if m is not None:
                try:
                    head = _et_fromstring(data[:m.start()] + b"</" + root.encode() + b">")
                except ParseError:
                    head = None
                if head is not None and all(head.find(M + k) is not None or data.find(k.encode(), m.start()) < 0
                                            for k in _SHEET_READ):
                    return head
        return _et_fromstring(data)
    except _DTD:
        raise ReadError("文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取") from None
    except (ParseError, pyexpat.ExpatError, ValueError, LookupError, RecursionError):
        raise ReadError(f"文件已损坏：{name}不是有效的 XML") from None


# Parts that are byte-identical across the workbooks of a batch (styles, workbook, relationships,
# custom properties of one template) are parsed once: keyed by their exact bytes, so a hit is
# the same content, never a look-alike. A few entries per kind; the memo is emptied when full.
_MEMO: dict[tuple[str, bytes], object] = {}
_MEMO_MAX = 64


def _memo(z: _Zip, name: str, kind: str, derive):
    what = f"部件 {name} "
    data = z.read(name, what)
    key = (kind, data)
    hit = _MEMO.get(key)
    if hit is None:
        z.count(data, what)
        hit = derive(parse_xml(data, what))
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = hit
    return hit


def _rels(z: _Zip, part: str, types: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """Relationship id -> part path; `types` (if given) receives (id, relationship type) pairs."""
    d, base = posixpath.split(part)
    rels_name = posixpath.join(d, "_rels", base + ".rels")
    if not z.has(rels_name):
        return {}
    out = {}
    for rid, rtype, target, mode in _memo(z, rels_name, "rels", _rel_entries):
        if types is not None:
            types.append((rid, rtype.rsplit("/", 1)[-1]))
        if mode == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[rid] = path
    return out


def _rel_entries(root) -> tuple[tuple[str, str, str, str | None], ...]:
    return tuple((rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", ""), rel.get("TargetMode"))
                 for rel in root)


_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[dmyhs]", re.I)


def _is_date_code(code: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)
    return bool(_DATE_CODE.search(stripped)) and "General" not in code


def _styles(z: _Zip, part: str | None) -> list[tuple[bool, bool]]:
    if not part or not z.has(part):
        return []
    return _memo(z, part, "styles", _style_flags)


def _style_flags(root) -> list[tuple[bool, bool]]:
    custom = {}
    nf = root.find(M + "numFmts")
    if nf is not None:
        for x in nf:
            custom[x.get("numFmtId")] = _is_date_code(x.get("formatCode", ""))
    out = []
    xfs = root.find(M + "cellXfs")
    for xf in xfs if xfs is not None else []:
        prot = xf.find(M + "protection")
        locked = prot is None or prot.get("locked", "1") not in ("0", "false")
        fid = xf.get("numFmtId", "0")
        is_date = custom.get(fid, False) if fid in custom else (_small_int(fid) in _DATE_IDS)
        out.append((locked, is_date))
    return out


def _shared_strings(z: _Zip, part: str | None) -> list[str]:
    if not part or not z.has(part):
        return []
    out = []
    for si in z.xml(part, "共享字符串表 "):
        if len(si) == 1 and si[0].tag == _T:  # plain text, the common case
            out.append(_xstring(si[0].text or ""))
        else:  # rich text runs, phonetic guides
            out.append(_xstring("".join(t.text or "" for t in si.iter(_T) if _not_phonetic(si, t))))
    return out


_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xstring(text: str) -> str:
    """Undo the _xHHHH_ escapes of cell text (Excel writes a carriage return as _x000D_)."""
    if "_x" not in text:
        return text
    return _XESC.sub(lambda m: chr(int(m.group(1), 16)), text)


def _small_int(text: str) -> int:
    """A non-negative ASCII integer attribute of at most 9 digits, else -1 (never raises)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else -1


def _not_phonetic(si, t) -> bool:
    for rph in si.findall(M + "rPh"):
        if t in list(rph):
            return False
    return True


_REF_RE = re.compile(r"(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![0-9A-Za-z_(])")


def _shift_formula(formula: str, dr: int, dc: int) -> str:
    """Translate the relative references of a shared formula to another cell."""
    from .spec import col_index, col_letters

    def sub(m: re.Match) -> str:
        cabs, col, rabs, row = m.groups()
        c = col if cabs else col_letters(col_index(col) + dc)
        r = row if rabs else str(int(row) + dr)
        return f"{cabs}{c}{rabs}{r}"

    parts = re.split(r'("[^"]*")', formula)
    return "".join(p if p.startswith('"') else _REF_RE.sub(sub, p) for p in parts)


_F, _V, _IS, _T, _C, _ROW_TAG = M + "f", M + "v", M + "is", M + "t", M + "c", M + "row"
# Cell references repeat across files (every workbook of an edition has the same cells).
_REFS: dict[str, tuple[int, int]] = {}
_RANGES: dict[str, tuple[int, int, int, int]] = {}


def _ref(ref: str) -> tuple[int, int]:
    rc = _REFS.get(ref)
    if rc is None:
        rc = parse_cell(ref)  # ValueError for a bad reference
        if len(_REFS) < 100_000:
            _REFS[ref] = rc
    return rc


# Empty cells that carry only a style (the covered cells of merged labels) are one shared
# RawCell per style; styles repeat too. Both caches are bounded.
_EMPTY: dict[str, RawCell] = {}
_STYLES: dict[str | None, int] = {None: 0}


def _style(s_attr: str | None) -> int:
    style = _STYLES.get(s_attr)
    if style is None:
        style = max(_small_int(s_attr or ""), 0)
        if len(_STYLES) < 10_000:
            _STYLES[s_attr] = style
    return style


_ROW = re.compile(rb'<row r="([0-9]{1,7})"')


def _first_rows(data: bytes, name: str, last: int):
    """The part parsed up to the first row element numbered beyond `last`, or None when the
    rows are not plainly numbered in order (then the caller parses the whole part)."""
    root = _root_name(data)  # refuses a DTD
    start = data.find(b"<sheetData>")
    if ":" in root or start < 0:
        return None
    cut = None
    for m in _ROW.finditer(data, start):
        n = int(m.group(1))
        if cut is None:
            if n > last:
                cut = m.start()
        elif n <= last:  # a row out of order after the cut
            return None
    if cut is None:
        return None
    try:
        return _et_fromstring(data[:cut] + b"</sheetData></" + root.encode() + b">")
    except ParseError:
        return None


def _sheet(z: _Zip, part: str, sheet: RawSheet, strings: list[str], last_row: int | None = None) -> None:
    what = f"工作表“{sheet.name}”"
    data = z.read(part, what)
    z.count(data, what)
    root = None
    if last_row is not None:
        try:
            root = _first_rows(data, part, last_row)
        except _DTD:
            raise ReadError("文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取") from None
        except (pyexpat.ExpatError, ValueError, LookupError):
            root = None
    if root is not None:
        sheet.rows = last_row
    else:
        root = parse_sheet_xml(data, what)
    shared: dict[str, tuple[str, int, int]] = {}
    cells = sheet.cells
    refs = _REFS
    n_strings = len(strings)
    data = root.find(M + "sheetData")
    next_row = 0
    for row in data if data is not None else ():
        if row.tag != _ROW_TAG:
            continue
        # `r` is optional on rows and cells: without it, a row follows the previous one and a
        # cell sits right of the previous cell (some writers omit it; Excel accepts that).
        r_attr = row.get("r")
        r = int(r_attr) - 1 if r_attr and r_attr.isdigit() and r_attr.isascii() and len(r_attr) <= 9 else -1
        if r < 0:
            r = next_row
        next_row, next_col = r + 1, 0
        for c in row:
            if c.tag != _C:
                continue
            a = c.attrib
            ref = a.get("r")
            if ref is None:
                rc = (r, next_col)
            else:
                rc = refs.get(ref)
                if rc is None:
                    try:
                        rc = _ref(ref)
                    except ValueError:
                        continue
            next_col = rc[1] + 1
            s_attr = a.get("s")
            if not len(c) and "t" not in a:  # no value, no formula: only the style matters
                if s_attr is not None:
                    empty = _EMPTY.get(s_attr)
                    if empty is None:
                        empty = RawCell(None, "n", None, _style(s_attr))
                        if len(_EMPTY) < 10_000:
                            _EMPTY[s_attr] = empty
                    cells[rc] = empty
                continue
            t = a.get("t", "n")
            formula = raw = None
            value: float | str | bool | None = None
            f_el = v_el = None
            for ch in c:  # the first <f> and the first <v> (one pass instead of two searches)
                tag = ch.tag
                if tag == _V:
                    if v_el is None:
                        v_el = ch
                elif tag == _F and f_el is None:
                    f_el = ch
            if f_el is not None:
                formula = f_el.text or ""
                if f_el.get("t") == "shared":
                    si = f_el.get("si", "")
                    if formula:
                        shared[si] = (formula, *rc)
                    elif si in shared:
                        base, r0, c0 = shared[si]
                        formula = _shift_formula(base, rc[0] - r0, rc[1] - c0)
            if v_el is not None:
                raw = v_el.text
            if t == "n":
                if raw:
                    try:
                        value = float(raw)
                    except ValueError:
                        value = raw
            elif t == "s":
                if raw is not None:
                    i = int(raw) if raw.isdigit() and raw.isascii() and len(raw) <= 9 else _small_int(raw.strip())
                    value = strings[i] if 0 <= i < n_strings else None
            elif t == "inlineStr":
                is_el = c.find(_IS)
                value = _xstring("".join(x.text or "" for x in is_el.iter(_T))) if is_el is not None else ""
            elif t == "b":
                value = None if raw is None else raw.strip() in ("1", "true")
            elif t in ("e", "str", "d"):
                value = raw
            else:
                try:
                    value = float(raw) if raw not in (None, "") else None
                except ValueError:
                    value = raw
            if value is None and formula is None and s_attr is None:
                continue
            style = _STYLES.get(s_attr)
            cells[rc] = RawCell(value, t, formula, _style(s_attr) if style is None else style)
    if sheet.rows is not None:
        sheet.loaded = True
        return
    mc = root.find(M + "mergeCells")
    for m in mc if mc is not None else ():
        ref = m.get("ref", "")
        rng = _RANGES.get(ref)
        if rng is None:
            try:
                rng = parse_range(ref)
            except ValueError:
                continue
            if len(_RANGES) < 10_000:
                _RANGES[ref] = rng
        sheet.merges.add(rng)
    prot = root.find(M + "sheetProtection")
    sheet.protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
    sheet.loaded = True


def _custom_props(z: _Zip) -> dict[str, str]:
    if not z.has("docProps/custom.xml"):
        return {}
    return dict(_memo(z, "docProps/custom.xml", "custom", _custom_entries))


def _custom_entries(root) -> tuple[tuple[str, str], ...]:
    out = {}
    for prop in root:
        name = prop.get("name")
        if name is not None and len(prop):
            out[name] = (prop[0].text or "").strip()
    return tuple(out.items())


def read_xlsx(path: str | Path, sheets: set[str] | None = None, extra: int = 0,
              rows: Mapping[str, int] | None = None, skip: Collection[str] = ()) -> RawWorkbook:
    """Read a workbook. Cells are loaded only for the sheets named in `sheets` (all if None),
    and for the other sheets too (but those in `skip`) when there are at most `extra` of them.
    `rows` limits named sheets to their first rows (a cover sheet whose long status formulas
    a check never reads): only row elements numbered up to the limit, without merges or protection."""
    p = Path(path)
    sniff(p)
    z = _Zip(p)
    try:
        return _read(z, p, sheets, extra, rows or {}, skip)
    finally:
        z.close()


def _read(z: _Zip, p: Path, sheets: set[str] | None, extra: int, rows: Mapping[str, int],
          skip: Collection[str]) -> RawWorkbook:
    root_rels = _rels(z, "")
    wb_part = next((t for t in root_rels.values() if t.endswith(".xml") and "workbook" in t), "xl/workbook.xml")
    if not z.has(wb_part):
        if z.has("xl/workbook.bin"):
            raise ReadError("这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再检查")
        if z.has("content.xml") and z.has("mimetype"):
            raise ReadError("这是 OpenDocument（.ods）表格，请另存为 .xlsx 后再检查")
        if z.has("word/document.xml"):
            raise ReadError("这是 Word 文档，不是 Excel 工作簿")
        raise ReadError("这是一个 zip 压缩包，但不是 xlsx 工作簿")
    defined, sheet_els, structure_locked = _memo(z, wb_part, "workbook", _workbook_entries)
    types: list[tuple[str, str]] = []
    rels = _rels(z, wb_part, types)
    wb_rels_types = {t: rels.get(i) for i, t in types}
    names = dict(defined)
    strings = _shared_strings(z, wb_rels_types.get("sharedStrings"))
    styles = _styles(z, wb_rels_types.get("styles"))
    out: list[RawSheet] = []
    if len(sheet_els) > MAX_SHEETS:
        raise ReadError(f"工作簿中有 {len(sheet_els)} 张工作表，远超年报工作簿应有的数量，已拒绝读取")
    seen: set[str] = set()
    for name, _state, _rid in sheet_els:
        if name.casefold() in seen:
            raise ReadError(f"工作簿中有两张同名的工作表“{name}”，文件可能已损坏或被篡改")
        seen.add(name.casefold())
    others: set[str] = set()
    if sheets is not None and extra:
        others = {name for name, _state, _rid in sheet_els} - sheets - set(skip)
        if len(others) > extra:
            others = set()
    for name, state, rid in sheet_els:
        sheet = RawSheet(name, state=state)
        out.append(sheet)
        part = rels.get(rid)
        if sheets is None or name in sheets:
            if not part or not z.has(part):
                raise ReadError(f"工作表“{name}”的内容缺失（部件 {part or '?'} 不存在），文件已损坏")
            _sheet(z, part, sheet, strings, rows.get(name))
        elif name in others and part and z.has(part):
            _sheet(z, part, sheet, strings, rows.get(name))
    return RawWorkbook(str(p), out, _custom_props(z), names, styles, structure_locked)


def _workbook_entries(wb) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...], bool]:
    """(defined names, sheets as (name, state, relationship id), is the structure locked) of xl/workbook.xml."""
    names = {}
    dn = wb.find(M + "definedNames")
    for d in dn if dn is not None else []:
        names[d.get("name", "")] = (d.text or "").strip()
    sh_el = wb.find(M + "sheets")
    sheets = tuple((s.get("name", ""), s.get("state", "visible"), s.get("{%s}id" % NS_REL, ""))
                   for s in (sh_el if sh_el is not None else ()))
    prot = wb.find(M + "workbookProtection")
    locked = prot is not None and prot.get("lockStructure", "0").strip() in ("1", "true")
    return tuple(names.items()), sheets, locked
