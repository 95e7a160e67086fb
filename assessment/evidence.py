"""SQL for the evidence behind an assessment: linked source rows of the households at work.

Each builder returns one statement over a households relation (one row per household being
verified, with its window; `work_households` unless told otherwise) and `links`. The pipeline
runs them once per slice of a few thousand households, so the cost is a handful of joins per
slice and the evidence held in memory at once stays bounded whatever the number of households.
"""

from __future__ import annotations

from assessment.accounts import FULL_ACCOUNT_SQL, account_ident_sql
from connectors.values.institution import INSTITUTION_KEY_SQL
from assessment.figures import NUMBER_KEY_SQL, PENSION_CONTRIBUTION_TYPES, WORK_CONTRIBUTION_TYPES
from matching.sides import ACCOUNT_KEY_SQL, EXPANDS_SQL, SHORTENED_SQL

WORK = "work_households"


def _types(names) -> str:
    return ", ".join("'" + n.replace("'", "''") + "'" for n in names)


def _linked(households: str) -> str:
    return f"""
FROM links l
JOIN {households} w ON w.request_id = l.request_id AND w.household_id = l.household_id
"""

# Every builder ends with this: a report lists its evidence in the same order on every pass,
# so two passes over the same data write the same report (and the same fingerprint).
_ORDER = "ORDER BY request_id, household_id, member_no, source, record_id"

_LINK_COLS = """l.request_id, l.household_id, l.member_no, l.source, l.record_id,
       l.match_probability, l.decision, json_extract_string(l.evidence, '$.summary') AS reason"""


MAX_LAG_MONTHS = 3
"""How many undelivered months a source's window may step back (`assessment.window.source_windows`)."""


def income_records_sql(households: str = WORK, lag: int = MAX_LAG_MONTHS) -> str:
    """Income evidence inside each household's window, and `lag` months before it (a source whose
    latest months are not delivered yet is read over an earlier window, see
    `assessment.window.source_windows`): tax rows, benefits paid, and contribution rows of the
    employee schemes (they show work; a pension base also stands in for wages where tax rows are
    missing). 城乡居民 contributions are left out: those schemes are for people without an employer."""
    return f"""
SELECT {_LINK_COLS}, t.name AS record_name, 'tax_income' AS kind, t.period, t.income_item AS item,
       CAST(t.income_amount AS DOUBLE) AS amount, t.withholding_agent AS payer, NULL AS insurance_type,
       t.file, t.row_number, fr.repeated AS file_repeated, fr.file_rows
{_linked(households)}
JOIN tax t ON l.source = 'tax' AND t.record_id = l.record_id
LEFT JOIN file_repeats fr ON fr.source = 'tax' AND fr.file = t.file
WHERE t.period BETWEEN w.window_start - INTERVAL {lag} MONTH AND w.window_end
UNION ALL
SELECT {_LINK_COLS}, s.name,
       CASE s.record_type WHEN '待遇' THEN 'benefit' ELSE 'contribution' END,
       s.period,
       CASE WHEN s.record_type = '缴费' AND s.insurance_type IN ({_types(PENSION_CONTRIBUTION_TYPES)})
                 THEN '缴费基数（工资佐证）'
            WHEN s.record_type = '缴费' THEN s.insurance_type || '缴费（在职佐证）'
            WHEN s.insurance_type = '失业保险' THEN '失业保险金'
            WHEN s.insurance_type LIKE '%养老%' THEN '养老金'
            ELSE s.insurance_type || '待遇' END,
       CAST(CASE WHEN s.record_type = '缴费' THEN s.contribution_base ELSE s.amount END AS DOUBLE),
       s.employer, s.insurance_type, s.file, s.row_number, fr.repeated, fr.file_rows
{_linked(households)}
JOIN social_insurance s ON l.source = 'social_insurance' AND s.record_id = l.record_id
LEFT JOIN file_repeats fr ON fr.source = 'social_insurance' AND fr.file = s.file
WHERE s.period BETWEEN w.window_start - INTERVAL {lag} MONTH AND w.window_end
  AND (s.record_type = '待遇' OR s.insurance_type IN ({_types(WORK_CONTRIBUTION_TYPES)}))
{_ORDER}
"""


AFTER_REQUEST = ("(coalesce({t}.registration_date > w.request_date, FALSE) AND NOT EXISTS ("
                 "SELECT 1 FROM {table}_all o WHERE o.record_id = {t}.record_id AND o.registration_date <= w.request_date))")
