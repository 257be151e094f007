"""The desk's web application (Flask): what every request goes through (the CSRF check, the
security headers, the error pages); the office's pages (admin.py, behind the admin password)
and each unit's pages (unit.py, behind its own unguessable link) share pages.py.

Every form carries the session's CSRF token; every page is plain HTML with inline CSS (no
script, nothing from the internet) and is sent with a strict Content-Security-Policy. Files are
sent as downloads (attachment), never as HTML; an uploaded file's name is only shown.
"""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta

from flask import Flask, abort, render_template, request, session
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import adapter, admin, manage, unit
from .ocrqueue import ScanQueue
from .pages import Pages, say
from .security import Backoff, RateLimit
from .store import Desk
from .wording import html_lang, status, type_names
from .work import Runner

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def create_app(desk: Desk, runner: Runner | None = None, *, max_upload: int = 20 << 20,
               login_limit: tuple[int, float] = (5, 30.0), upload_limit: tuple[int, float] = (20, 60.0),
               trust_proxy: bool = False, base_url: str | None = None, lang: str | None = None,
               scans: ScanQueue | None = None) -> Flask:
    """`login_limit`: (failed logins before the backoff starts, its longest wait in seconds);
    `trust_proxy`: the client's address and scheme from X-Forwarded-For/-Proto (only behind a
    proxy that sets them); `base_url`: the address the units' links start with; `lang`: the
    language of the pages ("zh", or "en"; by default that of the findings, the runner's); `scans`:
    the queue that reads scans apart from the other uploads (without it, a scan is read where it
    is checked)."""
    app = Flask(__name__)
    if trust_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=desk.secret_key(),
        MAX_CONTENT_LENGTH=max_upload + (1 << 20),  # the form around the file too
        MAX_FORM_MEMORY_SIZE=1 << 20,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="govxl_desk",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        TRUST_PROXY=trust_proxy,
        BASE_URL=base_url,
    )
    runner = runner or Runner(0, lang or "zh")
    app.config["DESK_LANG"] = lang = "en" if (lang or runner.lang) == "en" else "zh"
    app.extensions["desk"] = desk
    app.extensions["runner"] = runner
    logins = Backoff(login_limit[0], login_limit[1])
    sends = RateLimit(*upload_limit)

    # ------------------------------------------------------------ every request
    @app.before_request
    def _csrf() -> None:
        if request.method == "POST":
            token = request.form.get("csrf", "")
            if not token or not secrets.compare_digest(token, session.get("csrf", "")):
                abort(400, say("e-csrf"))

    @app.template_filter("when")
    def _when(dt, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        """A stored time in the server's local time (SQLite gives it back without its zone: UTC)."""
        if dt is None:
            return ""
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone().strftime(fmt)

    @app.context_processor
    def _globals() -> dict:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return {"csrf": session["csrf"], "t": say, "lang": lang, "html_lang": html_lang(lang),
                "status_text": lambda st: status(st, lang), "standing": adapter.standing,
                "types": say("list-sep").join(type_names(adapter.ACCEPTED, lang)),
                "DESK_RULES": ("D-YEAR", "D-EDITION", "D-AGENCY", "D-COPY"),
                "accept": ",".join(adapter.SUFFIXES), "max_mb": max_upload >> 20,
                "findings_css": adapter.findings_css()}

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"  # a unit's link never leaks to another site
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if isinstance(exc, RequestEntityTooLarge):
            msg = say("e-too-large", mb=max_upload >> 20)
        else:
            own = exc.description and exc.description != type(exc).description  # werkzeug's own is English
            msg = exc.description if exc.code in (400, 409, 429) and own else say(
                {404: "e-404", 403: "e-403", 405: "e-405"}.get(exc.code or 0, "e-other"))
        return render_template("error.html", code=exc.code, message=msg), exc.code

    @app.errorhandler(Exception)
    def _error(exc: Exception):  # the last line: a page, never a traceback
        app.logger.exception("desk error")
        return render_template("error.html", code=500, message=say("e-500")), 500

    pages = Pages(desk, runner, max_upload, scans)
    admin.register(app, pages, logins)
    unit.register(app, pages, sends)
    manage.register(app, pages)
    return app
