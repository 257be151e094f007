"""The generated workbook in a real spreadsheet engine: LibreOffice Calc, driven over UNO.

A workbook made by ``govxl.new`` is opened in LibreOffice, every input is typed in as a person
would (select the cell, enter the text: protection applies), LibreOffice recalculates and saves
it as .xlsx, and the saved file goes back through ``govxl check``. Expected numbers come from the
edition spec via ``govxl.judge.rules``, never from this file. Data: 长春市南关区人民政府办公室, 2023
(examples/nanguan-2023-tables.txt): 表三 新收 自然人 10, of which 予以公开 4,
本机关不掌握 4, 补正后申请内容仍不明确 2; everything else 0.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import libreoffice as lo
import openpyxl
import pytest
from cli import run

import govxl
from govxl.judge.rules import Key, evaluate, rule_status
from govxl.reader import read_xlsx
from govxl.spec import CHECK_BAD, CHECK_OK, Edition, Table, cell_name, load_edition, parse_cell
from govxl.writer import NAME_PREFIX, PROP_PREFIX, identity, validation

AGENCY = "长春市南关区人民政府办公室"
YEARS = {"2021": 2023, "2019": 2020}  # a report year of each edition
REPO = Path(govxl.__file__).resolve().parents[1]

NANGUAN_2023: dict[Key, float] = {
    ("requests", "new", "natural_person"): 10,
    ("requests", "results.public", "natural_person"): 4,
    ("requests", "results.unavailable.not_held", "natural_person"): 4,
    ("requests", "results.unavailable.unclear_after_correction", "natural_person"): 2,
}
# 2019 edition: 本年增/减 (a "signed" input) may be negative; every data set types some negatives.
NEGATIVE = -3.0

libreoffice = pytest.mark.libreoffice(uno=True)


# ------------------------------------------------------------------ data and addresses
def dataset(ed: Edition, **change: float) -> dict[Key, float]:
    """Every input of the edition: 0, except the 南关区 2023 figures, a negative number in every
    本年增/减 (2019 edition), and `change` (by row key of 表三 自然人)."""
    values = {f.key: (NEGATIVE if f.kind == "signed" else 0.0) for f in ed.fields if not f.is_total}
    values.update(NANGUAN_2023)
    for row_key, v in change.items():
        values[("requests", row_key, "natural_person")] = v
    return values


def typed(ed: Edition, values: dict[Key, float]) -> dict[str, dict[str, str]]:
    """{sheet: {cell: text}} in spec order, numbers written the way a person types them."""
    out: dict[str, dict[str, str]] = {}
    for f in ed.fields:
        if f.key in values:
            v = values[f.key]
            out.setdefault(f.sheet, {})[f.cell] = str(int(v)) if float(v).is_integer() else repr(v)
    return out


def balance_cells(t: Table) -> dict[str, str]:
    """col key -> the cell of the live ✓/✗ check row."""
    return {col: cell_name(b.show_row, t.field(b.left[0], col).col) for b in t.balances for col in b.cols}


def status_cells(ed: Edition) -> dict[str, str]:
    """rule -> the cover cell that shows 通过/不通过 for it."""
    r0, c0 = parse_cell(ed.cover.raw["status_at"])
    return {rule: cell_name(r0 + 2 + i, c0 + 3) for i, rule in enumerate(ed.rules)}


def everything_to_read(ed: Edition) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    for t in ed.tables:
        cells[t.sheet] = [f.cell for f in t.fields] + list(balance_cells(t).values())
    cells[ed.cover.sheet] = list(status_cells(ed).values())
    return cells


def all_sheets(ed: Edition) -> list[str]:
    return [ed.cover.sheet] + [t.sheet for t in ed.tables]


def num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def office():
    with lo.Session() as session:
        yield session


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("libreoffice")


@pytest.fixture(scope="module", params=list(YEARS))
def ed(request) -> Edition:
    """Every test that takes `ed` (or a workbook made from it) runs once per edition."""
    return load_edition(request.param)


@pytest.fixture(scope="module")
def workbook(ed, workdir) -> Path:
    """The blank workbook govxl.new makes (module-scoped: LibreOffice opens it many times)."""
    return govxl.new(workdir / f"blank-{ed.id}.xlsx", edition=ed.id, agency=AGENCY, year=YEARS[ed.id])


@pytest.fixture(scope="module")
def any_workbook(workdir) -> Path:
    """A workbook for the tests of the driver itself (any edition will do)."""
    return govxl.new(workdir / "driver.xlsx", agency=AGENCY, year=YEARS["2021"])


@dataclass
class Filled:
    ed: Edition
    inputs: dict[Key, float]
    expected: dict[Key, float]  # every field, totals computed by govxl.judge.rules
    result: lo.Result
    saved: Path
    pdf: Path

    def string(self, sheet: str, cell: str) -> str:
        return self.result.string(sheet, cell)


def fill_in_libreoffice(office, ed: Edition, workbook: Path, workdir: Path, name: str, inputs: dict[Key, float],
                        pdf: bool = False, wait: float = 0) -> Filled:
    saved, pdf_path = workdir / f"{name}-{ed.id}.xlsx", workdir / f"{name}-{ed.id}.pdf"
    result = lo.fill(workbook, saved, typed(ed, inputs), read=everything_to_read(ed), pdf=pdf_path if pdf else None,
                     wait=wait, session=office, properties=True, names=True, protection=all_sheets(ed))
    return Filled(ed, inputs, evaluate(ed, inputs), result, saved, pdf_path)


@pytest.fixture(scope="module")
def consistent(office, ed, workbook, workdir) -> Filled:
    # The pause lets LibreOffice's idle handlers run after typing: without the formula-bar
    # workaround in lo_driver.py, Debian's calc-nogui aborts right there.
    return fill_in_libreoffice(office, ed, workbook, workdir, "nanguan-2023", dataset(ed), pdf=True, wait=1.5)


@pytest.fixture(scope="module")
def inconsistent(office, ed, workbook, workdir) -> Filled:
    return fill_in_libreoffice(office, ed, workbook, workdir, "nanguan-2023-new-11", dataset(ed, new=11))


@pytest.fixture(scope="module")
def distinct(office, ed, workbook, workdir) -> Filled:
    """Every input a different number (1, 2, 3, …; 本年增/减 negative; the amount with six decimals):
    a formula that adds up the wrong cells cannot hide behind zeros."""
    inputs = {f.key: float(-i if f.kind == "signed" else i)
              for i, f in enumerate((f for f in ed.fields if not f.is_total), start=1)}
    (amount,) = [f for f in ed.fields if f.kind == "amount"]
    inputs[amount.key] = 12.345678
    return fill_in_libreoffice(office, ed, workbook, workdir, "distinct", inputs)


# ------------------------------------------------------------------ the CI rule (no LibreOffice needed)
def test_missing_libreoffice_is_a_skip_locally(monkeypatch):
    monkeypatch.setattr(lo, "lo_missing", lambda uno=True: "soffice is not on PATH")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="soffice is not on PATH"):
        lo.require_libreoffice()


def test_missing_libreoffice_is_a_failure_in_ci(monkeypatch):
    monkeypatch.setattr(lo, "lo_missing", lambda uno=True: "soffice is not on PATH")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true.*soffice is not on PATH"):
        lo.require_libreoffice()


def test_present_libreoffice_passes_the_gate(monkeypatch):
    monkeypatch.setattr(lo, "lo_missing", lambda uno=True: None)
    monkeypatch.setenv("CI", "true")
    lo.require_libreoffice()


GATE_TESTS = """
import pytest

