"""Test helper: does a workbook conform to the Office Open XML schemas (will Excel open it cleanly)?

Validation is done by `openxml-audit` (a test dependency, pyproject's ``test`` extra): a pure-Python
port of the Open XML SDK's validator that checks the package (content types, relationships, every
part present and parseable) and every part against the ECMA-376 schemas (element order, required
elements, attribute types and enumerations) plus the SDK's semantic checks. It runs here without
.NET or Office.

    assert_valid_ooxml(path)          # fails the test with every violation, one a line
    ooxml_errors(path)                # the violations, for tests that expect some
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import pytest

# The oldest Excel a clerk may still use (its schemas are the strictest: later versions only add
# elements) and the newest.
FORMATS = ("OFFICE_2007", "MICROSOFT_365")


@dataclass(frozen=True)
class Violation:
    format: str
    part: str  # e.g. /xl/workbook.xml ("" for the package itself)
    path: str  # XPath-like location inside the part
    description: str

    def __str__(self) -> str:
        where = self.part + (f" {self.path}" if self.path else "")
        return f"[{self.format}] {where or '(package)'}: {self.description}"


@functools.cache
def _validator(fmt: str):
    from openxml_audit import FileFormat, OpenXmlValidator

    return OpenXmlValidator(file_format=getattr(FileFormat, fmt), max_errors=0)  # 0: report every one


def ooxml_errors(path: str | os.PathLike, formats: tuple[str, ...] = FORMATS) -> list[Violation]:
    """Every schema, package and semantic violation of the workbook at `path`."""
    out: list[Violation] = []
    for fmt in formats:
        result = _validator(fmt).validate(os.fspath(path))
        out += [Violation(fmt, e.part_uri or "", e.path or "", e.description) for e in result.errors]
        if not result.is_valid and not result.errors:  # never silent, whatever the result says
            out.append(Violation(fmt, "", "", "invalid, without a reason"))
    return out


def assert_valid_ooxml(path: str | os.PathLike) -> None:
    """Fail the current test, listing every violation, unless `path` is a valid .xlsx package."""
    errors = ooxml_errors(path)
    if errors:
        lines = "\n".join(f"  {e}" for e in errors[:30])
        more = f"\n  … and {len(errors) - 30} more" if len(errors) > 30 else ""
        pytest.fail(f"{path} does not conform to the Office Open XML schemas:\n{lines}{more}", pytrace=False)
