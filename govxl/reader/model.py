"""What the reader returns: a workbook's cells, merges, protection and identity, as stored."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawCell:
    """A cell as stored: `type` is the xlsx cell type (n, s, str, inlineStr, b, e, d)."""

    value: float | str | bool | None
    type: str = "n"
    formula: str | None = None
    style: int = 0


@dataclass
class RawSheet:
    name: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merges: set[tuple[int, int, int, int]] = field(default_factory=set)
    protected: bool = False
    state: str = "visible"
    loaded: bool = False
    # Set when only the rows up to this one were read (read_xlsx(rows=...)): no merges, no protection.
    rows: int | None = None


@dataclass
class RawWorkbook:
    path: str
    sheets: list[RawSheet]
    properties: dict[str, str]
    names: dict[str, str]
    # Per style index: (locked, is_date_format)
    styles: list[tuple[bool, bool]]
    # <workbookProtection lockStructure="1"/>: sheets cannot be added, deleted, renamed or moved
    structure_locked: bool = False

    def sheet(self, name: str) -> RawSheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    def locked(self, cell: RawCell | None) -> bool:
        if cell is None or cell.style >= len(self.styles):
            return True
        return self.styles[cell.style][0]

    def is_date(self, cell: RawCell) -> bool:
        return cell.style < len(self.styles) and self.styles[cell.style][1]
