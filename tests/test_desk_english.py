"""`govxl desk --lang en`: every page the office and a unit can reach, every message, error page,
status and file meant for people is in English (`<html lang="en">`); no Chinese is left but the
users' own data (unit, file and agency names) and the official labels of the report form, which
are the form's data. Chinese stays the default. Crawled through Flask's test client on SQLite;
the process (GOVXL_LANG=en, waitress's own "too large" page) as `govxl desk` runs it."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import urlsplit

import pytest

pytest.importorskip("flask")

import openpyxl  # noqa: E402
from desk_support import PASSWORD, DeskServer, fill, unbalanced_values  # noqa: E402
from test_desk import Office, csrf, upload, workbook  # noqa: E402
from test_desk_trust import ED, LIMITS, not_verified_docx, own_values  # noqa: E402

import govxl  # noqa: E402
from govxl.desk import adapter  # noqa: E402
from govxl.desk.app import create_app  # noqa: E402
from govxl.desk.server import set_password  # noqa: E402
from govxl.desk.store import Desk  # noqa: E402
from govxl.desk.work import Runner  # noqa: E402

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
UNITS = ["县教育局", "县财政局", "县交通运输局", "县卫生健康委员会", "县统计局", "县审计局"]
AGENCY = "县人民政府办公室"


def official_labels() -> set[str]:
    """The report form's own words (its sheets, titles, labels, rows and columns): data, not prose."""
    out: set[str] = set()
    for t in ED.tables:
        out |= {t.sheet, t.title, *(lb.text for lb in t.labels), *(b.show_label for b in t.balances)}
        for f in t.fields:
            out |= {f.row_label, f.col_label}
    return {part.strip() for text in out for part in text.split(" / ") if part.strip()}


def foreign(page: str, data: set[str]) -> list[str]:
    """The Chinese left on `page` once the users' data and the form's labels are taken out, each
    with some text around it."""
    text = html.unescape(re.sub(r"<style>.*?</style>", "", page, flags=re.S))  # font names are not words
    for d in sorted(data, key=len, reverse=True):
        text = text.replace(d, "")
    return [text[max(0, m.start() - 40):m.end() + 40] for m in CJK.finditer(text)]


@pytest.fixture
def app(tmp_path):
    d = Desk(tmp_path / "desk")
    set_password(d, PASSWORD)
    yield create_app(d, Runner(0, "en"), **LIMITS)
    d.close()


class Crawl:
    """Every page seen, checked; then every link on those pages followed, once."""

    def __init__(self, data: set[str]) -> None:
        self.data, self.seen, self.bad = data, set(), {}

    def check(self, where: str, resp) -> str:
        page = resp.get_data(as_text=True)
        if resp.mimetype == "text/html":
            assert '<html lang="en">' in page, where
            left = foreign(page, self.data)
            if left:
                self.bad[where] = left
        return page

    def follow(self, client, start: list[str]) -> None:
        todo = list(start)
        while todo:
            path = todo.pop()
            if path in self.seen:
                continue
            self.seen.add(path)
            r = client.get(path)
            if r.status_code in (301, 302, 303):
                todo.append(urlsplit(r.headers["Location"]).path)
                continue
            page = self.check(path, r)
            if r.mimetype == "text/html":
                todo += [urlsplit(html.unescape(h)).path for h in re.findall(r'href="([^"#]+)', page)
                         if h.startswith("/") and not re.search(r"\.(xlsx|zip|csv|json)$|/original$", h)]


