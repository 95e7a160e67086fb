"""Personal names as typed by clerks in different departments.

The same person arrives as `张 三`, `张三`, `张　三` (ideographic space) or, for minority names,
`阿依古丽.买买提`, `阿依古丽・买买提` and `阿依古丽•买买提`. Normalising removes these typing
differences and nothing else: traditional characters stay as written here, because whether
`張` and `张` are the same name is a matching decision (see `to_simplified`).

Example:
    >>> normalise_name(" 阿依古丽 ． 买买提 ")
    '阿依古丽·买买提'
    >>> normalise_name("Ｊｏｈｎ  Smith"), normalise_name("J.Smith")
    ('John Smith', 'J.Smith')
    >>> to_simplified("張偉")
    '张伟'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from connectors.values.text import as_text, fold_width, shorten

MAX_NAME_LENGTH = 20  # contract §2: names of 1-20 characters
MIN_ID_DIGITS = 15
"""A name with this many digits holds an ID number (15-digit legacy, or 17 digits and a check
character X): every table's name column is refused then, whatever letters surround them."""
MIDDLE_DOT = "\u00b7"
# `.` and `．` fold to `.` first; the rest are the dots Chinese input methods and fonts produce.
DOT_VARIANTS = frozenset(".\u00b7\u30fb\u2022\u2027\u22c5\u2219\uff65\u0387\u16eb\u2024")

_SPACES = re.compile(r" +")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x3FFFF or char in DOT_VARIANTS)


def _is_latin(char: str) -> bool:
    return char.isalnum() and ord(char) < 0x0250  # Basic Latin .. Latin Extended-B


def _clean_chars(text: str) -> str:
    chars = []
    for char in fold_width(text):
        if char.isspace():
            chars.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf"):  # controls, invisible formatting
            chars.append(char)
    return _SPACES.sub(" ", "".join(chars)).strip()


def _drop_cjk_spaces(text: str) -> str:
    out = []
    for i, char in enumerate(text):
        if char == " " and _is_cjk(text[i - 1]) and _is_cjk(text[i + 1]):
            continue
        out.append(char)
    return "".join(out)


def _unify_dots(text: str) -> str:
    out = list(text)
    for i in range(1, len(text) - 1):
        before, after = text[i - 1], text[i + 1]
        if (text[i] in DOT_VARIANTS and " " not in (before, after)
                and not _is_latin(before) and not _is_latin(after)):
            out[i] = MIDDLE_DOT
    return "".join(out)


def normalise_name(raw: object) -> str:
    """Normalise how a name was typed, keeping every character that carries meaning.

    Folds full-width Latin letters and digits, removes spaces between CJK characters
    (and around a middle dot between them), collapses other runs of spaces, unifies
    middle-dot variants to `·` (U+00B7) between two non-Latin characters, and strips.
    Idempotent.

    Args:
        raw: The name as written.

    Returns:
        The normalised name.

    Raises:
        ValueError: empty, holding an ID number's worth of digits (15 or more), without any
            letter, mostly digits, or longer than 20 characters.
    """
    name = _unify_dots(_drop_cjk_spaces(_clean_chars(as_text(raw))))
    if not name:
        raise ValueError("an empty value is not a name; a name needs at least one character")
    digits = sum(c.isdigit() for c in name)
    # Not quoted: the value is most likely somebody's ID number typed into the name column, and
    # the reason travels further than the masked value (notes, quarantine, the analyst copy).
    if digits >= MIN_ID_DIGITS:
        x = " and an X" if name[-1] in "Xx" else ""   # a clerk counting 18 characters saw "17 digits"
        raise ValueError(f"the value is not a name: it holds {digits} digits{x}, like an ID number "
                         "(公民身份号码); is the ID in the name column?")
    letters = sum(unicodedata.category(c).startswith("L") for c in name)
    if not letters:
        raise ValueError(f"{shorten(as_text(raw))} is not a name: it contains no letters")
    if digits > letters:
        raise ValueError(f"{shorten(as_text(raw))} is not a name: it is mostly digits")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"{shorten(as_text(raw))} is not a name: {len(name)} characters, "
                         f"a name has at most {MAX_NAME_LENGTH}")
    return name


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # imported lazily: building the converter reads its dictionaries

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def to_simplified(name: str) -> str:
    """The name in simplified characters (`張偉` -> `张伟`), for matching across sources.

    Example:
        >>> to_simplified("歐陽鋒")
        '欧阳锋'
    """
    return _t2s().convert(name)
