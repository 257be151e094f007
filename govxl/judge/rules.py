"""The arithmetic rules (T3-BAL, T3-SUM, T3-COL, T4-SUM) over a table of values.

Works on plain numbers keyed by field, so a workbook, an imported report and an
aggregate are all checked by the same code. The spec says which sums and balances
exist; this module only knows how to add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..numbers import TOLERANCE, tidy
from ..report.findings import Finding
from ..spec import Edition, Table, per_edition

Key = tuple[str, str, str]

# Counts are whole numbers; the fee has at most 6 decimals. Compare with a tolerance
# well below either so float noise (0.1 + 0.2) never fires a rule.


def evaluate(edition: Edition, inputs: Mapping[Key, float], stated: Mapping[Key, float] | None = None) -> dict[Key, float]:
    """Every field's value: inputs as given (missing = 0); totals from `stated` if given
    there (a constant typed over a formula, a published figure), else summed from their parts."""
    stated = stated or {}
    out: dict[Key, float] = {}
    for key, parts in _derived(edition).steps:
        if key in stated:
            out[key] = stated[key]
        elif parts:
            out[key] = sum([out[p] for p in parts])
        else:
            out[key] = inputs.get(key, 0) or 0
    return out


def check(edition: Edition, values: Mapping[Key, float], tables: set[str] | None = None) -> list[Finding]:
    """Findings for every sum and balance that does not hold. `values` must hold every field."""
    findings: list[Finding] = []
    for table_key, sums, balances in _derived(edition).checks:
        if tables is not None and table_key not in tables:
            continue
        for rule, total_key, part_keys, f in sums:
            total = values[total_key]
            parts = sum([values[p] for p in part_keys])
            if abs(total - parts) > TOLERANCE:
                findings.append(Finding.of(
                    rule, sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                    col_label=f.col_label, expected=tidy(parts), actual=tidy(total)))
        for rule, left_keys, right_keys, cells, label in balances:
            left = sum([values[k] for k in left_keys])
            right = sum([values[k] for k in right_keys])
            if abs(left - right) > TOLERANCE:
                findings.append(Finding.of(
                    rule, sheet=cells[0].sheet, cell=",".join(f.cell for f in cells),
                    row_label=label, col_label=cells[0].col_label,
                    expected=tidy(left), actual=tidy(right)))
    return findings


def instances(edition: Edition) -> tuple[tuple[str, tuple, tuple], ...]:
    """Per table, its sum and balance equations as `check` runs them: (table key, sums, balances);
    a sum is (rule, total key, part keys, total field), a balance (rule, left keys, right keys,
    fields, label). The judge (govxl.judge) gives each one an outcome."""
    return _derived(edition).checks


def parts_of(edition: Edition, key: Key) -> tuple[Key, ...] | None:
    """The parts of a total field (None for an input)."""
    return _parts(edition).get(key)


def _parts_of(edition: Edition) -> dict[Key, tuple[Key, ...]]:
    return {k: p for k, p in _derived(edition).steps if p}


@dataclass(frozen=True)
class _Derived:
    """The spec's sums and balances unrolled into key lists, once per edition (not per file).

    steps: every field in the order the spec lists them, each total after its parts, with
    its parts' keys (None for an input). checks: per table, the sums and balances to verify,
    for the tables whose rules the edition applies.
    """

    steps: tuple[tuple[Key, tuple[Key, ...] | None], ...]
    checks: tuple[tuple[str, tuple, tuple], ...]


def _derive(edition: Edition) -> _Derived:
    steps: list[tuple[Key, tuple[Key, ...] | None]] = []
    done: set[Key] = set()

    def visit(table: Table, f) -> None:  # depth first, parts before their total
        if f.key in done:
            return
        done.add(f.key)
        if f.is_total:
            for p in f.parts:
                visit(table, table.field(*p))
            steps.append((f.key, tuple((table.key, *p) for p in f.parts)))
        else:
            steps.append((f.key, None))

    for t in edition.tables:
        for f in t.fields:
            visit(t, f)
    checks = []
    for t in edition.tables:
        if not all(r in edition.rules for r in [s.rule for s in t.sums] + [b.rule for b in t.balances]):
            continue
        sums = []
        for s in t.sums:
            for other in s.across:
                total_key, part_keys = s.cells(other)
                sums.append((s.rule, (t.key, *total_key), tuple((t.key, *p) for p in part_keys), t.field(*total_key)))
        balances = []
        for b in t.balances:
            for col in b.cols:
                balances.append((b.rule, tuple((t.key, r, col) for r in b.left), tuple((t.key, r, col) for r in b.right),
                                 tuple(t.field(r, col) for r in b.left + b.right), balance_label(t, b)))
        checks.append((t.key, tuple(sums), tuple(balances)))
    return _Derived(tuple(steps), tuple(checks))


_derived = per_edition(_derive)
_parts = per_edition(_parts_of)


def balance_label(table: Table, b) -> str:
    name = lambda r: table.field(r, b.cols[0]).row_label.split(" / ")[-1]  # noqa: E731
    return " ＋ ".join(map(name, b.left)) + " ＝ " + " ＋ ".join(map(name, b.right))


def kind_ok(kind: str, v: float) -> bool:
    """Is `v` an acceptable number for a cell of this kind (V-INT / V-AMT)?"""
    if isinstance(v, bool):
        return False
    try:
        if kind == "amount":
            return v >= 0 and abs(v - round(v, 6)) < TOLERANCE
        whole = abs(v) <= MAX_COUNT and float(v).is_integer()
    except (OverflowError, ValueError):  # beyond any float (an integer of hundreds of digits)
        return False
    return whole and (kind == "signed" or v >= 0)


# No office receives a billion requests; a larger "count" is a typing accident.
MAX_COUNT = 999_999_999


def rule_status(edition: Edition, inputs: Mapping[Key, float]) -> dict[str, bool]:
    """Pass/fail per rule id of the edition, as the cover sheet's live status shows it."""
    values = evaluate(edition, inputs)
    failed = {f.rule for f in check(edition, values)}
    for f in edition.fields:
        if not f.is_total and not kind_ok(f.kind, values[f.key]):
            failed.add("V-AMT" if f.kind == "amount" else "V-INT")
    return {r: r not in failed for r in edition.rules}
