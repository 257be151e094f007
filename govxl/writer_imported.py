"""An imported report written as a govxl workbook: what `govxl import --to xlsx` writes (from a
govxl.importer.Imported), and the workbook a document's marked-up copy starts from (from the
document's check report alone: its `printed`, set where the report was made).

The inputs as published; each printed total stored as its formula's cached result, so that
`govxl check` reports every one that disagrees with its parts (I-TOTAL); the cells the import
could not read and the totals printed blank marked in the workbook's properties (`govxl check`
then says so instead of taking them for blanks). Its JSON is export's (govxl.export.imported_json).
"""

from __future__ import annotations

import os
from pathlib import Path

from .report.findings import Printed, Report
from .safefile import refuse_same_file
from .sources.workbook_identity import import_marks
from .spec import Edition, load_edition
from .writer import write_workbook


def write_imported_workbook(imp, path: str | os.PathLike, force: bool = False) -> Path:
    """Write `imp` (a govxl.importer.Imported) as a govxl workbook at `path`; never over the
    report it was read from."""
    refuse_same_file(path, imp.file)
    return write_printed(path, imp.edition, imp.printed(), agency=imp.agency, year=imp.year, force=force)


def write_report_workbook(report: Report, path: str | os.PathLike, force: bool = False) -> Path:
    """Write the check report of a document (`report.printed`, see govxl.sources.imported) as the
    workbook `govxl import` would write from it, without reading the document again."""
    if report.printed is None or report.edition is None:
        raise ValueError("a report not read from a document")
    refuse_same_file(path, report.file)
    return write_printed(path, load_edition(report.edition), report.printed, agency=report.agency,
                         year=report.year, force=force)


def write_printed(path: str | os.PathLike, ed: Edition, printed: Printed, *, agency: str | None, year: int | None,
                  force: bool = False) -> Path:
    """The one writer of both: `printed` as a govxl workbook of `ed` at `path`."""
    marks = import_marks({"unread": [ed.field(k) for k in printed.unread],
                          "blank_total": [ed.field(k) for k in printed.blank_total]})
    return write_workbook(path, ed, agency=agency or "", year=year, values=printed.inputs,
                          cached=printed.stated, comments=printed.notes, force=force, marks=marks)
