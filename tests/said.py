"""Tests assert against the catalogue's templates, not Chinese fragments copied into the test.

    said("S-LOCK")                        # the rule's title is not a message: see title()
    said("locked-inputs", n=3)            # a reason: "3 个应填单元格被锁定，无法填写"
    said("X-CARRY", "en", col=..., ...)   # a rule's message template, filled in
    said("R-ENCRYPTED")                   # a read error's message
    said("U-SUFFIX", "en", suffix=..., path=...)  # a usage error's message

A code is looked up among the rules (their message templates), the reasons, the read errors and
the usage errors of govxl.catalogue; a parameter may be a catalogue Phrase or Join (shown in the same language).
"""

from __future__ import annotations

from govxl.catalogue import CATALOGUE, READ_ERRORS, REASONS, USAGE_ERRORS, shown, text


def said(code: str, lang: str = "zh", /, **params: object) -> str:
    """The catalogue's text for `code` in `lang`, filled in with `params` (each one is required)."""
    params = {k: shown(v, lang) for k, v in params.items()}
    if code in CATALOGUE:
        rule = CATALOGUE[code]
        return (rule.en if lang == "en" else rule.zh).format(**params)
    table = REASONS if code in REASONS else READ_ERRORS if code in READ_ERRORS else USAGE_ERRORS
    return text(table, code, lang, params)


def title(code: str, lang: str = "zh") -> str:
    """A rule's short title."""
    return CATALOGUE[code].title_en if lang == "en" else CATALOGUE[code].title_zh
