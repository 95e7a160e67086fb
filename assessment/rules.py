"""Programme rules: each takes a household's facts and yields findings.

A finding is (rule, severity, message, evidence). The outcome is advice to a caseworker,
never a decision: any `fail` → fail, else any `warn` → review, else pass.
"""

from __future__ import annotations

from functools import partial

from assessment.accounts import financial_if_confirmed, refused_could_be_newer
from assessment.application import application_checks, held_for_identity
from assessment.declared import declared
from assessment.employment import employment
from assessment.facts import SEVERITY_ORDER, Facts, finding, refused_cells
from assessment.figures import SELF_EMPLOYED_NOTE, WAGE_ITEMS, certificate_key, exact, exempt_vehicle, fen
from assessment.freshness import SOURCE_CN, data_findings
from assessment.material import WORKING_AGE_FROM
from assessment.judged import (INFORMATION_ONLY, NON_RESIDENTIAL, THRESHOLD_PROGRAMS, able_to_work, asset_limit, assets_per_capita,
                               counted_income, income_per_capita, income_standard, income_total_exact, out_of_work,
                               working_age, yuan)
from assessment.pending import judges_means, review_can_change, review_findings, unclaimed, unclaimed_assets
from connectors.schema import TABLES
from connectors.values.categories import parse_category
from connectors.values.consent import no_consent_words


def _child(m: dict) -> bool:
    """A member under the working age by a declared birth date, and one who can be a child (a 父母 born
    2015 is a typo)."""
    return (m.get("age") is not None and m["age"] < WORKING_AGE_FROM
            and m.get("relation") not in ("户主", "配偶", "父母", "祖父母"))


def common(f: Facts) -> list[dict]:
    out = application_checks(f)
    if f.unconfigured_county:
        out.append(finding("policy.county", "warn",
                           f"区县代码{f.unconfigured_county}不在核对政策的区县配置中，已按默认标准（低保{yuan(f.standard.dibao)}"
                           f"/人·月，{'城市' if f.standard.area == 'urban' else '农村'}）核对；请核实区县代码，"
                           "或在政策文件中配置该区县的标准"))
    # a programme that reads no one's means (医疗, 教育, 临时救助) loses nothing it judges on by a
    # member left unverified: said, not held (an independent-data probe's households went to review
    # for it, as the declared-income comparison already does not for these programmes)
    unverified, tail = ("warn", "") if judges_means(f.program) else ("info", INFORMATION_ONLY)
    for m in f.members:
        if not m["consent"] and not m["is_member"]:
            # a supporter is not counted anyway: what is missing is the check of their means
            out.append(finding("consent", unverified, f"{m['relation']}{m['name']}（序号{m['member_no']}）"
                                                      f"{no_consent_words(m.get('consent_ref'))}，"
                                                      "未经授权不予核对，无法判断其赡养（抚养、扶养）能力" + tail))
        elif not m["consent"]:
            out.append(finding("consent", unverified, f"成员{m['name']}（序号{m['member_no']}）"
                                                      f"{no_consent_words(m.get('consent_ref'))}，"
                                                      "未经授权不予核对，其收入和财产未计入" + tail))
        elif m["id_check"] == "invalid" and (found := _found_by_repair(m)):
            names_exact = all(_name_level(x) == "exact" for x in found)
            out.append(finding("id_check", "info",
                               f"成员{m['name']}的身份证号校验未通过，可能填写有误；其{len(found)}条部门记录的身份证号"
                               "与之仅差一位（一个数字或相邻两位颠倒）、"
                               + ("姓名一致，已自动关联核对，请更正申请表中的身份证号" if names_exact else
                                  "姓名同音或相近，已自动关联核对，请更正申请表中的身份证号，并核实姓名的写法")))
        elif m["id_check"] == "invalid" and not any(c.isdigit() for c in m.get("id_number_masked") or "0"):
            # a word where the number belongs (未办理, 待申报: a child without an ID yet) is no
            # typo to correct: the clerk is told what is missing and what it costs. A child under the
            # working age holds nothing back, nor does a programme that reads no means: an evaluator's
            # 12 eligible households waited for review on a preschooler's 未落户
            child = _child(m)
            severity = "warn" if judges_means(f.program) and not child else "info"
            out.append(finding("id_check", severity, f"成员{m['name']}（序号{m['member_no']}）未提供身份证号"
                                                     f"（申请表填写“{m['id_number_masked']}”），只能按姓名查找其部门记录，"
                                                     "核对结果可能不完整；请补充身份证号"
                                                     + ("（未满16周岁，仅供参考）" if child and severity == "info"
                                                        else "" if severity == "warn" else INFORMATION_ONLY)))
        elif m["id_check"] == "invalid":
            # a child's mistyped ID no more than a child's missing one (a fresh evaluator: 23 eligible
            # households held for children's typos, none of whom had a department row)
            child = _child(m)
            severity = "warn" if judges_means(f.program) and not child else "info"
            out.append(finding("id_check", severity, f"成员{m['name']}（序号{m['member_no']}）的身份证号校验未通过，"
                                                     "可能填写有误，只能按姓名查找其部门记录，核对结果可能不完整；"
                                                     "请对照户口簿或身份证更正申请表后重新提交"
                                                     + ("（未满16周岁，仅供参考）" if child and severity == "info"
                                                        else "" if severity == "warn" else INFORMATION_ONLY)))
    out += _self_employed(f) + data_findings(f) + _unsure_wages(f)
    if f.program in ("dibao", "tekun"):
        for m in f.household:
            for entry in m.get("other_rolls") or []:
                agency, household, program = entry.split("/", 2)
                label = {"dibao": "低保", "tekun": "特困"}.get(program, program)
                out.append(finding("rolls.elsewhere", "warn",
                                   f"成员{m['name']}同时在{agency}的{label}名册中（家庭{household}），请核实是否重复享受"))
    for m in f.household:
        for entry in m.get("other_requests") or []:
            agency, request, household = entry.split("/", 2)
            out.append(finding("member.elsewhere", "warn",
                               f"成员{m['name']}（序号{m['member_no']}）同时列在{agency}的申请{request}（家庭{household}）中，"
                               "请核实是否重复申请或重复列入"))
    return out + review_findings(f)


