"""A lean, hardened reader of .xlsx files: zipfile + defusedxml, nothing else.

openpyxl is the reference reader (see :mod:`govxl.reader_openpyxl`); this one reads only
what a check needs (cells of the named sheets, merges, protection, locking, identity)
and is about twenty times faster. Sizes are bounded before anything is parsed.
"""

from __future__ import annotations

import errno
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB = "文件解压后体积异常巨大（疑似“压缩炸弹”），已拒绝读取"
CORRUPT = "文件已损坏或不完整（压缩数据无法解开）"
ENCRYPTED = "文件已加密，请先取消密码再检查"


@dataclass
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


@dataclass
class RawWorkbook:
    path: str
    sheets: list[RawSheet]
    properties: dict[str, str]
    names: dict[str, str]
    # Per style index: (locked, is_date_format)
    styles: list[tuple[bool, bool]]

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
            raise ReadError(f"找不到文件：{path}")
        if path.is_dir():
            raise ReadError(f"这是一个文件夹，不是文件：{path}")
        if not path.is_file():
            raise ReadError(f"这不是普通文件（可能是设备或管道）：{path}")
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head.startswith(OLE_MAGIC):
                raise ReadError(_ole_kind(fh))
    except OSError as exc:
        raise _os_error(path, exc) from None
    if not head:
        raise ReadError(f"文件是空的：{path}")
    if head.startswith(b"PK"):
        return
    raise ReadError(f"不是 xlsx 工作簿：{_what_else(head)}")


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
    """The message for an OLE compound file: encrypted OOXML, legacy .xls, or another Office file."""
    names = _ole_names(fh)
    fh.seek(0)
    blob = fh.read(1 << 20)  # fallback when the directory could not be walked

    def has(stream: str) -> bool:
        return stream in names or stream.encode("utf-16-le") in blob

    if has("EncryptedPackage"):
        return ENCRYPTED
    if has("Workbook") or has("Book"):
        return "这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后再检查"
    if has("WordDocument"):
        return "这是旧版 Word（.doc）文档，不是 Excel 工作簿"
    return "这是旧版 Office 文件，不是 xlsx 工作簿；请另存为 .xlsx 后再检查"


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


class _Stream:
    """A member being inflated, counted as it goes: the actual size is bounded, not only the declared."""

    def __init__(self, fh, z: _Zip) -> None:
        self.fh, self.z, self.count = fh, z, 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n if n and n > 0 else 1 << 16)
        self.count += len(data)
        self.z.read_total += len(data)
        if self.count > MAX_PART or self.z.read_total > MAX_TOTAL:
            raise ReadError(BOMB)
        return data


