"""A household's verified income and assets, computed from its linked evidence rows.

Only `auto` and `confirmed` links count; a `review` link is shown to the caseworker but not
added in until a person confirms it. Supporters (赡养人 …) are not household members: their
means are computed the same way and judged separately (特困).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import PurePosixPath

from assessment.repeats import repeated_deliveries
from connectors.values.names import to_simplified

COUNTED_DECISIONS = ("auto", "confirmed")
WAGE_ITEMS = ("工资薪金",)
EMPLOYMENT_ITEMS = ("工资薪金", "劳务报酬", "经营所得")
PENSION_CONTRIBUTION_TYPES = ("企业职工基本养老保险", "机关事业单位养老保险")
WORK_ONLY_CONTRIBUTION_TYPES = ("失业保险", "职工基本医疗保险", "工伤保险")
WORK_CONTRIBUTION_TYPES = PENSION_CONTRIBUTION_TYPES + WORK_ONLY_CONTRIBUTION_TYPES
"""Schemes whose contributions show a person in work: the employee schemes (an employer's, or
flexible employment's in the employees' scheme). 城乡居民 schemes are for people without an
employer and say nothing of work."""
WORK_ONLY_NOTE = "该险种缴费仅作为在职（就业）佐证，缴费基数不作为工资佐证，不计入收入"


def fen(x: float | Decimal) -> float:
    """A money figure rounded to the fen as a caseworker rounds it (四舍五入: 2,032.605 → 2,032.61,
    2,471.895 → 2,471.90). Python's `round` works on the binary float and gave 2,471.89 beside
    2,032.61; the decimal a float prints as (`repr`) is the one rounded here, and a `Decimal` (an
    exact sum, `exact`) is rounded as it is. Every money figure a report shows goes through this."""
    value = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def exact(amount) -> Decimal:
    """A money amount (a DECIMAL(18,2) of the warehouse, as a float or a Decimal) as the exact
    decimal it stands for. Sums and quotients of money are taken on these: summed as floats,
    657.75 + 598.24 over twelve months came to 1,255.9899999…, halved to 627.99 instead of the
    627.995 that rounds to 628.00 — and passed a 628.00 standard (an independent-data probe)."""
    if amount is None:
        return Decimal(0)
    return amount if isinstance(amount, Decimal) else Decimal(repr(float(amount)))


@dataclass
class MemberMeans:
    member_no: int
    monthly_income: float = 0.0
    financial_total: Decimal = Decimal(0)
    vehicles: int = 0
    properties: int = 0
    owned_area: Decimal = Decimal(0)
    employment_months: set = field(default_factory=set)


def _counted(rec: dict) -> bool:
    return rec["decision"] in COUNTED_DECISIONS


NO_TAX_NOTE = "税务数据尚未报送，缴费基数暂不作为工资佐证"
"""A pension base while no tax export has arrived at all: the wage it stands in for may be there."""
UNSURE_NOTE = "当月另有同名（或姓名仅差一字）、无证件号的工资记录（记录{record_id}，{payer}）未能确认是否本人，缴费基数不作为工资佐证"
PENDING_WAGE_NOTE = "当月税务工资或劳务报酬记录待复核，缴费基数不作为工资佐证"  # the job stays (household_facts)
SELF_EMPLOYED = re.compile(r"灵活就业|个体|个人缴费|个人参保|自由职业|以个人身份")
SELF_EMPLOYED_NOTE = "灵活就业人员自选缴费基数（多为最低档），不作为工资佐证，收入需另行核实"


def self_employed(payer: str | None) -> bool:
    """A contribution paid as flexible employment (灵活就业), not by an employer: its base is the
    person's own choice, usually the lowest band, and says nothing about what they earn."""
    return bool(payer and SELF_EMPLOYED.search(payer))