REPAIR_LEVELS = ("one_substitution", "adjacent_swap")
"""ID levels (`matching.comparisons`) at which an invalid ID is one slip from a valid one."""


def _found_by_repair(m: dict) -> list[dict]:
    """A member's counted links that reached rows whose ID the member's invalid ID is one slip from
    (the linker decides those only when no other person's ID is as near). Such rows say who the
    member is: their figures are as complete as anyone's, and the ID a clerk's slip to correct,
    not a reason to hold the outcome (an independent-data probe: 41 of 564 households that should
    pass went to review on this warning alone, all their rows linked)."""
    return [x for x in m.get("matches") or ()
            if x.get("decision") in ("auto", "confirmed")
            and any(w.get("field") == "id_number" and w.get("level") in REPAIR_LEVELS
                    for w in (x.get("evidence") or {}).get("weights") or ())]


def _name_level(match: dict) -> str | None:
    """The name's comparison level in a link's evidence: a note that says the name agrees must not
    say so of 闫新刚 found for 闫欣刚 (an application probe: the clerk was asked to correct the ID
    only)."""
    return next((w.get("level") for w in (match.get("evidence") or {}).get("weights") or ()
                 if w.get("field") == "name"), None)


def _self_employed(f: Facts) -> list[dict]:
    """A member paying social insurance as flexible employment in months without a counted wage:
    they work, and nothing here says for how much (the self-chosen base is not counted)."""
    names = {m["member_no"]: m["name"] for m in f.members}
    wage_months = {(r["member_no"], r["period"]) for r in f.income["records"]
                   if r.get("counted") and r.get("kind") == "tax_income" and r.get("item") in WAGE_ITEMS}
    rows: dict = {}
    for r in f.income["records"]:
        if r.get("note") == SELF_EMPLOYED_NOTE and (r["member_no"], r["period"]) not in wage_months:
            rows.setdefault(r["member_no"], []).append(r)
    # a programme that reads no wages (medical, education, housing, temporary relief) only shows it
    severity, tail = ("warn", "") if review_can_change(f.program, "social_insurance") else ("info", INFORMATION_ONLY)
    return [finding("income.self_employed", severity,
                    f"成员{names.get(m, m)}以灵活就业身份参保（{len({r['period'] for r in rs})}个月），"
                    "无税务工资记录可核其收入，需另行核实（缴费基数为本人自选，未计入收入）" + tail, rs)
            for m, rs in sorted(rows.items())]


