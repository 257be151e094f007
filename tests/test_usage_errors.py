"""Usage errors speak the run's language: `--lang en` prints the catalogue's English, the default its
Chinese (the text a clerk saw before the messages moved to govxl/catalogue.py USAGE_ERRORS).

Each case runs the real command line (tests/cli.py `run`, through its one error boundary) in a
folder of ASCII-named files, so that any Chinese left in an English message is govxl's own prose,
not a file name; quoted official labels (“…”) are data and allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli import run
from helpers import NANGUAN_2023, values
from said import said

import govxl
from govxl.catalogue import Join, phrase
from govxl.session import check_one
from govxl.spec import load_edition

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """a.xlsx and b.xlsx (2023, filled in, passing), p.xlsx (2022, blank, failing), an empty folder,
    folders of two and of four files that are not workbooks and a report text with a heading the
    report does not have."""
    ed = load_edition("2021")
    filled = values(ed, NANGUAN_2023)
    govxl.new(tmp_path / "a.xlsx", agency="甲", year=2023, values=filled)
    govxl.new(tmp_path / "b.xlsx", agency="乙", year=2023, values=filled)
    govxl.new(tmp_path / "p.xlsx", agency="甲", year=2022)
    (tmp_path / "empty").mkdir()
    for name in ("junk/j1.xlsx", "junk/j2.xlsx", *(f"junk4/j{i}.xlsx" for i in range(1, 5))):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("not a workbook", encoding="utf-8")
    (tmp_path / "t.md").write_text("## 七、其他\n正文\n", encoding="utf-8")
    return tmp_path


def cases(folder: Path):
    """(command line, code of USAGE_ERRORS, its parameters)."""
    ed = load_edition("2021")
    wanted = Join(tuple(f"“{s.heading}”" for s in ed.report.sections if s.table is None))
    junk = [check_one(folder / "junk" / n).error for n in ("j1.xlsx", "j2.xlsx")]
    yield ["new", "x.txt"], "U-SUFFIX", {"suffix": ".xlsx", "path": "x.txt"}
    yield ["new", "a.xlsx"], "U-EXISTS", {"path": "a.xlsx"}
    yield ["check", "a.xlsx", "b.xlsx", "--previous", "p.xlsx"], "U-PREV-MANY", {}
    yield ["check", "a.xlsx", "--previous", "a.xlsx"], "U-PREV-SAME", {"path": "a.xlsx"}
    yield ["check", "a.xlsx", "--previous", "p.xlsx", "--previous-dir", "empty"], "U-PREV-BOTH", {}
    yield ["check", "a.xlsx", "--previous-dir", "nowhere"], "U-NOFOLDER", {"path": "nowhere"}
    yield ["check", "a.xlsx", "--summary", "x.txt"], "U-CSV-SUFFIX", {"path": "x.txt"}
    yield ["aggregate", "empty", "-o", "s.xlsx", "--agency", "丙"], "U-EMPTYDIR", {"path": "empty"}
    yield (["aggregate", "junk", "-o", "s.xlsx", "--agency", "丙"], "U-AGG-UNREADABLE",
           {"some": Join(tuple(phrase("file-why", name=n, why=e) for n, e in zip(("j1.xlsx", "j2.xlsx"), junk))),
            "more": ""})
    first = [(n, check_one(folder / "junk4" / n).error) for n in ("j1.xlsx", "j2.xlsx", "j3.xlsx")]
    yield (["aggregate", "junk4", "-o", "s.xlsx", "--agency", "丙"], "U-AGG-UNREADABLE",
           {"some": Join(tuple(phrase("file-why", name=n, why=e) for n, e in first)),
            "more": phrase("more-files", n=4)})
    yield (["render", "a.xlsx", "-o", "r.html", "--text", "t.md"], "U-TEXT-HEADING",
           {"where": phrase("text-line", source="t.md", line=1), "heading": "七、其他", "wanted": wanted})


def english(text: str) -> str:
    """`text` without its quoted official labels and agency names (“…”): what must be English."""
    return re.sub(r"“[^”]*”", "", text)


def test_usage_errors_in_english_and_in_chinese(folder):
    seen = []
    for args, code, params in cases(folder):
        en = run(*args, lang="en", cwd=folder)
        assert en.exit_code == 2, (args, en.output)
        assert en.stderr == f"error: {said(code, 'en', **params)}\n", args
        assert not CJK.search(english(en.stderr)), (args, en.stderr)
        zh = run(*args, cwd=folder)
        assert zh.exit_code == 2, (args, zh.output)
        assert zh.stderr == f"错误：{said(code, **params)}\n", args
        seen.append(code)
    assert len(seen) == 11
    assert not (folder / "s.xlsx").exists() and not (folder / "r.html").exists()


def test_the_commands_own_messages_are_english_too(folder):
    """Messages the command line makes itself (not library errors): English with --lang en."""
    r = run("export", "a.xlsx", "-o", "out.txt", lang="en", cwd=folder)
    assert r.exit_code == 2 and ".csv" in r.stderr and ".json" in r.stderr and "out.txt" in r.stderr
    assert not CJK.search(r.stderr)
    r = run("render", "p.xlsx", "-o", "r.html", lang="en", cwd=folder)  # fails its check, no --allow-errors
    assert r.exit_code == 1 and "p.xlsx" in r.stderr and "--allow-errors" in r.stderr
    assert not CJK.search(english(r.stderr.replace("p.xlsx", ""))), r.stderr
    assert not (folder / "r.html").exists()


def test_a_library_error_carries_its_code_and_shows_in_either_language(folder):
    from govxl.errors import CheckFailedError, OutputExistsError, UsageError
    from govxl.render import render_report

    with pytest.raises(CheckFailedError) as failed:
        render_report(govxl.check(folder / "p.xlsx"), "html", folder / "r.html")
    err = failed.value
    assert err.code == "U-CHECKFAILED" and str(err) == said("U-CHECKFAILED", file=str(folder / "p.xlsx"))
    assert err.text("en") == said("U-CHECKFAILED", "en", file=str(folder / "p.xlsx"))
    with pytest.raises(OutputExistsError) as exists:
        govxl.new(folder / "a.xlsx", agency="甲", year=2023)
    assert isinstance(exists.value, UsageError) and exists.value.code == "U-EXISTS"
    assert exists.value.text("en") == said("U-EXISTS", "en", path=str(folder / "a.xlsx"))


def test_a_coded_error_survives_pickling_with_its_code(folder):
    """A worker process hands its error back pickled: it must still speak English."""
    import pickle

    from govxl.errors import CheckFailedError, UsageError

    err = pickle.loads(pickle.dumps(UsageError(code="U-PREV-SAME", path="a.xlsx")))
    assert (type(err), err.code, err.text("en")) == (UsageError, "U-PREV-SAME", said("U-PREV-SAME", "en", path="a.xlsx"))
    failed = pickle.loads(pickle.dumps(CheckFailedError(govxl.check(folder / "p.xlsx"))))
    assert failed.text("en") == said("U-CHECKFAILED", "en", file=str(folder / "p.xlsx")) and failed.report.findings


def test_a_marked_up_copy_that_cannot_be_written_is_said_in_the_runs_language(folder):
    """`check --annotate`: the copy's place is taken by a folder; the line saying so is English with
    --lang en (the worker makes it in the run's language) and the catalogue's Chinese without."""
    (folder / "ann" / "a.xlsx").mkdir(parents=True)
    en = run("check", "a.xlsx", "--annotate", "ann", lang="en", cwd=folder)
    assert en.exit_code == 2
    assert f"a.xlsx: cannot write the marked-up copy: {said('U-OUTISDIR', 'en', path='ann/a.xlsx')}\n" in en.stderr
    assert not CJK.search(english(en.stderr)), en.stderr
    zh = run("check", "a.xlsx", "--annotate", "ann", cwd=folder)
    assert zh.exit_code == 2 and f"a.xlsx：无法写出标注副本：{said('U-OUTISDIR', path='ann/a.xlsx')}\n" in zh.stderr
