"""Checks of the application itself and of what the departments' refused rows leave out: rows
refused at load that carry a member's ID, two members on one ID number, a household without a
head, and declared birth dates and genders that the members' own ID numbers contradict."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from assessment.accounts import refused_balance_date
from assessment.facts import PROGRAM_LABELS, Facts, finding, refused_cells
from assessment.figures import certificate_key, exact, exempt_vehicle, fen
from assessment.judged import (INFORMATION_ONLY, THRESHOLD_PROGRAMS, asset_limit, assets_per_capita, assets_total_exact,
                               yuan)
from assessment.pending import review_can_change
from connectors.csv_tail import is_cut_row
from connectors.schema import TABLES
from connectors.values.categories import parse_category
from connectors.values.idnumber import birth_dates_differ, mask_id

REFUSED_SHOWN = 5
"""Refused rows named in the finding's message (all of them are its evidence)."""
_SOURCE_WORDS = {"tax": "税务", "social_insurance": "社保", "vehicle": "车辆", "property": "不动产", "bank": "金融"}


_OTHER_SHEET = re.compile(r"on sheet '(.+?)'(?: \(hidden in Excel\))?, its data row \d+: not read\. A workbook's "
                          r"table is read from its first "
                          r"sheet, '(.+?)'( \(a hidden sheet)?")
"""`connectors.source.UNREAD_SHEET`, read back."""


def _cell_words(source: str, cell: dict) -> str:
    """A refused cell in a caseworker's words: the column as the department heads it and what was
    written (a report probe's clerks read `income_amount：'约8万' is not an amount of money;
    accepted: …`, meant for the data clerk, whose error list keeps it)."""
    field, raw = cell.get("field"), cell.get("raw")
    if is_cut_row(field, cell.get("reason")):
        return "该行位于文件末尾，传输中被截断，未能完整读取"   # the row's text is no one cell to quote
    reason = str(cell.get("reason") or "")
    if not field and (sheets := _OTHER_SHEET.match(reason)):   # a bank probe's report said 部分字段为空或无法读取
        return (f"该行在工作表“{sheets[1]}”上，而只读取工作簿的第一个工作表“{sheets[2]}”"
                + ("（该表在Excel中被隐藏）" if sheets[3] else "") + "，未能入库")
    if not field and "holds bytes that are not valid" in reason:   # not "部分字段填写为“****”" (a probe)
        return "该行文字在传输中损坏（含无法识别的字节），未能读取"
    if not field and "twice, under the keys" in reason:   # the line as a whole: no one cell to quote
        return "该行以两个列名给出同一字段的不同值，无法判断以哪个为准"
    try:
        label = TABLES[source].field(field).aliases[0]
    except (KeyError, IndexError, AttributeError, TypeError, ValueError):
        label = "部分字段" if not field else field
    if raw in (None, ""):
        return f"{label}为空或无法读取"
    raw = str(raw)
    if sum(c.isdigit() for c in raw) >= 15:   # an ID typed into the cell: never shown in full
        raw = mask_id(raw)
    raw = raw if len(raw) <= 20 else raw[:20] + "…"
    why = next((words for key, words in _WHY if key in reason), "无法识别")
    return f"{label}填写为“{raw}”，{why}"


_WHY = (("more than 2 decimals", "小数超过两位（金额应精确到分）"), ("is negative", "为负数"),
        ("too large", "数额超出范围"), ("not a plausible", "日期不在可接受的范围内（过早，或晚于核对日期一个月以上）"),
        ("accepted currency", "不是人民币，余额须按人民币报送"),
        ("must be a positive area", "面积应大于0且小于10万平方米"),
        ("must be a fraction above 0", "共有份额应大于0且不超过1（或填写单独所有）"),
        ("must be a whole number from 1 to 99", "成员序号应为1至99的整数"),
        ("appears more than once in this file", "该记录编号在文件中出现多次且内容不同，无法判断以哪个为准"))
"""What a refused cell's reason says, in words a caseworker reads (a bank probe's 1234.567 was said
to be unreadable; the data clerk's error list said it had a third decimal)."""


