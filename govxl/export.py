"""Export checked workbooks as data: tidy CSV (one value per line) and JSON.

Every value is keyed by the edition spec's stable semantic keys (table, row_key, col_key),
which mean the same thing in every edition, and carries the official labels beside them.
A workbook that fails its check is still exported, flagged ``ok = false``; values that could
not be read (a V-INT / V-AMT error, a missing sheet) are exported as empty/null rather than
as a made-up 0, and so is every total that depends on one of them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import UsageError
from .judge.rules import Key
from .numbers import show, tidy
from .report.findings import Report
from .safefile import atomic_write, prepare_output, safe_text
from .session import Checked, error_dict
from .spec import Edition, Field, load_edition
from .version import __version__

EXPORT_FORMAT = 1
CSV_COLUMNS = ("file", "agency", "year", "edition", "ok", "table", "row_key", "row_label", "col_key",
               "col_label", "value", "is_total", "state")
UNUSABLE = ("V-INT", "V-AMT")
NO_NUMBER = ("unknown", "in_sum")




# ------------------------------------------------------------------ inputs
def load(paths: Iterable[str | os.PathLike], jobs: int | None = 1) -> list[Checked]:
    """Check every file (a session of `jobs` processes; None: one per core), keeping the values;
    a file that cannot be checked is a result with `error`."""
    from .session import check_many

    return list(check_many(list(paths), jobs, keep_values=True))


# ------------------------------------------------------------------ values
def usable_values(report: Report, edition: Edition) -> dict[Key, int | float | None]:
    """The report's values, with None where the workbook holds no usable number: an input with a
    V-INT / V-AMT error, every field of a missing sheet, and any total that sums one of those."""
    bad = {(f.sheet, f.cell) for f in report.findings if f.rule in UNUSABLE}
    # A cell not read, or known only as part of a printed sum (govxl.judge): no number of its own.
    bad |= {(edition.field(k).sheet, edition.field(k).cell) for k, s in report.states.items() if s in NO_NUMBER}
    if report.published is not None:
        # A workbook written by govxl import: the numbers as published, a blank or unread cell null.
        return {f.key: None if (f.sheet, f.cell) in bad else tidy(report.published.get(f.key))
                for f in edition.fields}
    missing = {f.sheet for f in report.findings if f.rule == "S-SHEET"}
    out: dict[Key, int | float | None] = {}

    def value(f: Field) -> int | float | None:
        if f.key in out:
            return out[f.key]
        if f.sheet in missing or (not f.is_total and (f.sheet, f.cell) in bad):
            v = None
        elif (f.sheet, f.cell) in bad:
            v = None
        elif f.is_total and any(value(edition.field((f.table, *p))) is None for p in f.parts):
            v = None
        else:
            v = tidy(report.values.get(f.key))
        out[f.key] = v
        return v

    for f in edition.fields:
        value(f)
    return out


def labels(edition: Edition) -> dict[str, Any]:
    """The official labels of every field, in official order: the data dictionary of an edition."""
    return {
        "name": edition.name,
        "document": edition.document,
        "tables": {
            t.key: {
                "title": t.title,
                "fields": [{"row_key": f.row_key, "col_key": f.col_key, "row_label": f.row_label,
                            "col_label": f.col_label, "kind": f.kind, "is_total": f.is_total}
                           for f in t.fields],
            }
            for t in edition.tables
        },
    }


# ------------------------------------------------------------------ JSON
def report_json(item: Checked, lang: str = "zh") -> dict[str, Any]:
    if item.report is None:
        return {"file": str(item.path), "ok": False, "error": error_dict(item.error, lang)}
    rep = item.report
    ed = load_edition(rep.edition)
    vals = usable_values(rep, ed)
    tables: dict[str, dict[str, dict[str, int | float | None]]] = {}
    for f in ed.fields:
        tables.setdefault(f.table, {}).setdefault(f.row_key, {})[f.col_key] = vals[f.key]
    doc = rep.to_dict()
    out = {
        "file": str(item.path), "agency": rep.agency, "year": rep.year, "edition": rep.edition,
        "template_version": rep.template_version, "ok": doc["ok"], "verdict": doc["verdict"],
        "counts": doc["counts"], "findings": doc["findings"], "not_verified": doc["not_verified"], "tables": tables,
    }
    out.update(states_json(rep))
    return out


def states_json(rep: Report) -> dict[str, Any]:
    """Beside "tables": the state of each cell that is not a number (blank | na | unknown | in_sum),
    and the sums a report printed for cells it did not print one by one."""
    out: dict[str, Any] = {}
    states: dict[str, dict[str, dict[str, str]]] = {}
    for (t, r, c), s in sorted(rep.states.items()):
        states.setdefault(t, {}).setdefault(r, {})[c] = s
    if states:
        out["states"] = states
    if rep.sums:
        out["sums"] = [{"cells": [{"table": t, "row_key": r, "col_key": c} for t, r, c in cells], "value": tidy(v)}
                       for cells, v in rep.sums]
    return out


def to_json(items: list[Checked], lang: str = "zh") -> dict[str, Any]:
    """One document for any number of reports (the same shape for one as for hundreds);
    the message of an unreadable file's error in `lang`."""
    editions = sorted({i.report.edition for i in items if i.report is not None})
    return {
        "govxl_export": EXPORT_FORMAT,
        "generator": f"govxl {__version__}",
        "labels": {e: labels(load_edition(e)) for e in editions},
        "reports": [report_json(i, lang) for i in items],
    }


