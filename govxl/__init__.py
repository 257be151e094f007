"""govxl: 政府信息公开工作年度报告 workbooks that check themselves.

The library: :func:`new` writes the locked official workbook of an edition,
:func:`check` reads one back and returns a :class:`~govxl.findings.Report`.
Heavy modules (xlsxwriter, openpyxl) are imported only when needed.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "check", "new"]


def new(path, edition: str = "2021", **kw):
    """Write a blank (or pre-filled) govxl workbook; see :func:`govxl.writer.write_workbook`."""
    from .spec import load_edition
    from .writer import write_workbook

    return write_workbook(path, load_edition(edition), **kw)


def check(path, **kw):
    """Check one workbook; see :func:`govxl.checker.check_file`."""
    from .checker import check_file

    return check_file(path, **kw)
