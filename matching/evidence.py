"""A decided link's evidence (contract §5): why, in words and weights, a row is a member's.

The JSON every link keeps (`evidence_sql`): a one-sentence summary in Chinese (`summary_sql`),
each compared field's level and weight (`weights_json_sql`, the waterfall the reports draw), the
prior, the total and the closest competitor; `evidence_table_sql` writes it once per distinct input
for every decision of `matching.decide`.
"""

from __future__ import annotations

from matching.blocking import BORROWED_RULE
from matching.comparisons import BODY_SLIP, COMPARISONS, DIGITS_LOST, LEVEL_COLUMNS, NOT_COMPARED
from matching.decide import OWNED_ID, TWO_SLIPS
from matching.scoring import WEIGHT_COLUMNS

COMMON_NAME_U = 2e-4
RARE_NAME_U = 1e-5
NAME_FREQUENCY_MIN_IDS = 15_000
"""Distinct valid IDs below which a name is called neither common nor rare: among a few
hundred people every name that occurs is "1 in a few hundred", which says nothing about how
common it is (张伟, the commonest name in China, is carried by about 1 person in 5,000)."""


def _label_case(comparison, col: str) -> str:
    whens = " ".join(f"WHEN '{lv.name}' THEN '{lv.label}'" for lv in comparison.scored_levels)
    return f"CASE {col} {whens} END"


def _nulls(comparison) -> tuple[str, ...]:
    return tuple(lv.name for lv in comparison.levels if lv.null) + (NOT_COMPARED,)


def weights_json_sql(id_level: str = "lv_id", id_weight: str = "w_id") -> str:
    """SQL for the JSON list of compared fields: {field, level, weight} (the summary says
    the levels in words)."""
    pieces = []
    for c in COMPARISONS:
        col, w = LEVEL_COLUMNS[c.field], WEIGHT_COLUMNS[c.field]
        if c.field == "id_number":
            col, w = id_level, id_weight
        pieces.append(f"CASE WHEN {col} NOT IN {_nulls(c)} THEN '{{\"field\":\"{c.field}\",\"level\":\"' || {col} || "
                      f"'\",\"weight\":' || round({w}, 2) || '}}' END")
    return "'[' || concat_ws(',', " + ", ".join(pieces) + ") || ']'"


def _whose_id() -> str:
    """Why a member's ID can sit under another member's name: in one household, a relative's written
    by mistake; across households, two applicants' IDs mixed up (an evaluator's caseworker was sent
    looking for a relative of 程伟 in 陈伟, who belonged to another family), the household named only
    within one request (an adversarial probe's agency read another agency's household number)."""
    return ("CASE WHEN coalesce(rival_kin, TRUE) THEN '（可能误填亲属证件号）' "
            "WHEN rival_same_request THEN '（' || rival_name || '是本申请另一家庭（家庭编号' || rival_household "
            "|| '）的成员，可能填错了证件号）' "
            # another request may be another agency's: its household is not this caseworker's to look up
            "ELSE '（' || rival_name || '是另一申请中的申请人，并非本家庭成员，可能填错了证件号）' END")


def summary_sql(id_level: str = "lv_id", name_frequencies: bool = True) -> str:
    """SQL for the one-sentence reason (Chinese) of a decided link (`name_frequencies`: whether
    the warehouse holds enough people to call a name common or rare)."""
    name_note = (f"CASE WHEN lv_name = 'exact' AND tf_name_u >= {COMMON_NAME_U} THEN '（常见姓名，证明力弱）' "
                 f"WHEN lv_name = 'exact' AND tf_name_u <= {RARE_NAME_U} THEN '（少见姓名）' ELSE '' END"
                 if name_frequencies else "''")
    parts = []
    for c in COMPARISONS:
        col = id_level if c.field == "id_number" else LEVEL_COLUMNS[c.field]
        text = _label_case(c, col) + (f" || {name_note}" if c.field == "name" else "")
        if c.field == "id_number":   # compared as missing, but there was one: another person's
            text = f"CASE WHEN rules = {BORROWED_RULE} THEN '身份证号不是本人的' ELSE {text} END"
        parts.append(f"CASE WHEN {col} NOT IN {_nulls(c)} THEN {text} END")
    verdict = f"""CASE
        WHEN decision = 'auto' THEN ''
        WHEN swapped THEN '；但身份证号是' || rival_name || '的' || {_whose_id()} || '，需人工复核'
        WHEN conflict AND rival_name IS NOT NULL THEN '；身份证号是本人的，姓名却像' || rival_name
             || {_whose_id()} || '，需人工复核'
        WHEN conflict THEN '；身份证号指向本人，姓名却不同（可能改名或录入有误，也可能误填了亲属的证件号），需人工复核'
        WHEN id_rival AND rules = {BORROWED_RULE} THEN '；但记录上的身份证号（' || id_rival_id || '）是' || id_rival_name
             || '的，可能误填了亲属的证件号，需人工复核'
        WHEN name_only THEN '；只有姓名相符（带身份证号的记录中此姓名只此一人，无证件号的同名者无从排除），该账户没有带身份证号的记录，需人工复核'
        WHEN id_rival AND id_rival_continued THEN '；但另有一人名叫' || id_rival_name || '（证件号' || id_rival_id
             || '），此前（或此后）在同一单位以其本人证件号领取同一份工资，此记录可能是其本人的、换用了成员的证件号，需人工复核'
        WHEN id_rival AND {id_level} IN {OWNED_ID} THEN '；但另有一人名叫' || id_rival_name || '（证件号' || id_rival_id
             || '），此记录可能是其本人的、误填了成员的证件号，需人工复核'
        WHEN id_rival THEN '；但证件号与另一位同名（同音）者' || id_rival_name || '（证件号' || id_rival_id
             || '）的有效证件号同样只差一位，无法确定是谁的，需人工复核'
        WHEN {id_level} = '{BODY_SLIP}' THEN '；两个号码只差一处，可能是录入错误后重新计算了校验位，'
             || '也可能是另一个人，需人工复核'
        WHEN {id_level} = '{DIGITS_LOST}' THEN '；记录上的号码后几位为0（表格把号码存成数字时丢失），'
             || '只能核对前15位，也可能是同日出生的另一人，需人工复核'
        WHEN {TWO_SLIPS} THEN '；身份证号有一处差异，姓名也只是同音或相近，'
             || '可能是同日出生的另一人，需人工复核'
        WHEN rival_name IS NOT NULL AND rival_p >= 0.01 THEN '；与' || rival_name || '难以区分，需人工复核'
        ELSE '；证据不足以自动认定，需人工复核' END"""
    return "concat_ws('，', " + ", ".join(parts) + f") || {verdict}"


