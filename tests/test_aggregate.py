"""`govxl aggregate` and `govxl check --children` (ROLL): sums, duplicates, failing and mixed inputs.

Expected sums are computed here, independently, from the values each report was generated with
(counts as Python ints, the fee in whole millionths), never read back from govxl's own arithmetic.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from cli import run as cli
from helpers import random_values, sha256
from said import said

import govxl
from govxl.aggregate import aggregate, iter_files, sum_values
from govxl.errors import InputsError, UsageError
from govxl.judge.rules import evaluate
from govxl.report.findings import Report
from govxl.spec import load_aggregate_sheet, load_edition

YEAR = 2024
FEE = ("active", "fees", "amount")
T2 = "二、主动公开政府信息情况"


def make(folder: Path, ed, n: int, seed: int, *, prefix: str = "r", year: int | None = YEAR, agency: str = "第{i}单位"):
    """n consistent random reports in `folder`: [(path, inputs)]."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    out = []
    for i in range(n):
        vals = random_values(ed, rng)
        path = govxl.new(folder / f"{prefix}{i:03d}.xlsx", edition=ed.id, agency=agency.format(i=i), year=year,
                         values=vals)
        out.append((path, vals))
    return out


def micro(v) -> int:
    """A generated fee in whole millionths of 万元 (generated as k / 1,000,000, so this is exact)."""
    return round(v * 1_000_000)


def independent_sums(ed, inputs_list) -> dict:
    """Every field (inputs and totals) summed over the reports: ints, and the fee as an exact Decimal."""
    full = [evaluate(ed, v) for v in inputs_list]  # each report's own totals, then summed across reports
    out = {}
    for f in ed.fields:
        if f.kind == "amount":
            out[f.key] = Decimal(sum(micro(v.get(f.key, 0)) for v in inputs_list)) / 1_000_000
        else:
            out[f.key] = sum(int(v[f.key]) for v in full)
    return out


def assert_cells_equal(ed, got: dict, want: dict) -> None:
    for f in ed.fields:
        g = got[f.key]
        if f.kind == "amount":
            assert Decimal(repr(g)) == want[f.key], f"{f.sheet}!{f.cell}: {g!r} != {want[f.key]}"
        else:
            assert g == want[f.key] and float(g).is_integer(), f"{f.sheet}!{f.cell}: {g} != {want[f.key]}"


def list_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[load_aggregate_sheet().sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:] if isinstance(r[0], int)]


# ------------------------------------------------------------------ 200 reports, end to end
@pytest.fixture(scope="module")
def two_hundred(tmp_path_factory):
    ed = load_edition("2021")
    root = tmp_path_factory.mktemp("county")
    return root, make(root / "reports", ed, 200, seed=20240101)


def test_200_reports_sum_cell_by_cell_and_the_summary_passes(two_hundred, tmp_path, ed2021):
    root, reports = two_hundred
    extra = root / "z-extra"
    extra.mkdir(exist_ok=True)
    dup = shutil.copy(reports[7][0], extra / "r007-copy.xlsx")
    bad_vals = dict(reports[3][1])
    bad_vals[("requests", "new", "natural_person")] += 1  # T3-BAL no longer holds
    bad = govxl.new(extra / "bad.xlsx", agency="出错的单位", year=YEAR, values=bad_vals, force=True)
    inputs = [p for p, _ in reports] + [dup, bad]
    before = {p: sha256(p) for p in inputs}
    out = tmp_path / "汇总.xlsx"

    r = cli("aggregate", root / "reports", extra, "-o", out, "--agency", "测试县人民政府（汇总）")
    assert r.returncode == 1, r.stderr  # written, but two inputs were left out
    assert "Traceback" not in r.stderr
    assert "AGG-DUP" in r.stdout and "z-extra/r007-copy.xlsx" in r.stdout and "reports/r007.xlsx" in r.stdout
    assert "AGG-FAIL" in r.stdout and "z-extra/bad.xlsx" in r.stdout
    assert "计入 200 份，未计入 2 份" in r.stdout
    assert before == {p: sha256(p) for p in inputs}, "inputs are never modified"

    report = govxl.check(out)
    assert report.ok() and [f.rule for f in report.findings] == ["S-AGG"]
    assert (report.edition, report.agency, report.year) == ("2021", "测试县人民政府（汇总）", YEAR)
    assert_cells_equal(ed2021, report.values, independent_sums(ed2021, [v for _, v in reports]))
    assert cli("check", out).returncode == 0

    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        assert ws.protection.sheet, f"{ws.title} must be locked"
    for f in ed2021.fields:
        v = wb[f.sheet][f.cell].value
        assert (isinstance(v, str) and v.startswith("=SUM(")) if f.is_total else isinstance(v, int | float)

    rows = list_rows(out)
    assert len(rows) == 202
    by_file = {row["文件"]: row for row in rows}
    n = load_aggregate_sheet().hash_chars
    for path, vals in reports:
        row = by_file[f"reports/{path.name}"]
        assert row["是否计入"] == "计入" and row["校验结果"] == "通过"
        assert row["内容摘要（SHA-256 前 12 位）"] == sha256(path)[:n]
        totals = evaluate(ed2021, vals)
        assert row["新收申请"] == totals[("requests", "new", "total")]
        assert row["办理结果总计"] == totals[("requests", "results.total", "total")]
        assert row["行政复议总计"] == totals[("appeals", "cases", "review.total")]
        assert row["行政诉讼总计"] == (totals[("appeals", "cases", "direct_suit.total")]
                                  + totals[("appeals", "cases", "suit_after_review.total")])
        assert Decimal(repr(row["收费金额（万元）"])) == Decimal(micro(vals[FEE])) / 1_000_000
    d, b = by_file["z-extra/r007-copy.xlsx"], by_file["z-extra/bad.xlsx"]
    assert d["是否计入"] == "未计入" and "内容完全相同" in d["说明"] and "reports/r007.xlsx" in d["说明"]
    assert d["新收申请"] in (None, "")
    assert b["是否计入"] == "未计入" and b["校验结果"].startswith("不通过") and "校验不通过" in b["说明"]
    footer = openpyxl.load_workbook(out)[load_aggregate_sheet().sheet].cell(row=204, column=1).value
    assert "计入 200 份，未计入 2 份" in footer and "排序在前" in footer


