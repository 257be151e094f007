"""`govxl desk`: the season's flow, the overview, and the desk's locks, on SQLite and on a real
PostgreSQL (each test runs on both), through the web pages (Flask's test client)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("flask")
pytest.importorskip("sqlalchemy")

import flask  # noqa: E402
import oddfiles  # noqa: E402
from cli import run, run_process  # noqa: E402
from desk_support import PASSWORD, fill, fresh_database, good_values, pg_cluster, unbalanced_values  # noqa: E402
from helpers import NANGUAN_2023, values  # noqa: E402

import govxl  # noqa: E402
from govxl.desk.app import create_app  # noqa: E402
from govxl.desk.server import set_password  # noqa: E402
from govxl.desk.store import Desk  # noqa: E402
from govxl.desk.work import Runner  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

ED = load_edition("2021")


@pytest.fixture(scope="module")
def pg():
    with pg_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def desk(request, tmp_path):
    url = fresh_database(request.getfixturevalue("pg")) if request.param == "postgres" else None
    d = Desk(tmp_path / "desk", url)
    set_password(d, PASSWORD)
    yield d
    d.close()


LIMITS = dict(max_upload=3 << 20, login_limit=(5, 60), upload_limit=(50, 60))


@pytest.fixture
def app(desk):
    return create_app(desk, Runner(0), **LIMITS)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


class Office:
    """The office's clicks."""

    def __init__(self, app) -> None:
        self.c = app.test_client()
        page = self.c.get("/login").text
        r = self.c.post("/login", data={"password": PASSWORD, "csrf": csrf(page)})
        assert r.status_code == 303

    @property
    def token(self) -> str:
        return csrf(self.c.get("/office").text)

    def open_season(self, year: int, copy_units: bool = True) -> str:
        data = {"year": str(year), "edition": "", "agency": "某市人民政府办公室", "csrf": self.token}
        if copy_units:
            data["copy_units"] = "1"
        r = self.c.post("/office/seasons", data=data)
        assert r.status_code == 303, r.text
        return r.headers["Location"]

    def add_units(self, season: str, names: str = "", csv_text: str | None = None) -> None:
        data = {"names": names, "csrf": self.token}
        if csv_text is not None:
            data["csv"] = (io.BytesIO(csv_text.encode("gb18030")), "units.csv")
        r = self.c.post(season + "/units", data=data, content_type="multipart/form-data")
        assert r.status_code == 303

    def units(self, season: str) -> dict[str, str]:
        """name -> the unit's office page."""
        page = self.c.get(season).text
        return {m.group(2): m.group(1) for m in re.finditer(r'<a href="(/office/s/\d+/u/\d+)">([^<]+)</a>', page)}

    def link(self, unit_page: str) -> str:
        return re.search(r'(/u/[A-Za-z0-9_-]{20,})</code>', self.c.get(unit_page).text).group(1)

    def counts(self, season: str) -> dict[str, int]:
        return {k: int(v) for k, v in re.findall(r'id="n-(\w+)">(\d+)<', self.c.get(season).text)}


