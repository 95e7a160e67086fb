"""Findings about what no figure holds yet: records waiting for a caseworker's answer (`match.review`)
and income rows the linker could give to nobody (`match.unclaimed`). Each is a question only
where its answer could change the outcome of the household's programme."""

from __future__ import annotations

from decimal import Decimal

from assessment.facts import Facts, finding
from assessment.accounts import financial_if_confirmed
from assessment.figures import (COUNTED_DECISIONS, certificate_key, exact, exempt_vehicle, fen, plate_key,
                                self_employed)
from assessment.material import WAGES_UNLIKELY_FROM
from assessment.judged import (NON_RESIDENTIAL, THRESHOLD_PROGRAMS, asset_limit, assets_total_exact,
                               income_per_capita, income_standard, income_total_exact, out_of_work, yuan)

SOURCES_READ = {"housing": ("property",), "employment": ("tax", "social_insurance")}
"""For the programmes not judged on income and assets: the sources whose records a rule of theirs
reads (homes; wages and contributions as signs of work). A review link to any other source
cannot change such a household's outcome, so it does not hold it: an independent-data probe's
medical, education and temporary-relief households (59 of 1,012) went to review for a deposit or
a wage row that their programme only shows for information."""


def judges_means(program: str) -> bool:
    """Whether any rule of `program` reads a member's income or assets (so that a member left
    unverified leaves it something to judge without)."""
    return program in THRESHOLD_PROGRAMS or program in SOURCES_READ


def review_can_change(program: str, source: str) -> bool:
    """Whether confirming a record of `source` could change a finding of `program`'s rules."""
    return program in THRESHOLD_PROGRAMS or source in SOURCES_READ.get(program, ())


def review_findings(f: Facts) -> list[dict]:
    """`match.review`: a warning (the outcome waits) for the pending links whose confirmation could
    change a finding, a note for the others."""
    out = []
    held, shown = _held_links(f)
    why = "不在核对期内、不计入收入、非最新余额，或本救助项目不据此核定"
    info = f"；另有{len(shown)}条待复核记录不影响核对结果（{why}），仅供参考" if shown else ""
    bound = _most_confirming_adds(f) if held else None
    if bound:
        # confirming every one of them could not cross the standard or the limit: shown, not held
        out.append(finding("match.review", "info",
                           f"{len(held)}条部门记录与成员的匹配待复核；{bound}，不改变核对结果，仅供参考" + info,
                           held + shown))
    elif held:
        stakes = _stakes(f, held)
        out.append(finding("match.review", "warn",
                           f"{len(held)}条部门记录与成员的匹配不确定，待人工复核后计入"
                           + (f"（如全部确认：{stakes}）" if stakes else "") + info, held))
    elif shown:
        # confirming them would change no figure and no finding: no reason to hold the outcome
        out.append(finding("match.review", "info",
                           f"{len(shown)}条部门记录与成员的匹配待复核，但不影响核对结果（{why}），仅供参考", shown))
    return out


def _held_links(f: Facts) -> tuple[list[dict], list[dict]]:
    """(the pending links that hold the outcome, those only shown). For 就业救助 a record can only
    change whether a member able to work is out of work: a member who already shows work, or is not
    one the programme asks about, gains nothing to judge from another wage. An independent-data
    probe's employment households went to review for a 劳务报酬 row of a member with counted work
    beside it, their unemployed member already found."""
    if f.program != "employment":
        return f.review_links, f.review_links_info
    idle = {m["member_no"] for m in out_of_work(f)}
    held = [ln for ln in f.review_links if ln["member_no"] in idle]
    return held, f.review_links_info + [ln for ln in f.review_links if ln["member_no"] not in idle]


