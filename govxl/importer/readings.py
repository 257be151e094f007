"""The cells of a scan read without certainty (govxl/importer/ocr.py): left unknown with an
I-OCR finding, or, where the arithmetic decides between their readings, taken (I-OCR-ARITH).

The arithmetic may choose: where an unsure cell is needed by a sum or balance of the spec whose
other cells are all known (printed numbers; a blank or not-applicable cell counts 0), and exactly
one of the cell's readings (the recogniser's two passes, Tesseract's) makes such a rule hold, and
it breaks none of the others known the same way, that reading is taken, and said so.  Never when
two readings fit, nor when no rule with the cell has all its other cells known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ..catalogue import Join
from ..cellcrop import PARAM
from ..judge.rules import Key, instances, kind_ok
from ..numbers import TOLERANCE
from ..report.findings import Finding
from ..spec import Edition, Field
from .order import col_name, row_name

Number = int | float


def equations(ed: Edition) -> list[tuple[tuple[Key, ...], tuple[Key, ...]]]:
    """Every sum and balance of the edition as Σ left = Σ right."""
    out: list[tuple[tuple[Key, ...], tuple[Key, ...]]] = []
    for _, sums, balances in instances(ed):
        out += [((total,), parts) for _, total, parts, _ in sums]
        out += [(left, right) for _, left, right, _, _ in balances]
    return out


def choose(ed: Edition, known: Mapping[Key, Number | None],
           readings: Mapping[Key, Sequence[Number]]) -> dict[Key, tuple[Number, tuple[Number, ...]]]:
    """The reading the arithmetic takes for each unsure cell it decides: key -> (the reading,
    the other readings).  `known`: the cells read with certainty (None: printed blank or not
    applicable, 0 to the rules); `readings`: each unsure cell's candidate numbers."""
    eqs = equations(ed)
    out: dict[Key, tuple[Number, tuple[Number, ...]]] = {}
    for key, candidates in readings.items():
        values = list(dict.fromkeys(candidates))
        deciding = [(left, right) for left, right in eqs if key in left or key in right
                    if all(k in known for k in (*left, *right) if k != key)]
        if not values or not deciding:
            continue

        def holds(eq: tuple[tuple[Key, ...], tuple[Key, ...]], v: Number, key: Key = key) -> bool:
            def value(k: Key) -> Number:
                return v if k == key else (known[k] or 0)
            return abs(sum(value(k) for k in eq[0]) - sum(value(k) for k in eq[1])) <= TOLERANCE

        fits = [v for v in values if any(holds(eq, v) for eq in deciding)]
        if len(fits) == 1 and all(holds(eq, fits[0]) for eq in deciding):
            out[key] = (fits[0], tuple(v for v in values if v != fits[0]))
    return out


def number(text: str) -> Number | None:
    """A reading as a number (an int when whole)."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def settle(ed: Edition, values: dict[Key, Number | None], unsure: Mapping[Key, Any],
           notes: dict[Key, str] | None = None) -> list[Finding]:
    """The findings of a scan's unsure cells (`unsure`: key -> ocr.Unsure): the readings the
    arithmetic takes go into `values` (I-OCR-ARITH; its message as the cell's note in `notes`, for
    the workbook `govxl import` writes), the other cells stay unknown (I-OCR)."""
    candidates = {k: [n for t in u.readings if (n := number(t)) is not None and kind_ok(ed.field(k).kind, n)]
                  for k, u in unsure.items()}
    taken = choose(ed, values, {k: c for k, c in candidates.items() if c})
    out = []
    for key, where in unsure.items():
        f = ed.field(key)
        if key in taken:
            v, others = taken[key]
            values[key] = v
            out.append(arithmetic_finding(f, where, v, others))
            if notes is not None:
                notes[key] = out[-1].message()
        else:
            out.append(unsure_finding(f, where))
    return out


def _at(where: Any) -> dict[str, Any]:
    return {"page": where.page, "table": where.table, "row": where.row, "col": where.col}


def _with_crop(params: dict[str, Any], where: Any) -> dict[str, Any]:
    if getattr(where, "crop", ""):
        params[PARAM] = where.crop
    return params


def unsure_finding(f: Field, where: Any) -> Finding:
    """I-OCR: the cell `f` of a scan, read without certainty (`where`: an ocr.Unsure)."""
    params = _at(where)
    reason = "ocr-at" if where.read else "ocr-at-none"
    if where.read:
        params["read"] = where.read
    return Finding.of("I-OCR", sheet=f.sheet, cell=f.cell, row_label=row_name(f), col_label=col_name(f),
                      reason=reason, params=_with_crop(params, where))


def arithmetic_finding(f: Field, where: Any, value: Number, others: tuple[Number, ...]) -> Finding:
    """I-OCR-ARITH: the reading of an unsure cell that the arithmetic took."""
    params = _at(where)
    if others:
        params["others"] = Join(tuple(str(o) for o in others))
    return Finding.of("I-OCR-ARITH", sheet=f.sheet, cell=f.cell, row_label=row_name(f), col_label=col_name(f),
                      actual=value, reason="ocr-arith-at" if others else "ocr-arith-one", params=_with_crop(params, where))
