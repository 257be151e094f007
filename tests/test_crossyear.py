"""Across years: `govxl check --previous / --previous-dir` (X-CARRY, X-T2, X-YEAR, X-AGENCY, X-PREV)
and `govxl new --from`. Cells are typed from the official format (docs/format.md): tables start at A2, so table 三's
二、上年结转 is D6…J6 in both editions and 四、结转下年度继续办理 is row 29 (2021) or 27 (2019)."""

from __future__ import annotations

import openpyxl
import pytest
from cli import run as cli
from helpers import fill_openpyxl, sha256, values
from said import said

import govxl
from govxl.catalogue import Join, phrase
from govxl.crossyear import compare, find_previous
from govxl.errors import SpecError
from govxl.spec import load_edition, parse_edition, templates_dir

AGENCY = "甲县人民政府办公室"
T2 = "二、主动公开政府信息情况"
T3 = "三、收到和处理政府信息公开申请情况"

# Last year: 10 new, 4 public, 6 carried forward (自然人); this year takes the 6 over.
LAST = """
    新收 自然人 10
    予以公开 自然人 4
    结转下年度 自然人 6
"""
THIS_MATCHED = """
    新收 自然人 2
    上年结转 自然人 6
    予以公开 自然人 8
"""
THIS_MISMATCHED = """
    新收 自然人 3
    上年结转 自然人 5
    予以公开 自然人 8
"""


def workbook(path, edition, year, text, agency=AGENCY):
    """A filled workbook from readable lines (everything else 0), typed in with openpyxl."""
    ed = load_edition(edition)
    blank = govxl.new(path.with_name(path.stem + "-blank.xlsx"), edition=edition, agency=agency, year=year)
    text = "\n".join(line for line in text.splitlines() if line.strip())
    out = fill_openpyxl(blank, path, ed, values(ed, text))
    blank.unlink()
    return out


@pytest.fixture
def last2022(tmp_path):
    return workbook(tmp_path / "2022年报.xlsx", "2021", 2022, LAST)


# ------------------------------------------------------------------ X-CARRY
def test_X_CARRY_mismatch_names_this_cell_and_last_years_cell(tmp_path, last2022):
    this = workbook(tmp_path / "2023年报.xlsx", "2021", 2023, THIS_MISMATCHED)
    found = compare(govxl.check(this), govxl.check(last2022))
    assert [(f.rule, f.severity, f.sheet, f.cell, f.col_label, f.expected, f.actual) for f in found] == [
        ("X-CARRY", "warning", T3, "D6", "自然人", 6, 5),
        ("X-CARRY", "warning", T3, "J6", "总计", 6, 5),
    ]
    assert found[0].row_label == "二、上年结转政府信息公开申请数量"
    where = {"file": str(last2022), "cell": f"{T3}!D29"}
    assert (found[0].reason, dict(found[0].params)) == ("last-cell", where)
    message = said("X-CARRY", col="自然人", actual=5, expected=6, detail=said("last-cell", **where))
    assert found[0].message() == message
    assert found[0].message("en") == said("X-CARRY", "en", col="自然人", actual=5, expected=6,
                                          detail=said("last-cell", "en", **where))
    r = cli("check", this, "--previous", last2022)
    assert r.returncode == 0, "X-CARRY is a warning"
    assert f"X-CARRY D6：{message}" in r.stdout
    assert "通过（2 个警告）" in r.stdout
    assert cli("check", this, "--previous", last2022, "--strict").returncode == 1


def test_X_CARRY_matched_pair_is_silent(tmp_path, last2022):
    this = workbook(tmp_path / "2023年报.xlsx", "2021", 2023, THIS_MATCHED)
    assert compare(govxl.check(this), govxl.check(last2022)) == []
    r = cli("check", this, "--previous", last2022, "--strict")
    assert r.returncode == 0 and r.stdout.strip().endswith("通过")


