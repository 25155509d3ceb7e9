"""Page bytes to text, when the declared charset is missing or wrong.

w3lib's ``html_to_unicode`` applies the web's rules (BOM, then the Content-Type charset, then
``<meta charset>``, then UTF-8). Pages whose label is missing or lies (a cp1252 page served
as UTF-8, or with no label at all) come out with U+FFFD where every accented letter was:
"Zürich" became "Z�rich". Then, and only then, the bytes go to a detector
(charset-normalizer, the one requests uses). Its Latin guesses are read as windows-1252,
the encoding browsers assume for unlabelled Western pages (WHATWG), because the detector
often picks a sibling code page (cp1250) that turns "ñ" into "ń".
"""

from __future__ import annotations

import charset_normalizer
from w3lib.encoding import html_to_unicode

#: single-byte Latin code pages a detector confuses with each other on short Western text
LATIN_FAMILY = frozenset({
    "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9",
    "iso8859_13", "iso8859_15", "iso8859_16", "mac_roman", "mac_latin2",
})
WESTERN = "cp1252"
REPLACEMENT = "\ufffd"


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page as text: w3lib's rules, then detection when they produced replacement characters
    (or NULs: UTF-16 without a BOM or a label). Never raises."""
    _, text = html_to_unicode(content_type, body)
    garbled = REPLACEMENT in text and REPLACEMENT.encode() not in body
    if not garbled and "\x00" not in text:
        return text
    return _detected(body) or text


def _detected(body: bytes) -> str | None:
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return None
    if best.encoding in LATIN_FAMILY:
        try:
            return body.decode(WESTERN)
        except UnicodeDecodeError:
            pass
    return str(best)