def test_output_over_an_input_is_refused(two_hundred):
    root, reports = two_hundred
    target = reports[0][0]
    before = sha256(target)
    r = cli("aggregate", target, reports[1][0], "-o", target, "--agency", "县", "--force")
    assert r.returncode == 2 and r.stderr == f"错误：{said('U-SAMEFILE', path=str(target))}\n"
    assert len(r.stderr.strip().splitlines()) == 1
    assert sha256(target) == before


def test_summary_inside_the_input_folder_is_not_an_input(tmp_path, ed2021):
    make(tmp_path, ed2021, 3, seed=12)
    out = tmp_path / "汇总.xlsx"
    for _ in range(2):  # the second run finds the first summary in the folder, and skips it
        r = cli("aggregate", tmp_path, "-o", out, "--agency", "汇总", "--force")
        assert r.returncode == 0 and "计入 3 份，未计入 0 份" in r.stdout
        assert [row["文件"] for row in list_rows(out)] == ["r000.xlsx", "r001.xlsx", "r002.xlsx"]


def test_jobs_give_the_same_result(two_hundred):
    root, reports = two_hundred
    files = [p for p, _ in reports[:12]]
    one, two = aggregate(files), aggregate(files, jobs=2)
    assert one.sums == two.sums and [e.name for e in one.entries] == [e.name for e in two.entries]


# ------------------------------------------------------------------ small sets, one behaviour each
def test_round_trip_every_edition(tmp_path, ed):
    reports = make(tmp_path / "in", ed, 4, seed=7, year=ed.first_year + 3)
    agg = aggregate([tmp_path / "in"])
    assert [e.included for e in agg.entries] == [True] * 4 and agg.findings == []
    out = govxl.aggregate.write_summary(agg, tmp_path / "s.xlsx", agency="汇总")
    report = govxl.check(out)
    assert report.ok() and report.edition == ed.id and report.year == ed.first_year + 3
    assert_cells_equal(ed, report.values, independent_sums(ed, [v for _, v in reports]))


def test_fee_decimals_are_exact(tmp_path, ed2021):
    fees = [0.1] * 10 + [0.123456]
    assert repr(sum(fees)) == "1.1234559999999998", "a float sum drifts; the summary must not"
    for i, fee in enumerate(fees):
        vals = {f.key: 0 for f in ed2021.fields if not f.is_total}
        vals[("active", "regulations", "issued")] = i + 1  # distinct figures: not duplicates
        govxl.new(tmp_path / f"f{i:02d}.xlsx", agency=f"单位{i}", year=YEAR, values={**vals, FEE: fee})
    out = govxl.aggregate.write_summary(aggregate([tmp_path]), tmp_path / "s.xlsx", agency="汇总")
    values = govxl.check(out).values
    assert repr(values[FEE]) == "1.123456"
    assert values[("active", "regulations", "issued")] == sum(range(1, 12))


