"""Standard forms for comparing names, organisations and accounts across departments.

The connectors already fold how a value was *typed* (width, spaces, dots); here we also fold
what does not tell two people apart: traditional vs simplified characters, the middle dot of
minority names, Latin case, and the placeholders systems write for characters they cannot
store (`?`, `？`, `□`, U+FFFD all become the wildcard `?`). Every function is idempotent.

Names are standardised once per distinct name (a province has ~10^5 distinct names for
~10^7 rows) and handed to SQL as a table (`name_keys_table`).

Example:
    >>> standardise_name("張 偉"), standardise_name("阿依古丽·买买提"), standardise_name("李䶮？")
    ('张伟', '阿依古丽买买提', '李䶮?')
    >>> normalise_org("山西金鼎机械制造有限公司（本部）")
    '山西金鼎机械制造'
    >>> account_key("6227****6621"), account_key("6227813572084536621")
    ('6227*6621', '6227*6621')
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa

from connectors.values.institution import institution_key
from connectors.values.names import DOT_VARIANTS
from matching.pinyin import WILDCARD, name_pinyin, name_readings

_LOST = frozenset("?？□■�*")
_DROP = frozenset(DOT_VARIANTS) | {"\u3000"} | frozenset("-‐‑‒–—―")
"""Dropped from a name as compared: the dots of a minority name and the hyphens and dashes some
systems write between its parts instead (古丽娜尔-库尔班, a names probe's; a full-width － folds to -)."""


VARIANTS = {"𠮷": "吉", "髙": "高", "﨑": "崎"}
"""Variant forms of a character that name the same person, folded to the form every system can
store. A GBK export cannot write 𠮷 (U+20BB7, outside GBK): it writes 吉, the character 𠮷 is a
variant of. An evaluator's 吴𠮷祥, applying with her ID, had every department row of her ID (吴吉祥)
asked about as "one character different", and her deposits counted for nothing meanwhile. 髙 and 﨑
(the "ladder" 高 and 崎 of Japanese and Taiwanese registers) fold the same way. Not folded: a rare
character a system writes as another *sounding* the same (䶮 as 岩): that is the same-pinyin level's."""


def _char_t2s(char: str) -> str:
    from connectors.values.names import to_simplified

    out = to_simplified(char)
    seen = {char}
    while out != char and len(out) == 1 and out not in seen:  # close the map: t2s(t2s(c)) == t2s(c)
        seen.add(out)
        char, out = out, to_simplified(out)
    return out if len(out) == 1 else char


class _CharMap(dict):
    """`str.translate` table filled on first sight of each character (a few thousand in all)."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if char in _LOST:
            out = WILDCARD
        elif char.isspace() or char in _DROP or unicodedata.category(char) in ("Cc", "Cf"):
            out = None
        else:
            folded = VARIANTS.get(char) or unicodedata.normalize("NFKC", char)
            out = "".join(_char_t2s(c) if c >= "\u3400" else c.upper() for c in folded if not c.isspace())
            out = "".join(c for c in out if c not in _DROP) or None
        self[code] = out
        return out


_CHARS = _CharMap()


def standardise_name(name: str | None) -> str | None:
    """The name as compared: simplified, no spaces or dots, full-width folded, Latin upper-case.

    Example:
        >>> standardise_name("  ｊｏｈｎ smith ")
        'JOHNSMITH'
    """
    if name is None:
        return None
    return name.translate(_CHARS) or None


_LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份公司|分公司|总公司|公司)$")
_BRACKETS = re.compile(r"[(（【\[].*?[)）】\]]")
_PROVINCES = ("北京|天津|上海|重庆|河北|山西|内蒙古|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|"
              "海南|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆")
_DIVISION_WORD = re.compile(rf"^({_PROVINCES})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)"
                            # (not the 市 of 超市, 门市, 菜市, 集市, 夜市, 都市, and after three characters
                            # 城市: a brand's word, not a city's: 大同城市建设 is no 大同城建设; 晋城市 is a city)
                            r"|^(.[^超门菜集夜都]|..[^城超门菜集夜都])市(?=..)")


def normalise_org(org: str | None) -> str | None:
    """An employer, payer or institution as compared: simplified, no brackets or legal form, and
    no 省/市 after the place it starts with (`太原市华晋…` on a tax return and `太原华晋…` in social
    insurance are one payer: an independent probe's wages without an ID at one, and the member's
    contributions at the other, met nowhere).

    The place itself stays: `太原金鼎…` and `山西金鼎…` can be different firms.

    Example:
        >>> normalise_org("太原市华晋煤业有限责任公司"), normalise_org("山西省华晋煤业公司")
        ('太原华晋煤业', '山西华晋煤业')
    """
    if org is None:
        return None
    text = _BRACKETS.sub("", standardise_name(org) or "")
    for _ in range(2):
        text = _LEGAL_FORM.sub("", text)
    while (folded := _DIVISION_WORD.sub(lambda m: m.group(1) or m.group(2), text, count=1)) != text:
        text = folded     # (to a fixed point: a second 市, 太原市超市…, is folded the next time it is met)
    return text or None


SHORTENED_PATTERN = r"-?[0-9](\.[0-9]+)?[eE]\+?[0-9]+"
"""A long number a spreadsheet or a float column kept to 15-17 significant digits:
`6.21700001111222E+18` for the 19-digit account 6217000011112223333 (an export probe)."""


def shortened_number(text: str | None) -> tuple[str, int] | None:
    """The significant digits a shortened number kept and how many digits the number had, else None."""
    if text is None or not re.fullmatch(SHORTENED_PATTERN, text):
        return None
    mantissa, exponent = text.upper().split("E")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    return digits, int(exponent.lstrip("+")) + 1


def expands(shortened: str, full: str) -> bool:
    """Whether `full` (digits) could be the number `shortened` kept the first digits of, cut off
    (Excel) or rounded (a float column): the assessment takes one for the other only when
    exactly one of the member's accounts at that bank could be it."""
    kept = shortened_number(shortened)
    if kept is None or not full.isdigit():
        return False
    digits, length = kept
    if len(full) != length or len(full) < len(digits):
        return False
    if len(full) == len(digits):   # every digit kept: the number itself
        return full == digits
    head = int(full[:len(digits) + 1])
    # cut off or rounded at the last digit kept, and a float's own error on top (2310000000001814800
    # is the float 2310000000001815040: 2.31000000000182E+18): within one unit of it either way
    return abs(head - 10 * int(digits)) <= 10


def account_key(account: str | None) -> str | None:
    """First four and last four characters of an account number: what a masked number keeps.
    None for a number a spreadsheet shortened: its first and last four characters (`6.21*E+18`)
    are those of every long account number it shortened, two accounts were counted as one
    (an export probe's 9,000 and 8,000 made 8,000)."""
    if account is None:
        return None
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", account))
    if shortened_number(text):
        return None
    if len(text) < 8:
        return text or None
    return f"{text[:4]}*{text[-4:]}"


def name_keys_table(names: list[str]) -> pa.Table:
    """One row per distinct name: name, name_std (standardised), pinyin, n_chars, wildcard, and
    pinyin_alts (every reading of its polyphonic characters, `pinyin.name_readings`; null when none)."""
    std = [standardise_name(n) for n in names]
    py_cache: dict[str, tuple[str, str | None]] = {}
    py, alts = [], []
    for s in std:
        if s is None:
            py.append(None)
            alts.append(None)
            continue
        p = py_cache.get(s)
        if p is None:
            p = py_cache[s] = (name_pinyin(s), name_readings(s))
        py.append(p[0])
        alts.append(p[1])
    return pa.table({
        "name": pa.array(names, pa.string()),
        "name_std": pa.array(std, pa.string()),
        "pinyin": pa.array(py, pa.string()),
        "n_chars": pa.array([len(s) if s else 0 for s in std], pa.int32()),
        "wildcard": pa.array([bool(s) and WILDCARD in s for s in std], pa.bool_()),
        "pinyin_alts": pa.array(alts, pa.string()),
    })


SYNTHETIC_KEYS = ("所得项目:", "险种:")
"""Contexts built by `match_source_rows` when a row names no employer: compared as they are."""


def org_keys_table(orgs: list[str]) -> pa.Table:
    """One row per distinct organisation: org, org_norm, and bank_norm (the bank, were it a bank's
    name: `institution_key`; a statement naming its branch, 农业银行小店支行, is the account's bank's).
    A context made up for a row without an employer (`SYNTHETIC_KEYS`) is its own key."""
    made_up = [o.startswith(SYNTHETIC_KEYS) for o in orgs]
    return pa.table({"org": pa.array(orgs, pa.string()),
                     "org_norm": pa.array([o if m else normalise_org(o) for o, m in zip(orgs, made_up)], pa.string()),
                     "bank_norm": pa.array([o if m else institution_key(o) for o, m in zip(orgs, made_up)],
                                           pa.string())})
