"""The Typer app of `govxl`, its exit codes, its shared options and its one error boundary.

Every command module (govxl/cli/commands/) imports this module; this module imports no command.
What a command may raise and how it is shown is decided here only: a GovxlError or an OSError
becomes one line and exit code 2, a usage error (missing argument, bad value, unknown option) is
shown in the language asked for (Chinese unless `--lang en`), and nothing shows a traceback.
"""

from __future__ import annotations

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
from .i18n import Formatter, H, current_lang, help_language, lang_of, say, set_lang, usage_message

EXIT_OK, EXIT_FINDINGS, EXIT_FAIL = 0, 1, 2


class Fmt(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


# ------------------------------------------------------------------ the language of this run (govxl/cli/i18n.py)
class _Context(typer.Context):
    formatter_class = Formatter


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

    def format_help(self, ctx, formatter) -> None:
        with help_language(self):
            super().format_help(ctx, formatter)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for param in self.params:
            if "--out" in getattr(param, "opts", ()):
                _hide_out(param)


class Group(typer.core.TyperGroup):
    """The `govxl` group: its `main` is the one error boundary of the command line."""

    context_class = _Context
    get_help_option = _help_option

    def format_help(self, ctx, formatter) -> None:
        with help_language(self, *self.commands.values()):
            super().format_help(ctx, formatter)

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # the order of registration, not alphabetical

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        set_lang(lang_of(args))
        with help_language(self, *self.commands.values()):  # usage lines and hints name arguments too
            code = self._main(args, prog_name, complete_var, **extra)
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else EXIT_OK)
        return code

    def _main(self, args, prog_name, complete_var, **extra: Any) -> Any:
        _lang = current_lang()
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
    help=H("政府信息公开工作年度报告统计表：生成锁定的官方格式工作簿，并校验填好的工作簿。",
           "Statistics tables of the government information disclosure annual report: write the locked "
           "official workbook, check the filled-in one."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def command(name: str | None = None, *, en: str):
    """Register a command on `app`: its docstring is the Chinese help, `en` the English."""
    def register(func):
        H(func.__doc__ or "", en)
        return app.command(name, cls=Command)(func)
    return register


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govxl {__version__}")
        raise typer.Exit()


def _run_lang(value: Lang | None) -> str:
    """`--lang` of a command is the run's language, wherever it was given (or GOVXL_LANG); typer makes
    the returned value a Lang."""
    return current_lang()


# ------------------------------------------------------------------ options shared by several commands
LangOpt = Annotated[Lang, typer.Option(
    "--lang", callback=_run_lang, show_default=False, metavar="<zh|en>",
    help=H("提示和帮助的语言：zh（中文，默认）或 en（English）；也可在命令前给出，或设置环境变量 GOVXL_LANG=en。",
           "language of messages and help: zh (Chinese, the default) or en (English); also before the command, "
           "or as the environment variable GOVXL_LANG=en."))]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, show_default=H("CPU 核数", "number of CPU cores"),
                                             help=H("同时校验的进程数。", "number of files checked at the same time."))]
FormatOpt = Annotated[Fmt, typer.Option("--format", help=H(
    "输出格式：text（表格）、json（一个文档）或 jsonl（每个文件一行）。",
    "output format: text (a table), json (one document) or jsonl (one line per file)."))]
ForceOpt = Annotated[bool, typer.Option("--force", help=H("输出文件已存在时覆盖（不加则不覆盖，报错退出）。",
                                                          "overwrite an output file that exists (without it, "
                                                          "an existing file is an error)."))]


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=H("显示版本号后退出。", "Show the version and exit."))] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """政府信息公开工作年度报告统计表工具。"""


def OutputOpt(help: str, required: bool = False):
    """`-o/--output` (with `--out`, hidden, kept for old scripts)."""
    kind = Path if required else Path | None
    return Annotated[kind, typer.Option("-o", "--output", "--out", help=help, show_default=False)]


def Arg(zh: str, en: str, metavar: tuple[str, str]):
    """A positional argument: its help and its name (metavar), in both languages."""
    return typer.Argument(help=H(zh, en), metavar=H(*metavar), show_default=False)
