"""`govxl export`: tidy CSV and JSON under the spec's semantic keys, valid against the shipped
JSON Schema, round-tripping the workbook's numbers, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from cli import run
from helpers import NANGUAN_2023, NANGUAN_AGENCY, fill_openpyxl, sha256, values
from render_helpers import distinct_inputs
from said import said

import govxl
from govxl import export, safefile
from govxl.catalogue import READ_ERRORS
from govxl.files import find_workbooks
from govxl.judge.rules import evaluate
from govxl.spec import edition_ids, load_edition

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["file", "agency", "year", "edition", "ok", "table", "row_key", "row_label", "col_key", "col_label",
           "value", "is_total", "state"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Three good reports in a folder tree (one per known edition at least) and what they hold."""
    root = tmp_path_factory.mktemp("reports")
    (root / "区县").mkdir()
    expected = {}
    ed = load_edition("2021")
    made = [
        (root / "a.xlsx", ed, values(ed, NANGUAN_2023), NANGUAN_AGENCY, 2023),
        (root / "区县" / "b.xlsx", ed, distinct_inputs(ed), "乙县人民政府", 2024),
    ]
    for e in edition_ids():
        other = load_edition(e)
        made.append((root / "区县" / f"ed{e}.xlsx", other, distinct_inputs(other), f"{e} 版单位", other.first_year + 1))
    for path, e, inputs, agency, year in made:
        govxl.new(path, edition=e.id, values=inputs, agency=agency, year=year)
        expected[path] = (e, agency, year, evaluate(e, inputs))
    (root / "区县" / "~$b.xlsx").write_bytes(b"Excel lock file")
    return root, expected


def rows_of(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode()), "UTF-8 with BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_round_trips_every_number(folder, tmp_path):
    root, expected = folder
    r = run("export", root, "--to", "csv", "-o", tmp_path / "all.csv", text=False)
    assert r.returncode == 0, r.stderr.decode()
    data = (tmp_path / "all.csv").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n"), "CRLF, as spreadsheets expect"
    rows = rows_of(data)
    assert list(rows[0]) == COLUMNS
    got = {}
    for row in rows:
        key = (row["file"], row["table"], row["row_key"], row["col_key"])
        assert key not in got, "one value per line, once"
        got[key] = row
    assert {row["file"] for row in rows} == {str(p) for p in expected}, "folders searched, lock files skipped"
    for path, (ed, agency, year, numbers) in expected.items():
        for f in ed.fields:
            row = got.pop((str(path), f.table, f.row_key, f.col_key))
            assert float(row["value"]) == pytest.approx(numbers[f.key], abs=1e-9)
            assert (row["agency"], row["year"], row["edition"], row["ok"]) == (agency, str(year), ed.id, "true")
            assert (row["row_label"], row["col_label"]) == (f.row_label, f.col_label)
            assert row["is_total"] == ("true" if f.is_total else "false")
            assert row["state"] == "number"
    assert got == {}


def test_csv_text_never_becomes_a_formula(tmp_path, ed2021):
    agencies = ["=HYPERLINK(\"http://x\",\"点\")", "+1+2", "-3", "@SUM(A1)", "=1", "正常单位"]
    for i, agency in enumerate(agencies):
        govxl.new(tmp_path / f"r{i}.xlsx", values=values(ed2021, NANGUAN_2023), agency=agency, year=2023)
    shutil.copy(tmp_path / "r5.xlsx", tmp_path / "=cmd.xlsx")
    r = run("export", tmp_path, "--to", "csv", text=False)
    assert r.returncode == 0, r.stderr.decode()
    rows = rows_of(r.stdout)
    by_file = {row["file"]: row["agency"] for row in rows}
    for i, agency in enumerate(agencies[:5]):
        assert by_file[str(tmp_path / f"r{i}.xlsx")] == "'" + agency
    assert by_file[str(tmp_path / "r5.xlsx")] == "正常单位"
    assert all(not row[c].startswith(safefile.FORMULA_START) for row in rows
               for c in ("file", "agency", "row_label", "col_label"))
    bare = [row["file"] for row in rows if "=cmd" in row["file"]]
    assert bare and all(f.startswith(("'", "/")) for f in bare)
    # Without the apostrophe the path would start with = only when relative: try that too.
    r = run("export", "=cmd.xlsx", "--to", "csv", cwd=tmp_path, text=False)
    assert {row["file"] for row in rows_of(r.stdout)} == {"'=cmd.xlsx"}


