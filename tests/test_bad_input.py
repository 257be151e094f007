"""Issue 5: files that are not workbooks, hostile files, and the CLI over all of them.

Every malformed, hostile or odd file gets a clear answer, and nothing is lost. Each case is a
row of docs/odd-input.md; the files are made under tmp_path by tests/oddfiles.py (nothing binary
is checked in). Almost-right workbooks and odd values: test_odd_workbooks.py; what govxl writes:
test_output_safety.py; fuzzing: test_fuzz_input.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import oddfiles as odd
import pytest
from cli import COMMAND as CLI
from cli import run
from helpers import NANGUAN_AGENCY, sha256
from oddfiles import T3, T4, refused
from said import said

import govxl
from govxl import reader
from govxl.catalogue import READ_ERRORS, text
from govxl.errors import ReadError
from govxl.reader import bounded
from govxl.sources.workbook import check_file

# The `good` fixture: a fresh copy of a correct, filled workbook for each test.
good_source, good = odd.good_source, odd.good_copy


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
    r = run("check", fifo)  # in a child with a timeout: it would block forever if the reader opened it
    assert r.returncode == 2 and "不是普通文件" in r.stderr


def test_chinese_names_with_spaces_pass(tmp_path, good):
    named = tmp_path / "南关区 2023 年报（终稿） v2.xlsx"
    shutil.copy(good, named)
    r = run("check", named)
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
    with pytest.raises(ReadError, match=r"旧版 Excel（\.xls）"):
        check_file(xls)  # the workbook reader says what it is; govxl.check, like `govxl check`, reads it
    report = govxl.check(xls)  # as a document in the official layout (govxl.sources)
    assert report.source == "xls" and report.ok() and report.values == govxl.check(good).values


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
    assert run("check", path).returncode == 0


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
    monkeypatch.setattr(bounded, "MAX_TOTAL", 10**12)
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
    monkeypatch.setattr(bounded, "MAX_PART", 2**20)
    monkeypatch.setattr(bounded.BoundedZip, "_judge", lambda self, info, what: None)
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
    assert report.findings[0].message() == said("S-EXTRA", actual="备注0", detail=said("more-sheets", n=300))
    assert report.ok()


def test_a_zip_with_too_many_members(tmp_path, good, monkeypatch):
    monkeypatch.setattr(bounded, "MAX_ENTRIES", 50)
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
    monkeypatch.setattr(bounded, "MAX_ELEMENTS", 20_000)
    refused(odd.junk_rows(tmp_path, 10_000), f"工作表“{T3}”的内容多得异常")


def test_junk_rows_in_an_extra_sheet_do_not_block_the_check(tmp_path, monkeypatch):
    """An extra sheet is never parsed unless a table sheet is missing; then it is a hint only."""
    monkeypatch.setattr(bounded, "MAX_ELEMENTS", 20_000)
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




# ------------------------------------------------------------------ read errors: codes, both languages
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def unquoted(text: str) -> str:
    """`text` without the “quoted” names it carries (an official sheet name is Chinese in any language)."""
    return re.sub(r"“[^”]*”", "", text)


REFUSED = {  # a hostile file -> its code and the parameters of its message
    "R-BOMB": (lambda d: odd.zip_bomb(d, gib=1), {}),
    "R-RATIO": (lambda d: odd.zip_bomb(d, gib=0.02), {"ratio": bounded.MAX_RATIO, "what": f"工作表“{T3}”",
                                                       "what_en": f"sheet “{T3}”"}),
    "R-DTD": (lambda d: odd.entity_attack(d, odd.SHEET_T3, "xxe"), {}),
}


@pytest.mark.parametrize("code", REFUSED)
def test_a_refused_file_says_why_in_either_language_and_its_code_in_json(tmp_path, code):
    make, params = REFUSED[code]
    path = make(tmp_path)
    zh, en = (text(READ_ERRORS, code, lang, params) for lang in ("zh", "en"))
    r = run("check", path)
    assert r.returncode == 2 and r.stderr == f"{path}：无法校验：{zh}\n"
    r = run("check", "--lang", "en", path)
    assert r.returncode == 2 and r.stderr == f"{path}: cannot check: {en}\n"
    assert not CJK.search(unquoted(r.stderr)), r.stderr
    for lang, message in (("zh", zh), ("en", en)):
        r = run("check", "--format", "json", "--lang", lang, path)
        assert r.returncode == 2 and json.loads(r.stdout)["error"] == {"code": code, "message": message}


def test_every_file_the_reader_refuses_has_a_code_and_english(tmp_path, not_workbooks):
    """Not one refusal of govxl.reader is a reason without a code (R-READ in JSON), nor Chinese in English."""
    os.mkfifo(tmp_path / "管道.xlsx")
    (tmp_path / "文件夹.xlsx").mkdir()
    paths = [p for p, _ in not_workbooks.values()] + [tmp_path / n for n in ("管道.xlsx", "文件夹.xlsx", "没有.xlsx")]
    codes = []
    for path in paths:
        try:
            reader.read_xlsx(path)
        except ReadError as exc:
            assert exc.code in READ_ERRORS, (path.name, str(exc))
            assert str(exc) == text(READ_ERRORS, exc.code, "zh", exc.params)
            assert not CJK.search(unquoted(exc.text("en").replace(str(path), "").replace(path.name, ""))), exc.text("en")
            codes.append(exc.code)
    assert len(codes) == len(paths) and len(set(codes)) >= 12, codes


# ================================================================== the CLI over many odd files
def test_cli_one_line_per_odd_file(tmp_path, not_workbooks, good):
    """`govxl check` over every odd file (and a good one): one line each, exit 2, the good one checked.
    (Written for several FILE arguments; the batch command will take the folder itself.)"""
    os.mkfifo(tmp_path / "管道.xlsx")
    (tmp_path / "文件夹.xlsx").mkdir()
    cases = [*not_workbooks.values(), (tmp_path / "没有.xlsx", "找不到文件"), (tmp_path / "管道.xlsx", "不是普通文件")]
    odd_paths = [p for p, _ in cases]
    r = run("check", *odd_paths, good)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == len(odd_paths)
    for (path, fragment), line in zip(cases, lines):
        assert line.startswith(f"{path}：无法校验：") and fragment in line
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines()[1:-1]}
    assert rows[str(good)][4] == "通过", "the good file is still checked"
    assert [rows[str(p)][-1] for p in odd_paths] == ["无法校验"] * len(odd_paths), "each odd file is in the summary"
    assert r.stdout.splitlines()[-1].startswith(f"共 {len(cases) + 1} 个文件：1 个通过，0 个不通过，{len(cases)} 个无法校验")
    r = run("check", "--format", "json", *odd_paths, good)
    docs = json.loads(r.stdout)["files"]
    assert [d["ok"] for d in docs] == [False] * len(odd_paths) + [True]
    assert all(d["error"] for d in docs[:-1])


def test_cli_turns_an_unforeseen_exception_into_one_line(tmp_path, good, monkeypatch):
    """The per-file boundary in the CLI: a bug in the library costs one file a line, never a traceback."""
    from typer.testing import CliRunner

    import govxl.sources.workbook
    from govxl.cli import app
    real = govxl.sources.workbook.check_file

    def flaky(path, **kw):
        if Path(path).name == "boom.xlsx":
            raise ZeroDivisionError("division by zero")
        return real(path, **kw)
    monkeypatch.setattr(govxl.sources.workbook, "check_file", flaky)
    shutil.copy(good, tmp_path / "boom.xlsx")
    result = CliRunner().invoke(app, ["check", str(tmp_path / "boom.xlsx"), str(good)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path / 'boom.xlsx'}：无法校验：无法读取：文件结构异常（"
                                                   "ZeroDivisionError: division by zero）")
    assert result.stdout.strip().splitlines()[-1].startswith("共 2 个文件：1 个通过，0 个不通过，1 个无法校验"), \
        "the next file is still checked"


def test_check_writes_nothing(tmp_path, not_workbooks, good):
    folder = next(iter(not_workbooks.values()))[0].parent
    paths = sorted(p for p in folder.iterdir() if p.is_file()) + [good]
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in paths}
    listing = sorted(os.listdir(folder))
    run("check", *paths)
    run("check", "--format", "json", *paths)
    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in paths} == before
    assert sorted(os.listdir(folder)) == listing


def test_cli_check_over_a_folder_of_odd_files(tmp_path, not_workbooks, good):
    """Issue 5's acceptance: a folder of odd files -> one line per file, exit 2, no traceback."""
    import shutil

    folder = tmp_path / "收到的文件"
    (folder / "子目录").mkdir(parents=True)
    xlsx = [p for p, _ in not_workbooks.values() if p.suffix == ".xlsx" and p.is_file() and not p.name.startswith("~$")]
    for i, p in enumerate(xlsx):
        shutil.copy(p, folder / ("子目录" if i % 2 else "") / p.name)
    assert len(xlsx) >= 5
    shutil.copy(good, folder / "好的.xlsx")
    (folder / "~$锁定.xlsx").write_bytes(b"lock")
    r = run("check", folder)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == len(xlsx) and all("：无法校验：" in ln for ln in lines)
    assert "好的.xlsx" in r.stdout and "锁定" not in r.stdout + r.stderr
