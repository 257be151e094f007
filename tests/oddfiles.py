"""Odd, malformed and hostile files, made on the fly under a test's tmp_path (no binary fixtures).

Every maker returns the path it wrote. Reuse them for any command that reads workbooks
(batch check, import, aggregate): `ALL_UNCHECKABLE` lists the files no command can read.

Zip members are written by hand here (`write_zip`) so that a member can be gigabytes
uncompressed yet cost milliseconds to make: a deflate block compressed after a full flush
is independent of what came before, so one compressed MiB of spaces is simply repeated.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from helpers import NANGUAN_2023, NANGUAN_AGENCY, sha256, values

import govxl
from govxl.errors import ReadError
from govxl.spec import load_edition

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_T3 = "xl/worksheets/sheet3.xml"  # xlsxwriter's order: 封面, 二, 三, 四
SST = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"


def good(folder: Path, name: str = "good.xlsx") -> Path:
    """A correct, filled govxl workbook (the 南关区 2023 report): checks with no finding."""
    ed = load_edition("2021")
    return govxl.new(folder / name, values=values(ed, NANGUAN_2023), agency=NANGUAN_AGENCY, year=2023, force=True)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None] = lambda n, d: d,
          add: dict[str, bytes] | None = None, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy a zip member by member through `edit` (return None to drop a member), then `add`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", method) as zout:
        for item in zin.infolist():
            data = edit(item.filename, zin.read(item))
            if data is not None:
                zout.writestr(item.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def edit_part(src: Path, dst: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    return rezip(src, dst, lambda n, d: edit(d) if n == part else d)


# ------------------------------------------------------------------ a hand-made zip writer
@dataclass
class Member:
    """A zip member given as raw deflate chunks (or stored bytes), with the sizes to declare."""

    name: str
    chunks: Iterable[bytes]
    crc: int
    size: int  # declared uncompressed size (may lie)
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, data: bytes) -> Member:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, [co.compress(data) + co.flush()], zlib.crc32(data), len(data))


def write_zip(path: Path, items: list[Member]) -> Path:
    """A plain zip (no zip64) whose sizes and CRCs are exactly what each Member declares."""
    central = []
    with path.open("wb") as fh:
        for m in items:
            name = m.name.encode()
            offset = fh.tell()
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, m.method, 0, 0x21, m.crc, 0, m.size,
                                 len(name), 0) + name)
            start = fh.tell()
            for chunk in m.chunks:
                fh.write(chunk)
            csize = fh.tell() - start
            fh.seek(offset + 18)
            fh.write(struct.pack("<I", csize))
            fh.seek(0, 2)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, m.method, 0, 0x21, m.crc,
                                       csize, m.size, len(name), 0, 0, 0, 0, 0, offset) + name)
        cd_start = fh.tell()
        for c in central:
            fh.write(c)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), fh.tell() - cd_start,
                             cd_start, 0))
    return path


def repeated(prefix: bytes, chunk: bytes, times: int, suffix: bytes, crc: bool = True) -> tuple[list[bytes], int, int]:
    """Raw deflate of prefix + chunk*times + suffix without ever holding the whole: (chunks, crc, size).

    crc=False skips the CRC (0): for members that must be refused before they are inflated."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(prefix) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a block after a full flush must not depend on what came before"
    tail = co.compress(suffix) + co.flush()
    value = 0
    if crc:
        value = zlib.crc32(prefix)
        for _ in range(times):
            value = zlib.crc32(chunk, value)
        value = zlib.crc32(suffix, value)
    return [head] + [block] * times + [tail], value, len(prefix) + len(chunk) * times + len(suffix)


def with_member(src: Path, dst: Path, member: Member) -> Path:
    """`src` with one member replaced (or added) by a hand-made one."""
    items = [deflated(n, d) for n, d in members(src).items() if n != member.name]
    return write_zip(dst, items + [member])


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="' + NS.encode()
              + b'"><sheetData>')


def zip_bomb(folder: Path, gib: float = 2.0, lie: bool = False) -> Path:
    """The 表三 sheet inflates to `gib` GiB of spaces. With lie=True both the local header and the
    central directory declare 10 KB instead (CRC of the real content: only the sizes lie)."""
    mib = int(gib * 1024)
    chunks, crc, size = repeated(SHEET_HEAD, b" " * (1 << 20), mib, b"</sheetData></worksheet>", crc=False)
    declared = 10_000 if lie else size
    assert declared < 1 << 32
    return with_member(good(folder), folder / f"bomb{'-lie' if lie else ''}.xlsx",
                       Member(SHEET_T3, chunks, crc, declared))