def _could_change(f: Facts, refused: dict) -> bool:
    """Whether a refused row could change a finding of the programme: not a home (by its own usage
    cell) that would leave the household within `max_homes`, nor a vehicle of an exempt kind (a
    fresh-evaluator probe's 特困 household without a home was held for its one refused home row)."""
    if not review_can_change(f.program, refused["source"]):
        return False
    if refused["source"] == "bank" and f.request_date is not None:
        # a statement dated after the request is no balance the figures read, refused or not (a
        # dates probe's balance dated seven weeks on held an eligible household for review)
        day = refused_balance_date(refused)
        if day is not None and day > f.request_date:
            return False
    if refused["source"] not in ("property", "vehicle") or f.program not in THRESHOLD_PROGRAMS:
        return True
    cells = refused_cells(refused)
    if refused["source"] == "vehicle":
        return not cells.get("vehicle_type") or not exempt_vehicle(cells["vehicle_type"],
                                                                  set(f.params["exempt_vehicle_types"]))
    try:
        usage = parse_category(cells.get("usage"), TABLES["property"].field("usage"))
    except (ValueError, TypeError):
        return True
    homes = {certificate_key(p) for p in f.assets["held_properties"] if p["usage"] == "住宅"}
    return usage != "住宅" or len(homes) + 1 > int(f.params["max_homes"])


def _refused(f: Facts) -> list[dict]:
    """A department row carrying a member's ID that was refused at load for a bad cell (a price
    written 约8万, a month-only date) holds income or an asset no figure includes: an ingestion
    probe's household passed without the car its vehicle row held. The report says which rows,
    why, and that the department should correct and resend them."""
    if not f.refused:
        return []
    by_member: dict = {}
    for r in f.refused:
        by_member.setdefault((r["member_no"], r["name"]), []).append(r)
    out = []
    for (no, name), rows in sorted(by_member.items()):
        shown = "；".join(f"{_SOURCE_WORDS.get(r['source'], r['source'])}文件{PurePosixPath(str(r['file'])).name}"
                         f"第{r['row_number']}行" + (f"（记录{r['record_id']}）" if r.get("record_id") else "") + "："
                         + ("、".join(_cell_words(r["source"], c) for c in r.get("cells") or [])
                            or "数据不符合规范")
                         for r in rows[:REFUSED_SHOWN])
        more = "等" if len(rows) > REFUSED_SHOWN else ""   # 有12条…：A；B；…等 (an income probe read 有等12条)
        # held only where such a row could change a finding: 医疗 and 教育 read no means, 住房 only
        # homes (a report probe's refused wage row held a 临时救助 household its linked rows did not)
        matters = any(_could_change(f, r) for r in rows)
        # a row the programme reads but that could not turn its outcome is said so, not "not judged on"
        # (an assets probe's refused home row, within max_homes, read 本救助项目不据此核定 of 低保)
        tail = ("" if matters else "；即使计入也不改变核对结果，仅供参考"
                if any(review_can_change(f.program, r["source"]) for r in rows) else "；本救助项目不据此核定，仅供参考")
        out.append(finding("data.refused", "warn" if matters else "info",
                           f"成员{name}（序号{no}）有{len(rows)}条部门记录含其身份证号，但因数据错误未能入库，"
                           f"其中的收入或财产未计入：{shown}{more}。请核实，或请部门更正后重新报送"
                           "（错误明细见该文件的数据错误清单）" + tail,
                           [{"source": r["source"], "record_id": r.get("record_id")} for r in rows]))
    return out


def _shared_ids(f: Facts) -> list[dict]:
    """Two members of the household on one ID number: at most one of them owns it, and the
    other's own records — under their own ID — were looked for under the wrong one."""
    by_id: dict = {}
    for m in f.household:
        if m["consent"] and m["id_check"] != "invalid" and m.get("id_number"):
            by_id.setdefault(m["id_number"], []).append(m)
    out = []
    for same in by_id.values():
        if len(same) > 1:
            names = "、".join(f"{m['name']}（序号{m['member_no']}）" for m in same)
            out.append(finding("id_check.shared", "warn",
                               f"成员{names}的身份证号相同（{same[0]['id_number_masked']}），至少一人填写有误："
                               "其中非本人的成员，其收入和财产未能按本人身份证号核对，可能未计入；请核实后更正申请"))
    return out


