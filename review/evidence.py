"""How a review question is shown: the source row's fields that matter, the comparison, the rival.

Pure functions from warehouse values to display text, shared by review.xlsx and review.html.
Nothing here ever returns a full ID number: IDs are masked, free text is scrubbed.

Example:
    >>> from datetime import date
    >>> from decimal import Decimal
    >>> record_fields("tax", {"period": date(2024, 3, 1), "income_item": "工资薪金",
    ...                       "income_amount": Decimal("5200.00"), "withholding_agent": None})
    [('所属期', '2024-03'), ('所得项目', '工资薪金'), ('收入额', '¥5,200.00'), ('扣缴义务人', '—')]
    >>> weights_text(weights({"weights": [{"field": "id_number", "level": "exact", "weight": 14.2},
    ...                                    {"field": "name", "level": "same_pinyin", "weight": -1.5}]}))
    '身份证号：一致（+14.2）；姓名：同音（-1.5）'
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from reports import formatting as fmt
from reports.masking import mask_account, scrub, scrub_text

# source -> [(column, label, kind)]: the fields a caseworker needs to tell whose record it is and
# what confirming it would count (a probe: a 查封 home and a car's price were not on the sheet).
SOURCE_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "tax": [("period", "所属期", "period"), ("income_item", "所得项目", "text"),
            ("income_amount", "收入额", "money"), ("withholding_agent", "扣缴义务人", "text")],
    "vehicle": [("plate_number", "号牌号码", "text"), ("vehicle_type", "车辆类型", "text"),
                ("registration_date", "初次登记日期", "date"), ("purchase_price", "购置价格", "money"),
                ("status", "机动车状态", "text")],
    "property": [("certificate_number", "不动产权证号", "text"), ("location", "坐落", "text"),
                 ("usage", "用途", "text"), ("floor_area", "建筑面积", "area"), ("share", "共有份额", "share"),
                 ("registration_date", "登记日期", "date"), ("status", "权属状态", "text")],
    "social_insurance": [("insurance_type", "险种", "text"), ("record_type", "记录类型", "text"),
                         ("period", "所属期", "period"), ("employer", "参保单位", "text"),
                         ("amount", "金额", "money")],
    "bank": [("institution", "金融机构", "text"), ("account_number", "账号", "account"),
             ("product_type", "产品类型", "text"), ("balance", "余额", "money"), ("as_of_date", "余额日期", "date")],
}
# Columns of every source row that identify the person (hashed, name and masked ID shown).
PERSON_COLUMNS = ("name", "name_raw", "id_number", "id_raw", "id_birth_date")

# Comparison levels the matcher may report beyond those reports.formatting knows.
EXTRA_LEVEL_LABELS = {
    "same_pinyin": "同音", "legacy_equal": "新旧号一致", "swapped": "位置互换", "typo": "一位之差",
    "initials": "首字母一致", "year_month": "年月一致", "year": "同年", "transliterated": "繁简一致",
}
EXTRA_FIELD_LABELS = {"relation": "关系", "organisation": "单位", "member_no": "成员序号"}


def _date_text(value: Any, month: bool = False) -> str:
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m") if month else value.strftime("%Y-%m-%d")
    return fmt.text(value)


def field_text(kind: str, value: Any) -> str:
    """One source field as display text (money in yuan, areas in m², shares, masked accounts)."""
    if fmt.missing(value):
        return fmt.DASH
    if kind == "money":
        return fmt.money(value)
    if kind == "period":
        return _date_text(value, month=True)
    if kind == "date":
        return _date_text(value)
    if kind == "area":
        return f"{fmt.number(value)} m²"
    if kind == "share":
        return fmt.share(1 if value is None else value)
    if kind == "account":
        return mask_account(value)
    return scrub_text(str(value))


def record_fields(source: str, row: dict | None) -> list[tuple[str, str]]:
    """[(label, text)] of the fields that matter for `source`; all `—` when the row is gone."""
    row = row or {}
    return [(label, field_text(kind, row.get(col))) for col, label, kind in SOURCE_FIELDS.get(source, [])]


def hashed_record(source: str, row: dict | None) -> dict | None:
    """The source row's values that a reviewer's answer rests on (for the evidence hash)."""
    if row is None:
        return None
    cols = PERSON_COLUMNS + tuple(col for col, _, _ in SOURCE_FIELDS.get(source, []))
    return {c: row.get(c) for c in cols}


def level_label(level: Any) -> str:
    label = fmt.level_label(level)
    return EXTRA_LEVEL_LABELS.get(str(level), label) if label == str(level) else label


def matcher_level_label(field: Any, level: Any) -> str | None:
    """The matcher's own wording of a field's level (`matching.LEVEL_LABELS`), without the
    field's name when it starts with it (it is shown beside it): ``same_pinyin`` of the name is
    ``同音``, ``known_unique`` of the organisation ``同名者在该单位…只有本人的``. None if unknown."""
    from matching import LEVEL_LABELS as MATCH_LEVELS

    label = MATCH_LEVELS.get(str(field), {}).get(str(level))
    if not label:
        return None
    for prefix in {fmt.field_label(field), field_label(field)}:
        if prefix and label.startswith(prefix) and len(label) > len(prefix):
            return label[len(prefix):]
    return label


def field_label(field: Any) -> str:
    label = fmt.field_label(field)
    return EXTRA_FIELD_LABELS.get(str(field), label) if label == str(field) else label


def weights(evidence: dict | None) -> list[dict]:
    """The comparison levels and match weights of a link's evidence, labelled."""
    out = []
    for w in (evidence or {}).get("weights") or []:
        if not isinstance(w, dict):
            continue
        label = w.get("label") or matcher_level_label(w.get("field"), w.get("level"))
        out.append({"field": field_label(w.get("field")),
                    "level": scrub_text(str(label)) if label else level_label(w.get("level")),
                    "weight": None if fmt.to_number(w.get("weight")) is None else fmt.signed(w.get("weight"))})
    return out


