"""`govxl check` over several files and folders: order, exit codes, JSON/JSONL/CSV, parallelism."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest
from cli import COMMAND as CLI
from cli import run
from helpers import NANGUAN_2023, NANGUAN_AGENCY, sha256, values
from said import said

import govxl
from govxl.errors import GovxlError
from govxl.files import find_workbooks
from govxl.report.batch import Row
from govxl.session import check_many

MACHINE_HEADER = ["file", "agency", "year", "edition", "verdict", "errors", "warnings", "infos", "reason", "rules_not_verified"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """reports/ with good, failing and unreadable workbooks in nested folders, and Office lock files.

        reports/a-good.xlsx            passes
        reports/b/c-bad.xlsx           T3-BAL (new 11 vs results 10)
        reports/b/d/e-good.xlsx        passes, agency 乙
        reports/b/~$c-bad.xlsx         an Office lock file: skipped
        reports/._a-good.xlsx          a hidden file (macOS resource fork): skipped
        reports/z-broken.xlsx          not a zip: could not check
        reports/notes.txt              not an .xlsx: skipped
    """
    from govxl.spec import load_edition

    ed = load_edition("2021")
    root = tmp_path_factory.mktemp("batch") / "reports"
    (root / "b" / "d").mkdir(parents=True)
    good = values(ed, NANGUAN_2023)
    govxl.new(root / "a-good.xlsx", values=good, agency=NANGUAN_AGENCY, year=2023)
    govxl.new(root / "b" / "c-bad.xlsx", values={**good, ("requests", "new", "natural_person"): 11}, agency="甲", year=2024)
    govxl.new(root / "b" / "d" / "e-good.xlsx", values=good, agency="乙", year=2023)
    shutil.copy(root / "b" / "c-bad.xlsx", root / "b" / "~$c-bad.xlsx")
    (root / "._a-good.xlsx").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (root / "z-broken.xlsx").write_bytes(b"this is not a workbook")
    (root / "notes.txt").write_text("说明")
    return root


ORDER = ["a-good.xlsx", "b/c-bad.xlsx", "b/d/e-good.xlsx", "z-broken.xlsx"]


# ------------------------------------------------------------------ finding and checking (library)
def test_find_workbooks_recursive_sorted_lock_files_skipped(folder):
    assert [p.relative_to(folder).as_posix() for p in find_workbooks([folder])] == ORDER


def test_find_workbooks_keeps_the_order_given_and_checks_a_file_once(folder):
    got = list(find_workbooks([folder / "b", folder / "a-good.xlsx", folder / "b" / "c-bad.xlsx"]))
    assert [p.relative_to(folder).as_posix() for p in got] == ["b/c-bad.xlsx", "b/d/e-good.xlsx", "a-good.xlsx"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_many_streams_results_in_order(folder, jobs):
    files = list(find_workbooks([folder]))
    results = list(check_many(files, jobs))
    assert [c.path for c in results] == files
    rows = [Row.of(c) for c in results]
    assert [r.status for r in rows] == ["passed", "failed", "passed", "unreadable"]
    assert results[3].report is None and isinstance(results[3].error, GovxlError)
    assert results[3].error.code == "R-NOTXLSX" and "不是 xlsx 工作簿" in str(results[3].error)
    assert [c.error is None for c in results] == [True, True, True, False], "a report or an error, never both"
    assert results[1].report.findings[0].rule == "T3-BAL"
    assert results[0].report.values == {}, "workers send reports back without their values"
    kept = list(check_many(files[:2], jobs, keep_values=True))
    assert kept[0].report.values[("requests", "results.total", "total")] == 10


# ------------------------------------------------------------------ the command
def test_folder_text_output_summary_table_and_worst_exit_code(folder):
    r = run("check", folder)
    assert r.returncode == 2, "an unreadable file is the worst outcome"
    out = r.stdout.splitlines()
    # findings of the failing file, then one summary line per file in order, then the totals
    assert any("T3-BAL" in line for line in out)
    header = out.index(next(line for line in out if line.startswith("文件 ")))
    # issue 23: a last column counts the rules not verified
    assert out[header].split() == ["文件", "填报单位", "年度", "格式版本", "结论", "错误", "警告", "提示", "未能核对的规则"]
    table = [line.split() for line in out[header + 1:-1]]
    assert [row[0] for row in table] == [str(folder / f) for f in ORDER]
    assert table[0][1:] == [NANGUAN_AGENCY, "2023", "2021", "通过", "0", "0", "0", "0"]
    assert table[1][1:] == ["甲", "2024", "2021", "不通过", "2", "0", "0", "0"]
    assert table[3][1:] == ["无法校验"]
    assert out[-1] == "共 4 个文件：2 个通过，1 个不通过，1 个无法校验（错误 2 个，警告 0 个）"
    assert "~$" not in r.stdout and "notes.txt" not in r.stdout
    # the unreadable file: one line on stderr, and the others were still checked
    reason = "不是 xlsx 工作簿：这是文本文件"
    assert r.stderr.strip().splitlines() == [f"{folder / 'z-broken.xlsx'}：无法校验：{reason}"]
    assert "Traceback" not in r.stderr


def test_exit_code_is_the_worst_over_all_files(folder):
    assert run("check", folder / "a-good.xlsx", folder / "b" / "d" / "e-good.xlsx").returncode == 0
    assert run("check", folder / "a-good.xlsx", folder / "b" / "c-bad.xlsx").returncode == 1
    assert run("check", folder / "b" / "c-bad.xlsx", folder / "z-broken.xlsx", folder / "a-good.xlsx").returncode == 2


def test_one_file_keeps_the_single_file_output(folder):
    r = run("check", folder / "b" / "c-bad.xlsx")
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == f"{folder / 'b' / 'c-bad.xlsx'}（2021 版，甲，2024 年）"
    assert r.stdout.strip().endswith("不通过：2 个错误") and "共 " not in r.stdout
    doc = json.loads(run("check", folder / "b" / "c-bad.xlsx", "--format", "json").stdout)
    assert doc["file"].endswith("c-bad.xlsx") and "files" not in doc


def test_json_for_several_files(folder):
    r = run("check", folder, "--format", "json")
    assert r.returncode == 2 and r.stderr == ""
    doc = json.loads(r.stdout)
    assert set(doc) == {"files", "counts", "ok"}
    assert doc["ok"] is False
    assert doc["counts"] == {"files": 4, "passed": 2, "failed": 1, "unreadable": 1, "not_verified": 0,
                             "error": 2, "warning": 0, "info": 0}
    assert [f["file"] for f in doc["files"]] == [str(folder / f) for f in ORDER]
    good, bad, _, broken = doc["files"]
    assert set(good) == {"file", "edition", "template_version", "agency", "year", "ok", "verdict", "counts", "findings",
                         "not_verified"}
    assert good["ok"] is True and good["verdict"] == "passed" and good["agency"] == NANGUAN_AGENCY
    assert bad["ok"] is False and {f["rule"] for f in bad["findings"]} == {"T3-BAL"}
    assert broken == {"file": str(folder / "z-broken.xlsx"), "ok": False,
                      "error": {"code": "R-NOTXLSX", "message": "不是 xlsx 工作簿：这是文本文件"}}


def test_json_all_passing_is_ok(folder):
    doc = json.loads(run("check", folder / "a-good.xlsx", folder / "b" / "d", "--format", "json").stdout)
    assert doc["ok"] is True and doc["counts"]["passed"] == 2


def test_jsonl_one_line_per_file_in_order(folder):
    r = run("check", folder, "--format", "jsonl", "--lang", "en")
    lines = r.stdout.splitlines()
    assert r.returncode == 2 and len(lines) == 4
    docs = [json.loads(line) for line in lines]
    assert [d["file"] for d in docs] == [str(folder / f) for f in ORDER]
    assert [d["ok"] for d in docs] == [True, False, True, False]
    assert docs[1]["findings"][0]["message"] == said("T3-BAL", "en", col="自然人", expected=11, actual=10)
    assert set(docs[3]) == {"file", "ok", "error"}


def test_summary_csv_opens_in_excel_with_chinese_intact(folder, tmp_path):
    out = tmp_path / "汇总.csv"
    before = {p: sha256(p) for p in folder.rglob("*") if p.is_file()}
    r = run("check", folder, "--summary", out)
    assert r.returncode == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so that Excel reads it as UTF-8"
    assert b"\r\n" in raw
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == MACHINE_HEADER
    assert rows[1] == [str(folder / "a-good.xlsx"), NANGUAN_AGENCY, "2023", "2021", "通过", "0", "0", "0", "", "0"]
    assert rows[2][4:6] == ["不通过", "2"]
    assert rows[4][4] == "无法校验" and "不是 xlsx 工作簿" in rows[4][8]
    assert len(rows) == 5
    assert before == {p: sha256(p) for p in folder.rglob("*") if p.is_file()}, "inputs untouched"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".govxl-")], "no temporary file left"


def test_summary_csv_has_one_machine_header_in_both_languages_and_says_where_it_went(folder, tmp_path):
    zh, en = tmp_path / "zh.csv", tmp_path / "en.csv"
    rz = run("check", folder, "--summary", zh)
    re_ = run("check", folder, "--summary", en, "--lang", "en")
    first = [p.read_text(encoding="utf-8-sig").splitlines()[0] for p in (zh, en)]
    assert first[0] == first[1] == "file,agency,year,edition,verdict,errors,warnings,infos,reason,rules_not_verified"
    assert f"校验汇总：{zh}" in rz.stderr and f"summary: {en}" in re_.stderr
    again = run("check", folder, "--summary", zh)  # an existing summary is kept unless --force
    assert again.returncode == 2 and "--force" in again.stderr and zh.read_text(encoding="utf-8-sig") != ""
    assert run("check", folder, "--summary", zh, "--force").returncode == rz.returncode


def test_summary_csv_guards_against_formulas_and_bad_paths(tmp_path):
    from govxl.errors import UsageError
    from govxl.report.batch import SummaryCSV

    out = tmp_path / "s.csv"
    with SummaryCSV(out) as sink:
        sink.add(Row("a.xlsx", "=HYPERLINK(\"http://x\")", 2023, "2021", "passed"))
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    for bad in (tmp_path / "s.xlsx", tmp_path / "missing" / "s.csv", tmp_path):
        with pytest.raises(UsageError):
            SummaryCSV(bad)
    r = run("check", tmp_path, "--summary", tmp_path / "no" / "s.csv")
    assert r.returncode == 2 and "目录不存在" in r.stderr


def test_jobs_1_and_jobs_2_give_identical_output(folder, tmp_path):
    for fmt in ("text", "json", "jsonl"):
        one = run("check", folder, "--format", fmt, "--jobs", "1", "--summary", tmp_path / "1.csv", "--force")
        two = run("check", folder, "--format", fmt, "--jobs", "2", "--summary", tmp_path / "2.csv", "--force")
        assert (one.returncode, one.stdout, one.stderr.replace("1.csv", "2.csv")) == (two.returncode, two.stdout,
                                                                                     two.stderr), fmt
        assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()


def test_strict_counts_warnings(folder, tmp_path):
    from govxl.spec import load_edition

    ed = load_edition("2021")
    one_blank = {k: v for k, v in values(ed, NANGUAN_2023).items() if k != ("requests", "new", "research")}
    warn = govxl.new(tmp_path / "w.xlsx", agency=NANGUAN_AGENCY, year=2023, values=one_blank)
    assert run("check", warn, folder / "a-good.xlsx").returncode == 0
    r = run("check", warn, folder / "a-good.xlsx", "--strict", "--format", "json")
    assert r.returncode == 1 and json.loads(r.stdout)["counts"]["failed"] == 1


def test_usage_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run("check", tmp_path / "empty")
    assert r.returncode == 2 and "没有找到要校验的 .xlsx 文件" in r.stderr
    assert run("check", tmp_path, "--jobs", "0").returncode == 2
    assert run("check", tmp_path, "--format", "csv").returncode == 2


def test_previous_dir_in_a_batch_pairs_each_file_in_its_worker(tmp_path):
    """--previous-dir with a folder: each report is compared with its own agency's last year, at any --jobs."""
    from test_crossyear import AGENCY, LAST, THIS_MATCHED, THIS_MISMATCHED, workbook

    stage, last, this = tmp_path / "stage", tmp_path / "2022", tmp_path / "2023"
    for d in (stage, last, this):
        d.mkdir()
    for name, year, text, agency, dest in [
        ("甲2022", 2022, LAST, AGENCY, last), ("乙2022", 2022, LAST, "乙县人民政府办公室", last),
        ("甲2023", 2023, THIS_MATCHED, AGENCY, this), ("乙2023", 2023, THIS_MISMATCHED, "乙县人民政府办公室", this),
    ]:
        shutil.move(workbook(stage / f"{name}.xlsx", "2021", year, text, agency=agency), dest / f"{name}.xlsx")
    runs = [run("check", this, "--previous-dir", last, "--format", "jsonl", "--jobs", j) for j in ("1", "2")]
    assert runs[0].stdout == runs[1].stdout and runs[0].returncode == runs[1].returncode == 0
    docs = [json.loads(line) for line in runs[0].stdout.splitlines()]
    rules = {d["file"].rsplit("/", 1)[-1]: sorted(f["rule"] for f in d["findings"]) for d in docs}
    assert rules == {"甲2023.xlsx": [], "乙2023.xlsx": ["X-CARRY", "X-CARRY"]}