def classify_income(records: list[dict], params: dict, tax_through: date | None = None,
                    tax_from: date | None = None, unsure: dict | None = None) -> list[dict]:
    """Mark each income record counted or not, with the reason, in place; returns the records.

    A pension contribution base stands in as wage evidence only for a member-month without a wage row
    from tax — neither counted nor waiting for review: the base is no measure of a wage whose
    own record a caseworker is about to confirm (it has a floor, so it overstated low wages while
    their tax rows sat in review) — and only once per member-month (several insurances share one
    base). A base paid as flexible employment is no wage evidence at all (`self_employed`): the
    household gets an `income.self_employed` finding instead (assessment.rules). Contributions to
    the other employee schemes (`WORK_ONLY_CONTRIBUTION_TYPES`) show work, never income.
    """
    excluded_items = set(params.get("excluded_income_items") or ())
    excluded_benefits = set(params.get("excluded_benefit_types") or ())
    # any pay for work that month, a wage or a fee (劳务报酬) or business income: a scale probe's
    # 315.44 fee and the 315.44 base its payer contributed on were counted both, and a 低保 household
    # failed on twice its income. A wage row nobody could place, asked about, is unsure, not pending
    taxed_months = {(r["member_no"], r["period"]) for r in records
                    if r["kind"] == "tax_income" and r["item"] in EMPLOYMENT_ITEMS and _counted(r)}
    pending_months = {(r["member_no"], r["period"]) for r in records
                      if r["kind"] == "tax_income" and r["item"] in EMPLOYMENT_ITEMS and not _counted(r)
                      and (unsure or {}).get((r["member_no"], r["period"]), {}).get("record_id") != r["record_id"]}
    base_taken: set = set()
    repeats = repeated_deliveries(records)
    for r in sorted(records, key=lambda r: (r["kind"], -(r["amount"] or 0))):
        r["counted"], r["note"] = False, None
        r["repeat_of"] = repeats[id(r)]["record_id"] if id(r) in repeats else None
        if not _counted(r):
            r["note"] = "匹配待复核，暂不计入"
        elif id(r) in repeats:
            kept = repeats[id(r)]
            r["note"] = (f"与{PurePosixPath(str(kept.get('file'))).name}中的记录{kept['record_id']}相同（部门重新导出的同一笔），"
                         "只计一次")
        elif r["kind"] == "tax_income" and r["item"] in excluded_items:
            r["note"] = f"{r['item']}为一次性所得，不计入月收入"
        elif r["kind"] == "benefit" and r["insurance_type"] in excluded_benefits:
            r["note"] = f"本县规定{r['insurance_type']}待遇不计入收入"
        elif r["kind"] == "contribution":
            key = (r["member_no"], r["period"])
            if self_employed(r.get("payer")):
                r["note"] = SELF_EMPLOYED_NOTE
            elif r.get("insurance_type") in WORK_ONLY_CONTRIBUTION_TYPES:
                # loaded to show that a member works (就业救助); the income rule's stand-in for a
                # wage stays the pension base, so adding these schemes changes no income figure
                r["note"] = WORK_ONLY_NOTE
            elif tax_through == date.min:
                r["note"] = NO_TAX_NOTE
            elif tax_from is not None and r["period"] < tax_from:
                # a month of the insurance's window before the tax window's (tax delivered later
                # than social insurance): the wage it would stand in for is outside the window
                r["note"] = "该月不在税务收入期内，缴费基数不作为工资佐证"
            elif tax_through is not None and r["period"] > tax_through:
                # the tax export of that month has not arrived: the base is no stand-in for a wage
                # that may yet be there (a probe's 9 bases became 'new income' for a week)
                r["note"] = "该月税务数据尚未送达，缴费基数暂不作为工资佐证"
            elif key in taxed_months:
                r["note"] = "当月已有税务工资或劳务报酬记录，缴费基数不重复计入"
            elif key in pending_months:
                r["note"] = PENDING_WAGE_NOTE
            elif key in (unsure or {}):
                row = unsure[key]    # a wage row that month nobody could place: `unsure_wages.unsure_wages_sql`
                r["note"] = UNSURE_NOTE.format(record_id=row["record_id"], payer=row.get("payer") or "")
                r["unsure_wage"] = row
            elif key in base_taken:
                r["note"] = "同月缴费基数已计入一次"
            else:
                base_taken.add(key)
                r["counted"], r["note"] = True, "无税务工资记录，以社保缴费基数作为工资佐证"
        else:
            r["counted"] = True
    return records


