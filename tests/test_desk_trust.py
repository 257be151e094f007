"""`govxl desk`, tried as an office would: a report matched to its unit and season, the roll-up
counting exactly the units whose latest upload passed (the others listed with the reason), the
marked copy always the unit's own, no redirect off the desk, no server path in any answer, the
login that slows a stranger down without locking the office out, look-alike names, the desk's
address kept, closing a season, renaming and retiring units. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest

pytest.importorskip("flask")

import openpyxl  # noqa: E402
from desk_support import PASSWORD, fill, fresh_database, good_values, pg_cluster, unbalanced_values  # noqa: E402
from docfixtures import write_docx  # noqa: E402
from helpers import NANGUAN_2023, values  # noqa: E402
from test_desk import Office, csrf, upload, verdict, workbook  # noqa: E402
from test_documents import one_row_other  # noqa: E402

import govxl  # noqa: E402
from govxl.desk.app import create_app  # noqa: E402
from govxl.desk.server import set_password  # noqa: E402
from govxl.desk.store import Desk  # noqa: E402
from govxl.desk.work import Runner  # noqa: E402
from govxl.rules import evaluate  # noqa: E402
from govxl.spec import load_edition  # noqa: E402

ED = load_edition("2021")
ED19 = load_edition("2019")
NEW = ("requests", "new", "natural_person")
PUBLIC = ("requests", "results.public", "natural_person")
NEW_TOTAL = ("requests", "new", "total")
LIMITS = dict(max_upload=3 << 20, login_limit=(3, 2.0), upload_limit=(500, 60))


@pytest.fixture(scope="module")
def pg():
    with pg_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request):
    return fresh_database(request.getfixturevalue("pg")) if request.param == "postgres" else None


@pytest.fixture
def desk(db_url, tmp_path):
    d = Desk(tmp_path / "desk", db_url)
    set_password(d, PASSWORD)
    yield d
    d.close()


@pytest.fixture
def app(desk):
    return create_app(desk, Runner(0), **LIMITS)


def own_values(k: int) -> dict:
    """The 南关区 report with k more requests (made public): each unit's figures its own."""
    v = good_values(ED)
    v[NEW] += k
    v[PUBLIC] += k
    return v


def result_page(client, r) -> str:
    assert r.status_code == 303, r.status_code
    return client.get(r.headers["Location"]).text


def shown_verdict(page: str) -> str:
    return re.search(r'id="verdict"[^>]*>([^<]*)<', page).group(1)


def standing(page: str) -> str:
    return re.search(r'id="verdict"[^>]*data-standing="(\w+)"', page).group(1)


def left_out(page: str) -> dict[str, str]:
    table = re.search(r'<table class="list" id="left-out">.*?</table>', page, re.S)
    if table is None:
        return {}
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<tr data-unit="([^"]+)" data-status="\w+"><td class="n">\d+</td><td>[^<]*</td><td>([^<]*)</td>', table.group(0))}


def post_file(client, link: str, data: bytes):
    return client.post(link + "/upload", data={"csrf": csrf(client.get("/login").text), "file": (io.BytesIO(data), "a.xlsx")},
                       content_type="multipart/form-data")