ANOTHER_PERSONS_ID = "another_persons"
"""The ID level a link's evidence shows for a row compared as if it had no ID because its ID is
another person's (`BORROWED_RULE`): a probe's caseworker read 身份证号 缺失 beside the row's ID."""


def _shown_id_level(id_level: str) -> str:
    return f"CASE WHEN rules = {BORROWED_RULE} AND {id_level} = 'missing' THEN '{ANOTHER_PERSONS_ID}' ELSE {id_level} END"


def evidence_sql(prior_bits: float, id_level: str = "lv_id", id_weight: str = "w_id", total: str = "total",
                 name_frequencies: bool = True) -> str:
    """SQL for a link's evidence JSON (contract §5): summary, weights, prior, total, competitor."""
    competitor = """CASE WHEN rival_name IS NULL THEN 'null' ELSE json_object(
        'request_id', rival_request, 'household_id', rival_household, 'member_no', rival_member,
        'name', rival_name, 'probability', round(rival_p, 6))::VARCHAR END"""
    return (f"""'{{"summary":' || to_json({summary_sql(id_level, name_frequencies)})::VARCHAR || ',"weights":' || """
            f"""{weights_json_sql(_shown_id_level(id_level), id_weight)} || ',"prior":{prior_bits:.4f},"total":' || round({total}, 2)"""
            f""" || ',"competitor":' || {competitor} || '}}'""")


EVIDENCE_INPUTS = ("rules", "tf_name_u", *LEVEL_COLUMNS.values(), "sequence_slip", *WEIGHT_COLUMNS.values(), "total",
                   "conflict", "swapped", "id_rival", "decision", "rival_p", "rival_request", "rival_household",
                   "rival_member", "rival_kin", "rival_same_request", "rival_name", "id_rival_name", "id_rival_id", "id_rival_continued", "name_only")
"""The columns of a decided link that its evidence (`evidence_sql`) reads; a column it reads that is
not here fails the statement (the evidence is built from these alone)."""


def evidence_table_sql(prior_bits: float, legacy_weight: float, name_frequencies: bool = True) -> str:
    """`mt_decided`: every decision with the units whose rows it covers and its evidence, plus
    the evidence's variant for rows that carried a legacy 15-digit ID (level `legacy_equal`).

    An identity decision covers every unit of its name and ID, a unit decision its own. The
    evidence is built once per distinct `EVIDENCE_INPUTS`, a struct (its fields compare equal when
    both are NULL): at 20k households 119,000 decisions hold 14,000 of them, and building each
    decision's JSON took 0.14 s.
    """
    legacy = "CASE WHEN lv_id = 'exact' THEN 'legacy_equal' ELSE lv_id END"
    legacy_w = f"CASE WHEN lv_id = 'exact' THEN {legacy_weight:.6f} ELSE w_id END"
    keep = "l.request_id, l.household_id, l.member_no, l.probability, l.decision, l.n_legacy"
    inputs = "{" + ", ".join(f"'{c}': l.{c}" for c in EVIDENCE_INPUTS) + "} AS k"
    return f"""
CREATE OR REPLACE TEMP TABLE mt_decided AS
WITH d AS MATERIALIZED (
    SELECT l.iid, NULL::BIGINT AS uid, {keep}, {inputs} FROM mt_ilinks l
    UNION ALL
    SELECT NULL, l.uid, {keep}, {inputs} FROM mt_rlinks l
), e AS MATERIALIZED (   -- the evidence once per distinct input
    SELECT k, {evidence_sql(prior_bits, name_frequencies=name_frequencies)} AS evidence,
           CASE WHEN legacy THEN {evidence_sql(prior_bits, legacy, legacy_w, f"total - w_id + {legacy_w}",
                                               name_frequencies)}
           END AS evidence_legacy
    FROM (SELECT k, legacy, unnest(k) FROM (SELECT k, bool_or(n_legacy > 0) AS legacy FROM d GROUP BY k))
), de AS MATERIALIZED (
    SELECT d.iid, d.uid, d.request_id, d.household_id, d.member_no, d.probability, d.decision, e.evidence,
           CASE WHEN d.n_legacy > 0 THEN e.evidence_legacy END AS evidence_legacy
    FROM d JOIN e USING (k)
)
SELECT u.uid, de.* EXCLUDE (iid, uid)
FROM de JOIN mt_units u ON de.uid IS NULL AND u.iid = de.iid
UNION ALL
SELECT * EXCLUDE (iid) FROM de WHERE uid IS NOT NULL
"""