"""A vehicle or home registered after the request date: not held on the date the household is
verified on, as a balance dated after it is no balance of that date (two assets probes: a car
registered three weeks after the request failed a 低保 household whose report said the register
was as of the request date). Unless an earlier version of the record was registered by then: a
certificate reissued (re-sent under its record_id with a later date) was held all along (an
adversarial probe's answered request, verified again on its date, lost its second home)."""


def vehicles_sql(households: str = WORK) -> str:
    """Vehicle rows; a vehicle is held when 正常 or sealed (查封): a seizure restricts its
    transfer, not its ownership. Stolen (被盗抢), deregistered (注销) and scrapped (报废) ones
    are not, nor one registered after the request date (`AFTER_REQUEST`), nor one a newer row of
    the register names someone outside the household as owner of (`transferred_to`: an evaluator's
    car sold to a stranger, the plate re-exported under the buyer's name and ID, stayed the
    household's and failed it). `loaded_at` lets figures tell which of two rows for one plate is
    the newer."""
    plate = NUMBER_KEY_SQL.format(col="{t}.plate_number")
    return f"""
SELECT * REPLACE (held AND transferred_to IS NULL AS held) FROM (
SELECT {_LINK_COLS}, v.name AS record_name, v.plate_number, v.vehicle_type, v.registration_date,
       CAST(v.purchase_price AS DOUBLE) AS purchase_price, v.status,
       v.status IN ('正常', '查封') AND NOT {AFTER_REQUEST.format(t='v', table='vehicle')} AS held,
       {AFTER_REQUEST.format(t='v', table='vehicle')} AS after_request, v.file, v.row_number, v.loaded_at,
       (SELECT min(o.record_id) FROM vehicle o
        WHERE {plate.format(t='o')} = {plate.format(t='v')} AND o.record_id <> v.record_id
          AND (o.loaded_at, coalesce(o.registration_date, DATE '1900-01-01'))
              > (v.loaded_at, coalesce(v.registration_date, DATE '1900-01-01'))
          AND coalesce(o.registration_date <= w.request_date, TRUE)
          -- another owner: not the row's own name or ID, nor a row linked to this household
          AND o.name <> v.name AND NOT coalesce(o.id_number = v.id_number, FALSE)
          AND NOT EXISTS (SELECT 1 FROM links k WHERE k.source = 'vehicle' AND k.record_id = o.record_id
                          AND k.request_id = w.request_id AND k.household_id = w.household_id))
           AS transferred_to
{_linked(households)}
JOIN vehicle v ON l.source = 'vehicle' AND v.record_id = l.record_id
)
{_ORDER}
"""


def properties_sql(households: str = WORK) -> str:
    """Property rows; a certificate is held unless cancelled (注销): mortgaged (抵押) and
    sealed (查封) homes still belong to the household. One registered after the request date is
    not held on that date (`AFTER_REQUEST`), nor one a later registration of the same certificate
    gives whole (单独所有) to someone outside the household (`transferred_to`: an assets probe's home
    sold to a stranger, the buyer's row under the same certificate, still failed its household on
    two homes). A later row with a share is a co-owner added, not a sale: the row stays held."""
    cert = NUMBER_KEY_SQL.format(col="{t}.certificate_number")
    return f"""
SELECT * REPLACE (held AND transferred_to IS NULL AS held) FROM (
SELECT {_LINK_COLS}, p.name AS record_name, p.certificate_number, p.location, p.usage, p.floor_area,
       coalesce(p.share, 1.0) AS share, p.floor_area * coalesce(p.share, 1.0) AS owned_area,
       p.registration_date, p.status, p.status <> '注销' AND NOT {AFTER_REQUEST.format(t='p', table='property')} AS held,
       {AFTER_REQUEST.format(t='p', table='property')} AS after_request, p.file, p.row_number, p.loaded_at,
       (SELECT min(o.record_id) FROM property o
        WHERE {cert.format(t='o')} = {cert.format(t='p')} AND o.record_id <> p.record_id
          AND o.registration_date > p.registration_date AND o.registration_date <= w.request_date
          AND o.status <> '注销' AND coalesce(o.share, 1.0) >= 1.0
          AND o.name <> p.name AND NOT coalesce(o.id_number = p.id_number, FALSE)
          AND NOT EXISTS (SELECT 1 FROM links k WHERE k.source = 'property' AND k.record_id = o.record_id
                          AND k.request_id = w.request_id AND k.household_id = w.household_id))
           AS transferred_to
{_linked(households)}
JOIN property p ON l.source = 'property' AND p.record_id = l.record_id
)
{_ORDER}
"""


