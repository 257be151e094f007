"""Fuzzing (issue 5): hypothesis mutates a valid workbook, at the zip level, in the XML and cell by cell.

The library must return a Report or raise a GovxlError (any other exception is a bug and fails
the test: there is deliberately no catch-all in the library); each file is decided within
the deadline; the CLI never prints a traceback. Runs derandomized with 60 examples per
strategy so CI is stable; `GOVXL_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_input.py` explores
with fresh random seeds.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import oddfiles as odd
import pytest
from cli import run_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govxl
from govxl.errors import GovxlError
from govxl.report.findings import Report
from govxl.spec import load_edition

EXAMPLES = int(os.environ.get("GOVXL_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=5), derandomize="GOVXL_FUZZ_EXAMPLES" not in os.environ,
                database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PER_FILE_SECONDS = 5


class Base(tuple):
    """(bytes of the good workbook, its members, a scratch path); a short repr in hypothesis' reports."""

    def __repr__(self) -> str:
        return "<good workbook>"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = odd.good(folder)
    return Base((path.read_bytes(), odd.members(path), folder / "mutant.xlsx"))


def outcome(path: Path) -> Report | GovxlError:
    """Check one file: a Report, or the GovxlError it raised. Anything else propagates (a bug)."""
    start = time.process_time()
    try:
        result: Report | GovxlError = govxl.check(path)
    except GovxlError as exc:
        assert str(exc) and "\n" not in str(exc), repr(exc)
        result = exc
    assert time.process_time() - start < PER_FILE_SECONDS
    if isinstance(result, Report):
        json.dumps(result.to_dict(), allow_nan=False, ensure_ascii=False)  # renderable as strict JSON
        for f in result.findings:
            f.message()
            f.message("en")
    return result


def zip_of(files: dict[str, bytes], path: Path, method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_the_harness_lets_a_library_bug_through(tmp_path, monkeypatch):
    """The fuzz tests below catch non-GovxlError exceptions only because `outcome` does not."""
    import govxl.sources.workbook

    monkeypatch.setattr(govxl.sources.workbook, "check_raw", lambda raw: {}["boom"])
    with pytest.raises(KeyError):
        outcome(odd.good(tmp_path))


# ------------------------------------------------------------------ 1. bytes of the zip file
@FUZZ
@given(data=st.data())
def test_random_bytes_in_the_zip(base, data):
    raw, _, path = base
    buf = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 8), "flips")):
        # bias towards the zip structure (headers, central directory, end record) where zipfile is tested hardest
        at = data.draw(st.one_of(st.integers(0, len(buf) - 1), st.integers(max(0, len(buf) - 1200), len(buf) - 1)))
        buf[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(buf))), "cut")
    if cut is not None:
        del buf[cut:]
    path.write_bytes(bytes(buf))
    outcome(path)


# ------------------------------------------------------------------ 2. the XML inside, re-zipped
PARTS = ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", odd.SHEET_T3, "xl/worksheets/sheet4.xml", odd.SST,
         odd.WORKBOOK, "xl/styles.xml", "docProps/custom.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels",
         "[Content_Types].xml"]
TOKENS = [b"<", b">", b"/>", b"</c>", b"<c>", b"<row>", b"&amp;", b"&#0;", b"&lol;", b"<!DOCTYPE x>", b"<![CDATA[",
          b"]]>", b"<?pi x?>", b'"', b"'", b'r="A0"', b'r="XFD1048577"', b'r=""', b's="-1"', b's="99999"', b't="s"',
          b't="b"', b't="e"', b"<v>", b"</v>", b"<v>nan</v>", b"<v>1e999</v>", b"<v>-1</v>", b"<f>",
          b'<f t="shared" si="0"/>', b"\xff", b"\xc3", b"\x00", b'encoding="gbk"', b'encoding="utf-16"', b"_x001B_",
          b"_xD800_", b"\t", b"\n" * 3]


@FUZZ
@given(data=st.data())
def test_random_changes_in_the_xml(base, data):
    _, files, path = base
    part = data.draw(st.sampled_from(PARTS), "part")
    xml = bytearray(files[part])
    for _ in range(data.draw(st.integers(1, 6), "edits")):
        at = data.draw(st.integers(0, len(xml)), "at")
        kind = data.draw(st.sampled_from(["token", "delete", "byte", "dup"]), "kind")
        if kind == "token":
            xml[at:at] = data.draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del xml[at:at + data.draw(st.integers(1, 200))]
        elif kind == "byte" and at < len(xml):
            xml[at] = data.draw(st.integers(0, 255))
        else:
            xml[at:at] = xml[at:at + data.draw(st.integers(1, 300))]
    method = data.draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]), "method")
    outcome(zip_of({**files, part: bytes(xml)}, path, method))