def _most_confirming_adds(f: Facts) -> str | None:
    """For 低保 and 特困, when confirming every pending link could not cross the income standard or
    the asset limit: the figures it would give at most, in words; else None.

    Only a member's income row (a wage, a benefit, an employer's contribution whose base may stand
    in for a wage) or latest balance is bounded so: confirmed, each adds at most its amount (a wage
    may replace a base standing in for it, a newer balance an older one: less, never more). A
    contribution paid as flexible employment (`income.self_employed`) or before any tax export
    (`income.wage_unverified`), a vehicle, a property or a supporter's record could change another
    finding, and is held. An
    independent-data probe's 65 of 564 households that should pass went to review for a row that
    could not have moved them over the standard."""
    if f.program not in THRESHOLD_PROGRAMS:
        return None
    mine = {m["member_no"] for m in f.household}
    if any(ln["member_no"] not in mine for ln in f.review_links):
        return None
    more_income, more_assets, bounded = _confirmed_adds(f, f.review_links)
    if not bounded:
        return None
    income_pc, assets_pc = _per_head_if(f, more_income, more_assets)
    if income_pc >= income_standard(f) or assets_pc > asset_limit(f):
        return None
    return (f"即使全部确认，家庭人均月收入至多{yuan(income_pc)}（标准{yuan(income_standard(f))}），"
            f"人均金融资产至多{yuan(assets_pc)}（上限{yuan(asset_limit(f))}）")


def _confirmed_adds(f: Facts, links: list[dict]) -> tuple[Decimal, Decimal, bool]:
    """(income, balances) that confirming `links` would add at most, and whether every link is a
    member's income row (a wage, a benefit, an employer's contribution whose base may stand in for
    a wage) or latest balance, the only kinds so bounded: confirmed, each adds at most its amount."""
    income = {(r["source"], r["record_id"], r["member_no"]): r for r in f.income["records"]}
    balances = {(a["source"], a["record_id"], a["member_no"]): a for a in f.assets["financial"]}
    more_income = more_assets = Decimal(0)
    bounded, held = True, set()
    for ln in links:
        key = (ln["source"], ln["record_id"], ln["member_no"])
        row = income.get(key)
        if row is not None and row.get("repeat_of"):
            continue        # a re-export's copy of another row: confirming it adds nothing (figures)
        if row is not None and (row["kind"] in ("tax_income", "benefit")
                                or (row["kind"] == "contribution" and f.tax_delivered
                                    and not self_employed(row.get("payer")))):
            more_income += exact(row["amount"])
        elif key in balances:
            held.add(key)
        else:
            bounded = False
    if held:    # an account's newer statement replaces its older one: the selection of the figures with and
                # without them (a linkage probe read 至多118,000 for one account's 58,000 and 60,000)
        counted = [a for a in f.assets["financial"] if a["decision"] in COUNTED_DECISIONS]
        confirmed = counted + [balances[k] for k in held]
        nos = {a["member_no"] for a in confirmed}
        more_assets = max(financial_if_confirmed(confirmed, nos) - financial_if_confirmed(counted, nos), Decimal(0))
    return more_income, more_assets, bounded


def _per_head_if(f: Facts, more_income: Decimal, more_assets: Decimal) -> tuple[float, float]:
    """Per-capita monthly income and financial assets, as the report would show them, with these added."""
    months = int(f.params["window_months"])
    return (fen((income_total_exact(f) + more_income / months) / f.size),
            fen((assets_total_exact(f) + more_assets) / f.size))