def weights_text(labelled: list[dict]) -> str:
    """``身份证号：一致（+14.2）；姓名：同音（-1.5）`` from the output of `weights`."""
    parts = [f"{w['field']}：{w['level']}" + (f"（{w['weight']}）" if w["weight"] else "") for w in labelled]
    return "；".join(parts) or fmt.DASH


def competitor_text(competitor: Any, names: dict | None = None, request_id: str | None = None) -> str | None:
    """Another candidate the matcher weighed for the same record, as one line; None if none.

    The matcher's `competitor` is a dict whose keys may vary; the usual ones (request,
    household, member number, name, probability, summary) are spelled out, any others listed
    as they are. A rival in another request (maybe another agency's) is named, but its
    request and household are not shown.
    """
    if competitor in (None, {}, []):
        return None
    if not isinstance(competitor, dict):
        return scrub_text(str(competitor))
    c = scrub(competitor)
    elsewhere = c.get("request_id") not in (None, request_id)
    member_no = c.get("member_no")
    name = c.get("name") or (None if elsewhere else (names or {}).get(member_no))
    parts = []
    if elsewhere:
        parts.append("其他申请中的人员" + (f" {name}" if name else ""))
    else:
        if c.get("household_id"):
            parts.append(f"家庭 {c['household_id']}")
        if member_no is not None:
            parts.append(f"成员 {member_no}" + (f" {name}" if name else ""))
        elif name:
            parts.append(str(name))
    prob = c.get("match_probability", c.get("probability"))
    if fmt.to_number(prob) is not None:
        parts.append(f"匹配概率 {fmt.percent(prob)}")
    if c.get("summary"):
        parts.append(str(c["summary"]))
    known = {"household_id", "member_no", "name", "match_probability", "probability", "summary", "request_id"}
    parts += [f"{k}: {v}" for k, v in c.items() if k not in known and v not in (None, "", [], {})]
    return "；".join(parts) or None


def previous_text(previous: dict | None) -> str | None:
    """``无法确定（张科员，2026-11-28：需要补充材料）`` for the answer already given, if any."""
    if not previous:
        return None
    label = {"confirmed": "确认", "denied": "否认", "undetermined": "无法确定"}.get(previous["decision"],
                                                                                     previous["decision"])
    when = _date_text(previous.get("decided_at"))
    note = f"：{previous['note']}" if previous.get("note") else ""
    return f"{label}（{previous.get('reviewer') or fmt.DASH}，{when}{note}）"
