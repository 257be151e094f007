"""govxl's own exceptions. Library code raises these; only the CLI turns them into exit codes."""


class GovxlError(Exception):
    """Base class. The message is a one-line Chinese sentence fit to show a clerk.

    With a `code` (govxl.catalogue.READ_ERRORS or USAGE_ERRORS) the message is made from the catalogue's template
    and `params`, in Chinese as str(error) and in either language by :meth:`text`."""

    def __init__(self, message: str = "", *, code: str = "", **params: object) -> None:
        self.code, self.params = code, params
        if code and not message:
            message = self._text("zh")
        super().__init__(message)

    def __reduce__(self):  # picklable with its code and parameters (a worker process may raise it)
        return _restore, (type(self), self.args, self.__dict__)

    def text(self, lang: str = "zh") -> str:
        """The message in `lang` (Chinese when no English template exists for it)."""
        if self.code and lang == "en":
            return self._text("en")
        return str(self)

    def _text(self, lang: str) -> str:
        from .catalogue import READ_ERRORS, USAGE_ERRORS, text

        # a parameter may be another error (why last year's report could not be read), a Phrase or a
        # Join: shown in `lang` too
        return text(READ_ERRORS if self.code in READ_ERRORS else USAGE_ERRORS, self.code, lang, self.params)


class SpecError(GovxlError):
    """An edition spec under templates/ is malformed."""


class UsageError(GovxlError):
    """The caller asked for something impossible (bad option, bad output path, ...)."""


class OutputExistsError(UsageError):
    """The output file exists and overwriting was not allowed."""


class ReadError(GovxlError):
    """The input file cannot be read as a workbook at all."""


class NotGovxlError(ReadError):
    """The input is a workbook but not one govxl made (or of an edition this govxl does not know)."""


class NoIdentityError(NotGovxlError):
    """A workbook without govxl's identity: perhaps someone's own table (govxl.sources reads it)."""


class CheckFailedError(GovxlError):
    """The workbook failed its check and the operation needs one that passes (unless forced)."""

    def __init__(self, report) -> None:
        super().__init__(code="U-CHECKFAILED", file=report.file)
        self.report = report



class InputsError(UsageError):
    """Inputs that cannot be combined (mixed editions or years, a summary together with its own
    reports): a coded headline (:meth:`headline`) and the offending files, each with its own coded
    reason: `offenders` as (file, (code, params)), shown by :meth:`lines` in either language."""

    def __init__(self, code: str, offenders: list[tuple[str, tuple[str, dict]]], shown: int = 5,
                 **params: object) -> None:
        self._offenders, self.shown = offenders, shown
        super().__init__(code=code, **params)

    def __reduce__(self):  # picklable (a worker checking --children may raise it)
        return _inputs_error, (self.code, self._offenders, self.shown, self.params)

    def headline(self, lang: str = "zh") -> str:
        return super()._text(lang)

    def lines(self, lang: str = "zh") -> list[tuple[str, str]]:
        """(file, what is wrong with it), in `lang`."""
        from .catalogue import READ_ERRORS, text

        return [(f, text(READ_ERRORS, code, lang, params)) for f, (code, params) in self._offenders]

    @property
    def offenders(self) -> list[tuple[str, str]]:
        return self.lines("zh")

    def _text(self, lang: str) -> str:
        lines, shown = self.lines(lang), self.shown
        if lang == "en":
            more = f" and {len(lines) - shown} more" if len(lines) > shown else ""
            return f"{self.headline(lang)}: " + ", ".join(f"{f} ({why})" for f, why in lines[:shown]) + more
        more = f"等 {len(lines)} 份" if len(lines) > shown else ""
        return f"{self.headline(lang)}：" + "、".join(f"{f}（{why}）" for f, why in lines[:shown]) + more


def _restore(cls: type, args: tuple, state: dict) -> GovxlError:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _inputs_error(code: str, offenders: list, shown: int, params: dict) -> InputsError:
    return InputsError(code, offenders, shown, **params)


def unexpected(exc: BaseException) -> GovxlError:
    """`exc` as a GovxlError: itself, or for an exception the library did not foresee while reading
    one file, a one-line reason (a bug to report, never a traceback) that ends only that file."""
    if isinstance(exc, GovxlError):
        return exc
    if isinstance(exc, MemoryError):
        return ReadError(code="R-MEMORY")
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ReadError(code="R-UNEXPECTED", detail=detail[:200])