def _stakes(f: Facts, held: list[dict]) -> str:
    """What confirming the held links could do, in a caseworker's words: a caseworker probe's
    question about a second home said only 待人工复核后计入, and the page never said that confirming
    it fails the household."""
    keys = {(ln["source"], ln["record_id"], ln["member_no"]) for ln in held}
    said = []
    exempt = set(f.params["exempt_vehicle_types"])
    for v in f.assets.get("pending_vehicles") or []:
        if ("vehicle", v["record_id"], v["member_no"]) in keys and v.get("held") \
                and not exempt_vehicle(v.get("vehicle_type"), exempt):
            said.append(f"名下有非豁免机动车（{v.get('vehicle_type') or ''} {v.get('plate_number') or ''}）")
    homes = {certificate_key(p) for p in f.assets["held_properties"] if p["usage"] == "住宅"}
    more_homes = False
    for p in f.assets.get("pending_properties") or []:
        if ("property", p["record_id"], p["member_no"]) in keys and p.get("held"):
            if p["usage"] == "住宅":
                more_homes |= certificate_key(p) not in homes
                homes.add(certificate_key(p))
            elif f.program != "housing":
                said.append(f"名下有非住宅类不动产（{p['usage']}，{p.get('location') or ''}）")
    max_homes = 0 if f.program == "housing" else int(f.params["max_homes"])
    if more_homes and len(homes) > max_homes:   # 住房救助 has no limit to exceed: a home is the question
        said.append(f"家庭现拥有住宅{len(homes)}套，不符合住房救助条件" if f.program == "housing"
                    else f"家庭住宅{len(homes)}套，超过{max_homes}套")
    if f.program in THRESHOLD_PROGRAMS:
        more_income, more_assets, _ = _confirmed_adds(f, held)
        income_pc, assets_pc = _per_head_if(f, more_income, more_assets)
        if more_income:
            said.append(f"家庭人均月收入至多{yuan(income_pc)}（标准{yuan(income_standard(f))}）")
        if more_assets:
            said.append(f"人均金融资产至多{yuan(assets_pc)}（上限{yuan(asset_limit(f))}）")
    return "；".join(said[:4])


def _named(f: Facts, name: str) -> str:
    """成员<name>, with the members' numbers when two of the household bear the name (a probe's two
    袁伟 got one question twice, alike, and the clerk could not tell them apart)."""
    nos = sorted(m["member_no"] for m in f.household if m["name"] == name)
    return f"成员{name}" + (f"（{'、'.join(map(str, nos))}号成员同名）" if len(nos) > 1 else "")


def unclaimed(f: Facts) -> list[dict]:
    """Income rows without an ID under exactly a member's name that the linker could give to
    nobody (`assessment.evidence.unclaimed_table_sql`), each payer's on their own: when one payer's
    rows alone would bring the household to the standard, whether they are the member's decides
    the outcome — a question for the caseworker (warn), not a silent pass. An independent-data
    probe's remaining wrong passes (9, 6 and 9 in its three provinces) were all such rows: odd jobs
    paid by 个人 without the payee's ID, under a name 61 people carry. Where no payer's rows could
    change the outcome, nothing is said: most such rows are namesakes'."""
    if not f.unclaimed:
        return []
    mine = {m["member_no"]: m["name"] for m in f.household}
    units: dict = {}
    for r in f.unclaimed:
        # a name many people bear says little (`UNCLAIMED_NAMESAKES_MAX`), unless the payer writes the
        # member's own ID in other months
        common = (r.get("namesakes") or 1) > UNCLAIMED_NAMESAKES_MAX and not r.get("own_payer")
        if r["member_no"] in mine and r["kind"] not in ASSET_KINDS and not common:
            # by name: two members of one name are asked about one row once
            # a benefit with no payer named is its scheme's: a member's own 城乡居民 pension and a
            # namesake's 企业职工 one were one question of 24 rows (a fresh-evaluator probe)
            payer = r.get("payer") or r.get("insurance_type") or ""
            # wages of a member of 70 or more, someone else bearing the name: said, not asked
            aged = bool(r.get("aged")) and (r.get("earners") or 0) > 0 and not r.get("own_payer")
            units.setdefault((aged, mine[r["member_no"]], r["source"], payer), {})[r["record_id"]] = r
    out = []
    # a payer some of whose rows a caseworker confirmed as the member's (a review probe confirmed six of
    # H1's twelve ID-less wages: the other six no longer decided the failed outcome, left the report
    # and the review sheet, and their answers sent later were refused as "no longer a question")
    begun = {(mine[r["member_no"]], r["source"], r.get("payer") or r.get("insurance_type") or "")
             for r in f.income.get("records", []) if r.get("decision") == "confirmed" and r["member_no"] in mine}
    rest = _rest_of_begun(f, {k[1:]: v for k, v in units.items() if not k[0] and k[1:] in begun})
    if rest[0]:
        out.append(finding("match.unclaimed_rest", "warn",
                           "同一单位已有与成员同名的收入记录经复核确认为本人，另有以下同名无身份证号记录尚未确认，未计入"
                           "（家庭已不符合收入条件，确认后只使收入数字完整）：" + _listed(rest[0]) + "。请在复核表中逐条确认或否认",
                           rest[1]))
    for aged in (False, True):
        said, deciding = _deciding_income(f, {k[1:]: v for k, v in units.items() if k[0] == aged})
        if said and not aged:
            out.append(finding("match.unclaimed", "warn",
                               "无身份证号、与成员同名的收入记录未能确定归属（无证件号可据，或另有同名者），未计入，但足以改变核对结果："
                               + _listed(said) + "。请向申请人核实是否本人的收入", deciding))
        elif said:
            out.append(finding("match.unclaimed_aged", "info",
                               f"另有无身份证号、与成员同名的工资记录，成员时年{WAGES_UNLIKELY_FROM}岁以上且另有同名者，"
                               "不大可能是本人的工资，未计入也未列为待复核；如属本人将改变核对结果，仅供参考："
                               + _listed(said), deciding))
    return out