@pytest.mark.libreoffice
def test_soffice():
    pass

@pytest.mark.libreoffice(uno=True)
def test_uno():
    pass
"""


@pytest.mark.parametrize("ci, outcome", [("true", "2 errors"), ("", "2 skipped")])
def test_marked_tests_obey_the_gate(tmp_path, ci, outcome):
    """End to end through tests/conftest.py: marked tests with no LibreOffice fail in CI, skip locally."""
    here = Path(__file__).parent
    shutil.copy(here / "conftest.py", tmp_path / "conftest.py")
    shutil.copy(here / "libreoffice.py", tmp_path / "libreoffice.py")
    (tmp_path / "test_gate.py").write_text(GATE_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers = libreoffice: drives LibreOffice\n", encoding="utf-8")
    env = {**os.environ, "GOVXL_SOFFICE": str(tmp_path / "no-such-soffice"), "CI": ci,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == (1 if ci else 0), run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith(outcome), run.stdout
    assert "no-such-soffice" in run.stdout, run.stdout


# ------------------------------------------------------------------ filling in LibreOffice
@libreoffice
def test_every_input_accepts_what_is_typed(consistent):
    ed = consistent.ed
    inputs = {(f.sheet, f.cell): f for f in ed.fields if not f.is_total}
    assert consistent.result.typed.keys() == inputs.keys()
    for (sheet, cell), t in consistent.result.typed.items():
        assert t["changed"] and "dialogs" not in t, (sheet, cell, t)
        assert t["before"]["type"] == "empty" and t["after"]["type"] == "value", (sheet, cell, t)
        assert t["after"]["value"] == consistent.inputs[inputs[(sheet, cell)].key]
    signed = [f for f in ed.fields if f.kind == "signed"]
    assert all(consistent.result.typed[(f.sheet, f.cell)]["after"]["value"] == NEGATIVE < 0 for f in signed)
    assert bool(signed) == (ed.id == "2019")  # the negative 本年增/减 is exercised where it exists


DATASETS = ["consistent", "inconsistent", "distinct"]


@libreoffice
@pytest.mark.parametrize("data", DATASETS)
def test_libreoffice_computes_every_total(request, ed, data):
    filled: Filled = request.getfixturevalue(data)  # `ed` above: the data set of this edition
    assert filled.ed is ed
    totals = [f for f in ed.fields if f.is_total]
    assert any(filled.expected[f.key] for f in totals)  # the data set exercises the sums
    if data == "distinct":
        assert all(filled.expected[f.key] for f in totals)
    for f in ed.fields:
        got = filled.result.cells[(f.sheet, f.cell)]
        assert got["type"] == ("formula" if f.is_total else "value"), (f.cell, got)
        assert got.get("error", 0) == 0, (f.cell, got)
        assert got["value"] == pytest.approx(filled.expected[f.key], abs=1e-9), (f.sheet, f.cell, f.row_label, f.col_label)


@libreoffice
@pytest.mark.parametrize("data", DATASETS)
def test_check_row_and_cover_status_follow_the_rules(request, ed, data):
    filled: Filled = request.getfixturevalue(data)
    assert filled.ed is ed
    cover = ed.cover.raw
    for t in ed.tables:
        for b in t.balances:
            for col in b.cols:
                holds = sum(filled.expected[(t.key, r, col)] for r in b.left) == sum(
                    filled.expected[(t.key, r, col)] for r in b.right)
                cell = t.field(b.left[0], col)
                got = filled.string(t.sheet, cell_name(b.show_row, cell.col))
                assert got == (CHECK_OK if holds else CHECK_BAD), (t.sheet, col)
    status = rule_status(ed, filled.inputs)
    shown = {rule: filled.string(ed.cover.sheet, cell) for rule, cell in status_cells(ed).items()}
    assert shown == {r: cover["pass_text"] if ok else cover["fail_text"] for r, ok in status.items()}


@libreoffice
def test_a_blank_or_half_filled_workbook_does_not_say_passed(office, ed, workbook, workdir):
    """Until every input cell is filled the cover says so (未填写 / 尚有 N 格未填), not 通过, and a
    column of table 三 whose inputs are all blank shows 未填, not ✓; a broken rule still says 不通过."""
    cover = ed.cover.raw
    blank = fill_in_libreoffice(office, ed, workbook, workdir, "none-filled", {})
    assert {blank.string(ed.cover.sheet, c) for c in status_cells(ed).values()} == {cover["blank_text"]}
    t = ed.table("requests")
    assert {blank.string(t.sheet, c) for c in balance_cells(t).values()} == {cover["column_blank_text"]}
    data = dataset(ed, new=11)  # T3-BAL broken
    zeros = [k for k, v in data.items() if v == 0 and k[0] == "active"][:3]
    assert len(zeros) == 3
    half = fill_in_libreoffice(office, ed, workbook, workdir, "half", {k: v for k, v in data.items() if k not in zeros})
    shown = {rule: half.string(ed.cover.sheet, c) for rule, c in status_cells(ed).items()}
    assert shown == {r: cover["fail_text"] if r == "T3-BAL" else cover["partly_text"].format(n=3) for r in ed.rules}
    assert CHECK_BAD in {half.string(t.sheet, c) for c in balance_cells(t).values()}


@libreoffice
def test_consistent_data_shows_ticks_and_passes(consistent):
    ed = consistent.ed
    t = ed.table("requests")
    marks = {col: consistent.string(t.sheet, cell) for col, cell in balance_cells(t).items()}
    assert marks and set(marks.values()) == {CHECK_OK}, marks
    assert all(rule_status(ed, consistent.inputs).values())
    status = {rule: consistent.string(ed.cover.sheet, cell) for rule, cell in status_cells(ed).items()}
    assert status == dict.fromkeys(ed.rules, ed.cover.raw["pass_text"])


@libreoffice
def test_consistent_workbook_saved_by_libreoffice_passes_govxl_check(consistent):
    ed = consistent.ed
    report = govxl.check(consistent.saved)
    # LibreOffice 7.4 keeps every sheet's protection but drops the workbook's structure protection
    # when it saves an .xlsx (it writes <workbookProtection lockWindows="false"/>): check says so.
    assert [(f.rule, f.severity) for f in report.findings] == [("S-BOOK", "warning")], \
        [(f.rule, f.cell, f.message("en")) for f in report.findings]
    assert report.ok() and report.edition == ed.id and report.agency == AGENCY and report.year == YEARS[ed.id]
    for key, v in consistent.expected.items():
        assert report.values[key] == pytest.approx(v, abs=1e-9), key
    cli = run("check", str(consistent.saved))
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.strip().endswith("通过（1 个警告）") and "S-BOOK" in cli.stdout


@libreoffice
def test_inconsistent_data_shows_crosses_and_fails(inconsistent):
    ed, cover = inconsistent.ed, inconsistent.ed.cover.raw
    t = ed.table("requests")
    values = inconsistent.expected
    bad_cols = {col for b in t.balances for col in b.cols
                if sum(values[(t.key, r, col)] for r in b.left) != sum(values[(t.key, r, col)] for r in b.right)}
    assert bad_cols == {"natural_person", "total"}
    marks = {col: inconsistent.string(t.sheet, cell) for col, cell in balance_cells(t).items()}
    assert marks == {col: CHECK_BAD if col in bad_cols else CHECK_OK for col in marks}

    expected_status = rule_status(ed, inconsistent.inputs)
    assert expected_status["T3-BAL"] is False and sum(not ok for ok in expected_status.values()) == 1
    status = {rule: inconsistent.string(ed.cover.sheet, cell) for rule, cell in status_cells(ed).items()}
    assert status == {r: cover["pass_text"] if ok else cover["fail_text"] for r, ok in expected_status.items()}


@libreoffice
def test_inconsistent_workbook_saved_by_libreoffice_fails_govxl_check(inconsistent):
    t = inconsistent.ed.table("requests")
    (b,) = t.balances
    want = {",".join(t.field(r, col).cell for r in b.left + b.right) for col in ("natural_person", "total")}

    report = govxl.check(inconsistent.saved)
    assert not report.ok()
    assert {(f.rule, f.severity) for f in report.findings} == {("T3-BAL", "error"), ("S-BOOK", "warning")}
    assert {f.cell for f in report.findings if f.rule == "T3-BAL"} == want

    cli = run("check", "--format", "json", str(inconsistent.saved))
    assert cli.returncode == 1, cli.stdout + cli.stderr
    doc = json.loads(cli.stdout)
    assert doc["ok"] is False and doc["counts"]["error"] == len(want)
    natural = [f for f in doc["findings"] if f["col_label"].endswith("自然人")]
    assert [f["rule"] for f in natural] == ["T3-BAL"]
    assert natural[0]["cell"] == ",".join(t.field(r, "natural_person").cell for r in b.left + b.right)
    side = lambda rows: sum(inconsistent.expected[(t.key, r, "natural_person")] for r in rows)  # noqa: E731
    assert (natural[0]["expected"], natural[0]["actual"]) == (side(b.left), side(b.right)) != (0, 0)


# ------------------------------------------------------------------ protection
def locked_targets(ed: Edition) -> dict[str, dict[str, str]]:
    """Cells a person must not be able to change: a label, every total and check cell, cover texts."""
    cover_spec = ed.cover.raw
    out: dict[str, dict[str, str]] = {}
    for t in ed.tables:
        cells = out.setdefault(t.sheet, {})
        for lb in (t.labels[0], t.labels[-1]):
            cells[lb.cell] = "1"
        for f in t.totals:
            cells[f.cell] = "999"
        for cell in balance_cells(t).values():
            cells[cell] = CHECK_OK
    cover = out.setdefault(ed.cover.sheet, {})
    cover[cover_spec["title"]["at"].split(":")[0]] = "x"
    cover[cover_spec["agency"]["label_at"]] = "x"
    for cell in status_cells(ed).values():
        cover[cell] = cover_spec["pass_text"]
    return out


def open_targets(ed: Edition) -> dict[str, dict[str, str]]:
    """One input per table, and the cover's agency and year."""
    cover_spec = ed.cover.raw
    out = {t.sheet: {t.inputs[0].cell: "7"} for t in ed.tables}
    out[ed.cover.sheet] = {cover_spec["agency"]["at"].split(":")[0]: "某某局", cover_spec["year"]["at"]: "2024"}
    return out


