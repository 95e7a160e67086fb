"""The bank an account is at, however its statements name it (`institution_key` and its SQL twin):
one account under 中国农业银行 and 农业银行 is one account. A value of its own, read by the linker
(a bank row's account is compared at its bank) and by the assessment (which balances are one
account's)."""

from __future__ import annotations

import re

_SPACES = "[\t\n\f\r \u3000]"
_SPACES_SQL = r"[\s\x{3000}]"   # RE2's \s is _SPACES less U+3000
_INSTITUTION = r"^(.*?(?:银行|信用合作联社|信用合作社|信用社|联社|农商行|农信|保险|基金|证券|信托))"
"""Up to the institution's own name: a branch (太原分行), 营业部 or a company form after it is one
institution's statement (an outcome probe's 山西农信营业部 and 山西农信 were two accounts, an old
200,000 added to 3,000: three wrong fails)."""
BANK_SHORT_NAMES = (
    (r"^(中国银行|中行)", "中国银行"),
    (r"^(中国)?(工商银行|工行)", "工商银行"),
    (r"^(中国)?(农业银行|农行)", "农业银行"),
    (r"^(中国)?(建设银行|建行)", "建设银行"),
    (r"^(中国)?(交通银行|交行)", "交通银行"),
    (r"^(中国)?(邮政储蓄|邮储|邮政银行)", "邮政储蓄银行"),
    (r"^(招商银行|招行)", "招商银行"),
    (r"^(上海)?(浦东发展银行|浦发)", "浦发银行"),
)
"""The big banks' names as statements write them, full or short (中国工商银行, 工商银行, 工行;
中国邮政储蓄银行, 邮储银行): matched at the start, before anything else is cut."""


RURAL_FORMS = ((r"^(.{2,3}?)省", r"\1"),
               (r"(农村商业银行|农商银行)$", "农商行"),
               (r"(农村信用合作联社|农村信用合作社|农村信用联社|农村信用社|农信社)$", "农信"))
"""The rural banks' and credit unions' names, long or short, onto one form after the cut: 山西省农村
信用社 and 山西农信, 太原农村商业银行 and 太原农商银行 (an income probe: one account under each, counted
twice in 77 of 300 households, before a full number was the account by itself)."""


def _institution_key_sql(col: str) -> str:
    text = f"regexp_replace({col}, '{_SPACES_SQL}', '', 'g')"
    cut = f"regexp_replace(coalesce(nullif(regexp_extract({text}, '{_INSTITUTION}', 1), ''), {text}), '^中国(.+银行)$', '\\1')"
    for pattern, repl in RURAL_FORMS:
        cut = f"regexp_replace({cut}, '{pattern}', '{repl}')"
    cases = " ".join(f"WHEN regexp_matches({text}, '{pattern}') THEN '{bank}'" for pattern, bank in BANK_SHORT_NAMES)
    return f"CASE {cases} ELSE {cut} END"


INSTITUTION_KEY_SQL = _institution_key_sql("{col}").replace("{", "{{").replace("}", "}}").replace("{{col}}", "{col}")
"""SQL twin of `institution_key` (a template: `.format(col=…)`)."""


def institution_key(name: str | None) -> str | None:
    """The bank an account is at, as its statements may name it: a big bank by its full or short
    name (`BANK_SHORT_NAMES`), another up to its own name (a branch, 营业部 or 股份有限公司 after it
    dropped) and without a leading 中国. Assets probes' accounts, one number under 中国农业银行 in
    December and 农业银行 in May, or 中国邮政储蓄银行 and 邮储银行清徐县支行营业部, were two
    accounts: the old balance added to the new one, wrong fails.

    Example:
        >>> [institution_key(n) for n in ("中国建设银行太原桃园支行", "农业银行", "中国银行", "山西农村信用社联合社",
        ...                               "工行太原并州支行", "邮储银行清徐县支行营业部", "晋商银行股份有限公司")]
        ['建设银行', '农业银行', '中国银行', '山西农信', '工商银行', '邮政储蓄银行', '晋商银行']
        >>> [institution_key(n) for n in ("山西农信营业部", "山西农信太原分行", "中国人寿保险股份有限公司太原分公司")]
        ['山西农信', '山西农信', '中国人寿保险']
        >>> [institution_key(n) for n in ("山西省农村信用社", "太原农村商业银行", "太原农商银行营业部", "清徐县农信社",
        ...                               "清徐县农村信用合作联社", "邮政银行")]
        ['山西农信', '太原农商行', '太原农商行', '清徐县农信', '清徐县农信', '邮政储蓄银行']
    """
    if name is None:
        return None
    text = re.sub(_SPACES, "", name)
    for pattern, bank in BANK_SHORT_NAMES:
        if re.match(pattern, text):
            return bank
    found = re.match(_INSTITUTION, text)
    key = re.sub(r"^中国(.+银行)$", r"\1", found.group(1) if found else text)
    for pattern, repl in RURAL_FORMS:
        key = re.sub(pattern, repl, key, count=1)
    return key