def accounts_sql(households: str = WORK) -> str:
    """The latest balances known on or before the request date, per member.

    A row with an account number is one account: its latest statement is the balance, earlier rows
    are earlier snapshots of it. Two different balances of one account on one date contradict each
    other: the smaller counts, and `same_day` lists them all for a finding that holds the outcome (a
    probe's 16,000 and 9,000 of one day: the later record_id, 9,000, counted without a word).

    A row without one (the contract makes it optional, banks often mask it away) cannot be told
    apart from another product of the same type at the same bank by its number, so its
    "account" is (member, institution, product_type): the latest as_of_date of that key is the
    statement that counts, and *every* row on that date of one file is counted (two 理财产品 on one
    statement are two products, summed; one balance again in a later file is a re-export); rows of
    that key on earlier dates are earlier snapshots. An empty or blank number is the same as none.

    "Latest" is chosen twice, among all the rows and among the rows whose link counts (auto, confirmed):
    when the newest statement waits for review, the account's newest *counted* balance stands for it,
    and the newer row is listed beside it, not counted (a grader's account had counted nothing).

    An account written in full (`FULL_ACCOUNT_SQL`: a card number, sixteen digits or more) is its number, whatever
    bank name the statement gives: a full number names one account of one bank by itself, and
    banks are named in more ways than any list holds (an independent probe: 山西农信 and
    山西省农村信用社, 太原农商银行 and 太原农村商业银行, one account counted twice in 77 of 300
    households, wrong fails). Two full numbers are two accounts even where their first and last
    four digits agree (a review: 6222020011112222 and 6222020099992222, 9,000 and 8,000, counted
    9,000). A masked number (622271******2913) is the member's full number it could be a copy
    of (the same first and last four characters, `matching.sides.ACCOUNT_KEY_SQL`) when exactly
    one is (an independent probe's account, written in full in March and masked in September,
    counted twice and failed a household); else it is its masked form at its bank
    (`banks.institution_key`: 中国农业银行 and 农业银行, a branch or 营业部 dropped). Each product
    of an account (a card's 活期 and 定期) counts its own latest balance: a product missing from a
    later statement may have been left out of that export rather than closed, and the same
    probe's truth counted it. `accounts.account_ident_sql` and `accounts.account_ident` are this reading.

    A number a spreadsheet shortened (`6.21700001111222E+18`: the account column stored as numbers)
    is no number: each of the member's accounts at that bank looks the same shortened, so two
    accounts were one (an export probe: 9,000 and 8,000 counted 8,000). Such a row is the
    member's account of that bank and product whose full number it begins with, when exactly one
    does (a statement sent once as text, once as a workbook); else it is an unnumbered row.
    """
    key = "request_id, household_id, account_member, account_bank, account, product_type"
    product = f"{key}, as_of_date"
    owner = "request_id, household_id, member_no, bank_key, product_type"
    expanded = f"list_filter(full_numbers, lambda x: {EXPANDS_SQL.format(short='number', full='x')})"
    return f"""
SELECT * EXCLUDE (rn, rn_counted, account, account_bank, account_member, latest, latest_counted, counts, bank_key,
                  number, exact_balance, number_shortened, first_file, loaded) FROM (
    SELECT *, number_shortened AND account IS NULL AS account_number_lost,
           number_shortened AND account IS NOT NULL AS account_number_shortened,
           row_number() OVER (PARTITION BY {product} ORDER BY exact_balance, record_id DESC) AS rn,
           row_number() OVER (PARTITION BY {product}, counts ORDER BY exact_balance, record_id DESC) AS rn_counted,
           CASE WHEN account IS NOT NULL
                 AND count(DISTINCT exact_balance) OVER (PARTITION BY {product}) > 1
                THEN list({{'record_id': record_id, 'balance': balance}}
                          ORDER BY exact_balance, record_id) OVER (PARTITION BY {product}) END AS same_day,
           max(as_of_date) OVER (PARTITION BY {key}) AS latest,
           max(as_of_date) FILTER (WHERE counts) OVER (PARTITION BY {key}) AS latest_counted,
           -- one balance of one branch in two files: a re-export (a probe's 9,000 counted 18,000); one file counts
           first_value(file) OVER (PARTITION BY {product}, exact_balance, institution ORDER BY counts DESC, loaded, file) AS first_file
    FROM (
        SELECT *, CASE WHEN account IS NULL THEN bank_key END AS account_bank,
               -- a card number is one account however many members' statements carry it (an
               -- adversarial probe's couple, each reported on one card, counted it twice: a wrong fail)
               CASE WHEN {FULL_ACCOUNT_SQL.format(col='account')} THEN NULL ELSE member_no END AS account_member FROM (
        SELECT * EXCLUDE (full_numbers, member_full),
               CASE WHEN number IS NULL THEN NULL
                    WHEN number_shortened THEN CASE WHEN len({expanded}) = 1 THEN {expanded}[1] END
                    ELSE {account_ident_sql('number', 'bank_key', 'member_full')} END AS account
        FROM (
            SELECT *, list(DISTINCT number) FILTER (WHERE {FULL_ACCOUNT_SQL.format(col='number')})
                          OVER (PARTITION BY {owner}) AS full_numbers,
                      list(DISTINCT {{'n': number, 'b': bank_key}}) FILTER (WHERE {FULL_ACCOUNT_SQL.format(col='number')})
                          OVER (PARTITION BY request_id, household_id, member_no) AS member_full
            FROM (
                SELECT {_LINK_COLS}, b.name AS record_name, b.institution, b.account_number, b.product_type,
                       CAST(b.balance AS DOUBLE) AS balance, b.balance AS exact_balance, b.as_of_date, b.file,
                       b.loaded_at AS loaded, b.row_number, {INSTITUTION_KEY_SQL.format(col='b.institution')} AS bank_key,
                       nullif(trim(b.account_number), '') AS number,
                       coalesce({SHORTENED_SQL.format(col="trim(b.account_number)")}, FALSE) AS number_shortened,
                       l.decision IN ('auto', 'confirmed') AS counts
                {_linked(households)}
                JOIN bank b ON l.source = 'bank' AND b.record_id = l.record_id
                WHERE b.as_of_date <= w.request_date
            )
        ))
    )
) WHERE CASE WHEN account IS NULL THEN (as_of_date = latest OR (counts AND as_of_date = latest_counted))
                                      AND file IS NOT DISTINCT FROM first_file
             ELSE (as_of_date = latest AND rn = 1) OR (counts AND as_of_date = latest_counted AND rn_counted = 1) END
{_ORDER}
"""


