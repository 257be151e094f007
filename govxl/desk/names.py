"""Units' names: cleaned as they are kept, and what two names that look the same share."""

from __future__ import annotations

import re
import unicodedata

# Characters that show nothing (or look like a space) and make two names that look the same differ.
_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\x00-\x1f\x7f-\x9f]")


def clean_name(text: str) -> str:
    """A unit's name as kept: NFKC, no invisible or control characters, single spaces, at most 200."""
    s = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    return " ".join(s.split())[:200]


def name_key(text: str) -> str:
    """What two names that look alike share: spaces and case ignored too."""
    return "".join(clean_name(text).split()).casefold()
