"""Resident identity numbers (公民身份号码, GB 11643-1999).

An ID number is 17 digits (6-digit birthplace code, 8-digit birth date, 3-digit sequence whose
last digit is odd for men) and a check character computed with ISO 7064 MOD 11-2. Legacy cards
carry 15 digits (2-digit year, no check character); they are upgraded by inserting `19`.

An ID that fails its check is not an error: it is kept, flagged `invalid` with a reason the
clerk can act on, and still serves fuzzy matching (a mistyped digit is still a strong clue).

Example:
    >>> info = parse_id("14010519900307104x")
    >>> info.number, info.status, info.birth_date, info.gender
    ('14010519900307104X', 'valid', datetime.date(1990, 3, 7), '女')
    >>> parse_id("140105900307120").number
    '14010519900307120X'
    >>> parse_id("140105199003071045").reason
    'check character mismatch: expected X got 5'
"""

from __future__ import annotations

import re
import unicodedata
from operator import mul
from dataclasses import dataclass
from datetime import date, datetime

from connectors.values.text import as_text, fold_width, shorten

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)
_ZERO_WEIGHT = ord("0") * sum(WEIGHTS)

# Hyphens of every width, underscores and the apostrophe Excel users type to force text.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_'’`]+")
_EXCEL_SHORTENED = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_O_FOR_ZERO = re.compile(r"^(?:[0-9Oo]{15}|[0-9Oo]{17}[0-9OoX])$")
"""An ID of 15 or 18 characters whose only letters (but a final X) are O: typed for zero (an analyst
probe's applicant 1401O5…), never a letter an ID can hold."""


