"""openpyxl is the reference reader: the lean reader must give the same report on every workbook."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from helpers import NANGUAN_2023, fill_openpyxl, values

import govxl
from govxl.checker import check_file
from govxl.reader_openpyxl import read_xlsx_openpyxl
from govxl.spec import load_edition

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
T3 = "三、收到和处理政府信息公开申请情况"


def variants(tmp: Path) -> list[Path]:
    ed = load_edition("2021")
    out = [EXAMPLES / "nanguan-2023.xlsx", EXAMPLES / "nanguan-2023-inconsistent.xlsx"]
    for e in ("2021", "2019"):
        out.append(govxl.new(tmp / f"blank{e}.xlsx", edition=e, agency="甲", year=2021))
    good = fill_openpyxl(out[-2], tmp / "filled.xlsx", ed, values(ed, NANGUAN_2023))
    out.append(good)
    edits = {
        "text": lambda wb: wb[T3].__setitem__("E7", "１２"),
        "constant": lambda wb: wb[T3].__setitem__("J5", 12),
        "label": lambda wb: wb[T3].__setitem__("C13", "5.属于三类内容事务信息"),
        "unmerged": lambda wb: wb[T3].unmerge_cells("B9:B16"),
        "unprotected": lambda wb: setattr(wb[T3].protection, "sheet", False),
        "renamed": lambda wb: setattr(wb[T3], "title", "表三"),
        "negative": lambda wb: wb[T3].__setitem__("E7", -1),
        "blank": lambda wb: wb[T3].__setitem__("E7", None),
    }
    for name, edit in edits.items():
        wb = openpyxl.load_workbook(good)
        edit(wb)
        wb.save(tmp / f"{name}.xlsx")
        out.append(tmp / f"{name}.xlsx")
    return out


def test_both_readers_give_the_same_report(tmp_path):
    for path in variants(tmp_path):
        lean = check_file(path)
        ref = check_file(path, reader=read_xlsx_openpyxl)
        assert lean.findings == ref.findings, path.name
        assert lean.values == pytest.approx(ref.values), path.name
        assert (lean.edition, lean.agency, lean.year) == (ref.edition, ref.agency, ref.year)
