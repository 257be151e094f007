"""The specs beside the editions: the shared cover (cover.toml), the aggregate's list sheet
(aggregate.toml) and the words of check's outputs (annotate.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache

from ..errors import SpecError
from .base import Keys, templates_dir
from .model import Cover


@cache
def load_cover() -> Cover:
    path = templates_dir() / "cover.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["cover"]
    return Cover(sheet=raw["sheet"], widths=tuple(raw["widths"]), raw=raw)


# ------------------------------------------------------------------ the aggregate's list sheet
_AGG_KEYS = {"sheet", "hash_chars", "columns", "status", "unreadable", "no_agency", "is_aggregate", "footer",
             "totals"}
_AGG_COLUMNS = {"no", "status", "agency", "file", "hash", "totals", "verdict", "note"}


@dataclass(frozen=True)
class KeyTotal:
    """A figure shown per report in an aggregate's list: the sum of some fields (by semantic key)."""

    label: str
    fields: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class AggregateSheet:
    """templates/aggregate.toml: the list sheet `govxl aggregate` appends to a summary."""

    sheet: str
    hash_chars: int
    columns: tuple[tuple[str, str, float], ...]  # (key, label, width); key "totals" = the key totals
    totals: tuple[KeyTotal, ...]
    texts: dict = field(hash=False, compare=False)


@cache
def load_aggregate_sheet() -> AggregateSheet:
    source = "aggregate.toml"
    path = templates_dir() / source
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))["aggregate"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(code="U-SPEC-READ", source=source, why=str(exc)) from None
    ld = Keys(source)
    ld.keys(raw, _AGG_KEYS, "aggregate", _AGG_KEYS)
    columns = []
    for i, c in enumerate(raw["columns"]):
        ld.keys(c, {"key", "label", "width"}, f"aggregate.columns[{i}]", {"key", "width"})
        if c["key"] not in _AGG_COLUMNS:
            raise ld.fail(f"aggregate.columns[{i}]", f"未知的列 {c['key']}")
        columns.append((c["key"], c.get("label", "").format(hash_chars=raw["hash_chars"]), float(c["width"])))
    totals = []
    for i, t in enumerate(raw["totals"]):
        ld.keys(t, {"label", "fields"}, f"aggregate.totals[{i}]", {"label", "fields"})
        keys = tuple(tuple(k.split("/")) for k in t["fields"])
        if not keys or any(len(k) != 3 for k in keys):
            raise ld.fail(f"aggregate.totals[{i}]", "fields 应写成 table/row/column")
        totals.append(KeyTotal(t["label"], keys))  # type: ignore[arg-type]
    texts = {k: raw[k] for k in ("status", "unreadable", "no_agency", "is_aggregate", "footer")}
    return AggregateSheet(raw["sheet"], int(raw["hash_chars"]), tuple(columns), tuple(totals), texts)


# ------------------------------------------------------------------ wording of check's outputs
_OUT_KEYS = {
    "annotate": ({"sheet", "fills", "widths", "zh", "en"},
                 {"title", "file", "about", "verdict", "headers", "workbook", "marked", "listed", "repaired",
                  "not_copied", "none", "help", "unplaced_title", "unplaced_headers", "unplaced_extra",
                  "unplaced_missing", "crop"}),
    "report": ({"fills", "zh", "en"},
               {"title", "summary", "headers", "details", "copy", "findings", "finding_headers", "none",
                "unreadable", "layout", "missing", "totals", "blank", "crop"}),
}


@cache
def load_outputs() -> dict:
    """templates/annotate.toml: the words of `check --annotate` (the marked-up copy, whose first
    sheet `govxl check` never reads) and `check --report` (the HTML page), in zh and en."""
    source = "annotate.toml"
    try:
        raw = tomllib.loads((templates_dir() / source).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(code="U-SPEC-READ", source=source, why=str(exc)) from None
    ld = Keys(source)
    for part, (top, texts) in _OUT_KEYS.items():
        if part not in raw:
            raise ld.fail(part, "缺少这一节")
        ld.keys(raw[part], top, part, top)
        for lang in ("zh", "en"):
            ld.keys(raw[part][lang], texts, f"{part}.{lang}", texts)
    return raw