def test_json_is_valid_against_the_shipped_schema_and_holds_the_numbers(folder, tmp_path):
    root, expected = folder
    r = run("export", root, "-o", tmp_path / "all.json", text=False)
    assert r.returncode == 0 and "已导出 " in r.stdout.decode(), r.stderr.decode()
    doc = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, export.schema())
    assert doc["govxl_export"] == 1 and len(doc["reports"]) == len(expected)
    for rep in doc["reports"]:
        ed, agency, year, numbers = expected[next(p for p in expected if str(p) == rep["file"])]
        assert (rep["agency"], rep["year"], rep["edition"], rep["ok"]) == (agency, year, ed.id, True)
        for f in ed.fields:
            assert rep["tables"][f.table][f.row_key][f.col_key] == pytest.approx(numbers[f.key], abs=1e-9)
        fields = doc["labels"][ed.id]["tables"]
        assert [(x["row_key"], x["col_key"], x["row_label"], x["col_label"]) for t in ed.tables
                for x in fields[t.key]["fields"]] == [(f.row_key, f.col_key, f.row_label, f.col_label)
                                                       for f in ed.fields]
    assert doc["reports"][0]["tables"]["requests"]["new"]["natural_person"] == 10
    assert isinstance(doc["reports"][0]["tables"]["requests"]["new"]["natural_person"], int)


