"""Test helpers: fixtures that read like the table.

    values(ed, '''
        新收 自然人 10
        予以公开 自然人 4
    ''')

Each line names an input cell by fragments of its official row and column labels, then a value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl

from govxl.judge.rules import evaluate
from govxl.spec import Edition, Field

# The 2023 report of 南关区政府办公室 (its tables: examples/nanguan-2023-tables.txt); everything else is 0.
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


# ------------------------------------------------------------------ formula injection
# Text a clerk (or an attacker) may type as an agency name or a label. A spreadsheet that opens a
# file govxl wrote must show each as text, never evaluate it (CSV injection, OWASP).
FORMULA_PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "=1+1",
)
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def assert_no_formula_injection(path, payloads=FORMULA_PAYLOADS) -> None:
    """Fail unless every payload appears in the file govxl wrote as inert text.

    Every payload must be present (a writer that silently drops the text would otherwise pass).
    .xlsx/.xlsm: the payload is a text cell; no cell formula contains it; no external-link part.
    .csv/.tsv: a cell that starts with = + - @ tab or CR (and is not a plain number) must be
    neutralised with a leading apostrophe. .docx: no field code contains a payload.
    Other formats raise ValueError: extend this helper rather than skip the check.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    cores = {p: p.lstrip("=+-@") for p in payloads}
    if suffix in (".xlsx", ".xlsm", ".xltx"):
        with zipfile.ZipFile(path) as z:
            links = [n for n in z.namelist() if "externallink" in n.lower()]
        assert not links, f"{path.name}: external-link parts {links}"
        wb = openpyxl.load_workbook(path)
        texts, formulas = [], []
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        formulas.append((ws.title, c.coordinate, str(c.value)))
                    elif isinstance(c.value, str):
                        texts.append(c.value)
        for p, core in cores.items():
            hits = [f for f in formulas if core in f[2]]
            assert not hits, f"{path.name}: {p!r} became a formula at {hits[0][0]}!{hits[0][1]}: {hits[0][2]}"
            assert any(p in t for t in texts), f"{path.name}: {p!r} not found as text"
    elif suffix in (".csv", ".tsv"):
        text = path.read_text(encoding="utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",") for c in row]
        for c in cells:
            if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _PLAIN_NUMBER.match(c):
                raise AssertionError(f"{path.name}: cell {c!r} would be evaluated as a formula (prefix it with ')")
        for p in payloads:
            assert any(p in c for c in cells), f"{path.name}: {p!r} not found"
    elif suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")}
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        visible = []
        for name, xml in parts.items():
            root = ET.fromstring(xml)
            fields = [e.text or "" for e in root.iter(w + "instrText")]
            fields += [e.get(w + "instr", "") for e in root.iter(w + "fldSimple")]
            for p, core in cores.items():
                assert not any(core in f for f in fields), f"{path.name}: {p!r} inside a field code in {name}"
            visible.append("".join(e.text or "" for e in root.iter(w + "t")))
        for p in payloads:
            assert any(p in v for v in visible), f"{path.name}: {p!r} not found as text"
    else:
        raise ValueError(f"assert_no_formula_injection does not know {suffix} files yet")