def test_X_CARRY_from_a_2020_report_in_the_2019_edition(tmp_path):
    last = workbook(tmp_path / "2020年报.xlsx", "2019", 2020, LAST)
    this = workbook(tmp_path / "2021年报.xlsx", "2021", 2021, THIS_MISMATCHED)
    found = compare(govxl.check(this), govxl.check(last))
    assert [(f.rule, f.cell, f.expected, f.actual, f.reason, dict(f.params)) for f in found] == [
        ("X-CARRY", "D6", 6, 5, "last-cell", {"file": str(last), "cell": f"{T3}!D27"}),
        ("X-CARRY", "J6", 6, 5, "last-cell", {"file": str(last), "cell": f"{T3}!J27"}),
    ]
    good = workbook(tmp_path / "2021好.xlsx", "2021", 2021, THIS_MATCHED)
    assert cli("check", good, "--previous", last, "--strict").returncode == 0


def test_X_CARRY_within_the_2019_edition(tmp_path):
    last = workbook(tmp_path / "2019年报.xlsx", "2019", 2019, LAST)
    this = workbook(tmp_path / "2020年报.xlsx", "2019", 2020, THIS_MISMATCHED)
    found = compare(govxl.check(this), govxl.check(last))
    assert [(f.rule, f.cell, dict(f.params)) for f in found] == [
        ("X-CARRY", "D6", {"file": str(last), "cell": f"{T3}!D27"}),
        ("X-CARRY", "J6", {"file": str(last), "cell": f"{T3}!J27"})]


# ------------------------------------------------------------------ X-T2
def test_X_T2_documents_in_force_follow_from_last_year(tmp_path):
    last = workbook(tmp_path / "2022.xlsx", "2021", 2022, LAST + "规章 现行有效件数 5\n行政规范性文件 现行有效件数 9")
    this_text = THIS_MATCHED + """
        规章 本年制发件数 2
        规章 本年废止件数 1
        规章 现行有效件数 7
        行政规范性文件 现行有效件数 9
    """
    this = workbook(tmp_path / "2023.xlsx", "2021", 2023, this_text)
    found = compare(govxl.check(this), govxl.check(last))
    assert [(f.rule, f.severity, f.sheet, f.cell, f.row_label, f.col_label, f.expected, f.actual) for f in found] == [
        ("X-T2", "info", T2, "D4", "规章", "现行有效件数", 6, 7)]
    terms = Join((phrase("plus", label="本年制发件数", value=2), phrase("minus", label="本年废止件数", value=1)), "")
    where = {"last": 5, "file": str(last), "cell": f"{T2}!D4", "terms": terms}
    assert (found[0].reason, dict(found[0].params)) == ("last-terms", where)
    for lang in ("zh", "en"):
        assert found[0].message(lang) == said("X-T2", lang, row="规章", col="现行有效件数", actual=7, expected=6,
                                              detail=said("last-terms", lang, **where))
    r = cli("check", this, "--previous", last, "--strict")
    assert r.returncode == 0 and "X-T2" in r.stdout, "info never fails a check"


def test_X_T2_does_not_apply_across_the_2019_and_2021_table_two(tmp_path):
    """2019's table 二 has no 现行有效件数: nothing to compare, no finding."""
    last = workbook(tmp_path / "2020.xlsx", "2019", 2020, LAST + "规章 对外公开总数量 5")
    this = workbook(tmp_path / "2021.xlsx", "2021", 2021, THIS_MATCHED + "规章 现行有效件数 70")
    assert compare(govxl.check(this), govxl.check(last)) == []


# ------------------------------------------------------------------ pairing
def test_X_YEAR_a_non_consecutive_pair_is_not_compared(tmp_path):
    last = workbook(tmp_path / "2021.xlsx", "2021", 2021, LAST)
    this = workbook(tmp_path / "2023.xlsx", "2021", 2023, THIS_MISMATCHED)
    found = compare(govxl.check(this), govxl.check(last))
    assert [(f.rule, f.severity, f.sheet, f.cell, f.expected, f.actual) for f in found] == [
        ("X-YEAR", "warning", "封面", "B4", 2022, 2021)]
    assert found[0].message() == said("X-YEAR", detail=str(last), actual=2021, expected=2022)


