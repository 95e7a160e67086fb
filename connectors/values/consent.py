"""Whether an applicant's consent reference (授权书编号) records a signed authorisation.

A person may only be verified under a signed authorisation (contract §3: without a reference a
person is not verified and the report says so). Offices fill the column in by hand, and an
empty cell is not the only way to say "none": an agency-request probe's 否, 无, 未授权 and 未签
were taken for references, and those people were checked against all five departments, their
deposits counted and the audit trail recording consent. Those words are no reference.

Example:
    >>> [consent_given(v) for v in ("SQ-2026-001", "已签", "否", " 未签字 ", "无授权书", "", None)]
    [True, True, False, False, False, False, False]
"""

from __future__ import annotations

import re

REFUSAL = (r"(否|无|没有|沒有|不同意|拒绝|拒签|暂无|待补|待补充|待签|无授权书?|"
           r"未(授权|签|签字|签署|签订|提供|取得|获得|办理)书?|n|no|none|null|false|n/a)")
"""What an office writes for "no authorisation" (matched whole, case aside)."""
_REFUSAL = re.compile(REFUSAL, re.IGNORECASE)


def consent_given(ref: object) -> bool:
    """True when `ref` is a consent reference: not empty and not a word for "none"."""
    text = "" if ref is None else str(ref).strip()
    return bool(text) and not _REFUSAL.fullmatch(text)


def consent_given_sql(col: str) -> str:
    """`consent_given` as SQL over the column `col`."""
    return (f"(coalesce(trim({col}), '') <> '' AND NOT regexp_full_match(lower(trim({col})), "
            f"'{REFUSAL.lower()}'))")
