"""What identifies a review question and its answer: the link key, the evidence hash, the pair.

* A **link** is `(source, record_id, request_id, household_id, member_no)`: the key of `links`.
* The **review key** (复核编号, a hidden column of review.xlsx) is that link plus the hash of
  the evidence the reviewer was shown and the answer in force when the sheet was written:
  ``RV2.<base64url JSON of the link>.<hash>.<decision_id of that answer, 0 for none>``. It is
  opaque to the reviewer, carries no ID number, and lets intake find the link, notice that
  the evidence changed after the sheet was written, and refuse an answer that would overturn
  one taken in after it (the reviewer never saw it). Sheets written before the answer's
  number was in the key (``RV1.<link>.<hash>``) are still read.
* The **pair** an answer is about is `(source, record_id, member_key)`, where `member_key`
  is the member's normalised ID when valid, else ``m:<request>/<household>/<member>``
  (same expression as the `review_decisions` view of migration 0007; `matching.person_key`).
* **Decisions** are written in Chinese on the sheet; a few other spellings are accepted.

Example:
    >>> key = encode_key(("tax", "T1", "R1", "H1", 1), "0123456789abcdef", shown=42)
    >>> key
    'RV2.WyJ0YXgiLCJUMSIsIlIxIiwiSDEiLDFd.0123456789abcdef.42'
    >>> decode_key(key), shown_answer(key)
    ((LinkKey(source='tax', record_id='T1', request_id='R1', household_id='H1', member_no=1), '0123456789abcdef'), 42)
    >>> shown_answer('RV1.WyJ0YXgiLCJUMSIsIlIxIiwiSDEiLDFd.0123456789abcdef') is None
    True
    >>> parse_decision(" 确认 "), parse_decision("No"), parse_decision(""), parse_decision("maybe")
    ('confirmed', 'denied', None, '?')
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from typing import Any, NamedTuple

KEY_PREFIX = "RV2"
KEY_COLUMN = "复核编号"
DECISION_COLUMN = "复核结论"
REVIEWER_COLUMN = "复核人"
NOTE_COLUMN = "备注"

DECISIONS = ("confirmed", "denied", "undetermined")
DECISION_LABELS = {"confirmed": "确认", "denied": "否认", "undetermined": "无法确定"}
# Normalised (NFKC, lower case, no spaces) spelling -> decision. The dropdown offers the first
# of each; the others are what people type when they overwrite a cell.
DECISION_WORDS = {
    "confirmed": ("确认", "是", "是本人", "属实", "confirm", "confirmed", "yes", "y"),
    "denied": ("否认", "否", "不是本人", "非本人", "不是", "deny", "denied", "no", "n"),
    "undetermined": ("无法确定", "不确定", "无法判断", "待定", "undetermined", "unsure", "unknown"),
}
_WORD_TO_DECISION = {w: d for d, words in DECISION_WORDS.items() for w in words}
ACCEPTED_DECISIONS = "; ".join(f"{words[0]} ({', '.join(words[1:])})" for words in DECISION_WORDS.values())

_KEY_RE = re.compile(r"^RV([12])\.([A-Za-z0-9_-]+)\.([0-9a-f]{16})(?:\.([0-9]+))?$")


class LinkKey(NamedTuple):
    source: str
    record_id: str
    request_id: str
    household_id: str
    member_no: int


def encode_key(link: tuple, evidence_hash: str, shown: int = 0) -> str:
    """The 复核编号 of a link as shown with evidence `evidence_hash`, the answer in force then
    being the one numbered `shown` (`review_decisions.decision_id`; 0: none)."""
    lk = LinkKey(*link)
    payload = json.dumps([lk.source, lk.record_id, lk.request_id, lk.household_id, int(lk.member_no)],
                         ensure_ascii=False, separators=(",", ":"))
    body = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{KEY_PREFIX}.{body}.{evidence_hash}.{int(shown)}"


def decode_key(text: Any) -> tuple[LinkKey, str] | None:
    """`(link, evidence_hash)` from a 复核编号; None when it is not one this system wrote."""
    if not isinstance(text, str):
        return None
    m = _KEY_RE.match(text.strip())
    if not m or (m.group(1) == "1") != (m.group(4) is None):
        return None
    body = m.group(2)
    try:
        parts = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if (not isinstance(parts, list) or len(parts) != 5 or not all(isinstance(p, str) for p in parts[:4])
            or not isinstance(parts[4], int) or isinstance(parts[4], bool)):
        return None
    return LinkKey(*parts), m.group(3)


def shown_answer(text: Any) -> int | None:
    """The number of the answer in force when the sheet was written (0: none); None for a key
    without it (an RV1 sheet) or not one this system wrote."""
    m = _KEY_RE.match(text.strip()) if isinstance(text, str) else None
    return int(m.group(4)) if m and m.group(4) is not None else None


def evidence_hash(record: dict, member: dict, probability: Any = None) -> str:
    """Hash of the evidence a reviewer judged: the source row's values and the member.

    Hashes the underlying values (full ID numbers included), not their masked display, so a
    change the mask hides is still a change. The match probability is left out on purpose:
    the matcher re-estimates its model every pass, and the reviewer's answer ("is this record
    this person's?") does not depend on the model's number. 16 hex digits.
    """
    text = json.dumps({"record": record, "member": member},
                      sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fold(text: Any) -> str:
    """NFKC, stripped: how headers and answers are compared (full-width forms folded)."""
    return unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()


def parse_decision(text: Any) -> str | None:
    """`confirmed`, `denied`, `undetermined`; None when blank; ``'?'`` when not recognised."""
    word = re.sub(r"\s+", "", fold(text)).lower()
    if not word:
        return None
    return _WORD_TO_DECISION.get(word, "?")
