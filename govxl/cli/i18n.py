"""The language of a `govxl` run, and the help and usage texts in that language.

One switch: `--lang en` anywhere on the command line (`govxl --lang en CMD`, `govxl CMD --lang en`)
or the environment variable GOVXL_LANG=en; Chinese otherwise. It is read from the arguments before
they are parsed, so that a usage error already speaks it.

Help texts are written once as `H(zh, en)`: the Chinese is what the parameter holds, the English is
put in its place while help is printed in English. Click's own sentences (usage errors, headings,
`[default: …]`) are said in Chinese by `usage_message` and the formatter. Chinese help is wrapped
and aligned by display width (a CJK character is two columns).
"""

from __future__ import annotations

import inspect
import os
import re
import unicodedata
from contextlib import contextmanager
from typing import Any

from typer import _click

from ..safetext import clean

ENV = "GOVXL_LANG"
_lang = "zh"


def lang_of(args: list[str]) -> str:
    """The language of a run: `--lang` among `args`, else $GOVXL_LANG; "zh" unless "en" is given."""
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a[7:] == "en" else "zh"
    return "en" if os.environ.get(ENV, "").strip().lower() == "en" else "zh"


def set_lang(lang: str) -> None:
    global _lang
    _lang = lang


def current_lang() -> str:
    return _lang


def say(zh: str, en: str) -> str:
    """The text in the language of this run."""
    return en if _lang == "en" else zh


# ------------------------------------------------------------------ help texts in both languages
EN: dict[str, str] = {}  # Chinese help text (as click shows it) -> its English


def _key(text: str) -> str:
    return inspect.cleandoc(text)


def H(zh: str, en: str) -> str:
    """A help text, option metavar or default shown in help: the Chinese, with its English kept."""
    EN[_key(zh)] = en
    return zh


def english(text: Any) -> Any:
    return EN.get(_key(text), text) if isinstance(text, str) and text else text


_ATTRS = ("help", "short_help", "metavar", "show_default")


@contextmanager
def help_language(*commands):
    """While help is made in English, every registered text of `commands` and their parameters is its English."""
    saved = []
    if _lang == "en":
        for cmd in commands:
            for obj in (cmd, *getattr(cmd, "params", ())):
                for attr in _ATTRS:
                    value = getattr(obj, attr, None)
                    if isinstance(value, str) and english(value) != value:
                        saved.append((obj, attr, value))
                        setattr(obj, attr, english(value))
    try:
        yield
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


# ------------------------------------------------------------------ click's usage errors, in Chinese
_KINDS = {"int": "整数", "integer": "整数", "float": "数字", "boolean": "是/否值", "UUID": "UUID"}
_VALUE = [  # click's sentences about a bad value -> Chinese
    (re.compile(r"^(.+) is not one of (.+)\.$", re.S), "{0} 不是可选的值（可选：{1}）"),
    (re.compile(r"^(.+) is not a valid (int|integer|float|UUID)\.$", re.S), "{0} 不是{1}"),
    (re.compile(r"^(.+) is not in the range (.+)\.$", re.S), "{0} 超出允许的范围（{1}）"),
    (re.compile(r"^(.+) is not a valid (boolean)\..*$", re.S), "{0} 不是{1}"),
    (re.compile(r"^(.+) is not a valid (.+)\.$", re.S), "{0} 不是有效的值（{1}）"),
    (re.compile(r"^(.+) does not match the formats (.+)\.$", re.S), "{0} 不符合格式 {1}"),
    (re.compile(r"^(\d+) values are required, but (\d+) given\.$", re.S), "需要 {0} 个值，给出了 {1} 个"),
]
_OTHER = [  # click's other usage errors -> Chinese
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "选项 {0} 后面缺少它的值"),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments\.$"), "选项 {0} 后面需要 {1} 个值"),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), "选项 {0} 不接受值"),
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$"), "多余的参数：{0}"),
    (re.compile(r"^No such command '(.*)'\. Did you mean (.+)\?$", re.S), "没有这个命令：{0}（可能是：{1}）"),
    (re.compile(r"^No such command '(.*)'\.$"), "没有这个命令：{0}"),
    (re.compile(r"^Missing command\.$"), "缺少命令"),
    (re.compile(r"^Argument '(.+)' takes (\d+) values\.$"), "参数 {0} 需要 {1} 个值"),
]
_HEADINGS = {"Arguments": "参数", "Options": "选项", "Commands": "命令", "Positional arguments": "参数"}


