"""The edition a report follows, and the agency and year its title names: by the editions' own
labels and title templates, and the year the text names most often."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from ..errors import ReadError
from ..report.findings import Finding
from ..spec import Edition, edition_ids, load_edition
from .source import Source
from .text import Atom, canon, import_data

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def body_year(src: Source) -> int | None:
    """The year the text names most often (`2020年`): a page without its title (a page of a PDF
    flip-book) still says which year it reports on, and so which edition it follows."""
    text = src.text or "\n".join(" ".join(r) for r in src.rows)
    years = Counter(int(y) for y in _YEAR.findall(text) if 1990 <= int(y) <= 2100)
    return years.most_common(1)[0][0] if years else None


# ------------------------------------------------------------------ edition, title
def detect(eds: list[Edition], atoms: list[Atom], year: int | None) -> tuple[Edition, list[Finding]]:
    """The edition whose own labels (those no other edition has) the report uses most."""
    found = {a.label for a in atoms if a.kind == "L"}
    own = {e.id: {canon(lb.text) for t in e.tables for lb in t.labels} for e in eds}
    score = {}
    for e in eds:
        others = set().union(*(own[o.id] for o in eds if o is not e))
        score[e.id] = (len(found & (own[e.id] - others)), len(found & own[e.id]))
    if not any(common for _, common in score.values()):
        raise ReadError(code="R-NOTABLES", where="在文件中", where_en="the file")
    best = max(score.values())
    top = [e for e in eds if score[e.id] == best]
    if len(top) == 1 and best[0] > 0:
        return top[0], []
    fitting = [e for e in top if year is not None and e.first_year <= year]
    pick = max(fitting, key=lambda e: e.first_year) if fitting else top[0]
    return pick, [Finding.of("I-EDITION", expected=pick.id)]


_CUT = re.compile(r"^.*[>》|_/\\:：]")
_AGENCY = re.compile(r"^[\w（）()·]{2,60}$")


@cache
def _title_res(templates: tuple[str, ...]) -> list[re.Pattern]:
    """From the editions' title templates (`{year}年{agency}政府信息公开工作年度报告`): the year,
    and the agency on either side of it (`南关区政府办公室2023年…` is common too)."""
    out = []
    for tpl in templates:
        if "{year}" not in tpl or "{agency}" not in tpl:
            continue
        data = import_data()
        mark = canon(tpl.split("{year}", 1)[1].split("{agency}", 1)[0])
        marks = "|".join(re.escape(m) for m in sorted({mark, *map(canon, data.title_year_marks)}, key=len, reverse=True))
        suffix = canon(tpl.split("{agency}", 1)[1])
        words = [suffix, *(suffix.replace(o, s) for o, seen in data.variants for s in seen if o in suffix)]
        tail = "|".join(re.escape(w) for w in dict.fromkeys(words))
        out.append(re.compile(rf"(?P<pre>.*?)(?P<year>(?:19|20)\d{{2}})(?:{marks})(?P<post>.*?)(?:{tail})"))
    return out


def title_of(src: Source) -> tuple[str | None, int | None]:
    """Agency and year from a title such as `2023年南关区政府办公室政府信息公开工作年度报告`
    (or `南关区政府办公室2023年政府信息公开工作年度报告`), per the editions' title templates."""
    templates = tuple(sorted({e.report.title for e in map(load_edition, edition_ids()) if e.report}))
    lines = [canon(t) for t in src.titles]
    # A title on one line; else split over two lines (`2023年测试县人民政府办公室` / `政府信息公开
    # 工作年度报告`, or the agency on the line above, a letterhead `…文件` perhaps); else the year alone.
    year_only = None
    for line in lines:
        got = _title_in(line, templates)
        if got is not None and got[0] is not None:
            return got
        year_only = year_only or got
    for a, b in zip(lines, lines[1:]):
        got = _title_in(_LETTERHEAD.sub("", a) + b, templates)
        if got is not None and got[0] is not None:
            return got
    return year_only or (None, None)


_LETTERHEAD = re.compile(r"文件$")
# `关于印发2023年…年度报告的通知`, `…管理局关于2023年度…`: words around the agency's name.
_AROUND = re.compile(r"^(?:关于)?(?:印发|公布|发布)?|关于$")


def _title_in(s: str, templates: tuple[str, ...]) -> tuple[str | None, int | None] | None:
    for rx in _title_res(templates):
        m = rx.search(s)
        if not m:
            continue
        year = int(m.group("year"))
        # the agency after the year (`2023年测试县…`) if the title names one there, else before it;
        # none where the words before the year are prose (`根据《关于做好2022年度我市…`)
        pre = re.sub(r"^[^\w（(]+|[^\w）)]+$", "", _CUT.sub("", m.group("pre")))
        agency = _AROUND.sub("", re.sub(r"^[^\w（(]+|[^\w）)]+$", "", m.group("post") or pre))
        named = _AGENCY.match(agency) and (not pre or _AGENCY.match(pre))
        return (agency if named else None), (year if 1990 <= year <= 2100 else None)
    return None
