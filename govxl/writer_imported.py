"""An imported report (govxl.importer.Imported, plain data) written as a govxl workbook: what
`govxl import --to xlsx` writes, and the workbook a document's marked-up copy starts from.

The inputs as published; each printed total stored as its formula's cached result, so that
`govxl check` reports every one that disagrees with its parts (I-TOTAL); the cells the import
could not read and the totals printed blank marked in the workbook's properties (`govxl check`
then says so instead of taking them for blanks). Its JSON is export's (govxl.export.imported_json).
"""

from __future__ import annotations

import os
from pathlib import Path

from .safefile import refuse_same_file
from .sources.workbook_identity import import_marks
from .writer import write_workbook


def write_imported_workbook(imp, path: str | os.PathLike, force: bool = False) -> Path:
    """Write `imp` (a govxl.importer.Imported) as a govxl workbook at `path`; never over the
    report it was read from."""
    refuse_same_file(path, imp.file)
    ed = imp.edition
    unread = [f for f in ed.fields if f.key not in imp.values]
    blank = [ed.field(k) for k, (printed, _) in imp.total_checks().items() if printed is None]
    blank += [f for f in ed.fields if f.is_total and f.key in imp.values and imp.values[f.key] is None
              and f.key not in imp.total_checks()]
    return write_workbook(path, ed, agency=imp.agency or "", year=imp.year, values=imp.inputs,
                          cached=imp.stated, comments=imp.notes, force=force,
                          marks=import_marks({"unread": unread, "blank_total": blank}))
