"""Which workbook this is: its identity and edition, the text helpers labels and numbers are
compared with, the marks of a workbook written by `govxl import`, and the per-edition plan of a check."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from ..catalogue import Join, Phrase, phrase
from ..errors import NoIdentityError, NotGovxlError
from ..judge.rules import Key
from ..reader import RawWorkbook
from ..report.findings import Finding, Quoted
from ..spec import (
    Edition,
    Field,
    Label,
    Table,
    compress,
    edition_ids,
    load_aggregate_sheet,
    load_edition,
    load_outputs,
    parse_cell,
    parse_range,
    per_edition,
    range_name,
)

PROP_PREFIX, NAME_PREFIX = "govxl.", "govxl_"


def expected_for(kind: str) -> Phrase:
    """What a value of `kind` should be, as the {expected} of a value finding."""
    return phrase(f"kind-{kind}")


def value_rule(kind: str) -> str:
    return "V-AMT" if kind == "amount" else "V-INT"


# ------------------------------------------------------------------ text helpers
_WS = re.compile(r"\s+")


def norm_label(text: object) -> str:
    """Labels compare equal when they differ only in whitespace (line breaks from wrapping)."""
    return _WS.sub("", "" if text is None else str(text))


_NUM_TEXT = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def number_from_text(text: str) -> float | None:
    """'１２', ' 12 ', '1,200', '3.5' -> a number; anything else (units, words, '1e3') -> None.

    Invisible characters pasted from web pages (zero-width space, BOM, soft hyphen) are
    dropped first: a cell that shows 12 is read as 12 (with the V-TEXT warning)."""
    s = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()
    if len(s) > 40 or not _NUM_TEXT.match(s) or not s.isascii():
        return None
    n = float(s.replace(",", ""))
    return n if math.isfinite(n) else None


def whole_number(text: object) -> int | None:
    """A year or version number from a property or a cell ('2', '2.0', 2.0, '２０２３'); None if not one."""
    if isinstance(text, bool):
        return None
    n = text if isinstance(text, int | float) else number_from_text(str(text)) if text is not None else None
    if n is None or not math.isfinite(n) or not float(n).is_integer() or abs(n) > 10**9:
        return None
    return int(n)


def norm_formula(text: str | None) -> str:
    if text is None:
        return ""
    parts = re.split(r'("[^"]*")', text.strip().lstrip("="))
    out = []
    for p in parts:
        if not p.startswith('"'):
            p = p.replace("$", "").replace(" ", "").upper().replace("_XLFN.", "").replace("OF:", "")
        out.append(p)
    return "".join(out)


def quote(v: object, limit: int = 40) -> Quoted:
    s = str(v)
    return Quoted(s, "“" + (s if len(s) <= limit else s[:limit] + "…") + "”")


# ------------------------------------------------------------------ a workbook written by govxl import
# Custom properties: govxl.source = "import"; govxl.import.<name>.NN the cells of a kind (unread:
# not read from the report; blank_total: a total the report printed blank), as `table!A1:B2 …`,
# in pieces of at most 240 characters (a document property holds 255).
IMPORT_MARK = "import"
_PIECE = 240


def import_marks(fields_by_kind: dict[str, list[Field]]) -> dict[str, str]:
    """The custom properties (without the govxl. prefix) that mark a workbook as imported."""
    out = {"source": IMPORT_MARK}
    for name, fields in fields_by_kind.items():
        by_table: dict[str, list[tuple[int, int]]] = {}
        for f in fields:
            by_table.setdefault(f.table, []).append((f.row, f.col))
        items = [f"{t}!{range_name(*r)}" for t, cells in by_table.items() for r in compress(cells)]
        pieces, cur = [], ""
        for it in items:
            if cur and len(cur) + 1 + len(it) > _PIECE:
                pieces.append(cur)
                cur = ""
            cur = f"{cur} {it}".strip()
        if cur:
            pieces.append(cur)
        for n, piece in enumerate(pieces):
            out[f"{IMPORT_MARK}.{name}.{n:02d}"] = piece
    return out


def marked(raw: RawWorkbook, ed: Edition, name: str) -> set[Key]:
    """The cells a workbook written by `govxl import` marks as `name` (unread, blank_total)."""
    return marked_keys(raw, ed, name)


def marked_keys(raw: RawWorkbook, ed: Edition, name: str) -> set[Key]:
    prefix = f"{PROP_PREFIX}{IMPORT_MARK}.{name}."
    out: set[Key] = set()
    for k in sorted(raw.properties):
        if not k.startswith(prefix):
            continue
        for item in str(raw.properties[k]).split():
            tk, _, rng = item.partition("!")
            try:
                t = ed.table(tk)
                r0, c0, r1, c1 = parse_range(rng)
            except (KeyError, ValueError):
                continue
            at = {(f.row, f.col): f.key for f in t.fields}
            out |= {at[(r, c)] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) in at}
    return out


# ------------------------------------------------------------------ identity
def ident_of(raw: RawWorkbook, key: str) -> str | None:
    v = raw.properties.get(PROP_PREFIX + key)
    if v:
        return v
    v = raw.names.get(NAME_PREFIX + key)
    if v:
        return v.strip().strip('"').strip("=").strip('"')
    return None


def _layout_matches(raw: RawWorkbook, ed: Edition) -> bool:
    for t in ed.tables:
        sheet = raw.sheet(t.sheet)
        if sheet is None:
            return False
        for lb in t.labels:
            c = sheet.cells.get((lb.row, lb.col))
            if norm_label(c.value if c else None) != norm_label(lb.text):
                return False
    return True


@cache
def checked_edition_ids() -> tuple[str, ...]:
    return tuple(edition_ids())


def identify(raw: RawWorkbook) -> tuple[Edition, list[Finding]]:
    """The edition a workbook claims (or, failing that, whose layout it has)."""
    ed_id = ident_of(raw, "edition")
    known = checked_edition_ids()
    if ed_id is None:
        for candidate in known:
            ed = load_edition(candidate)
            if _layout_matches(raw, ed):
                return ed, [Finding.of("S-IDENT", expected=ed.id, reason="regenerate")]
        names = {s.name for s in raw.sheets}
        for candidate in known:
            ed = load_edition(candidate)
            if any(t.sheet in names for t in ed.tables):
                raise NoIdentityError(code="R-LAYOUT", edition=ed.id)
        raise NoIdentityError(code="R-NOTGOVXL")
    if ed_id not in known:
        raise NotGovxlError(code="R-EDITION", edition=ed_id, known=Join(known))
    ed = load_edition(ed_id)
    v = whole_number(ident_of(raw, "template_version"))
    if v is not None and v > ed.template_version:
        raise NotGovxlError(code="R-NEWER", version=v, edition=ed.id, known=ed.template_version)
    return ed, []


def known_sheets() -> set[str]:
    return set(_known_sheets())


@cache
def _known_sheets() -> frozenset[str]:
    out: set[str] = set()
    for e in checked_edition_ids():
        ed = load_edition(e)
        out |= {t.sheet for t in ed.tables} | {ed.cover.sheet}
    return frozenset(out)


# ------------------------------------------------------------------ per-edition plan
@dataclass(frozen=True)
class TablePlan:
    """What checking one table needs, derived once per edition instead of once per file."""

    table: Table
    labels: tuple[tuple[Label, tuple[int, int], str], ...]  # label, position, normalised text
    inputs: tuple[tuple[Field, tuple[int, int], str, str], ...]  # field, position, rule, expected
    totals: tuple[tuple[Field, tuple[int, int], str, str], ...]  # field, position, formula, normalised
    merges: frozenset[tuple[int, int, int, int]]


@dataclass(frozen=True)
class CheckPlan:
    tables: tuple[TablePlan, ...]
    agency_at: tuple[int, int]
    year_at: tuple[int, int]
    sheet_order: tuple[str, ...]


def _make_plan(ed: Edition) -> CheckPlan:
    tables = []
    for t in ed.tables:
        tables.append(TablePlan(
            table=t,
            labels=tuple((lb, (lb.row, lb.col), norm_label(lb.text)) for lb in t.labels),
            inputs=tuple((f, (f.row, f.col), value_rule(f.kind), expected_for(f.kind)) for f in t.inputs),
            totals=tuple((f, (f.row, f.col), t.sum_formula(f), norm_formula(t.sum_formula(f))) for f in t.totals),
            merges=frozenset(t.merges),
        ))
    cover = ed.cover.raw
    return CheckPlan(tuple(tables), parse_cell(cover["agency"]["at"].split(":")[0]), parse_cell(cover["year"]["at"]),
                 (ed.cover.sheet, *(t.sheet for t in ed.tables)))


check_plan = per_edition(_make_plan)


@cache
def never_read() -> frozenset[str]:
    return frozenset({load_aggregate_sheet().sheet, load_outputs()["annotate"]["sheet"]})


@cache
def cover_rows() -> dict[str, int]:
    out: dict[str, int] = {}
    for e in checked_edition_ids():
        plan = check_plan(load_edition(e))
        sheet = plan.sheet_order[0]
        out[sheet] = max(out.get(sheet, 0), plan.agency_at[0] + 1, plan.year_at[0] + 1)
    return out