@libreoffice
@pytest.mark.parametrize("which", ["generated", "saved by LibreOffice"])
def test_locked_cells_refuse_typing_open_cells_accept(request, office, ed, which):
    src = request.getfixturevalue("workbook") if which == "generated" else request.getfixturevalue("consistent").saved
    locked, open_ = locked_targets(ed), open_targets(ed)
    # Interleave: refused entries must not disturb the accepted ones that follow.
    plan: dict[str, dict[str, str]] = {}
    for sheet in all_sheets(ed):
        plan[sheet] = {**locked.get(sheet, {}), **open_.get(sheet, {})}
    res = lo.fill(src, None, plan, protection=list(plan), session=office)
    assert res.protected == dict.fromkeys(plan, True)
    for sheet, cells in locked.items():
        for cell in cells:
            t = res.typed[(sheet, cell)]
            assert not t["changed"], f"{sheet}!{cell} accepted {t['typed']!r}: {t['after']}"
            assert t["after"] == t["before"]
            assert t.get("dialogs") and t["dialogs"][0]["text"], t  # LibreOffice said why
    for sheet, cells in open_.items():
        for cell, text in cells.items():
            t = res.typed[(sheet, cell)]
            assert t["changed"] and "dialogs" not in t, (sheet, cell, t)
            assert t["after"]["formula"] == text


