"""What identifies a review question and its answer: the link key, the evidence hash, the pair.

* A **link** is `(source, record_id, request_id, household_id, member_no)`: the key of `links`.
* The **review key** (复核编号, a hidden column of review.xlsx) is that link plus the hash of
  the evidence the reviewer was shown and the answer in force when the sheet was written:
  ``RV3.<the link, encrypted>.<hash>.<decision_id of that answer, 0 for none>``. It lets intake
  find the link, notice that the evidence changed after the sheet was written, and refuse an
  answer that would overturn one taken in after it (the reviewer never saw it). The link is
  encrypted with the warehouse's own secret (`review_secret`, never copied out): a household
  numbered by its head's ID number, or a record_id built from one, was readable in full from an
  RV2 key, whose link was only base64 (a caseworker-side probe). The cipher is deterministic and
  authenticated (SIV with HMAC-SHA256: the nonce is the keyed hash of the link, the keystream
  HMAC-SHA256 of the nonce in counter mode), so a key that was edited, or written by another
  warehouse, does not decode. Sheets written before (``RV2.<base64url JSON of the link>.<hash>.<n>``,
  and ``RV1.<link>.<hash>`` without the answer's number) are still read.
* The **pair** an answer is about is `(source, record_id, member_key)`, where `member_key`
  is the member's normalised ID when valid, else ``m:<request>/<household>/<member>``
  (same expression as the `review_decisions` view of migration 0007; `matching.person_key`).
* **Decisions** are written in Chinese on the sheet; a few other spellings are accepted.

Example:
    >>> key = encode_key(("tax", "T1", "R1", "H1", 1), "0123456789abcdef", shown=42, secret=b"k")
    >>> key.startswith("RV3.") and "H1" not in key
    True
    >>> decode_key(key, secret=b"k"), shown_answer(key), decode_key(key, secret=b"another warehouse")
    ((LinkKey(source='tax', record_id='T1', request_id='R1', household_id='H1', member_no=1), '0123456789abcdef'), 42, None)
    >>> decode_key('RV2.WyJ0YXgiLCJUMSIsIlIxIiwiSDEiLDFd.0123456789abcdef.42')[0].household_id
    'H1'
    >>> shown_answer('RV1.WyJ0YXgiLCJUMSIsIlIxIiwiSDEiLDFd.0123456789abcdef') is None
    True
    >>> parse_decision(" 确认 "), parse_decision("No"), parse_decision(""), parse_decision("maybe")
    ('confirmed', 'denied', None, '?')
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import unicodedata
from typing import Any, NamedTuple

KEY_PREFIX = "RV3"
KEY_COLUMN = "复核编号"
DECISION_COLUMN = "复核结论"
REVIEWER_COLUMN = "复核人"
NOTE_COLUMN = "备注"

DECISIONS = ("confirmed", "denied", "undetermined")
DECISION_LABELS = {"confirmed": "确认", "denied": "否认", "undetermined": "无法确定"}
# Normalised (NFKC, lower case, no spaces) spelling -> decision. The dropdown offers the first
# of each; the others are what people type when they overwrite a cell.
DECISION_WORDS = {
    "confirmed": ("确认", "是", "是本人", "属实", "confirm", "confirmed", "yes", "y", "√", "✓", "✔"),
    "denied": ("否认", "否", "不是本人", "非本人", "不是", "deny", "denied", "no", "n", "×", "✗", "✘"),
    "undetermined": ("无法确定", "不确定", "无法判断", "待定", "undetermined", "unsure", "unknown"),
}
_WORD_TO_DECISION = {w: d for d, words in DECISION_WORDS.items() for w in words}
ACCEPTED_DECISIONS = "; ".join(f"{words[0]} ({', '.join(words[1:])})" for words in DECISION_WORDS.values())

_KEY_RE = re.compile(r"^RV([123])\.([A-Za-z0-9_-]+)\.([0-9a-f]{16})(?:\.([0-9]+))?$")
_NONCE = 16


class LinkKey(NamedTuple):
    source: str
    record_id: str
    request_id: str
    household_id: str
    member_no: int


def _keystream(secret: bytes, nonce: bytes, n: int) -> bytes:
    blocks = (hmac.new(secret, b"rv3" + nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
              for i in range((n + 31) // 32))
    return b"".join(blocks)[:n]


def _seal(payload: bytes, secret: bytes) -> bytes:
    nonce = hmac.new(secret, payload, hashlib.sha256).digest()[:_NONCE]
    return nonce + bytes(a ^ b for a, b in zip(payload, _keystream(secret, nonce, len(payload))))


def _open(sealed: bytes, secret: bytes) -> bytes | None:
    nonce, body = sealed[:_NONCE], sealed[_NONCE:]
    payload = bytes(a ^ b for a, b in zip(body, _keystream(secret, nonce, len(body))))
    return payload if hmac.compare_digest(hmac.new(secret, payload, hashlib.sha256).digest()[:_NONCE], nonce) else None


def encode_key(link: tuple, evidence_hash: str, shown: int = 0, secret: bytes | None = None) -> str:
    """The 复核编号 of a link as shown with evidence `evidence_hash`, the answer in force then
    being the one numbered `shown` (`review_decisions.decision_id`; 0: none), its link encrypted
    with the warehouse's `secret` (`review_secret`). Without a secret, the RV2 key that sheets
    written before carry (tests build those)."""
    lk = LinkKey(*link)
    payload = json.dumps([lk.source, lk.record_id, lk.request_id, lk.household_id, int(lk.member_no)],
                         ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    prefix, body = ("RV2", payload) if secret is None else (KEY_PREFIX, _seal(payload, secret))
    text = base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")
    return f"{prefix}.{text}.{evidence_hash}.{int(shown)}"


def decode_key(text: Any, secret: bytes | None = None) -> tuple[LinkKey, str] | None:
    """`(link, evidence_hash)` from a 复核编号; None when it is not one this warehouse wrote."""
    if not isinstance(text, str):
        return None
    m = _KEY_RE.match(text.strip())
    if not m or (m.group(1) == "1") != (m.group(4) is None):
        return None
    body = m.group(2)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if m.group(1) == "3":
            raw = _open(raw, secret or b"") if len(raw) > _NONCE else None
            if raw is None:
                return None
        parts = json.loads(raw.decode("utf-8"))
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
    # (the full stop or comma a sentence ends with: a review probe's "确认。" was refused)
    word = re.sub(r"\s+", "", fold(text)).lower().strip("。.，,、；;！!")
    if not word:
        return None
    return _WORD_TO_DECISION.get(word, "?")


SECRET_SQL = "SELECT secret FROM review_secret LIMIT 1"


def review_secret(con) -> bytes:
    """The warehouse's secret for review keys (`review_secret`, migration 0032), made on first use
    in the caller's transaction: 32 random bytes (`secrets`), hex."""
    import secrets

    row = con.execute(SECRET_SQL).fetchall()
    if not row:
        con.execute("INSERT INTO review_secret VALUES (?)", [secrets.token_hex(32)])
        row = con.execute(SECRET_SQL).fetchall()
    return bytes.fromhex(row[0][0])
