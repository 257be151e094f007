"""Golden workbooks: `govxl new` today against tests/golden/blank-<edition>.xlsx, part by part.

The comparison is XlsxWriter's own test habit (xlsxwriter/test/helperfunctions.py,
`_compare_xlsx_files`): first the list of zip members, then each XML part split into one element
per line and indented, so that a failure is a unified diff of the part that changed; the dates in
docProps/core.xml are left out. govxl's own volatile bit, its package version (custom property
`govxl.version`, the defined name `govxl_version`, the cover's 模板版本 line), is replaced by
`{version}` on each side. Everything else must be equal: `govxl new` is byte-for-byte repeatable
(test_new.py), so any difference is a change in what the spec or the writer puts in the file.

After a deliberate change, write the goldens again and review the failure's diff before committing:
    GOVXL_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from cli import run

from govxl.spec import edition_ids, load_edition, parse_edition, templates_dir
from govxl.writer import write_workbook

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GOVXL_UPDATE_GOLDEN") == "1"
AGENCY = "示例县人民政府办公室"
YEAR = {"2021": 2023, "2019": 2020}  # a year each edition is meant for


def golden(edition: str) -> Path:
    return GOLDEN / f"blank-{edition}.xlsx"


def write_blank(out: Path, edition: str) -> Path:
    """The blank workbook as the command line writes it."""
    res = run("new", out, "--edition", edition, "--agency", AGENCY, "--year", YEAR[edition])
    assert res.exit_code == 0, res.output
    return out


# ------------------------------------------------------------------ the comparison
def xml_lines(xml: str) -> list[str]:
    """One element (with its text) per line, indented by depth (XlsxWriter's _xml_to_list and
    _indent_elements)."""
    elements = re.split(r">\s*<", xml.strip().replace("\r", ""))
    out, depth = [], 0
    for i, e in enumerate(elements):
        e = ("" if i == 0 else "<") + e + ("" if i == len(elements) - 1 else ">")
        if e.startswith("</"):
            depth -= 1
        out.append("    " * depth + e)
        if e.startswith("<") and not e.startswith(("</", "<?")) and not e.endswith("/>") and "</" not in e:
            depth += 1
    return out


def package_version(parts: dict[str, bytes]) -> str | None:
    custom = parts.get("docProps/custom.xml", b"").decode()
    m = re.search(r'name="govxl\.version"><vt:lpwstr>([^<]*)</vt:lpwstr>', custom)
    return m.group(1) if m else None


def normalised(name: str, xml: str, version: str | None) -> list[str]:
    if name == "docProps/core.xml":  # XlsxWriter drops these dates too
        xml = re.sub(r"\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", "", xml)
    lines = xml_lines(xml)
    if version:
        pattern = re.compile(rf"(?<![\w.]){re.escape(version)}(?![\w.])")
        lines = [line if line.startswith("<?xml") else pattern.sub("{version}", line) for line in lines]
    return lines


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def differences(got_path: Path, want_path: Path) -> list[str]:
    """A message per differing part (its name, then a unified diff); [] when the two agree."""
    got, want = parts_of(got_path), parts_of(want_path)
    if sorted(got) != sorted(want):
        return ["zip members:\n" + "\n".join(difflib.unified_diff(sorted(want), sorted(got), "golden", "new",
                                                                  lineterm=""))]
    out = []
    v_got, v_want = package_version(got), package_version(want)
    for name in sorted(want):
        if got[name] == want[name]:
            continue
        if not name.endswith((".xml", ".rels")):
            out.append(f"{name}: the bytes differ")
            continue
        a = normalised(name, want[name].decode("utf-8"), v_want)
        b = normalised(name, got[name].decode("utf-8"), v_got)
        if a != b:
            diff = difflib.unified_diff(a, b, f"golden/{name}", f"new/{name}", n=2, lineterm="")
            out.append(f"{name}:\n" + "\n".join(diff))
    return out


# ------------------------------------------------------------------ the goldens
def test_every_edition_has_a_golden():
    assert {p.name for p in GOLDEN.glob("blank-*.xlsx")} == {f"blank-{e}.xlsx" for e in edition_ids()}


@pytest.mark.parametrize("edition", edition_ids())
def test_blank_workbook_matches_its_golden(edition, tmp_path):
    fresh = write_blank(tmp_path / "blank.xlsx", edition)
    if UPDATE:
        shutil.copyfile(fresh, golden(edition))
    found = differences(fresh, golden(edition))
    assert not found, (f"`govxl new --edition {edition}` no longer writes {golden(edition).name}; if the change "
                       "is meant, GOVXL_UPDATE_GOLDEN=1 writes it again.\n\n" + "\n\n".join(found))


def rewritten(src: Path, dst: Path, edit) -> Path:
    """A copy of the workbook `src` with `edit(name, xml)` applied to each XML part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".xml"):
                data = edit(info.filename, data.decode()).encode()
            zout.writestr(info, data)
    return dst