def _unsure_wages(f: Facts) -> list[dict]:
    """Bases withheld for a month with a wage row under the member's name nobody could place
    (`figures.UNSURE_NOTE`): said, and a question when counting them would cross the standard."""
    held = [r for r in f.income["records"] if r.get("unsure_wage")]
    if not held:
        return []
    per_month = {}
    for r in held:
        per_month.setdefault((r["member_no"], r["period"]), r)
    withheld = sum((exact(r["amount"]) for r in per_month.values()), exact(0))
    with_bases = fen((income_total_exact(f) + withheld / int(f.params["window_months"])) / f.size)
    names = {m["member_no"]: m["name"] for m in f.members}
    who = "、".join(sorted({names.get(m, str(m)) for m, _ in per_month}))
    rows = sorted({r["unsure_wage"]["record_id"] for r in held})
    message = (f"{who}有{len(per_month)}个月的在职社保缴费基数（合计{yuan(withheld)}）未作为工资佐证：当月另有同名（或姓名仅差一字）、"
               f"无证件号的工资记录（{'、'.join(rows[:5])}{'等' if len(rows) > 5 else ''}）未能确认是否本人；"
               f"若按缴费基数计，人均月收入为{yuan(with_bases)}")
    crosses = False
    if f.program in THRESHOLD_PROGRAMS:
        std = income_standard(f)
        crosses = (income_per_capita(f) >= std) != (with_bases >= std)
        message += f"，跨越标准线{yuan(std)}，请核实这些工资记录是否本人的" if crosses else "，不改变与标准的比较结果"
    else:   # the figure is shown for information: the clerk still hears why it is lower (an outcome probe)
        message += INFORMATION_ONLY
    evidence = held + [{"source": "tax", "record_id": x} for x in rows]
    return [finding("income.wage_unsure", "warn" if crosses else "info", message, evidence)]


def _confirmed(rows: list[dict]) -> str:
    """What of a fail rests on matches a caseworker confirmed (a review probe's fail on 12 confirmed wage
    rows read as if the linker had found them itself)."""
    n = sum(1 for r in rows if r.get("decision") == "confirmed")
    return f"（其中{n}条记录经人工复核确认）" if n else ""


def dibao(f: Facts) -> list[dict]:
    out, std = [], f.standard.dibao
    per_capita = income_per_capita(f)
    if per_capita >= std:
        rows = counted_income(f)
        out.append(finding("dibao.income", "fail",
                           f"家庭人均月收入{yuan(per_capita)}，不低于低保标准{yuan(std)}{_confirmed(rows)}", rows))
    return out + _asset_rules(f, "dibao")