@dataclass(frozen=True)
class IdInfo:
    """What an ID number says, and whether it can be trusted.

    Attributes:
        number: The normalised 18-character number when valid or repaired; otherwise the
            cleaned text (still useful for fuzzy matching); None when empty.
        status: `valid`, `repaired` (legacy 15-digit number upgraded), `invalid` or `missing`.
        birth_date: Birth date encoded in the number, when that part is a real date.
        gender: `男` or `女`, from the sequence digit.
        birthplace: The 6-digit administrative code of the place of first registration.
        reason: Why the number is invalid, in words for a data clerk; None otherwise.
    """

    number: str | None
    status: str
    birth_date: date | None = None
    gender: str | None = None
    birthplace: str | None = None
    reason: str | None = None


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits.

    Raises:
        ValueError: `first17` is not exactly 17 ASCII digits.

    Example:
        >>> check_char("11010519491231002")
        'X'
    """
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError(f"{shorten(str(first17))} is not 17 digits; the check character of an ID "
                         "number is computed from its first 17 digits")
    # Arithmetic on the ASCII codes: several times faster than int() per digit, and this runs
    # once per distinct ID of a million-row export.
    return CHECK_CHARS[(sum(map(mul, first17.encode(), WEIGHTS)) - _ZERO_WEIGHT) % 11]


def upgrade_15(id15: str) -> str:
    """Upgrade a legacy 15-digit ID number to 18 characters (insert `19`, add the check).

    Raises:
        ValueError: `id15` is not exactly 15 ASCII digits.

    Example:
        >>> upgrade_15("140105900307120")
        '14010519900307120X'
    """
    if len(id15) != 15 or not _is_digits(id15):
        raise ValueError(f"{shorten(str(id15))} is not a legacy ID number; accepted: exactly 15 digits")
    body = id15[:6] + "19" + id15[6:]
    return body + check_char(body)


def normalise_id_text(raw: object) -> str:
    """Clean how an ID was typed, without judging it.

    Removes spaces (including U+3000), hyphens and a leading apostrophe, folds full-width
    digits and `Ｘ`, upper-cases the check character `x`, and reads the letter O among the
    digits of a 15- or 18-character number as the zero it was typed for.

    Example:
        >>> normalise_id_text(" １４０１０５-19900307104ｘ ")
        '14010519900307104X'
        >>> normalise_id_text("1401O519900307104X")
        '14010519900307104X'
    """
    text = as_text(raw)
    if not (len(text) == 18 and text.isascii() and text.isalnum()):  # the common case needs no cleaning
        text = _SEPARATORS.sub("", fold_width(text))
    text = text.replace("x", "X")
    if ("O" in text or "o" in text) and _O_FOR_ZERO.match(text):
        text = text.replace("O", "0").replace("o", "0")
    return text


def _birth(yyyymmdd: str) -> date | None:
    if not _is_digits(yyyymmdd):
        return None
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    return born if EARLIEST_BIRTH <= born <= date.today() else None


def _gender(digit: str) -> str | None:
    return ("男" if int(digit) % 2 else "女") if _is_digits(digit) else None


def _partial(text: str, reason: str, birth_part: str, gender_digit: str) -> IdInfo:
    return IdInfo(text, "invalid", _birth(birth_part), _gender(gender_digit),
                  text[:6] if _is_digits(text[:6]) else None, reason)


def parse_id(raw: object) -> IdInfo:
    """Normalise and check one ID number; never raises for a bad number.

    Args:
        raw: The cell as written (str, int, or None).

    Returns:
        An `IdInfo`; `status` says whether the number can be trusted.
    """
    text = normalise_id_text(raw)
    if not text:
        return IdInfo(None, "missing")
    if _EXCEL_SHORTENED.match(text):
        # a Parquet float column or a JSON number shortens it as a spreadsheet does: the reason
        # names neither (a Parquet export was told about Excel: an export probe)
        return IdInfo(text, "invalid", reason=f"{text} is a number shortened to 15 digits (the ID column was "
                      "stored as numbers, as a spreadsheet does), its last digits are lost; export the ID column as text")
    if len(text) == 15:
        if not _is_digits(text):
            return _partial(text, "contains characters other than digits", "19" + text[6:12], text[14])
        born = _birth("19" + text[6:12])
        if born is None:
            return _partial(text, f"impossible birth date 19{text[6:12]}", "", text[14])
        full = upgrade_15(text)
        return IdInfo(full, "repaired", born, _gender(text[14]), text[:6])
    if len(text) != 18:
        return _partial(text, f"wrong length: {len(text)} characters, expected 18 (or 15 for an old card)",
                        text[6:14], text[16:17])
    body, last = text[:17], text[17]
    if not _is_digits(body) or not (last == "X" or _is_digits(last)):
        return _partial(text, f"contains characters other than digits (and a final X): {shorten(text)}",
                        text[6:14], text[16])
    problems = []
    born = _birth(text[6:14])
    if born is None:
        problems.append(f"impossible birth date {text[6:14]}")
    expected = check_char(body)
    if expected != last:
        problems.append(f"check character mismatch: expected {expected} got {last}")
    if problems and text.endswith("00"):
        problems.append(SPREADSHEET_NUMBER_HINT)
    if problems:
        return _partial(text, "; ".join(problems), text[6:14], text[16])
    return IdInfo(text, "valid", born, _gender(text[16]), text[:6])


SPREADSHEET_NUMBER_HINT = ("if it comes from a spreadsheet cell formatted as a number, its last digits were lost "
                           "(a number keeps 15-17 digits): export the ID column as text")
"""Said of an invalid 18-digit number ending in 00: a workbook's numeric cell (140105198001010011 stored as
1.40105198001010e17) reads back with its last digits turned to zeros, and a check that fails is then no typo."""


DISPLAY_SEPARATORS = re.compile(r"[\s\-‐-―－]+")
"""What `mask_id` drops before masking: spaces and hyphens of every width."""


def mask_id(id_text: object) -> str:
    """Mask an identity number for display: first 6, ``*`` for the middle, last 4.

    ``140105198001011234`` -> ``140105********1234``; a 15-digit legacy ID keeps
    the same 6 + 4 and masks 5.  Anything else (short, odd length, letters) is
    masked entirely except its last 4; four characters or fewer are masked
    entirely.  Text without a digit (``未办理``, ``无``: what a clerk writes where a
    child has no ID yet) is no number to hide and is shown as written, so the clerk
    sees what was refused.  Full-width characters are folded and spaces and hyphens
    dropped first; ``None`` gives ``""``.

    It lives with the ID logic, below both the assessment (which records masked IDs) and the
    reports (which scrub everything they write), so neither layer reaches up into the other.
    """
    if id_text is None:
        return ""
    text = DISPLAY_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(id_text)))
    if not text:
        return ""
    if not any(c.isdigit() for c in text):
        return text
    n = len(text)
    if n in (15, 18):
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n <= 4:
        return "*" * n
    return "*" * (n - 4) + text[-4:]


def shown_birth(value: object) -> str | None:
    """A birth date as shown beside a masked ID: its year only. The eight digits `mask_id` hides
    are the birth date, so a full date printed next to `140105********7499` gives the ID back (a
    privacy probe read 29 people's IDs off one demo's review sheet).

    >>> shown_birth(date(1983, 2, 17)), shown_birth("1983-02-17"), shown_birth(None)
    ('1983年', '1983年', None)
    """
    when = _as_date(value)
    return None if when is None else f"{when.year}年"


def birth_dates_differ(declared: object, on_id: object) -> str:
    """How a declared birth date differs from the ID's, without printing either in full:
    `申报1982年，身份证号所载1970年`, or within one year `同为1980年，相差59天`."""
    a, b = _as_date(declared), _as_date(on_id)
    if a is None or b is None:
        return ""
    if a.year != b.year:
        return f"申报{a.year}年，身份证号所载{b.year}年"
    return f"同为{a.year}年，相差{abs((a - b).days)}天"


def _as_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def birth_date_sql(alias: str = "") -> str:
    """SQL: the birth date a person's age is counted from, given an ID number and a declared
    birth date (出生日期) — the ID's when it validates or was a legacy ID upgraded, else the
    declared one, else whatever date the ID gives. A declared date is typed by a clerk; a
    probe's Excel serial 25569 (1970-01-01) beside a 1960 ID showed a 65-year-old as 55.
    The same rule as `birth_date_of`, for the warehouse's applicant tables (`alias`: a table
    alias with its dot, e.g. "m.")."""
    a = alias
    return (f"coalesce(CASE WHEN {a}id_status IN ('valid', 'repaired') THEN {a}id_birth_date END, "
            f"{a}birth_date, {a}id_birth_date)")


def birth_date_of(member: dict) -> date | None:
    """`birth_date_sql` for one member row (a dict with id_status, id_birth_date, birth_date)."""
    if member.get("id_status") in ("valid", "repaired") and member.get("id_birth_date"):
        return member["id_birth_date"]
    return member.get("birth_date") or member.get("id_birth_date")