def test_the_schema_rejects_what_it_should(folder):
    root, _ = folder
    doc = export.to_json(export.load(find_workbooks([root / "a.xlsx"])))
    jsonschema.validate(doc, export.schema())
    for broken in (
        {**doc, "reports": [{**doc["reports"][0], "ok": "yes"}]},
        {**doc, "reports": [{k: v for k, v in doc["reports"][0].items() if k != "tables"}]},
        {**doc, "reports": [{**doc["reports"][0], "tables": {"requests": {"new": {"total": "10"}}}}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, export.schema())


def test_a_failing_workbook_is_exported_with_ok_false(tmp_path, ed2021):
    good = govxl.new(tmp_path / "good.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    bad = fill_openpyxl(good, tmp_path / "bad.xlsx", ed2021, {("requests", "results.public", "commercial"): "3件"})
    r = run("export", bad, good, "--to", "json", text=False)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "bad.xlsx" in err and "不通过" in err and "ok=false" in err and len(err.strip().splitlines()) == 1
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, export.schema())
    rep, ok = doc["reports"]
    assert [rep["file"], rep["ok"], ok["ok"]] == [str(bad), False, True]
    assert "V-INT" in {f["rule"] for f in rep["findings"]}
    t3 = rep["tables"]["requests"]
    assert t3["results.public"]["commercial"] is None, "an unreadable value is null, not a made-up 0"
    assert t3["results.public"]["total"] is None and t3["results.total"]["commercial"] is None
    assert t3["results.public"]["natural_person"] == 4 and t3["new"]["total"] == 10
    r = run("export", bad, "--to", "csv", text=False)
    row = next(x for x in rows_of(r.stdout) if (x["row_key"], x["col_key"]) == ("results.public", "commercial"))
    assert (row["ok"], row["value"]) == ("false", "")


def test_an_unreadable_file_is_reported_and_the_rest_exported(tmp_path, ed2021):
    good = govxl.new(tmp_path / "good.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    r = run("export", junk, good, "--to", "json", text=False)
    assert r.returncode == 2 and "junk.xlsx" in r.stderr.decode() and b"Traceback" not in r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, export.schema())
    assert [(x["file"], x["ok"], "error" in x) for x in doc["reports"]] == [(str(junk), False, True),
                                                                           (str(good), True, False)]
    # the error as `govxl check --format json` gives it: a code of the catalogue and its message
    assert doc["reports"][0]["error"] == {"code": "R-NOTXLSX", "message": READ_ERRORS["R-NOTXLSX"][0].format(
        what="这是文本文件")}
    r = run("export", junk, good, "--to", "json", "--lang", "en", text=False)
    en = json.loads(r.stdout)
    jsonschema.validate(en, export.schema())
    assert en["reports"][0]["error"] == {"code": "R-NOTXLSX", "message": READ_ERRORS["R-NOTXLSX"][1].format(
        what_en="this is a text file")}
    assert "not exported: not an xlsx workbook" in r.stderr.decode()
    r = run("export", junk, good, "--to", "csv", text=False)
    assert {row["file"] for row in rows_of(r.stdout)} == {str(good)}


def test_export_paths_and_inputs_untouched(tmp_path, ed2021):
    good = govxl.new(tmp_path / "good.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    before = sha256(good)
    for args, reason in [
        ([good, "-o", tmp_path / "x.json", "--to", "csv"], said("U-SUFFIX", suffix=".csv", path=str(tmp_path / "x.json"))),
        ([good, "-o", tmp_path / "x.txt"], "--to"),
        ([good, "-o", good.with_suffix(".csv"), "--to", "csv"], said("U-EXISTS", path=str(good.with_suffix(".csv")))),
        ([tmp_path / "missing.xlsx", "--to", "csv"], said("U-NOTFOUND", path=str(tmp_path / "missing.xlsx"))),
        ([tmp_path / "empty", "--to", "csv"], said("U-NOTFOUND", path=str(tmp_path / "empty"))),
        ([good, "-o", good.with_suffix(".csv"), "--to", "csv", good.with_suffix(".csv")],
         said("U-SAMEFILE", path=str(good.with_suffix(".csv")))),
    ]:
        good.with_suffix(".csv").write_text("keep", encoding="utf-8")
        r = run("export", *args, text=False)
        err = r.stderr.decode()
        assert r.returncode == 2 and reason in err and len(err.strip().splitlines()) == 1, (args, err)
        assert good.with_suffix(".csv").read_text(encoding="utf-8") == "keep"
    (tmp_path / "empty").mkdir()
    r = run("export", tmp_path / "empty", "--to", "csv", text=False)
    assert r.returncode == 2 and "没有 .xlsx" in r.stderr.decode()
    assert sha256(good) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".govxl-")]


def test_without_o_or_to_the_data_go_to_stdout_as_json(tmp_path, ed2021):
    good = govxl.new(tmp_path / "good.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    r = run("export", good)
    assert r.returncode == 0 and r.stderr == ""
    doc = json.loads(r.stdout)
    assert doc["govxl_export"] == 1 and [x["file"] for x in doc["reports"]] == [str(good)]


def test_o_overwrites_only_with_force(tmp_path, ed2021):
    good = govxl.new(tmp_path / "good.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    out = tmp_path / "x.csv"
    out.write_text("keep", encoding="utf-8")
    assert run("export", good, "-o", out).returncode == 2 and out.read_text(encoding="utf-8") == "keep"
    assert run("export", good, "-o", out, "--force").returncode == 0 and "natural_person" in out.read_text("utf-8-sig")


def test_stdout_by_default_and_hundreds_of_reports(tmp_path, ed2021):
    src = govxl.new(tmp_path / "src.xlsx", values=values(ed2021, NANGUAN_2023), agency="甲", year=2023)
    many = tmp_path / "many"
    many.mkdir()
    for i in range(120):
        shutil.copy(src, many / f"{i:03d}.xlsx")
    r = run("export", many, "--to", "csv", text=False)
    assert r.returncode == 0
    rows = rows_of(r.stdout)
    n = len(ed2021.fields)
    assert len(rows) == 120 * n and len({row["file"] for row in rows}) == 120
    totals = {}
    for row in rows:
        if (row["table"], row["row_key"], row["col_key"]) == ("requests", "new", "total"):
            totals[row["file"]] = int(row["value"])
    assert set(totals.values()) == {10} and len(totals) == 120


def test_labels_are_the_field_labels_for_every_edition():
    for e in edition_ids():
        ed = load_edition(e)
        lab = export.labels(ed)
        assert [t for t in lab["tables"]] == [t.key for t in ed.tables]
        assert sum(len(t["fields"]) for t in lab["tables"].values()) == len(ed.fields)