# ------------------------------------------------------------------ 3. cell types and values
INPUTS = [f for f in load_edition("2021").fields if not f.is_total]
TOTALS = [f for f in load_edition("2021").fields if f.is_total]
SHEET_PART = {"active": "xl/worksheets/sheet2.xml", "requests": odd.SHEET_T3, "appeals": "xl/worksheets/sheet4.xml"}
ODD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e308", "1e999", "-0", "0x10", "1_000", "９", "1,2", "  3  ", "3.5", "-1",
               "99999999999999999999", "1" * 5000, "", " ", "TRUE", "#N/A", "2024-01-02", "=1+1", "١٢", "½"]
xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@st.composite
def cells(draw, ref: str) -> str:
    t = draw(st.sampled_from([None, "n", "s", "str", "inlineStr", "b", "e", "d", "", "bogus"]))
    s = draw(st.sampled_from([None, "0", "1", "5", "99999", "-1", "x"]))
    r = draw(st.sampled_from([ref, ref, ref, "A0", "1A", "XFD1048576", "A" + "9" * 30, None]))
    value = draw(st.one_of(st.none(), st.sampled_from(ODD_NUMBERS), st.integers().map(str),
                           st.floats().map(repr), xml_text))
    formula = draw(st.sampled_from([None, None, None, "", "SUM(A1:A2)", "A1+1", "SUM(D7:D27)", 'HYPERLINK("x")']))
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in (("r", r), ("s", s), ("t", t)) if v is not None)
    body = "" if formula is None else f"<f>{escape(formula)}</f>"
    if t == "inlineStr":
        body += f"<is><t>{escape(value or '')}</t></is>"
    elif value is not None:
        body += f"<v>{escape(value)}</v>"
    return f"<c{attrs}>{body}</c>"


@FUZZ
@given(data=st.data())
def test_random_cell_types_and_values(base, data):
    _, files, path = base
    edits: dict[str, bytes] = {}
    targets = data.draw(st.lists(st.sampled_from(INPUTS + TOTALS), min_size=1, max_size=12, unique_by=lambda f: f.key))
    for f in targets:
        part = SHEET_PART[f.table]
        xml = edits.get(part, files[part])
        new = data.draw(cells(f.cell)).encode("utf-8", "surrogatepass")
        xml, n = re.subn(rf'<c r="{f.cell}"[^>]*?(/>|>.*?</c>)'.encode(), lambda m, new=new: new, xml, count=1)
        assert n == 1
        edits[part] = xml
    if data.draw(st.booleans(), "identity"):
        prop = data.draw(st.sampled_from(["govxl.edition", "govxl.template_version"]))
        value = data.draw(st.one_of(st.sampled_from(ODD_NUMBERS + ["2021", "2019", "1", "2"]), xml_text))
        edits["docProps/custom.xml"] = re.sub(
            rf'(name="{re.escape(prop)}"><vt:lpwstr>)[^<]*'.encode(),
            lambda m: m.group(1) + escape(value).encode("utf-8", "surrogatepass"), files["docProps/custom.xml"])
    outcome(zip_of({**files, **edits}, path))


# ------------------------------------------------------------------ 4. the CLI over mutants
def mutants(raw: bytes, files: dict[str, bytes], folder: Path, n: int, rng: random.Random) -> list[Path]:
    out = []
    for i in range(n):
        path = folder / f"变异 {i}.xlsx"
        if i % 2:
            buf = bytearray(raw)
            for _ in range(rng.randint(1, 5)):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
            path.write_bytes(bytes(buf))
        else:
            part = rng.choice(PARTS)
            xml = bytearray(files[part])
            at = rng.randrange(len(xml))
            xml[at:at] = rng.choice(TOKENS)
            zip_of({**files, part: bytes(xml)}, path)
        out.append(path)
    return out


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_over_mutants_never_a_traceback(base, tmp_path, fmt):
    raw, files, _ = base
    paths = mutants(raw, files, tmp_path, 16, random.Random(20250101))
    # a process, so that the deadline can stop a hang
    r = run_process("check", "--format", fmt, *paths, timeout=16 * PER_FILE_SECONDS)
    assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr + r.stdout
    failed = [line for line in r.stderr.splitlines() if line]
    assert all(re.match(r"^.*变异 \d+\.xlsx：无法校验：", line) for line in failed), failed
    assert "无法读取：文件结构异常" not in r.stderr, "an exception the library did not foresee"
    if fmt == "json":
        docs = json.loads(r.stdout)["files"]
        assert len(docs) == len(paths)
        assert r.returncode == (2 if any("error" in d for d in docs) else 1 if any(not d["ok"] for d in docs) else 0)
    else:
        assert (r.returncode == 2) == bool(failed)
