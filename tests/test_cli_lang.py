"""One language switch for the whole command line, and help that is all in that language.

`govxl --lang en CMD`, `govxl CMD --lang en` and GOVXL_LANG=en give English everywhere: every help
text, option description and argument name; Chinese otherwise, click's own sentences included.
"""

from __future__ import annotations

import re

import pytest
import typer.main
from cli import run

from govxl.cli import app
from govxl.cli.i18n import width, wrap

COMMANDS = sorted(typer.main.get_command(app).commands)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Three English words in a row, or one of click's own words: a sentence that was not translated.
ENGLISH = re.compile(r"\b[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}\b|\b(Usage|Options|Arguments|Commands|default|required|"
                     r"Show|Try|Missing|Invalid|Error|No such|Did you mean|is not)\b")


def outside_quotes(text: str) -> str:
    """`text` without quoted official labels and example names (“…”), which stay Chinese in English."""
    return re.sub(r"“[^”]*”", "", text)


def zh_prose(text: str) -> str:
    """`text` without what stays as it is in Chinese help: commands and shell words after `govxl`/`pip`, URLs."""
    text = re.sub(r"(govxl|pip install) [\w'\[\]\-. ]+", "", text)
    return re.sub(r"\S+://\S+", "", text)


@pytest.mark.parametrize("how", ["env", "before", "after"])
@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_english_help_has_no_chinese(name, how):
    cmd = [name] if name else []
    args = {"env": [*cmd, "--help"], "before": ["--lang", "en", *cmd, "--help"],
            "after": [*cmd, "--help", "--lang", "en"]}[how]
    res = run(*args, env={"GOVXL_LANG": "en"} if how == "env" else None)
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Usage: govxl")
    left = CJK.findall(outside_quotes(res.output))
    assert not left, (args, "".join(left), res.output)


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_chinese_help_has_no_english_sentence(name):
    res = run(*([name] if name else []), "--help")
    assert res.exit_code == 0 and res.output.startswith("用法：govxl")
    found = ENGLISH.findall(zh_prose(res.output))
    assert not found, (name, found, res.output)


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_chinese_help_columns_line_up(name):
    """In each list (参数, 选项, 命令) every description starts in one column, a CJK character counting
    two, and no line is wider than 80 columns."""
    out = run(*([name] if name else []), "--help").output
    for section in re.split(r"\n(?=\S)", out):
        if not section.startswith(("选项", "参数", "命令")):
            continue
        starts = set()
        for ln in section.splitlines()[1:]:
            first = re.match(r"^  (\S+(?: \S+)*?) {2,}(\S.*)$", ln)
            rest = re.match(r"^ {3,}(\S.*)$", ln)
            desc = first.group(2) if first else rest.group(1) if rest else None
            if desc is not None:
                starts.add(width(ln) - width(desc))
            assert width(ln) <= 80, ln
        assert len(starts) == 1, (name, starts, section)


@pytest.mark.parametrize("args, zh", [
    (["chek", "x"], "错误：没有这个命令：chek（可能是：'check'）"),
    (["new", "--year", "abc", "x.xlsx"], "错误：'--year' 的值无效：'abc' 不是整数"),
    (["check"], "错误：缺少参数 '文件...'"),
    (["check", "x.xlsx", "--jobs"], "错误：选项 --jobs 后面缺少它的值"),
    (["check", "x.xlsx", "--format", "foo"], "'foo' 不是可选的值"),
    (["render", "a.xlsx", "b.xlsx", "-o", "x.html"], "错误：多余的参数：b.xlsx"),
    (["check", "x.xlsx", "--strict=1"], "错误：选项 --strict 不接受值"),
    ([], None),
])
def test_clicks_own_messages_speak_chinese(args, zh):
    res = run(*args)
    if not args:  # no command: the help, in Chinese
        assert res.output.startswith("用法：govxl") and not ENGLISH.findall(zh_prose(res.output))
        return
    assert res.exit_code == 2
    assert zh in res.stderr, res.stderr
    assert not ENGLISH.findall(zh_prose(res.stderr)), res.stderr
    en = run(*args, env={"GOVXL_LANG": "en"})
    assert en.exit_code == 2 and not CJK.search(outside_quotes(en.stderr).replace("文件", "")), en.stderr


def test_the_language_of_messages_follows_the_switch_wherever_it_is(tmp_path):
    for args, env in ((["--lang", "en", "new", "x.txt"], None), (["new", "x.txt", "--lang", "en"], None),
                      (["new", "x.txt"], {"GOVXL_LANG": "en"})):
        res = run(*args, env=env, cwd=tmp_path)
        assert res.exit_code == 2 and res.stderr.startswith("error: the output file name must end in .xlsx"), res.stderr
    res = run("new", "x.txt", cwd=tmp_path)
    assert res.stderr.startswith("错误：输出文件名应以 .xlsx 结尾"), res.stderr
    res = run("new", "x.txt", "--lang", "zh", env={"GOVXL_LANG": "en"}, cwd=tmp_path)  # the option wins
    assert res.stderr.startswith("错误："), res.stderr


def test_wrap_breaks_chinese_by_width_and_keeps_punctuation_off_the_line_start():
    text = "把每个工作簿的标注副本（问题单元格着色并加批注，首页列出全部问题）写入此文件夹。"
    lines = wrap(text, 20)
    assert "".join(lines) == text
    assert all(width(ln) <= 22 for ln in lines)  # a closing mark may hang over the edge
    assert not any(ln[0] in "，。）" or ln[-1] in "（“" for ln in lines)
    assert wrap("提示语言：zh（中文）或 en（English）", 24) == ["提示语言：zh（中文）或", "en（English）"]
    assert wrap("use govxl new, then fill it in", 12) == ["use govxl", "new, then", "fill it in"]
