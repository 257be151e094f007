"""The model of an edition spec: frozen dataclasses for tables, labels, fields, sums and the report."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..a1 import cell_name, parse_cell, range_name, ranges

__all__ = ["CHECK_BAD", "CHECK_OK", "KINDS", "RULE_KINDS", "Balance", "Cover", "CrossYear", "Edition", "Field", "Figure",
           "Label", "Mention", "ReportLayout", "Section", "Sum", "Table"]

KINDS = ("count", "amount", "signed")
CHECK_OK, CHECK_BAD = "✓", "✗"
RULE_KINDS = {"count": "V-INT", "signed": "V-INT", "amount": "V-AMT"}


@dataclass(frozen=True)
class Label:
    """An official label: text at the top-left of an (optionally merged) range."""

    row: int
    col: int
    last_row: int
    last_col: int
    text: str

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)

    @property
    def ref(self) -> str:
        return range_name(self.row, self.col, self.last_row, self.last_col)

    @property
    def merged(self) -> bool:
        return (self.row, self.col) != (self.last_row, self.last_col)

    def covers(self, row: int, col: int) -> bool:
        return self.row <= row <= self.last_row and self.col <= col <= self.last_col


@dataclass(frozen=True)
class Field:
    """One data cell of an official table."""

    table: str
    row_key: str
    col_key: str
    sheet: str
    row: int
    col: int
    kind: str
    row_label: str
    col_label: str
    span: tuple[int, int, int, int] | None = None
    # For a total cell: the fields it sums and the rule that checks the sum.
    parts: tuple[tuple[str, str], ...] = ()
    rule: str | None = None
    unit: str = ""  # printed unit of an amount, for prompts (the official label may print none)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table, self.row_key, self.col_key)

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)

    @property
    def is_total(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class Sum:
    """A total line of a block: `total` = sum of `parts`, along `axis`, for each key in `across`.

    axis "row": a total row; parts and total are row keys, `across` the block's column keys.
    axis "col": a total column; parts and total are column keys, `across` the row keys.
    """

    rule: str
    table: str
    axis: str
    total: str
    parts: tuple[str, ...]
    across: tuple[str, ...]

    def cells(self, other: str) -> tuple[tuple[str, str], tuple[tuple[str, str], ...]]:
        """(total field key, part field keys) for one row/column `other` across the sum."""
        if self.axis == "row":
            return (self.total, other), tuple((p, other) for p in self.parts)
        return (other, self.total), tuple((other, p) for p in self.parts)


@dataclass(frozen=True)
class Balance:
    """An identity `sum(left rows) == sum(right rows)`, checked per column."""

    rule: str
    table: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    cols: tuple[str, ...]
    show_row: int
    show_label: str


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    title: str
    origin: tuple[int, int]
    size: tuple[int, int]
    widths: tuple[float, ...]
    landscape: bool
    header_rows: int
    labels: tuple[Label, ...]
    merges: tuple[tuple[int, int, int, int], ...]
    fields: tuple[Field, ...]
    balances: tuple[Balance, ...]
    sums: tuple[Sum, ...] = ()

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        r, c = self.origin
        return r, c, r + self.size[0] - 1, c + self.size[1] - 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(f.row_key, f.col_key): f for f in self.fields})

    def field(self, row_key: str, col_key: str) -> Field:
        return self._index[(row_key, col_key)]  # type: ignore[attr-defined]

    def sum_formula(self, f: Field) -> str:
        """The formula of a total cell, e.g. SUM(D6:D26), without the leading '='."""
        cells = [parse_cell(self.field(*p).cell) for p in f.parts]
        return "SUM(" + ranges(cells) + ")"

    def balance_formula(self, b: Balance, col: str) -> str:
        """The live check cell of a balance for one column: ✓ when it holds, ✗ when not."""
        side = lambda rows: "+".join(self.field(r, col).cell for r in rows)  # noqa: E731
        return f'IF({side(b.left)}={side(b.right)},"{CHECK_OK}","{CHECK_BAD}")'

    @property
    def inputs(self) -> list[Field]:
        return [f for f in self.fields if not f.is_total]

    @property
    def totals(self) -> list[Field]:
        return [f for f in self.fields if f.is_total]


@dataclass(frozen=True)
class Cover:
    sheet: str
    widths: tuple[float, ...]
    raw: dict = field(hash=False, compare=False)


@dataclass(frozen=True)
class CrossYear:
    """A relation between this year's report and last year's, checked line by line.

    For every line (a column key when `each` is "col", a row key when it is "row"):
    this year's `this` = last year's `last` + this year's `plus` − this year's `minus`, where
    `this`, `last`, `plus`, `minus` are keys on the other axis. Keys are semantic, so last
    year's report may be of another edition: the relation holds wherever both have the keys.
    `prefill`: `govxl new --from` copies last year's figures into this year's cells.
    """

    rule: str
    table: str
    each: str
    this: str
    last: str
    plus: tuple[str, ...]
    minus: tuple[str, ...]
    lines: tuple[str, ...]
    prefill: bool = False

    def key(self, fixed: str, line: str) -> tuple[str, str, str]:
        """The field key of row/column `fixed` on `line`."""
        return (self.table, line, fixed) if self.each == "row" else (self.table, fixed, line)


@dataclass(frozen=True)
class Section:
    """A section of the published report, in official order: free text, or one of the tables."""

    key: str
    heading: str
    table: str | None = None

    @property
    def ordinal(self) -> str:
        """The heading's number ('一' of '一、……'): how a heading in a clerk's text file is matched."""
        return self.heading.split("、", 1)[0]


@dataclass(frozen=True)
class Figure:
    """A figure that section text may quote (R-TEXT): the phrases that name it and the
    table fields whose sum it is."""

    name: str
    section: str
    patterns: tuple[str, ...]
    fields: tuple[tuple[str, str, str], ...]
    none_means_zero: bool = False


@dataclass(frozen=True)
class Mention:
    """Something a section must mention (e.g. R-FEE: 信息处理费 in section 六)."""

    rule: str
    section: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ReportLayout:
    """The published report around the tables: title, sections, and what the text must agree with."""

    title: str
    sections: tuple[Section, ...]
    figures: tuple[Figure, ...] = ()
    mentions: tuple[Mention, ...] = ()

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


@dataclass(frozen=True)
class Edition:
    id: str
    name: str
    document: str
    issued: str
    first_year: int
    template_version: int
    rules: tuple[str, ...]
    fee_placeholder: str
    tables: tuple[Table, ...]
    cover: Cover
    source: str
    cross_year: tuple[CrossYear, ...] = ()
    # The report around the tables ([report] in the spec); None for a spec that lacks it.
    report: ReportLayout | None = None

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def fields(self) -> list[Field]:
        return [f for t in self.tables for f in t.fields]

    def field(self, key: tuple[str, str, str]) -> Field:
        return self.table(key[0]).field(key[1], key[2])

    @property
    def fingerprint(self) -> str:
        """A short hash of everything a filled workbook must keep: sheets, labels, merges, cells."""
        layout = [
            {
                "sheet": t.sheet,
                "origin": t.origin,
                "labels": [(lb.ref, lb.text) for lb in t.labels],
                "merges": sorted(t.merges),
                "fields": [(f.cell, f.kind, f.parts) for f in t.fields],
            }
            for t in self.tables
        ]
        blob = json.dumps(layout, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