def test_X_YEAR_when_a_year_is_missing(tmp_path):
    last = workbook(tmp_path / "last.xlsx", "2021", None, LAST)
    this = workbook(tmp_path / "2023.xlsx", "2021", 2023, THIS_MISMATCHED)
    found = compare(govxl.check(this), govxl.check(last))
    assert [(f.rule, f.expected, f.actual) for f in found] == [("X-YEAR", 2022, phrase("not-filled"))]
    assert found[0].message("en") == said("X-YEAR", "en", detail=str(last), expected=2022, actual=said("not-filled", "en"))


def test_X_AGENCY_another_agency_is_a_warning_but_still_compared(tmp_path):
    last = workbook(tmp_path / "2022.xlsx", "2021", 2022, LAST, agency="乙县人民政府办公室")
    this = workbook(tmp_path / "2023.xlsx", "2021", 2023, THIS_MISMATCHED)
    found = compare(govxl.check(this), govxl.check(last))
    assert [(f.rule, f.cell) for f in found] == [("X-AGENCY", "B3"), ("X-CARRY", "D6"), ("X-CARRY", "J6")]
    assert (found[0].expected, found[0].actual) == (AGENCY, "乙县人民政府办公室")


def test_agency_names_differing_only_in_spacing_or_width_are_the_same(tmp_path):
    last = workbook(tmp_path / "2022.xlsx", "2021", 2022, LAST, agency=" 甲县人民政府 办公室")
    this = workbook(tmp_path / "2023.xlsx", "2021", 2023, THIS_MATCHED)
    assert compare(govxl.check(this), govxl.check(last)) == []


def test_previous_dir_pairs_by_agency_and_year(tmp_path, last2022):
    folder = tmp_path / "去年"
    (folder / "乡镇").mkdir(parents=True)
    right = workbook(folder / "乡镇" / "甲县2022.xlsx", "2021", 2022, LAST.replace("10", "11").replace("6", "7"))
    workbook(folder / "乙县2022.xlsx", "2021", 2022, LAST, agency="乙县人民政府办公室")
    workbook(folder / "甲县2021.xlsx", "2021", 2021, LAST)
    govxl.new(folder / "甲县2022-空白.xlsx", agency=AGENCY, year=2022)  # a leftover blank copy: fails its check
    (folder / "说明.xlsx").write_text("不是工作簿")
    this = workbook(tmp_path / "2023年报.xlsx", "2021", 2023, THIS_MATCHED)

    reports = [govxl.check(p) for p in sorted(folder.rglob("甲县*.xlsx"))]
    assert {r.file for r in find_previous(govxl.check(this), reports)} == {
        str(folder / "甲县2022-空白.xlsx"), str(right)}, "same agency, last year; not 2021"

    r = cli("check", this, "--previous-dir", folder)
    assert r.returncode == 0
    assert said("X-CARRY", col="自然人", actual=6, expected=7, detail=said("last-cell", file=right, cell=f"{T3}!D29")) \
        in r.stdout
    assert r.stdout.count("X-CARRY") == 2 and "乙县" not in r.stdout


def test_previous_dir_without_a_match_is_an_info(tmp_path):
    folder = tmp_path / "去年"
    folder.mkdir()
    workbook(folder / "乙县2022.xlsx", "2021", 2022, LAST, agency="乙县人民政府办公室")
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04broken")
    this = workbook(tmp_path / "2023年报.xlsx", "2021", 2023, THIS_MATCHED)
    r = cli("check", this, "--previous-dir", folder, "--strict")
    assert r.returncode == 0
    why = said("prev-none-skipped", folder=folder, year=2022, agency=AGENCY, n=1)
    assert f"提示 X-PREV：{said('X-PREV', detail=why)}" in r.stdout