# ------------------------------------------------------------------ tried as an office
def test_a_season_of_30_units_where_3_upload_the_wrong_report(app, desk, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    names = [f"第{i:02d}单位" for i in range(1, 31)]
    office.add_units(season, "\n".join(names))
    units = office.units(season)
    assert list(units) == names
    links = {n: office.link(p) for n, p in units.items()}
    files: dict[str, Path] = {}
    for i, name in enumerate(names, 1):
        blank = workbook(office, units[name], tmp_path, f"blank-{i}.xlsx")
        files[name] = fill(blank, tmp_path / f"{i}.xlsx", ED, own_values(i))
    wrong_year = fill(govxl.new(tmp_path / "y.xlsx", agency=names[27], year=2023), tmp_path / "2023.xlsx", ED,
                      own_values(28))
    wrong_edition = fill(govxl.new(tmp_path / "e.xlsx", agency=names[28], year=2025, edition="2019"),
                         tmp_path / "2019.xlsx", ED19, values(ED19, NANGUAN_2023))
    wrong = {names[27]: wrong_year, names[28]: wrong_edition, names[29]: files[names[0]]}  # 30 sends unit 1's
    pages = {}
    for name in names:
        client = app.test_client()
        pages[name] = result_page(client, upload(client, links[name], (wrong.get(name) or files[name]).read_bytes(),
                                                 f"{name}.xlsx"))
    # unit 27: passed, then a failing upload: its earlier report no longer counts
    bad = fill(workbook(office, units[names[26]], tmp_path, "b27.xlsx"), tmp_path / "bad27.xlsx", ED,
               unbalanced_values(ED))
    c = app.test_client()
    assert verdict(result_page(c, upload(c, links[names[26]], bad.read_bytes()))) == "failed"

    # none of the three shows plain 通过; each says at once what is wrong
    assert standing(pages[names[27]]) == "failed" and 'data-rule="D-YEAR"' in pages[names[27]]
    assert "报告年度为 2023，本次收的是 2025 年度的报告" in pages[names[27]]
    assert standing(pages[names[28]]) == "failed" and 'data-rule="D-EDITION"' in pages[names[28]]
    assert standing(pages[names[29]]) == "held" and shown_verdict(pages[names[29]]) != "通过"
    assert 'data-rule="D-AGENCY"' in pages[names[29]] and 'data-rule="D-COPY"' in pages[names[29]]
    assert f"本报告与“{names[0]}”的报告内容完全相同" in pages[names[29]]
    for name in names[:26]:
        assert standing(pages[name]) == "passed" and shown_verdict(pages[name]) == "通过", name

    # the dashboard: 26 counted; the others listed with their reasons, on the page ...
    dash = office.c.get(season).text
    assert re.search(r'<b id="counted">(\d+)</b>', dash).group(1) == "26"
    out = left_out(dash)
    assert set(out) == set(names[26:])
    assert out[names[26]].startswith("最近一次上传不通过") and "D-" not in out[names[26]]
    assert "报告年度为 2023" in out[names[27]] and "2019 版" in out[names[28]]
    assert out[names[29]].startswith("待公开办确认") and names[0] in out[names[29]]
    # ... and in the file: the roll-up is the sum of exactly the 26
    r = office.c.get(season + "/rollup.xlsx")
    assert r.status_code == 200
    (tmp_path / "rollup.xlsx").write_bytes(r.data)
    summed = govxl.check(tmp_path / "rollup.xlsx")
    assert summed.ok()
    want = sum(govxl.check(files[n]).values[NEW_TOTAL] for n in names[:26])
    assert summed.values[NEW_TOTAL] == want
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    listed = {row[0]: row[1] for row in wb["未计入的单位"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert {k.split(" ", 1)[1] for k in listed} == set(names[26:])
    assert all(listed[k] for k in listed)

    # the office accepts the copy: it counts (both units, as the office decided)
    upid = re.search(r"/u/[^/]+/r/(\d+)", pages[names[29]] + "").group(1) if "/r/" in pages[names[29]] else None
    upid = upid or re.findall(r'href="/office/upload/(\d+)"', dash)[-1]
    res = office.c.get(f"/office/upload/{upid}").text
    assert 'id="count"' in res
    assert office.c.post(f"/office/upload/{upid}/decide", data={"decision": "count", "csrf": office.token}).status_code == 303
    dash = office.c.get(season).text
    assert re.search(r'<b id="counted">(\d+)</b>', dash).group(1) == "27" and names[29] not in left_out(dash)
    (tmp_path / "rollup2.xlsx").write_bytes(office.c.get(season + "/rollup.xlsx").data)
    assert govxl.check(tmp_path / "rollup2.xlsx").values[NEW_TOTAL] == want + govxl.check(files[names[0]]).values[NEW_TOTAL]

    # the marked copy each unit downloads is its own upload's
    for name in (names[0], names[5], names[27]):
        c = app.test_client()
        m = re.search(r'href="([^"]+/marked\.xlsx)"', pages[name]).group(1)
        (tmp_path / "m.xlsx").write_bytes(c.get(m).data)
        assert govxl.check(tmp_path / "m.xlsx").agency == govxl.check(wrong.get(name) or files[name]).agency


def test_an_unmatched_agency_waits_for_the_office_and_can_be_left_out(app, desk, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局\n乙局")
    units = office.units(season)
    other = fill(govxl.new(tmp_path / "o.xlsx", agency="丙局", year=2025), tmp_path / "丙.xlsx", ED, own_values(1))
    c = app.test_client()
    page = result_page(c, upload(c, office.link(units["甲局"]), other.read_bytes()))
    assert standing(page) == "held" and "公开办确认前，本报告暂不计入汇总" in page
    assert "报告中写的：填报单位 丙局 · 报告年度 2025 · 格式版本 2021 版" in page
    upid = re.findall(r'href="/office/upload/(\d+)"', office.c.get(season).text)[-1]
    office.c.post(f"/office/upload/{upid}/decide", data={"decision": "leave", "csrf": office.token})
    assert left_out(office.c.get(season).text)["甲局"].startswith("公开办决定不计入")
    assert office.c.get(season + "/rollup.xlsx").status_code == 400  # nothing to count


# ------------------------------------------------------------------ leaks and holes
def test_the_marked_copy_is_never_another_databases(db_url, tmp_path):
    """The same folder, first with one database, then with another: upload 1 of each is another
    unit's report, and each unit downloads its own."""
    folder = tmp_path / "desk"
    urls = [None, db_url or "sqlite:///" + str(tmp_path / "other.sqlite3")]
    agencies = []
    for n, url in enumerate(urls):
        d = Desk(folder, url)
        set_password(d, PASSWORD)
        app = create_app(d, Runner(0), **LIMITS)
        office = Office(app)
        season = office.open_season(2025)
        name = ["县发展和改革局", "南山乡"][n]
        office.add_units(season, name)
        unit = office.units(season)[name]
        filled = fill(workbook(office, unit, tmp_path, f"b{n}.xlsx"), tmp_path / f"f{n}.xlsx", ED, own_values(n))
        c = app.test_client()
        page = result_page(c, upload(c, office.link(unit), filled.read_bytes()))
        assert re.search(r"/r/(\d+)", page).group(1) == "1"
        r = c.get(re.search(r'href="([^"]+/marked\.xlsx)"', page).group(1))
        (tmp_path / "m.xlsx").write_bytes(r.data)
        agencies.append(govxl.check(tmp_path / "m.xlsx").agency)
        # a cached copy whose record does not match is made again, not served
        for note in (folder / "cache").glob("marked-*.json"):
            note.write_text('{"sha256": "0", "name": "x", "desk": "y"}')
        (tmp_path / "m2.xlsx").write_bytes(c.get(re.search(r'href="([^"]+/marked\.xlsx)"', page).group(1)).data)
        assert govxl.check(tmp_path / "m2.xlsx").agency == name
        d.close()
    assert agencies == ["县发展和改革局", "南山乡"]


def test_login_never_sends_anyone_off_the_desk(app):
    for nxt in ("/%09/evil.example", "/%0D%0A/x", "//evil.example/x", "/\\evil.example", "https://evil.example/",
                "/%2F/evil.example", "/office/../../evil", "/office//evil.example", " /office", "/office%0d%0aX: y",
                "javascript:alert(1)", "/\t/evil.example"):
        c = app.test_client()
        r = c.post("/login?next=" + nxt, data={"password": PASSWORD, "csrf": csrf(c.get("/login").text)})
        assert r.status_code == 303, nxt
        assert r.headers["Location"] == "/office", (nxt, r.headers["Location"])
    c = app.test_client()
    r = c.post("/login?next=/office/s/3", data={"password": PASSWORD, "csrf": csrf(c.get("/login").text)})
    assert r.headers["Location"] == "/office/s/3"


def test_no_answer_carries_a_server_path(app, desk, tmp_path):
    office = Office(app)
    s24 = office.open_season(2024)
    office.add_units(s24, "甲局")
    u24 = office.units(s24)["甲局"]
    last = values(ED, NANGUAN_2023.rstrip() + "\n    结转下年度继续办理 自然人 3\n")
    last[NEW] += 3
    c = app.test_client()
    upload(c, office.link(u24), fill(workbook(office, u24, tmp_path, "b24.xlsx"), tmp_path / "f24.xlsx", ED,
                                     last).read_bytes(), "甲局2024年报.xlsx")
    s25 = office.open_season(2025)
    u25 = office.units(s25)["甲局"]
    now = {**good_values(ED), ("requests", "carried_over", "natural_person"): 5}
    now[PUBLIC] += 5
    pages = [result_page(c, upload(c, office.link(u25), fill(workbook(office, u25, tmp_path, "b25.xlsx"),
                                                             tmp_path / "f25.xlsx", ED, now).read_bytes()))]
    assert 'data-codes="X-CARRY' in pages[0] or "X-CARRY" in pages[0]
    assert "甲局2024年报.xlsx" in pages[0]  # last year's report by its own name
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
          b"trailer<</Root 1 0 R>>\n%%EOF\n"
    pages.append(result_page(c, upload(c, office.link(u25), pdf, "扫描件.pdf")))
    pages += [office.c.get(p).text for p in (s25, u25, s24)]
    for to in ("csv", "json"):
        r = office.c.get(f"{s24}/export.{to}")
        assert r.status_code == 200
        pages.append(r.data.decode("utf-8"))
    rows = list(csv.reader(io.StringIO(pages[-2].lstrip("\ufeff"))))
    assert {r[0] for r in rows[1:]} == {"001-甲局.xlsx"}
    hexname = re.compile(r"[0-9a-f]{40,}\.(xlsx|pdf)")
    for text in pages:
        for bad in (str(desk.folder), str(desk.folder.resolve()), "/tmp", "files/", "govxl-desk-"):
            assert bad not in text, bad
        assert not hexname.search(text)


def test_a_stranger_slows_the_login_down_but_never_locks_the_office_out(app):
    c = app.test_client()
    for _ in range(6):  # a stranger behind the same proxy
        c.post("/login", data={"password": "wrong", "csrf": csrf(c.get("/login").text)})
    office = app.test_client()
    r = office.post("/login", data={"password": PASSWORD, "csrf": csrf(office.get("/login").text)})
    assert r.status_code == 429 and "秒后再试" in r.text
    time.sleep(LIMITS["login_limit"][1] + 0.2)  # the longest wait
    r = office.post("/login", data={"password": PASSWORD, "csrf": csrf(office.get("/login").text)})
    assert r.status_code == 303
    # a browser the office logged in with before is never held up by a stranger's guesses
    office.post("/logout", data={"csrf": csrf(office.get("/office").text)})
    for _ in range(8):
        c.post("/login", data={"password": "wrong", "csrf": csrf(c.get("/login").text)})
    assert c.post("/login", data={"password": PASSWORD, "csrf": csrf(c.get("/login").text)}).status_code == 429
    r = office.post("/login", data={"password": PASSWORD, "csrf": csrf(office.get("/login").text)})
    assert r.status_code == 303
    # a made-up device mark is no mark
    forged = app.test_client()
    forged.set_cookie("govxl_desk_device", "x.y")
    assert forged.post("/login", data={"password": PASSWORD, "csrf": csrf(forged.get("/login").text)}).status_code == 429


def test_behind_a_trusted_proxy_a_stranger_at_the_offices_address_never_locks_its_browser_out(desk):
    """Behind the proxy the whole office network may be one address: a stranger guessing from it
    slows the account down, never the browser the office logged in with; for any other browser the
    right password works again once the backoff is over (at most its longest wait)."""
    app = create_app(desk, Runner(0), trust_proxy=True, **LIMITS)
    same = {"X-Forwarded-For": "10.1.2.3"}

    def login(client, password: str):
        page = client.get("/login", headers=same).text
        return client.post("/login", data={"password": password, "csrf": csrf(page)}, headers=same)

    office = app.test_client()
    assert login(office, PASSWORD).status_code == 303
    office.post("/logout", data={"csrf": csrf(office.get("/office", headers=same).text)}, headers=same)
    stranger = app.test_client()
    for _ in range(8):
        login(stranger, "wrong")
    assert login(stranger, PASSWORD).status_code == 429  # the account is slowed down
    assert login(office, PASSWORD).status_code == 303  # the office's browser is not
    other = app.test_client()  # a new browser of the office: waits out the backoff, then gets in
    assert login(other, PASSWORD).status_code == 429
    time.sleep(LIMITS["login_limit"][1] + 0.2)
    assert login(other, PASSWORD).status_code == 303


def test_forwarded_scheme_and_address_only_when_trusted(desk):
    for trust, scheme in ((False, "http"), (True, "https")):
        app = create_app(desk, Runner(0), trust_proxy=trust, **LIMITS)
        office = Office(app)
        if not desk.seasons():
            office.add_units(office.open_season(2025), "甲局")
        season = f"/office/s/{desk.seasons()[0].id}"
        r = office.c.get(season + "/links.csv", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "9.9.9.9"})
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        link = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))[1][2]
        assert link.startswith(f"{scheme}://localhost/u/"), link


def test_the_base_url_makes_every_link(desk):
    app = create_app(desk, Runner(0), base_url="https://shoubiao.example.gov.cn", **LIMITS)
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局")
    page = office.c.get(office.units(season)["甲局"]).text
    assert re.search(r"<code[^>]*>https://shoubiao\.example\.gov\.cn/u/[\w-]+</code>", page)
    link = list(csv.reader(io.StringIO(office.c.get(season + "/links.csv").data.decode("utf-8-sig"))))[1][2]
    assert link.startswith("https://shoubiao.example.gov.cn/u/")


def test_look_alike_names_are_one_unit_and_never_a_500(app, desk):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "县教育局\n县\u200b教育局\n县\u00ad教育局\n县教\ufeff育局\n县教育局 \n ＫＡ局\nKA局")
    assert list(office.units(season)) == ["县教育局", "KA局"]
    office.add_units(season, "县教\u2060育局")
    assert "1 个已在名单中（名称相同或看起来相同：县教育局）" in office.c.get(season).text
    assert list(office.units(season)) == ["县教育局", "KA局"]
    for u in office.units(season).values():
        assert office.c.get(u + "/blank.xlsx").status_code == 200
    assert office.c.get(season + "/blanks.zip").status_code == 200
    u = office.units(season)["KA局"]
    r = office.c.post(u + "/rename", data={"name": "县教\u200d育局", "csrf": office.token})
    assert r.status_code == 400 and "县教育局" in r.text