def other_balances_sql(households: str = WORK) -> str:
    """The bank rows linked to a household's members that `accounts_sql` does not select: an
    account's earlier statements, the larger of two balances of one date, and statements dated
    after the request. Shown beside the counted ones, marked not counted and why: a bank probe's
    50,000 dated five days after the request showed only as a record number, under "未查到金融资产"."""
    return f"""
WITH sel AS MATERIALIZED ({accounts_sql(households)})
SELECT {_LINK_COLS}, b.name AS record_name, b.institution, b.account_number, b.product_type,
       CAST(b.balance AS DOUBLE) AS balance, b.as_of_date, b.file, b.row_number,
       b.as_of_date > w.request_date AS after_request,
       -- a card another member's statement carries, counted on theirs (`accounts_sql`)
       (SELECT min(s.member_no) FROM sel s
        WHERE s.request_id = l.request_id AND s.household_id = l.household_id AND s.member_no <> l.member_no
          AND s.account_number = b.account_number AND {FULL_ACCOUNT_SQL.format(col='b.account_number')})
           AS counted_for
{_linked(households)}
JOIN bank b ON l.source = 'bank' AND b.record_id = l.record_id
WHERE NOT EXISTS (SELECT 1 FROM sel s
                  WHERE s.request_id = l.request_id AND s.household_id = l.household_id
                    AND s.member_no = l.member_no AND s.record_id = l.record_id)
{_ORDER}
"""


