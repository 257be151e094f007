"""Text from a file (a name, a label, an agency) made safe to print on one line of a terminal.

A bottom module: it imports nothing of govxl, so every printer can use it.
"""

from __future__ import annotations

import re

# Control characters (line breaks, terminal escapes), C1 controls and bidi overrides in a file name,
# a label or an agency name must not break the one-line-per-file output or fool the terminal.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """Text safe to print on one line: unsafe characters shown as \\xNN, undecodable bytes escaped."""
    s = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", s)