def _asset_rules(f: Facts, program: str) -> list[dict]:
    """The asset limit, vehicles and homes: 特困 is for people with less than 低保 households, and
    the policy sets no looser limit for it, so it is held to the same rules under its own names."""
    out = []
    limit = asset_limit(f)
    fin_pc = assets_per_capita(f)
    if fin_pc > limit:
        over = (f"家庭人均金融资产{yuan(fin_pc)}，超过{f.params['asset_multiplier']}倍月低保标准"
                f"（{yuan(limit)}）")
        # a newer balance waiting for review may be the one that counts: then the fail is a question
        # (an outcome probe's older statements over the limit failed households whose latest,
        # ID-less statement, 3,000, was a review link)
        mine = {m["member_no"] for m in f.household}
        waiting = any(a["decision"] == "review" and a["member_no"] in mine for a in f.assets["financial"])
        pending = fen(financial_if_confirmed(f.assets["financial"], mine) / f.size) if waiting else None
        # likewise a bank row of a member refused at load (a balance written 约1万元): it may be the
        # account's newer statement, and the older one counted in its place (another outcome probe)
        refused = [r for r in f.refused if r["source"] == "bank" and r["member_no"] in mine
                   and refused_could_be_newer(r, f.assets["financial"], f.request_date)]
        if pending is not None and pending <= limit:
            out.append(finding(f"{program}.financial_assets", "warn",
                               f"{over}；但有较新的余额待复核，如确认，人均为{yuan(pending)}，不超过标准，"
                               "请复核后再定", f.assets["financial"]))
        elif newer := [r for r in f.newer_balances if r["member_no"] in mine]:
            shown = "、".join(f"{r['record_id']}（{r['as_of_date']}，{yuan(r['balance'])}）" for r in newer[:5])
            out.append(finding(f"{program}.financial_assets", "warn",
                               f"{over}；但计入余额的账户有较新的余额记录未能确认归属（无身份证号或同名者多：{shown}），"
                               "计入的可能是已过时的余额，请核实后再定", [*f.assets["financial"], *newer]))
        elif refused:
            shown = "、".join(r.get("record_id") or f"{r['file']}第{r['row_number']}行" for r in refused[:5])
            out.append(finding(f"{program}.financial_assets", "warn",
                               f"{over}；但有{len(refused)}条银行记录因数据错误未能入库（{shown}），可能是较新的余额，"
                               "计入的可能是已过时的余额，请核实后再定", [*f.assets["financial"], *refused]))
        else:
            out.append(finding(f"{program}.financial_assets", "fail", over, f.assets["financial"]))
    held = partial(_held, f)
    exempt = set(f.params["exempt_vehicle_types"])
    for v in f.assets["held_vehicles"]:
        if not exempt_vehicle(v["vehicle_type"], exempt):
            out.append(held(f"{program}.vehicle", f"成员名下有非豁免机动车（{v['vehicle_type']} {v['plate_number']}）", [v]))
    homes = _by_certificate(p for p in f.assets["held_properties"] if p["usage"] == "住宅")
    if len(homes) > f.params["max_homes"]:
        out.append(held(f"{program}.homes", f"家庭拥有住宅{len(homes)}套，超过{f.params['max_homes']}套",
                        [p for rows in homes.values() for p in rows]))
    for rows in _by_certificate(p for p in f.assets["held_properties"] if p["usage"] in NON_RESIDENTIAL).values():
        p = rows[0]
        out.append(held(f"{program}.non_residential", f"成员名下有非住宅类不动产（{p['usage']}，{p['location']}）", rows))
    return out


def _held(f: Facts, rule: str, message: str, rows: list[dict]) -> dict:
    """A fail on vehicles or properties held; a question instead when one of its rows has a newer
    version refused at load (a re-export saying 转出 or 已注销 in a spelling not read): it may be held
    no more (a register probe's households failed on the old 正常 row, the newer one said nowhere)."""
    corrected = {(r["source"], r["record_id"]) for r in f.refused if r.get("corrects") and not _says_held(r)}
    if any((r["source"], r["record_id"]) in corrected for r in rows):
        return finding(rule, "warn", message + "；但该记录有更新的登记因数据错误未能入库（见数据问题），"
                       "可能已不再持有，请核实后再定", rows)
    if against := [c for r in rows for c in r.get("contradicted_by") or ()]:
        said = "、".join(f"记录{c['record_id']}（{c.get('status')}）" for c in against)
        return finding(rule, "warn", message + f"；但同一登记日期另有{said}称已不再持有，两条登记相互矛盾，"
                       "请向登记机关核实后再定", [*rows, *against])
    return finding(rule, "fail", message, rows)


_HELD = {"vehicle": ("正常", "查封"), "property": ("现势", "查封", "抵押")}


def _says_held(refused: dict) -> bool:
    """A refused row whose own status says the vehicle or property is still held (a car re-sent
    正常 with its price written 约8万): it leaves the fail on the older row standing (an
    adversarial probe read "可能已不再持有" beside it)."""
    if refused["source"] not in _HELD:
        return False
    try:
        status = parse_category(refused_cells(refused).get("status"), TABLES[refused["source"]].field("status"))
    except (ValueError, TypeError):
        return False
    return status in _HELD[refused["source"]]


def _by_certificate(properties) -> dict:
    """Held property rows grouped by certificate: co-owners in one household own one property."""
    out: dict = {}
    for p in properties:
        out.setdefault(certificate_key(p), []).append(p)
    return out


