"""The generated workbook in a real spreadsheet engine: LibreOffice Calc, driven over UNO.

A workbook made by ``govxl.new`` is opened in LibreOffice, every input is typed in as a person
would (select the cell, enter the text: protection applies), LibreOffice recalculates and saves
it as .xlsx, and the saved file goes back through ``govxl check``. Expected numbers come from the
edition spec via ``govxl.rules``, never from this file. Data: 长春市南关区人民政府办公室, 2023
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

import govxl
from govxl.reader import read_xlsx
from govxl.rules import Key, evaluate, rule_status
from govxl.spec import CHECK_BAD, CHECK_OK, Table, cell_name, load_edition, parse_cell
from govxl.writer import NAME_PREFIX, PROP_PREFIX, identity, validation

ED = load_edition("2021")
COVER = ED.cover.raw
AGENCY, YEAR = "长春市南关区人民政府办公室", 2023
REPO = Path(govxl.__file__).resolve().parents[1]

NANGUAN_2023: dict[Key, float] = {
    ("requests", "new", "natural_person"): 10,
    ("requests", "results.public", "natural_person"): 4,
    ("requests", "results.unavailable.not_held", "natural_person"): 4,
    ("requests", "results.unavailable.unclear_after_correction", "natural_person"): 2,
}

# How the printed workbook is meant to paginate (A4): every sheet one page wide; 表三's 28 rows
# are too tall for one landscape page at 100 % and continue on a second page, which repeats the
# header rows (print titles).
PAGES = {ED.cover.sheet: 1, ED.table("active").sheet: 1, ED.table("requests").sheet: 2, ED.table("appeals").sheet: 1}

libreoffice = pytest.mark.libreoffice(uno=True)


# ------------------------------------------------------------------ data and addresses
def dataset(**change: float) -> dict[Key, float]:
    """Every input of the edition: 0, except the 南关区 2023 figures (and `change`, by row key)."""
    values = {f.key: 0.0 for f in ED.fields if not f.is_total}
    values.update(NANGUAN_2023)
    for row_key, v in change.items():
        values[("requests", row_key, "natural_person")] = v
    return values


def typed(values: dict[Key, float]) -> dict[str, dict[str, str]]:
    """{sheet: {cell: text}} in spec order, numbers written the way a person types them."""
    out: dict[str, dict[str, str]] = {}
    for f in ED.fields:
        if f.key in values:
            v = values[f.key]
            out.setdefault(f.sheet, {})[f.cell] = str(int(v)) if float(v).is_integer() else repr(v)
    return out


def balance_cells(t: Table) -> dict[str, str]:
    """col key -> the cell of the live ✓/✗ check row."""
    return {col: cell_name(b.show_row, t.field(b.left[0], col).col) for b in t.balances for col in b.cols}


def status_cells() -> dict[str, str]:
    """rule -> the cover cell that shows 通过/不通过 for it."""
    r0, c0 = parse_cell(COVER["status_at"])
    return {rule: cell_name(r0 + 2 + i, c0 + 3) for i, rule in enumerate(ED.rules)}


def everything_to_read() -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    for t in ED.tables:
        cells[t.sheet] = [f.cell for f in t.fields] + list(balance_cells(t).values())
    cells[ED.cover.sheet] = list(status_cells().values())
    return cells


def requests() -> Table:
    return ED.table("requests")


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


@pytest.fixture(scope="module")
def workbook(workdir) -> Path:
    """The blank 2021 workbook govxl.new makes (module-scoped: LibreOffice opens it many times)."""
    return govxl.new(workdir / "blank.xlsx", agency=AGENCY, year=YEAR)


@dataclass
class Filled:
    inputs: dict[Key, float]
    expected: dict[Key, float]  # every field, totals computed by govxl.rules
    result: lo.Result
    saved: Path
    pdf: Path

    def string(self, sheet: str, cell: str) -> str:
        return self.result.string(sheet, cell)


def fill_in_libreoffice(office, workbook: Path, workdir: Path, name: str, inputs: dict[Key, float],
                        pdf: bool = False, wait: float = 0) -> Filled:
    saved, pdf_path = workdir / f"{name}.xlsx", workdir / f"{name}.pdf"
    result = lo.fill(workbook, saved, typed(inputs), read=everything_to_read(), pdf=pdf_path if pdf else None,
                     wait=wait, session=office, properties=True, names=True,
                     protection=[ED.cover.sheet] + [t.sheet for t in ED.tables])
    return Filled(inputs, evaluate(ED, inputs), result, saved, pdf_path)


@pytest.fixture(scope="module")
def consistent(office, workbook, workdir) -> Filled:
    # The pause lets LibreOffice's idle handlers run after typing: without the formula-bar
    # workaround in lo_driver.py, Debian's calc-nogui aborts right there.
    return fill_in_libreoffice(office, workbook, workdir, "nanguan-2023", dataset(), pdf=True, wait=1.5)


@pytest.fixture(scope="module")
def inconsistent(office, workbook, workdir) -> Filled:
    return fill_in_libreoffice(office, workbook, workdir, "nanguan-2023-new-11", dataset(new=11))


@pytest.fixture(scope="module")
def distinct(office, workbook, workdir) -> Filled:
    """Every input a different number (1, 2, 3, …; the fee with six decimals): a formula that
    adds up the wrong cells cannot hide behind zeros."""
    inputs = {f.key: float(i) for i, f in enumerate((f for f in ED.fields if not f.is_total), start=1)}
    (fee,) = [f for f in ED.fields if f.kind == "amount"]
    inputs[fee.key] = 12.345678
    return fill_in_libreoffice(office, workbook, workdir, "distinct", inputs)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The `govxl` command, as `python -m govxl` (govxl/__main__.py)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "govxl", *args], capture_output=True, text=True, env=env,
                          timeout=120)


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
    inputs = {(f.sheet, f.cell): f for f in ED.fields if not f.is_total}
    assert consistent.result.typed.keys() == inputs.keys()
    for (sheet, cell), t in consistent.result.typed.items():
        assert t["changed"] and "dialogs" not in t, (sheet, cell, t)
        assert t["before"]["type"] == "empty" and t["after"]["type"] == "value", (sheet, cell, t)
        assert t["after"]["value"] == consistent.inputs[inputs[(sheet, cell)].key]


DATASETS = ["consistent", "inconsistent", "distinct"]


@libreoffice
@pytest.mark.parametrize("data", DATASETS)
def test_libreoffice_computes_every_total(request, data):
    filled: Filled = request.getfixturevalue(data)
    totals = [f for f in ED.fields if f.is_total]
    assert any(filled.expected[f.key] for f in totals)  # the data set exercises the sums
    if data == "distinct":
        assert all(filled.expected[f.key] for f in totals)
    for f in ED.fields:
        got = filled.result.cells[(f.sheet, f.cell)]
        assert got["type"] == ("formula" if f.is_total else "value"), (f.cell, got)
        assert got.get("error", 0) == 0, (f.cell, got)
        assert got["value"] == pytest.approx(filled.expected[f.key], abs=1e-9), (f.sheet, f.cell, f.row_label, f.col_label)


@libreoffice
@pytest.mark.parametrize("data", DATASETS)
def test_check_row_and_cover_status_follow_the_rules(request, data):
    filled: Filled = request.getfixturevalue(data)
    for t in ED.tables:
        for b in t.balances:
            for col in b.cols:
                holds = sum(filled.expected[(t.key, r, col)] for r in b.left) == sum(
                    filled.expected[(t.key, r, col)] for r in b.right)
                cell = t.field(b.left[0], col)
                got = filled.string(t.sheet, cell_name(b.show_row, cell.col))
                assert got == (CHECK_OK if holds else CHECK_BAD), (t.sheet, col)
    status = rule_status(ED, filled.inputs)
    shown = {rule: filled.string(ED.cover.sheet, cell) for rule, cell in status_cells().items()}
    assert shown == {r: COVER["pass_text"] if ok else COVER["fail_text"] for r, ok in status.items()}


@libreoffice
def test_consistent_data_shows_ticks_and_passes(consistent):
    t = requests()
    marks = {col: consistent.string(t.sheet, cell) for col, cell in balance_cells(t).items()}
    assert marks and set(marks.values()) == {CHECK_OK}, marks
    assert all(rule_status(ED, consistent.inputs).values())
    status = {rule: consistent.string(ED.cover.sheet, cell) for rule, cell in status_cells().items()}
    assert status == dict.fromkeys(ED.rules, COVER["pass_text"])


@libreoffice
def test_consistent_workbook_saved_by_libreoffice_passes_govxl_check(consistent):
    report = govxl.check(consistent.saved)
    assert [f.rule for f in report.findings] == [], [(f.rule, f.cell, f.message("en")) for f in report.findings]
    assert report.ok() and report.agency == AGENCY and report.year == YEAR
    for key, v in consistent.expected.items():
        assert report.values[key] == pytest.approx(v, abs=1e-9), key
    cli = run_cli("check", str(consistent.saved))
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.strip().endswith("通过")


@libreoffice
def test_inconsistent_data_shows_crosses_and_fails(inconsistent):
    t = requests()
    values = inconsistent.expected
    bad_cols = {col for b in t.balances for col in b.cols
                if sum(values[(t.key, r, col)] for r in b.left) != sum(values[(t.key, r, col)] for r in b.right)}
    assert bad_cols == {"natural_person", "total"}
    marks = {col: inconsistent.string(t.sheet, cell) for col, cell in balance_cells(t).items()}
    assert marks == {col: CHECK_BAD if col in bad_cols else CHECK_OK for col in marks}

    expected_status = rule_status(ED, inconsistent.inputs)
    assert expected_status["T3-BAL"] is False and sum(not ok for ok in expected_status.values()) == 1
    status = {rule: inconsistent.string(ED.cover.sheet, cell) for rule, cell in status_cells().items()}
    assert status == {r: COVER["pass_text"] if ok else COVER["fail_text"] for r, ok in expected_status.items()}


@libreoffice
def test_inconsistent_workbook_saved_by_libreoffice_fails_govxl_check(inconsistent):
    t = requests()
    (b,) = t.balances
    want = {",".join(t.field(r, col).cell for r in b.left + b.right) for col in ("natural_person", "total")}

    report = govxl.check(inconsistent.saved)
    assert not report.ok()
    assert {(f.rule, f.severity) for f in report.findings} == {("T3-BAL", "error")}
    assert {f.cell for f in report.findings} == want

    cli = run_cli("check", "--format", "json", str(inconsistent.saved))
    assert cli.returncode == 1, cli.stdout + cli.stderr
    doc = json.loads(cli.stdout)
    assert doc["ok"] is False and doc["counts"]["error"] == len(want)
    natural = [f for f in doc["findings"] if f["col_label"].endswith("自然人")]
    assert [f["rule"] for f in natural] == ["T3-BAL"]
    assert natural[0]["cell"] == ",".join(t.field(r, "natural_person").cell for r in b.left + b.right)
    side = lambda rows: sum(inconsistent.expected[(t.key, r, "natural_person")] for r in rows)  # noqa: E731
    assert (natural[0]["expected"], natural[0]["actual"]) == (side(b.left), side(b.right)) != (0, 0)


# ------------------------------------------------------------------ protection
def locked_targets() -> dict[str, dict[str, str]]:
    """Cells a person must not be able to change: a label, every total and check cell, cover texts."""
    out: dict[str, dict[str, str]] = {}
    for t in ED.tables:
        cells = out.setdefault(t.sheet, {})
        for lb in (t.labels[0], t.labels[-1]):
            cells[lb.cell] = "1"
        for f in t.totals:
            cells[f.cell] = "999"
        for cell in balance_cells(t).values():
            cells[cell] = CHECK_OK
    cover = out.setdefault(ED.cover.sheet, {})
    cover[COVER["title"]["at"].split(":")[0]] = "x"
    cover[COVER["agency"]["label_at"]] = "x"
    for cell in status_cells().values():
        cover[cell] = COVER["pass_text"]
    return out


def open_targets() -> dict[str, dict[str, str]]:
    """One input per table, and the cover's agency and year."""
    out = {t.sheet: {t.inputs[0].cell: "7"} for t in ED.tables}
    out[ED.cover.sheet] = {COVER["agency"]["at"].split(":")[0]: "某某局", COVER["year"]["at"]: "2024"}
    return out


