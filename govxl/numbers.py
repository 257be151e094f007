"""Numbers for people and for data, in one place: what a cell stores, what JSON and CSV hold, how a
message or a table prints a figure. The bottom of govxl: it imports nothing from govxl.

Counts are whole; the one amount (信息处理费, 万元) has at most 6 decimals, so a figure is printed
whole when it is whole and else with up to 6 decimals and no trailing zeros (never 1e-06).
"""

from __future__ import annotations

TOLERANCE = 1e-7  # two sums that differ by less are equal (float noise of the 6-decimal amounts)
DECIMALS = 6


def plain(v: float) -> int | float:
    """A whole float as an int (3.0 -> 3), any other value as it is: what a cell caches, JSON shows."""
    try:
        return int(v) if float(v).is_integer() else v
    except OverflowError:  # beyond any float: no figure of a report, kept as it is
        return v


def tidy(v: float | None, tolerance: float = TOLERANCE) -> int | float | None:
    """Whole numbers (within `tolerance`) as int, others rounded to 6 decimals; None stays None."""
    if v is None:
        return None
    return int(round(v)) if abs(v - round(v)) < tolerance else round(float(v), DECIMALS)


def show(v: object, whole: bool = False) -> str:
    """A figure as people read it: 12, 0.35, 1.5; blank for None; text as it is. `whole`: a count,
    printed rounded even when it is not whole (a table shows the cell's kind, not the noise)."""
    if v is None:
        return ""
    if type(v).__name__ == "Decimal":  # decimal.Decimal (not imported: it costs start-up time)
        return format(v.normalize(), "f")  # type: ignore[attr-defined]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if whole or v.is_integer():
        return str(int(round(v)))
    return f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".")


def grouped(v: float, decimals: int = 0) -> str:
    """A large figure with thousands separators: 500,000; 2,048 (sizes and limits in messages)."""
    return f"{v:,.{decimals}f}"