def _listed(said: list[str]) -> str:
    """The first five of what a finding lists, and how many there are beyond them."""
    return "；".join(said[:5]) + (f"等{len(said)}处" if len(said) > 5 else "")


def _payer_rows(f: Facts, units: dict):
    """(name, payer, rows, their total, how the message names them) per unit of `units` ((name,
    source, payer) → rows by record_id), in order."""
    for (name, _, payer), by_record in sorted(units.items()):
        rows = list(by_record.values())
        total = sum((exact(r["amount"]) for r in rows), Decimal(0))
        yield rows, total, f"{_named(f, name)}同名的{payer or '未写明扣缴单位'}{len(rows)}条收入记录（合计{yuan(float(total))}"


def _rest_of_begun(f: Facts, units: dict) -> tuple[list[str], list[dict]]:
    """Of `units` at payers with rows confirmed as the member's, when the household is already at or
    over the income standard (nothing they hold could change it): what to say of each, and the rows
    (still questions, so the figure can be made whole)."""
    if not units or income_per_capita(f) < income_standard(f):
        return [], []
    said, rest = [], []
    for rows, _, named in _payer_rows(f, units):
        said.append(named + "）")
        rest += rows
    return said, rest


def _deciding_income(f: Facts, units: dict) -> tuple[list[str], list[dict]]:
    """Of `units`, the payers whose rows would bring the household to the income standard were they
    the member's, else the names whose rows at all their payers together would: what to say of
    each, and the rows."""
    months = int(f.params["window_months"])
    income_now = income_total_exact(f)
    std = income_standard(f)
    deciding, said = [], []
    for rows, total, named in _payer_rows(f, units):
        would = fen((income_now + total / months) / f.size)
        if income_per_capita(f) < std <= would:
            said.append(named + f"；如属本人，家庭人均月收入为{yuan(would)}，不低于标准{yuan(std)}）")
            deciding += rows
    if said:
        return said, deciding
    # no payer's alone, but one name's at several payers together: an evaluator's 徐强 had odd jobs at
    # two payers that never write IDs, neither enough alone, both 516.35 against 496: a wrong pass, unasked
    by_name: dict = {}
    for (name, _, payer), by_record in units.items():
        by_name.setdefault(name, {}).update(by_record)
    for name, by_record in sorted(by_name.items()):
        rows = list(by_record.values())
        payers = sorted({r.get("payer") or r.get("insurance_type") or "未写明扣缴单位" for r in rows})
        total = sum((exact(r["amount"]) for r in rows), Decimal(0))
        would = fen((income_now + total / months) / f.size)
        if len(payers) > 1 and income_per_capita(f) < std <= would:
            said.append(f"{_named(f, name)}同名的{'、'.join(payers[:5])}{'等' if len(payers) > 5 else ''}"
                        f"{len(payers)}个单位共{len(rows)}条收入记录（合计{yuan(float(total))}；单看任一单位的不改变结果，"
                        f"合计如属本人，家庭人均月收入为{yuan(would)}，不低于标准{yuan(std)}）")
            deciding += rows
    return said, deciding


