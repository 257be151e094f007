"""govxl: 政府信息公开工作年度报告 workbooks that check themselves.

The library: :func:`new` writes the locked official workbook of an edition, :func:`check` reads
one back (or a Word, PDF, .xls … report in the official layout) and returns a
:class:`~govxl.report.findings.Report`, :func:`check_many` checks many files in parallel and yields one
:class:`~govxl.session.Checked` per file, in the order found.
Heavy modules (xlsxwriter, openpyxl) are imported only when needed: `import govxl` stays cheap.
"""

from __future__ import annotations

import os

from .version import __version__

__all__ = ["__version__", "check", "check_many", "new"]


def new(path, edition: str = "2021", **kw):
    """Write a blank (or pre-filled) govxl workbook; see :func:`govxl.writer.write_workbook`."""
    from .spec import load_edition
    from .writer import write_workbook

    return write_workbook(path, load_edition(edition), **kw)


def check(path, previous=None, children=None):
    """Check one report and return its :class:`~govxl.report.findings.Report` (``report.ok()``,
    ``report.findings``, ``report.to_dict()``).

    `path`: a govxl workbook (.xlsx) or a report in the official layout (.docx, .xls, .ods, .pdf,
    an HTML page …). `previous`: last year's report (a file), or a folder holding last year's
    reports (paired by agency and year): adds the cross-year findings (X-CARRY, …). `children`:
    a folder, a file or a list of them holding the reports this summary should be the sum of:
    adds the ROLL findings. Raises :class:`govxl.errors.GovxlError` (a ReadError for a file that
    cannot be read: ``err.code``, ``err.text("en")``; a UsageError for impossible arguments).
    Any other exception is a bug of govxl and propagates (:func:`check_many` turns it into that
    file's R-UNEXPECTED error instead, so that one file never ends a run).
    """
    from .sources import check_path

    extras = _extras(previous, children, [path])
    report = check_path(path)
    if extras:
        report.findings += extras(report)
    return report


def check_many(paths, jobs=None, previous_dir=None, children=None, *, keep_values=False, previous=None,
               after=None):
    """Check every file under `paths` (files or folders: every .xlsx, .docx, .pdf … in them and
    their subfolders, as ``govxl check`` finds them); return a generator of one
    :class:`~govxl.session.Checked` per file, in the order found: ``.path``, and either ``.report``
    or ``.error`` (the :class:`~govxl.errors.GovxlError` that stopped that file; an unreadable file
    never ends the run).

    `jobs` processes check in parallel (default: one per core; 1: in this process). With
    `previous_dir`, each report is compared with last year's report of the same agency found in
    that folder; with `previous` (a file; one report in `paths`), with that report; with
    `children` (one summary report in `paths`), with the sum of its children. Reports come
    without their cell values unless `keep_values` (results stay small, so a run over ten
    thousand files holds one report at a time). `after(path, report)` runs where each report was
    checked, while it still has its values (``govxl check --annotate/--report`` write there);
    what it returns is that file's ``.done`` (it should return its failures rather than raise; an
    exception it raises is returned). It must be picklable where workers are spawned, not forked.

    What makes the whole run impossible (a bad `previous`, both `previous` and `previous_dir`)
    raises :class:`govxl.errors.GovxlError` here, before any file is checked; last year's folder
    is read here too. Stop early by closing the generator.
    """
    from .files import find_documents
    from .session import check_many as run

    files = find_documents([paths] if isinstance(paths, (str, os.PathLike)) else paths, keep_unfound=True)
    extras = None
    if previous is not None or previous_dir is not None or children:
        from .crossyear import Previous
        from .extras import Extras

        prev = Previous.open(previous, previous_dir, checking=files, jobs=jobs)
        extras = Extras(prev, children) or None
    return run(files, jobs, extras=extras, keep_values=keep_values, after=after)


def _extras(previous, children, checking):
    """The :class:`~govxl.extras.Extras` of `previous` (a file or a folder) and `children`, or None."""
    if previous is None and not children:
        return None
    from .crossyear import Previous
    from .extras import Extras

    as_dir = os.path.isdir(previous) if previous is not None else False
    prev = Previous.open(None if as_dir else previous, previous if as_dir else None, checking=checking)
    return Extras(prev, children) or None