def junk_rows(folder: Path, rows: int = 1_000_000, part: str = SHEET_T3, name: str = "junk.xlsx",
              src: Path | None = None) -> Path:
    """`rows` junk rows appended below the table (of `src`, default a good workbook), as a clerk's
    runaway fill would leave them: numbered rows, a different value in each (compresses ~5x, like data)."""
    src = src or good(folder)
    data = members(src)[part]
    head, _, tail = data.partition(b"</sheetData>")
    tail = b"</sheetData>" + tail
    co = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunks, crc, size = [co.compress(head)], zlib.crc32(head), len(head)
    first = 100
    for start in range(first, first + rows, 10_000):
        block = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{i * 2654435761 % 4294967296:x}</t></is></c></row>'
                        for i in range(start, min(start + 10_000, first + rows))).encode()
        chunks.append(co.compress(block))
        crc, size = zlib.crc32(block, crc), size + len(block)
    chunks += [co.compress(tail), co.flush()]
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    return with_member(src, folder / name, Member(part, chunks, crc, size))


# ------------------------------------------------------------------ OLE compound files
def cfb(path: Path, streams: list[str]) -> Path:
    """A minimal but well-formed OLE compound file (v3, 512-byte sectors) with empty streams."""
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, end, 0, end)
    struct.pack_into("<I", header, 72, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    entries = ["Root Entry", *streams]
    n_dir = (len(entries) + 3) // 4
    fat = [fatsect] + [i + 2 if i + 2 <= n_dir else end for i in range(1, n_dir + 1)]
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))
    directory = bytearray(512 * n_dir)
    for i, name in enumerate(entries):
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\0\0"
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), 5 if i == 0 else 2, 1)
        left, right, child = nostream, (i + 1 if 0 < i < len(entries) - 1 else nostream), (1 if i == 0 and streams else nostream)
        struct.pack_into("<III", e, 68, left, right, child)
        struct.pack_into("<IQ", e, 116, end, 0)
        directory[128 * i:128 * (i + 1)] = e
    path.write_bytes(bytes(header) + fat_sector + bytes(directory))
    return path


# ------------------------------------------------------------------ XML attacks
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + "]>").encode()
XXE = b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(data: bytes, doctype: bytes, use: bytes) -> bytes:
    """Insert a DOCTYPE after the XML declaration and the entity reference `use` into the first text."""
    data = re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + doctype, data, count=1)
    return re.sub(rb"<t>", b"<t>" + use, data, count=1) if b"<t>" in data else data.replace(
        b"<sheetData>", b'<sheetData><row r="100"><c r="A100" t="inlineStr"><is><t>' + use + b"</t></is></c></row>", 1)


def entity_attack(folder: Path, part: str, kind: str) -> Path:
    doctype, use = (LAUGHS, b"&lol9;") if kind == "laughs" else (XXE, b"&xxe;")
    if part == WORKBOOK:
        edit = lambda d: re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + doctype, d, count=1).replace(
            b'"2021"</definedName>', b'"2021' + use + b'"</definedName>', 1)
    else:
        edit = lambda d: with_doctype(d, doctype, use)
    return edit_part(good(folder), folder / f"{kind}-{part.rsplit('/', 1)[-1]}.xlsx", part, edit)