def test_pasted_names_from_excel_and_csv(app):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, '1\t县交通运输局\n2\t县财政局\t备注\n县委宣传部,县文明办\n"县水利局\n县统计局\n')
    assert list(office.units(season)) == ["县交通运输局", "县财政局", "县委宣传部", "县文明办", "县水利局", "县统计局"]


# ------------------------------------------------------------------ what an office manages
def test_close_a_season_the_roll_up_frozen_then_reopen(app, desk, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局\n乙局")
    units = office.units(season)
    links = {n: office.link(p) for n, p in units.items()}
    c = app.test_client()
    good = fill(workbook(office, units["甲局"], tmp_path, "a.xlsx"), tmp_path / "a-f.xlsx", ED, own_values(1))
    upload(c, links["甲局"], good.read_bytes())
    assert office.c.post(season + "/close", data={"csrf": office.token}).status_code == 303
    frozen = office.c.get(season + "/rollup.xlsx").data
    later = fill(workbook(office, units["乙局"], tmp_path, "b.xlsx"), tmp_path / "b-f.xlsx", ED, own_values(2))
    r = post_file(c, links["乙局"], later.read_bytes())  # no form on the page: posted as a script would
    assert r.status_code == 400 and "收表已经结束" in r.text
    assert 'id="closed"' in c.get(links["乙局"]).text and 'id="upload"' not in c.get(links["乙局"]).text
    assert office.c.get(season + "/rollup.xlsx").data == frozen  # frozen
    stored = desk.blob(desk.season(int(season.rsplit("/", 1)[1])).frozen_sha256, ".xlsx")
    stored.write_bytes(frozen[:-10])  # damaged on disk: refused, not served
    r = office.c.get(season + "/rollup.xlsx")
    assert r.status_code == 409 and "损坏" in r.text
    stored.write_bytes(frozen)
    assert office.c.post(season + "/reopen", data={"csrf": office.token}).status_code == 303
    assert result_page(c, upload(c, links["乙局"], later.read_bytes()))
    (tmp_path / "r.xlsx").write_bytes(office.c.get(season + "/rollup.xlsx").data)
    assert govxl.check(tmp_path / "r.xlsx").values[NEW_TOTAL] == sum(
        govxl.check(p).values[NEW_TOTAL] for p in (good, later))


def test_rename_and_retire_a_unit_keep_its_history(app, desk, tmp_path):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局\n乙局")
    units = office.units(season)
    link = office.link(units["甲局"])
    c = app.test_client()
    upload(c, link, b"not a workbook")
    assert office.c.post(units["甲局"] + "/rename", data={"name": "新甲局", "csrf": office.token}).status_code == 303
    page = office.c.get(units["甲局"]).text
    assert "<h1>新甲局" in page and "曾用名：甲局" in page and 'id="history"' in page
    assert office.link(units["甲局"]) == link  # the link stays
    assert office.c.post(units["乙局"] + "/retire", data={"csrf": office.token}).status_code == 303
    dash = office.c.get(season).text
    assert list(office.units(season)) == ["新甲局", "乙局"] and 'id="retired"' in dash
    assert 'data-unit="乙局"' not in dash  # off the list and the roll-up
    r = post_file(app.test_client(), office.link(units["乙局"]), b"x")
    assert r.status_code == 400 and "不在收表名单中" in r.text
    office.c.post(units["乙局"] + "/retire", data={"restore": "1", "csrf": office.token})
    assert 'data-unit="乙局"' in office.c.get(season).text


def test_change_the_admin_password(app):
    office = Office(app)
    page = office.c.get("/office/password").text
    r = office.c.post("/office/password", data={"old": "wrong-one", "new": "a-new-password", "again": "a-new-password",
                                                "csrf": csrf(page)})
    assert r.status_code == 400
    r = office.c.post("/office/password", data={"old": PASSWORD, "new": "short", "again": "short", "csrf": csrf(page)})
    assert r.status_code == 400 and "至少 8 个字符" in r.text
    r = office.c.post("/office/password", data={"old": PASSWORD, "new": "a-new-password", "again": "a-new-password",
                                                "csrf": csrf(page)})
    assert r.status_code == 303
    c = app.test_client()
    assert c.post("/login", data={"password": PASSWORD, "csrf": csrf(c.get("/login").text)}).status_code == 200
    assert c.post("/login", data={"password": "a-new-password", "csrf": csrf(c.get("/login").text)}).status_code == 303


# ------------------------------------------------------------------ the small things a clerk meets
def test_small_things_a_clerk_meets(app, desk, tmp_path):
    office = Office(app)
    s24 = office.open_season(2024)
    office.add_units(s24, "甲局\n乙局")
    u24 = office.units(s24)
    last = values(ED, NANGUAN_2023.rstrip() + "\n    结转下年度继续办理 自然人 3\n")
    last[NEW] += 3
    c = app.test_client()
    f24 = fill(workbook(office, u24["甲局"], tmp_path, "a24.xlsx"), tmp_path / "甲局2024.xlsx", ED, last)
    upload(c, office.link(u24["甲局"]), f24.read_bytes())
    s25 = office.open_season(2025)
    units = office.units(s25)
    link = office.link(units["甲局"])
    # the unit's page says where it stands
    assert re.search(r'id="status" data-status="missing"', c.get(link).text)
    # .xlsm is taken, as `govxl check` takes it
    blank = workbook(office, units["甲局"], tmp_path, "a25.xlsx")
    jump = {**good_values(ED), NEW: 150, ("requests", "carried_over", "natural_person"): 3}
    jump[PUBLIC] += 143  # 150 new + 3 carried over, all answered
    filled = fill(blank, tmp_path / "a25.xlsm", ED, jump)
    page = result_page(c, upload(c, link, filled.read_bytes(), "年报.xlsm"))
    assert standing(page) == "passed", re.findall(r'data-rule="([^"]+)"', page) + [page[-3000:]]
    assert re.search(r'id="status" data-status="passed"', c.get(link).text)
    # the unit explains its jump; the office sees the explanation on the unit's page
    unit_page = c.get(link).text
    assert 'data-measure="new"' in unit_page
    c.post(link + "/explain", data={"measure": "new", "text": "新设窗口，申请量大增", "csrf": csrf(unit_page)})
    assert "新设窗口，申请量大增" in office.c.get(units["甲局"]).text
    # an unfilled blank is no value of the overview (not 新收 = 0)
    upload(app.test_client(), office.link(units["乙局"]), workbook(office, units["乙局"], tmp_path, "b.xlsx").read_bytes())
    ov = re.search(r'<section id="m-new">.*?</section>', office.c.get(s25 + "/overview").text, re.S).group(0)
    assert "1 个单位有数据" in ov
    # the export CSV starts with one BOM
    data = office.c.get(s25 + "/export.csv").data
    assert data.startswith("\ufeff".encode()) and not data[3:].startswith("\ufeff".encode())
    # last year's reports: one of the season's own year is not used, and adds no unit
    this_year = fill(govxl.new(tmp_path / "x.xlsx", agency="丙局", year=2025), tmp_path / "丙局2025.xlsx", ED,
                     own_values(3))
    r = office.c.post(s25 + "/previous", data={"csrf": office.token, "files": [(this_year.open("rb"), this_year.name)]},
                      content_type="multipart/form-data")
    assert r.status_code == 303
    assert "1 份不是 2024 年度的报告，未使用（丙局2025.xlsx）" in office.c.get(s25).text
    assert list(office.units(s25)) == ["甲局", "乙局"]


def test_findings_in_english_with_lang_en(desk, tmp_path):
    app = create_app(desk, Runner(0, "en"), **LIMITS)
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "甲局")
    unit = office.units(season)["甲局"]
    old = fill(govxl.new(tmp_path / "o.xlsx", agency="甲局", year=2024), tmp_path / "2024.xlsx", ED,
               unbalanced_values(ED))
    c = app.test_client()
    page = result_page(c, upload(c, office.link(unit), old.read_bytes()))
    assert "the report is for 2024; this season collects 2025" in page
    assert "new + carried over" in page  # T3-BAL, in English