@libreoffice
def test_libreoffice_refuses_renaming_a_sheet(office, ed, workbook, workdir):
    """Sheet ▸ Rename Sheet on each sheet of the workbook govxl wrote does nothing (the command is
    disabled: LibreOffice refuses to rename a protected sheet), while the same command renames the
    sheet of an unprotected workbook (so the refusal is LibreOffice's, not the driver's)."""
    plain = workdir / "unprotected.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "甲"
    wb.save(plain)
    control = lo.inspect(plain, session=office, rename={"甲": "乙"})
    assert [e["after"] for e in control.sheet_edits] == [["乙"]]

    res = lo.inspect(workbook, session=office, sheets=True, rename={s: f"改名{i}" for i, s in enumerate(all_sheets(ed))})
    assert res.sheets == all_sheets(ed)
    for edit in res.sheet_edits:
        assert edit["after"] == edit["before"] == all_sheets(ed), f"LibreOffice renamed {edit['sheet']}: {edit['after']}"


@libreoffice
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "LibreOffice 7.4 ignores <workbookProtection lockStructure> in .xlsx (its OOXML import has no "
    "handler for the element), so it lets a person insert a sheet; Excel honours it"))
def test_libreoffice_refuses_inserting_a_sheet(office, ed, workbook):
    assert read_xlsx(workbook).structure_locked  # what govxl wrote
    res = lo.inspect(workbook, session=office, structure=True, insert=["新工作表"])
    (insert,) = res.sheet_edits
    assert insert["before"] == all_sheets(ed)
    assert res.structure is True, "LibreOffice does not see the workbook's structure as protected"
    assert insert["after"] == insert["before"], f"LibreOffice inserted a sheet: {insert['after']}"


