"""Findings and reports: plain data that the CLI renders as a table or as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalogue import CATALOGUE, KIND_TEXT, REASONS, SEVERITIES, params_data, say, shown
from ..numbers import show as _fmt

_KIND_EN = dict(KIND_TEXT.values())  # what a value should be: the Chinese text -> the English one


class Quoted(str):
    """A text read from a file, shown between quote marks (“abc”); as data (JSON) it is the text alone."""

    def __new__(cls, text: str, shown: str | None = None) -> Quoted:
        obj = super().__new__(cls, f"“{text}”" if shown is None else shown)
        obj.text = text
        return obj

    def __reduce__(self):
        return (Quoted, (self.text, str(self)))


def data(v: Any) -> Any:
    """`expected` or `actual` as JSON data: a quoted text without its quote marks, a whole float as an int."""
    if isinstance(v, Quoted):
        return v.text
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    sheet: str = ""
    cell: str = ""
    row_label: str = ""
    col_label: str = ""
    expected: Any = None
    actual: Any = None
    # Text quoted from the file itself (a sentence of the report, a file name): data, never prose
    # of govxl's own; that is `reason`.
    detail: str = ""
    # Why, as data: a code of govxl.catalogue.REASONS and its parameters ((name, value), ...);
    # the text ({detail} in the rule's template) is made when the finding is shown, in zh or en.
    # `expected` and `actual` may be a catalogue Phrase or Join too, shown in the same language.
    reason: str = ""
    params: tuple = ()
    # The one cell whose change would make every broken rule hold (govxl.judge.likely), if unique.
    likely_cell: str = ""

    @classmethod
    def of(cls, rule: str, **kw: Any) -> Finding:
        """A finding with the catalogue's severity for `rule` (`params` may be given as a dict)."""
        if isinstance(kw.get("params"), dict):
            kw["params"] = tuple(kw["params"].items())
        if kw.get("reason") and kw["reason"] not in REASONS:
            raise KeyError(f"no reason {kw['reason']!r} in govxl.catalogue.REASONS")
        return cls(rule=rule, severity=kw.pop("severity", CATALOGUE[rule].severity), **kw)

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell

    def message(self, lang: str = "zh") -> str:
        info = CATALOGUE[self.rule]
        template = info.en if lang == "en" else info.zh
        detail = say(self.reason, lang, dict(self.params)) if self.reason else self.detail
        text = template.format(
            sheet=self.sheet, cell=self.cell, row=self.row_label, col=self.col_label,
            expected=_fmt(self.shown("expected", lang)), actual=_fmt(self.shown("actual", lang)), detail=detail,
        )
        if self.likely_cell:
            text += say("likely-cell", lang, {"cell": self.likely_cell})
        return text

    def shown(self, name: str, lang: str = "zh") -> Any:
        """`expected` or `actual` as shown in `lang`: a number stays a number, a text is made in `lang`."""
        v = shown(getattr(self, name), lang)
        return _KIND_EN.get(v, v) if lang == "en" and isinstance(v, str) else v

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "row_label": self.row_label,
            "col_label": self.col_label,
            "expected": data(self.shown("expected", lang)),
            "actual": data(self.shown("actual", lang)),
            "message": self.message(lang),
            "reason": self.reason or None,
            "params": params_data(self.params),
            **({"likely_cell": self.likely_cell} if self.likely_cell else {}),
        }


@dataclass(frozen=True)
class Unverified:
    """A rule that could not be verified: it needs cells that are unknown or known only in a sum."""

    rule: str
    sheet: str
    cells: str  # the rule's cells, as a finding of that rule would name them
    label: str  # the row (a sum) or the equation (a balance)
    blocked_by: tuple[str, ...]  # the cells that stopped it (A1 names on `sheet`)
    why: str = "unknown"  # unknown | in_sum

    def message(self, lang: str = "zh") -> str:
        name = CATALOGUE[self.rule].title_en if lang == "en" else CATALOGUE[self.rule].title_zh
        reason = "not-verified-sum" if self.why == "in_sum" else "not-verified"
        return say(reason, lang, {"rule": name, "row": self.label, "cells": ",".join(self.blocked_by)})

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"rule": self.rule, "sheet": self.sheet, "cells": self.cells, "blocked_by": list(self.blocked_by),
                "message": self.message(lang)}