def test_previous_dir_with_two_good_candidates_is_ambiguous(tmp_path, last2022):
    folder = tmp_path / "去年"
    folder.mkdir()
    workbook(folder / "a.xlsx", "2021", 2022, LAST)
    workbook(folder / "b.xlsx", "2021", 2022, LAST)
    this = workbook(tmp_path / "2023年报.xlsx", "2021", 2023, THIS_MISMATCHED)
    r = cli("check", this, "--previous-dir", folder)
    why = said("prev-several", folder=folder, year=2022, agency=AGENCY, n=2,
               names=Join((str(folder / "a.xlsx"), str(folder / "b.xlsx"))))
    assert f"X-PREV：{said('X-PREV', detail=why)}" in r.stdout and "X-CARRY" not in r.stdout


@pytest.mark.parametrize("extra, code", [
    (["--previous-dir", "."], "U-PREV-BOTH"),
    (["also"], "U-PREV-MANY"),
    (["missing"], "R-PREVIOUS"),
    (["same"], "U-PREV-SAME"),
])
def test_previous_usage_errors_exit_2(tmp_path, last2022, extra, code):
    this = workbook(tmp_path / "2023年报.xlsx", "2021", 2023, THIS_MATCHED)
    previous = {"missing": tmp_path / "nope.xlsx", "same": this}.get(extra[0], last2022)
    files = [this, last2022] if extra == ["also"] else [this]
    opts = extra if extra[0].startswith("--") else []
    r = cli("check", *files, "--previous", previous, *opts)
    params = {"R-PREVIOUS": {"file": str(previous), "reason": said("R-MISSING", path=str(previous))},
              "U-PREV-SAME": {"path": str(previous)}}.get(code, {})
    assert r.returncode == 2 and r.stderr == f"错误：{said(code, **params)}\n"
    assert len(r.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ new --from
def test_new_from_a_2019_edition_report_prefills_carried_over_in_the_2021_edition(tmp_path):
    last = workbook(tmp_path / "2020年报.xlsx", "2019", 2020, LAST + "结转下年度 商业企业 2\n新收 商业企业 2")
    out = tmp_path / "2021年报.xlsx"
    r = cli("new", out, "--from", last)
    assert r.returncode == 0, r.stderr
    report = govxl.check(out)
    assert (report.edition, report.year, report.agency) == ("2021", 2021, AGENCY)

    ed = load_edition("2021")
    ws = openpyxl.load_workbook(out)[T3]
    carried = {c: ws[f"{c}6"].value for c in "DEFGHI"}
    assert carried == {"D": 6, "E": 2, "F": 0, "G": 0, "H": 0, "I": 0}, "last year's D27:I27"
    assert ws["J6"].value == "=SUM(D6:I6)"
    note = ws["D6"].comment.text
    assert "2020年报.xlsx" in note and "2020 年" in note and f"{T3}!D27" in note and "6" in note
    assert ws["E6"].comment and f"{T3}!E27" in ws["E6"].comment.text
    prefilled = {("requests", "carried_over", c) for c in
                 ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org")}
    wb = openpyxl.load_workbook(out)
    others = [f for f in ed.fields if not f.is_total and f.key not in prefilled]
    assert all(wb[f.sheet][f.cell].value is None for f in others), "everything else is blank"

    # Filled in consistently, it passes, also against last year's report.
    rest = values(ed, "新收 自然人 4\n予以公开 自然人 10\n新收 商业企业 1\n予以公开 商业企业 3", zeros=True)
    filled = fill_openpyxl(out, tmp_path / "2021填好.xlsx", ed, {k: v for k, v in rest.items() if k not in prefilled})
    assert govxl.check(filled).findings == []
    r = cli("check", filled, "--previous", last, "--strict")
    assert r.returncode == 0 and r.stdout.strip().endswith("通过")


def test_new_from_within_2021_and_edition_follows_the_year(tmp_path, last2022):
    out = govxl.crossyear.new_from(last2022, tmp_path / "2023.xlsx")[1]
    ws = openpyxl.load_workbook(out)[T3]
    assert ws["D6"].value == 6 and f"{T3}!D29" in ws["D6"].comment.text
    last2019 = workbook(tmp_path / "2019.xlsx", "2019", 2019, LAST)
    _, out2020 = govxl.crossyear.new_from(last2019, tmp_path / "2020.xlsx")
    assert govxl.check(out2020).edition == "2019", "a 2020 report uses the 2019 edition"
    _, forced = govxl.crossyear.new_from(last2019, tmp_path / "2020-21.xlsx", edition="2021")
    assert govxl.check(forced).edition == "2021"


def test_new_from_a_failing_file_exits_1_and_prints_its_findings(tmp_path):
    bad = workbook(tmp_path / "2022坏.xlsx", "2021", 2022, LAST.replace("结转下年度 自然人 6", "结转下年度 自然人 5"))
    before = sha256(bad)
    out = tmp_path / "2023.xlsx"
    r = cli("new", out, "--from", bad)
    assert r.returncode == 1
    assert "T3-BAL" in r.stdout and "D5,D6,D28,D29" in r.stdout and "未通过校验" in r.stderr
    assert not out.exists() and sha256(bad) == before


@pytest.mark.parametrize("args, message", [
    (["SAME", "--force"], "上年报告本身"),
    (["OUT", "--year", "2030"], "不能作为 2030 年报告的上一年"),
    (["OUT", "--from-missing"], "上年报告"),
])
def test_new_from_usage_errors_exit_2(tmp_path, last2022, args, message):
    before = sha256(last2022)
    out = last2022 if args[0] == "SAME" else tmp_path / "out.xlsx"
    src = tmp_path / "nope.xlsx" if "--from-missing" in args else last2022
    r = cli("new", out, "--from", src, *[a for a in args[1:] if a != "--from-missing"])
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert sha256(last2022) == before
    assert out == last2022 or not out.exists()


def test_new_from_takes_an_explicit_agency_after_a_reorganisation(tmp_path, last2022):
    out = tmp_path / "2023.xlsx"
    assert cli("new", out, "--from", last2022, "--agency", "甲县政务服务和数据管理局").returncode == 0
    assert govxl.check(out).agency == "甲县政务服务和数据管理局"


# ------------------------------------------------------------------ the spec declares the relations
def test_cross_year_relations_come_from_the_spec():
    ed = load_edition("2021")
    carry = next(r for r in ed.cross_year if r.rule == "X-CARRY")
    assert (carry.this, carry.last, carry.prefill) == ("carried_over", "carry_forward", True)
    assert carry.lines[0] == "natural_person" and carry.lines[-1] == "total"
    assert {r.rule for r in load_edition("2019").cross_year} == {"X-CARRY"}


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('this = "carried_over"', 'this = "carried_over"\ncolour = "red"'), r"cross_year\[0\]: 未知的键 colour"),
    (lambda s: s.replace('this = "in_force"', 'this = "in_farce"'), r"cross_year\[1\]: 本版本的表 active 中没有 in_farce"),
    (lambda s: s.replace('minus = ["repealed"]', 'minus = ["repealed"]\nprefill = true'), r"prefill 只能用于"),
    (lambda s: s.replace('rule = "X-T2"', 'rule = "X-NOPE"'), r"未知的规则编号 X-NOPE"),
    (lambda s: s.replace('each = "col"', 'each = "diagonal"'), r"each 应为 row 或 col"),
])
def test_malformed_cross_year_is_a_clear_error(edit, message):
    text = (templates_dir() / "2021.toml").read_text(encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        parse_edition(edit(text), source="2021.toml")