@libreoffice
def test_what_libreoffice_does_with_the_structure_lock(office, ed, workbook, consistent):
    """The behaviour the xfail above stands for, asserted as it is: LibreOffice sees no structure
    protection, so Sheet ▸ Insert Sheet adds a sheet, and the file it saves has none, which
    `govxl check` reports (S-BOOK); the sheets' own protection survives (no S-PROTECT)."""
    res = lo.inspect(workbook, session=office, structure=True, insert=["新工作表"])
    (insert,) = res.sheet_edits
    assert res.structure is False
    assert insert["after"] == ["新工作表"] + all_sheets(ed)
    assert read_xlsx(workbook).structure_locked and not read_xlsx(consistent.saved).structure_locked
    rules = [f.rule for f in govxl.check(consistent.saved).findings]
    assert "S-BOOK" in rules and "S-PROTECT" not in rules


@libreoffice
@pytest.mark.parametrize("fee, ok", [("1.234567", True), ("1.2345678", False)])
def test_fee_takes_six_decimals(office, ed, workbook, workdir, fee, ok):
    (f,) = [f for f in ed.fields if f.kind == "amount"]
    saved = workdir / f"fee-{ed.id}-{fee}.xlsx"
    cover_cell = status_cells(ed)["V-AMT"]
    # The amount, and one 0 in each other table (a wholly blank table is an error of its own: V-EMPTY).
    inputs = {f.key: float(fee)} | {t.inputs[0].key: 0.0 for t in ed.tables if t.key != f.table}
    read = {f.sheet: [f.cell], ed.cover.sheet: [cover_cell]}
    res = lo.fill(workbook, saved, typed(ed, inputs), read=read, session=office)
    assert res.typed[(f.sheet, f.cell)]["changed"]
    assert res.value(f.sheet, f.cell) == float(fee)
    blank = sum(len(t.inputs) for t in ed.tables) - len(inputs)  # the rest is blank: the cover says how many
    assert res.string(ed.cover.sheet, cover_cell) == (ed.cover.raw["partly_text"].format(n=blank) if ok
                                                      else ed.cover.raw["fail_text"])

    raw = read_xlsx(saved)
    assert raw.sheet(f.sheet).cells[(f.row, f.col)].value == float(fee)
    report = govxl.check(saved)
    assert [x.rule for x in report.findings if x.severity == "error"] == ([] if ok else ["V-AMT"])
    if ok:
        assert report.values[f.key] == float(fee)


