#!/usr/bin/python3
"""Drive a real, headless LibreOffice Calc over UNO: load a workbook, act on it as a person would, save.

Run by the *system* Python (Debian's python3-uno), never imported by the test suite:
only the standard library and ``uno`` are used, no govxl.

One-shot:   /usr/bin/python3 lo_driver.py JOB.json        (or ``-`` for stdin)
Server:     /usr/bin/python3 lo_driver.py --serve          (one JSON job per stdin line)

A job is ``{"src": "in.xlsx", "actions": [...], "save_xlsx": "out.xlsx", "pdf": "out.pdf",
"timeout": 120}``; its result is one JSON object ``{"ok": true, "results": [...], ...}`` or
``{"ok": false, "error": "...", "action": i, "results": [...]}``. In server mode each result is
one line on stdout prefixed with ``@@govxl-lo `` (anything else on stdout is noise); soffice is
started once and reused for every job, and restarted if it died.

Actions (``op``):

- ``type``: ``sheet``, ``cell``, ``value`` — select the cell and dispatch ``.uno:EnterString``,
  as typing and pressing Enter does. Unlike ``setValue``/``setString`` this honours sheet
  protection. Reports the cell ``before`` and ``after``, whether it ``changed``, and any message
  box LibreOffice raised (``dialogs``, e.g. "Protected cells can not be modified."). Data
  validation is *not* applied on this path (Calc checks it in the interactive input handler).
- ``wait``: ``seconds`` — let LibreOffice idle (its timers run; crashes there surface).
- ``recalc``: ``calculateAll()`` (LibreOffice shows cached formula results after loading an xlsx).
- ``read``: ``sheet``, ``cells`` — type, value, display string, formula, error code, locked flag;
  recalculates first unless ``"recalc": false``.
- ``protection``: ``sheet`` — is the sheet protected.
- ``validation``: ``sheet``, ``cell`` — the cell's data validation (type, operator, formulas, messages).
- ``properties``: the document's user-defined (custom) properties.
- ``names``: the document's named ranges / named expressions and their content.
- ``sheets``: sheet names in order.
- ``structure``: is the document's structure protected (``XProtectable.isProtected``).
- ``rename_sheet``: ``sheet``, ``name`` — make the sheet current and dispatch ``.uno:RenameTable``
  (Sheet ▸ Rename Sheet); reports the sheet names ``before`` and ``after`` and any message box.
- ``insert_sheet``: ``name``, ``position`` (0-based) — dispatch ``.uno:Insert`` (Sheet ▸ Insert
  Sheet); reports the sheet names ``before`` and ``after`` and any message box.
- ``version``: the LibreOffice product name and version.

In server mode the driver also announces each soffice it starts, before connecting to it, with a
line ``@@govxl-lo-event {"soffice": {"pid": ..., "profile": ..., "sockets": [...]}}``.

Every soffice runs with its own fresh profile (``-env:UserInstallation``) on its own pipe, in its
own process group, with en-US number parsing; a watchdog kills the group when a job exceeds its
timeout, and soffice is always stopped (killed if need be) and its profile and sockets removed.
Each result carries ``soffice`` (pid, profile) and, after a crash, the tail of its output.

LibreOffice 7.4 headless (Debian's libreoffice-calc-nogui) needs two workarounds, see
``Office.hide_formula_bar`` and ``Document.dismiss_dialogs``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

PREFIX = "@@govxl-lo "
EVENT = "@@govxl-lo-event "
FORMULA_BAR_ID = "26100"  # Calc's FID_INPUTLINE_STATUS child window (sc/inc/sc.hrc: SC_MESSAGE_START)
DEFAULT_TIMEOUT = 120.0
START_TIMEOUT = 60.0

try:
    import uno
    from com.sun.star.beans import PropertyValue
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(json.dumps({"ok": False, "error": f"python3-uno is not importable by {sys.executable}: {exc}"}))
    sys.exit(3)


class DriverError(Exception):
    pass


def pv(name: str, value) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def url(path: str) -> str:
    return Path(path).resolve().as_uri()


def md5_hex(text: str) -> str:
    """LibreOffice's CreateMD5FromString: MD5 of the UTF-16 text, each byte in hex without padding."""
    return "".join(format(b, "x") for b in hashlib.md5(text.encode("utf-16-le")).digest())


