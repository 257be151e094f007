"""The outputs of `check --annotate` and `--report` in the programs people open them with:
the marked-up copy in LibreOffice Calc (tests/libreoffice.py), the report in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from cli import run

import govxl
from govxl.spec import load_edition, load_outputs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nanguan-2023-inconsistent.xlsx"
T3 = "三、收到和处理政府信息公开申请情况"
BAL_CELLS = ["D5", "D6", "D28", "D29", "J5", "J6", "J28", "J29"]
OTHER_CELLS = ["E5", "D7", "J7"]
FILLS = load_outputs()["annotate"]["fills"]


def findings(path) -> list[dict]:
    """The findings, less S-BOOK: LibreOffice 7.4 drops the workbook's structure lock when it saves
    an .xlsx (tests/test_libreoffice.py shows it), so every file it saved has that warning."""
    return [f.to_dict() for f in govxl.check(path).findings if f.rule != "S-BOOK"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("annotated")
    res = run("check", EXAMPLE, "--annotate", d / "out", "--report", d / "r.html")
    assert res.returncode == 1, res.stderr
    return d / "out" / EXAMPLE.name, d / "r.html"


@pytest.mark.libreoffice(uno=True)
def test_the_copy_in_libreoffice_keeps_marks_values_and_protection_through_a_save(outputs, tmp_path):
    from libreoffice import Session, fill

    copy, _ = outputs
    ed = load_edition("2021")
    sheets = [ed.cover.sheet] + [t.sheet for t in ed.tables]
    inputs = {t.sheet: [f.cell for f in t.fields] for t in ed.tables}
    read = {s: sorted(set(cells) | (set(BAL_CELLS + OTHER_CELLS) if s == T3 else set())) for s, cells in inputs.items()}
    with Session() as lo:
        orig = fill(EXAMPLE, None, {}, read=read, session=lo)
        saved = tmp_path / "saved.xlsx"
        seen = fill(copy, saved, {}, read=read, protection=[*sheets, load_outputs()["annotate"]["sheet"]],
                    sheets=True, session=lo)
        after = fill(saved, None, {}, read=read, session=lo)
    assert seen.sheets[0] == load_outputs()["annotate"]["sheet"] and seen.sheets[1:] == sheets
    assert all(seen.protected.values())
    for res in (seen, after):  # as opened, and after LibreOffice saved it
        for c in BAL_CELLS:
            cell = res.cells[(T3, c)]
            assert "T3-BAL" in cell["comment"], (c, cell)
            assert cell["fill"] == int(FILLS["error"][1:], 16)
        for c in OTHER_CELLS:
            assert res.cells[(T3, c)]["comment"] == ""
    for key, cell in orig.cells.items():  # the same values (and locking) as the original, cell for cell
        assert (seen.cells[key]["value"], seen.cells[key]["string"], seen.cells[key]["locked"]) == \
            (cell["value"], cell["string"], cell["locked"]), key
    assert findings(saved) == findings(EXAMPLE)
    # the links of the findings list still lead to the cells once LibreOffice has saved the file
    import openpyxl

    ws = openpyxl.load_workbook(saved)[load_outputs()["annotate"]["sheet"]]
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink is not None]
    assert links == [f"'{T3}'!D5", f"'{T3}'!J5"]


@pytest.mark.libreoffice(uno=True)
def test_fixing_the_marked_cell_in_libreoffice_makes_the_copy_pass(outputs, tmp_path):
    from libreoffice import fill

    copy, _ = outputs
    fixed = tmp_path / "fixed.xlsx"
    res = fill(copy, fixed, {T3: {"D5": 10}}, read={T3: ["D5", "J5", "J28"]})
    assert res.value(T3, "J5") == 10
    assert findings(fixed) == []
    assert run("check", fixed).returncode == 0


@pytest.mark.chromium
def test_the_report_in_chromium_marks_each_finding_cell_with_its_code(outputs, tmp_path):
    from chromium import dump_dom, screenshot

    copy, page = outputs
    soup = BeautifulSoup(dump_dom(page), "html.parser")
    report = govxl.check(EXAMPLE)
    t3 = soup.find("table", attrs={"data-sheet": T3})
    for f in report.findings:
        for cell in f.cell.split(","):
            td = t3.find("td", attrs={"data-cell": cell})
            assert td is not None and f.rule in td["data-codes"].split(), cell
            assert f.rule in td.get_text()
    assert len(soup.select("td[data-codes]")) == len(BAL_CELLS)
    assert len(soup.select("table.summary tbody tr")) == 1
    # the summary links to the file's part and to the marked-up copy, which exists
    hrefs = [a["href"] for a in soup.select("table.summary a")]
    assert soup.find(id=hrefs[0][1:]) is not None
    assert (page.parent / hrefs[1]).resolve() == copy.resolve()
    png = screenshot(page, tmp_path / "r.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_a_missing_browser_is_a_skip_locally_and_an_error_in_ci(monkeypatch, tmp_path):
    import chromium

    monkeypatch.setenv("GOVXL_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert chromium.chromium_path() is None
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true"):
        chromium.require_chromium()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        chromium.require_chromium()


@pytest.mark.chromium
def test_the_report_prints_on_a4_with_each_file_from_a_new_page(tmp_path):
    import shutil

    from chromium import print_pdf
    from libreoffice import pdf_info, pdf_page_texts, poppler_missing

    if poppler_missing():
        pytest.skip(poppler_missing())
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "a.xlsx")
    shutil.copy(ROOT / "examples" / "nanguan-2023.xlsx", folder / "b.xlsx")
    assert run("check", folder, "--report", tmp_path / "r.html").returncode == 1
    pdf = print_pdf(tmp_path / "r.html", tmp_path / "r.pdf")
    info = pdf_info(pdf)
    assert all(abs(w - 595) < 2 and abs(h - 842) < 2 for w, h in info["sizes"]), info["sizes"]  # A4 portrait
    pages = [" ".join(t.split()) for t in pdf_page_texts(pdf)]
    starts = [next(i for i, t in enumerate(pages) if f"{n}. {folder / name}" in t) for n, name in ((1, "a.xlsx"), (2, "b.xlsx"))]
    assert 0 < starts[0] < starts[1]  # the summary, then each file from a new page
    for n, i in enumerate(starts, start=1):
        assert pages[i].startswith(f"{n}. "), pages[i][:80]  # nothing of the file before it on its first page
    assert "T3-BAL" in " ".join(pages[starts[0]:starts[1]]) and "T3-BAL" not in " ".join(pages[starts[1]:])