def income_figures(records: list[dict], months: int, member_nos: set[int]) -> dict:
    """Monthly averages over the window (total / window months), by source, item and month."""
    by_source: dict = defaultdict(Decimal)
    by_item: dict = defaultdict(Decimal)
    series: dict = defaultdict(lambda: defaultdict(Decimal))
    per_member: dict = defaultdict(Decimal)
    covered, basis = set(), set()
    for r in records:
        if not r.get("counted") or r["member_no"] not in member_nos:
            continue
        amount = exact(r["amount"])
        by_source[r["source"]] += amount
        by_item[r["item"]] += amount
        month = r["period"].strftime("%Y-%m")
        series[month][r["source"]] += amount
        per_member[r["member_no"]] += amount
        covered.add(month)
        basis.add("social_insurance_contribution_base" if r["kind"] == "contribution" else r["source"])
    total = sum(by_source.values(), Decimal(0))
    return {
        "monthly_total": fen(total / months),
        # per-capita figures divide this, not the rounded total: rounding twice let two
        # households shown at 628.00 come out on opposite sides of a 628.00 standard
        "monthly_total_exact": total / months,
        # both income sources always (contract §4: `by_source {tax, social_insurance, ...}`): a
        # household without a pension still had social insurance read, at 0.00
        "by_source": {k: fen(v / months) for k, v in sorted({**INCOME_SOURCES_ZERO, **by_source}.items())},
        "by_item": {k: fen(v / months) for k, v in sorted(by_item.items())},
        "months_covered": len(covered),
        "evidence_basis": sorted(basis),
        "per_member": {m: fen(v / months) for m, v in per_member.items()},
        "series": series,
    }


INCOME_SOURCES_ZERO = {"social_insurance": Decimal(0), "tax": Decimal(0)}


def monthly_series(series: dict, window_months: list[str]) -> list[dict]:
    return [{"month": m, "by_source": {k: fen(v) for k, v in sorted(series.get(m, {}).items())}}
            for m in window_months]


def _newest_first(row: dict) -> tuple:
    # A register's full re-export hands out new record_ids for the same vehicle or certificate:
    # the row registered, then loaded, last is its latest word; record_id only breaks ties so
    # that every pass keeps the same row. A row registered after the request date is no word on
    # the household as of that date: any row of the request date's comes first. Of two rows tied on both
    # dates the held one decides, whatever their record_ids (`contradicted_by`: a caseworker's question).
    return (*_same_word(row), bool(row.get("held")), str(row.get("record_id")))


def _same_word(row: dict) -> tuple:   # what makes two rows of one vehicle or certificate equally new
    return (not row.get("after_request"), row.get("registration_date") or date.min, row.get("loaded_at") or datetime.min)


_KEY_NOISE = re.compile(r"[\s·•・.\-‐-―_]+")
"""What a plate or certificate number may be written with that does not tell it apart: spaces, the
dot printed on plates (晋A·12345), hyphens."""


_FULL_WIDTH = "".join(chr(c) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))) + "（）－．／\u3000"
_HALF_WIDTH = "".join(chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))) + "()-./ "
NUMBER_KEY_SQL = ("upper(regexp_replace(translate({col}, '" + _FULL_WIDTH + "', '" + _HALF_WIDTH + "'), '"
                  + _KEY_NOISE.pattern + "', '', 'g'))")
"""SQL twin of the plate or certificate number `_key` compares (a template: `.format(col=…)`).
DuckDB has no NFKC: the full-width digits, letters, brackets, hyphen, dot, slash and space that
plates and certificates are written with are folded one by one. (An evaluator's car sold to a
stranger stayed held, failing the household, when one of its two rows wrote 晋Ａ３Ｍ７Ｑ９.)"""


def _key(value, row: dict):
    """A plate or certificate number as compared: full-width folded (晋（2015）… is 晋(2015)…, 晋Ａ１２３４５
    is 晋A12345), without spaces, dots or hyphens, upper case. An assets probe's co-owners' one flat
    written with full-width and ASCII brackets was two homes, and a car re-exported as 晋A·12345
    注销 stayed held as 晋A12345: wrong fails."""
    text = _KEY_NOISE.sub("", unicodedata.normalize("NFKC", str(value))).upper() if value is not None else ""
    # a row without the number can repeat no other row
    return text or ("record", row.get("record_id") if "record_id" in row else id(row))


def certificate_key(row: dict):
    """The certificate a property row belongs to (the row itself when the number is missing)."""
    return _key(row.get("certificate_number"), row)


def plate_key(row: dict):
    """The vehicle a vehicle row belongs to (the row itself when the plate is missing)."""
    return _key(row.get("plate_number"), row)