def json_text(items: list[Checked], lang: str = "zh") -> str:
    return json.dumps(to_json(items, lang), ensure_ascii=False, indent=2) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of :func:`to_json` documents (shipped as govxl/schema/export.schema.json)."""
    text = resources.files("govxl").joinpath("schema/export.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


# ------------------------------------------------------------------ CSV
def csv_rows(items: list[Checked]) -> Iterable[list[Any]]:
    """Tidy long form: one value per row, CSV_COLUMNS; unreadable files contribute no rows."""
    for item in items:
        rep = item.report
        if rep is None:
            continue
        ed = load_edition(rep.edition)
        vals = usable_values(rep, ed)
        head = [safe_text(str(item.path)), safe_text(rep.agency), "" if rep.year is None else rep.year,
                rep.edition, "true" if rep.ok() else "false"]
        for f in ed.fields:
            # the cell's state (govxl.judge): number, or blank / na / unknown / in_sum; a total
            # without a number (one of its parts not read) is unknown
            state = rep.states.get(f.key) or ("number" if vals[f.key] is not None else "unknown")
            yield [*head, f.table, f.row_key, safe_text(f.row_label), f.col_key, safe_text(f.col_label),
                   show(vals[f.key]), "true" if f.is_total else "false", state]


def csv_text(items: list[Checked]) -> str:
    """UTF-8 text with a BOM (so Excel and WPS open it as UTF-8), CRLF line ends, a header row."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    w.writerows(csv_rows(items))
    return "\ufeff" + buf.getvalue()


def export_text(items: list[Checked], to: str, lang: str = "zh") -> str:
    if to == "json":
        return json_text(items, lang)
    if to == "csv":
        return csv_text(items)
    raise UsageError(code="U-EXPORT-FORMAT", to=to)


def write_export(items: list[Checked], to: str, out: str | os.PathLike, lang: str = "zh") -> Path:
    """Write the export to `out` (through a temporary file); never over one of the inputs."""
    path = prepare_output(out, force=True, suffix="." + to, inputs=tuple(i.path for i in items))
    data = export_text(items, to, lang).encode("utf-8")
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    return path


# ------------------------------------------------------------------ an imported report (govxl import --to json)
def imported_json(imp, lang: str = "zh") -> dict[str, Any]:
    """The `govxl export --to json` document (govxl/schema/export.schema.json) of a report read by
    `govxl import` (a govxl.importer.Imported): the numbers as published, null for a cell printed
    blank or not read (never a made-up 0), a total as printed; where a total was printed blank or
    disagrees with its parts, the sum of its parts beside it, under "recomputed"."""
    rep = imp.to_report()
    doc = to_json([Checked(Path(imp.file), report=rep)])
    out = doc["reports"][0]
    if lang != "zh":
        out["findings"] = [f.to_dict(lang) for f in rep.findings]
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for f in imp.edition.fields:
        tables.setdefault(f.table, {}).setdefault(f.row_key, {})[f.col_key] = imp.values.get(f.key)
    out["tables"] = tables
    recomputed: dict[str, dict[str, dict[str, Any]]] = {}
    for key, (printed, parts) in imp.total_checks().items():
        if (printed is None and parts != 0) or (printed is not None and abs(printed - parts) > 1e-7):
            t, r, c = key
            recomputed.setdefault(t, {}).setdefault(r, {})[c] = parts
    if recomputed:
        out["recomputed"] = recomputed
    return doc


def imported_text(imp, lang: str = "zh") -> str:
    return json.dumps(imported_json(imp, lang), ensure_ascii=False, indent=2)


def write_imported(imp, path: str | os.PathLike, force: bool = False, lang: str = "zh") -> Path:
    """`imported_text` written atomically to `path` (a .json file; never over the report read)."""
    out = prepare_output(path, force, suffix=".json", inputs=(imp.file,))
    text = imported_text(imp, lang) + "\n"
    atomic_write(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return out