def test_a_name_with_invisible_characters_kept_before_this_desk_never_makes_a_500(app, desk):
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "县教育局")
    import sqlalchemy as sa

    from govxl.desk.db import units as units_table

    with desk.engine.begin() as c:  # as an older desk kept it
        c.execute(sa.update(units_table).values(name="县\u200b教育\ufeff局"))
    (path,) = office.units(season).values()
    r = office.c.get(path + "/blank.xlsx")
    assert r.status_code == 200
    assert office.c.get(season + "/blanks.zip").status_code == 200


class _Said:
    """A checked report as the library gives it: with or without a `verdict` of its own."""

    def __init__(self, ok: bool, verdict=None) -> None:
        self._ok = ok
        if verdict is not None:
            self.verdict = verdict

    def ok(self) -> bool:
        return self._ok


def test_what_a_result_means_is_read_in_one_place():
    from govxl.desk import adapter

    assert adapter.verdict_of(_Said(True)) == "passed" and adapter.verdict_of(_Said(False)) == "failed"
    assert adapter.verdict_of(_Said(True, "not_verified")) == "not_verified"
    assert adapter.verdict_of(_Said(True, lambda: "failed")) == "failed"
    assert adapter.standing("passed") == "passed" and adapter.standing("passed", "D-AGENCY") == "held"
    assert adapter.standing("passed", "D-COPY", "count") == "passed"
    assert adapter.standing("passed", "D-COPY", "leave") == "left_out"
    assert adapter.standing("not_verified", "D-COPY", "count") == "not_verified"