VEHICLE_FAMILIES = ((r"二轮.*摩托车|^M2[0-9]", "二轮摩托车"), (r"三轮.*摩托车|^M1[0-9]", "三轮摩托车"),
                    (r"三轮汽车|三轮农用运输车|农用三轮车|^N1[0-9]", "三轮汽车"),
                    (r"低速.*货车|低速载货汽车|四轮农用运输车|^H5[0-9]", "低速货车"),
                    (r"拖拉机|变形运输机|^T[0-9]{2}", "拖拉机"), (r"残疾人", "残疾人专用车"))
"""The kinds of vehicle a register writes in many ways: its sub-kinds (普通正三轮摩托车, 侧三轮摩托车,
厢式低速货车, 手扶拖拉机), the GA 802 type codes (M21, H51, T22) with or before the name, and the older
names (三轮农用运输车, 四轮农用运输车, 低速载货汽车). A register probe's 18 such vehicles of the
policy's exempt kinds were read as cars, and their households failed."""
_TYPE_CODE = re.compile(r"[（(]?\b([A-Z][0-9]{2})\b[)）]?")


@lru_cache(maxsize=4096)
def vehicle_kind(vehicle_type: str | None) -> str:
    """A vehicle type as its kind (`VEHICLE_FAMILIES`), else as written (spaces, codes and brackets off)."""
    text = re.sub(r"\s", "", to_simplified(unicodedata.normalize("NFKC", str(vehicle_type or "")))).upper()
    codes = _TYPE_CODE.findall(text)
    name = _TYPE_CODE.sub("", text)
    for pattern, kind in VEHICLE_FAMILIES:
        if re.search(pattern, name) or any(re.search(pattern, c) for c in codes):
            return kind
    return name


def exempt_vehicle(vehicle_type: str | None, exempt) -> bool:
    """Whether a vehicle type is of a kind the policy exempts (`exempt_vehicle_types`)."""
    return vehicle_type in exempt or vehicle_kind(vehicle_type) in {vehicle_kind(e) for e in exempt}


def _count_once(rows: list[dict], key, what: str, thing: str) -> list[dict]:
    """Of the rows sharing a key, the newest decides; the others are kept, noted, not counted.

    Marks every row `counted` (with a `note` when it repeats another) in place; returns the
    counted rows. The newest row decides even when it is no longer held: a re-export saying 注销
    after an older row saying 正常 means the household no longer holds it. Rows as new as the one
    that decides, but saying it is not held, are its `contradicted_by`: an assets probe's plate,
    正常 and 注销 on one date in one file, failed or passed its household by the rows' order.
    """
    groups: dict = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = []
    for group in groups.values():
        group.sort(key=_newest_first, reverse=True)
        first = group[0]
        first["counted"] = bool(first["held"])
        if first["counted"]:
            out.append(first)
        for r in group[1:]:
            if first["counted"] and not r["held"] and _same_word(r) == _same_word(first):
                first.setdefault("contradicted_by", []).append(r)
                r["counted"], r["repeat"], r["duplicate"] = False, True, True
                r["note"] = (f"与记录{first['record_id']}的{what}相同、登记日期相同，状态却为{r.get('status')}："
                             f"两条记录相互矛盾，暂按{first.get('status')}计入，请向登记机关核实")
                continue
            same = f"与{'' if first['counted'] else '较新的'}记录{first['record_id']}的{what}相同"
            # `repeat`: the same one counted once; a row behind a newer 注销 is one no longer held
            r["counted"], r["repeat"], r["duplicate"] = False, True, bool(first["counted"])
            r["note"] = (f"{same}，同一{thing}只计一次" if first["counted"]
                         else f"{same}，登记日期均晚于申请日期，不计入" if first.get("after_request")
                         else f"{same}，该记录状态为{first.get('status')}，不再持有，不计入")
    return out


def owned_area(p: dict) -> Decimal:
    """The area a property row owns, exactly: its floor area times its share, as the decimals they
    print as. Multiplied and summed as floats, 92.75 + 69.27 × 0.5 came to 127.38499…, shown
    127.38 beside rows of 92.75 and 34.64 (an income probe)."""
    if p.get("floor_area") is None:
        return Decimal(repr(float(p.get("owned_area") or 0.0)))
    share = p.get("share")
    return Decimal(repr(float(p["floor_area"]))) * Decimal(repr(float(1.0 if share is None else share)))


def _certificates(held: list[dict]):
    """Per certificate: its rows, the area they own together and the whole property's floor area."""
    by_certificate: dict = defaultdict(list)
    for p in held:
        by_certificate[certificate_key(p)].append(p)
    for rows in by_certificate.values():
        yield (rows, sum((owned_area(p) for p in rows), Decimal(0)),
               max((Decimal(repr(float(p.get("floor_area") or 0.0))) for p in rows), default=Decimal(0)))