def tekun(f: Facts) -> list[dict]:
    out, std = [], f.standard.tekun
    per_capita = income_per_capita(f)
    # the same test as 低保 (not below the standard fails): at exactly 816.40 a 低保 household
    # failed and a 特困 one passed
    if per_capita >= std:
        rows = counted_income(f)
        out.append(finding("tekun.income", "fail",
                           f"人均月收入{yuan(per_capita)}，不低于特困供养标准{yuan(std)}{_confirmed(rows)}", rows))
    out += _asset_rules(f, "tekun")
    out += _tekun_condition(f)
    line = f.params["supporter_income_multiple"] * f.standard.dibao
    multiple = f.params.get("supporter_asset_multiple")
    asset_line = float(multiple) * f.standard.dibao if multiple is not None else None
    for s in f.supporters:
        means, evidence = [], []
        if s["monthly_income"] > line:
            means.append(f"月收入{yuan(s['monthly_income'])}，超过{yuan(line)}"
                         f"（{f.params['supporter_income_multiple']:g}倍月低保标准）")
            evidence += s.get("evidence", [])
        if asset_line is not None and (s.get("financial_total") or 0.0) > asset_line:
            means.append(f"金融资产{yuan(s['financial_total'])}，超过{yuan(asset_line)}（{float(multiple):g}倍月低保标准）")
            evidence += s.get("asset_evidence", [])
        if means:
            out.append(finding("tekun.supporter", "warn",
                               f"法定赡养（抚养、扶养）人{s['name']}{'；'.join(means)}，具备赡养能力，"
                               "请核实赡养义务履行情况", evidence))
    return out


def _tekun_condition(f: Facts) -> list[dict]:
    """特困 is for the old, the young and those unable to work. The capacity and disability on an
    application may be years old, so a member who seems able to work is a question (warn), not a
    refusal."""
    out = []
    severe = set(f.params["no_labor_disability_grades"])
    lo, hi = f.params["working_age_from"], f.params["working_age_until"]
    for m in f.household:
        capacity, grade = m.get("labor_capacity"), m.get("disability_grade")
        # a working-age member whose capacity the application leaves blank passed with nothing said
        # (a rules probe): the field is optional, so it is said for information, not held
        unstated = capacity is None or not str(capacity).strip()
        if working_age(f, m) and (capacity in ("有", "部分") or unstated) and grade not in severe:
            said = "申请未填写劳动能力" if unstated else f"劳动能力为“{capacity}”"
            out.append(finding("tekun.labor_capacity", "info" if unstated else "warn",
                               f"成员{m['name']}，{m['age']}岁（劳动年龄为{lo}至{hi - 1}岁），{said}"
                               + (f"，残疾等级{grade}" if grade else "，无残疾等级")
                               + ("，请核实是否丧失劳动能力、符合特困人员条件" if unstated
                                  else "，不属于老年人、未成年人或丧失劳动能力人员，请核实是否符合特困人员条件")))
    return out


def housing(f: Facts) -> list[dict]:
    homes = _by_certificate(p for p in f.assets["held_properties"] if p["usage"] == "住宅")
    if homes:
        # only a household already receiving aid can exit; an applicant has nothing to exit from
        verdict = "按住房保障规定应退出" if f.origin == "rolls" else "不符合住房救助条件"
        return [_held(f, "housing.owns_home", f"家庭现拥有住宅{len(homes)}套，{verdict}",
                      [p for rows in homes.values() for p in rows])]
    return []


def entitled_by_rolls(f: Facts) -> list[dict]:
    out = []
    for m in f.household:
        progs = m.get("on_rolls_programs") or []
        if progs:
            label = "、".join({"dibao": "低保", "tekun": "特困"}[p] for p in progs)
            out.append(finding("rolls.entitled", "info", f"成员{m['name']}在{label}名册中，依规享受{_program_cn(f.program)}"))
    return out


def _program_cn(p: str) -> str:
    return {"medical": "医疗救助", "education": "教育救助"}.get(p, "救助")


PROGRAM_RULES = {
    "dibao": (dibao, unclaimed, unclaimed_assets),
    "tekun": (tekun, unclaimed, unclaimed_assets),
    "housing": (housing, unclaimed_assets),
    "employment": (employment,),
    "medical": (entitled_by_rolls,),
    "education": (entitled_by_rolls,),
    "temporary": (),
}


def evaluate(f: Facts) -> tuple[list[dict], str]:
    """All findings for the household's programme and the advised outcome."""
    findings = held_for_identity(f, common(f) + [x for rule in PROGRAM_RULES.get(f.program, ()) for x in rule(f)]
                                 + declared(f))
    worst = max((SEVERITY_ORDER[x["severity"]] for x in findings), default=0)
    return findings, {0: "pass", 1: "review", 2: "fail"}[worst]
