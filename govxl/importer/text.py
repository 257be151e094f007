"""From the text of a published report to atoms: official labels, values, empty cells, other text.

Labels come only from the edition specs, compared in a canonical form (NFKC, so ASCII and
full-width brackets and `．`/`.` agree; no whitespace, since cell wrapping puts spaces and
line breaks inside labels; one kind of quote mark; `、` = `.`), plus the variant spellings of
templates/import.toml.  A label may run straight into the next label or into the row's digits
(text copied from a PDF) but not into other words: a label inside a sentence is prose.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from ..errors import SpecError
from ..spec import load_edition, templates_dir

QUOTES = "“”„‟\"'‘’「」『』"
_CANON = str.maketrans({**dict.fromkeys(QUOTES, '"'), "、": "."})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"), " ")


def nfkc_chars(s: str) -> tuple[str, list[int]]:
    """NFKC per character, with the index in `s` of every output character (to quote originals)."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(s.translate(_INVISIBLE)):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out.append(n)
        idx.extend([i] * len(n))
    return "".join(out), idx


# ------------------------------------------------------------------ Traditional characters, glosses
# A pinyin gloss pasted after a character (`規(guī)章`): lower-case letters with a tone mark.
_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*[)）]")


@cache
def _t2s():
    """OpenCC's Traditional -> Simplified converter (imported only when a report is imported)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - a declared dependency; without it, no conversion
        return None
    return opencc.OpenCC("t2s")


def simplify(s: str) -> str:
    """Text from a mirror site in Simplified characters, without pinyin glosses: `規(guī)章` -> `规章`.
    The official labels are their own Simplified form (a test checks it), so converting every
    report is harmless to those already in Simplified characters."""
    s = _GLOSS.sub("", s)
    conv = _t2s()
    return conv.convert(s) if conv is not None and not s.isascii() else s


def canon(s: str) -> str:
    """The form in which two spellings of one label compare equal."""
    t = unicodedata.normalize("NFKC", s.translate(_INVISIBLE))
    return "".join(t.split()).translate(_CANON)


# ------------------------------------------------------------------ data (templates/import.toml)
@dataclass(frozen=True)
class ImportData:
    variants: tuple[tuple[str, tuple[str, ...]], ...]
    blank_marks: str
    title_year_marks: tuple[str, ...]
    amount_units: dict
    count_units: dict
    # [[stated]]: (row key, subject words, ((column key, words), …))
    stated: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()


@cache
def import_data() -> ImportData:
    path = templates_dir() / "import.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown = set(raw) - {"blank_marks", "variants", "units", "title_year_marks", "stated"}
        bad = [v for v in raw.get("variants", []) if set(v) != {"official", "seen"}
               or not isinstance(v["official"], str) or not all(isinstance(x, str) for x in v["seen"])]
        if unknown or bad or set(raw["units"]) != {"amount", "count"}:
            raise ValueError(f"未知的键 {', '.join(sorted(unknown))}" if unknown else "variants/units 的格式不对")
        stated = tuple((str(h["row"]), tuple(map(str, h["subject"])), tuple((str(c), tuple(map(str, w)))
                                                                          for c, w in h["cols"].items()))
                       for h in raw.get("stated", []))
    except (OSError, KeyError, TypeError, ValueError, AttributeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path.name}: {exc}") from None
    return ImportData(
        variants=tuple((v["official"], tuple(v["seen"])) for v in raw.get("variants", [])),
        blank_marks="".join(dict.fromkeys("".join(raw.get("blank_marks", [])))),
        title_year_marks=tuple(raw.get("title_year_marks", [])),
        amount_units={k: Decimal(str(v)) for k, v in raw["units"]["amount"].items()},
        count_units=dict(raw["units"]["count"]),
        stated=stated,
    )


# ------------------------------------------------------------------ values
@dataclass(frozen=True)
class Val:
    """A value cell as printed: a number (None = printed blank such as “/”) and any unit."""

    text: str
    number: Decimal | None
    unit: str | None = None
    # Only digits (and perhaps a leading minus, a decimal part and a unit), so it may be several
    # cells run together; a minus belongs to the first of them, the decimals and the unit to the last.
    run: bool = False
    # A hyphen run into digits (`2-32`): a blank mark before the next cell, or its minus sign.
    dash: bool = False
    # A cell printed with something that is neither a number nor a word (`1O`, `l2`, `*`, `？`,
    # `不详`): the cell stands in its place, its value is unknown (never a number read into it).
    junk: bool = False


@cache
def _value_re() -> re.Pattern:
    d = import_data()
    units = sorted([*d.amount_units, *d.count_units], key=len, reverse=True)
    blank = "[" + re.escape(d.blank_marks) + "]+"
    num = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    return re.compile(rf"(?P<dash>-(?=\d))|(?P<num>{num})(?P<unit>{'|'.join(map(re.escape, units))})?|(?P<blank>{blank})")


def parse_values(token: str, glued: bool = False) -> list[Val] | None:
    """'12' -> [12]; '-3' -> [-3]; '10/0' -> [10, blank, 0]; '251000元' -> [251000 元];
    words -> None.  A hyphen right before digits is a minus sign where it starts a separate
    token; run into digits (`2-32`), or into the label before it (`glued`), it may also be a
    blank mark, and is kept as a dash for the splitter to decide."""
    rx = _value_re()
    out: list[Val] = []
    pos, sign = 0, ""
    if len(token) > 1 and token[0] == "+" and token[1].isdigit():
        pos = 1
    while pos < len(token):
        if token[pos] == "+" and pos + 1 < len(token) and token[pos + 1].isdigit() and pos:
            pos += 1  # `2+3`: a plus sign only marks where the next cell starts
        m = rx.match(token, pos)
        if not m:
            return None
        if m.group("dash"):
            if pos == 0 and not glued:
                sign = "-"
            else:
                out.append(Val("-", None, dash=True))
        elif m.group("blank"):
            out.append(Val(m.group(), None))
        else:
            num = m.group("num")
            whole = num.split(".")[0]
            out.append(Val(sign + m.group(), Decimal(sign + num.replace(",", "")), m.group("unit"),
                           run=whole.isdigit() and len(whole) > 1 and "," not in num))
            sign = ""
        pos = m.end()
    return out


# What a cell holds instead of its number when nobody knew it or it was mistyped.
UNKNOWN_WORDS = frozenset({"不详", "未知", "不清楚", "无法统计", "待统计", "待定", "待核实", "待补充", "暂缺", "缺",
                           "略", "空", "无数据", "暂无数据"})
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")


def unreadable(text: str) -> bool:
    """A short text that stands where a number should (`1O` with a letter O, `l2`, `*`, `？`, `#N/A`,
    `不详`): no number, no word; not a blank mark (parse_values reads those)."""
    s = canon(text)
    if not s or len(s) > 8 or parse_values(s) is not None:
        return False
    return s in UNKNOWN_WORDS or not _IDEOGRAPH.search(s)


# ------------------------------------------------------------------ labels
def _pattern(form: str) -> str:
    def piece(ch: str) -> str:
        if ch == ".":
            return "[.、]"
        if ch == '"':
            return "[" + re.escape(QUOTES) + "]"
        return re.escape(ch)

    return r"\s*".join(piece(ch) for ch in form)


_TRAILING_NOTE = re.compile(r"^(.+?)[（(][^（）()]+[）)]$")


def spellings(text: str) -> list[str]:
    """Other spellings of an official label that real reports use: the variants of
    import.toml, and the label without its trailing note in brackets (“（二）部分公开”)."""
    out = []
    for official, seen in import_data().variants:
        if official in text:
            out += [text.replace(official, s) for s in seen]
    m = _TRAILING_NOTE.match(text)
    if m and len(canon(m.group(1))) >= 4:
        out.append(m.group(1))
    return out


class Lexicon:
    """Recognises the official labels of some editions in running text."""

    def __init__(self, labels: Iterable[str]) -> None:
        labels = list(dict.fromkeys(labels))
        # canonical spelling -> (canonical official label, is a variant)
        self.forms: dict[str, tuple[str, bool]] = {canon(t): (canon(t), False) for t in labels}
        clash: set[str] = set()
        for t in labels:
            for s in spellings(t):
                c = canon(s)
                if c in self.forms and self.forms[c] != (canon(t), True):
                    if self.forms[c][1]:
                        clash.add(c)  # one spelling, two labels: accept neither
                    continue
                self.forms[c] = (canon(t), True)
        for c in clash:
            del self.forms[c]
        alts = sorted(self.forms, key=len, reverse=True)
        self.regex = re.compile("|".join(f"(?:{_pattern(a)})" for a in alts))
        d = import_data()
        self.value_chars = set("0123456789+-" + d.blank_marks)


_OPEN, _CLOSE = "(（", ")）"
# Digits (and a unit) run into a numbered heading (`四、` `（五）`), as in a page saved as one line.
_BEFORE_HEADING = re.compile(r"^(\d+(?:\.\d+)?(?:[万亿]?元)?)(?=[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十]+[）)])")


def _note_end(ns: str, b: int, limit: int = 400) -> int | None:
    """Where a filling note in brackets right after a label ends (`规章（设区的市…提供相关数据）`)."""
    depth = 0
    for i in range(b, min(len(ns), b + limit)):
        if ns[i] in _OPEN:
            depth += 1
        elif ns[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        elif ns[i] == "\n" and depth == 0:
            return None
    return None


def label_spans(ns: str, lex: Lexicon) -> list[tuple[int, int, tuple[str, bool]]]:
    """The official labels in `ns`: (start, end, form).  A label stands alone (whitespace, a
    value or the text's ends on both sides), or in a chain of labels run together (text copied
    from a PDF, a page saved as one line) that stands alone on both sides, or on one side when
    the chain holds two labels or more.  A note in brackets right after a label is part of it."""
    vc = lex.value_chars

    def edge(i: int) -> bool:
        return i <= 0 or i >= len(ns) or ns[i].isspace() or ns[i] in vc

    found = [(m.start(), m.end(), m.group()) for m in lex.regex.finditer(ns) if m.end() > m.start()]
    starts = {a for a, _, _ in found}
    raw: list[tuple[int, int, tuple[str, bool]]] = []
    covered = -1
    for a, b, text in found:
        if a < covered:
            continue  # inside the note of the label before
        end = b
        if b < len(ns) and ns[b] in _OPEN and b not in starts:
            e = _note_end(ns, b)
            if e is not None and (edge(e) or e in starts):
                end = covered = e
        raw.append((a, end, lex.forms[canon(text)]))
    out: list[tuple[int, int, tuple[str, bool]]] = []
    i = 0
    while i < len(raw):
        j = i
        while j + 1 < len(raw) and raw[j + 1][0] == raw[j][1]:
            j += 1
        chain = raw[i: j + 1]
        left, right = edge(chain[0][0] - 1), edge(chain[-1][1])
        if (left and right) or (len(chain) >= 2 and (left or right)):
            out += chain
        i = j + 1
    return out


@dataclass
class Atom:
    """One piece of the report: L an official label, V a value, E an empty cell,
    T other text, B the end of a row (where the source shows rows)."""

    kind: str
    text: str
    row: int
    label: str = ""
    variant: bool = False
    val: Val | None = None


def decompose(text: str, lex: Lexicon, row: int = 0, line_of: list[int] | None = None) -> list[Atom]:
    """The atoms of one cell (all in `row`), or of running text (row = line, via `line_of`)."""
    ns, idx = nfkc_chars(text)
    if not ns.strip():
        return []

    def row_at(i: int) -> int:
        return line_of[idx[i]] if line_of is not None else row

    def orig(a: int, b: int) -> str:
        return text[idx[a]: idx[b - 1] + 1]

    spans = label_spans(ns, lex)
    atoms: list[Atom] = []
    pos = last_label_end = 0
    for a, b, form in [*spans, (len(ns), len(ns), None)]:
        for m in re.finditer(r"\S+", ns[pos:a]):
            s, e = pos + m.start(), pos + m.end()
            vals = parse_values(m.group(), glued=s == pos and s > 0 and pos == last_label_end)
            r = row_at(s)
            head = _BEFORE_HEADING.match(m.group()) if vals is None else None
            if head:
                # `00四、政府信息公开…` (a page saved as one line): the row's last digits, then a heading.
                cut = s + head.end(1)
                atoms += [Atom("V", v.text, r, val=v) for v in parse_values(head.group(1)) or []]
                atoms.append(Atom("T", orig(cut, e), row_at(cut)))
                continue
            if vals is None:
                if atoms and atoms[-1].kind == "T" and atoms[-1].row == r:
                    atoms[-1].text += " " + orig(s, e)
                else:
                    atoms.append(Atom("T", orig(s, e), r))
            elif len(vals) == 1:
                atoms.append(Atom("V", orig(s, e), r, val=vals[0]))
            else:
                atoms += [Atom("V", v.text, r, val=v) for v in vals]
        if form is not None:
            atoms.append(Atom("L", orig(a, b), row_at(a), label=form[0], variant=form[1]))
            last_label_end = b
        pos = b
    return atoms


@cache
def lexicon(edition_ids: tuple[str, ...]) -> Lexicon:
    """The official labels of these editions, as one lexicon (once per set of editions)."""
    return Lexicon(lb.text for e in edition_ids for t in load_edition(e).tables for lb in t.labels)