@dataclass(frozen=True)
class Printed:
    """A report read from a document, as `govxl import` writes it in a workbook (its marked copy
    starts from that workbook): the inputs and the totals as printed (a total may disagree with its
    parts), the import's remark on a cell (a converted unit, a total that disagrees), the cells it
    could not read and the totals printed blank. Plain data, keyed (table, row_key, col_key)."""

    inputs: dict[tuple[str, str, str], float] = field(default_factory=dict)
    stated: dict[tuple[str, str, str], float] = field(default_factory=dict)
    notes: dict[tuple[str, str, str], str] = field(default_factory=dict)
    unread: tuple[tuple[str, str, str], ...] = ()
    blank_total: tuple[tuple[str, str, str], ...] = ()


@dataclass
class Report:
    """The result of checking one workbook."""

    file: str
    edition: str | None = None
    template_version: int | None = None
    agency: str | None = None
    year: int | None = None
    findings: list[Finding] = field(default_factory=list)
    # Every field's value (inputs as read, totals recomputed), keyed (table, row_key, col_key).
    values: dict[tuple[str, str, str], float] = field(default_factory=dict, repr=False)
    # A report read from a document, not a workbook (govxl.sources): its format (docx, pdf, ...)
    # and the rules that did not apply to it.
    source: str | None = None
    not_applied: tuple[str, ...] = ()
    # A report read from a document: what its marked copy holds (govxl.writer_imported).
    printed: Printed | None = field(default=None, repr=False)
    # A workbook written by `govxl import`: the numbers as the report published them (None where
    # it printed a blank or the import read nothing), which `govxl export` gives instead of 0.
    published: dict[tuple[str, str, str], float | None] | None = field(default=None, repr=False)
    # The rules that could not be verified (govxl.judge), and each rule instance's outcome:
    # (rule, sheet, cells, held | broken | not_verified).
    unverified: list[Unverified] = field(default_factory=list)
    outcomes: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)
    # Cells that are not a number: blank | na | unknown | in_sum; and the published sums
    # ((cells, figure): a group of rows printed as one row).
    states: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)
    sums: list[tuple[tuple[tuple[str, str, str], ...], float]] = field(default_factory=list, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        c = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            c[f.severity] += 1
        return c

    def ok(self, strict: bool = False) -> bool:
        c = self.counts
        return c["error"] == 0 and (not strict or (c["warning"] == 0 and not self.unverified))

    @property
    def verdict(self) -> str:
        """passed | failed (an error) | not_verified (no error, but a rule could not be verified)."""
        if self.counts["error"]:
            return "failed"
        return "not_verified" if self.unverified else "passed"

    def verdict_line(self, lang: str = "zh", strict: bool = False) -> str:
        return verdict(self.counts, self.ok(strict), lang, len(self.unverified))

    def to_dict(self, lang: str = "zh", strict: bool = False) -> dict[str, Any]:
        doc = {
            "file": self.file,
            "edition": self.edition,
            "template_version": self.template_version,
            "agency": self.agency,
            "year": self.year,
            "ok": self.ok(strict),
            "verdict": self.verdict,
            "counts": self.counts,
            "findings": [f.to_dict(lang) for f in self.findings],
            "not_verified": [u.to_dict(lang) for u in self.unverified],
        }
        if self.source:
            doc["source"] = self.source
            doc["not_applied"] = list(self.not_applied)
        return doc


def verdict(counts: dict[str, int], ok: bool, lang: str, unverified: int = 0) -> str:
    """The verdict line as printed: 通过（1 个警告） / 不通过：2 个错误 / passed / failed (2 errors);
    with rules not verified: 通过（2 条规则未能核对，1 个警告） / passed, 2 rules not verified (1 warning)."""
    if lang == "en":
        parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "info") if counts[k]]
        nv = f"{unverified} rule{'s' if unverified != 1 else ''} not verified" if unverified else ""
        if ok:
            return "passed" + (f", {nv}" if nv else "") + (f" ({', '.join(parts)})" if parts else "")
        return "failed" + (f" ({', '.join(([nv] if nv else []) + parts)})" if parts or nv else "")
    parts = [f"{counts[k]} 个{n}" for k, n in (("error", "错误"), ("warning", "警告"), ("info", "提示")) if counts[k]]
    if unverified:
        parts.insert(0, f"{unverified} 条规则未能核对")
    if ok:
        return "通过" + (f"（{'，'.join(parts)}）" if parts else "")
    return "不通过：" + "，".join(parts)