# ------------------------------------------------------------------ what survives the round trip
@libreoffice
def test_template_identity_survives(consistent):
    ed = consistent.ed
    ident = {PROP_PREFIX + k: v for k, v in identity(ed).items()}
    names = {NAME_PREFIX + k: f'"{v}"' for k, v in identity(ed).items()}
    # LibreOffice sees them after loading the generated file...
    assert ident.items() <= consistent.result.properties.items()
    assert names.items() <= consistent.result.names.items()
    # ...and writes them back: govxl's reader and openpyxl both find them in the saved file.
    raw = read_xlsx(consistent.saved)
    assert ident.items() <= raw.properties.items()
    assert names.items() <= raw.names.items()
    wb = openpyxl.load_workbook(consistent.saved)
    assert {p.name: p.value for p in wb.custom_doc_props.props}.items() >= ident.items()
    assert {n: wb.defined_names[n].attr_text for n in names} == names


OPENPYXL_TYPES = {"integer": "whole", "decimal": "decimal", "custom": "custom", "length": "textLength"}
LO_TYPES = {"integer": ("WHOLE", "BETWEEN"), "custom": ("CUSTOM", "FORMULA")}


def normalise_formula(text: str | None) -> str:
    return re.sub(r"\s|^=", "", str(text or "")).replace(";", ",")


@libreoffice
def test_data_validation_survives(office, consistent):
    ed = consistent.ed
    inputs = [f for f in ed.fields if not f.is_total]
    # In the file LibreOffice saved (openpyxl)...
    wb = openpyxl.load_workbook(consistent.saved)
    for f in inputs:
        want = validation(f)
        dvs = [dv for dv in wb[f.sheet].data_validations.dataValidation if f.cell in dv.sqref]
        assert len(dvs) == 1, (f.sheet, f.cell, dvs)
        dv = dvs[0]
        assert dv.type == OPENPYXL_TYPES[want["validate"]], (f.cell, dv.type)
        if want["validate"] == "custom":
            assert normalise_formula(dv.formula1) == normalise_formula(want["value"])
        else:
            assert (dv.operator, float(dv.formula1), float(dv.formula2)) == ("between", want["minimum"], want["maximum"])
        assert dv.showErrorMessage and dv.errorTitle == want["error_title"]
    # ...and as LibreOffice itself reads it back from that file.
    cells = {}
    for f in inputs:
        cells.setdefault(f.sheet, []).append(f.cell)
    res = lo.inspect(consistent.saved, validation=cells, session=office)
    for f in inputs:
        want = validation(f)
        got = res.validations[(f.sheet, f.cell)]
        assert (got["type"], got["operator"]) == LO_TYPES[want["validate"]], (f.cell, got)
        assert got["show_error"] and got["error_style"] == "STOP" and got["error_message"] == want["error_message"]
        if want["validate"] == "integer":
            assert (float(got["formula1"]), float(got["formula2"])) == (want["minimum"], want["maximum"])
        else:
            assert normalise_formula(got["formula1"]) == normalise_formula(want["value"])