def test_every_page_of_the_office_and_a_unit_is_english_with_lang_en(app, tmp_path):
    names = {"教育局年报.docx", "财政局.xlsx", "交通局.xlsx", "卫健委.xlsx", "坏文件.xlsx", "a.xlsx", "第3页.png"}
    crawl = Crawl(set(UNITS) | names | {AGENCY, "某市人民政府办公室", "别的单位"} | official_labels())
    anon = app.test_client()
    crawl.check("login", anon.get("/login"))
    r = anon.post("/login", data={"password": "wrong", "csrf": csrf(anon.get("/login").text)})
    assert "Wrong password." in crawl.check("wrong password", r)
    crawl.check("404", anon.get("/nowhere"))
    r = anon.post("/login", data={"password": PASSWORD})
    assert r.status_code == 400 and "no CSRF token" in crawl.check("no csrf", r)

    office = Office(app)
    crawl.check("office", office.c.get("/office"))
    season = office.open_season(2025)
    office.add_units(season, "\n".join(UNITS))
    assert "6 units added." in crawl.check("units added", office.c.get(season))
    office.add_units(season, UNITS[0])
    assert "0 units added; 1 already on the list" in crawl.check("known unit", office.c.get(season))
    units = office.units(season)
    links = {n: office.link(p) for n, p in units.items()}
    c = app.test_client()
    # 教育局: not verified; 财政局: passed; 交通局: failed; 卫健委: another agency's report, held; 统计局: unreadable
    sent = {
        "县教育局": (not_verified_docx(tmp_path / "nv.docx", "县教育局").read_bytes(), "教育局年报.docx"),
        "县财政局": (fill(workbook(office, units["县财政局"], tmp_path, "b1.xlsx"), tmp_path / "1.xlsx", ED,
                         own_values(1)).read_bytes(), "财政局.xlsx"),
        "县交通运输局": (fill(workbook(office, units["县交通运输局"], tmp_path, "b2.xlsx"), tmp_path / "2.xlsx", ED,
                            unbalanced_values(ED)).read_bytes(), "交通局.xlsx"),
        "县卫生健康委员会": (fill(govxl.new(tmp_path / "b3.xlsx", agency="别的单位", year=2025), tmp_path / "3.xlsx", ED,
                              own_values(3)).read_bytes(), "卫健委.xlsx"),
        "县统计局": (b"PK\x03\x04 not a workbook", "坏文件.xlsx"),
    }
    results = {}
    for name, (data, filename) in sent.items():
        r = upload(c, links[name], data, filename)
        assert r.status_code == 303
        results[name] = crawl.check(f"result {name}", c.get(r.headers["Location"]))
    statuses = {n: re.search(r'id="verdict"[^>]*>([^<]*)<', p).group(1) for n, p in results.items()}
    assert statuses == {"县教育局": "not verified", "县财政局": "passed", "县交通运输局": "failed",
                        "县卫生健康委员会": "waiting for the office (not counted yet)", "县统计局": "could not check"}
    assert "no rule is broken, but 3 rules were not verified (T3-COL " in results["县教育局"]
    assert "new + carried over" in results["县交通运输局"]
    # the unit's own errors: a wrong file type, an empty file, too large
    for data, filename, said in ((b"x", "a.txt", "This kind of file is not taken: upload Excel workbook (.xlsx), "),
                                 (b"", "a.xlsx", "The uploaded file is empty."),
                                 (b"\0" * (4 << 20), "a.xlsx", "File too large: an upload may be at most 3 MB.")):
        r = upload(c, links["县审计局"], data, filename)
        assert r.status_code in (400, 413) and said in crawl.check(f"unit error {filename}", r), r.text
    home = crawl.check("unit home", c.get(links["县教育局"]))
    assert re.search(r'Status now: <span class="not_verified">not verified</span>', home)

    # 统计局 sends again: a scan, 识别中 until the queue of scans has read it. Its row is recorded as the
    # upload records it (adapter.scanning, the file stored); no queue runs here, so it stays scanning.
    d = app.extensions["desk"]
    unit = next(u for u in d.units(int(season.rsplit("/", 1)[1])) if u.name == "县统计局")
    sha, size, _path = d.store(io.BytesIO(b"\x89PNG\r\n\x1a\n a picture of a page"), ".png", 1 << 20)
    upid = d.record(unit.id, sha, size, ".png", "第3页.png", adapter.scanning(app.extensions["runner"].lang))
    r = c.get(f"{links['县统计局']}/r/{upid}")
    scan = crawl.check("result scanning", r)
    assert r.headers["Refresh"] == "10" and re.search(r'id="verdict" data-status="scanning"[^>]*>reading the scan…<', scan)
    assert "this is a scan or a picture: its tables are being read by text recognition (OCR)" in scan
    assert "errors," not in scan  # no counts before it is read
    assert re.search(r'Status now: <span class="scanning">reading the scan…</span>',
                     crawl.check("unit home scanning", c.get(links["县统计局"])))

    # the office decides on the held one, closes the season, reopens it, renames and retires a unit
    held = re.search(r'data-unit="县卫生健康委员会" data-status="held">.*?href="(/office/upload/\d+)"',
                     office.c.get(season).text, re.S).group(1)
    r = office.c.post(held + "/decide", data={"decision": "count", "csrf": office.token})
    assert "Decided: counted in the roll-up." in crawl.check("decided", office.c.get(r.headers["Location"]))
    dash = crawl.check("dashboard", office.c.get(season))
    assert re.search(r'id="tally">The roll-up counts <b id="counted">2</b> units', dash)
    assert "the latest upload is not verified: no rule is broken, but 3 rules were not verified" in dash
    assert "the latest upload is a scan still being read (reading the scan…)" in dash
    assert re.search(r'data-unit="县统计局" data-status="scanning">', dash)
    r = office.c.get(season + "/rollup.xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith("2025-report-rollup.xlsx")
    (tmp_path / "r.xlsx").write_bytes(r.data)
    rows = [[x.value for x in row] for row in openpyxl.load_workbook(tmp_path / "r.xlsx")["Units left out"].iter_rows()]
    assert rows[0] == ["Unit", "Why"] and [r[0] for r in rows[1:]] == ["001 县教育局", "003 县交通运输局", "005 县统计局",
                                                                       "006 县审计局"]
    assert not [w for _, w in rows[1:] if foreign(w, crawl.data)], rows
    links_csv = office.c.get(season + "/links.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(links_csv)))
    assert table[0] == ["No.", "Unit", "Own link"] and [r[1] for r in table[1:]] == UNITS
    r = office.c.get(f"{season}/export.json")  # the findings in English; the rest is data (labels, values)
    assert r.headers["Content-Disposition"].endswith("2025-report-export.json")
    said = [f["message"] for rep in json.loads(r.data)["reports"] for f in rep["findings"]]
    assert foreign("\n".join(said), crawl.data) == []  # (the two counted reports break no rule)
    r = office.c.get(f"{season}/export.csv")
    assert r.headers["Content-Disposition"].endswith("2025-report-export.csv")
    assert not CJK.search(r.data.decode("utf-8-sig").splitlines()[0])
    r = office.c.post(season + "/close", data={"csrf": office.token})
    assert "The season is closed" in crawl.check("closed", office.c.get(r.headers["Location"]))
    late = app.test_client()
    r = late.post(links["县审计局"] + "/upload", content_type="multipart/form-data",
                  data={"csrf": csrf(late.get("/login").text), "file": (io.BytesIO(b"x"), "a.xlsx")})
    assert "The 2025 season is closed: no more uploads" in crawl.check("closed upload", r)
    crawl.check("closed unit home", app.test_client().get(links["县审计局"]))
    r = office.c.post(season + "/reopen", data={"csrf": office.token})
    assert "The season is open again" in crawl.check("reopened", office.c.get(r.headers["Location"]))
    r = office.c.post(units["县审计局"] + "/rename", data={"name": "县财政局", "csrf": office.token})
    assert r.status_code == 400 and "is already on the list" in crawl.check("name taken", r)
    r = office.c.post(units["县审计局"] + "/retire", data={"csrf": office.token})
    assert "The unit is retired" in crawl.check("retired", office.c.get(r.headers["Location"]))
    r = office.c.post("/office/password", data={"old": "wrong", "new": "x", "again": "x", "csrf": office.token})
    assert r.status_code == 400 and "The current password is wrong." in crawl.check("password", r)

    # every page either of them can reach from there
    crawl.follow(office.c, ["/office", season])
    crawl.follow(app.test_client(), list(links.values()))
    assert len(crawl.seen) > 20
    assert f"/office/upload/{upid}" in crawl.seen  # the office's page of the scan 识别中 too
    assert crawl.bad == {}, "\n".join(f"{k}: {v}" for k, v in crawl.bad.items())


def test_chinese_stays_the_default(tmp_path):
    d = Desk(tmp_path / "desk")
    set_password(d, PASSWORD)
    app = create_app(d, Runner(0), **LIMITS)
    page = app.test_client().get("/login").text
    assert '<html lang="zh-CN">' in page and "公开办登录" in page and "Office login" not in page
    d.close()


def test_govxl_lang_en_makes_the_desk_english_to_the_servers_own_answers(tmp_path, monkeypatch):
    import http.client

    from desk_support import Client

    monkeypatch.setenv("GOVXL_LANG", "en")
    srv = DeskServer(tmp_path / "desk", jobs=0, extra=("--max-upload-mb", "1"))
    try:
        assert srv.links.startswith("The units' links start with http://")
        c = Client(srv.url)
        _s, _h, body = c.get("/login")
        assert '<html lang="en">' in body.decode() and "Office login" in body.decode()
        c.login()
        _s, _h, body = c.get("/office")
        assert foreign(body.decode(), set()) == []
        u = urlsplit(srv.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.putrequest("POST", "/u/" + "A" * 32 + "/upload")  # too large for the server itself
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(8 << 20))
        conn.endheaders()
        try:
            conn.send(b"\0" * (8 << 20))
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = conn.getresponse()
        page = r.read().decode("utf-8")
        assert r.status == 413 and '<html lang="en">' in page and "File too large" in page and "1 MB" in page
        assert foreign(page, set()) == []
    finally:
        srv.stop()


def test_the_crawl_takes_out_only_the_users_data_and_the_forms_labels():
    """The crawl's own check: a unit's name and an official label go, a word of the desk's stays."""
    data = set(UNITS) | official_labels()
    assert foreign('<p>县教育局 passed “自然人”</p>', data) == []
    assert len(foreign('<p>县教育局 通过</p>', data)) == 2  # each character of it


def test_a_library_error_is_said_in_the_desks_language():
    """A workbook the library cannot make or sum (its GovxlError) reaches the page in the desk's language."""
    from govxl.errors import UsageError

    exc = UsageError(code="U-EXPORT-FORMAT", to="x")
    assert CJK.search(adapter.readable_error(exc)) and not CJK.search(adapter.readable_error(exc, "en"))
    assert adapter.readable_error(ValueError("x"), "en") is None


def test_every_status_has_its_word_in_both_languages():
    from govxl.desk.wording import status

    codes = [adapter.PASSED, adapter.FAILED, adapter.UNREADABLE, adapter.NOT_VERIFIED, adapter.HELD, adapter.LEFT_OUT,
             "missing", "scanning"]
    assert [status(c, "en") for c in codes] == ["passed", "failed", "could not check", "not verified",
                                                 "waiting for the office (not counted yet)",
                                                 "left out of the roll-up (the office's decision)", "not submitted",
                                                 "reading the scan…"]
    assert [status(c) for c in codes] == ["通过", "不通过", "无法校验", "未能核对", "待确认（暂不计入汇总）",
                                          "不计入汇总（公开办决定）", "未报送", "识别中"]
    assert status("new-one", "en") == "new-one"  # a status with no word yet never breaks a page