def _mark_joint(held: list[dict]) -> None:
    """Members holding one certificate whose rows each list (nearly) the whole property (共同共有):
    each row says so, and that the household's area counts it once (`household_area`). A report
    probe's joint flat was shown as two members' 单独所有 rows, 90 m² each, beside a household
    total of 90: nothing reconciled the rows with the total."""
    for rows, owned, whole in _certificates(held):
        owners = sorted({p["member_no"] for p in rows})
        if len(owners) < 2 or whole <= 0 or owned <= whole + Decimal("0.005"):
            continue
        # fractions adding up to more than the whole contradict each other: no 共同共有 (an assets probe's 0.6 + 0.6)
        fractions = [p for p in rows if p.get("share") is not None and float(p["share"]) < 1.0]
        for p in rows:
            p["joint"] = True
            others = "、".join(f"成员{n}" for n in owners if n != p["member_no"])
            p["note"] = (f"与{others}的登记份额合计超过整套（"
                         + "+".join(f"{float(r['share']):.0%}" if r.get("share") is not None else "100%" for r in rows)
                         + "），请向登记机关核实；家庭合计面积按整套计" if fractions
                         else f"与{others}共同共有同一产权，家庭合计面积只计一次")


def household_area(held: list[dict]) -> Decimal:
    """The floor area a household owns: per certificate, its members' shares of it, at most the
    whole property. Joint owners (共同共有) each hold the whole property on their own row, so two
    spouses' rows of one 120 m² flat are 120 m², not 240; owners in halves still add up to 120."""
    return sum(((min(owned, whole) if whole > 0 else owned) for _, owned, whole in _certificates(held)), Decimal(0))


def asset_figures(vehicles: list[dict], properties: list[dict], accounts: list[dict],
                  member_nos: set[int]) -> dict:
    """Held vehicles and properties, latest financial balances; per member and in total.

    Marks the vehicle and property rows of these members `counted` or not, with a `note` saying
    why not, in place (rows of other members are left alone: supporters are figured separately).

    Within these members a plate is one vehicle and a certificate, per owner, one holding: the
    same vehicle or certificate delivered under two record_ids counts once. Co-owners of one
    certificate (two members, one row each) each count their share of its area, and the
    household owns one property, not two: `properties` counts distinct certificates.
    """
    by_member = {m: MemberMeans(m) for m in sorted(member_nos)}
    mine_v = [v for v in vehicles if v["member_no"] in member_nos]
    mine_p = [p for p in properties if p["member_no"] in member_nos]
    for r in mine_v + mine_p:
        r["counted"], r["note"] = False, None
        if not _counted(r):
            r["note"] = "匹配待复核，暂不计入"
    held_v = _count_once([v for v in mine_v if _counted(v)], plate_key, "号牌", "车辆")
    held_p = _count_once([p for p in mine_p if _counted(p)],
                         lambda p: (p["member_no"], certificate_key(p)), "不动产权证号", "产权")
    counted_a = [a for a in accounts if _counted(a) and a["member_no"] in member_nos]
    for v in held_v:
        by_member[v["member_no"]].vehicles += 1
    _mark_joint(held_p)
    member_certs: dict = defaultdict(set)
    for p in held_p:
        member_certs[p["member_no"]].add(certificate_key(p))
        by_member[p["member_no"]].owned_area += owned_area(p)
    for m, certs in member_certs.items():
        by_member[m].properties = len(certs)
    for a in counted_a:
        by_member[a["member_no"]].financial_total += exact(a["balance"])
    return {
        "held_vehicles": held_v, "held_properties": held_p, "counted_accounts": counted_a,
        "vehicle_count": len(held_v),
        "property_count": len({certificate_key(p) for p in held_p}),
        "owned_area": fen(household_area(held_p)),   # an area rounds half-up as money does
        "financial_total": fen(sum((exact(a["balance"]) for a in counted_a), Decimal(0))),
        "financial_total_exact": sum((exact(a["balance"]) for a in counted_a), Decimal(0)),
        "by_member": [{"member_no": m.member_no, "vehicles": m.vehicles, "properties": m.properties,
                       "owned_area": fen(m.owned_area), "financial_total": fen(m.financial_total)}
                      for m in by_member.values()],
    }
