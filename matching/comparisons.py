"""Comparison levels per field: what a source row and a member agree on, as SQL.

Each field is an ordered list of levels; a pair takes the first level whose condition holds
(the last level is the catch-all). The conditions read the columns of a *pair table*:
`s_*` for the source row, `m_*` for the member (see `PAIR_COLUMNS`). A level marked `null`
carries no evidence (weight 0, not estimated): a value is missing, or the field is gated off
because the ID already settles what it would tell (birth date, sex and birthplace are read
from the ID; employer and address only matter when the ID does not agree).

The ID, name and address conditions are symmetric in `s_` and `m_` (`level(a, b) ==
level(b, a)`, so a pair's score does not depend on which side is which); birth date, sex and
birthplace compare what a row's ID says with what a member declared, and the organisation
what the rest of the source says about a row with what is known of a member.

Example:
    >>> level_of("name", {"name": "张伟"}, {"name": "章伟"})
    'same_pinyin'
    >>> level_of("id_number", {"id_number": "14010519900307104X"}, {"id_number": "14010519900307014X"})
    'adjacent_swap'
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.sides import could_be_one_id_sql

ID_AGREES = ("exact", "legacy_equal", "one_substitution", "adjacent_swap", "one_slip_each")
SLIPPED_IDS = ("one_substitution", "adjacent_swap", "one_slip_each")
"""ID levels that agree but for a slip."""
"""ID levels that identify the person: the supporting fields are then not compared."""
NOT_COMPARED = "not_compared"


@dataclass(frozen=True)
class Level:
    name: str
    sql: str
    """Condition on the pair columns (levels above it did not hold)."""
    label: str
    """What the level says, in Chinese, for reports."""
    m0: float = 0.0
    """Starting m probability for EM (ignored for null levels)."""
    null: bool = False
    fixed_weight: float | None = None
    """A weight (bits) set by a hard fact rather than estimated: the level describes what a
    person's own row cannot be (EM would learn it from the pairs it wrongly believes to be
    matches, since the level only ever occurs together with an agreeing name)."""
    u_max: float | None = None
    """Ceiling on the level's u, from a fact of the domain rather than the data: EM cannot
    estimate a u below the share one pair has in the space (1 / rows x members), so in a small
    warehouse that floor, not the evidence, would set the weight."""


ID_AGREE_U_MAX = 1e-6
"""Most a non-matching (row, member) pair can agree on a valid ID number, exactly, through a
legacy 15-digit number, or through the one slip (a digit, two adjacent digits) that a failing
check character points to. A resident ID names one person nationwide; two people share one
only by a clerk's slip or a borrowed ID (which the name then contradicts, and `decide` never
auto-links that), and an invalid ID has at most ~35 valid one-slip repairs among 1.4 billion
numbers. On the generated 20k province EM puts these u between 4e-11 and 4e-9, far under the
ceiling. With 70 rows and 9 members (an agency's first small delivery) EM's floor was 8e-4
instead, an exact ID and name (10 bits, against a prior of -3) fell short of `auto`, every
record of the applicant went to review and their income went uncounted."""


@dataclass(frozen=True)
class Comparison:
    field: str
    levels: tuple[Level, ...]
    gate: str | None = None
    """When this SQL is false the field is `not_compared` (a null level)."""
    tf_columns: tuple[tuple[str, str], ...] = ()
    """(level, column): levels whose u is the pair's own value of a column rather than the
    level's average (term-frequency adjustment: the frequency of this very name)."""
    estimate_u: bool = False
    """True: u is re-estimated by EM over all pairs (the field is used for blocking);
    False: u is the random-pair frequency, fixed."""
    m_at_least: tuple[tuple[str, str], ...] = ()
    """(level, weaker level): true matches agree at `level` at least as often as at the weaker
    one; EM pools the two m when its estimate says otherwise (`em.Field.monotone`)."""


    @property
    def scored_levels(self) -> tuple[Level, ...]:
        return tuple(lv for lv in self.levels if not lv.null)

    def case_sql(self, gated: bool = True) -> str:
        """The CASE expression giving this field's level for each pair (`gated=False`: as if
        the gate were open, to describe random pairs)."""
        whens = "\n".join(f"    WHEN {lv.sql} THEN '{lv.name}'" for lv in self.levels[:-1])
        gate = f"    WHEN NOT coalesce({self.gate}, FALSE) THEN '{NOT_COMPARED}'\n" if self.gate and gated else ""
        return f"CASE\n{gate}{whens}\n    ELSE '{self.levels[-1].name}' END"


_ID18 = "length(s_id) = 18 AND length(m_id) = 18"
_BODY_SLIP = ("(hamming(left(s_id, 17), left(m_id, 17)) = 1 OR (hamming(left(s_id, 17), left(m_id, 17)) = 2 "
              "AND damerau_levenshtein(left(s_id, 17), left(m_id, 17)) = 1))")
BODY_SLIP = "body_slip"
"""Two IDs whose first 17 digits are one wrong digit or one adjacent swap apart, each with its own
check character: a slip the sender's system (or the application form's) made look valid by
computing the check afresh, as many payroll and register systems do — its date may even be
impossible (a month 22) — or, now and then, another person (a twin's sequence number). The
check cannot tell, so this level is never `auto` (`matching.decide`); with the name it is a
question for a caseworker. (A slip whose check was *not* recomputed fails its check and is
`one_substitution` / `adjacent_swap`: two valid IDs are never one slip apart.) An
independent-data probe's 李娜 had 12 wage rows under such an ID, and an application form's such
slip left every row of 郝建平 unlinked: both households passed on no income."""
SLIP_VALID_WEIGHT = 10.0
"""The level's weight is set, not learned: the pairs EM would learn it from are mostly not slips
but twins and siblings one sequence number apart, whom it would take for matches (in a test's
small warehouse it put m at 0.2, the level at 17.6 bits against an exact ID's 19.4, and a twin's
own rows went to the other twin). A person's own row carries such a slip perhaps once in a
thousand rows; two people's IDs are one slip apart mostly when they share county and birthday
and their sequence numbers differ in one digit (twins): 10 bits, 2^10 below an exact ID's
ceiling (`ID_AGREE_U_MAX`, the level's too), enough with the name to be asked about."""
DIGITS_LOST = "digits_lost"
"""An ID whose last three digits are zeros where the other's first 15 digits are its own: the
number a spreadsheet keeps of an ID stored as a number (15 significant digits; the rest read back
as 000, or as 1.40105198308081E+17). The kept digits are the place, the birth date and the first
digit of the sequence number: a twin could share them, so, like `BODY_SLIP`, the level is never
`auto`, and with the name it is a question (its weight set as `BODY_SLIP`'s, for the same reason).
An export probe's 郑华 had twelve wage rows under such an ID and his exact name, linked to nobody:
his household passed on no income."""
_KEPT_15 = ("right({a}, 3) = '000' AND left({a}, 14) = left({b}, 14) "
            "AND abs(TRY_CAST(substr({a}, 15, 1) AS INTEGER) - TRY_CAST(substr({b}, 15, 1) AS INTEGER)) <= 1")
DIGITS_LOST_SQL = f"{_ID18} AND (({_KEPT_15.format(a='s_id', b='m_id')}) OR ({_KEPT_15.format(a='m_id', b='s_id')}))"
"""The 15th digit may be one off: a number written back in scientific notation is rounded there."""
ASKED_ID_LEVELS = (BODY_SLIP, DIGITS_LOST)
"""ID levels a pair is never `auto` on, and asked about with a strong name (`matching.decide`)."""
MISSING_ID_WEIGHT = 0.0
"""A row without an ID is no evidence for or against being a given member's: a department leaves
the ID out of an applicant's rows as often as of anyone's (on the generated 20k province EM
finds m 0.045 against u 0.051, -0.18 bits). Estimated in a small warehouse, EM talked itself
into "rows without an ID are not applicants'" (m 0.005 against u 0.058 among a black-box probe's
2,300 rows, -3.6 bits), and the ID-less deposit and wages of applicants with names nobody else
carries fell below `review`, unseen. The level stays in the evidence, at weight 0."""
ID_NUMBER = Comparison("id_number", (
    Level("missing", "s_id IS NULL OR m_id IS NULL", "身份证号缺失", 0.05, fixed_weight=MISSING_ID_WEIGHT),
    Level("exact", "s_id = m_id AND NOT (s_legacy OR m_legacy)", "身份证号一致", 0.88, u_max=ID_AGREE_U_MAX),
    Level("legacy_equal", "s_id = m_id", "身份证号一致（15位旧号升位）", 0.03, u_max=ID_AGREE_U_MAX),
    Level("one_substitution", f"{_ID18} AND hamming(s_id, m_id) = 1", "身份证号仅一位不同", 0.02,
          u_max=ID_AGREE_U_MAX),
    Level("adjacent_swap", f"{_ID18} AND hamming(s_id, m_id) = 2 AND damerau_levenshtein(s_id, m_id) = 1",
          "身份证号相邻两位颠倒", 0.01, u_max=ID_AGREE_U_MAX),
    Level("one_slip_each", "ids_share_repair", "两个身份证号各差一处，可还原为同一号码", 0.002),
    Level(DIGITS_LOST, DIGITS_LOST_SQL, "身份证号前15位一致（其后为0：表格把号码存成数字时丢失）", 0.002,
          fixed_weight=SLIP_VALID_WEIGHT, u_max=ID_AGREE_U_MAX),
    Level(BODY_SLIP, f"{_ID18} AND {_BODY_SLIP}", "身份证号前17位仅一处不同（校验位随之不同）", 0.002,
          fixed_weight=SLIP_VALID_WEIGHT, u_max=ID_AGREE_U_MAX),
    Level("same_birth_date", f"{_ID18} AND substr(s_id, 7, 8) = substr(m_id, 7, 8)",
          "身份证号不同但出生日期段相同", 0.002),
    Level("different", "TRUE", "身份证号不同", 0.004),
), estimate_u=True)

FUZZY_PINYIN_SQL = ("regexp_replace(regexp_replace(regexp_replace({col}, '(^| )([zcs])h', '\\1\\2', 'g'), "
                    "'(^| )n', '\\1l', 'g'), 'ng( |$)', 'n\\1', 'g')")
"""A name's toneless pinyin with the sounds many speakers (and the clerks who type what they hear)
do not tell apart folded together: zh/z, ch/c, sh/s, n/l, -ng/-n (敏/明, 玲/琳, 斌/兵, 丽/妮, 芳/帆)."""

_READINGS_OVERLAP = (
    "len(string_split(coalesce(s_alts, s_pinyin), ' ')) = len(string_split(coalesce(m_alts, m_pinyin), ' ')) "
    "AND list_bool_and(list_transform(range(1, len(string_split(coalesce(s_alts, s_pinyin), ' ')) + 1), lambda i: "
    "len(list_intersect(string_split(string_split(coalesce(s_alts, s_pinyin), ' ')[i], '|'), "
    "string_split(string_split(coalesce(m_alts, m_pinyin), ' ')[i], '|'))) > 0))")
"""Two names sound the same when some reading of each polyphonic character does, position by
position (`pinyin.name_readings`): 郑朝 (zhāo, or chāo) and 郑超, 单 (Shàn, or dān) and 丹."""

_LATIN_SPELLED = ("(regexp_matches(s_std, '[A-Z]') OR regexp_matches(m_std, '[A-Z]')) "
                  "AND replace(s_pinyin, ' ', '') = replace(m_pinyin, ' ', '')")
"""A name written in Latin letters, whole or in part, sounds the same as the Han name it spells,
syllable breaks aside: ZHANG SAN and 张三, 唐SHENG and 唐昇."""

_SURNAME_LAST = " OR ".join(
    f"s_std = substr(m_std, {k + 1}) || left(m_std, {k}) OR m_std = substr(s_std, {k + 1}) || left(s_std, {k})"
    for k in (1, 2))
"""A name exported given name first (明文马 for 马明文, 锋欧阳 for 欧阳锋): a system that keeps 姓 and
名 apart and joins them the other way round. Only that rotation, not any reordering: 张明文 and
张文明 may be brothers."""

LONG_NAME_CHARS = 5
"""Characters from which a name one character apart is read as a transliteration variant: Han
names have two to four; 古丽娜尔吐尔逊 has seven."""

NAME = Comparison("name", (
    Level("exact", "s_std = m_std", "姓名一致", 0.92),
    Level("wildcard", "(s_wild OR m_wild) AND s_nchars = m_nchars AND (s_std LIKE replace(m_std, '?', '_') "
          "OR m_std LIKE replace(s_std, '?', '_'))", "姓名一致（含无法识别的字）", 0.003),
    Level("same_pinyin", f"(s_pinyin = m_pinyin OR (s_alts IS NOT NULL OR m_alts IS NOT NULL) AND {_READINGS_OVERLAP} "
          f"OR {_LATIN_SPELLED})",
          "姓名同音", 0.05),
    Level("similar_sound", "s_nchars = m_nchars AND levenshtein(s_std, m_std) = 1 AND "
          f"{FUZZY_PINYIN_SQL.format(col='s_pinyin')} = {FUZZY_PINYIN_SQL.format(col='m_pinyin')}",
          "姓名一字近音（方音之差）", 0.01),
    Level("surname_last", f"s_nchars = m_nchars AND s_nchars >= 2 AND s_std <> m_std AND ({_SURNAME_LAST})",
          "姓名相同，姓氏写在了最后", 0.002),
    # a long name (a minority name written in characters: 古丽娜尔·吐尔逊) one character apart is a
    # transliteration written two ways (吐逊, 吐尔逊), not another person: an independent probe's rows
    # carrying the member's own valid ID went to review at 0.5 as "the ID and the name point to
    # different people" (`decide.CONFLICT_NAMES` holds `one_char_different`, not this)
    Level("transliteration", f"s_nchars >= {LONG_NAME_CHARS} AND m_nchars >= {LONG_NAME_CHARS} "
          "AND levenshtein(s_std, m_std) = 1", "长姓名（音译）一字之差", 0.01),
    Level("one_char_different", "levenshtein(s_std, m_std) = 1", "姓名一字之差", 0.01),
    Level("different", "TRUE", "姓名不同", 0.005),
), tf_columns=(("exact", "tf_name_u"),), estimate_u=True, m_at_least=(("exact", "same_pinyin"),))
"""True matches are written with the exact name at least as often as with a homophone: a review
probe's world (most applicants' wage rows written in a homophone) taught EM the opposite, m 0.013
against 0.66, and a row with the member's exact ID and exact name went to review at 0.998, its
name -1.6 bits of evidence *against*."""

_SUPPORT_GATE = "lv_id = 'missing' AND s_id IS NOT NULL"
"""Birth date, sex and birthplace of a row are read from its ID: they tell something only when
the member has no usable ID of their own (otherwise the ID level already says it all, and a
row whose ID differs carries *that* ID's owner's birth date, typically a relative's)."""
BIRTH_DATE = Comparison("birth_date", (
    Level("missing", "s_birth IS NULL OR m_birth IS NULL", "出生日期缺失", null=True),
    Level("exact", "s_birth = m_birth", "出生日期一致", 0.9),
    Level("same_year_month", "date_trunc('month', s_birth) = date_trunc('month', m_birth)", "出生年月一致", 0.03),
    Level("same_year", "year(s_birth) = year(m_birth)", "出生年份一致", 0.03),
    Level("different", "TRUE", "出生日期不同", 0.04),
), gate=_SUPPORT_GATE)

GENDER = Comparison("gender", (
    Level("missing", "s_gender IS NULL OR m_gender IS NULL", "性别缺失", null=True),
    Level("same", "s_gender = m_gender", "性别一致", 0.97),
    Level("different", "TRUE", "性别不同", 0.03),
), gate=_SUPPORT_GATE)

COUNTY = Comparison("county_code", (
    Level("missing", "s_birthplace IS NULL OR (m_county IS NULL AND m_birthplace IS NULL)", "区县缺失", null=True),
    Level("same_county", "s_birthplace IN (m_county, m_birthplace)", "证件籍贯与所在区县一致", 0.75),
    Level("same_city", "left(s_birthplace, 4) IN (left(m_county, 4), left(m_birthplace, 4))",
          "证件籍贯同市", 0.1),
    Level("same_province", "left(s_birthplace, 2) IN (left(m_county, 2), left(m_birthplace, 2))",
          "证件籍贯同省", 0.1),
    Level("different", "TRUE", "证件籍贯在外省", 0.05),
), gate=_SUPPORT_GATE)

_COMPAT = ("(s_addr.county IS NULL OR m_addr.county IS NULL OR s_addr.county = m_addr.county) AND "
           "(s_addr.street IS NULL OR m_addr.street IS NULL OR s_addr.street = m_addr.street)")
_PLACE = "(s_addr.community = m_addr.community OR s_addr.road = m_addr.road)"
ADDRESS = Comparison("address", (
    Level("missing", "s_addr IS NULL OR m_addr IS NULL "
          "OR coalesce(s_addr.county, s_addr.street, s_addr.community, s_addr.road) IS NULL "
          "OR coalesce(m_addr.county, m_addr.street, m_addr.community, m_addr.road) IS NULL",
          "住址缺失", null=True),
    Level("same_dwelling", f"{_COMPAT} AND {_PLACE} AND s_addr.room = m_addr.room AND s_addr.building IS NOT "
          "DISTINCT FROM m_addr.building AND s_addr.unit IS NOT DISTINCT FROM m_addr.unit", "坐落与住址为同一住所", 0.6),
    Level("same_building", f"{_COMPAT} AND {_PLACE} AND s_addr.building = m_addr.building", "坐落与住址同楼", 0.05),
    Level("same_community", f"{_COMPAT} AND {_PLACE}", "坐落与住址同社区（村）", 0.08),
    Level("same_street", f"{_COMPAT} AND s_addr.street = m_addr.street", "坐落与住址同街道（乡镇）", 0.05),
    Level("same_county", "s_addr.county = m_addr.county", "坐落与住址同区县", 0.1),
    Level("different", "TRUE", "坐落与住址不同", 0.12),
), gate=f"source = 'property' AND lv_id NOT IN {ID_AGREES}")

CLASH_WEIGHT = -10.0
"""Bits against a row the member already has one of, under their own ID, at its payer, item and month (`clash`)."""
REGULAR_ROWS = 3
"""A member is *regular* where they have this many ID-bearing rows: a namesake there would show an ID too."""

_NONE_MINE = (f"CASE WHEN len(s_org_ids) = 1 THEN NOT {could_be_one_id_sql('s_org_ids[1]', 'm_org_id')} "
              f"ELSE len(list_filter(s_org_ids, lambda x: {could_be_one_id_sql('x', 'm_org_id')})) = 0 END")
ORGANISATION = Comparison("organisation", (
    Level("unknown", "s_org IS NULL", "无单位（险种、账户）信息", null=True),
    Level("account_unseen", "source = 'bank' AND s_org_ids IS NULL", "该账户没有带身份证号的记录", null=True),
    # (a CASE, so the IDs are compared for bank rows only: the pairs of every source had cost 0.4 s at 20k households)
    Level("account_other", f"CASE WHEN source = 'bank' AND m_org_id IS NOT NULL AND len(s_org_ids) > 0 "
                           f"THEN {_NONE_MINE} ELSE FALSE END",
          "该账户带身份证号的记录都是同名的另一人的（一个账户只有一位户主）", 0.01, fixed_weight=CLASH_WEIGHT),
    Level("unseen_alone", "coalesce(m_kind_rows, 0) = 0 AND s_org_ids IS NULL",
          "本人在该来源没有带身份证号的记录，该单位也没有同名者带身份证号的记录", null=True),
    Level("idless_payer", "coalesce(s_org_idless, FALSE)",
          "该单位的记录都不带身份证号（本人的身份证号记录在别处，不说明此处的记录不属本人）", null=True),
    Level("unseen", "coalesce(m_kind_rows, 0) = 0", "本人在该来源没有带身份证号的记录", 0.05),
    Level("clash", "coalesce(s_clash, 0) > 0", "本人在该单位同一项目同月已有带身份证号的记录（此记录应属同名的他人，或是重复记录）",
          0.01, fixed_weight=CLASH_WEIGHT),
    Level("account_shared", "source = 'bank' AND len(s_org_ids) > 1 AND list_contains(s_org_ids, m_org_id)",
          "该账号（同一银行）下另有同名者带其身份证号的记录，无法据账户区分是谁的", null=True),
    Level("known_unique", f"s_org_ids = [m_org_id] AND m_org_rows >= {REGULAR_ROWS}",
          "同名者在该单位（险种、账户）带身份证号的记录只有本人的", 0.6),
    Level("known", "list_contains(s_org_ids, m_org_id)", "本人在该单位（险种、账户）也有记录", 0.1),
    Level("other", "TRUE", "本人在该来源的记录属于其他单位（险种、账户）", 0.25),
), gate=f"lv_id NOT IN {ID_AGREES}",
   tf_columns=(("known", "tf_org_u"), ("known_unique", "tf_org_unique_u")))
"""A row's organisation (employer or payer, scheme and amount, bank account) against the rest
of the source: the ID-bearing rows there whose name sounds the same (`s_org_ids`), and how
many ID-bearing rows the member has in the source (`m_kind_rows`) and there (`m_org_rows`). The
member's ID there is the one their own rows carry (`m_org_id`, `pairs.own_ids_sql`): the
application's, or the valid ID it is one slip from.

It is only ever compared for rows whose name already sounds like the member's (the rows
without an agreeing ID are blocked on the name), so its u is that of a *namesake*: for
`known`, the share of the organisation among the rows of its kind (`tf_org_u`); for
`known_unique`, that share times the chance that a namesake there has every one of their
rows without an ID (`tf_org_unique_u`: the missing-ID rate to the power of the member's
other rows there).

`unseen_alone`: the member has no ID-bearing rows in the source, and nobody of a sounding-alike
name has any at the row's organisation, says nothing either way (no evidence): a payer that
leaves one person's ID out usually leaves it out every month, so the person's own rows look
exactly like this, and no namesake is seen there to claim them. The name alone decides, and
an uncommon one reaches `review` — a question, never `auto`. (`unseen` stays evidence against:
a namesake *is* seen there with their ID, the row's other rows most likely theirs. An
independent-data probe had 192 of its 584 ID-less wage and contribution rows of applicants at
`unseen` — their payers never wrote the ID — all silently unlinked at -6 bits.)

`account_shared`: a bank account (number, at its bank) on which another person of the name has
statements with their own ID besides the member: a masked or passbook number two people's accounts
share, so the account tells them apart no more than the name does (an adversarial probe's namesake's
¥50,000 at 迎泽支行, 622848******5678 like the member's at 小店支行, went `auto` to the member once
statements were compared at their bank, whatever branch they named).

`idless_payer`: a named employer or payer none of whose rows carries a valid ID, for anyone,
says nothing either way (no evidence): that the member's ID-bearing wages are elsewhere is no
sign against a second job there, since the payer would never show the member's ID. A black-box
outcome probe's side jobs at such payers (6 × 900 a month under the applicant's exact, uncommon
name) were `other` (-7.3 bits), or never even paired, and six households passed on income that
was theirs.

`account_other`: an account whose ID-bearing statements under the name (by sound) are all another's
(none could be the member's: `could_be_one_id_sql`) is theirs, as an account has one holder (a probe's son 刘建国,
his ID on his June statement, none on November's: asked about as his father's). Fixed weight.

`account_unseen`: a bank account none of whose rows carries an ID under that name says nothing
either way (no evidence, like `unknown`): a bank sends one balance row per account, and people hold
several, so the member's ID-bearing rows being on other accounts is no sign against them.

`clash` comes first: a person has one record per payer, item (or insurance type) and month, so
a row falling in a month where the member already has one there with their own ID (`s_clash`:
how many of the unit's rows do) is a namesake's — a coworker whose rows never carry an ID — or
a copy, which must not count twice either. Its weight is fixed (`CLASH_WEIGHT`), not estimated:
the level occurs only among namesakes' pairs, which EM would read as rare and so as evidence for
a match. Payers that are not named (`所得项目:…`, `险种:…`) are not compared: one person may have
several unnamed payers in a month."""

COMPARISONS: tuple[Comparison, ...] = (ID_NUMBER, NAME, BIRTH_DATE, GENDER, COUNTY, ADDRESS, ORGANISATION)
FIELD_LABELS = {"id_number": "身份证号", "name": "姓名", "birth_date": "出生日期", "gender": "性别",
                "county_code": "证件籍贯", "address": "住址", "organisation": "单位（险种、账户）"}
"""The fields in words, for reports."""
LEVEL_LABELS = {c.field: {lv.name: lv.label for lv in c.levels} for c in COMPARISONS}
"""field -> level -> the level in words (Chinese), as a link's summary says it."""
BY_FIELD = {c.field: c for c in COMPARISONS}
LEVEL_COLUMNS = {c.field: f"lv_{'id' if c.field == 'id_number' else c.field}" for c in COMPARISONS}

PAIR_COLUMNS = {
    "s_id": "VARCHAR", "s_legacy": "BOOLEAN", "ids_share_repair": "BOOLEAN", "s_std": "VARCHAR",
    "s_pinyin": "VARCHAR", "s_alts": "VARCHAR", "s_nchars": "INTEGER",
    "s_wild": "BOOLEAN", "s_birth": "DATE", "s_gender": "VARCHAR", "s_birthplace": "VARCHAR",
    "s_addr": "STRUCT(province VARCHAR, city VARCHAR, county VARCHAR, street VARCHAR, community VARCHAR, "
              "road VARCHAR, building VARCHAR, unit VARCHAR, room VARCHAR)",
    "s_org": "VARCHAR", "s_org_ids": "VARCHAR[]", "s_clash": "BIGINT", "s_org_idless": "BOOLEAN",
    "source": "VARCHAR",
    "m_id": "VARCHAR", "m_legacy": "BOOLEAN", "m_std": "VARCHAR", "m_pinyin": "VARCHAR", "m_alts": "VARCHAR",
    "m_nchars": "INTEGER",
    "m_wild": "BOOLEAN", "m_birth": "DATE", "m_gender": "VARCHAR", "m_county": "VARCHAR", "m_birthplace": "VARCHAR",
    "m_addr": "STRUCT(province VARCHAR, city VARCHAR, county VARCHAR, street VARCHAR, community VARCHAR, "
              "road VARCHAR, building VARCHAR, unit VARCHAR, room VARCHAR)",
    "m_kind_rows": "BIGINT", "m_org_rows": "BIGINT", "m_org_id": "VARCHAR",
}
"""Columns a pair table offers to the level conditions."""


IDENTITY_FIELDS = (ID_NUMBER, NAME, BIRTH_DATE, GENDER, COUNTY)
"""Fields that depend only on a row's name and ID: compared once per identity."""
ROW_FIELDS = (ADDRESS, ORGANISATION)
"""Fields that depend on the row itself (its employer, account or location)."""


def levels_sql(table: str, comparisons: tuple[Comparison, ...] = COMPARISONS, keep: str = "*",
               gated: bool = True) -> str:
    """SELECT `keep` plus one `lv_<field>` column per comparison from a pair table.

    The ID level is computed first when asked for (the gates of the other fields read
    `lv_id`); otherwise the table must already carry `lv_id`.
    """
    others = [c for c in comparisons if c is not ID_NUMBER]
    cols = "".join(f",\n  {c.case_sql(gated)} AS {LEVEL_COLUMNS[c.field]}" for c in others)
    inner = f"(SELECT *, {ID_NUMBER.case_sql()} AS lv_id FROM {table})" if ID_NUMBER in comparisons else table
    lv_id = ", lv_id" if ID_NUMBER in comparisons and keep != "*" else ""
    return f"""
SELECT {keep}{lv_id}{cols}
FROM {inner}"""


def level_of(field: str, left: dict, right: dict) -> str:
    """The level of one field for one pair given as plain values (for tests and examples).

    `left` / `right` hold the raw values of each side: name, id_number, id_status, birth_date,
    gender, county_code, address, organisation (a row's), org_ids (valid IDs on the rows of a
    sounding-alike name there), source / kind_rows, org_rows (the member's ID-bearing rows in
    the source and at the organisation). Values go through the same standardisation and the
    same SQL as in production.
    """
    from matching.sides import pair_values, scratch

    values = pair_values(left, right)
    cols = ", ".join(f"CAST(? AS {PAIR_COLUMNS[c]}) AS {c}" for c in PAIR_COLUMNS)
    con = scratch()
    con.execute(f"CREATE OR REPLACE TEMP TABLE p AS SELECT {cols}", [values[c] for c in PAIR_COLUMNS])
    return con.execute(f"SELECT {LEVEL_COLUMNS[field]} FROM ({levels_sql('p')})").fetchall()[0][0]
