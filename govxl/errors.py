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