def pipe_path(name: str) -> str:
    return f"/tmp/OSL_PIPE_{os.getuid()}_{name}"


def describe(exc: BaseException) -> str:
    msg = getattr(exc, "Message", None) or str(exc)
    return f"{type(exc).__name__}: {msg}".strip()


# ------------------------------------------------------------------ soffice process
class Office:
    """A headless soffice with a private profile, reachable over a private pipe."""

    def __init__(self, soffice: str | None = None, on_spawn=None) -> None:
        self.soffice = soffice or os.environ.get("GOVXL_SOFFICE") or shutil.which("soffice") or "soffice"
        self.on_spawn = on_spawn
        self.proc: subprocess.Popen | None = None
        self.profile: str | None = None
        self.log_path: str | None = None
        self.desktop = None
        self.ctx = None
        self.sockets: list[str] = []

    def start(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="govxl-lo-profile-")
        self.log_path = os.path.join(self.profile, "soffice.log")
        pipe = "govxl_lo_" + uuid.uuid4().hex
        user = Path(self.profile, "user").as_uri()
        # The sockets soffice creates in /tmp (osl pipes): the accept pipe, and the single-instance
        # pipe named after an MD5 of the profile URL. A killed soffice leaves them behind.
        self.sockets = [pipe_path(pipe), pipe_path("SingleOfficeIPC_" + md5_hex(user))]
        cmd = [
            self.soffice,
            "-env:UserInstallation=" + user,
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ]
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
        except OSError as exc:
            raise DriverError(f"cannot start {self.soffice}: {exc}") from None
        finally:
            log.close()
        if self.on_spawn is not None:
            self.on_spawn(self.describe())
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DriverError(f"soffice exited with code {self.proc.returncode} before accepting a "
                                  f"connection; its output: {self.log_tail()!r}")
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception as exc:  # NoConnectException while it starts up
                last = exc
                time.sleep(0.25)
        else:
            self.stop()
            raise DriverError(f"soffice did not accept a connection within {START_TIMEOUT:.0f} s ({describe(last)})")
        self.desktop = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.set_locale("en-US")
        self.hide_formula_bar()

    def config(self, path: str, update: bool = False):
        cp = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider",
                                                               self.ctx)
        service = "com.sun.star.configuration." + ("ConfigurationUpdateAccess" if update else "ConfigurationAccess")
        return cp.createInstanceWithArguments(service, (pv("nodepath", path),))

    def set_locale(self, locale: str) -> None:
        """Parse typed numbers the same way on every machine ("1.5" is one and a half, not a date)."""
        node = self.config("/org.openoffice.Setup/L10N", update=True)
        node.setPropertyValue("ooSetupSystemLocale", locale)
        node.commitChanges()

    def hide_formula_bar(self) -> None:
        """Keep Calc's formula bar (child window FID_INPUTLINE_STATUS = 26100) closed.

        Debian's libreoffice-calc-nogui ships no Calc .ui files; the formula bar's Name Box needs
        modules/scalc/ui/posbox.ui, so when the first typed entry makes Calc build the formula bar,
        an exception escapes a scheduler task and soffice aborts (SIGABRT within a second). Typing
        into cells does not need the formula bar.
        """
        windows = self.config("/org.openoffice.Office.Views/Windows", update=True)
        node = windows.createInstance()
        node.setPropertyValue("Visible", False)
        if windows.hasByName(FORMULA_BAR_ID):
            windows.replaceByName(FORMULA_BAR_ID, node)
        else:
            windows.insertByName(FORMULA_BAR_ID, node)
        windows.commitChanges()

    def describe(self) -> dict:
        return {"pid": self.proc.pid if self.proc else None, "profile": self.profile, "sockets": self.sockets}

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.desktop is not None

    def log_tail(self, n: int = 2000) -> str:
        try:
            return Path(self.log_path).read_bytes()[-n:].decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def kill(self) -> None:
        """SIGKILL soffice's whole process group (the launcher script, oosplash and soffice.bin).

        The launcher waits for soffice.bin, so once it has been reaped the group is gone (and its
        id must not be signalled: it could have been reused)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def stop(self) -> None:
        """Ask soffice to quit; kill its process group if it does not within a few seconds."""
        if self.proc is not None and self.proc.poll() is None and self.desktop is not None:
            t = threading.Thread(target=self._terminate, daemon=True)
            t.start()
            t.join(10)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        self.desktop = self.ctx = None
        if self.proc is not None and self.proc.poll() is not None:
            for sock in self.sockets:
                if os.path.exists(sock) and stat.S_ISSOCK(os.lstat(sock).st_mode):
                    os.unlink(sock)
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def _terminate(self) -> None:
        try:
            self.desktop.terminate()
        except Exception:
            pass

    def version(self) -> str:
        node = self.config("/org.openoffice.Setup/Product")
        return f"{node.getByName('ooName')} {node.getByName('ooSetupVersionAboutBox')}"


# ------------------------------------------------------------------ a loaded document
def enum_name(v) -> str | None:
    return None if v is None else getattr(v, "value", str(v))


CELL_TYPES = {"EMPTY": "empty", "VALUE": "value", "TEXT": "text", "FORMULA": "formula"}


def snapshot(cell) -> dict:
    t = CELL_TYPES.get(enum_name(cell.getType()), "?")
    out = {"type": t, "value": cell.getValue(), "string": cell.getString(), "formula": cell.getFormula()}
    if t == "formula":
        out["error"] = cell.getError()
    return out


PUSH_BUTTON = 44  # com.sun.star.accessibility.AccessibleRole.PUSH_BUTTON
MESSAGE_BOX = uno.getTypeByName("com.sun.star.awt.XMessageBox")


def collect_texts(ctx, texts: list[str], buttons: list[str], depth: int = 0) -> None:
    """The visible texts and button captions of a (small) dialog, via its accessibility tree."""
    for j in range(min(ctx.getAccessibleChildCount(), 50)):
        child = ctx.getAccessibleChild(j).getAccessibleContext()
        name = child.getAccessibleName()
        if child.getAccessibleRole() == PUSH_BUTTON:
            buttons.append(name)
        elif name:
            texts.append(name)
        if depth < 6:
            collect_texts(child, texts, buttons, depth + 1)


class Document:
    def __init__(self, office: Office, src: str) -> None:
        if not os.path.isfile(src):
            raise DriverError(f"no such file: {src}")
        self.office = office
        # Work on a private copy: the source is never touched, and a killed soffice leaves its
        # lock file (.~lock.*#) in our temporary directory, not beside the caller's file.
        self.work = tempfile.mkdtemp(prefix="doc-", dir=office.profile)
        self.path = os.path.join(self.work, "in" + (Path(src).suffix or ".xlsx"))
        shutil.copyfile(src, self.path)
        # Hidden: headless (svp), a visible frame crashes LibreOffice 7.4 in vcl::Window::GetCursor.
        args = (pv("Hidden", True), pv("ReadOnly", False), pv("UpdateDocMode", 0))
        self.doc = office.desktop.loadComponentFromURL(url(self.path), "_blank", 0, args)
        if self.doc is None or not hasattr(self.doc, "Sheets"):
            raise DriverError(f"LibreOffice could not open {src} as a spreadsheet")
        self.controller = self.doc.getCurrentController()
        self.frame = self.controller.getFrame()
        ctx = office.ctx
        self.dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        self.sheets: dict[str, object] = {}
        self.active: str | None = None
        self._toolkit = None

    def close(self) -> None:
        try:
            self.doc.close(True)
        except Exception:
            try:
                self.doc.dispose()
            except Exception:
                pass
        shutil.rmtree(self.work, ignore_errors=True)

    def sheet(self, name: str):
        if name not in self.sheets:
            sheets = self.doc.Sheets
            if not sheets.hasByName(name):
                raise DriverError(f"no sheet named {name!r}; sheets: {list(sheets.getElementNames())}")
            self.sheets[name] = sheets.getByName(name)
        return self.sheets[name]

    # -------------------------------------------------------------- actions
    def act(self, a: dict) -> dict:
        op = a.get("op")
        fn = getattr(self, "op_" + str(op), None)
        if fn is None:
            raise DriverError(f"unknown action {op!r}")
        out = fn(a)
        out["op"] = op
        return out

    def op_type(self, a: dict) -> dict:
        sheet = self.sheet(a["sheet"])
        cell = sheet.getCellRangeByName(a["cell"])
        if self.active != a["sheet"]:
            self.controller.setActiveSheet(sheet)
            self.active = a["sheet"]
        if not self.controller.select(cell):
            raise DriverError(f"could not select {a['sheet']}!{a['cell']}")
        sel = self.controller.getSelection().getRangeAddress()
        want = cell.getRangeAddress()
        if (sel.Sheet, sel.StartRow, sel.StartColumn) != (want.Sheet, want.StartRow, want.StartColumn):
            raise DriverError(f"selection is not at {a['cell']}")
        stray = self.dismiss_dialogs()
        if stray:
            raise DriverError(f"a dialog was open before typing into {a['cell']}: {stray}")
        before = snapshot(cell)
        self.dispatcher.executeDispatch(self.frame, ".uno:EnterString", "", 0, (pv("StringName", str(a["value"])),))
        after = snapshot(cell)
        out = {"sheet": a["sheet"], "cell": a["cell"], "typed": str(a["value"]), "before": before, "after": after,
               "changed": before != after}
        dialogs = self.dismiss_dialogs()
        # A refused entry's message box can come a moment later on a loaded machine (it then stood
        # open before the next action): wait for it here, where it belongs.
        deadline = time.monotonic() + 5
        while not dialogs and before == after and time.monotonic() < deadline:
            time.sleep(0.05)
            dialogs = self.dismiss_dialogs()
        if dialogs:
            out["dialogs"] = dialogs
        return out

    def dismiss_dialogs(self) -> list[dict]:
        """Message boxes LibreOffice raised (e.g. "Protected cells can not be modified."): read, then close.

        Headless, such a box never runs (dialogs are cancelled silently) but stays registered as a
        top window; LibreOffice 7.4 crashes when it raises a second one. A person would click OK;
        headless the OK button does nothing, so the box is disposed instead.
        """
        out: list[dict] = []
        toolkit = self.toolkit()
        for i in reversed(range(toolkit.getTopWindowCount())):
            w = toolkit.getTopWindow(i)
            if w is None or w.queryInterface(MESSAGE_BOX) is None:
                continue
            ctx = w.getAccessibleContext()
            texts: list[str] = []
            buttons: list[str] = []
            collect_texts(ctx, texts, buttons)
            out.append({"title": ctx.getAccessibleName(), "text": "\n".join(texts), "buttons": buttons})
            w.dispose()
        return out

    def toolkit(self):
        ctx = self.office.ctx
        if self._toolkit is None:
            self._toolkit = ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit", ctx)
        return self._toolkit

    def op_wait(self, a: dict) -> dict:
        """Let LibreOffice idle (its timers and idle handlers run), as a person pausing would."""
        time.sleep(min(float(a.get("seconds", 1)), 60))
        return {}

    def op_recalc(self, a: dict) -> dict:
        self.doc.calculateAll()
        return {}

    def op_read(self, a: dict) -> dict:
        if a.get("recalc", True):
            self.doc.calculateAll()
        sheet = self.sheet(a["sheet"])
        cells = {}
        for ref in a["cells"]:
            cell = sheet.getCellRangeByName(ref)
            snap = snapshot(cell)
            snap["locked"] = bool(cell.CellProtection.IsLocked)
            snap["comment"] = cell.getAnnotation().getString()  # "" when the cell has none
            snap["fill"] = cell.CellBackColor  # RGB as an int, -1 when none
            cells[ref] = snap
        return {"sheet": a["sheet"], "cells": cells}

    def op_protection(self, a: dict) -> dict:
        return {"sheet": a["sheet"], "protected": bool(self.sheet(a["sheet"]).isProtected())}

    def op_validation(self, a: dict) -> dict:
        v = self.sheet(a["sheet"]).getCellRangeByName(a["cell"]).Validation
        return {"sheet": a["sheet"], "cell": a["cell"], "validation": {
            "type": enum_name(v.Type), "operator": enum_name(v.getOperator()),
            "formula1": v.getFormula1(), "formula2": v.getFormula2(),
            "ignore_blank": bool(v.IgnoreBlankCells),
            "show_input": bool(v.ShowInputMessage), "input_title": v.InputTitle, "input_message": v.InputMessage,
            "show_error": bool(v.ShowErrorMessage), "error_title": v.ErrorTitle, "error_message": v.ErrorMessage,
            "error_style": enum_name(v.ErrorAlertStyle),
        }}

    def op_properties(self, a: dict) -> dict:
        udp = self.doc.DocumentProperties.UserDefinedProperties
        props = {}
        for p in udp.getPropertySetInfo().getProperties():
            v = udp.getPropertyValue(p.Name)
            props[p.Name] = v if isinstance(v, str | int | float | bool) or v is None else str(v)
        return {"properties": props}

    def op_names(self, a: dict) -> dict:
        nr = self.doc.NamedRanges
        return {"names": {n: nr.getByName(n).getContent() for n in nr.getElementNames()}}

    def op_sheets(self, a: dict) -> dict:
        return {"sheets": list(self.doc.Sheets.getElementNames())}

    def op_version(self, a: dict) -> dict:
        return {"version": self.office.version()}

    def op_structure(self, a: dict) -> dict:
        return {"protected": bool(self.doc.isProtected())}

    def _sheet_edit(self, a: dict, command: str, args: tuple) -> dict:
        before = list(self.doc.Sheets.getElementNames())
        self.dispatcher.executeDispatch(self.frame, command, "", 0, args)
        out = {**{k: v for k, v in a.items() if k != "op"}, "before": before,
               "after": list(self.doc.Sheets.getElementNames())}
        dialogs = self.dismiss_dialogs()
        if dialogs:
            out["dialogs"] = dialogs
        self.active = None
        return out

    def op_rename_sheet(self, a: dict) -> dict:
        self.controller.setActiveSheet(self.sheet(a["sheet"]))
        return self._sheet_edit(a, ".uno:RenameTable", (pv("Name", a["name"]),))

    def op_insert_sheet(self, a: dict) -> dict:
        index = uno.Any("short", int(a.get("position", 0)) + 1)  # the dialog's 1-based position
        return self._sheet_edit(a, ".uno:Insert", (pv("Name", a["name"]), pv("Index", index)))

    # -------------------------------------------------------------- output
    def save_xlsx(self, path: str) -> None:
        self.doc.storeToURL(url(path), (pv("FilterName", "Calc MS Excel 2007 XML"), pv("Overwrite", True)))

    def export_pdf(self, path: str) -> None:
        self.doc.storeToURL(url(path), (pv("FilterName", "calc_pdf_Export"), pv("Overwrite", True)))


# ------------------------------------------------------------------ jobs
class Runner:
    def __init__(self, on_spawn=None) -> None:
        self.office: Office | None = None
        self.on_spawn = on_spawn  # called with {"pid", "profile"} as soon as a soffice is started

    def ensure_office(self) -> Office:
        if self.office is None or not self.office.alive():
            if self.office is not None:
                self.office.stop()
            self.office = Office(on_spawn=self.on_spawn)
            self.office.start()
        return self.office

    def shutdown(self) -> None:
        if self.office is not None:
            self.office.stop()
            self.office = None

    def run(self, job: dict) -> dict:
        """Run one job under a watchdog; never raises."""
        started = time.monotonic()
        out = self._run(job)
        out["seconds"] = round(time.monotonic() - started, 3)
        return out

    def _run(self, job: dict) -> dict:
        timeout = float(job.get("timeout", DEFAULT_TIMEOUT))
        results: list[dict] = []
        state: dict = {"action": None, "timed_out": False}

        def watchdog() -> None:
            state["timed_out"] = True
            if self.office is not None:
                self.office.kill()  # any UNO call in progress now fails

        timer = threading.Timer(timeout, watchdog)
        timer.daemon = True
        timer.start()
        doc = None
        out: dict = {"ok": False, "results": results}
        try:
            if job.get("src") and not os.path.isfile(job["src"]):
                raise DriverError(f"no such file: {job['src']}")  # before starting soffice for nothing
            office = self.ensure_office()
            for key in ("save_xlsx", "pdf"):
                if job.get(key) and os.path.exists(job[key]):
                    os.unlink(job[key])
            if job.get("src"):
                doc = Document(office, job["src"])
            for i, a in enumerate(job.get("actions", [])):
                state["action"] = i
                if a.get("op") == "version":
                    results.append({"op": "version", "version": office.version()})
                elif doc is None:
                    raise DriverError("actions on a document need a 'src'")
                else:
                    results.append(doc.act(a))
            state["action"] = None
            for key, store in (("save_xlsx", "save_xlsx"), ("pdf", "export_pdf")):
                if job.get(key):
                    if doc is None:
                        raise DriverError(f"'{key}' needs a 'src'")
                    getattr(doc, store)(job[key])
                    if not os.path.isfile(job[key]) or os.path.getsize(job[key]) == 0:
                        raise DriverError(f"LibreOffice reported success but wrote no {job[key]}")
                    out[key] = job[key]
            out["ok"] = True
        except Exception as exc:
            out["error"] = f"timed out after {timeout:g} s (soffice killed)" if state["timed_out"] else describe(exc)
            out["action"] = state["action"]
            if not isinstance(exc, DriverError) and not state["timed_out"]:
                out["traceback"] = traceback.format_exc(limit=8)
        finally:
            timer.cancel()
            office = self.office
            if office is not None and office.proc is not None:
                out["soffice"] = office.describe()
            # A timeout or a UNO failure may leave soffice dead or wedged: start a fresh one next time.
            fresh = state["timed_out"] or ("traceback" in out)
            if doc is not None and not fresh:
                try:
                    doc.close()
                except Exception:
                    fresh = True
            if fresh and office is not None:
                if not state["timed_out"]:
                    out["soffice_log"] = office.log_tail()
                office.stop()
                self.office = None
        return out


def main(argv: list[str]) -> int:
    proto = None

    def spawned(info: dict) -> None:
        if proto is not None:  # tell the client which soffice to kill should this driver be killed
            proto.write(EVENT + json.dumps({"soffice": info}) + "\n")
            proto.flush()

    runner = Runner(on_spawn=spawned)

    def on_signal(signum, frame):
        runner.shutdown()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        if argv[1:2] == ["--serve"]:
            # Answers go to the original stdout; anything else that writes to fd 1 goes to stderr.
            proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
            os.dup2(2, 1)
            sys.stdout = sys.stderr
            for line in sys.stdin:
                line = line.strip()
                if not line:
                    continue
                try:
                    job = json.loads(line)
                except ValueError as exc:
                    res = {"ok": False, "error": f"bad job JSON: {exc}"}
                else:
                    if job.get("op") == "quit":
                        break
                    res = runner.run(job)
                proto.write(PREFIX + json.dumps(res, ensure_ascii=False) + "\n")
                proto.flush()
            return 0
        if len(argv) != 2:
            print(__doc__, file=sys.stderr)
            return 2
        text = sys.stdin.read() if argv[1] == "-" else Path(argv[1]).read_text(encoding="utf-8")
        res = runner.run(json.loads(text))
        print(json.dumps(res, ensure_ascii=False))
        return 0 if res["ok"] else 1
    finally:
        runner.shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