class _Zip:
    """A zip with size guards applied before any member is inflated, and while it is."""

    # What zipfile raises on a damaged archive (besides OSError); ValueError is added where safe.
    _ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error,
                   NotImplementedError, OverflowError)

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            entries = _zip_entries(path)
            if entries and (entries[0] > MAX_ENTRIES or entries[1] > MAX_ENTRIES * 1024):
                raise ReadError(f"文件中的部件数量异常（{entries[0]} 个），远超工作簿应有的数量，已拒绝读取")
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except self._ZIP_ERRORS + (ValueError,):
            raise ReadError(f"文件已损坏或不完整，无法作为 xlsx 打开：{path.name}") from None
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

    def _open(self, name: str, what: str = ""):
        """Open a member for inflating, after judging its declared sizes (before any byte is inflated)."""
        info = self.names.get(name.lstrip("/").lower())
        if info is None:
            raise ReadError(f"工作簿缺少部件 {name}，文件可能已损坏")
        if info.flag_bits & 0x1:
            raise ReadError(ENCRYPTED)
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(f"{what or name + ' '}解压后体积异常巨大（压缩比超过 {MAX_RATIO} 倍，疑似“压缩炸弹”），已拒绝读取")
        if info.file_size > MAX_PART:
            raise ReadError(f"{what or name + ' '}过大（解压后 {info.file_size / 2**20:,.0f} MB），远超年报工作簿的规模"
                            "（可能误填充了整行或整列），已拒绝读取")
        try:
            return self.zf.open(info)
        except self._ZIP_ERRORS + (RuntimeError, OSError, ValueError):
            raise ReadError(CORRUPT) from None

    def xml(self, name: str, what: str = ""):
        """Parse one XML part as it is inflated: no DTD, no entities, bounded bytes and elements."""
        what = what or f"部件 {name} "
        with self._open(name, what) as fh:
            try:
                it = SafeET.iterparse(_Stream(fh, self), events=("start",), forbid_dtd=True)
                for _ in it:
                    self.elements += 1
                    if self.elements > MAX_ELEMENTS:
                        raise ReadError(f"{what}的内容多得异常（超过 {MAX_ELEMENTS:,} 个 XML 元素），远超年报工作簿的规模"
                                        "（可能误填充了整行或整列），已拒绝读取")
                return it.root
            except DefusedXmlException:
                raise ReadError("文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取") from None
            except ParseError:
                raise ReadError(f"文件已损坏：{what}不是有效的 XML") from None
            except self._ZIP_ERRORS + (RuntimeError, OSError):
                raise ReadError(CORRUPT) from None
            except (ValueError, LookupError):  # expat: unknown or multi-byte encodings in the declaration
                raise ReadError(f"文件已损坏：{what}不是有效的 XML") from None


def _rels(z: _Zip, part: str) -> dict[str, str]:
    d, base = posixpath.split(part)
    rels_name = posixpath.join(d, "_rels", base + ".rels")
    if not z.has(rels_name):
        return {}
    out = {}
    for rel in z.xml(rels_name):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[rel.get("Id", "")] = path
    return out