# ------------------------------------------------------------------ printing
def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_by_sheet(ed: Edition, pdf: Path) -> list[tuple[str, str]]:
    """(sheet, page text) per page: a page opens a sheet when it shows that sheet's title."""
    titles = {ed.cover.raw["title"]["text"]: ed.cover.sheet} | {t.title: t.sheet for t in ed.tables}
    out: list[tuple[str, str]] = []
    for text in lo.pdf_page_texts(pdf):
        found = [sheet for title, sheet in titles.items() if squash(title) in squash(text)]
        assert len(found) <= 1, found
        assert found or out, "the first page shows no sheet title"
        out.append((found[0] if found else out[-1][0], text))
    return out


def edge_labels(t: Table) -> tuple[set[str], set[str]]:
    """Header labels (repeated on every printed page) over the table's first and last column."""
    c0, c_end = t.bounds[1], t.bounds[3]
    header = [lb for lb in t.labels if lb.row < t.origin[0] + t.header_rows]
    first = {lb.text for lb in header if lb.col <= c0 <= lb.last_col}
    last = {lb.text for lb in header if lb.col <= c_end <= lb.last_col}
    return first, last


LABEL_POINTS = 11.0  # the labels' font size in the workbook (govxl/writer.py)
MIN_SCALE = 0.6  # below this, 11-point labels print smaller than about 6.6 points


def print_scale(t: Table, words: list[tuple[str, float, float, float, float]]) -> float:
    """How much the printed page shrinks the table: each label printed whole on one line, all of it
    CJK (one em per character), measured against its width at the labels' font size; the smallest."""
    texts = {lb.text for lb in t.labels if re.fullmatch(r"[\u4e00-\u9fff]{2,}", lb.text)}
    scales = [(x2 - x1) / (len(w) * LABEL_POINTS) for w, x1, _y1, x2, _y2 in words if w in texts]
    assert scales, f"no label of {t.sheet} printed whole on one line"
    return min(scales)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@libreoffice
@pytest.mark.parametrize("which", ["generated", "filled"])
def test_every_sheet_prints_on_one_legible_page(request, office, ed, workdir, which):
    if lo.poppler_missing():
        if lo.in_ci():
            pytest.fail(lo.poppler_missing())
        pytest.skip(lo.poppler_missing())
    if which == "generated":
        pdf = lo.to_pdf(request.getfixturevalue("workbook"), workdir, session=office)
    else:
        pdf = request.getfixturevalue("consistent").pdf
    cover_spec = ed.cover.raw
    pages = pages_by_sheet(ed, pdf)
    sizes = lo.pdf_info(pdf)["sizes"]
    # The cover and every table on one page each: 表三 too (landscape, scaled to fit).
    assert [s for s, _ in pages] == all_sheets(ed)
    landscape = {ed.cover.sheet: False} | {t.sheet: t.landscape for t in ed.tables}
    for (sheet, _text), (w, h) in zip(pages, sizes, strict=True):
        assert round(min(w, h)) == 595 and round(max(w, h)) == 842, (w, h)  # A4
        assert (w > h) == landscape[sheet], (sheet, w, h)
    for i, t in enumerate(ed.tables, start=2):
        first, last = edge_labels(t)
        (text,) = [squash(text) for sheet, text in pages if sheet == t.sheet]
        assert any(squash(x) in text for x in first) and any(squash(x) in text for x in last), t.sheet  # full width
        missing = [lb.text for lb in t.labels if squash(lb.text) not in text]
        assert not missing, f"labels not printed on {t.sheet}: {missing}"
        scale = print_scale(t, lo.pdf_words(pdf, i))
        assert scale >= MIN_SCALE, f"{t.sheet} prints at {scale:.0%}"
    cover = squash(next(text for sheet, text in pages if sheet == ed.cover.sheet))
    assert all(squash(cover_spec[k]["label"]) in cover for k in ("agency", "year", "format", "version"))
    assert squash(AGENCY) in cover

    # PNG previews, one per page; GOVXL_UPDATE_PREVIEWS=1 refreshes the ones shipped in docs/.
    pngs = lo.render_png(pdf, workdir, prefix=f"preview-{ed.id}-{which}", dpi=90)
    assert len(pngs) == len(pages)
    for png, (w, h) in zip(pngs, sizes, strict=True):
        pw, ph = png_size(png)
        assert (pw > ph) == (w > h) and abs(pw - w * 90 / 72) <= 2, (png, pw, ph)
    if which == "filled" and os.environ.get("GOVXL_UPDATE_PREVIEWS") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        for i, png in enumerate(pngs, start=1):
            shutil.copy(png, REPO / "docs" / f"preview-{ed.id}-{i}.png")