ASSET_KINDS = ("vehicle", "property")
UNCLAIMED_NAMESAKES_MAX = 10
"""A row without an ID — income, a vehicle, a property — is asked about while at most this many
people of its name are known (`namesakes`): beyond, the chance it is the member's is under one in
ten, and a common name would send every household with one to review (an outcome probe whose 500
households drew on a small pool of names: 278 of 308 vehicle and property questions were
namesakes' rows; at most ten, 164 of 188, with 24 of its 30 members' rows still asked. A scale
probe of 3,000 households with realistic names: 615 of 639 truly eligible households held for
review were held by income questions, 4 of its 827 questions about a member's own row; names of
over 50 people held 53 % of the eligible households bearing them)."""


LOCAL_NAMESAKES_MAX = 3
"""A property in the member's own county without an ID is asked about, however many people of its
name the province knows, while at most this many of them have an ID issued in that county
(`namesakes_local`, `assessment.unclaimed`). Fewer than `UNCLAIMED_NAMESAKES_MAX`: a household
applying for assistance owns a second home or a shop more rarely than a namesake does, so the
chance that the row is the member's is well under one in the namesakes. On a scale probe's
3,000 households (properties in their owners' counties) the questions this adds were right 4
times in 18 at three, 8 in 109 at ten; the 4 were wrong passes before (13 → 9)."""


def unclaimed_assets(f: Facts) -> list[dict]:
    """Vehicles and properties without an ID under exactly a member's name that nobody is linked to
    (`assessment.unclaimed`): a question (warn) when, were it the member's, the household would
    fail on it and does not yet — a non-exempt car, a home over `max_homes`, a non-residential
    property for 低保 and 特困; a home for 住房救助. An outcome probe's 15 wrong passes of 210: the
    vehicle and real-estate registers left the ID out, and the row was said nowhere.

    Under a name too common to ask about (more than `UNCLAIMED_NAMESAKES_MAX` people, more than
    `LOCAL_NAMESAKES_MAX` of the county) such a row is still said, as a note that holds nothing
    (`match.unclaimed_common`): a fresh evaluator's two wrong passes were a shop and a second home of
    the head's exact name, 14 and 16 people of that name known, and the reports said nothing at all."""
    mine = {m["member_no"]: m["name"] for m in f.household}
    rows = [r for r in f.unclaimed if r["kind"] in ASSET_KINDS and r["member_no"] in mine]
    askable = [r for r in rows if (r.get("namesakes") or 1) <= UNCLAIMED_NAMESAKES_MAX
               or (r.get("namesakes_local") or LOCAL_NAMESAKES_MAX + 1) <= LOCAL_NAMESAKES_MAX]
    common = [r for r in rows if not any(r is a for a in askable)]
    out = []
    said, deciding = _deciding_assets(f, askable, mine)
    if said:
        out.append(finding("match.unclaimed", "warn",
                           "无身份证号、与成员同名的车辆或不动产记录未能确定归属（登记中未写证件号），未计入，但足以改变核对结果："
                           + _listed(said) + "。请向申请人及登记部门核实是否本人所有", deciding))
    said, deciding = _deciding_assets(f, common, mine)
    if said:
        out.append(finding("match.unclaimed_common", "info",
                           "另有无身份证号、与成员同名的车辆或不动产记录，同名者众多，无从判断归属，未计入也未列为待复核；"
                           "如属本人将改变核对结果，仅供参考："
                           + _listed(said), deciding))
    return out