def test_sum_values_decimal_and_whole(ed2021):
    rng = random.Random(3)
    fees = [rng.randint(0, 10**9) / 10**6 for _ in range(1000)]
    reports = [Report(file=f"{i}", values={FEE: fee, ("requests", "new", "commercial"): 2.0})
               for i, fee in enumerate(fees)]
    sums = sum_values(ed2021, reports)
    assert Decimal(repr(sums[FEE])) == Decimal(sum(micro(f) for f in fees)) / 1_000_000
    assert sums[("requests", "new", "commercial")] == 2000 and isinstance(sums[("requests", "new", "commercial")], int)
    assert sums[("requests", "new", "natural_person")] == 0
    assert not any(f.is_total for f in ed2021.fields if f.key in sums), "totals are formulas, never summed"
    assert sum_values(ed2021, [Report(file="x", values={FEE: 1e30})])[FEE] == 1e30, "absurd, but no crash"


def test_duplicates_first_by_path_is_kept(tmp_path, ed2021):
    originals = [v for _, v in make(tmp_path, ed2021, 3, seed=11)]
    govxl.new(tmp_path / "s001-resent.xlsx", agency=" 第1单位 ", year=YEAR, values=random_values(ed2021, random.Random(9)))
    govxl.new(tmp_path / "s002-renamed.xlsx", agency="改了名字的单位", year=YEAR, values=originals[2])
    zeros = {f.key: 0 for f in ed2021.fields if not f.is_total}
    govxl.new(tmp_path / "z1.xlsx", agency="零甲", year=YEAR, values=zeros)
    govxl.new(tmp_path / "z2.xlsx", agency="零乙", year=YEAR, values=zeros)
    agg = aggregate([tmp_path])
    by = {e.name: e for e in agg.entries}
    assert list(by) == sorted(by)
    assert [n for n, e in by.items() if e.included] == ["r000.xlsx", "r001.xlsx", "r002.xlsx", "z1.xlsx", "z2.xlsx"]
    found = {n: (e.finding.rule, e.finding.expected, e.finding.reason) for n, e in by.items() if e.finding}
    assert found == {"s001-resent.xlsx": ("AGG-DUP", "r001.xlsx", "dup-agency"),
                     "s002-renamed.xlsx": ("AGG-DUP", "r002.xlsx", "dup-values")}
    for lang in ("zh", "en"):
        assert by["s001-resent.xlsx"].finding.message(lang) == said(
            "AGG-DUP", lang, actual="s001-resent.xlsx", expected="r001.xlsx", detail=said("dup-agency", lang))
    want = independent_sums(ed2021, originals)  # the all-zero reports add nothing
    assert_cells_equal(ed2021, {**want, **agg.sums}, want)
    assert set(agg.sums) == {f.key for f in ed2021.fields if not f.is_total}


def test_include_failing_keeps_and_flags(tmp_path, ed2021):
    [(_, v0), (_, v1)] = make(tmp_path / "in", ed2021, 2, seed=5)
    bad = dict(v1)
    bad[("requests", "new", "natural_person")] += 1
    govxl.new(tmp_path / "in" / "r001.xlsx", agency="第1单位", year=YEAR, values=bad, force=True)
    out = tmp_path / "s.xlsx"
    r = cli("aggregate", tmp_path / "in", "-o", out, "--agency", "汇总", "--include-failing")
    assert r.returncode == 1 and "AGG-KEPT" in r.stdout and "r001.xlsx" in r.stdout
    assert_cells_equal(ed2021, govxl.check(out).values, independent_sums(ed2021, [v0, bad]))
    row = {r["文件"]: r for r in list_rows(out)}["r001.xlsx"]
    assert row["是否计入"] == "计入（有错误）" and "--include-failing" in row["说明"]
    assert not govxl.check(out).ok(), "the failing report's imbalance is carried into the summary, honestly"


def test_unreadable_and_foreign_files_are_listed(tmp_path, ed2021):
    make(tmp_path, ed2021, 2, seed=1)
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    openpyxl.Workbook().save(tmp_path / "plain.xlsx")
    (tmp_path / "~$r000.xlsx").write_bytes(b"lock")
    out = tmp_path / "out" / "s.xlsx"
    out.parent.mkdir()
    r = cli("aggregate", tmp_path, "-o", out, "--agency", "汇总")
    assert r.returncode == 1 and r.stdout.count("AGG-READ") == 2
    rows = {row["文件"]: row for row in list_rows(out)}
    assert set(rows) == {"r000.xlsx", "r001.xlsx", "notes.xlsx", "plain.xlsx"}
    assert rows["plain.xlsx"]["校验结果"] == "无法校验" and "不是 govxl 生成的年报工作簿" in rows["plain.xlsx"]["说明"]