@libreoffice
@pytest.mark.parametrize("which", ["generated", "saved by LibreOffice"])
def test_locked_cells_refuse_typing_open_cells_accept(request, office, which):
    src = request.getfixturevalue("workbook") if which == "generated" else request.getfixturevalue("consistent").saved
    locked, open_ = locked_targets(), open_targets()
    # Interleave: refused entries must not disturb the accepted ones that follow.
    plan: dict[str, dict[str, str]] = {}
    for sheet in [ED.cover.sheet] + [t.sheet for t in ED.tables]:
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
@pytest.mark.parametrize("fee, ok", [("1.234567", True), ("1.2345678", False)])
def test_fee_takes_six_decimals(office, workbook, workdir, fee, ok):
    (f,) = [f for f in ED.fields if f.kind == "amount"]
    saved = workdir / f"fee-{fee}.xlsx"
    cover_cell = status_cells()["V-AMT"]
    # The fee, and one 0 in each other table (a wholly blank table is an error of its own: V-EMPTY).
    inputs = {f.key: float(fee)} | {t.inputs[0].key: 0.0 for t in ED.tables if t.key != f.table}
    read = {f.sheet: [f.cell], ED.cover.sheet: [cover_cell]}
    res = lo.fill(workbook, saved, typed(inputs), read=read, session=office)
    assert res.typed[(f.sheet, f.cell)]["changed"]
    assert res.value(f.sheet, f.cell) == float(fee)
    assert res.string(ED.cover.sheet, cover_cell) == COVER["pass_text" if ok else "fail_text"]

    raw = read_xlsx(saved)
    assert raw.sheet(f.sheet).cells[(f.row, f.col)].value == float(fee)
    report = govxl.check(saved)
    assert [x.rule for x in report.findings if x.severity == "error"] == ([] if ok else ["V-AMT"])
    if ok:
        assert report.values[f.key] == float(fee)