def _deciding_assets(f: Facts, rows: list[dict], mine: dict) -> tuple[list[str], list[dict]]:
    """Of `rows` (unclaimed vehicles and properties), those that would change the outcome were they the
    member's: each in words, and the rows."""
    if not rows:
        return [], []
    exempt = set(f.params["exempt_vehicle_types"])
    held_p = f.assets["held_properties"]
    homes = {certificate_key(p) for p in held_p if p["usage"] == "住宅"}
    has_car = any(not exempt_vehicle(v["vehicle_type"], exempt) for v in f.assets["held_vehicles"])
    has_other = any(p["usage"] in NON_RESIDENTIAL for p in held_p)
    max_homes = 0 if f.program == "housing" else int(f.params["max_homes"])
    new_homes = {certificate_key(r) for r in rows if r["kind"] == "property" and r["usage"] == "住宅"} - homes
    # one car or certificate delivered twice is said once, with both rows as its evidence
    groups: dict = {}
    for r in rows:
        key = plate_key(r) if r["kind"] == "vehicle" else certificate_key(r)
        groups.setdefault((mine[r["member_no"]], r["kind"], key), {})[r["record_id"]] = r
    said, deciding = [], []
    for (name, _, _), by_record in groups.items():
        same = list(by_record.values())
        r = same[0]
        known = r.get("namesakes") or 1
        if r.get("namesakes_local"):
            who = _named(f, name) + f"（已知同名者{known}人，证件号属本县的{r['namesakes_local']}人；房产在本人住址所在区县）同名的"
        else:
            who = _named(f, name) + (f"（已知同名者{known}人）" if known > 1 else "") + "同名的"
        if r["kind"] == "vehicle" and f.program in THRESHOLD_PROGRAMS and not has_car \
                and not exempt_vehicle(r["vehicle_type"], exempt):
            said.append(f"{who}车辆（{r['vehicle_type']} {r['plate_number']}，记录{r['record_id']}；如属本人，名下有非豁免机动车）")
        elif r["kind"] == "property" and r["usage"] == "住宅" and certificate_key(r) in new_homes \
                and len(homes) <= max_homes < len(homes) + len(new_homes):
            # one row's stakes are one more home; more only with the others said beside it (a probe read
            # "如属本人，家庭拥有住宅3套" by each of three rows)
            alone = len(homes) + 1 > max_homes
            said.append(f"{who}住宅（{r['location']}，产权证号{r['certificate_number']}，记录{r['record_id']}；"
                        + ("如属本人，家庭现拥有住宅，不符合住房救助条件）" if f.program == "housing" else
                           f"如属本人，家庭拥有住宅{len(homes) + 1}套，超过{max_homes}套）" if alone else
                           f"如与所列其他同名住宅均属本人，家庭拥有住宅{len(homes) + len(new_homes)}套，超过{max_homes}套）"))
        elif r["kind"] == "property" and r["usage"] in NON_RESIDENTIAL and f.program in THRESHOLD_PROGRAMS \
                and not has_other:
            said.append(f"{who}非住宅类不动产（{r['usage']}，{r['location']}，记录{r['record_id']}；如属本人，名下有非住宅类不动产）")
        else:
            continue
        deciding += same
    return said, deciding


CHANGES_OUTCOME = "但足以改变核对结果"
BESIDE_A_FAIL = "本户已因其他核对发现不符合条件，如属本人，将是另一条不符合的理由"


def said_beside_a_fail(x: dict) -> dict:
    """A `match.unclaimed` finding of a household that fails on something else: the rows cannot
    change its outcome, only add a reason (a caseworker probe read 足以改变核对结果 on a household
    already refused for ¥38,844.90 of assets a head)."""
    if x["rule"] != "match.unclaimed" or CHANGES_OUTCOME not in x["message"]:
        return x
    return {**x, "message": x["message"].replace(CHANGES_OUTCOME, BESIDE_A_FAIL)}