def _small_int(text: str) -> int:
    """A non-negative ASCII integer attribute of at most 9 digits, else -1 (never raises)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else -1


_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[dmyhs]", re.I)


def _is_date_code(code: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)
    return bool(_DATE_CODE.search(stripped)) and "General" not in code


def _styles(z: _Zip, part: str | None) -> list[tuple[bool, bool]]:
    if not part or not z.has(part):
        return []
    root = z.xml(part)
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
        out.append(_xstring("".join(t.text or "" for t in si.iter(M + "t") if _not_phonetic(si, t))))
    return out


_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xstring(text: str) -> str:
    """Undo the _xHHHH_ escapes of cell text (Excel writes a carriage return as _x000D_)."""
    if "_x" not in text:
        return text
    return _XESC.sub(lambda m: chr(int(m.group(1), 16)), text)


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


def _sheet(z: _Zip, part: str, sheet: RawSheet, strings: list[str]) -> None:
    root = z.xml(part, f"工作表“{sheet.name}”")
    shared: dict[str, tuple[str, int, int]] = {}
    data = root.find(M + "sheetData")
    next_row = 0
    for row in data if data is not None else []:
        if row.tag != M + "row":
            continue
        # `r` is optional on rows and cells: without it, a row follows the previous one and a
        # cell sits right of the previous cell (some writers omit it; Excel accepts that).
        r_attr = row.get("r", "")
        r = _small_int(r_attr) - 1 if _small_int(r_attr) > 0 else next_row
        next_row, next_col = r + 1, 0
        for c in row:
            if c.tag != M + "c":
                continue
            ref = c.get("r")
            if ref is None:
                rc = (r, next_col)
            else:
                try:
                    rc = parse_cell(ref)
                except ValueError:
                    continue
            next_col = rc[1] + 1
            t = c.get("t", "n")
            f_el = c.find(M + "f")
            formula = None
            if f_el is not None:
                formula = f_el.text or ""
                if f_el.get("t") == "shared":
                    si = f_el.get("si", "")
                    if formula:
                        shared[si] = (formula, *rc)
                    elif si in shared:
                        base, r0, c0 = shared[si]
                        formula = _shift_formula(base, rc[0] - r0, rc[1] - c0)
            v_el = c.find(M + "v")
            raw = v_el.text if v_el is not None else None
            value: float | str | bool | None
            if t == "s":
                try:
                    i = int(raw) if raw is not None else -1
                    value = strings[i] if i >= 0 else None
                except (ValueError, IndexError):
                    value = None
            elif t == "inlineStr":
                is_el = c.find(M + "is")
                value = _xstring("".join(x.text or "" for x in is_el.iter(M + "t"))) if is_el is not None else ""
            elif t == "b":
                value = None if raw is None else raw.strip() in ("1", "true")
            elif t in ("e", "str", "d"):
                value = raw
            else:
                try:
                    value = float(raw) if raw not in (None, "") else None
                except ValueError:
                    value = raw
            if value is None and formula is None and c.get("s") is None:
                continue
            try:
                style = max(int(c.get("s", "0")), 0)
            except ValueError:
                style = 0
            sheet.cells[rc] = RawCell(value, t, formula, style)
    mc = root.find(M + "mergeCells")
    for m in mc if mc is not None else []:
        try:
            sheet.merges.add(parse_range(m.get("ref", "")))
        except ValueError:
            pass
    prot = root.find(M + "sheetProtection")
    sheet.protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
    sheet.loaded = True


def _custom_props(z: _Zip) -> dict[str, str]:
    if not z.has("docProps/custom.xml"):
        return {}
    out = {}
    for prop in z.xml("docProps/custom.xml"):
        name = prop.get("name")
        if name is not None and len(prop):
            out[name] = (prop[0].text or "").strip()
    return out


def read_xlsx(path: str | Path, sheets: set[str] | None = None) -> RawWorkbook:
    """Read a workbook. Cells are loaded only for the sheets named in `sheets` (all if None)."""
    p = Path(path)
    sniff(p)
    z = _Zip(p)
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
    wb = z.xml(wb_part)
    rels = _rels(z, wb_part)
    wb_rels_types = {}
    rels_name = posixpath.join(posixpath.dirname(wb_part), "_rels", posixpath.basename(wb_part) + ".rels")
    if z.has(rels_name):
        for rel in z.xml(rels_name):
            wb_rels_types[rel.get("Type", "").rsplit("/", 1)[-1]] = rels.get(rel.get("Id", ""))
    names = {}
    dn = wb.find(M + "definedNames")
    for d in dn if dn is not None else []:
        names[d.get("name", "")] = (d.text or "").strip()
    strings = _shared_strings(z, wb_rels_types.get("sharedStrings"))
    styles = _styles(z, wb_rels_types.get("styles"))
    out: list[RawSheet] = []
    sh_el = wb.find(M + "sheets")
    sheet_els = list(sh_el) if sh_el is not None else []
    if len(sheet_els) > MAX_SHEETS:
        raise ReadError(f"工作簿中有 {len(sheet_els)} 张工作表，远超年报工作簿应有的数量，已拒绝读取")
    seen: set[str] = set()
    for s in sheet_els:
        name = s.get("name", "").casefold()
        if name in seen:
            raise ReadError(f"工作簿中有两张同名的工作表“{s.get('name', '')}”，文件可能已损坏或被篡改")
        seen.add(name)
    for s in sheet_els:
        sheet = RawSheet(s.get("name", ""), state=s.get("state", "visible"))
        out.append(sheet)
        part = rels.get(s.get("{%s}id" % NS_REL, ""))
        if sheets is None or sheet.name in sheets:
            if not part or not z.has(part):
                raise ReadError(f"工作表“{sheet.name}”的内容缺失（部件 {part or '?'} 不存在），文件已损坏")
            _sheet(z, part, sheet, strings)
    return RawWorkbook(str(p), out, _custom_props(z), names, styles)