# ------------------------------------------------------------------ what survives the round trip
@libreoffice
def test_template_identity_survives(consistent):
    ident = {PROP_PREFIX + k: v for k, v in identity(ED).items()}
    names = {NAME_PREFIX + k: f'"{v}"' for k, v in identity(ED).items()}
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
    inputs = [f for f in ED.fields if not f.is_total]
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


def pages_by_sheet(pdf: Path) -> list[tuple[str, str]]:
    """(sheet, page text) per page: a page opens a sheet when it shows that sheet's title."""
    titles = {COVER["title"]["text"]: ED.cover.sheet} | {t.title: t.sheet for t in ED.tables}
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


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@libreoffice
@pytest.mark.parametrize("which", ["generated", "filled"])
def test_each_table_prints_one_page_wide(request, office, workdir, which):
    if lo.poppler_missing():
        if lo.in_ci():
            pytest.fail(lo.poppler_missing())
        pytest.skip(lo.poppler_missing())
    if which == "generated":
        pdf = lo.to_pdf(request.getfixturevalue("workbook"), workdir, session=office)
    else:
        pdf = request.getfixturevalue("consistent").pdf
    pages = pages_by_sheet(pdf)
    sizes = lo.pdf_info(pdf)["sizes"]
    assert [s for s, _ in pages] == [s for s, n in PAGES.items() for _ in range(n)]
    landscape = {ED.cover.sheet: False} | {t.sheet: t.landscape for t in ED.tables}
    for (sheet, _text), (w, h) in zip(pages, sizes, strict=True):
        assert round(min(w, h)) == 595 and round(max(w, h)) == 842, (w, h)  # A4
        assert (w > h) == landscape[sheet], (sheet, w, h)
    for t in ED.tables:
        first, last = edge_labels(t)
        texts = [squash(text) for sheet, text in pages if sheet == t.sheet]
        for text in texts:  # every page of the table spans its full width
            assert any(squash(x) in text for x in first) and any(squash(x) in text for x in last), t.sheet
        printed = "".join(texts)
        missing = [lb.text for lb in t.labels if squash(lb.text) not in printed]
        assert not missing, f"labels not printed on {t.sheet}: {missing}"
    cover = squash(next(text for sheet, text in pages if sheet == ED.cover.sheet))
    assert all(squash(COVER[k]["label"]) in cover for k in ("agency", "year", "format", "version"))
    assert squash(AGENCY) in cover

    # PNG previews, one per page; GOVXL_UPDATE_PREVIEWS=1 refreshes the ones shipped in docs/.
    pngs = lo.render_png(pdf, workdir, prefix=f"preview-{ED.id}-{which}", dpi=90)
    assert len(pngs) == len(pages)
    for png, (w, h) in zip(pngs, sizes, strict=True):
        pw, ph = png_size(png)
        assert (pw > ph) == (w > h) and abs(pw - w * 90 / 72) <= 2, (png, pw, ph)
    if which == "filled" and os.environ.get("GOVXL_UPDATE_PREVIEWS") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        for i, png in enumerate(pngs, start=1):
            shutil.copy(png, REPO / "docs" / f"preview-{ED.id}-{i}.png")


