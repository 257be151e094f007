"""The parts of a package around the sheets: relationships, styles, shared strings, custom
properties, the workbook part; parsed once per distinct content across a batch."""

from __future__ import annotations

import posixpath
import re

from .bounded import BoundedZip
from .safexml import NS_REL, M, parse_xml, part

_T = M + "t"

# Parts that are byte-identical across the workbooks of a batch (styles, workbook, relationships,
# custom properties of one template) are parsed once: keyed by their exact bytes, so a hit is
# the same content, never a look-alike. A few entries per kind; the memo is emptied when full.
_MEMO: dict[tuple[str, bytes], object] = {}
_MEMO_MAX = 64


def memo(z: BoundedZip, name: str, kind: str, derive):
    what = part(name)
    data = z.read(name, what)
    key = (kind, data)
    hit = _MEMO.get(key)
    if hit is None:
        z.count(data, what)
        hit = derive(parse_xml(data, what))
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = hit
    return hit


def rels(z: BoundedZip, part: str, types: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """Relationship id -> part path; `types` (if given) receives (id, relationship type) pairs."""
    d, base = posixpath.split(part)
    rels_name = posixpath.join(d, "_rels", base + ".rels")
    if not z.has(rels_name):
        return {}
    out = {}
    for rid, rtype, target, mode in memo(z, rels_name, "rels", _rel_entries):
        if types is not None:
            types.append((rid, rtype.rsplit("/", 1)[-1]))
        if mode == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[rid] = path
    return out


def _rel_entries(root) -> tuple[tuple[str, str, str, str | None], ...]:
    return tuple((rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", ""), rel.get("TargetMode"))
                 for rel in root)


_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[dmyhs]", re.I)


def _is_date_code(code: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)
    return bool(_DATE_CODE.search(stripped)) and "General" not in code


def styles(z: BoundedZip, part: str | None) -> list[tuple[bool, bool]]:
    if not part or not z.has(part):
        return []
    return memo(z, part, "styles", _style_flags)


def _style_flags(root) -> list[tuple[bool, bool]]:
    custom = {}
    nf = root.find(M + "numFmts")
    if nf is not None:
        for x in nf:
            custom[x.get("numFmtId")] = _is_date_code(x.get("formatCode", ""))
    out = []
    xfs = root.find(M + "cellXfs")
    for xf in xfs if xfs is not None else []:
        prot = xf.find(M + "protection")
        locked = prot is None or prot.get("locked", "1") not in ("0", "false")
        fid = xf.get("numFmtId", "0")
        is_date = custom.get(fid, False) if fid in custom else (small_int(fid) in _DATE_IDS)
        out.append((locked, is_date))
    return out


def shared_strings(z: BoundedZip, part: str | None) -> list[str]:
    if not part or not z.has(part):
        return []
    out = []
    for si in z.xml(part, ("共享字符串表 ", "the shared strings")):
        if len(si) == 1 and si[0].tag == _T:  # plain text, the common case
            out.append(xstring(si[0].text or ""))
        else:  # rich text runs, phonetic guides
            out.append(xstring("".join(t.text or "" for t in si.iter(_T) if _not_phonetic(si, t))))
    return out


_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xstring(text: str) -> str:
    """Undo the _xHHHH_ escapes of cell text (Excel writes a carriage return as _x000D_)."""
    if "_x" not in text:
        return text
    return _XESC.sub(lambda m: chr(int(m.group(1), 16)), text)


def small_int(text: str) -> int:
    """A non-negative ASCII integer attribute of at most 9 digits, else -1 (never raises)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else -1


def _not_phonetic(si, t) -> bool:
    for rph in si.findall(M + "rPh"):
        if t in list(rph):
            return False
    return True


def custom_props(z: BoundedZip) -> dict[str, str]:
    if not z.has("docProps/custom.xml"):
        return {}
    return dict(memo(z, "docProps/custom.xml", "custom", _custom_entries))


def _custom_entries(root) -> tuple[tuple[str, str], ...]:
    out = {}
    for prop in root:
        name = prop.get("name")
        if name is not None and len(prop):
            out[name] = (prop[0].text or "").strip()
    return tuple(out.items())


def workbook_entries(wb) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...], bool]:
    """(defined names, sheets as (name, state, relationship id), is the structure locked) of xl/workbook.xml."""
    names = {}
    dn = wb.find(M + "definedNames")
    for d in dn if dn is not None else []:
        names[d.get("name", "")] = (d.text or "").strip()
    sh_el = wb.find(M + "sheets")
    sheets = tuple((s.get("name", ""), s.get("state", "visible"), s.get("{%s}id" % NS_REL, ""))
                   for s in (sh_el if sh_el is not None else ()))
    prot = wb.find(M + "workbookProtection")
    locked = prot is not None and prot.get("lockStructure", "0").strip() in ("1", "true")
    return tuple(names.items()), sheets, locked
