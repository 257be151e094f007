"""The Python API (issue 15): govxl.check(path, previous=…, children=…) and govxl.check_many(...),
the README's example run as written, and the one session's result type."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import NANGUAN_2023, values

import govxl
from govxl.errors import GovxlError, ReadError, UsageError
from govxl.session import Checked

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nanguan-2023.xlsx"
AGENCY = "长春市南关区人民政府办公室"
CARRY = ("requests", "carry_forward", "natural_person")


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_as_written():
    r = subprocess.run([sys.executable, "-c", readme_example()], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == f"True {AGENCY} 2023"
    carry = [line for line in out if line.startswith("X-CARRY")]
    assert [line.split()[1] for line in carry] == ["D6", "J6"]
    assert all("last year's carried forward is 5" in line for line in carry)
    assert out[-3:-1] == ["nanguan-2023-inconsistent.xlsx False {'error': 2, 'warning': 0, 'info': 0}",
                          "nanguan-2023.xlsx True {'error': 0, 'warning': 0, 'info': 0}"]
    assert out[-1].startswith("missing.xlsx R-MISSING file not found: ")


def test_import_govxl_loads_nothing_heavy():
    code = ("import sys, govxl; print(sorted(m.split('.')[0] for m in sys.modules "
            "if m.split('.')[0] in ('openpyxl', 'xlsxwriter', 'typer', 'rich', 'docx', 'pdfplumber')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr
    assert sorted(govxl.__all__) == ["__version__", "check", "check_many", "new"]
    assert govxl.check.__doc__ and govxl.check_many.__doc__


def last_year(folder: Path, ed2021, carry: int = 5, agency: str = AGENCY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return govxl.new(folder / f"{agency}-2022.xlsx", agency=agency, year=2022, values={CARRY: carry})


def test_check_with_previous_file_or_folder(tmp_path, ed2021):
    plain = govxl.check(EXAMPLE)
    assert plain.ok() and plain.findings == [] and plain.values[CARRY] == 0
    last = last_year(tmp_path / "2022", ed2021)
    for previous in (last, str(last), tmp_path / "2022"):  # a file, its name as text, the folder holding it
        rep = govxl.check(EXAMPLE, previous=previous)
        assert [(f.rule, f.cell, f.expected, f.actual) for f in rep.findings] == [
            ("X-CARRY", "D6", 5, 0), ("X-CARRY", "J6", 5, 0)], previous
    with pytest.raises(UsageError):
        govxl.check(EXAMPLE, previous=EXAMPLE)  # last year's report cannot be this year's
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ReadError) as exc:
        govxl.check(EXAMPLE, previous=junk)
    assert exc.value.code == "R-PREVIOUS"
    assert exc.value.text("en").startswith(f"last year's report {junk} cannot be checked: not an xlsx workbook")
    with pytest.raises(GovxlError) as exc:
        govxl.check(junk)
    assert exc.value.code == "R-NOTXLSX"


def test_check_with_children_adds_roll(tmp_path, ed2021):
    kids = tmp_path / "kids"
    kids.mkdir()
    govxl.new(kids / "甲.xlsx", agency="甲", year=2023, values=values(ed2021, NANGUAN_2023))
    new = ("requests", "new", "natural_person")
    zeros = dict.fromkeys(values(ed2021, NANGUAN_2023), 0)
    govxl.new(kids / "乙.xlsx", agency="乙", year=2023, values={**zeros, new: 3, CARRY: 3})  # balanced: passes
    parent = govxl.check(EXAMPLE, children=kids)
    roll = [(f.rule, f.sheet, f.cell, f.expected, f.actual) for f in parent.findings]
    want = [("ROLL", ed2021.field(k).sheet, ed2021.field(k).cell, v + 3, v)
            for k, v in ((new, parent.values[new]), (CARRY, 0))]
    assert roll == want
    assert govxl.check(EXAMPLE, children=[kids / "甲.xlsx", kids / "乙.xlsx"]).findings == parent.findings
    assert govxl.check(EXAMPLE, children=[kids / "甲.xlsx"]).findings == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_many_yields_checked_in_order_with_previous_dir(tmp_path, ed2021, jobs):
    folder = tmp_path / "2023"
    folder.mkdir()
    a = govxl.new(folder / "a.xlsx", agency=AGENCY, year=2023, values=values(ed2021, NANGUAN_2023))
    b = folder / "b.xlsx"
    b.write_bytes(b"PK\x03\x04 not really")
    last_year(tmp_path / "2022", ed2021)
    got = list(govxl.check_many(folder, jobs=jobs, previous_dir=tmp_path / "2022"))
    assert [type(c) for c in got] == [Checked, Checked] and [c.path for c in got] == [a, b]
    assert [f.rule for f in got[0].report.findings] == ["X-CARRY", "X-CARRY"] and got[0].error is None
    assert got[0].report.values == {}, "values are dropped unless keep_values"
    assert got[1].report is None and got[1].error.code == "R-CORRUPT" and not got[1].ok()
    doc = got[1].to_dict("en")
    assert doc == {"file": str(b), "ok": False, "error": {"code": "R-CORRUPT", "message": got[1].error.text("en")}}
    kept = next(govxl.check_many([a], jobs=jobs, keep_values=True))
    assert kept.report.values[CARRY] == 0 and kept.ok() and json.dumps(kept.to_dict())


def carried(path: Path, report) -> tuple[str, float, int]:
    """An `after` hook (module level: sent to the workers): what it sees of each report where it was checked."""
    return path.name, report.values[CARRY], len(report.findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_many_runs_after_where_each_report_is_checked(tmp_path, ed2021, jobs):
    """`govxl check --annotate/--report` go through this: `after` sees the values, the caller gets its result."""
    folder = tmp_path / "2023"
    folder.mkdir()
    govxl.new(folder / "a.xlsx", agency=AGENCY, year=2023, values={**values(ed2021, NANGUAN_2023), CARRY: 0})
    govxl.new(folder / "b.xlsx", agency="乙", year=2023, values={**values(ed2021, NANGUAN_2023), CARRY: 7})
    (folder / "c.xlsx").write_bytes(b"PK\x03\x04 not really")
    got = list(govxl.check_many(folder, jobs=jobs, after=carried))
    assert [c.done for c in got] == [("a.xlsx", 0, 0), ("b.xlsx", 7, len(got[1].report.findings)), None]
    assert got[1].report.findings and got[0].report.values == {} and got[2].error.code == "R-CORRUPT"


def test_check_many_takes_last_years_file_and_refuses_an_impossible_run_at_the_call(tmp_path, ed2021):
    last = last_year(tmp_path / "2022", ed2021)
    (c,) = govxl.check_many(EXAMPLE, jobs=1, previous=last)
    assert [(f.rule, f.cell) for f in c.report.findings] == [("X-CARRY", "D6"), ("X-CARRY", "J6")]
    with pytest.raises(UsageError) as exc:
        govxl.check_many(EXAMPLE, previous=last, previous_dir=tmp_path / "2022")  # raised before any next()
    assert exc.value.code == "U-PREV-BOTH"
    with pytest.raises(UsageError) as exc:
        govxl.check_many([EXAMPLE, last], previous=last)
    assert exc.value.code == "U-PREV-MANY"


def test_coded_errors_survive_the_trip_from_a_worker():
    """Workers send errors back pickled: the code, the parameters and both languages survive."""
    import pickle

    from govxl.errors import InputsError

    scan = ReadError(code="R-PDF-SCAN", name="a.pdf")
    prev = pickle.loads(pickle.dumps(ReadError(code="R-PREVIOUS", file="2022.pdf", reason=scan)))
    assert prev.code == "R-PREVIOUS" and str(prev).startswith("上年报告 2022.pdf 无法校验：a.pdf：PDF 没有文字层")
    assert prev.text("en").startswith("last year's report 2022.pdf cannot be checked: a.pdf: the PDF has no text")
    mixed = InputsError("R-AGG-MIXED", [("a.xlsx", ("R-AGG-YEAR", {"year": 2022}))], want="2021 版、2023 年",
                        want_en="edition 2021, year 2023", basis="", basis_en="", n=1)
    back = pickle.loads(pickle.dumps(mixed))
    assert (str(back), back.text("en"), back.lines("en")) == (str(mixed), mixed.text("en"), [("a.xlsx", "year 2022")])