def test_an_empty_folder_among_others_is_one_line(folder, tmp_path):
    (tmp_path / "空文件夹").mkdir()
    r = run("check", tmp_path / "空文件夹", folder / "a-good.xlsx")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [f"{tmp_path / '空文件夹'}：无法校验：这是一个文件夹，其中没有 .xlsx 工作簿"]
    assert r.stdout.splitlines()[-1].startswith("共 2 个文件：1 个通过，0 个不通过，1 个无法校验")


# ------------------------------------------------------------------ a terminal, and Ctrl-C
@pytest.fixture(scope="module")
def many(folder, tmp_path_factory):
    """400 workbooks: copies of a passing one, and one failing one in the middle."""
    root = tmp_path_factory.mktemp("many")
    for i in range(400):
        src = folder / ("b/c-bad.xlsx" if i == 200 else "a-good.xlsx")
        shutil.copy(src, root / f"r{i:03d}.xlsx")
    return root


def in_terminal(*args, timeout: float = 300) -> tuple[int, str]:
    """Run govxl with a pseudo-terminal as stdout and stderr, as a clerk's console: (exit code, output)."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.environ["COLUMNS"] = "160"
        os.execv(sys.executable, [*CLI, *map(str, args)])
    out, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_a_progress_bar_on_a_terminal_and_none_when_piped_or_json(many):
    code, out = in_terminal("check", many)
    assert code == 1
    assert "校验中" in out and "/400" in out, "the progress bar was drawn"
    assert "共 400 个文件：399 个通过，1 个不通过，0 个无法校验" in out and "Traceback" not in out
    code, out = in_terminal("check", many, "--format", "json")
    assert code == 1 and "校验中" not in out
    assert json.loads(out)["counts"]["files"] == 400, "JSON on a terminal is JSON only"
    r = run("check", many)
    assert r.returncode == 1 and "校验中" not in r.stdout + r.stderr and "\x1b" not in r.stdout + r.stderr


def test_ctrl_c_stops_the_batch_without_a_traceback_or_a_half_summary(many, tmp_path):
    import signal

    out = tmp_path / "汇总.csv"
    proc = subprocess.Popen([*CLI, "check", str(many), "--format", "jsonl", "--summary", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    # Unbuffered bytes: readline takes exactly the first line from the pipe, so communicate() gets
    # the rest whole (a buffered text reader would keep a chunk, cut inside a UTF-8 character).
    first = proc.stdout.readline()  # the batch is under way
    proc.send_signal(signal.SIGINT)
    rest, err = (b.decode("utf-8") for b in proc.communicate(timeout=120))
    assert json.loads(first)["ok"] is True
    assert proc.returncode == 2
    assert err.strip() == "已中断。", err
    assert len(rest.splitlines()) < 399, "it stopped before the end"
    assert not out.exists() and list(tmp_path.iterdir()) == [], "no summary, no temporary file"


@pytest.mark.libreoffice
def test_the_summary_csv_opens_in_libreoffice_with_chinese_intact(folder, tmp_path):
    """LibreOffice opens the CSV as UTF-8 (字符集 “Unicode (UTF-8)” in its text-import dialog; here the
    same through the CSV filter's options): the BOM is not shown as a character, every Chinese text
    is as written. (Headless and without options LibreOffice assumes a Western character set.)"""
    import openpyxl

    out = tmp_path / "汇总.csv"
    run("check", folder, "--summary", out)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile}", "--headless", "--infilter=CSV:44,34,76,1",
                    "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "lo"), str(out)], capture_output=True, timeout=180, check=True)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        expected = list(csv.reader(fh))
    ws = openpyxl.load_workbook(tmp_path / "lo" / "汇总.xlsx").active
    got = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    assert got[0] == expected[0] == MACHINE_HEADER
    assert [row[:2] + row[4:5] for row in got] == [row[:2] + row[4:5] for row in expected]
    assert got[1][1] == NANGUAN_AGENCY and got[4][8].startswith("不是 xlsx 工作簿")
