"""What `govxl check --annotate DIR --report FILE.html` writes besides its console output.

:func:`prepare` validates the outputs before anything is checked (a bad path should not wait
for a thousand checks) and names each file's marked-up copy; :class:`Outputs` is called with
each report where it was checked (a worker of the batch) and writes the copy and the report's
part for that file; the parent assembles the HTML page (govxl/report/page.py).

Where outputs may go: never over an input (a copy has the input's name, so a copy in the
input's own folder is refused), and never inside a folder being checked where the next check
of that folder would pick the copies up as reports (a hidden folder there is fine: it is skipped).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputExistsError, UsageError, unexpected
from ..files import DOCUMENTS, skipped, walk
from ..safefile import same_file
from .findings import Report


@dataclass
class Done:
    """What was written for one file (in a worker): the copy, or why not; the report's part."""

    copy: Path | None = None
    error: str | None = None
    part: str | None = None


@dataclass
class Outputs:
    """Picklable: sent once to each worker of a batch."""

    lang: str = "zh"
    strict: bool = False
    annotate: Path | None = None
    report: Path | None = None
    copies: dict[str, Path] = field(default_factory=dict)  # input path (as checked) -> its copy
    index: dict[str, int] = field(default_factory=dict)  # input path -> its number in the report

    def href(self, path: str | os.PathLike) -> str | None:
        """The copy's address relative to the report's folder (a link that survives moving both)."""
        copy = self.copies.get(str(path))
        if copy is None or self.report is None:
            return None
        rel = os.path.relpath(copy.resolve(), self.report.resolve().parent)
        return Path(rel).as_posix().replace("%", "%25").replace("#", "%23").replace("?", "%3F")

    def __call__(self, path: Path, report: Report) -> Done:
        from .annotate import annotate
        from .page import section

        done = Done()
        copy = self.copies.get(str(path))
        if copy is not None and report.edition is not None:
            try:
                copy.parent.mkdir(parents=True, exist_ok=True)
                done.copy = (_annotate_document(report, copy, self.lang) if getattr(report, "source", None)
                             else annotate(report, copy, self.lang))
            except OSError as exc:
                done.error = UsageError(code="U-COPY-WRITE", path=str(copy), why=str(exc.strerror or exc)).text(self.lang)
            except Exception as exc:  # noqa: BLE001 - one file's copy must not end the batch
                done.error = unexpected(exc).text(self.lang)
        if self.report is not None:
            try:
                done.part = section(report, self.lang, self.strict, self.href(path) if done.copy else None,
                                    self.index.get(str(path), 0))
            except Exception as exc:  # noqa: BLE001
                done.error = (done.error + ("; " if self.lang == "en" else "；") if done.error else "") \
                    + unexpected(exc).text(self.lang)
        return done


def _annotate_document(report: Report, copy: Path, lang: str) -> Path:
    """The marked-up copy of a document not made by govxl (Word, PDF, a hand-made sheet): a govxl
    workbook in the official layout holding the numbers read from it (as `govxl import` writes it,
    printed totals kept), with the document's findings marked. Made from the report alone."""
    import tempfile

    from ..writer_imported import write_report_workbook
    from .annotate import annotate, read_source

    fd, tmp = tempfile.mkstemp(suffix=".xlsx", prefix=".govxl-", dir=copy.parent)
    os.close(fd)
    try:
        write_report_workbook(report, tmp, force=True)  # from the report alone: the document is not read again
        return annotate(report, copy, lang, raw=read_source(tmp))
    finally:
        os.unlink(tmp)


def _inside(child: Path, folder: Path) -> Path | None:
    """`child` relative to `folder` when it is inside it (or is it), else None."""
    try:
        return child.resolve().relative_to(folder.resolve())
    except ValueError:
        return None


def prepare(args: list[Path], paths: list[Path], *, annotate: Path | None, report: Path | None,
            lang: str, strict: bool, read_too: list[Path] = (), force: bool = False) -> Outputs:
    """Check the output paths and name the copies; raise UsageError with a clerk-readable reason.
    `read_too`: other folders the command reads (--previous-dir, --children), where copies would
    be read again next time just the same. A page or a copy that exists is replaced only with `force`."""
    from ..safefile import prepare_output

    out = Outputs(lang, strict, annotate, report)
    out.index = {str(p): i for i, p in enumerate(paths, start=1)}
    if report is not None:
        out.report = prepare_output(report, force=force, suffix=".html", inputs=tuple(paths))
    if annotate is None:
        return out
    if annotate.exists() and not annotate.is_dir():
        raise UsageError(code="U-ANNOTATE-FILE", path=str(annotate))
    if not annotate.exists() and not annotate.parent.exists():
        raise UsageError(code="U-ANNOTATE-PARENT", path=str(annotate.parent))
    for a in [*args, *read_too]:
        if a.is_dir():
            rel = _inside(annotate, a)
            if rel is not None and not any(skipped(part) for part in rel.parts):
                raise UsageError(code="U-ANNOTATE-INSIDE", folder=str(annotate), inside=str(a))
    names: dict[str, Path] = {}  # relative name -> input: two inputs with one name get " (2)"
    wanted = {os.path.normcase(os.path.abspath(p)) for p in paths}
    for a in args:
        found = [(f, f.relative_to(a)) for f in walk(a, suffixes=DOCUMENTS)] if a.is_dir() else [(a, Path(a.name))]
        for f, rel in found:
            key = os.path.normcase(os.path.abspath(f))
            if key not in wanted or str(f) in out.copies:
                continue
            rel = rel.with_suffix(".xlsx")
            n = 2
            while str(rel).casefold() in names:
                rel = rel.with_name(f"{rel.stem.rsplit(' (', 1)[0]} ({n}).xlsx")
                n += 1
            names[str(rel).casefold()] = f
            copy = annotate / rel
            for p in paths:
                if same_file(copy, p):
                    raise UsageError(code="U-ANNOTATE-OVER", copy=str(copy), path=str(p))
            if copy.exists() and not copy.is_dir() and not force:  # a folder in its place: said per file
                raise OutputExistsError(code="U-EXISTS", path=str(copy))
            out.copies[str(f)] = copy
    return out
