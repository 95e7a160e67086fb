"""就业救助 (employment assistance): who of the household is able to work and out of work."""

from __future__ import annotations

from assessment.facts import Facts, finding
from assessment.freshness import SOURCE_CN
from assessment.judged import able_to_work, out_of_work, working_age


def employment(f: Facts) -> list[dict]:
    """就业救助 is for members able to work and out of work: finding them is the request's premise
    (info), finding none is what a caseworker must look into (warn)."""
    able, idle = able_to_work(f), out_of_work(f)
    months = f.params["employment_months"]
    # which months "recent" means when a department has not exported the newest ones yet
    through = "".join(f"（{SOURCE_CN[s]}数据截至{d.year}年{d.month}月，按其已交付的近{months}个月判断）"
                      for s, d in sorted(f.employment_through.items()))
    # a pending wage or contribution of an idle member may yet show work (a programmes probe read
    # "符合就业救助对象条件" beside the warning that held the outcome for such a row)
    pending = "（另有待复核记录，确认后可能改变此结论）" if any(
        ln["member_no"] in {m["member_no"] for m in idle} for ln in f.review_links) else ""
    # a member outside `able` (labour 无) who works still employs the household (a rules probe)
    working = [m for m in f.household if m["consent"] and f.recent_employment.get(m["member_no"])]
    # a working-age member not verified (no consent) may be the one who works: "零就业家庭" is then
    # not known (a traceability probe's spouse without consent had wage rows in the tax export)
    unverified = [m for m in f.household if not m["consent"] and working_age(f, m)
                  and m.get("labor_capacity") not in ("无",)]
    if able and len(idle) == len(able) and not working and unverified:
        return [finding("employment.zero_employment", "info",
                        f"已核对的{len(able)}名有劳动能力的劳动年龄成员近{months}个月均无工作收入（工资、劳务报酬、经营所得）或社保缴费记录{through}{pending}；"
                        f"{'、'.join(m['name'] for m in unverified)}未经授权未核对，是否零就业家庭无法确定")]
    if able and len(idle) == len(able) and not working:
        return [finding("employment.zero_employment", "info",
                        f"零就业家庭：{len(able)}名有劳动能力的劳动年龄成员近{months}个月均无工作收入（工资、劳务报酬、经营所得）或社保缴费记录{through}，"
                        f"符合就业救助对象条件{pending}，请转介就业服务机构")]
    if idle:
        return [finding("employment.unemployed_members", "info",
                        f"{'、'.join(m['name'] for m in idle)}有劳动能力，近{months}个月无工作收入（工资、劳务报酬、经营所得）或社保缴费记录{through}{pending}"
                        + (f"；{'、'.join(m['name'] for m in working)}有工作收入或缴费记录，不属于零就业家庭" if len(idle) == len(able) else ""))]
    evidence = [r for m in able for r in f.employment_evidence.get(m["member_no"], [])]
    # working-age members left out of `able` for want of a consent or a stated capacity are not
    # "unable to work": an employment probe's clerk read that of a 35-year-old never verified
    unread = [m for m in f.household if working_age(f, m) and m.get("labor_capacity") not in ("无",)
              and (not m["consent"] or not str(m.get("labor_capacity") or "").strip())]
    why = "；".join(f"{m['name']}{'未授权核对' if not m['consent'] else '申请未填写劳动能力'}" for m in unread)
    none = ("家庭中没有经核实有劳动能力的劳动年龄成员（" + why + "，无法判断其就业情况）") if unread \
        else "家庭中没有有劳动能力的劳动年龄成员"
    # a member stated unable to work who has work: the contradiction is the news (a programmes probe's
    # 40-year-old, 劳动能力 无 and a 3,000 wage, read only "no member able to work")
    stated_unable = [m for m in f.household if m["consent"] and m.get("labor_capacity") == "无"
                     and f.recent_employment.get(m["member_no"])]
    contradiction = "".join(f"；{m['name']}申请填写无劳动能力，但近{months}个月有工作收入或社保缴费记录（见所列记录），请核实其劳动能力"
                            for m in stated_unable)
    evidence += [r for m in stated_unable for r in f.employment_evidence.get(m["member_no"], [])]
    return [finding("employment.no_unemployed_member", "warn",
                    ("有劳动能力的劳动年龄成员近" + str(months) + "个月均有工作收入（工资、劳务报酬或经营所得）或社保缴费记录" if able
                     else none) + contradiction + "，请核实就业救助需求", evidence)]
