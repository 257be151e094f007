"""The Typer app of `govxl`, its exit codes, its shared options and its one error boundary.

Every command module (govxl/cli/commands/) imports this module; this module imports no command.
What a command may raise and how it is shown is decided here only: a GovxlError or an OSError
becomes one line and exit code 2, a usage error (missing argument, bad value, unknown option) is
shown in the language asked for (Chinese unless `--lang en`), and nothing shows a traceback.
"""

from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import typer.core
from typer import _click

from ..errors import GovxlError, InputsError
from ..safetext import clean
from ..version import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_FAIL = 0, 1, 2


class Fmt(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


# ------------------------------------------------------------------ the language of this run
# Known before the arguments are parsed (a usage error must already speak it): read from argv.
_lang = "zh"


def lang_of(args: list[str]) -> str:
    """The value of `--lang` among `args` ("zh" unless "en" is given)."""
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a[7:] == "en" else "zh"
    return "zh"


def current_lang() -> str:
    return _lang


def say(zh: str, en: str) -> str:
    """The text in the language of this run."""
    return en if _lang == "en" else zh


# ------------------------------------------------------------------ usage errors and help, in Chinese
_VALUE = [  # click's sentences about a bad value -> Chinese
    (re.compile(r"^(.+) is not one of (.+)\.$", re.S), "{0} 不是可选的值（可选：{1}）"),
    (re.compile(r"^(.+) is not a valid integer\.$", re.S), "{0} 不是整数"),
    (re.compile(r"^(.+) is not a valid float\.$", re.S), "{0} 不是数字"),
    (re.compile(r"^(.+) is not in the range (.+)\.$", re.S), "{0} 超出允许的范围（{1}）"),
    (re.compile(r"^(.+) is not a valid boolean\..*$", re.S), "{0} 不是是/否值"),
]
_OTHER = [  # click's other usage errors -> Chinese
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "选项 {0} 后面缺少它的值"),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), "选项 {0} 不接受值"),
    (re.compile(r"^Got unexpected extra argument\(s\) \((.*)\)$"), "多余的参数：{0}"),
    (re.compile(r"^No such command '(.*)'\.$"), "没有这个命令：{0}"),
    (re.compile(r"^Missing command\.$"), "缺少命令"),
]
_HEADINGS = {"Arguments": "参数", "Options": "选项", "Commands": "命令"}


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
            return zh.format(*m.groups())
    return None