def not_verified_docx(path: Path, agency: str, year: int = 2025) -> Path:
    """A Word report whose 表三 prints （六）其他处理 as one row with its sum (3, as the 2019 layout
    did): its three sub-rows cannot be read, so their T3-COL rules are not verified; nothing is broken."""
    inputs = {**good_values(ED), ("requests", "results.other.no_correction", "natural_person"): 3,
              ("requests", "carried_over", "natural_person"): 5, ("requests", "carry_forward", "natural_person"): 2}
    return write_docx(path, ED, evaluate(ED, inputs), title=f"{year}年{agency}政府信息公开工作年度报告", edit=one_row_other)


def test_a_real_report_not_verified_is_shown_so_and_left_out_of_the_roll_up_with_its_rules(app, desk, tmp_path):
    """A unit uploads a Word report where three cells of 表三 cannot be read: the unit and the office
    see 未能核对 naming the rules (never 通过, never 不通过); the roll-up counts the unit that passed and
    lists this one with the rules not verified, on the page and in the file."""
    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "县教育局\n县财政局")
    units = office.units(season)
    good = fill(workbook(office, units["县财政局"], tmp_path, "b.xlsx"), tmp_path / "财政.xlsx", ED, own_values(4))
    c = app.test_client()
    assert standing(result_page(c, upload(c, office.link(units["县财政局"]), good.read_bytes()))) == "passed"
    doc = not_verified_docx(tmp_path / "教育局年报.docx", "县教育局")
    unit = app.test_client()
    link = office.link(units["县教育局"])
    page = result_page(unit, upload(unit, link, doc.read_bytes(), "教育局年报.docx"))
    assert standing(page) == "not_verified" and shown_verdict(page) == "未能核对"
    reason = re.search(r'id="reason">([^<]*)<', page).group(1)
    assert reason.startswith("没有发现错误，但 3 条规则未能核对（T3-COL ") and "D25,J25 只公布了合计" in reason
    # the unit's own page states it, with the rules
    home = unit.get(link).text
    assert re.search(r'id="status" data-status="not_verified">当前状态：<span class="not_verified">未能核对</span>', home)
    assert "T3-COL" in re.search(r'id="status-reason">([^<]*)<', home).group(1)
    # the office: the unit's row, its own page, the left-out list
    dash = office.c.get(season).text
    assert re.search(r'data-unit="县教育局" data-status="not_verified">.*?<td class="not_verified"><a [^>]*>未能核对</a>',
                     dash, re.S)
    assert re.search(r'data-unit="县财政局" data-status="passed">', dash)
    why = left_out(dash)["县教育局"]
    assert why.startswith("最近一次上传未能核对：没有发现错误，但 3 条规则未能核对（T3-COL ") and "D27,J27" in why
    assert re.search(r'id="counted">1</b>', dash) and set(left_out(dash)) == {"县教育局"}
    assert "T3-COL" in re.search(r'id="status-reason">([^<]*)<', office.c.get(units["县教育局"]).text).group(1)
    # the roll-up: the passing unit only, the other listed with the same reason
    r = office.c.get(season + "/rollup.xlsx")
    assert r.status_code == 200
    (tmp_path / "rollup.xlsx").write_bytes(r.data)
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    rows = [[c.value for c in row] for row in wb["未计入的单位"].iter_rows()]
    assert rows[0] == ["单位", "原因"] and rows[1:] == [["001 县教育局", why]]
    rolled = govxl.check(tmp_path / "rollup.xlsx")
    assert rolled.values[NEW] == own_values(4)[NEW]


