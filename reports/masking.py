"""Keep identity numbers and spreadsheet formulas out of what the reports hand out.

Everything a report writes (JSON, HTML, XLSX) passes through here:

* ``mask_id`` turns a 公民身份号码 into ``140105********1234`` (first 6, last 4);
* ``scrub`` walks a report structure and masks any full ID it finds, in
  ID-named keys and inside free text alike (defence in depth: the templates
  only render whitelisted keys, but a reason string may still quote an ID);
* ``FULL_ID_RE`` / ``find_full_ids`` find IDs that slipped through (tests scan
  every written file with them);
* ``escape_formula`` neutralises text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from connectors.values.idnumber import DISPLAY_SEPARATORS as _SEPARATORS_RE
from connectors.values.idnumber import mask_id

__all__ = [
    "FULL_ID_RE",
    "ID_KEYS",
    "escape_formula",
    "find_full_ids",
    "mask_account",
    "mask_id",
    "scrub",
    "scrub_cell",
    "scrub_text",
]

# An 18-character ID (17 digits + digit/X check) or a 15-digit legacy ID, not part of a longer
# run of digits, its digits possibly parted by single spaces or hyphens (`140105 19900307 0810`,
# `140105-19900307-0810`: the contract's spellings). Letters around it do not hide it (`ID1401…`,
# `BK1401…`, `晋A1401…`: a privacy probe found each printed in full). Deliberately loose about the
# birth date and check character: a wrong ID leaked is still a leak.
# The fraction of a decimal number (0.946669668904998) is not an ID: a digit run right after
# "<digit>." is skipped.
_SEP = "[ \\-‐-―－]?"
FULL_ID_RE = re.compile(rf"(?<![0-9])(?<![0-9]\.)(?:\d(?:{_SEP}\d){{16}}{_SEP}[0-9Xx]|\d(?:{_SEP}\d){{14}})(?![0-9])")

# Keys whose value is an identity number, whatever it looks like (a 17-digit
# typo does not match FULL_ID_RE but is still somebody's ID).
ACCOUNT_KEYS = frozenset({"account_number", "account_no", "card_number"})
"""Keys whose values are bank account or card numbers: first 4 and last 4 digits kept. The
record_id, file and row beside them trace the figure to its source row."""

ID_KEYS = frozenset(
    {
        "id_number",
        "id_no",
        "id_card",
        "idcard",
        "id_number_raw",
        "id_number_normalized",
        "id_number_masked",
        "身份证号",
        "公民身份号码",
        "证件号码",
        "身份证明号码",
    }
)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _fold(text: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), so ``１４０１…`` is seen too."""
    return unicodedata.normalize("NFKC", text)


def mask_account(account: Any) -> str:
    """Mask a bank account number unless the source already did: first 4, last 4."""
    if account is None:
        return ""
    text = _SEPARATORS_RE.sub("", _fold(str(account)))
    if not text or "*" in text:
        return text
    if len(text) <= 8:
        return mask_id(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def _is_id(match: re.Match) -> bool:
    """A match with a Latin letter beside it is an ID only if its birth date is a date (and a legacy
    15-digit one starts with a province's code): a person key (`P773408780477949d`: 16 hex digits, keyed by a per-deployment
    secret) or a hash holds digit runs too, and is no one's ID."""
    text, start, end = match.string, match.start(), match.end()
    if not ((start and text[start - 1].isascii() and text[start - 1].isalpha())
            or (end < len(text) and text[end].isascii() and text[end].isalpha())):
        return True
    digits = _SEPARATORS_RE.sub("", match.group(0))
    if len(digits) == 15:   # a legacy ID (a privacy probe's `abc140105800101015`, a vehicle's price, was
                            # quoted in full): a province's code, then a date of the 1900s as YYMMDD
        month, day = int(digits[8:10]), int(digits[10:12])
        return digits[:2] in _PROVINCE_CODES and 1 <= month <= 12 and 1 <= day <= 31
    if len(digits) != 18:
        return False
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


_PROVINCE_CODES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
                            "61 62 63 64 65 71 81 82".split())
"""The first two digits of a resident ID: its province (GB/T 2260)."""


def find_full_ids(text: str) -> list[str]:
    """Every full identity number in ``text`` (after folding full-width digits)."""
    if not text:
        return []
    return [m.group(0) for m in FULL_ID_RE.finditer(_fold(text)) if _is_id(m)]


def scrub_text(text: str) -> str:
    """``text`` with every full identity number replaced by its mask."""
    # ASCII needs no folding (NFKC leaves it alone) and holds no ID under 15 characters: most
    # strings of a report end here, without the normalisation a million times a pass
    if text.isascii() and len(text) < 15:
        return text
    folded = text if text.isascii() else _fold(text)
    if not FULL_ID_RE.search(folded):
        return text
    return FULL_ID_RE.sub(lambda m: mask_id(m.group(0)) if _is_id(m) else m.group(0), folded)


_SCIENTIFIC = re.compile(r"(?<![0-9])[1-9]\.\d{12,}[eE]\+?\d+")


def scrub_cell(text: str | None) -> str | None:
    """A cell value as quoted to a data steward: `scrub_text`, and a number printed with 13 or more
    significant digits (`1.4010519720101034e+17`: an ID in a numeric column, read as a float)
    masked too — 16 of an ID's 18 digits are no less a leak (a privacy probe, Data Docs)."""
    if text is None:
        return None
    text = scrub_text(text)
    return _SCIENTIFIC.sub(lambda m: mask_id(re.sub(r"[^0-9]", "", m.group(0).split("e")[0].split("E")[0])), text)


_PLAIN, _ID, _ACCOUNT = 0, 1, 2


@lru_cache(maxsize=4096)
def _key_kind(key: str) -> int:
    lowered = key.lower()
    return _ID if lowered in ID_KEYS else _ACCOUNT if lowered in ACCOUNT_KEYS else _PLAIN


_SMALLEST_ID = 10**14  # 15 digits


def scrub(value: Any, _key: str | None = None) -> Any:
    """A deep copy of ``value`` with identity numbers (and account numbers) masked.

    Values under an ID-named key are masked whatever their shape; every other
    string has full IDs inside it masked; an integer that reads as an ID (a
    spreadsheet turned it into a number) is masked to a string.
    """
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if value is None:
        return None
    kind = _key_kind(_key) if _key is not None else _PLAIN
    if kind == _ID:
        if isinstance(value, str) and "*" in value and not FULL_ID_RE.search(_fold(value)):
            return value  # already masked upstream
        return mask_id(value)
    if kind == _ACCOUNT:
        return mask_account(value) or None
    if isinstance(value, str):
        return scrub_text(value)
    if (isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _SMALLEST_ID
            and FULL_ID_RE.fullmatch(str(abs(value)))):
        return mask_id(abs(value))
    return value


def escape_formula(value: Any) -> Any:
    """Prefix ``'`` to text a spreadsheet would treat as a formula; other values untouched.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    is what Excel, WPS and LibreOffice evaluate (CSV/formula injection).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value