def _no_head(f: Facts) -> list[dict]:
    """A household without a 户主 row: its area (urban or rural standard) is read from the head's
    address, so from another member's instead (an agency-request probe's households said
    "户主住址含'社区'" with no head at all)."""
    if not f.household:
        # only supporters listed: there is nobody to verify the aid for, and a pass on no member's
        # means reads as a household checked (a degenerate-data probe's 特困 of one 赡养人 passed)
        return [finding("household.no_members", "warn",
                        "申请只列有赡养（抚养、扶养）人，没有家庭成员，无从核对家庭的收入和财产；请补充申请人本人及共同生活的家庭成员后重新报送")
                if f.members else finding("household.no_members", "warn", "申请没有任何成员行，请补充后重新报送")]
    heads = [m for m in f.household if m["relation"] == "户主"]
    out = []
    if len(heads) > 1:
        # two heads: the area was the first row's head's, so the row order decided the standard (a request
        # probe's household with a head in a village and another in a 街道 swung ¥132 a person)
        named = "、".join(f"{m['name']}（序号{m['member_no']}）" for m in heads)
        out.append(finding("household.two_heads", "warn",
                           f"家庭有{len(heads)}名成员登记为户主：{named}；城乡标准按{heads[0]['name']}的住址判断。"
                           "请核实户主并更正申请表"))
    elif not heads:
        first = f.household[0]
        out.append(finding("household.no_head", "warn",
                           f"家庭没有户主行，城乡标准改按成员{first['name']}（序号{first['member_no']}）的住址判断；"
                           "请核实并补充户主信息"))
    carried = [m for m in f.members if m.get("carried_over")]
    if carried:
        named = "、".join(f"{m['name']}（序号{m['member_no']}）" for m in carried)
        out.append(finding("household.members_carried", "info",
                           f"最近一次报送的申请未再列出成员{named}，仍按此前报送的信息一并核对；如其已不在户内，"
                           "请重新报送该户完整的成员名单（户主及全部在户成员）"))
    numbers = sorted({m["member_no"] for m in f.members if isinstance(m.get("member_no"), int)})
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        # the contract numbers members 1..n: a gap is most often a member's row gone missing, whose
        # income would be missing too (a request probe's 1, 2, 3, 7 was answered without a word)
        out.append(finding("household.member_numbers", "info",
                           f"成员序号不连续（{'、'.join(str(n) for n in numbers)}），可能缺少成员行；"
                           "请核实申请表是否完整"))
    return out


def _supporters_unjudged(f: Facts) -> list[dict]:
    """Supporters (赡养人 …) listed for a programme that does not judge them: only 特困 weighs a
    supporter's means. A rules probe's 低保 supporters with 8,000 a month and ¥500,000 were listed,
    not counted, and nothing said why, nor that the programme might be mistyped."""
    names = [f"{m['name']}（序号{m['member_no']}）" for m in f.members if not m["is_member"]]
    if f.program == "tekun" or not names:
        return []
    return [finding("household.supporter_not_judged", "info",
                    f"申请列有赡养（抚养、扶养）人{'、'.join(names)}：{PROGRAM_LABELS.get(f.program, f.program)}"
                    "不核算赡养人的赡养能力，其收入和财产不计入家庭；如申请项目应为特困供养，请更正后重新报送")]


def _mixed_rows(f: Facts) -> list[dict]:
    """Members whose rows name another programme or county than the household is assessed under
    (its first member's): the programme decides the rules, the county the standard, and the other
    rows' were silently set aside (an inbox probe: member 2 filed for 特困 in 140106, the household
    assessed for 低保 in 140105 and passed without a word)."""
    other = [m for m in f.household + [m for m in f.members if not m.get("is_member", True)]
             if (m.get("program") and m["program"] != f.program)
             or (m.get("county_code") and f.county_code and m["county_code"] != f.county_code)]
    if not other:
        return []
    said = "、".join(f"成员{m['name']}（序号{m['member_no']}）填写{PROGRAM_LABELS.get(m.get('program'), m.get('program'))}"
                    f"（区县{m.get('county_code')}）" for m in other)
    return [finding("household.mixed_rows", "warn",
                    f"同一家庭的成员行救助类别或区县不一致：{said}；本次按"
                    f"{PROGRAM_LABELS.get(f.program, f.program)}（区县{f.county_code}）核对。请核实申请表")]