def test_nothing_to_sum(tmp_path, ed2021):
    assert cli("aggregate", tmp_path, "-o", tmp_path / "s.xlsx", "--agency", "x").returncode == 2
    blank = govxl.new(tmp_path / "blank.xlsx", agency="空白", year=YEAR)
    r = cli("aggregate", blank, "-o", tmp_path / "s.xlsx", "--agency", "x")
    assert r.returncode == 2 and said("U-AGG-NONE", n=1) in r.stderr and not (tmp_path / "s.xlsx").exists()
    r = cli("aggregate", tmp_path / "missing", "-o", tmp_path / "s.xlsx", "--agency", "x")
    assert r.returncode == 2 and said("U-NOTFOUND", path=str(tmp_path / "missing")) in r.stderr
    r = cli("aggregate", blank, "-o", tmp_path / "s.xlsx", "--agency", " ")
    assert r.returncode == 2 and "--agency" in r.stderr


def test_mixed_years_exit_2_listing_the_offenders(tmp_path, ed2021):
    make(tmp_path / "in", ed2021, 3, seed=2)
    make(tmp_path / "in", ed2021, 1, seed=3, prefix="old", year=YEAR - 1)
    make(tmp_path / "in", ed2021, 1, seed=4, prefix="noyear", year=None)
    out = tmp_path / "s.xlsx"
    r = cli("aggregate", tmp_path / "in", "-o", out, "--agency", "汇总")
    assert r.returncode == 2 and not out.exists()
    assert f"{YEAR} 年" in r.stderr and "以多数为准" in r.stderr
    assert f"old000.xlsx：{YEAR - 1} 年" in r.stderr and "noyear000.xlsx：未填写报告年度" in r.stderr
    assert "  r000.xlsx" not in r.stderr and "Traceback" not in r.stderr
    r = cli("aggregate", tmp_path / "in", "-o", out, "--agency", "汇总", "--year", YEAR - 1)
    assert r.returncode == 2 and f"  r000.xlsx：{YEAR} 年" in r.stderr and "old000.xlsx" not in r.stderr


