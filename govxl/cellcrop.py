"""The picture of one cell of a scan that was not read with certainty (issue 28).

The OCR reader (govxl/importer/ocr.py) cuts the cell, with a margin, out of the straightened
table, downscales it and keeps it as a small PNG; the cell's I-OCR finding carries it in its
params (``crop``) as a ``data:image/png;base64,…`` text: plain data that travels with the report
(JSON, pickling to a worker, the desk's database) and never names a file, so the HTML report
(govxl/report_html.py) and the marked copy (govxl/annotate.py) show it without reading the scan
again.  :func:`png_of` gives the picture back only when it is a well-formed, small PNG.
"""

from __future__ import annotations

import base64
import binascii
import struct

PARAM = "crop"  # the name of the picture among an I-OCR finding's params
PREFIX = "data:image/png;base64,"
MAX_BYTES = 64 * 1024  # a crop is a few kB; anything larger is not one of ours
MAX_SIDE = 600  # pixels
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def data_uri(png: bytes) -> str:
    """A PNG as the text a finding carries."""
    return PREFIX + base64.b64encode(png).decode("ascii")


def png_of(finding) -> bytes | None:
    """The PNG carried by a finding (its params' ``crop``), or None when there is none or it is
    not a small well-formed PNG (then nothing is shown)."""
    text = dict(getattr(finding, "params", ()) or ()).get(PARAM)
    if not isinstance(text, str) or not text.startswith(PREFIX) or len(text) > MAX_BYTES * 4 // 3 + 64:
        return None
    try:
        png = base64.b64decode(text[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return None
    size = png_size(png)
    if size is None or not (0 < size[0] <= MAX_SIDE and 0 < size[1] <= MAX_SIDE):
        return None
    return png


def png_size(png: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's header, or None when it is not a PNG."""
    if len(png) < 24 or not png.startswith(SIGNATURE) or png[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", png[16:24])
