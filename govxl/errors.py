"""govxl's own exceptions. Library code raises these; only the CLI turns them into exit codes."""


class GovxlError(Exception):
    """Base class. The message is a one-line Chinese sentence fit to show a clerk."""


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
    """A workbook without govxl's identity: perhaps someone's own table (govxl.documents reads it)."""


class CheckFailedError(GovxlError):
    """The workbook failed its check and the operation needs one that passes (unless forced)."""

    def __init__(self, report) -> None:
        super().__init__(f"{report.file} 未通过校验，不能生成报告（如仍要生成，请加 --force）")
        self.report = report


class InputsError(UsageError):
    """Inputs that cannot be combined (mixed editions or years, a summary together with its own
    reports). `headline` is the one-line reason; `offenders` lists (file, what is wrong), one each."""

    def __init__(self, headline: str, offenders: list[tuple[str, str]], shown: int = 5) -> None:
        self.headline, self.offenders = headline, offenders
        names = "、".join(f"{f}（{why}）" for f, why in offenders[:shown])
        more = f"等 {len(offenders)} 份" if len(offenders) > shown else ""
        super().__init__(f"{headline}：{names}{more}")


def unexpected(exc: BaseException) -> GovxlError:
    """`exc` as a GovxlError: itself, or for an exception the library did not foresee while reading
    one file, a one-line reason (a bug to report, never a traceback) that ends only that file."""
    if isinstance(exc, GovxlError):
        return exc
    if isinstance(exc, MemoryError):
        return ReadError("无法读取：文件内容过多，内存不足")
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ReadError(f"无法读取：文件结构异常（{detail[:200]}）；如确认文件无误，请把此信息报告给 govxl 开发者")