def usage_message(exc: _click.exceptions.UsageError, lang: str) -> str:
    """The one-line reason of a usage error, in `lang` (click's own English for "en")."""
    if lang == "en":
        return exc.format_message()
    E = _click.exceptions
    ctx = exc.ctx
    if isinstance(exc, E.MissingParameter):
        hint = exc.param.get_error_hint(ctx) if exc.param is not None and ctx is not None else ""
        kind = "参数" if getattr(exc.param, "param_type_name", "") == "argument" else "选项"
        return f"缺少{kind} {hint}".rstrip()
    if isinstance(exc, E.NoSuchOption):
        out = f"没有这个选项：{clean(exc.option_name)}"
        maybe = sorted(p for p in exc.possibilities or () if p != "--out")
        return out + (f"（可能是：{'、'.join(maybe)}）" if maybe else "")
    if isinstance(exc, E.BadParameter):
        message = _translate(exc.message, _VALUE) or exc.message
        hint = exc.param_hint or (exc.param.get_error_hint(ctx) if exc.param is not None and ctx else None)
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        return f"{hint} 的值无效：{message}" if hint else f"值无效：{message}"
    return _translate(exc.message, _OTHER) or exc.format_message()


def _translate(message: str, table) -> str | None:
    """`message` through the first (pattern, Chinese template) of `table` that matches it."""
    for pattern, zh in table:
        m = pattern.match(message)
        if m:
            return zh.format(*(_KINDS.get(g, g).replace(", ", "、") for g in m.groups()))
    return None


# ------------------------------------------------------------------ the help formatter
def width(s: str) -> int:
    """Columns `s` takes on a terminal (a CJK character: two)."""
    if s.isascii():
        return len(s)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


_NO_START = set("，。、：；）》」』”’！？,.;:)]%")  # never at the start of a line
_NO_END = set("（《「『“‘")  # never at the end of one


def _tokens(text: str) -> list[str]:
    """Words to wrap: a run of non-CJK characters (with a space after it) or one CJK character."""
    return re.findall(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                      r"\uff00-\uffef\u3000-\u303f“”‘’]+\s*|\s+", text)


def wrap(text: str, limit: int) -> list[str]:
    """`text` in lines of at most `limit` columns, broken between CJK characters or at spaces; a closing
    mark never starts a line (the character before it moves down with it)."""
    lines: list[list[str]] = []
    line: list[str] = []
    for tok in _tokens(" ".join(text.split())):
        if tok.isspace() and not line:
            continue
        if line and not tok.isspace() and width("".join(line) + tok.rstrip()) > limit:
            carry = []
            while tok[0] in _NO_START and len(line) > 1 and line[-1][0] in _NO_START | {line[-1][0]}:
                carry.insert(0, line.pop())
                if carry[0][0] not in _NO_START:
                    break
            while len(line) > 1 and line[-1] in _NO_END:  # an opening mark goes down with what it opens
                carry.insert(0, line.pop())
            lines.append(line)
            line = carry
        line.append(tok)
    out = ["".join(x).rstrip() for x in (*lines, line) if "".join(x).strip()]
    return out or [""]


def _join_lines(text: str) -> str:
    """A docstring's lines as one paragraph: no space where a line break falls between CJK text."""
    return re.sub(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])", "", text)


class Formatter(_click.HelpFormatter):
    """Help in the run's language: Chinese headings and usage line, CJK text wrapped and aligned."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        # typer 0.28 writes a required argument as `{files}`: show it as click does, FILES
        args = re.sub(r"\{([^{}]+)\}", lambda m: m.group(1).upper(), args)
        if _lang != "en":
            prefix = "用法："
            args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if _lang == "en":
            super().write_heading(heading)
        else:
            self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        if _lang == "en":
            return super().write_text(text)
        indent = " " * self.current_indent
        for i, para in enumerate(_join_lines(text).split("\n\n")):
            if i:
                self.write("\n")
            for line in wrap(para, max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term_zh(term), _defaults(text)) for term, text in rows]
        if _lang == "en":
            return super().write_dl(rows, col_max, col_spacing)
        first = min(max((width(t) for t, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            if not text:
                self.write("\n")
                continue
            if width(term) <= first - col_spacing:
                self.write(" " * (first - width(term)))
            else:
                self.write("\n" + indent + " " * first)
            lines = wrap(text, max(self.width - first - self.current_indent, 10))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(indent + " " * first + line + "\n")


def _defaults(text: str) -> str:
    """click's `[default: x]`, `[required]`, `x>=1` and type names, in the run's language."""
    if _lang == "en":
        return text
    text = text.replace("[default: ", "[默认：").replace("[required]", "[必填]").replace("; required]", "；必填]")
    return re.sub(r"(\S)>=(\d+)", r"不小于 \2", text.replace("; ", "；"))


def term_zh(term: str) -> str:
    """A parameter's metavar in Chinese (typer's type names)."""
    if _lang == "en":
        return term
    return (term.replace("<int range>", "<整数>").replace("<path>", "<路径>").replace("<str>", "<文字>")
            .replace("<int>", "<整数>").replace("<float>", "<数字>"))
