"""`govxl desk`: the collection desk of a reporting season, as a local web server (govxl/desk/)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..app import Arg, H, Lang, LangOpt, OutputOpt, command, fail, say

_NEEDS = ("收表台需要额外的组件，请先安装：pip install 'govxl[desk]'",
          "the desk needs extra components: pip install 'govxl[desk]'")
MIN_PASSWORD = 8


@command(en="Start the collection desk (a web page): the office opens the season, hands each unit its own link, "
              "follows progress and sums up; each unit sees its check as soon as it uploads.\n\n"
              "Install it first: pip install 'govxl[desk]'.")
def desk(
    folder: Annotated[Path | None, Arg(
        "收表台的数据文件夹（数据库和收到的文件都在这里；默认 govxl-desk）。",
        "the desk's data folder (its database and the files received; govxl-desk by default).",
        ("文件夹", "FOLDER"))] = None,
    output: OutputOpt(H("收表台的数据文件夹（同第一个参数）。", "the desk's data folder (as the first argument).")) = None,
    host: Annotated[str, typer.Option(help=H("监听地址；在办公网内提供服务时用 0.0.0.0。",
                                             "address to listen on; 0.0.0.0 to serve the office network."))] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help=H(
        "端口；0 表示自动选一个空闲端口。不指定时沿用上次的端口（首次启动自动选择），已发出的链接重启后仍然有效。",
        "port; 0 picks a free one. Without it the desk keeps the port of its last start (chosen at the first), "
        "so links already sent keep working after a restart."), show_default=False)] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help=H(
        "各单位链接的对外地址，例如 https://shoubiao.example.gov.cn（给一次即可，保存在数据文件夹中）。",
        "the address the units' links use, e.g. https://desk.example.org (given once, kept in the data folder)."),
        show_default=False)] = None,
    trust_proxy: Annotated[bool, typer.Option("--trust-proxy", help=H(
        "在反向代理之后运行：采用代理给出的客户端地址和协议（X-Forwarded-For/-Proto）。",
        "behind a reverse proxy: take the client address and scheme it forwards (X-Forwarded-For/-Proto)."))] = False,
    db: Annotated[str | None, typer.Option("--db", help=H(
        "数据库地址，例如 postgresql://用户@主机/库名（默认使用文件夹中的 SQLite）。",
        "database URL, e.g. postgresql://user@host/name (by default SQLite in the folder)."))] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=0, show_default=H("CPU 核数", "number of CPU cores"),
                                             help=H("同时校验的进程数（0：在服务进程内校验）。",
                                                    "number of files checked at the same time (0: in the server "
                                                    "process)."))] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, max=1024, help=H(
        "上传文件的大小上限（MB）。", "largest upload accepted (MB)."))] = 20,
    threads: Annotated[int, typer.Option(min=1, max=256, help=H("处理请求的线程数。",
                                                                "threads serving requests."))] = 8,
    lang: LangOpt = Lang.zh,
) -> None:
    """启动收表台（网页）：公开办开始收表、分发各单位的专用链接、查看进度并汇总；各单位上传报告后立即看到校验结果。

    需要先安装：pip install 'govxl[desk]'。"""
    if folder is not None and output is not None and folder != output:
        fail(say("数据文件夹只能给一个（参数或 -o）", "give the data folder once (argument or -o)"))
    folder = folder or output or Path("govxl-desk")
    try:
        from ...desk import server
    except ImportError:
        fail(say(*_NEEDS))
    try:
        import flask  # noqa: F401
        import sqlalchemy  # noqa: F401
        import waitress  # noqa: F401
    except ImportError:
        fail(say(*_NEEDS))
    if base_url is not None and server.check_base_url(base_url) is None:
        fail(say("--base-url 应为 http:// 或 https:// 开头的地址，例如 https://shoubiao.example.gov.cn",
                 "--base-url must be an http:// or https:// address, e.g. https://desk.example.org"))
    base_url = server.check_base_url(base_url) if base_url else None
    fresh = not folder.exists()
    password = os.environ.get(server.PASSWORD_ENV)
    try:
        d = server.open_desk(folder, db)
    except Exception as exc:  # noqa: BLE001 - a clerk gets one line
        _forget(folder, fresh)
        fail(say("无法打开收表台的数据库：", "cannot open the desk's database: ") + str(exc).splitlines()[0][:300])
    if server.needs_password(d):
        if password is None:
            password = _ask(d, folder, fresh, server.PASSWORD_ENV)
        elif len(password) < MIN_PASSWORD:
            d.close()
            _forget(folder, fresh)
            fail(say(f"管理密码至少 {MIN_PASSWORD} 个字符（{server.PASSWORD_ENV}）。",
                     f"the admin password needs at least {MIN_PASSWORD} characters ({server.PASSWORD_ENV})."))
        server.set_password(d, password)
        typer.echo(say("已设置管理密码。", "admin password set."))
    try:
        server.serve(d, host=host, port=port, jobs=server.default_jobs() if jobs is None else jobs,
                     max_upload_mb=max_upload_mb, threads=threads, echo=typer.echo, trust_proxy=trust_proxy,
                     base_url=base_url, lang=lang.value)
    except OSError as exc:
        fail(say(f"无法在 {host}:{port if port is not None else '上次的端口'} 上启动：",
                 f"cannot listen on {host}:{port if port is not None else 'the last port'}: ") + str(exc)[:200])


def _forget(folder: Path, fresh: bool) -> None:
    """A folder this start made and could not finish: gone again (nothing left behind)."""
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)


def _ask(d, folder: Path, fresh: bool, env: str) -> str:
    """The first admin password, typed at the terminal (checked before it is asked again)."""
    def stop(zh: str, en: str) -> None:
        d.close()
        _forget(folder, fresh)
        fail(say(zh, en))

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        stop(f"首次启动需要设置管理密码：请在终端中运行，或用环境变量 {env} 给出（至少 {MIN_PASSWORD} 个字符）。",
             f"the first start needs an admin password: run it in a terminal, or give it in {env} "
             f"(at least {MIN_PASSWORD} characters).")
    try:
        password = typer.prompt(say("首次启动：请设置公开办的管理密码", "first start: set the office's admin password"),
                                hide_input=True)
        if len(password) < MIN_PASSWORD:
            stop(f"管理密码至少 {MIN_PASSWORD} 个字符。", f"the admin password needs at least {MIN_PASSWORD} characters.")
        again = typer.prompt(say("请再输入一次", "repeat it"), hide_input=True)
    except (KeyboardInterrupt, EOFError, typer.Abort):
        stop("已中断，未设置管理密码。", "interrupted; no admin password set.")
    if again != password:
        stop("两次输入的密码不一致。", "the two passwords differ.")
    return password