def _same_day_balances(f: Facts) -> list[dict]:
    """One account, one date, two balances: which is right is for the bank to say. The smaller
    counts (`evidence.accounts_sql`), and the outcome waits for a caseworker only where the larger
    could change it: a 低保 or 特困 household's per-capita assets crossing the asset limit with every
    such account at its larger balance, or a supporter's balance (judged against the supporter line).
    Otherwise it is said for information (a programmes probe: 医疗, 教育 and 临时 households, judged
    on no asset limit, waited for review on 400 beside 600,000)."""
    names = {m["member_no"]: m["name"] for m in f.members}
    supporters = {m["member_no"] for m in f.members if not m["is_member"]}
    accounts = [a for a in f.assets.get("financial") or []
                if a.get("same_day") and a["decision"] in ("auto", "confirmed")]
    if not accounts:
        return []
    extra = sum(exact(max(r["balance"] for r in a["same_day"])) - exact(a["same_day"][0]["balance"])
                for a in accounts if a["member_no"] not in supporters)
    limit = asset_limit(f)
    most = fen((assets_total_exact(f) + extra) / f.size)
    crosses = assets_per_capita(f) <= limit < most
    out = []
    for a in accounts:
        rows = a["same_day"]
        # a balance re-exported under a new record_id is one balance (a month-of-life probe read
        # "3个不同余额：12,000.00元、20,000.00元、20,000.00元")
        by_balance: dict = {}
        for r in rows:
            by_balance.setdefault(r["balance"], []).append(str(r["record_id"]))
        shown = "、".join(f"{b:,.2f}元（记录{'、'.join(ids)}）" for b, ids in by_balance.items())
        tail = str(a.get("account_number") or "")[-4:]
        message = (f"成员{names.get(a['member_no'], '')}（序号{a['member_no']}）在{a['institution']}的账户（尾号{tail}）"
                   f"{a['as_of_date']}有{len(by_balance)}个不同余额：{shown}；已按较小的{rows[0]['balance']:,.2f}元计入，"
                   "请向银行核实")
        if f.program not in THRESHOLD_PROGRAMS:
            severity, message = "info", message + INFORMATION_ONLY
        elif (a["member_no"] in supporters and f.program == "tekun") or crosses:
            severity = "warn"
        elif a["member_no"] in supporters:
            severity, message = "info", message + "；赡养（抚养、扶养）人的余额本救助项目不据此核定，仅供参考"
        else:
            severity = "info"
            message += (f"；按较大余额计，家庭人均金融资产{yuan(most)}，"
                        f"{'已按较小余额超过' if assets_per_capita(f) > limit else '仍不超过'}资产上限{yuan(limit)}，"
                        "不改变核对结果，仅供参考")
        out.append(finding("bank.same_day_balances", severity, message,
                           [{"source": "bank", "record_id": r["record_id"]} for r in rows]))
    return out


def application_checks(f: Facts) -> list[dict]:
    """Findings about the household's rows as filed and as refused (see the module)."""
    return (_rolls_held(f) + _refused(f) + _shared_ids(f) + _born_later(f) + _no_head(f) + _same_day_balances(f)
            + _mixed_rows(f) + _supporters_unjudged(f))


def _born_later(f: Facts) -> list[dict]:
    """An ID whose birth date is after the request date (valid by its check character on the day the
    pass runs): a degenerate-data probe's member was "-1岁", and her car failed the household."""
    return [finding("id_check.born_later", "warn",
                    f"成员{m['name']}（序号{m['member_no']}）的身份证号所载出生日期{m['id_birth_date']}晚于申请日期"
                    f"{f.request_date}，证件号可能填写有误；请对照户口簿或身份证更正后重新提交")
            for m in f.household if _born_after(m, f.request_date)]


def _born_after(m: dict, day) -> bool:
    return bool(day and m.get("id_birth_date") and m.get("id_check") != "invalid" and m["id_birth_date"] > day)


def _rolls_held(f: Facts) -> list[dict]:
    """A household the latest rolls snapshot sent with rejected rows is verified as the previous one
    listed it: its report said 通过 and nothing else while alerts.csv said it was held (a README
    probe), and a caseworker reads the report."""
    if not f.rolls_rows_held:
        return []
    return [finding("rolls.held", "warn",
                    f"最新一版救助名册中该家庭有{f.rolls_rows_held}行未通过检查（错误清单见 rejected/rolls/），"
                    "本报告按上一版名册的家庭成员和信息核对，可能已不是家庭现状；请核实名册，更正后重新报送")]


