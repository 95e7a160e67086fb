"""Character folding shared by the value parsers and the header matcher.

Departments type on Chinese input methods, which switch to full-width forms (`１２３`, `ｘ`,
`，`, `￥`, the ideographic space U+3000) without the clerk noticing. Every parser folds these
first, so a full-width spelling is never a different value from its half-width twin.

Example:
    >>> fold_width("１２３，４５６．７８ｘ\u3000")
    '123,456.78x '
"""

from __future__ import annotations

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({
    0x3000: 0x20,   # ideographic space
    0x00A0: 0x20,   # no-break space, common in HTML-derived exports
    0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x202F: 0x20,
    0xFFE5: 0x00A5,  # full-width yen sign ￥ -> ¥ (the yuan sign)
    0xFFE0: 0x00A2, 0xFFE1: 0x00A3,
    0x2212: 0x2D,   # minus sign -> hyphen-minus
})
_FOLD_TABLE = str.maketrans(_FOLD)

_ZERO_WIDTH = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))


def fold_width(text: str) -> str:
    """Fold full-width ASCII, odd spaces and the full-width yuan sign to their plain forms.

    Zero-width characters (left behind by copy-paste from web pages) are removed.

    Args:
        text: Any text.

    Returns:
        The folded text, otherwise unchanged (CJK characters stay as they are).
    """
    return text.translate(_FOLD_TABLE).translate(_ZERO_WIDTH)


def as_text(raw: object) -> str:
    """The text of a raw cell value; `None` becomes the empty string.

    Whole floats are written without `.0` because a spreadsheet that stored a code or
    amount as a number should read the same as one that stored it as text.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return str(raw).upper()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def shorten(text: str, limit: int = 60) -> str:
    """`repr` of the text for an error message, cut so a junk cell cannot flood the report."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)