@libreoffice
def test_driver_reports_clear_errors(office, workbook):
    with pytest.raises(lo.LibreOfficeError, match="no sheet named 'no such sheet'"):
        lo.fill(workbook, None, {"no such sheet": {"A1": "1"}}, session=office)
    with pytest.raises(lo.LibreOfficeError, match="no such file"):
        lo.inspect(workbook.with_name("missing.xlsx"), sheets=True, session=office)
    # The session is still usable afterwards.
    assert lo.inspect(workbook, sheets=True, session=office).sheets == [ED.cover.sheet] + [t.sheet for t in ED.tables]


@libreoffice
def test_watchdog_kills_a_stuck_soffice_and_the_session_recovers(workbook):
    with lo.Session(timeout=1) as session:  # shorter than the job's own pause, whatever the machine
        with pytest.raises(lo.LibreOfficeError, match=r"timed out after 1 s") as err:
            session.run({"src": str(workbook), "actions": [{"op": "wait", "seconds": 3}, {"op": "sheets"}]})
        soffice = err.value.result["soffice"]
        with pytest.raises(ProcessLookupError):
            os.kill(soffice["pid"], 0)
        assert not Path(soffice["profile"]).exists()
        assert not any(os.path.exists(s) for s in soffice["sockets"])
        again = session.run({"src": str(workbook), "actions": [{"op": "version"}], "timeout": 120})
        assert again["results"][0]["version"].startswith("LibreOffice ")
        assert again["soffice"]["pid"] != soffice["pid"]


@libreoffice
def test_a_wedged_driver_is_killed_with_its_soffice(workbook):
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
def test_driver_runs_one_shot_from_the_command_line(workbook):
    job = {"src": str(workbook), "actions": [{"op": "version"}, {"op": "protection", "sheet": ED.cover.sheet}]}
    run = subprocess.run([lo.SYSTEM_PYTHON, str(lo.DRIVER), "-"], input=json.dumps(job), capture_output=True,
                         text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    res = json.loads(run.stdout)
    assert res["ok"] and res["results"][1]["protected"] is True
    assert not Path(res["soffice"]["profile"]).exists()
    bad = subprocess.run([lo.SYSTEM_PYTHON, str(lo.DRIVER), "-"], input='{"src": "/no/such.xlsx"}',
                         capture_output=True, text=True, timeout=180)
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"] == "DriverError: no such file: /no/such.xlsx"
