"""Issue 28: the cells of a scan read without certainty.  Each carries the picture of the cell
(govxl.cellcrop) into `govxl check --report` (an <img> beside its I-OCR finding) and `--annotate`
(a picture anchored at the cell of the marked copy); and the arithmetic may choose between the
readings of one (govxl/importer/readings.py): only the reading that is the only one to make the
rules needing the cell hold, never a wrong one.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
import scans
from cli import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ooxml import assert_valid_ooxml
from test_documents import ED, GOOD, NANGUAN_AGENCY

from govxl.cellcrop import PARAM, PREFIX, png_of, png_size
from govxl.importer.readings import choose, equations
from govxl.judge.rules import evaluate
from govxl.report.findings import Finding

T3_SHEET = "三、收到和处理政府信息公开申请情况"
CROSSED = [(10, 2), (10, 3), (11, 2), (11, 3)]  # table 三's cells (as ocr_grid cuts them) crossed out: a 2×2 block


def picture(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def not_blank(png: bytes) -> bool:
    """Ink on paper: dark pixels and light ones (not one flat colour)."""
    img = picture(png)
    return img.min() < 100 and img.max() > 180 and img.std() > 20


@pytest.fixture(scope="module")
def crossed_scan(tmp_path_factory):
    """The 南关区 report printed, scanned at 200 dpi, a 2×2 block of table 三's figures crossed out
    with a pen: `govxl check` with --report and --annotate, as JSON."""
    d = tmp_path_factory.mktemp("unsure")
    pdf, _ = scans.report_pdf(d, "good", GOOD, NANGUAN_AGENCY, 2023)
    pages = scans.rasterise(pdf, 200)
    pages[0] = scans.cross_out(pages[0], scans.cell_boxes(pages[0], 1, CROSSED))
    scan = scans.save_pdf(pages, d / "扫描件.pdf", 200)
    r = run("check", scan, "--format", "json", "--report", d / "r.html", "--annotate", d / "copies")
    assert r.returncode == 0, (r.stdout, r.stderr)
    return d, json.loads(r.stdout)


@pytest.mark.ocr
@pytest.mark.libreoffice
def test_each_unsure_cell_of_a_scan_carries_its_picture(crossed_scan):
    _, got = crossed_scan
    assert got["verdict"] == "not_verified"
    ocr = [f for f in got["findings"] if f["rule"] == "I-OCR"]
    # the four crossed-out figures, each unknown with its own finding: the arithmetic cannot choose
    # (each row's sum and each column's sum holds two of them)
    assert sorted((f["params"]["page"], f["params"]["row"], f["params"]["col"]) for f in ocr
                  if f["sheet"] == T3_SHEET and f["params"]["page"] == 1 and (f["params"]["row"], f["params"]["col"] - 1)
                  in {(r + 1, c) for r, c in CROSSED}) == sorted((1, r + 1, c + 1) for r, c in CROSSED)
    for f in ocr:
        text = f["params"][PARAM]
        assert text.startswith(PREFIX)
        png = base64.b64decode(text[len(PREFIX):])
        w, h = png_size(png)
        assert 20 <= w <= 280 and 10 <= h <= 64, (w, h)
        assert not_blank(png)
        assert png_of(Finding.of("I-OCR", params={PARAM: text})) == png


@pytest.mark.ocr
@pytest.mark.libreoffice
def test_the_html_report_shows_each_picture_beside_its_finding(crossed_scan):
    from bs4 import BeautifulSoup

    d, got = crossed_scan
    soup = BeautifulSoup((d / "r.html").read_text(encoding="utf-8"), "html.parser")
    crops = {f["params"][PARAM] for f in got["findings"] if PARAM in f["params"]}
    imgs = soup.select("table.findings img.crop")
    assert len(imgs) == len(crops) >= 4
    for img in imgs:
        row = img.find_parent("tr")
        assert row.select_one("span.code").get_text() in ("I-OCR", "I-OCR-ARITH")
        assert img["src"] in crops and img["alt"]
        png = base64.b64decode(img["src"][len(PREFIX):], validate=True)
        assert png_size(png) == (int(img["width"]), int(img["height"])) and not_blank(png)
    # self-contained: every picture is inside the page
    assert all(i["src"].startswith(PREFIX) for i in soup.find_all("img"))


@pytest.mark.ocr
@pytest.mark.libreoffice
@pytest.mark.chromium
def test_the_picture_is_drawn_in_chromium(crossed_scan, tmp_path):
    import cv2
    import numpy as np
    from chromium import screenshot

    d, got = crossed_scan
    shot = picture(screenshot(d / "r.html", tmp_path / "r.png", width=1000, height=2400).read_bytes())
    first = next(f for f in got["findings"] if f["rule"] == "I-OCR")
    crop = picture(base64.b64decode(first["params"][PARAM][len(PREFIX):]))
    score = cv2.matchTemplate(shot.astype(np.uint8), crop.astype(np.uint8), cv2.TM_CCOEFF_NORMED).max()
    assert score > 0.9, score


@pytest.mark.ocr
@pytest.mark.libreoffice
def test_the_marked_copy_holds_each_picture_anchored_at_its_cell(crossed_scan):
    import openpyxl

    d, got = crossed_scan
    copy = next((d / "copies").rglob("*.xlsx"))
    assert_valid_ooxml(copy)
    with zipfile.ZipFile(copy) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/") and n.endswith(".png")]
        pngs = {z.read(n) for n in media}
    crops = {base64.b64decode(f["params"][PARAM][len(PREFIX):]) for f in got["findings"] if PARAM in f["params"]}
    assert pngs == crops
    ws = openpyxl.load_workbook(copy)[T3_SHEET]
    anchored = {(i.anchor._from.row + 1, i.anchor._from.col + 1) for i in ws._images}
    want = set()
    for f in got["findings"]:
        if PARAM in f["params"] and f["sheet"] == T3_SHEET:
            cell = ws[f["cell"]]
            want.add((cell.row, cell.column))
    assert anchored == want and len(want) >= 4


# ------------------------------------------------------------------ the arithmetic chooses
T3_KEYS = [f.key for f in ED.fields if f.table == "requests"]


@st.composite
def unsure_cells(draw):
    """A consistent report, one of its cells (table 三) unsure with two readings (the true one or
    not), and maybe a second cell unknown."""
    inputs = scans.random_inputs(ED, draw(st.integers(0, 10_000)))
    values = evaluate(ED, inputs)
    key = draw(st.sampled_from(T3_KEYS))
    true = values[key]
    wrong = draw(st.lists(st.integers(0, 20_000).filter(lambda v: v != true), min_size=1, max_size=2, unique=True))
    with_true = draw(st.booleans())
    readings = ([true] if with_true else []) + wrong
    readings = draw(st.permutations(readings))
    gone = draw(st.sets(st.sampled_from(T3_KEYS), max_size=2))
    known = {k: v for k, v in values.items() if k != key and k not in gone}
    return known, key, true, readings


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unsure_cells())
def test_the_arithmetic_takes_the_true_reading_iff_it_alone_fits_and_never_a_wrong_one(case):
    known, key, true, readings = case
    taken = choose(ED, known, {key: readings})
    deciding = [eq for eq in equations(ED) if key in (*eq[0], *eq[1])
                and all(k in known for k in (*eq[0], *eq[1]) if k != key)]

    def fits(v):
        return any(abs(sum(v if k == key else known[k] for k in eq[0]) - sum(v if k == key else known[k] for k in eq[1]))
                   < 1e-9 for eq in deciding)

    if key in taken:
        assert taken[key][0] == true  # never a wrong reading
        assert sorted(taken[key][1]) == sorted(v for v in readings if v != true)
    alone = true in readings and [v for v in readings if fits(v)] == [true]
    assert (key in taken) == alone


def test_two_readings_that_both_fit_or_a_rule_not_all_known_choose_nothing():
    values = evaluate(ED, scans.random_inputs(ED, 3))
    key = ("requests", "new", "natural_person")
    known = {k: v for k, v in values.items() if k != key}
    assert choose(ED, known, {key: [values[key] + 5, values[key]]}) == {key: (values[key], (values[key] + 5,))}
    assert choose(ED, known, {key: [values[key] + 5]}) == {}  # no reading fits
    # rules whose other cells are not all known decide nothing: one more cell of its row and of its column unknown
    gone = {("requests", "new", "commercial"), ("requests", "carried_over", "natural_person")}
    assert gone <= set(values)
    assert choose(ED, {k: v for k, v in known.items() if k not in gone}, {key: [values[key]]}) == {}
    assert choose(ED, {k: v for k, v in known.items() if k not in list(gone)[:1]}, {key: [values[key]]}) != {}
    # an inconsistent table: the one reading that makes one rule hold breaks another: not taken
    bad = {**known, ("requests", "results.total", "natural_person"): values[("requests", "results.total", "natural_person")] + 1}
    assert choose(ED, bad, {key: [values[key], values[key] + 1]}) == {}


# ------------------------------------------------------------------ the real Tesseract
@pytest.mark.ocr
@pytest.mark.tesseract
def test_the_real_tesseract_agrees_and_runs_on_one_thread(tmp_path, monkeypatch):
    """Tesseract (the Debian program) is the second engine: on a clean ruled table of numbers it
    agrees with the recogniser on every cell, and it is run with OMP_THREAD_LIMIT=1 (5–10× slower
    otherwise).  A wrapper on PATH notes the variable and runs the real program."""
    import os
    import shutil

    from test_ocr import _grid_picture

    from govxl.importer import ocr

    real = shutil.which("tesseract")
    log = tmp_path / "env.log"
    wrapper = tmp_path / "bin" / "tesseract"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "OMP_THREAD_LIMIT=$OMP_THREAD_LIMIT" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    monkeypatch.delenv("GOVXL_OCR_TESSERACT", raising=False)
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    numbers = [["7", "12", "305"], ["4096", "8", "0"], ["96", "58", "2023"]]
    picture = _grid_picture(tmp_path / "表.png", numbers)
    ocr.tesseract_path.cache_clear()
    try:
        assert ocr.tesseract_path() == str(wrapper)
        src = ocr.read_scan(picture, "image")
    finally:
        ocr.tesseract_path.cache_clear()
    assert [r for r in src.rows if len(r) == 3] == numbers and not src.unsure
    calls = log.read_text().splitlines()
    assert len(calls) >= 9 and set(calls) == {"OMP_THREAD_LIMIT=1"}


def test_settle_takes_what_the_arithmetic_decides_and_says_so_with_the_picture():
    """The import's step (readings.settle): a decided cell becomes a number with I-OCR-ARITH (zh
    and en, the other reading, the picture, a note for the workbook); an undecided one stays
    unknown with I-OCR."""
    from govxl.importer.ocr import Unsure
    from govxl.importer.readings import settle

    values = evaluate(ED, scans.random_inputs(ED, 5))
    a = ("requests", "new", "natural_person")
    c = ("requests", "carried_over", "research")
    crop = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(8) + b"IHDR" + bytes(8)).decode()
    known = {k: v for k, v in values.items() if k not in (a, c)}
    unsure = {a: Unsure(1, 9, 3, 2, str(values[a] + 5), readings=(str(values[a] + 5), str(values[a])), crop=crop),
              c: Unsure(2, 4, 5, 1, "", readings=(), crop=crop)}
    notes: dict = {}
    found = settle(ED, known, unsure, notes)
    assert [f.rule for f in found] == ["I-OCR-ARITH", "I-OCR"]
    assert known[a] == values[a] and c not in known and list(notes) == [a]
    arith = found[0]
    assert f"取 {values[a]}" in arith.message() and f"另一读法 {values[a] + 5}" in arith.message()
    assert f"{values[a]} was taken" in arith.message("en") and f"the other reading: {values[a] + 5}" in arith.message("en")
    assert dict(arith.params)[PARAM] == crop and dict(found[1].params)[PARAM] == crop
    assert json.loads(json.dumps(arith.to_dict()))["params"]["others"] == [str(values[a] + 5)]


def test_only_a_small_well_formed_png_is_ever_drawn():
    """What a finding's `crop` holds is drawn only when it is a PNG data: URI of a small picture:
    anything else (another scheme, markup, a broken or huge picture) gives no <img> at all."""
    from govxl.report.page import crop_img

    def png(w, h):
        return b"\x89PNG\r\n\x1a\n" + bytes(4) + b"IHDR" + w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes(5)

    good = PREFIX + base64.b64encode(png(40, 20)).decode()
    assert png_of(Finding.of("I-OCR", params={PARAM: good})) == png(40, 20)
    assert crop_img(Finding.of("I-OCR", params={PARAM: good}), "<b>") == (
        f'<br><img class="crop" src="{good}" width="40" height="20" alt="&lt;b&gt;">')
    for bad in ("javascript:alert(1)", 'data:image/png;base64,"><script>x</script>', PREFIX + "!!!",
                PREFIX + base64.b64encode(b"GIF89a" + bytes(30)).decode(), PREFIX + base64.b64encode(png(4000, 20)).decode(),
                "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(), 42):
        f = Finding.of("I-OCR", params={PARAM: bad})
        assert png_of(f) is None and crop_img(f, "x") == ""
    assert crop_img(Finding.of("I-OCR"), "x") == ""
