"""What a file is before it is opened as a zip: Office lock files, folders, pipes, legacy OLE
files (.xls, .doc, encrypted workbooks), PDF, text and web pages saved as .xlsx."""

from __future__ import annotations

import errno
from pathlib import Path

from ..errors import ReadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_OS_ERRORS = {
    errno.EACCES: "R-DENIED", errno.EPERM: "R-DENIED", errno.ENAMETOOLONG: "R-LONGNAME", errno.ELOOP: "R-LINKLOOP",
    errno.EIO: "R-IO", errno.ENOENT: "R-MISSING",
}


def os_error(path: Path, exc: OSError) -> ReadError:
    """The read error for an OSError met while reading `path`."""
    code = _OS_ERRORS.get(exc.errno or 0)
    if code:
        return ReadError(code=code, path=str(path))
    return ReadError(code="R-OSERROR", path=str(path), why=str(exc.strerror or exc))


def sniff(path: Path) -> None:
    """Raise ReadError with a clerk-readable reason if `path` cannot be an .xlsx.

    The content decides, not the name: a workbook saved as .xlsm or .xltx is read like an
    .xlsx, and a text file named .xlsx is called a text file.
    """
    name = path.name
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        raise ReadError(code="R-LOCKFILE", name=name)
    try:
        if not path.exists():
            if path.is_symlink():
                raise ReadError(code="R-BROKENLINK", path=str(path))
            raise ReadError(code="R-MISSING", path=str(path))
        if path.is_dir():
            raise ReadError(code="R-FOLDER", path=str(path))
        if not path.is_file():
            raise ReadError(code="R-NOTFILE", path=str(path))
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head.startswith(OLE_MAGIC):
                raise ReadError(code=ole_kind(fh))
    except OSError as exc:
        raise os_error(path, exc) from None
    if not head:
        raise ReadError(code="R-EMPTY", path=str(path))
    if head.startswith(b"PK"):
        return
    what, what_en = _what_else(head)
    raise ReadError(code="R-NOTXLSX", what=what, what_en=what_en)


def _what_else(head: bytes) -> tuple[str, str]:
    """What a non-zip file most likely is, in words a clerk knows (Chinese, English)."""
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件", "this is a PDF file"
    if head.startswith(b"{\\rtf"):
        return "这是 RTF 文档", "this is an RTF document"
    text = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel and Notepad save it
        text = head[2:len(head) - len(head) % 2].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", "replace")
    elif b"\0" not in head:
        for enc in ("utf-8-sig", "gb18030"):
            for cut in (0, 1, 2, 3):  # the 4 KB cut may split a character
                try:
                    text = head[:len(head) - cut].decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            if text is not None:
                break
    if text is None or any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
        return ("文件内容不是 zip 格式，可能已损坏或是其他类型的文件",
                "its content is not a zip archive: it may be damaged, or a file of another kind")
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return ("这是 Excel 2003 XML 表格，请在 Excel 或 WPS 中另存为 .xlsx 后再检查",
                "this is an Excel 2003 XML spreadsheet: save it as .xlsx in Excel or WPS, then check it")
    if low.startswith(("<!doctype html", "<html", "<table", "<meta", "<head")) or "<html" in low[:500]:
        return ("这是网页（HTML）文件，有些系统“导出 Excel”时生成的其实是网页；请在 Excel 或 WPS 中另存为 .xlsx 后再检查",
                "this is a web page (HTML), as some systems make when they “export to Excel”: save it as .xlsx "
                "in Excel or WPS, then check it")
    if low.startswith("<?xml") or low.startswith("<"):
        return "这是 XML 文本文件", "this is an XML text file"
    first = text.splitlines()[0] if text.strip() else ""
    if "," in first or "\t" in first or "，" in first:
        return ("这是文本（CSV）文件，请在 Excel 或 WPS 中打开后另存为 .xlsx 再检查",
                "this is a text (CSV) file: open it in Excel or WPS and save it as .xlsx, then check it")
    return "这是文本文件", "this is a text file"


_OLE_END = 0xFFFFFFFA  # sector numbers at or above this are markers (end of chain, free, ...)


def _ole_names(fh) -> set[str]:
    """Stream names in an OLE compound file's directory (bounded reads, never the whole file)."""
    fh.seek(0)
    hdr = fh.read(512)
    if len(hdr) < 512:
        return set()
    u32 = lambda b, o: int.from_bytes(b[o:o + 4], "little")  # noqa: E731
    shift = int.from_bytes(hdr[30:32], "little")
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    fat: list[int] = []
    for i in range(min(u32(hdr, 44), 109)):
        sec = u32(hdr, 76 + 4 * i)
        if sec >= _OLE_END:
            break
        fh.seek((sec + 1) * size)
        data = fh.read(size)
        fat += [u32(data, o) for o in range(0, len(data) - 3, 4)]
    names: set[str] = set()
    sec, seen = u32(hdr, 48), set()
    while sec < _OLE_END and sec not in seen and len(seen) < 1024:
        seen.add(sec)
        fh.seek((sec + 1) * size)
        data = fh.read(size)
        for off in range(0, len(data) - 127, 128):
            n = int.from_bytes(data[off + 64:off + 66], "little")
            if 2 <= n <= 64:
                names.add(data[off:off + n - 2].decode("utf-16-le", "replace"))
        sec = fat[sec] if sec < len(fat) else _OLE_END
    return names


def ole_kind(fh) -> str:
    """The read-error code for an OLE compound file: encrypted OOXML, legacy .xls, or another Office file."""
    names = _ole_names(fh)
    fh.seek(0)
    blob = fh.read(1 << 20)  # fallback when the directory could not be walked

    def has(stream: str) -> bool:
        return stream in names or stream.encode("utf-16-le") in blob

    if has("EncryptedPackage"):
        return "R-ENCRYPTED"
    if has("Workbook") or has("Book"):
        return "R-OLDXLS"
    if has("WordDocument"):
        return "R-OLDDOC"
    return "R-OLDOFFICE"