class _Formatter(_click.HelpFormatter):
    """Help headings and the usage line in Chinese unless `--lang en`."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        # typer 0.28 under click 8.2+ writes an argument as `{files}`: show it as click does, FILES
        args = re.sub(r"\{(\w+)\}", lambda m: m.group(1).upper(), args)
        if _lang != "en":
            prefix = "用法："
            args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, prefix)

    def write_dl(self, rows, *args: Any, **kw: Any) -> None:
        if _lang != "en":
            rows = [(term.replace("<int range>", "<整数>").replace("<path>", "<路径>").replace("<str>", "<文字>")
                     .replace("<int>", "<整数>"),
                     text.replace("[default: ", "[默认：").replace("[required]", "[必填]"))
                    for term, text in rows]
        super().write_dl(rows, *args, **kw)

    def write_heading(self, heading: str) -> None:
        super().write_heading(heading if _lang == "en" else _HEADINGS.get(heading, heading))


class _Context(typer.Context):
    formatter_class = _Formatter


def _help_option(cmd, ctx):
    opt = _click.core.Command.get_help_option(cmd, ctx)
    if opt is not None:
        opt.help = say("显示本帮助后退出。", "Show this message and exit.")
    return opt


def _hide_out(param):
    """`--out` stays accepted but is not shown in help or hints (`-o/--output` is the name)."""
    def without(method):
        def call(ctx):
            opts = param.opts
            param.opts = [o for o in opts if o != "--out"]
            try:
                return method(ctx)
            finally:
                param.opts = opts
        return call

    param.get_help_record = without(param.get_help_record)
    param.get_error_hint = without(param.get_error_hint)


class Command(typer.core.TyperCommand):
    context_class = _Context
    get_help_option = _help_option

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for param in self.params:
            if "--out" in getattr(param, "opts", ()):
                _hide_out(param)


class Group(typer.core.TyperGroup):
    """The `govxl` group: its `main` is the one error boundary of the command line."""

    context_class = _Context
    get_help_option = _help_option

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # the order of registration, not alphabetical

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra: Any) -> Any:
        global _lang
        args = list(sys.argv[1:] if args is None else args)
        _lang = lang_of(args)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _click.exceptions.UsageError as exc:
            if exc.ctx is not None:
                typer.echo(exc.ctx.get_usage(), err=True)
                typer.echo(say(f"运行 {exc.ctx.command_path} --help 查看帮助。",
                               f"Try '{exc.ctx.command_path} --help' for help."), err=True)
            code = _error(usage_message(exc, _lang))
        except _click.exceptions.ClickException as exc:
            code = _error(exc.format_message())
        except (typer.Abort, KeyboardInterrupt):
            typer.echo(say("已中断。", "Interrupted."), err=True)
            code = EXIT_FAIL
        except InputsError as exc:
            code = _error(exc.headline(_lang))
            for name, why in exc.lines(_lang):
                typer.echo(f"  {clean(name)}{say('：', ': ')}{clean(why)}", err=True)
        except GovxlError as exc:
            code = _error(exc.text(_lang))
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            code = _error(say(f"无法写入{where}：{exc.strerror or exc}", f"cannot write{where}: {exc.strerror or exc}"))
        except Exception as exc:  # pragma: no cover - the last line of defence
            code = _error(say("内部错误（请把此信息报告给 govxl 开发者）：", "internal error (please report it to the "
                              "govxl developers): ") + f"{type(exc).__name__}: {exc}")
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else EXIT_OK)
        return code


def _error(message: str) -> int:
    typer.echo(say("错误：", "error: ") + clean(message), err=True)
    return EXIT_FAIL


def fail(message: str) -> NoReturn:
    """Stop the command: `message` (already in the language of this run) on stderr, exit code 2."""
    raise typer.Exit(_error(message))


def pick_format(to: Enum | None, out: Path | None, choices: type[Enum], what: str) -> str:
    """The format: --to, or else the output file's ending (which must then be one of `choices`)."""
    names = [c.value for c in choices]
    if to is not None:
        return to.value
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if suffix in names:
        return suffix
    endings = "、".join("." + n for n in names)
    fail(say(f"{what}的输出文件须以 {endings} 结尾（或用 --to 指定格式：{'、'.join(names)}）：{out}",
             f"the output file must end in {', '.join('.' + n for n in names)} (or give --to "
             f"{'|'.join(names)}): {out}"))


def write_stdout(text: str) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is not None:
        stream.write(text.encode("utf-8"))
        stream.flush()
    else:  # pragma: no cover - a replaced stdout (tests, IDEs)
        sys.stdout.write(text)


app = typer.Typer(
    name="govxl",
    cls=Group,
    help="政府信息公开工作年度报告统计表：生成锁定的官方格式工作簿，并校验填好的工作簿。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def command(name: str | None = None):
    """Register a command on `app` (with the Chinese help and usage formatting)."""
    return app.command(name, cls=Command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govxl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本号后退出。")] = False,
) -> None:
    """政府信息公开工作年度报告统计表工具。"""


def run() -> None:
    """Console-script entry point (`govxl`, `python -m govxl`, `python -m govxl.cli`)."""
    from . import commands  # noqa: F401  (registers the commands)

    app()


# ------------------------------------------------------------------ options shared by several commands
LangOpt = Annotated[Lang, typer.Option("--lang", help="提示语言：zh（中文）或 en（English）。")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, show_default="CPU 核数",
                                             help="同时校验的进程数。")]
FormatOpt = Annotated[Fmt, typer.Option("--format", help="输出格式：text（表格）、json（一个文档）或 jsonl（每个文件一行）。")]


def ForceOpt(help: str = "输出文件已存在时覆盖。"):
    return Annotated[bool, typer.Option("--force", help=help)]


def OutputOpt(help: str, required: bool = False):
    """`-o/--output` (with `--out`, hidden, kept for old scripts)."""
    kind = Path if required else Path | None
    return Annotated[kind, typer.Option("-o", "--output", "--out", help=help, show_default=False)]