def upload(client, link: str, data: bytes, name: str = "报告.xlsx"):
    token = csrf(client.get(link).text)
    return client.post(link + "/upload", data={"csrf": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def verdict(page: str) -> str:
    return re.search(r'id="verdict"[^>]*data-status="(\w+)"', page).group(1)


def marked_cells(page: str, rule: str) -> set[str]:
    """The cells of the official table 表三 marked with `rule` in the HTML findings."""
    table = re.search(r'<table class="official" data-table="requests".*?</table>', page, re.S).group(0)
    return {m.group(1) for m in re.finditer(r'<td[^>]*data-cell="(\w+)"[^>]*data-codes="([^"]*)"', table)
            if rule in m.group(2).split()}


def workbook(office: Office, unit_page: str, tmp_path: Path, name: str) -> Path:
    r = office.c.get(unit_page + "/blank.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    out = tmp_path / name
    out.write_bytes(r.data)
    return out


# ------------------------------------------------------------------ the season
def test_a_season_from_opening_to_roll_up(app, desk, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲县人民政府办公室\n乙县人民政府办公室\n",
                     csv_text="单位名称\n丙县人民政府办公室\n甲县人民政府办公室\n")
    units = office.units(season)
    assert list(units) == ["甲县人民政府办公室", "乙县人民政府办公室", "丙县人民政府办公室"]
    listed = list(csv.reader(io.StringIO(office.c.get(season + "/links.csv").data.decode("utf-8-sig"))))
    assert [(r[1], r[2].removeprefix("http://localhost")) for r in listed[1:]] == [
        (n, office.link(p)) for n, p in units.items()]
    assert office.counts(season) == {"total": 3, "submitted": 0, "passed": 0, "failed": 0, "missing": 3}

    # the unit's workbook: agency and year filled in
    blank = workbook(office, units["甲县人民政府办公室"], tmp_path, "blank.xlsx")
    rep = govxl.check(blank)
    assert (rep.agency, rep.year, rep.edition) == ("甲县人民政府办公室", 2025, "2021")

    # the unit, through its own link only (another client: no admin session)
    unit = app.test_client()
    link = office.link(units["甲县人民政府办公室"])
    bad = fill(blank, tmp_path / "bad.xlsx", ED, unbalanced_values(ED))
    r = upload(unit, link, bad.read_bytes())
    assert r.status_code == 303
    page = unit.get(r.headers["Location"]).text
    assert verdict(page) == "failed"
    expected = {f.cell for f in govxl.check(bad).findings if f.rule == "T3-BAL"}
    expected = {c.strip() for cell in expected for c in cell.split(",")}
    bal_row = {ED.field(("requests", "new", "natural_person")).cell, ED.field(("requests", "new", "total")).cell}
    assert bal_row <= expected  # the finding names the 新收 row of the column and the total
    assert marked_cells(page, "T3-BAL") == expected
    # the marked copy: a govxl workbook that checks like the upload
    m = re.search(r'href="([^"]+/marked\.xlsx)"', page).group(1)
    r = unit.get(m)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    (tmp_path / "marked.xlsx").write_bytes(r.data)
    assert [f.rule for f in govxl.check(tmp_path / "marked.xlsx").findings] == [f.rule for f in govxl.check(bad).findings]

    good = fill(blank, tmp_path / "good.xlsx", ED, good_values(ED))
    r = upload(unit, link, good.read_bytes(), "报告（改正）.xlsx")
    assert verdict(unit.get(r.headers["Location"]).text) == "passed"

    upload(app.test_client(), office.link(units["乙县人民政府办公室"]), bad.read_bytes())
    assert office.counts(season) == {"total": 3, "submitted": 2, "passed": 1, "failed": 1, "missing": 1}

    # every upload kept: the history shows both, with their hashes; both files are stored
    hist = office.c.get(units["甲县人民政府办公室"]).text
    rows = re.findall(r'<tr data-status="(\w+)">.*?<code>([0-9a-f]{16})</code>', hist, re.S)
    assert rows == [("passed", govxl_sha(good)[:16]), ("failed", govxl_sha(bad)[:16])]
    # the office downloads the original, byte for byte
    orig = re.findall(r'href="(/office/upload/\d+/original)"', hist)
    assert [office.c.get(o).data for o in orig] == [good.read_bytes(), bad.read_bytes()]

    # the roll-up of the passing report: a summary that passes `govxl check`
    r = office.c.get(season + "/rollup.xlsx")
    assert r.status_code == 200
    (tmp_path / "rollup.xlsx").write_bytes(r.data)
    summed = govxl.check(tmp_path / "rollup.xlsx")
    assert summed.ok() and summed.agency == "某市人民政府办公室" and summed.year == 2025
    assert summed.values[("requests", "new", "natural_person")] == good_values(ED)[("requests", "new", "natural_person")]
    res = run("check", tmp_path / "rollup.xlsx", text=False)
    assert res.returncode == 0, res.stdout.decode() + res.stderr.decode()

    # the export, CSV and JSON: the passing report only
    r = office.c.get(season + "/export.csv")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert len(rows) > 1 and any("甲县人民政府办公室" in cell for cell in rows[1])
    assert not any("乙县" in cell for row in rows for cell in row)
    data = json.loads(office.c.get(season + "/export.json").data)
    assert [r["agency"] for r in data["reports"]] == ["甲县人民政府办公室"]


def govxl_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_blank_workbooks_come_as_a_zip_one_per_unit(app, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局\n乙局/../丙\n")
    r = office.c.get(season + "/blanks.zip")
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.data))
    names = z.namelist()
    assert len(names) == 2 and all("/" not in n and "\\" not in n and not n.startswith(".") for n in names), names
    for n, agency in zip(sorted(names), ["甲局", "乙局/../丙"]):
        (tmp_path / "z.xlsx").write_bytes(z.read(n))
        assert govxl.check(tmp_path / "z.xlsx").agency == agency


LAST_YEAR = NANGUAN_2023.rstrip() + """
    结转下年度继续办理 自然人 3
"""


def last_year_values():
    v = values(ED, LAST_YEAR)
    v[("requests", "new", "natural_person")] += 3  # 13 new = 10 answered + 3 carried forward
    return v


def test_next_season_prefills_from_last_year_and_flags_jumps(app, desk, tmp_path):
    office = Office(app)
    s24 = office.open_season(2024)
    office.add_units(s24, "甲局\n乙局\n丙局")
    u24 = office.units(s24)
    for name in ("甲局", "乙局"):
        blank = workbook(office, u24[name], tmp_path, f"{name}-2024-blank.xlsx")
        filled = fill(blank, tmp_path / f"{name}-2024.xlsx", ED, last_year_values())
        r = upload(app.test_client(), office.link(u24[name]), filled.read_bytes())
        assert verdict(app.test_client().get(r.headers["Location"]).text) == "passed"

    s25 = office.open_season(2025)  # the units come along, with their passing 2024 reports
    u25 = office.units(s25)
    assert list(u25) == ["甲局", "乙局", "丙局"]
    blank = workbook(office, u25["甲局"], tmp_path, "甲局-2025-blank.xlsx")
    rep = govxl.check(blank)
    assert rep.year == 2025 and rep.values[("requests", "carried_over", "natural_person")] == 3
    assert govxl.check(workbook(office, u25["丙局"], tmp_path, "丙局-2025-blank.xlsx")).values.get(
        ("requests", "carried_over", "natural_person"), 0) == 0  # no last year: blank

    # 甲局 carries 3 over but reports 150 new requests this year: a jump; 乙局 stays as it was
    now = values(ED, """
        新收 自然人 150
        上年结转 自然人 3
        予以公开 自然人 153
    """)
    filled = fill(blank, tmp_path / "甲局-2025.xlsx", ED, now)
    page = app.test_client().get(upload(app.test_client(), office.link(u25["甲局"]), filled.read_bytes())
                                 .headers["Location"]).text
    assert verdict(page) == "passed"
    b2 = workbook(office, u25["乙局"], tmp_path, "乙局-2025-blank.xlsx")
    same = {**last_year_values(), ("requests", "carried_over", "natural_person"): 3}
    same[("requests", "results.public", "natural_person")] += 3
    upload(app.test_client(), office.link(u25["乙局"]), fill(b2, tmp_path / "乙局-2025.xlsx", ED, same).read_bytes())

    ov = office.c.get(s25 + "/overview").text
    new = re.search(r'<section id="m-new">.*?</section>', ov, re.S).group(0)
    assert "P25 <b>" in new and "2 个单位有数据" in new
    flags = dict(re.findall(r'<tr data-unit="([^"]+)" data-flag="(\w+)">', new))
    assert flags == {"甲局": "yes", "乙局": "no", "丙局": "no"}
    # the quartiles of 新收 (150 and 13 + 3 = 16 ... as the reports say)
    got = sorted(govxl.check(p).values[("requests", "new", "total")]
                 for p in (tmp_path / "甲局-2025.xlsx", tmp_path / "乙局-2025.xlsx"))
    p50 = (got[0] + got[1]) / 2
    assert f"P50 <b>{p50:g}</b>" in new
    share = re.search(r'<section id="m-public_share">.*?</section>', ov, re.S).group(0)
    assert re.search(r'data-unit="甲局"[^>]*>\s*<td>甲局</td><td class="n">100.0%</td>', share)  # all made public
    shares = sorted(v[("requests", "results.public", "total")] / v[("requests", "results.total", "total")]
                    for v in (govxl.check(tmp_path / f"{n}-2025.xlsx").values for n in ("甲局", "乙局")))
    assert f"P50 <b>{round((shares[0] + shares[1]) / 2 * 100, 1)}%</b>" in share

    # the unit sees the jump on its page and explains it; 乙局 has nothing to explain
    unit = app.test_client()
    link = office.link(u25["甲局"])
    page = unit.get(link).text
    # 新收 150 against 13, 予以公开 all of 153 against 4 of 10; no 复议/诉讼 case in either year
    assert re.findall(r'<tr data-measure="(\w+)">', page) == ["new", "public_share"]
    assert 'data-measure' not in app.test_client().get(office.link(u25["乙局"])).text
    r = unit.post(link + "/explain", data={"measure": "new", "text": "新设窗口，申请量大增", "csrf": csrf(page)})
    assert r.status_code == 303
    assert unit.post(link + "/explain", data={"measure": "corrected_share", "text": "x", "csrf": csrf(page)}).status_code == 400
    new = re.search(r'<section id="m-new">.*?</section>', office.c.get(s25 + "/overview").text, re.S).group(0)
    assert "单位说明：新设窗口，申请量大增" in new and '<span class="open">1</span>' in new  # still to be checked
    # the office marks it explained: the explanation is kept, the flag is closed
    uid = re.search(r"/office/s/\d+/u/(\d+)/explain", new).group(1)
    r = office.c.post(f"{s25}/u/{uid}/explain", data={"measure": "new", "note": "已电话核实", "csrf": office.token})
    assert r.status_code == 303
    new = re.search(r'<section id="m-new">.*?</section>', office.c.get(s25 + "/overview").text, re.S).group(0)
    assert "单位说明：新设窗口，申请量大增" in new and "已说明</span>（已电话核实）" in new
    assert '<span class="open">0</span>' in new
    assert "公开办已确认</span>：新设窗口，申请量大增" in unit.get(link).text

    # a cross-year finding against last season: 乙局 carries over the wrong number
    wrong = {**same, ("requests", "carried_over", "natural_person"): 4, ("requests", "new", "natural_person"): 12}
    page = app.test_client().get(upload(app.test_client(), office.link(u25["乙局"]),
                                        fill(b2, tmp_path / "乙局-wrong.xlsx", ED, wrong).read_bytes())
                                 .headers["Location"]).text
    assert re.search(r'<span class="code">X-', page), "no cross-year finding"


def test_the_office_uploads_last_years_report(app, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局")
    unit = office.units(season)["甲局"]
    last = govxl.new(tmp_path / "last-blank.xlsx", agency="甲局", year=2024)
    last = fill(last, tmp_path / "last.xlsx", ED, last_year_values())
    r = office.c.post(unit + "/previous", data={"csrf": office.token, "file": (last.open("rb"), "2024年报.xlsx")},
                      content_type="multipart/form-data")
    assert r.status_code == 303
    blank = workbook(office, unit, tmp_path, "blank.xlsx")
    assert govxl.check(blank).values[("requests", "carried_over", "natural_person")] == 3


# ------------------------------------------------------------------ the locks
@pytest.fixture
def season_with_two(app, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局\n乙局")
    units = office.units(season)
    links = {n: office.link(p) for n, p in units.items()}
    blank = workbook(office, units["甲局"], tmp_path, "blank.xlsx")
    bad = fill(blank, tmp_path / "bad.xlsx", ED, unbalanced_values(ED))
    r = upload(app.test_client(), links["甲局"], bad.read_bytes())
    result = r.headers["Location"]
    return office, season, links, result, bad


def test_a_units_token_opens_only_its_own_pages(app, season_with_two):
    office, season, links, result, _bad = season_with_two
    upid = result.rsplit("/", 1)[1]
    other = app.test_client()
    assert other.get(result).status_code == 200  # the link is the key
    assert other.get(f"{links['乙局']}/r/{upid}").status_code == 404
    assert other.get(f"{links['乙局']}/r/{upid}/marked.xlsx").status_code == 404
    assert other.get("/u/" + "A" * 32).status_code == 404
    assert other.get(links["甲局"][:-1] + ("x" if links["甲局"][-1] != "x" else "y")).status_code == 404
    # and no office page, no original file without the admin session
    for path in (season, f"/office/upload/{upid}", f"/office/upload/{upid}/original", season + "/rollup.xlsx",
                 season + "/export.csv", season + "/overview", "/office"):
        r = other.get(path)
        assert r.status_code in (302, 303) and "/login" in r.headers["Location"], path
    r = other.post(season + "/units", data={"names": "丁局", "csrf": csrf(other.get(links["甲局"]).text)})
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    assert "丁局" not in office.c.get(season).text


def test_every_office_page_asks_for_the_admin_password(app, season_with_two):
    """Walks the app's routes: each one under /office (of any method) sends a visitor with a
    unit's session but not the admin's to the login page, and changes nothing."""
    office, season, links, result, _bad = season_with_two
    sid = int(season.rsplit("/", 1)[1])
    upid = int(result.rsplit("/", 1)[1])
    uid = app.extensions["desk"].units(sid)[0].id
    other = app.test_client()
    token = csrf(other.get(links["甲局"]).text)
    before = office.c.get(season).text
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/office")]
    assert len(rules) >= 17  # every office page there is today, at least
    for rule in rules:
        values = {k: v for k, v in {"sid": sid, "uid": uid, "upid": upid, "to": "csv"}.items() if k in rule.arguments}
        with app.test_request_context():
            path = flask.url_for(rule.endpoint, **values)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = other.open(path, method=method, data={"csrf": token, "year": "2030", "names": "丁局"})
            assert r.status_code in (302, 303) and r.headers["Location"].startswith("/login?next="), (method, path)
    assert office.c.get(season).text == before


def test_every_form_needs_its_csrf_token(app, season_with_two):
    office, season, links, _result, bad = season_with_two
    unit = app.test_client()
    unit.get(links["乙局"])
    posts = [
        (unit, links["乙局"] + "/upload", {"file": (io.BytesIO(bad.read_bytes()), "a.xlsx")}),
        (office.c, season + "/units", {"names": "丁局"}),
        (office.c, "/office/seasons", {"year": "2026"}),
        (office.c, "/logout", {}),
        (app.test_client(), "/login", {"password": PASSWORD}),
    ]
    for client, path, data in posts:
        for token in (None, "forged-" + "x" * 40, csrf(Office(app).c.get("/office").text)):  # none, made up, another's
            form = dict(data) if token is None else {**data, "csrf": token}
            form = {k: ((io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v) for k, v in form.items()}
            r = client.post(path, data=form, content_type="multipart/form-data")
            assert r.status_code == 400 and "CSRF" in r.text, (path, token)
    assert office.counts(season)["submitted"] == 1 and "丁局" not in office.c.get(season).text
    assert "2026 年度" not in office.c.get("/office").text


def test_upload_names_never_become_paths(app, desk, season_with_two, tmp_path):
    _office, _season, links, _result, bad = season_with_two
    client = app.test_client()
    before = {p for p in tmp_path.rglob("*")}
    for name in ("../../../evil.xlsx", "..\\..\\evil2.xlsx", "/etc/evil3.xlsx", "a\x00b.xlsx", "<b>x</b>.xlsx"):
        r = upload(client, links["乙局"], bad.read_bytes(), name)
        assert r.status_code == 303, name
        page = client.get(r.headers["Location"]).text
        assert "<b>x</b>" not in page  # shown escaped
    made = {p for p in tmp_path.rglob("*")} - before
    assert not any("evil" in p.name for p in made) and not list(tmp_path.parent.rglob("evil*"))
    assert all(p.is_relative_to(desk.folder) for p in made)
    stored = [p for p in (desk.folder / "files").rglob("*") if p.is_file()]
    assert all(re.fullmatch(r"[0-9a-f]{64}\.xlsx", p.name) for p in stored), stored


def test_oversized_and_unknown_uploads_are_refused(app, desk, season_with_two):
    office, season, links, _result, bad = season_with_two
    client = app.test_client()
    r = upload(client, links["乙局"], b"PK" + b"\0" * (4 << 20))
    assert r.status_code == 413 and "MB" in r.text
    for name, data in (("report.html", b"<script>alert(1)</script>"), ("x.exe", b"MZ"), ("noext", bad.read_bytes())):
        r = upload(client, links["乙局"], data, name)
        assert r.status_code == 400 and "不支持" in r.text, name
    assert upload(client, links["乙局"], b"", "empty.xlsx").status_code == 400
    assert office.counts(season)["submitted"] == 1
    assert not [p for p in (desk.folder / "files" / "tmp").iterdir()]  # no half file left


def hostile_files(folder: Path) -> dict[str, Path]:
    out = {
        "zip bomb": oddfiles.zip_bomb(folder, gib=1.0),
        "zip bomb, lying sizes": oddfiles.zip_bomb(folder / "lie", gib=1.0, lie=True),
        "XXE": oddfiles.entity_attack(folder, "xl/workbook.xml", "external"),
        "billion laughs": oddfiles.entity_attack(folder, "xl/sharedStrings.xml", "laughs"),
        "encrypted zip": oddfiles.zip_encrypted(oddfiles.good(folder), folder / "enc.xlsx"),
        "html as xlsx": folder / "page.xlsx",
    }
    out["html as xlsx"].write_text("<html><script>alert(1)</script></html>")
    for name, (path, _msg) in oddfiles.not_workbooks(folder / "not").items():
        if name != "empty":  # refused before it is stored (test_oversized_and_unknown_uploads_are_refused)
            out[name] = path
    return out


def test_hostile_uploads_get_a_verdict_and_the_desk_keeps_serving(app, desk, season_with_two, tmp_path):
    office, season, links, _result, _bad = season_with_two
    (tmp_path / "lie").mkdir()
    client = app.test_client()
    for name, path in hostile_files(tmp_path).items():
        r = upload(client, links["乙局"], path.read_bytes(), "x.xlsx")
        assert r.status_code == 303, name
        page = client.get(r.headers["Location"]).text
        assert verdict(page) == "unreadable" and 'id="reason"' in page, name
        assert "<script>" not in page
    assert client.get(links["乙局"]).status_code == 200
    # an upload is never served as a page: the original comes as an attachment of bytes
    upid = max(int(x) for x in re.findall(r"/office/upload/(\d+)", office.c.get(office.units(season)["乙局"]).text))
    r = office.c.get(f"/office/upload/{upid}/original")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_elsewhere_and_send_a_strict_policy(app, season_with_two):
    office, season, links, result, _bad = season_with_two
    for client, path in ((office.c, season), (office.c, season + "/overview"), (app.test_client(), result),
                         (app.test_client(), links["甲局"]), (app.test_client(), "/login")):
        r = client.get(path)
        assert r.status_code == 200
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert not re.search(r"<script|src=\"http|href=\"http|@import|url\(http", r.text), path


def test_login_is_rate_limited(app):
    c = app.test_client()
    for _ in range(LIMITS["login_limit"][0]):
        r = c.post("/login", data={"password": "wrong", "csrf": csrf(c.get("/login").text)})
        assert r.status_code == 200 and "密码不正确" in r.text
    r = c.post("/login", data={"password": PASSWORD, "csrf": csrf(c.get("/login").text)})
    assert r.status_code == 429  # even the right password waits
    assert "/login" in c.get("/office").headers["Location"]


def test_uploads_are_rate_limited(desk, tmp_path):
    app = create_app(desk, Runner(0), max_upload=1 << 20, upload_limit=(3, 60))
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局")
    link = office.link(office.units(season)["甲局"])
    client = app.test_client()
    codes = [upload(client, link, b"not a workbook").status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    assert office.counts(season)["submitted"] == 1


def test_the_schema_is_what_the_migrations_make(desk):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from govxl.desk.db import metadata

    with desk.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        assert MigrationContext.configure(conn).get_current_revision() == "0002"


def test_the_command_is_listed_and_keeps_the_cli_light(tmp_path):
    res = run("--help")
    assert "desk" in res.stdout
    code = "import sys, govxl.cli; print(sorted(m for m in ('flask', 'sqlalchemy', 'waitress', 'alembic') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_units_come_from_a_folder_of_last_years_reports(app, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局")
    files = []
    for name in ("甲局", "乙局"):
        p = fill(govxl.new(tmp_path / f"{name}-blank.xlsx", agency=name, year=2024), tmp_path / f"{name}.xlsx", ED,
                 last_year_values())
        files.append((p.open("rb"), p.name))
    files.append((io.BytesIO(b"not a report"), "说明.xlsx"))
    r = office.c.post(season + "/previous", data={"csrf": office.token, "files": files}, content_type="multipart/form-data")
    assert r.status_code == 303
    page = office.c.get(season).text
    assert "1 份对应到已有单位，1 份新增了单位，1 份无法使用（说明.xlsx）" in page
    units = office.units(season)
    assert list(units) == ["甲局", "乙局"]
    for name in units:
        blank = workbook(office, units[name], tmp_path, f"{name}-2025.xlsx")
        assert govxl.check(blank).values[("requests", "carried_over", "natural_person")] == 3


def test_word_and_pdf_uploads_go_through_the_same_door(app, season_with_two, tmp_path):
    """Accepted types beyond .xlsx are stored, recorded and answered by govxl's readers."""
    import docx

    _office, _season, links, _result, _bad = season_with_two
    d = docx.Document()
    d.add_paragraph("某局2025年政府信息公开工作年度报告")
    d.save(tmp_path / "r.docx")
    client = app.test_client()
    for name, data, kind in (("年报.docx", (tmp_path / "r.docx").read_bytes(), "Word"),
                             ("年报.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF")):
        r = upload(client, links["乙局"], data, name)
        assert r.status_code == 303, name
        page = client.get(r.headers["Location"]).text
        assert f"文件：{name}" in page
        # until govxl imports documents, the reader says what the file is; then it is checked
        if verdict(page) == "unreadable":
            assert kind in re.search(r'id="reason">([^<]*)<', page).group(1), page
    history = client.get(links["乙局"]).text
    assert "年报.docx" in history and "年报.pdf" in history


def test_the_command_refuses_a_short_password_and_a_bad_database(tmp_path):
    # a process: were the refusal to go, the command would serve; the timeout ends that child
    env = {"GOVXL_DESK_PASSWORD": "short"}
    res = run_process("desk", tmp_path / "d", env=env, timeout=120)
    assert res.returncode == 2 and "至少 8 个字符" in res.stderr and "Traceback" not in res.stderr
    res = run_process("desk", tmp_path / "d", "--db", "nosuchdb://x", env=env, timeout=120)
    assert res.returncode == 2 and "无法打开收表台的数据库" in res.stderr and "Traceback" not in res.stderr
    # the password is kept only as a hash
    from govxl.desk.security import hash_password, verify_password

    stored = hash_password("correct horse")
    assert "correct horse" not in stored and verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored) and not verify_password("", stored)


def _die(code: int) -> None:
    import os

    os._exit(code)  # as a reader crashing in C would end its process


def test_a_check_process_that_dies_is_an_answer_not_a_crash():
    runner = Runner(1)
    try:
        assert runner.call(_die, 3, fallback="lost") == "lost"
        assert runner.call(pow, 2, 10) == 1024  # a new pool took its place
        out = runner.check("/nonexistent.xlsx", "x.xlsx", None)
        assert out.status == "unreadable" and out.reason
    finally:
        runner.close()


def test_login_returns_only_to_a_page_of_the_desk(app):
    for nxt, to in (("/office/s/1", "/office/s/1"), ("//evil.example/x", "/office"), ("/\\evil.example", "/office"),
                    ("https://evil.example/", "/office")):
        c = app.test_client()
        r = c.post(f"/login?next={nxt}", data={"password": PASSWORD, "csrf": csrf(c.get("/login").text)})
        assert r.status_code == 303 and r.headers["Location"] == to, nxt
