"""The plain data of one report, whatever its source: what the judge (govxl.judge.core) reads.

A govxl workbook (govxl.sources.workbook), another program's spreadsheet, a Word document, a PDF, a web
page or a copied text (govxl.importer) all become a :class:`ReportData`: the edition, who and
which year (and where each came from), and for each cell of the spec one state:

- a number (``numbers``: an input, or a total as the source supplies it: printed in a document,
  a constant typed over a workbook's formula);
- printed blank (``blank``): counts as 0 for the rules, summarised by V-BLANK / V-EMPTY;
- not applicable (``na``: `/`, `-`, `—`): counts as 0;
- unknown (``unknown``: not read, with why): a rule that needs it is not verified;
- known only as part of a published sum (``sums``: a group of rows printed as one row).

A total the source does not supply is the sum of its parts (a workbook's formula). An input in
none of these (a cell whose value was refused: V-INT already says so) counts as 0, as before.
The source's own findings (S-*, V-TEXT, S-CACHE, I-* reading findings) travel in ``findings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..report.findings import Finding
from ..spec import Edition

Key = tuple[str, str, str]

BLANK, NA, UNKNOWN, IN_SUM = "blank", "na", "unknown", "in_sum"


@dataclass(frozen=True)
class Sum:
    """Cells known only together: the figure a report printed for them (one row for three)."""

    cells: tuple[Key, ...]
    figure: float


@dataclass
class ReportData:
    file: str
    edition: Edition
    agency: str | None = None
    year: int | None = None
    template_version: int | None = None
    # Where the agency and the year came from: "cover", "title", "given", ...
    identity: dict[str, str] = field(default_factory=dict)
    numbers: dict[Key, float] = field(default_factory=dict)
    blank: set[Key] = field(default_factory=set)
    na: set[Key] = field(default_factory=set)
    unknown: dict[Key, str] = field(default_factory=dict)
    sums: list[Sum] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The tables whose rules are judged and whose blanks are summarised (None: every table).
    tables: set[str] | None = None
    # Tables not to call V-EMPTY even when every input is blank (the source said why already).
    no_empty: set[str] = field(default_factory=set)
    # Passed on to the Report as they are (govxl.report.findings.Report).
    source: str | None = None
    not_applied: tuple[str, ...] = ()
    published: dict[Key, float | None] | None = None

    def state(self, key: Key) -> str | None:
        """The cell's state when it is not a number: blank | na | unknown | in_sum (None: a number or derived)."""
        if key in self.numbers:
            return None
        if key in self.unknown:
            return UNKNOWN
        if any(key in s.cells for s in self.sums):
            return IN_SUM
        if key in self.na:
            return NA
        if key in self.blank:
            return BLANK
        return None
