"""Issue 5: every malformed, hostile or odd file gets a clear answer, and nothing is lost.

Each case here is one row of docs/odd-input.md. The odd files are made under tmp_path by
tests/oddfiles.py; nothing binary is checked in.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import oddfiles as odd
import openpyxl
import pytest
from helpers import FORMULA_PAYLOADS, NANGUAN_AGENCY, assert_no_formula_injection, fill_openpyxl, sha256

import govxl
from govxl import reader
from govxl.errors import GovxlError, NotGovxlError, ReadError, UsageError
from govxl.writer import Extra, refuse_same_file, write_workbook

CLI = [sys.executable, "-m", "govxl"]
T2, T3, T4 = "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"


def cli(*args, **kw):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=120, **kw)


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


@pytest.fixture(scope="module")
def good_source(tmp_path_factory):
    return odd.good(tmp_path_factory.mktemp("good"))


@pytest.fixture
def good(tmp_path, good_source):
    """A correct, filled govxl workbook (the 南关区 2023 report), a fresh copy for each test."""
    return Path(shutil.copy(good_source, tmp_path / "good.xlsx"))


def edited(src, dst, edit):
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


# ================================================================== paths
def test_missing_file(tmp_path):
    refused(tmp_path / "没有这个文件.xlsx", "找不到文件")


def test_a_name_too_long_and_broken_links(tmp_path):
    refused(tmp_path / ("长" * 300 + ".xlsx"), "文件名太长")
    os.symlink(tmp_path / "gone.xlsx", tmp_path / "dangling.xlsx")
    os.symlink(tmp_path / "loop-b.xlsx", tmp_path / "loop-a.xlsx")
    os.symlink(tmp_path / "loop-a.xlsx", tmp_path / "loop-b.xlsx")
    for link in ("dangling.xlsx", "loop-a.xlsx"):
        refused(tmp_path / link, "失效的链接")


def test_a_directory_is_not_a_file(tmp_path):
    (tmp_path / "文件夹.xlsx").mkdir()
    with pytest.raises(ReadError, match="这是一个文件夹，不是文件"):
        govxl.check(tmp_path / "文件夹.xlsx")  # the CLI's folder handling belongs to the batch command


def test_empty_file(tmp_path):
    (tmp_path / "空.xlsx").write_bytes(b"")
    refused(tmp_path / "空.xlsx", "文件是空的")


def test_unreadable_file_library(tmp_path, good, monkeypatch):
    """Root can read anything, so the permission error is provoked where the reader opens the file."""
    real_open = Path.open

    def deny(self, *a, **kw):
        if self.name == good.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **kw)
    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(ReadError, match="没有权限读取文件"):
        govxl.check(good)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_cli(tmp_path, good):
    good.chmod(0)
    try:
        refused(good, "没有权限读取文件")
    finally:
        good.chmod(0o644)


def test_a_pipe_does_not_hang(tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    r = cli("check", fifo)  # in a child with a timeout: it would block forever if the reader opened it
    assert r.returncode == 2 and "不是普通文件" in r.stderr


def test_chinese_names_with_spaces_pass(tmp_path, good):
    named = tmp_path / "南关区 2023 年报（终稿） v2.xlsx"
    shutil.copy(good, named)
    r = cli("check", named)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith(str(named)) and r.stdout.strip().endswith("通过")


@pytest.mark.parametrize("name", ["~$年报.xlsx", ".~lock.年报.xlsx#"])
def test_office_lock_files(tmp_path, good, name):
    lock = tmp_path / name
    shutil.copy(good, lock)  # even a lock file with workbook content is not the workbook
    refused(lock, "临时锁定文件")


# ================================================================== wrong formats
NOT_WORKBOOKS = ["empty", "text", "csv", "csv-utf16", "html", "xml2003", "pdf", "binary", "xls", "xls-as-xlsx", "doc",
                 "encrypted", "truncated", "truncated-tail", "zip", "docx", "ods", "xlsb", "lock", "lo-lock",
                 "zip-encrypted", "bad-xml", "no-workbook-part", "dup-member"]


@pytest.fixture(scope="module")
def not_workbooks(tmp_path_factory):
    return odd.not_workbooks(tmp_path_factory.mktemp("odd"))


def test_the_list_of_odd_formats_is_complete(not_workbooks):
    assert sorted(not_workbooks) == sorted(NOT_WORKBOOKS)


@pytest.mark.parametrize("case", NOT_WORKBOOKS)
def test_not_a_workbook(not_workbooks, case):
    refused(*not_workbooks[case])


def test_encrypted_message_is_exact(not_workbooks):
    with pytest.raises(ReadError) as info:
        govxl.check(not_workbooks["encrypted"][0])
    assert str(info.value) == "文件已加密，请先取消密码再检查"


def test_really_encrypted_by_an_office_encryptor(tmp_path, good):
    crypto = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool not installed")
    enc = tmp_path / "加密.xlsx"
    with good.open("rb") as src, enc.open("wb") as out:
        crypto.OOXMLFile(src).encrypt("口令123", out)
    assert refused(enc, "文件已加密") == "文件已加密，请先取消密码再检查"


@pytest.mark.libreoffice
def test_a_real_xls_made_by_libreoffice(tmp_path, good):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is required in CI")
        pytest.skip("LibreOffice not installed")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "out"), str(good)], capture_output=True, timeout=180, check=True)
    xls = tmp_path / "out" / "good.xls"
    assert xls.read_bytes()[:8] == reader.OLE_MAGIC
    refused(xls, "旧版 Excel（.xls）")


def _macro_enabled(src: Path, dst: Path, content_type: str, vba: bool) -> Path:
    def edit(name, data):
        if name == "[Content_Types].xml":
            data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                content_type.encode())
            if vba:
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                    b'vnd.ms-office.vbaProject"/></Types>')
        if name == "xl/_rels/workbook.xml.rels" and vba:
            data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
                                b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
        return data
    return odd.rezip(src, dst, edit, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not run"} if vba else {})


@pytest.mark.parametrize("suffix, content_type, vba", [
    (".xlsm", "application/vnd.ms-excel.sheet.macroEnabled.main+xml", True),
    (".xltx", "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", False),
    (".xltm", "application/vnd.ms-excel.template.macroEnabled.main+xml", True),
    (".xls", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", False),
])
def test_a_govxl_workbook_saved_as_xlsm_or_xltx_is_checked(tmp_path, good, suffix, content_type, vba):
    """Decision: the content decides, not the name. govxl never runs or reads macros."""
    path = _macro_enabled(good, tmp_path / f"年报{suffix}", content_type, vba)
    report = govxl.check(path)
    assert report.findings == [] and report.agency == NANGUAN_AGENCY
    assert cli("check", path).returncode == 0


# ================================================================== hostile
def test_zip_bomb_refused_on_declared_size_before_inflating(tmp_path, monkeypatch):
    bomb = odd.zip_bomb(tmp_path, gib=2)
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo(odd.SHEET_T3).file_size > 2 * 10**9 and bomb.stat().st_size < 5 * 10**6
    opened = []
    real = zipfile.ZipFile.open

    def spy(self, name, *a, **kw):
        opened.append(getattr(name, "filename", name))
        return real(self, name, *a, **kw)
    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(ReadError, match="压缩炸弹"):
        govxl.check(bomb)
    assert odd.SHEET_T3 not in opened


def test_zip_bomb_refused_by_ratio_when_the_total_is_modest(tmp_path, monkeypatch):
    bomb = odd.zip_bomb(tmp_path, gib=0.02)  # 20 MB of spaces in ~20 KB: under MAX_PART, over MAX_RATIO
    monkeypatch.setattr(reader, "MAX_TOTAL", 10**12)
    with pytest.raises(ReadError, match="压缩比超过"):
        govxl.check(bomb)


def test_zip_bomb_whose_directory_lies(tmp_path):
    """Both headers declare 10 KB; the data inflates to 2 GiB. Nothing past the declared size is inflated."""
    bomb = odd.zip_bomb(tmp_path, gib=2, lie=True)
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo(odd.SHEET_T3).file_size == 10_000
    refused(bomb, "文件已损坏或不完整")


def test_the_actual_inflated_size_is_bounded_too(tmp_path, monkeypatch):
    """Defence in depth: with the declared-size checks switched off, inflating still stops at MAX_PART."""
    src = odd.junk_rows(tmp_path, 30_000, name="big.xlsx")  # ~2.4 MB inflated
    monkeypatch.setattr(reader, "MAX_PART", 2**20)
    monkeypatch.setattr(reader._Zip, "_open", lambda self, name, what="": self.zf.open(self.names[name.lower()]))
    with pytest.raises(ReadError, match="压缩炸弹"):
        govxl.check(src)


@pytest.mark.parametrize("part", [odd.SST, odd.SHEET_T3, odd.WORKBOOK])
@pytest.mark.parametrize("kind", ["laughs", "xxe"])
def test_xml_entities_refused(tmp_path, part, kind):
    path = odd.entity_attack(tmp_path, part, kind)
    with zipfile.ZipFile(path) as z:
        assert b"<!DOCTYPE" in z.read(part)
    refused(path, "不安全的 XML 内容")


def test_thousands_of_sheets_refused(tmp_path):
    refused(odd.many_sheets(tmp_path, 1001), "张工作表，远超")


def test_hundreds_of_extra_sheets_are_one_finding(tmp_path):
    report = govxl.check(odd.many_sheets(tmp_path, 300))
    assert [(f.rule, f.actual) for f in report.findings] == [("S-EXTRA", "备注0")]
    assert "“备注0”等 300 张" in report.findings[0].message() and report.ok()


def test_a_zip_with_too_many_members(tmp_path, good, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ENTRIES", 50)
    path = odd.rezip(good, tmp_path / "多部件.xlsx", add={f"junk/{i}": b"" for i in range(60)})
    with pytest.raises(ReadError, match="部件数量异常"):
        govxl.check(path)


def test_a_zip_whose_end_record_claims_a_billion_members(tmp_path, good):
    """The member count is read from the end record before zipfile parses the directory."""
    data = bytearray(good.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = b"\xff\xff\xff\xff"  # 65535 entries, not zip64: a plain lie
    path = tmp_path / "谎报.xlsx"
    path.write_bytes(bytes(data))
    refused(path, "部件数量异常")


def test_junk_rows_refused_by_element_budget(tmp_path, monkeypatch):
    """(At full size, 150,000 rows against MAX_ELEMENTS, in test_hostile_files_cost_under_5s_and_500mb.)"""
    monkeypatch.setattr(reader, "MAX_ELEMENTS", 20_000)
    refused(odd.junk_rows(tmp_path, 10_000), f"工作表“{T3}”的内容多得异常")


def test_junk_rows_in_an_extra_sheet_do_not_block_the_check(tmp_path, monkeypatch):
    """An extra sheet is never parsed unless a table sheet is missing; then it is a hint only."""
    monkeypatch.setattr(reader, "MAX_ELEMENTS", 20_000)
    path = odd.junk_rows(tmp_path, 10_000, part="xl/worksheets/x0.xml", name="extra-junk.xlsx",
                         src=odd.many_sheets(tmp_path, 1))
    report = govxl.check(path)
    assert [f.rule for f in report.findings] == ["S-EXTRA"] and report.ok()
    renamed = odd.edit_part(path, tmp_path / "renamed.xlsx", odd.WORKBOOK,
                            lambda d: d.replace(f'name="{T4}"'.encode(), 'name="表四"'.encode()))
    with pytest.raises(ReadError):  # read with the extras, the junk sheet is too much...
        reader.read_xlsx(renamed)
    report = govxl.check(renamed)  # ...so the check goes on without it
    assert {f.rule for f in report.findings} == {"S-SHEET", "S-EXTRA"}


# ------------------------------------------------------------------ bounded time and memory, measured
def run_bounded(*args, cpu_s: int = 30, mem_mb: int = 2048):
    """Run the CLI in a child with hard limits; return (returncode, stderr, cpu seconds, peak RSS MB)."""
    import resource
    import tempfile
    import threading

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 2**20, mem_mb * 2**20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))

    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([*CLI, *map(str, args)], stdout=subprocess.DEVNULL, stderr=err, preexec_fn=limits)
        timer = threading.Timer(120, p.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, err.read().decode(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


HOSTILE = {
    "bomb": (lambda d: odd.zip_bomb(d, gib=2), "压缩炸弹"),
    "bomb-lie": (lambda d: odd.zip_bomb(d, gib=2, lie=True), "损坏"),
    "junk-1m": (lambda d: odd.junk_rows(d, 1_000_000), "过大"),
    "junk-150k": (lambda d: odd.junk_rows(d, 150_000), "多得异常"),
    "laughs": (lambda d: odd.entity_attack(d, odd.SST, "laughs"), "不安全"),
    "sheets": (lambda d: odd.many_sheets(d, 1001), "远超"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_cost_under_5s_and_500mb(tmp_path, case):
    make, fragment = HOSTILE[case]
    rc, err, cpu, rss = run_bounded("check", make(tmp_path))
    assert rc == 2 and fragment in err and "Traceback" not in err and "内存不足" not in err, err
    assert cpu < 5, f"{case}: {cpu:.1f} s of CPU"
    assert rss < 500, f"{case}: {rss:.0f} MB peak"


# ================================================================== almost right
@pytest.mark.parametrize("edit, sheet, cell, words", [
    (lambda wb: wb[T3].insert_rows(12), T3, "C12", "下移了 1 行（可能插入了行）"),
    (lambda wb: wb[T3].delete_rows(12), T3, "C12", "上移了 1 行（可能删除了行）"),
    (lambda wb: wb[T3].insert_cols(5), T3, "E3", "右移了 1 列（可能插入了列）"),
    (lambda wb: wb[T3].delete_cols(5), T3, "E3", "左移了 1 列（可能删除了列）"),
    (lambda wb: wb[T2].insert_rows(1, 2), T2, "A2", "下移了 2 行"),
    (lambda wb: wb[T4].insert_rows(3), T4, "A3", "下移了 1 行"),
])
def test_S_LAYOUT_rows_or_columns_inserted_or_deleted_is_one_finding(tmp_path, good, edit, sheet, cell, words):
    report = govxl.check(edited(good, tmp_path / "shift.xlsx", edit))
    mine = [f for f in report.findings if f.sheet == sheet]
    assert [(f.rule, f.cell, f.severity) for f in mine] == [("S-LAYOUT", cell, "error")], report.findings
    assert words in mine[0].message() and "本表的数值未校验" in mine[0].message()
    assert report.findings == mine, "no flood: the other tables are untouched and clean"


def test_S_LAYOUT_table_wiped(tmp_path, good):
    from openpyxl.cell.cell import MergedCell

    def wipe(wb):
        for row in wb[T3].iter_rows():
            for c in row:
                if not isinstance(c, MergedCell):
                    c.value = None
    report = govxl.check(edited(good, tmp_path / "wiped.xlsx", wipe))
    assert [(f.rule, f.cell) for f in report.findings] == [("S-LAYOUT", "A2")]
    assert "40 个标签与官方表格不符" in report.findings[0].message()


def test_a_few_edited_labels_stay_one_finding_each(tmp_path, good):
    def edit(wb):
        wb[T3]["C9"], wb[T3]["C10"] = "2.其他法律行政法规禁止公开", "1.属于国家秘密"  # swapped
        wb[T3]["C14"] = "6.属于四类过程信息"
    report = govxl.check(edited(good, tmp_path / "labels.xlsx", edit))
    assert [(f.rule, f.cell) for f in report.findings] == [("S-LABEL", "C9"), ("S-LABEL", "C10"), ("S-LABEL", "C14")]


def _strip_identity(wb):
    for k in list(wb.custom_doc_props.names):
        del wb.custom_doc_props[k]
    for k in list(wb.defined_names):
        del wb.defined_names[k]


def test_no_identity_and_a_broken_layout_cannot_be_checked(tmp_path, good):
    path = edited(good, tmp_path / "bare.xlsx", lambda wb: (_strip_identity(wb), wb[T3].insert_rows(12)))
    msg = refused(path, "不是 govxl 生成的年报工作簿", NotGovxlError)
    assert "表格版式与 2021 版不符" in msg


@pytest.mark.parametrize("edit, expected", [
    (lambda wb: wb.remove(wb[T4]), {("S-SHEET", "error")}),
    (lambda wb: wb.remove(wb["封面"]), {("S-SHEET", "error")}),
    (lambda wb: wb.create_sheet("填表人备注"), {("S-EXTRA", "info")}),
    (lambda wb: wb.move_sheet(T4, offset=-3), {("S-ORDER", "info")}),
    (lambda wb: setattr(wb[T2], "title", "表二"), {("S-SHEET", "error"), ("S-EXTRA", "info")}),
])
def test_sheets_deleted_added_reordered_renamed(tmp_path, good, edit, expected):
    report = govxl.check(edited(good, tmp_path / "s.xlsx", edit))
    assert {(f.rule, f.severity) for f in report.findings} == expected


def test_cover_deleted_still_checks_the_tables(tmp_path, good, ed2021):
    path = edited(good, tmp_path / "nocover.xlsx", lambda wb: wb.remove(wb["封面"]))
    path = fill_openpyxl(path, tmp_path / "nocover-bad.xlsx", ed2021, {("requests", "new", "natural_person"): 11})
    report = govxl.check(path)
    assert {f.rule for f in report.findings} == {"S-SHEET", "T3-BAL"} and report.agency is None


def test_cell_text_escapes_are_decoded(tmp_path, good):
    """Excel writes a carriage return inside cell text as _x000D_: a wrapped label is still the label."""
    def edit(data: bytes) -> bytes:
        out, n = re.subn("<t>商业企业</t>".encode(), "<t>商业_x000D_\n企业</t>".encode(), data)
        assert n == 1
        return out
    path = odd.edit_part(good, tmp_path / "esc.xlsx", odd.SST, edit)
    assert govxl.check(path).findings == []


def test_rows_and_cells_without_r_attributes(tmp_path, good):
    """Some writers omit r=; Excel places such rows and cells one after another."""
    def edit(data: bytes) -> bytes:
        data = re.sub(rb'(<row[^>]*?) r="\d+"', rb"\1", data)
        return re.sub(rb'(<c[^>]*?) r="[A-Z]+\d+"', rb"\1", data)
    src = odd.edit_part(good, tmp_path / "nor.xlsx", odd.SHEET_T3, edit)
    assert b' r="' not in odd.members(src)[odd.SHEET_T3].split(b"<sheetData>")[1].split(b"</sheetData>")[0]
    assert govxl.check(src).findings == []  # every row and cell is written here, so the places are exact


# ================================================================== values (outcomes not already in test_check.py)
def _with_cell(src: Path, dst: Path, cell: str, xml: str) -> Path:
    """Replace one cell of table 三 by raw XML."""
    def edit(data: bytes) -> bytes:
        out, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'.encode(), xml.encode(), data, count=1)
        assert n == 1
        return out
    return odd.edit_part(src, dst, odd.SHEET_T3, edit)


@pytest.mark.parametrize("xml, rule, used", [
    ('<c r="E7" s="{s}"><v>nan</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}"><v>inf</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}"><v>1E3</v></c>', None, 1000),  # a number stored in scientific notation is a number
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>\u200b12</t></is></c>', "V-TEXT", 12),  # zero-width space from a web page
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>１２．０</t></is></c>', "V-TEXT", 12),
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>\u221212</t></is></c>', "V-INT", None),  # U+2212 minus sign: not a count anyway
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>=A1+1</t></is></c>', "V-INT", None),  # formula text, not a formula
    ('<c r="E7" s="{s}" t="inlineStr"><is><t>١٢</t></is></c>', "V-INT", None),  # Arabic-Indic digits
    ('<c r="E7" s="{s}" t="b"/>', None, None),  # a boolean cell with no value is blank
    ('<c r="E7" s="{s}" t="s"><v>-1</v></c>', None, None),  # a negative shared-string index is blank, not the last string
    ('<c r="E7" s="{s}" t="e"><v>#DIV/0!</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}" t="d"><v>2024-01-02T00:00:00</v></c>', "V-INT", None),
    ('<c r="E7" s="{s}" t="zz"><v>5</v></c>', None, 5),  # an unknown type with a number: the number
])
def test_odd_stored_values(tmp_path, good, xml, rule, used):
    s = re.search(rb'<c r="E7" s="(\d+)"', odd.members(good)[odd.SHEET_T3]).group(1).decode()
    report = govxl.check(_with_cell(good, tmp_path / "v.xlsx", "E7", xml.format(s=s)))
    mine = [f.rule for f in report.findings if f.cell == "E7"]
    assert mine == ([rule] if rule else [])
    key = ("requests", "results.public", "commercial")
    assert report.values[key] == (used or 0)
    import json
    json.dumps(report.to_dict(), allow_nan=False)  # never NaN/Infinity in the JSON document


def test_absurd_numbers_in_total_cells(tmp_path, good):
    """Found by the fuzzer: constants of 1e308 over two totals overflowed the balance to inf (OverflowError);
    a cached inf under a formula was put in the JSON as Infinity."""
    import json

    def edit(data: bytes) -> bytes:
        for cell, xml in (("J5", '<c r="J5"><v>1e308</v></c>'), ("J6", '<c r="J6"><v>1e308</v></c>'),
                          ("J7", '<c r="J7"><f>SUM(D7:I7)</f><v>inf</v></c>')):
            data, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'.encode(), xml.encode(), data, count=1)
            assert n == 1
        return data
    report = govxl.check(odd.edit_part(good, tmp_path / "big.xlsx", odd.SHEET_T3, edit))
    assert [(f.rule, f.cell, f.actual) for f in report.findings] == [
        ("S-FORMULA", "J5", "常数 1e+308"), ("S-FORMULA", "J6", "常数 1e+308"), ("S-CACHE", "J7", "inf")]
    json.dumps(report.to_dict(), allow_nan=False)


def test_an_unknown_xml_encoding_is_damage(tmp_path, good):
    """Found by the fuzzer: an unknown encoding name in an XML declaration raised LookupError."""
    for enc in (b"U_x001B_TF-8", b"gbk", b"utf-32"):
        path = odd.edit_part(good, tmp_path / "enc.xlsx", "xl/worksheets/sheet1.xml",
                             lambda d, enc=enc: d.replace(b'encoding="UTF-8"', b'encoding="' + enc + b'"', 1))
        refused(path, "不是有效的 XML")


def test_odd_numbers_in_attributes(tmp_path, good):
    """Digits that int() refuses (superscripts, 5,000 digits) in row numbers and number-format ids."""
    path = odd.edit_part(good, tmp_path / "a.xlsx", "xl/styles.xml",
                         lambda d: d.replace(b'numFmtId="1"', 'numFmtId="²"'.encode()))
    assert govxl.check(path).ok()
    path = odd.edit_part(good, tmp_path / "b.xlsx", odd.SHEET_T3,
                         lambda d: d.replace(b'<row r="30"', b'<row r="' + b"9" * 5000 + b'"', 1))
    govxl.check(path)  # row 30 (the balance check line) loses its number: no crash


def test_a_cell_at_an_absurd_address_is_ignored(tmp_path, good):
    path = _with_cell(good, tmp_path / "far.xlsx", "E7", '<c r="E7" s="1"><v>0</v></c><c r="XFD1048576"><v>1</v></c>'
                      '<c r="A99999999999"><v>1</v></c><c r="1A"><v>1</v></c>')
    report = govxl.check(path)
    assert report.ok()


@pytest.mark.parametrize("prop, value, outcome", [
    ("govxl.template_version", "inf", "checked"),
    ("govxl.template_version", "1e999", "checked"),
    ("govxl.template_version", "第一版", "checked"),
    ("govxl.template_version", "9" * 5000, "checked"),
    ("govxl.template_version", "2.0", "newer"),
    ("govxl.template_version", "２", "newer"),
    ("govxl.edition", "2021\u0000", "unknown"),
])
def test_odd_identity_values(tmp_path, good, prop, value, outcome):
    def edit(data: bytes) -> bytes:
        pat = rf'(name="{re.escape(prop)}"><vt:lpwstr>)[^<]*(<)'.encode()
        out, n = re.subn(pat, lambda m: m.group(1) + value.replace("\0", "&#x0;").encode() + m.group(2), data)
        assert n == 1
        return out
    path = odd.edit_part(good, tmp_path / "id.xlsx", "docProps/custom.xml", edit)
    if outcome == "checked":
        report = govxl.check(path)
        assert report.ok() and report.template_version == 1
    elif outcome == "newer":
        with pytest.raises(NotGovxlError, match="请升级 govxl"):
            govxl.check(path)
    else:
        with pytest.raises(GovxlError):
            govxl.check(path)


def test_odd_year_on_the_cover(tmp_path, good):
    for year, expected in (("9" * 400, None), ("２０２３", 2023), ("二〇二三", None)):
        path = edited(good, tmp_path / "y.xlsx", lambda wb, y=year: wb["封面"].__setitem__("B4", y))
        assert govxl.check(path).year == expected


def test_dates_and_times_typed_into_counts(tmp_path, good, ed2021):
    cells = {("requests", "new", "research"): datetime.datetime(2024, 1, 2, 3, 4),
             ("requests", "new", "commercial"): datetime.time(12, 0)}
    report = govxl.check(fill_openpyxl(good, tmp_path / "dt.xlsx", ed2021, cells))
    assert sorted((f.rule, f.cell) for f in report.findings if f.rule.startswith("V-")) == [("V-INT", "E5"), ("V-INT", "F5")]


# ================================================================== formula injection
@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_agency_name_is_written_as_text_never_a_formula(tmp_path, payload):
    path = govxl.new(tmp_path / "a.xlsx", agency=payload, year=2025)
    assert_no_formula_injection(path, [payload])
    assert govxl.check(path).agency == payload


def test_extra_sheet_text_is_never_a_formula(tmp_path, ed2021):
    path = write_workbook(tmp_path / "a.xlsx", ed2021, extra=[Extra("名单", ["机关"], [[p] for p in FORMULA_PAYLOADS])])
    assert_no_formula_injection(path)


def test_the_injection_helper_on_the_export_and_render_writers(tmp_path, ed2021):
    """The helper on the real CSV export and Word render (owned by their modules' own tests)."""
    from helpers import NANGUAN_2023, values

    from govxl.export import load, write_export
    from govxl.render import render_report

    books = [govxl.new(tmp_path / f"{i}.xlsx", agency=p, year=2023, values=values(ed2021, NANGUAN_2023))
             for i, p in enumerate(FORMULA_PAYLOADS)]
    assert_no_formula_injection(write_export(load(books), "csv", tmp_path / "all.csv"))
    doc = render_report(govxl.check(books[0]), "docx", tmp_path / "0.docx").path  # one: rendering takes seconds
    assert_no_formula_injection(doc, FORMULA_PAYLOADS[:1])


def test_the_injection_helper_can_fail(tmp_path):
    """The helper is only worth something if it catches the real thing."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = '=HYPERLINK("http://x","y")'  # openpyxl makes this a formula
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(AssertionError, match="became a formula"):
        assert_no_formula_injection(tmp_path / "bad.xlsx", ['=HYPERLINK("http://x","y")'])
    with pytest.raises(AssertionError, match="not found"):
        assert_no_formula_injection(tmp_path / "bad.xlsx", ["@SUM(1)"])
    (tmp_path / "bad.csv").write_text('机关,件数\n"=HYPERLINK(""http://x"",""y"")",-1\n', encoding="utf-8")
    with pytest.raises(AssertionError, match="would be evaluated"):
        assert_no_formula_injection(tmp_path / "bad.csv", ['=HYPERLINK("http://x","y")'])
    (tmp_path / "ok.csv").write_text('机关,件数\n"\'=HYPERLINK(""http://x"",""y"")",-1\n', encoding="utf-8")
    assert_no_formula_injection(tmp_path / "ok.csv", ['=HYPERLINK("http://x","y")'])
    with pytest.raises(ValueError):
        assert_no_formula_injection(tmp_path / "a.pdf")


def test_hostile_text_in_a_workbook_prints_as_plain_text(tmp_path, good, monkeypatch, capsys):
    """Labels and agency names are never rich markup, terminal escapes or extra lines."""
    from govxl.checker import check_file
    from govxl.cli import render_text

    def edit(data: bytes) -> bytes:  # cell text may hold any character, escaped as _xHHHH_
        data = data.replace(NANGUAN_AGENCY.encode(), "[/bold]机关_x001B_[2J\n第二行".encode())
        return data.replace("2.其他法律行政法规禁止公开".encode(), "[link=http://x]点我[/link] [/x]".encode())
    report = check_file(odd.edit_part(good, tmp_path / "h.xlsx", odd.SST, edit))
    assert report.agency == "[/bold]机关\x1b[2J\n第二行"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    render_text(report, "zh", False)
    out = capsys.readouterr().out
    assert "实为“[link=http://x]点我[/link] [/x]”" in out and "\\x1b[2J\\x0a第二行" in out
    assert "\x1b" not in out and len(out.splitlines()) == 4  # head, [sheet], one finding, verdict
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    render_text(report, "zh", False)  # rich: must not take the text as markup (MarkupError) or escapes
    out = capsys.readouterr().out
    assert "[/bold]机关" in out and "\x1b[2J" not in out


# ================================================================== output safety
def test_refuse_same_file(tmp_path, good):
    (tmp_path / "sub").mkdir()
    os.symlink(good, tmp_path / "link.xlsx")
    os.link(good, tmp_path / "hard.xlsx")
    for same in (good, tmp_path / "sub" / ".." / "good.xlsx", tmp_path / "link.xlsx", tmp_path / "hard.xlsx"):
        with pytest.raises(UsageError, match="输出文件不能与输入文件相同"):
            refuse_same_file(same, tmp_path / "other.xlsx", good)
    refuse_same_file(tmp_path / "new.xlsx", good)  # a new name is fine
    shutil.copy(good, tmp_path / "copy.xlsx")
    refuse_same_file(tmp_path / "copy.xlsx", good)  # an equal copy is another file
    with pytest.raises(UsageError):
        refuse_same_file(tmp_path / "not-yet.xlsx", tmp_path / "not-yet.xlsx")


def test_every_output_goes_through_a_temporary_file(tmp_path, good, monkeypatch):
    """new, export and render all write a temporary file beside the output and rename it."""
    from govxl.export import load, write_export
    from govxl.render import render_report

    renames = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renames.append((Path(src), Path(dst))), real(src, dst)))
    outs = [govxl.new(tmp_path / "new.xlsx"), write_export(load([good]), "csv", tmp_path / "e.csv"),
            render_report(govxl.check(good), "html", tmp_path / "r.html").path]
    assert [dst for _, dst in renames] == outs
    assert all(src.parent == dst.parent and src.name.startswith(".govxl-") for src, dst in renames)


def test_no_command_writes_over_its_input(tmp_path, good):
    before = sha256(good)
    for args in (["new", good, "--from", good, "--force"], ["export", good, "--to", "csv", "-o", good],
                 ["render", good, "--to", "html", "-o", good]):
        r = cli(*args)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    assert sha256(good) == before


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, ed2021, monkeypatch):
    out = govxl.new(tmp_path / "a.xlsx", agency="甲")
    before = sha256(out)
    import govxl.writer as writer

    def broken(self, path):
        assert Path(path) != out and Path(path).parent == out.parent, "written beside the output, never to it"
        Path(path).write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(writer._Writer, "write", broken)
    with pytest.raises(OSError):
        govxl.new(out, agency="乙", force=True)
    assert sha256(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_written_files_get_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        out = govxl.new(tmp_path / "a.xlsx")
        assert out.stat().st_mode & 0o777 == 0o644, "not mkstemp's 0600: colleagues must be able to read it"
        out.chmod(0o640)
        govxl.new(out, force=True)
        assert out.stat().st_mode & 0o777 == 0o640, "overwriting keeps the file's permissions"
    finally:
        os.umask(old)


def test_check_writes_nothing(tmp_path, not_workbooks, good):
    folder = next(iter(not_workbooks.values()))[0].parent
    paths = sorted(p for p in folder.iterdir() if p.is_file()) + [good]
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in paths}
    listing = sorted(os.listdir(folder))
    cli("check", *paths)
    cli("check", "--format", "json", *paths)
    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in paths} == before
    assert sorted(os.listdir(folder)) == listing


# ================================================================== the CLI over many odd files
def test_cli_one_line_per_odd_file(tmp_path, not_workbooks, good):
    """`govxl check` over every odd file (and a good one): one line each, exit 2, the good one checked.
    (Written for several FILE arguments; the batch command will take the folder itself.)"""
    os.mkfifo(tmp_path / "管道.xlsx")
    (tmp_path / "文件夹.xlsx").mkdir()
    cases = [*not_workbooks.values(), (tmp_path / "没有.xlsx", "找不到文件"), (tmp_path / "管道.xlsx", "不是普通文件")]
    odd_paths = [p for p, _ in cases]
    r = cli("check", *odd_paths, good)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == len(odd_paths)
    for (path, fragment), line in zip(cases, lines):
        assert line.startswith(f"{path}：无法校验：") and fragment in line
    assert r.stdout.startswith(str(good)) and r.stdout.strip().endswith("通过"), "the good file is still checked"
    r = cli("check", "--format", "json", *odd_paths, good)
    import json
    docs = json.loads(r.stdout)["files"]
    assert [d["ok"] for d in docs] == [False] * len(odd_paths) + [True]
    assert all(d["error"] for d in docs[:-1])


def test_cli_turns_an_unforeseen_exception_into_one_line(tmp_path, good, monkeypatch):
    """The per-file boundary in the CLI: a bug in the library costs one file a line, never a traceback."""
    from typer.testing import CliRunner

    import govxl.checker
    from govxl.cli import app
    real = govxl.checker.check_file

    def flaky(path, **kw):
        if Path(path).name == "boom.xlsx":
            raise ZeroDivisionError("division by zero")
        return real(path, **kw)
    monkeypatch.setattr(govxl.checker, "check_file", flaky)
    shutil.copy(good, tmp_path / "boom.xlsx")
    result = CliRunner().invoke(app, ["check", str(tmp_path / "boom.xlsx"), str(good)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path / 'boom.xlsx'}：无法校验：无法读取：文件结构异常（"
                                                   "ZeroDivisionError: division by zero）")
    assert result.stdout.strip().endswith("通过"), "the next file is still checked"