def test_mixed_editions_exit_2(tmp_path):
    make(tmp_path / "in", load_edition("2021"), 2, seed=8)
    make(tmp_path / "in", load_edition("2019"), 1, seed=9, prefix="trial")  # same year, the 2019 trial format
    with pytest.raises(InputsError) as exc:
        aggregate([tmp_path / "in"])
    assert exc.value.offenders == [("trial000.xlsx", "2019 版")]
    r = cli("aggregate", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--agency", "汇总")
    assert r.returncode == 2 and "trial000.xlsx：2019 版" in r.stderr and "应为 2021 版" in r.stderr
    assert "  r000.xlsx" not in r.stderr and not (tmp_path / "s.xlsx").exists()
    assert exc.value.code == "R-AGG-MIXED" and exc.value.lines("en") == [("trial000.xlsx", "edition 2019")]
    r = cli("aggregate", tmp_path / "in", "-o", tmp_path / "s.xlsx", "--agency", "汇总", "--lang", "en")
    assert r.returncode == 2 and "  trial000.xlsx: edition 2019" in r.stderr
    assert "error: " + exc.value.headline("en") in r.stderr and "(expected edition 2021, year " in r.stderr
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", r.stderr.replace("汇总", "")), r.stderr


def test_a_summary_with_its_own_reports_is_refused_but_summaries_can_be_summed(tmp_path, ed2021):
    make(tmp_path / "a", ed2021, 2, seed=21)
    make(tmp_path / "b", ed2021, 2, seed=22, agency="乙{i}")
    sa = tmp_path / "sums" / "a.xlsx"
    sa.parent.mkdir()
    assert cli("aggregate", tmp_path / "a", "-o", sa, "--agency", "甲镇（汇总）").returncode == 0
    assert cli("aggregate", tmp_path / "b", "-o", tmp_path / "sums" / "b.xlsx", "--agency", "乙镇（汇总）").returncode == 0
    r = cli("aggregate", tmp_path / "a", sa, "-o", tmp_path / "x.xlsx", "--agency", "县")
    assert r.returncode == 2 and "会重复计算" in r.stderr and "sums/a.xlsx" in r.stderr
    county = tmp_path / "county.xlsx"
    assert cli("aggregate", tmp_path / "sums", "-o", county, "--agency", "县（汇总）").returncode == 0
    direct = tmp_path / "direct.xlsx"
    assert cli("aggregate", tmp_path / "a", tmp_path / "b", "-o", direct, "--agency", "县（汇总）").returncode == 0
    assert govxl.check(county).values == govxl.check(direct).values
    assert all("汇总报告" in row["说明"] for row in list_rows(county))


def test_iter_files(tmp_path):
    for rel in ("b.xlsx", "a/c.XLSX", "a/~$c.xlsx", ".hidden/d.xlsx", "a/.e.xlsx", "a/f.xls", "a/g.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    files = iter_files([tmp_path / "b.xlsx", tmp_path, tmp_path / "a"])
    assert files == sorted(files, key=str)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a/c.XLSX", "b.xlsx"]
    with pytest.raises(UsageError, match="找不到"):
        iter_files([tmp_path / "nope"])


def test_key_totals_name_fields_of_the_current_edition(ed2021):
    keys = {f.key for f in ed2021.fields}
    assert all(k in keys for kt in load_aggregate_sheet().totals for k in kt.fields)


# ------------------------------------------------------------------ check --children (ROLL)
@pytest.fixture
def family(tmp_path, ed2021):
    """Five children in kids/ and their parent, made by govxl aggregate, outside kids/."""
    kids = make(tmp_path / "kids", ed2021, 5, seed=31)
    parent = tmp_path / "parent.xlsx"
    assert cli("aggregate", tmp_path / "kids", "-o", parent, "--agency", "县（汇总）").returncode == 0
    return tmp_path / "kids", parent, kids


def test_children_match_no_ROLL(family):
    kids, parent, _ = family
    r = cli("check", parent, "--children", kids, "--format", "json")
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and [f["rule"] for f in doc["findings"]] == ["S-AGG"]
    inside = kids / "parent.xlsx"  # the parent inside its children's folder is not its own child
    shutil.copy(parent, inside)
    r = cli("check", inside, "--children", kids, "--format", "json")
    assert r.returncode == 0 and [f["rule"] for f in json.loads(r.stdout)["findings"]] == ["S-AGG"]


def test_ROLL_fires_on_a_changed_parent_cell_naming_both_sides(family, ed2021, tmp_path):
    kids, parent, children = family
    issued = ed2021.field(("active", "regulations", "issued"))
    want = sum(v[issued.key] for _, v in children)
    wb = openpyxl.load_workbook(parent)
    wb[issued.sheet][issued.cell] = want + 3
    wb[issued.sheet][ed2021.field(FEE).cell] = float(wb[issued.sheet][ed2021.field(FEE).cell].value) + 0.000001
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    r = cli("check", changed, "--children", kids, "--format", "json")
    assert r.returncode == 0, "ROLL is a warning"
    roll = [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "ROLL"]
    assert [(f["sheet"], f["cell"]) for f in roll] == [(T2, issued.cell), (T2, ed2021.field(FEE).cell)]
    f = roll[0]
    assert (f["expected"], f["actual"], f["severity"]) == (want, want + 3, "warning")
    assert f["message"] == said("ROLL", row="规章", col="本年制发件数", actual=want + 3, expected=want,
                                detail=said("children", n=5))
    assert (f["reason"], f["params"]) == ("children", {"n": 5})
    fee_sum = Decimal(sum(micro(v[FEE]) for _, v in children)) / 1_000_000
    assert Decimal(repr(roll[1]["expected"])) == fee_sum
    assert Decimal(repr(roll[1]["actual"])) == fee_sum + Decimal("0.000001")
    assert cli("check", changed, "--children", kids, "--strict").returncode == 1
    text = cli("check", changed, "--children", kids).stdout
    assert f"ROLL {issued.cell}" in text and T2 in text


def test_children_left_out_are_reported_and_mismatched_years_refused(family, ed2021, tmp_path):
    kids, parent, _ = family
    shutil.copy(kids / "r000.xlsx", kids / "r000-again.xlsx")
    r = cli("check", parent, "--children", kids)
    assert r.returncode == 0 and "AGG-DUP" in r.stdout and " ROLL " not in r.stdout
    make(kids, ed2021, 1, seed=40, prefix="late", year=YEAR + 1)
    r = cli("check", parent, "--children", kids)
    assert r.returncode == 2 and "late000.xlsx" in r.stderr and "Traceback" not in r.stderr
    assert cli("check", parent, parent, "--children", kids).returncode == 2
