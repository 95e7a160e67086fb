"""Whether an applicant's consent reference (授权书编号) records a signed authorisation.

A person may only be verified under a signed authorisation (contract §3: without a reference a
person is not verified and the report says so). Offices fill the column in by hand, and an
empty cell is not the only way to say "none": an agency-request probe's 否, 无, 未授权 and 未签
were taken for references, and those people were checked against all five departments, their
deposits counted and the audit trail recording consent. A privacy probe then found the same
words dressed up — in brackets or traditional characters, with a full stop: （无）, 無, 否。,
尚未授权 — and the placeholders of a form filled in by hand: 空, 缺, 不详, 0, NA, ?, ., ×. An
analyst probe: a consent withdrawn or refused in words — 撤回授权, 已撤回, 不同意授权 — verified
those people too. What is left once the brackets, punctuation and spaces around it are gone must
be a reference, not one of these. A privacy probe then wrote them full-width (／, Ｎ／Ａ) or with a
remark (否（未签字）): full-width letters and signs are folded first, and a cell without a digit
in it is no reference when any of its words is one of these.

Example:
    >>> [consent_given(v) for v in ("SQ-2026-001", "已签", "否", " 未签字 ", "无授权书", "（無）", "尚未授权", "0", "?", "", None)]
    [True, True, False, False, False, False, False, False, False, False, False]
    >>> [consent_given(v) for v in ("撤回授权", "已撤回", "不同意授权", "授权已撤销", "SQ-7（已撤回）")]
    [False, False, False, False, False]
    >>> [consent_given(v) for v in ("／", "Ｎ／Ａ", "否（未签字）", "未", "无锡授权001", "ＳＱ－２０２６－００１")]
    [False, False, False, False, True, True]
    >>> [consent_given(v) for v in ("未同意", "没签字", "授权无效", "不愿签", "否认授权", "未取得授权", "not signed", "已签字")]
    [False, False, False, False, False, False, False, True]
"""

from __future__ import annotations

import re

REFUSAL = (r"(否|无|没有|暂无|暂缺|待补|待补充|待签|空|缺|缺失|不详|未知|不明|"
           r"无授权书?|无(授权)?编号|(尚)?未(授权|签|签字|签署|签订|提供|取得|获得|办理|填|填写)?书?|"
           r"(本人)?(不同意|不愿意?|拒绝|拒签|不予|不)(授权|签字|签署|核对|查询|提供)*书?|"
           r"(已|被)?(撤回|撤销|撤消|取消|作废|失效|过期|终止|注销)(授权|核对)*书?|"
           r"n|no|none|null|nil|false|na|n\.a|n/a|0+|×|x|✗|✘)")
"""What an office writes for "no authorisation" (matched whole, once lowered, traditional
characters simplified and the punctuation around it stripped)."""
WITHDRAWN = (r"(撤回|撤销|撤消|作废|失效|无效|不同意|拒绝|拒签|不予授权|不授权|未授权|取消授权|终止授权|"
             r"拟签|签字中|签署中|未完成|(口头|电话|微信|短信)(同意|授权))")
"""Words that refuse or withdraw an authorisation anywhere in the cell: `SQ-2026-001（已撤回）`,
授权已撤销 say there is none, whatever number stands beside them; nor is one void (SQ-001 授权无效),
not yet signed (拟签, 签字未完成) or not signed at all (口头同意: an adversarial probe's)."""
NEGATION = (r"([未没不拒无否非缺撤][^，,；;。、 需须必用代]{0,3}(签|授权|同意|核对|查询|提供|取得))"
            r"|((签|授权|同意)[^，,；;。、 ]{0,3}(无效|失效|作废|取消|过期|撤|注销|终止))"
            r"|((^|[^a-z])not?([^a-z]|$))")