def newer_balances_sql(households: str = WORK) -> str:
    """Bank rows of a counted account (the account as the figures read it, `account_ident_sql`;
    same name) dated after its counted balance and no later than the request, that no member of
    the household is linked to and nobody is linked to for certain: the account's newer
    statement, written without an ID or under a name too common to tell its owner by, so the
    counted balance may be out of date. An independent-data probe's household failed on a 40,000
    balance of December whose June statement, 2,000 and without an ID, six namesakes kept from
    being linked. A statement is of the account when it names it the same way, or, for an
    account written in full, masks that number at one of the banks it was counted at."""
    bank_key = INSTITUTION_KEY_SQL.format(col="b.institution")
    number = "nullif(trim(b.account_number), '')"
    return f"""
WITH rows AS (
    SELECT l.request_id, l.household_id, l.member_no, {bank_key} AS bank_key, {number} AS number, b.name,
           b.as_of_date, w.request_date
    {_linked(households)}
    JOIN bank b ON l.source = 'bank' AND b.record_id = l.record_id
    WHERE l.decision IN ('auto', 'confirmed') AND {number} IS NOT NULL
      AND NOT {SHORTENED_SQL.format(col="trim(b.account_number)")}   -- one shortened text is many accounts
      AND b.as_of_date <= w.request_date
), counted AS (     -- the account as the figures read it
    SELECT request_id, household_id, member_no, name, account, list(DISTINCT bank_key) AS banks,
           max(as_of_date) AS counted_date, any_value(request_date) AS request_date
    FROM (SELECT *, {account_ident_sql('number', 'bank_key', 'member_full')} AS account
          FROM (SELECT *, list(DISTINCT {{'n': number, 'b': bank_key}}) FILTER (WHERE {FULL_ACCOUNT_SQL.format(col='number')})
                              OVER (PARTITION BY request_id, household_id, member_no) AS member_full FROM rows))
    GROUP BY ALL
), statements AS (
    SELECT b.*, {bank_key} AS bank_key, {number} AS number,
           {ACCOUNT_KEY_SQL.format(col=number)} AS account_key
    FROM bank b SEMI JOIN (SELECT DISTINCT name FROM counted) USING (name)
    WHERE {number} IS NOT NULL
)
-- compared as the figures read accounts: by the number as written, a masked June balance and the
-- full number's unlinked March one were two accounts, and March was "newer" than the full
-- number's January (an outcome probe's certain asset fails went to review, the message saying a
-- newer one waited)
SELECT DISTINCT t.request_id, t.household_id, t.member_no, 'bank' AS source, b.record_id, b.institution,
       b.account_number, CAST(b.balance AS DOUBLE) AS balance, b.as_of_date, b.file, b.row_number
FROM counted t JOIN statements b
  ON b.name = t.name
 AND (b.number = t.account OR b.bank_key || '#' || b.account_key = t.account OR b.bank_key || '#' || b.number = t.account
      OR ({FULL_ACCOUNT_SQL.format(col='t.account')} AND NOT regexp_full_match(b.number, '[0-9]+')
          AND list_contains(t.banks, b.bank_key) AND b.account_key = {ACCOUNT_KEY_SQL.format(col='t.account')}))
WHERE b.as_of_date > t.counted_date AND b.as_of_date <= t.request_date
  AND NOT EXISTS (SELECT 1 FROM links o WHERE o.source = 'bank' AND o.record_id = b.record_id
                  AND (o.decision IN ('auto', 'confirmed') OR (o.request_id = t.request_id AND o.household_id = t.household_id)))
ORDER BY request_id, household_id, member_no, record_id
"""


def refused_sql(households: str = WORK) -> str:
    """Department rows refused at load (quarantined) that carry a consenting member's validated ID
    number, and that no row loaded since has replaced (a corrected re-delivery of the record_id;
    `corrects`: a row of that record_id loaded before it still stands):
    whatever income or asset they hold is missing from the figures. Only refusals of the
    household's window count (older ones say nothing about it). One row per refused row, its
    reasons joined."""
    return f"""
SELECT w.request_id, w.household_id, m.member_no, m.name, q.source, q.record_id, q.file, q.row_number,
       string_agg(coalesce(q.field || '：', '') || q.reason, '；' ORDER BY q.field) AS reasons,
       list({{'field': q.field, 'raw': q.raw_value, 'reason': q.reason}} ORDER BY q.field) AS cells,
       any_value(q.raw_row) AS raw_row,
       EXISTS (SELECT 1 FROM source_records s WHERE s.source = q.source AND s.record_id = q.record_id) AS corrects
FROM quarantine q
JOIN work_members m ON m.id_number = q.id_number AND m.id_status IN ('valid', 'repaired') AND m.consent
JOIN {households} w ON w.request_id = m.request_id AND w.household_id = m.household_id
WHERE q.id_number IS NOT NULL AND q.quarantined_at >= w.window_start
  -- replaced by a row of that record_id loaded since; an older one still standing is what the
  -- refused row corrects (a register probe's car re-sent as 转出 was refused, and the household
  -- failed on its old 正常 row with no word of the newer one)
  AND NOT EXISTS (SELECT 1 FROM source_records s WHERE s.source = q.source AND s.record_id = q.record_id
                  AND s.loaded_at >= q.quarantined_at)
  -- one record refused twice (a full re-export carrying the same bad row) is one record: its
  -- latest refusal (a determinism probe's report counted 2 records, naming one record_id twice)
  AND NOT EXISTS (SELECT 1 FROM quarantine o WHERE o.source = q.source AND o.record_id = q.record_id
                  AND o.id_number = q.id_number AND o.batch_id <> q.batch_id
                  AND (o.quarantined_at, o.batch_id) > (q.quarantined_at, q.batch_id))
GROUP BY ALL
ORDER BY request_id, household_id, member_no, source, file, row_number
"""
