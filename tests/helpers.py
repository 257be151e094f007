"""Test helpers: fixtures that read like the table (see STYLE.md, practice 5).

    values(ed, '''
        新收 自然人 10
        予以公开 自然人 4
    ''')

Each line names an input cell by fragments of its official row and column labels, then a value.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl

from govxl.rules import evaluate
from govxl.spec import Edition, Field

# The 2023 report of 南关区政府办公室 (../shared/reference/nanguan-2023.txt); everything else is 0.
NANGUAN_2023 = """
    新收 自然人 10
    予以公开 自然人 4
    本机关不掌握 自然人 4
    补正后申请内容仍不明确 自然人 2
"""
NANGUAN_AGENCY = "长春市南关区人民政府办公室"


def find(ed: Edition, fragments: list[str]) -> Field:
    hits = [f for f in ed.fields if not f.is_total
            and all(fr in f"{f.row_label} / {f.col_label}" for fr in fragments)]
    if len(hits) > 1:  # prefer a field whose label segments match a fragment exactly
        exact = [f for f in hits if set(fragments) & set(f"{f.row_label} / {f.col_label}".split(" / "))]
        hits = exact if len(exact) == 1 else hits
    if len(hits) != 1:
        raise KeyError(f"{' '.join(fragments)!r} matches {len(hits)} input cells")
    return hits[0]


def values(ed: Edition, text: str, zeros: bool = True) -> dict[tuple[str, str, str], float]:
    """Inputs from readable lines; every other input is 0 (or left out when zeros=False)."""
    out: dict[tuple[str, str, str], float] = {f.key: 0 for f in ed.fields if not f.is_total} if zeros else {}
    for line in text.strip().splitlines():
        *frags, val = line.split()
        out[find(ed, frags).key] = float(val) if "." in val else int(val)
    return out


def fill_openpyxl(src: Path, dst: Path, ed: Edition, cells: dict) -> Path:
    """Type values into a workbook with openpyxl and save (which drops every cached formula result).

    `cells` maps field keys to values; a value may be any Python object (text, bool, formula string...).
    """
    wb = openpyxl.load_workbook(src)
    for key, v in cells.items():
        f = ed.field(key)
        wb[f.sheet].cell(row=f.row + 1, column=f.col + 1).value = v
    wb.save(dst)
    return dst


def totals(ed: Edition, inputs: dict) -> dict:
    return evaluate(ed, inputs)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def random_values(ed: Edition, rng, scale: int = 30) -> dict[tuple[str, str, str], float]:
    """A consistent random report (every rule of the spec holds): inputs drawn from `rng`, about half
    of them 0, the fee in whole 1/1,000,000 万元; then for each balance the first left-hand row is set
    so that left = right. Built from the spec only, so it serves every edition."""
    out: dict[tuple[str, str, str], float] = {}
    for f in ed.fields:
        if f.is_total:
            continue
        if f.kind == "amount":
            out[f.key] = rng.randint(0, 50_000_000) / 1_000_000
        elif rng.random() < 0.5:
            out[f.key] = 0
        else:
            out[f.key] = rng.randint(-scale if f.kind == "signed" else 0, scale)
    for t in ed.tables:
        for b in t.balances:
            now = evaluate(ed, out)
            for col in b.cols:
                first = t.field(b.left[0], col)
                if first.is_total:
                    continue
                right = sum(now[(t.key, r, col)] for r in b.right)
                others = [t.field(r, col).key for r in b.left[1:]]
                for k in others:
                    out[k] = rng.randint(0, int(right) // max(len(others), 1))
                out[first.key] = right - sum(out[k] for k in others)
    return out