def many_sheets(folder: Path, n: int) -> Path:
    """`n` extra sheets listed in workbook.xml (each a tiny real sheet part)."""
    src = good(folder)
    sheets = b"".join(f'<sheet name="备注{i}" sheetId="{i + 10}" r:id="rIdX{i}"/>'.encode() for i in range(n))
    rels = b"".join(f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/x{i}.xml"/>'.encode() for i in range(n))
    tiny = SHEET_HEAD + b"</sheetData></worksheet>"

    def edit(name: str, data: bytes) -> bytes:
        if name == WORKBOOK:
            return data.replace(b"</sheets>", sheets + b"</sheets>")
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", rels + b"</Relationships>")
        return data
    return rezip(src, folder / f"sheets-{n}.xlsx", edit, {f"xl/worksheets/x{i}.xml": tiny for i in range(n)})


# ------------------------------------------------------------------ files that are not workbooks
def not_workbooks(folder: Path) -> dict[str, tuple[Path, str]]:
    """Files no govxl command can read: name -> (path, a fragment of the one-line message)."""
    folder.mkdir(parents=True, exist_ok=True)
    src = good(folder, "source.xlsx")
    out: dict[str, tuple[Path, str]] = {}

    def put(key: str, name: str, data: bytes, msg: str) -> None:
        p = folder / name
        p.write_bytes(data)
        out[key] = (p, msg)

    put("empty", "空文件.xlsx", b"", "文件是空的")
    put("text", "说明.xlsx", "这是一段说明文字。\n第二行。\n".encode(), "这是文本文件")
    put("csv", "数据.xlsx", "信息内容,本年制发件数\n规章,1\n".encode("gb18030"), "这是文本（CSV）文件")
    put("csv-utf16", "数据16.xlsx", "\ufeff信息内容\t本年制发件数\n".encode("utf-16-le"), "这是文本（CSV）文件")
    put("html", "导出.xlsx", b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr></table>"
        b"</body></html>", "这是网页（HTML）文件")
    put("xml2003", "旧格式.xlsx", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
        b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "Excel 2003 XML")
    put("pdf", "年报.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "这是 PDF 文件")
    put("binary", "乱码.xlsx", bytes(range(256)) * 4, "不是 zip 格式")
    out["xls"] = (cfb(folder / "旧版.xls", ["Workbook", "\x05SummaryInformation"]), "旧版 Excel（.xls）")
    out["xls-as-xlsx"] = (cfb(folder / "旧版改名.xlsx", ["Workbook"]), "旧版 Excel（.xls）")
    out["doc"] = (cfb(folder / "通知.xlsx", ["WordDocument", "1Table"]), "旧版 Word")
    out["encrypted"] = (cfb(folder / "加密.xlsx", ["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]),
                        "文件已加密，请先取消密码再检查")
    data = src.read_bytes()
    put("truncated", "截断.xlsx", data[: len(data) // 2], "文件已损坏或不完整")
    put("truncated-tail", "截断尾.xlsx", data[:-30], "文件已损坏或不完整")
    out["zip"] = (rezip_new(folder / "资料.xlsx", {"readme.txt": b"hello"}), "是一个 zip 压缩包，但不是 xlsx 工作簿")
    out["docx"] = (rezip_new(folder / "文档.xlsx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
                   "Word 文档")
    out["ods"] = (rezip_new(folder / "表格.ods", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                                "content.xml": b"<office:document-content/>"}), "OpenDocument（.ods）")
    out["xlsb"] = (rezip_new(folder / "二进制.xlsx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}),
                   ".xlsb")
    put("lock", "~$年报.xlsx", b"\x0cadministrator" + b" " * 40 + b"\0" * 100, "临时锁定文件")
    put("lo-lock", ".~lock.年报.xlsx#", b"administrator,host,host,11.03.2025 10:00,file:///x;\n", "临时锁定文件")
    out["zip-encrypted"] = (zip_encrypted(src, folder / "zip加密.xlsx"), "文件已加密")
    out["bad-xml"] = (edit_part(src, folder / "坏XML.xlsx", WORKBOOK, lambda d: d[: len(d) // 2]), "不是有效的 XML")
    out["no-workbook-part"] = (rezip(src, folder / "缺部件.xlsx", lambda n, d: None if n == SHEET_T3 else d),
                               "的内容缺失")
    out["dup-member"] = (dup_member(src, folder / "重名部件.xlsx"), "出现了两次")
    return out


def rezip_new(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(n, d)
    return path


def zip_encrypted(src: Path, dst: Path) -> Path:
    """A zip whose members carry the 'encrypted' flag (zip-level password, not Office's)."""
    items = [deflated(n, d) for n, d in members(src).items()]
    write_zip(dst, items)
    data = bytearray(dst.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for m in re.finditer(re.escape(sig), bytes(data)):
            struct.pack_into("<H", data, m.start() + flag_at, 0x801)
    dst.write_bytes(bytes(data))
    return dst


def dup_member(src: Path, dst: Path) -> Path:
    """Two members named xl/workbook.xml: different readers would see different workbooks."""
    items = [deflated(n, d) for n, d in members(src).items()]
    return write_zip(dst, items + [deflated(WORKBOOK, b"<workbook/>")])


# ------------------------------------------------------------------ shared by the test modules
T2, T3, T4 = "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"


def refused(path, fragment: str, exc=ReadError) -> str:
    """The library raises `exc`, a one-line message with `fragment`, and leaves the file as it was.
    (The CLI's line for each of these files is checked at once in test_cli_one_line_per_odd_file.)"""
    before = sha256(path) if os.path.isfile(path) else None
    with pytest.raises(exc) as info:
        govxl.check(path)
    msg = str(info.value)
    assert fragment in msg and "\n" not in msg and len(msg.replace(str(path), "")) < 300, msg
    assert before is None or sha256(path) == before
    return msg


def edited(src, dst, edit):
    """`src` opened with openpyxl, changed by `edit(wb)`, saved as `dst`."""
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


@pytest.fixture(scope="module")
def good_source(tmp_path_factory):
    return good(tmp_path_factory.mktemp("good"))


@pytest.fixture(name="good")
def good_copy(tmp_path, good_source):
    """A correct, filled govxl workbook (the 南关区 2023 report), a fresh copy for each test."""
    return Path(shutil.copy(good_source, tmp_path / "good.xlsx"))