def test_a_word_report_with_no_year_or_with_a_dtd_is_never_passed(app, desk, tmp_path):
    """A Word report whose title gives no year fails on D-YEAR (the year "not filled in"), never
    plain 通过; one with a DTD inside is refused unread (R-DTD), as README says."""
    import zipfile

    office = Office(app)
    season = office.open_season(2025)
    office.add_units(season, "县教育局")
    link = office.link(office.units(season)["县教育局"])
    no_year = write_docx(tmp_path / "无年度.docx", ED, evaluate(ED, good_values(ED)), title="县教育局政府信息公开工作年度报告")
    c = app.test_client()
    page = result_page(c, upload(c, link, no_year.read_bytes(), "无年度.docx"))
    assert standing(page) == "failed" and shown_verdict(page) == "不通过"
    assert re.search(r'<li data-rule="D-YEAR" class="failed">报告年度为 （未填写），本次收的是 2025 年度的报告</li>', page)
    assert "报告年度 （未填写）" in page
    good = write_docx(tmp_path / "g.docx", ED, evaluate(ED, good_values(ED)), title="2025年县教育局政府信息公开工作年度报告")
    bad = tmp_path / "带DTD.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, rest = data.split(b"?>", 1)
                data = head + b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' + rest
            out.writestr(info, data)
    page = result_page(c, upload(c, link, bad.read_bytes(), "带DTD.docx"))
    assert standing(page) == "unreadable" and "文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取" in page
    page = result_page(c, upload(c, link, good.read_bytes(), "g.docx"))
    assert standing(page) == "passed"