"""A refusal in words: a negation before the word it negates (未同意, 没签字, 否认授权, 未取得授权,
不愿签), or a consent word said void (授权无效). A privacy probe's offices wrote these, each missing
from the word lists above, and those people were verified. Not any negating character: 已签，无误
and 授权书已签（无附件） are signed (an adversarial probe's were refused by a first version), nor a need
or a proxy negated (已签，无需补签; 本人签字，非代签)."""
_REFUSAL = re.compile(REFUSAL)
_NEGATION = re.compile(NEGATION)
_DIGIT = re.compile("[0-9]")     # ASCII digits, as the SQL twin's: ① is no number
_WITHDRAWN = re.compile(WITHDRAWN)
_TRADITIONAL = ("無沒簽權絕書編號詳補缺銷廢過終註願對詢", "无没签权绝书编号详补缺销废过终注愿对询")
_AROUND = "[ \t\r\n\xa0\u3000" + r"""()（）\[\]【】「」『』<>《》"'“”‘’。．.,，、;；:：!！?？\-－—_~～/\\|*]+"""
"""Brackets, punctuation and spaces around a reference: never part of what it says."""
_STRIP = re.compile(f"^{_AROUND}|{_AROUND}$")
_WORDS = re.compile(_AROUND)
_FULL_WIDTH = ("".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000",
               "".join(chr(c) for c in range(0x21, 0x7F)) + " ")
"""Full-width letters, digits and signs and the ideographic space, and their ASCII forms (NFKC's
folding of them, spelt out so that the SQL twin folds exactly the same)."""
_FOLD = str.maketrans(_FULL_WIDTH[0] + _TRADITIONAL[0], _FULL_WIDTH[1] + _TRADITIONAL[1])


def _normalised(text: str) -> str:
    return _STRIP.sub("", text.translate(_FOLD).lower())


def consent_given(ref: object) -> bool:
    """True when `ref` is a consent reference: not empty and not a word for "none"."""
    text = "" if ref is None else _normalised(str(ref))
    if not text or _REFUSAL.fullmatch(text) or _WITHDRAWN.search(text):
        return False
    # 否（未签字）, n/a: a remark beside the word for none. A reference has a number in it; a cell
    # with one keeps its words (无锡授权001, No.17)
    words = _WORDS.split(text)
    # a cell that opens with a refusal refuses, whatever number follows it (未签，预约2026-12-03补签,
    # 没签（第1户）, 否（已告知 2026.11.20）: an adversarial probe's were verified on the date's digits)
    if not words[0].isascii() and (_REFUSAL.fullmatch(words[0]) or (
            not _DIGIT.search(words[0]) and _NEGATION.search(words[0]))):
        return False
    if _DIGIT.search(text):
        return True
    return not _NEGATION.search(text) and not any(_REFUSAL.fullmatch(w) for w in words)


def consent_given_sql(col: str) -> str:
    """`consent_given` as SQL over the column `col`."""
    around = _AROUND.replace("'", "''")
    fold = (_FULL_WIDTH[0] + _TRADITIONAL[0]).replace("'", "''"), (_FULL_WIDTH[1] + _TRADITIONAL[1]).replace("'", "''")
    norm = (f"regexp_replace(lower(translate(coalesce({col}, ''), '{fold[0]}', '{fold[1]}')), "
            f"'^{around}|{around}$', '', 'g')")
    words = (f"list_bool_or(list_transform(regexp_split_to_array({norm}, '{around}'), "
             f"lambda w: regexp_full_match(w, '{REFUSAL}')))")
    first = f"coalesce(list_extract(regexp_split_to_array({norm}, '{around}'), 1), '')"
    opens = (f"(NOT regexp_full_match({first}, '[[:ascii:]]*') AND (regexp_full_match({first}, '{REFUSAL}') "
             f"OR (NOT regexp_matches({first}, '[0-9]') AND regexp_matches({first}, '{NEGATION}'))))")
    return (f"({norm} <> '' AND NOT regexp_full_match({norm}, '{REFUSAL}') "
            f"AND NOT regexp_matches({norm}, '{WITHDRAWN}') AND NOT {opens} "
            f"AND (regexp_matches({norm}, '[0-9]') OR (NOT regexp_matches({norm}, '{NEGATION}') "
            f"AND NOT coalesce({words}, FALSE))))")


def no_consent_words(ref: object) -> str:
    """What a report says of a member `ref` does not authorise: that there is no reference, or what
    was written instead (已撤回 said "no reference number", and a clerk could take it for a form
    left blank: a privacy probe)."""
    text = "" if ref is None else str(ref).strip()
    return f"授权书编号栏填写“{text}”，不是有效授权" if text else "无授权书编号"