def test_another_package_version_alone_is_no_difference(tmp_path):
    version = package_version(parts_of(golden("2021")))
    assert version, "the golden names its govxl version"
    bumped = rewritten(golden("2021"), tmp_path / "bumped.xlsx", lambda name, xml: xml.replace(version, "99.1.0"))
    assert parts_of(bumped) != parts_of(golden("2021"))
    assert differences(bumped, golden("2021")) == []
    # ... while the same kind of edit of anything else is one
    renamed = rewritten(golden("2021"), tmp_path / "renamed.xlsx", lambda name, xml: xml.replace(AGENCY, "另一单位"))
    assert [d.split(":")[0] for d in differences(renamed, golden("2021"))] == ["docProps/core.xml", "xl/sharedStrings.xml"]


# ------------------------------------------------------------------ the comparison catches a spec edit
def spec_with(edition: str, old: str, new: str) -> str:
    text = (templates_dir() / f"{edition}.toml").read_text(encoding="utf-8")
    assert text.count(f'text = "{old}"') == 1, f"the label {old} should be in the spec once"
    return text.replace(f'text = "{old}"', f'text = "{new}"')


def test_the_library_writes_what_the_command_writes(tmp_path):
    """The control for the test below: the spec as it is, parsed from its text, gives no difference."""
    text = (templates_dir() / "2021.toml").read_text(encoding="utf-8")
    out = write_workbook(tmp_path / "same.xlsx", parse_edition(text), agency=AGENCY, year=YEAR["2021"])
    assert differences(out, golden("2021")) == []


def test_a_changed_label_shows_as_an_xml_diff(tmp_path):
    label = load_edition("2021").table("active").labels[3]  # 表二's "本年废止件数" (any label would do)
    changed = label.text + "（改）"
    ed = parse_edition(spec_with("2021", label.text, changed), source="2021.toml")
    out = write_workbook(tmp_path / "changed.xlsx", ed, agency=AGENCY, year=YEAR["2021"])
    found = differences(out, golden("2021"))
    strings = [d for d in found if d.startswith("xl/sharedStrings.xml:")]
    assert strings, found
    assert re.search(rf"^-\s+<t>{re.escape(label.text)}</t>$", strings[0], re.M), strings[0]
    assert re.search(rf"^\+\s+<t>{re.escape(changed)}</t>$", strings[0], re.M), strings[0]


def test_a_moved_label_shows_as_a_sheet_diff(tmp_path):
    """Swapping two column labels moves each to the other's cell: the shared strings change order
    and the sheet part shows the input prompts of the columns below them naming the other label."""
    t = load_edition("2021").table("active")
    a, b = t.labels[2], t.labels[3]  # 本年制发件数 at B2, 本年废止件数 at C2
    text = spec_with("2021", a.text, "\0").replace(f'text = "{b.text}"', f'text = "{a.text}"')
    text = text.replace('text = "\0"', f'text = "{b.text}"')
    out = write_workbook(tmp_path / "moved.xlsx", parse_edition(text, source="2021.toml"), agency=AGENCY,
                         year=YEAR["2021"])
    found = differences(out, golden("2021"))
    assert any(d.startswith("xl/sharedStrings.xml:") for d in found), found
    sheet = next(d for d in found if re.match(r"xl/worksheets/sheet\d+\.xml:", d))
    was = set(re.findall(rf'^-.* × {re.escape(a.text)}&#xA;.*sqref="(\w+)">$', sheet, re.M))
    now = set(re.findall(rf'^\+.* × {re.escape(b.text)}&#xA;.*sqref="(\w+)">$', sheet, re.M))
    assert was and was == now, sheet  # the same cells, below the label that moved there