# ------------------------------------------------------------------ the driver itself
@libreoffice
def test_driver_reports_clear_errors(office, any_workbook):
    with pytest.raises(lo.LibreOfficeError, match="no sheet named 'no such sheet'"):
        lo.fill(any_workbook, None, {"no such sheet": {"A1": "1"}}, session=office)
    with pytest.raises(lo.LibreOfficeError, match="no such file"):
        lo.inspect(any_workbook.with_name("missing.xlsx"), sheets=True, session=office)
    # The session is still usable afterwards.
    assert lo.inspect(any_workbook, sheets=True, session=office).sheets == all_sheets(load_edition("2021"))


@libreoffice
def test_watchdog_kills_a_stuck_soffice_and_the_session_recovers(any_workbook):
    with lo.Session(timeout=1) as session:  # shorter than the job's own pause, whatever the machine
        with pytest.raises(lo.LibreOfficeError, match=r"timed out after 1 s") as err:
            session.run({"src": str(any_workbook), "actions": [{"op": "wait", "seconds": 3}, {"op": "sheets"}]})
        soffice = err.value.result["soffice"]
        with pytest.raises(ProcessLookupError):
            os.kill(soffice["pid"], 0)
        assert not Path(soffice["profile"]).exists()
        assert not any(os.path.exists(s) for s in soffice["sockets"])
        again = session.run({"src": str(any_workbook), "actions": [{"op": "version"}], "timeout": 120})
        assert again["results"][0]["version"].startswith("LibreOffice ")
        assert again["soffice"]["pid"] != soffice["pid"]


@libreoffice
def test_a_wedged_driver_is_killed_with_its_soffice(any_workbook):
    session = lo.Session()
    try:
        session.run({"actions": [{"op": "version"}]})
        soffice = session.soffice
        assert soffice and Path(soffice["profile"]).is_dir()
        assert len(soffice["sockets"]) == 2 and all(os.path.exists(s) for s in soffice["sockets"])
        os.kill(session.proc.pid, signal.SIGSTOP)  # deaf to SIGTERM, as if stuck in a UNO call
    finally:
        session.close(kill=True, grace=1)
    assert session.proc.returncode == -signal.SIGKILL
    for _ in range(50):
        try:
            os.kill(soffice["pid"], 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"soffice {soffice['pid']} survived its driver")
    assert not Path(soffice["profile"]).exists()
    assert not any(os.path.exists(s) for s in soffice["sockets"])


@libreoffice
def test_driver_runs_one_shot_from_the_command_line(any_workbook):
    cover = load_edition("2021").cover.sheet
    job = {"src": str(any_workbook), "actions": [{"op": "version"}, {"op": "protection", "sheet": cover}]}
    run = subprocess.run([lo.SYSTEM_PYTHON, str(lo.DRIVER), "-"], input=json.dumps(job), capture_output=True,
                         text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    res = json.loads(run.stdout)
    assert res["ok"] and res["results"][1]["protected"] is True
    assert not Path(res["soffice"]["profile"]).exists()
    bad = subprocess.run([lo.SYSTEM_PYTHON, str(lo.DRIVER), "-"], input='{"src": "/no/such.xlsx"}',
                         capture_output=True, text=True, timeout=180)
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"] == "DriverError: no such file: /no/such.xlsx"
