"""`govxl desk`: the collection desk of a reporting season, as a local web server (govxl/desk/)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..app import Lang, LangOpt, OutputOpt, command, fail, say

_NEEDS = ("收表台需要额外的组件，请先安装：pip install 'govxl[desk]'",
          "the desk needs extra components: pip install 'govxl[desk]'")
MIN_PASSWORD = 8


@command()
def desk(
    folder: Annotated[Path | None, typer.Argument(
        help="收表台的数据文件夹（数据库和收到的文件都在这里；默认 govxl-desk）。", show_default=False)] = None,
    output: OutputOpt("收表台的数据文件夹（同第一个参数）。") = None,
    host: Annotated[str, typer.Option(help="监听地址；在办公网内提供服务时用 0.0.0.0。")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(
        help="端口；0 表示自动选一个空闲端口。不指定时沿用上次的端口（首次启动自动选择），已发出的链接重启后仍然有效。",
        show_default=False)] = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="各单位链接的对外地址，例如 https://shoubiao.example.gov.cn（给一次即可，保存在数据文件夹中）。",
        show_default=False)] = None,
    trust_proxy: Annotated[bool, typer.Option(
        "--trust-proxy", help="在反向代理之后运行：采用代理给出的客户端地址和协议（X-Forwarded-For/-Proto）。")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="数据库地址，例如 postgresql://用户@主机/库名（默认使用文件夹中的 SQLite）。")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=0, show_default="CPU 核数",
                                             help="同时校验的进程数（0：在服务进程内校验）。")] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, max=1024, help="上传文件的大小上限（MB）。")] = 20,
    threads: Annotated[int, typer.Option(min=1, max=256, help="处理请求的线程数。")] = 8,
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