def _declared_against_id(f: Facts, declared_key: str, id_key: str, rule: str, what: str, tail) -> list[dict]:
    """Members whose declared `declared_key` a valid (or upgraded legacy) ID number's `id_key`
    contradicts: one of the two records is wrong. An invalid ID proves nothing: the declared value
    stands, with no finding (the ID itself is one: `id_check`)."""
    out = []
    for m in f.members:
        stated, on_id = m.get(declared_key), m.get(id_key)
        if m["id_check"] != "invalid" and stated and on_id and stated != on_id:
            if declared_key == "birth_date":   # never both dates in full: they are the masked digits of the ID
                how = f"（{birth_dates_differ(stated, on_id)}）"
            else:
                how = f"{stated}与身份证号所载{what}{on_id}"
            out.append(finding(rule, "warn", f"成员{m['name']}（序号{m['member_no']}）申报{what}" +
                               (f"与身份证号所载{what}不符{how}" if declared_key == "birth_date" else f"{how}不符") +
                               f"，{tail(m)}，请核实"))
    return out


def declared_person(f: Facts) -> list[dict]:
    """The application against its own ID numbers. A declared birth date: the age shown and judged
    is the ID's, but a caseworker must know which record is wrong before the age decides a 特困
    or working-age question. A declared gender: often the row carries another person's ID (a
    wife's row with her husband's ID declared 女 beside a male ID: an applicant-side probe's rows
    went unwarned)."""
    return (_declared_against_id(f, "birth_date", "id_birth_date", "declared.birth_date", "出生日期",
                                 lambda m: "年龄按身份证号计算" + (f"（{m['age']}岁）" if m.get("age") is not None else ""))
            + _declared_against_id(f, "declared_gender", "id_gender", "declared.gender", "性别",
                                   lambda m: "可能填写了他人的身份证号"))


ID_DOUBT_YEARS = 2
"""A declared birth year this far from the ID number's is no typo of a day or a digit: the ID on
the application may be another person's (a son's of the same name, a spouse's)."""


def _year(value) -> int | None:
    text = str(value or "")[:4]
    return int(text) if text.isdigit() else None


def _doubted_ids(f: Facts) -> dict[int, str]:
    """member_no -> why the member's ID number may be another person's."""
    out = {}
    for m in f.household:
        if m.get("id_check") == "invalid":
            continue
        stated, on_id = _year(m.get("birth_date")), _year(m.get("id_birth_date"))
        if _born_after(m, f.request_date):
            out[m["member_no"]] = f"身份证号所载出生日期{m['id_birth_date']}晚于申请日期"
        elif stated and on_id and abs(stated - on_id) >= ID_DOUBT_YEARS:
            out[m["member_no"]] = f"申报{stated}年出生，身份证号所载为{on_id}年"
        elif m.get("declared_gender") and m.get("id_gender") and m["declared_gender"] != m["id_gender"]:
            out[m["member_no"]] = f"申报性别{m['declared_gender']}，身份证号所载为{m['id_gender']}"
    return out


def held_for_identity(f: Facts, findings: list[dict]) -> list[dict]:
    """A `fail` resting on records found by a member's ID that their own application contradicts
    is a question, not a refusal: a linkage probe's 特困 father, born 1950, applied with his
    namesake son's ID (born 1977) and failed on the son's wages, his own pension unlinked. The
    finding keeps its figures and says whose identity to settle first (warn)."""
    doubted = _doubted_ids(f)
    if not doubted:
        return findings
    owner = {(r["source"], r["record_id"]): r["member_no"]
             for key in ("held_vehicles", "held_properties", "financial")
             for r in f.assets.get(key) or () if "member_no" in r}
    owner.update({(r["source"], r["record_id"]): r["member_no"] for r in f.income.get("records") or ()})
    names = {m["member_no"]: m["name"] for m in f.members}
    out = []
    for x in findings:
        whose = sorted({owner.get((e["source"], e["record_id"])) for e in x["evidence"]} & doubted.keys())
        if x["severity"] == "fail" and whose:
            why = "；".join(f"{names[n]}{doubted[n]}" for n in whose)
            x = {**x, "severity": "warn", "message": x["message"] + f"。但其中记录系按申请所填身份证号找到，而{why}，"
                 "该证件号可能为他人所有：请先核实身份再作结论"}
        out.append(x)
    return out
